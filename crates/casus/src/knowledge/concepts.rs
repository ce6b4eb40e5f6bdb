//! The concept inventory of `data/concepts/*.tsv` (format in `data/README.md`).

use std::sync::Arc;

use crate::analysis::{Codes, EntityType};
use crate::error::KnowledgeError;
use crate::knowledge::tsv::Table;

/// The kind of thing a concept is. Labs and vitals are concepts of their own kinds because they
/// also carry measurements; named without a value they are mentioned as tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConceptType {
    Disorder,
    SignSymptom,
    Anatomy,
    Procedure,
    Test,
    Drug,
    Organism,
    Lab,
    Vital,
}

impl ConceptType {
    pub fn parse(name: &str) -> Option<ConceptType> {
        Some(match name {
            "disorder" => ConceptType::Disorder,
            "sign_symptom" => ConceptType::SignSymptom,
            "anatomy" => ConceptType::Anatomy,
            "procedure" => ConceptType::Procedure,
            "test" => ConceptType::Test,
            "drug" => ConceptType::Drug,
            "organism" => ConceptType::Organism,
            "lab" => ConceptType::Lab,
            "vital" => ConceptType::Vital,
            _ => return None,
        })
    }

    /// The entity type of a mention of a concept of this type.
    pub fn entity_type(self) -> EntityType {
        match self {
            ConceptType::Disorder => EntityType::Disorder,
            ConceptType::SignSymptom => EntityType::SignSymptom,
            ConceptType::Anatomy => EntityType::Anatomy,
            ConceptType::Procedure => EntityType::Procedure,
            ConceptType::Test | ConceptType::Lab | ConceptType::Vital => EntityType::Test,
            ConceptType::Drug => EntityType::Drug,
            ConceptType::Organism => EntityType::Organism,
        }
    }
}

/// One concept of the inventory.
#[derive(Debug, Clone, PartialEq)]
pub struct ConceptEntry {
    pub id: String,
    pub concept_type: ConceptType,
    pub label: String,
    pub codes: Arc<Codes>,
    /// Romanian terms, the preferred first.
    pub terms: Vec<String>,
    /// Romanian abbreviations, matched by their exact spelling.
    pub abbreviations: Vec<String>,
    pub parent: Option<String>,
}

impl ConceptEntry {
    /// The concept as the output contract writes it.
    pub fn to_concept(&self) -> crate::analysis::Concept {
        crate::analysis::Concept { id: self.id.clone(), label: self.label.clone(), codes: self.codes.clone() }
    }
}

pub const COLUMNS: [&str; 8] = ["id", "type", "label", "codes", "ro", "ro_abbr", "parent", "source"];

/// Parses one inventory file, appending its concepts.
pub fn parse(file: &str, text: &str, out: &mut Vec<ConceptEntry>) -> Result<(), KnowledgeError> {
    let table = Table::parse(file, text, &COLUMNS)?;
    for row in &table.rows {
        let [id, concept_type, label, codes, ro, abbr, parent, _source] = row.cells[..] else {
            unreachable!("Table::parse checks the column count")
        };
        let concept_type = ConceptType::parse(concept_type)
            .ok_or_else(|| table.error(row, format!("unknown type {concept_type:?}")))?;
        let mut code_map = Codes::new();
        for code in codes.split_whitespace() {
            let (system, value) =
                code.split_once(':').ok_or_else(|| table.error(row, format!("code {code:?} has no system")))?;
            code_map.entry(system.to_owned()).or_default().push(value.to_owned());
        }
        let list = |cell: &str| cell.split('|').map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned).collect();
        out.push(ConceptEntry {
            id: id.to_owned(),
            concept_type,
            label: label.to_owned(),
            codes: Arc::new(code_map),
            terms: list(ro),
            abbreviations: list(abbr),
            parent: Some(parent).filter(|p| !p.is_empty()).map(str::to_owned),
        });
    }
    Ok(())
}
