//! Loading the knowledge under `data/` into the tables the pipeline uses.
//!
//! The data files are embedded in the binary at build time (`include_str!`), so the default
//! engine needs no files. Each table is parsed once, when the engine is built; phrases are
//! tokenized with the same tokenizer as documents, so a phrase matches text exactly when their
//! plain (case- and diacritic-folded) tokens are equal.

pub mod coding;
pub mod concepts;
pub mod differential;
pub mod icd10cm;
pub mod labs;
pub mod medication;
pub mod tsv;

use std::path::Path;

use rustc_hash::FxHashMap;

use crate::analysis::{AgeUnit, EntityType, SectionKind, Sex};
use crate::error::KnowledgeError;
use crate::text::normalize::Views;
use crate::text::tokenize::{tokenize, TokenRules};
use concepts::ConceptEntry;
use tsv::Table;

/// The embedded data files, by their path under `data/`.
pub const EMBEDDED: &[(&str, &str)] = &[
    ("ro/abbreviations.tsv", include_str!("../../../../data/ro/abbreviations.tsv")),
    ("units.tsv", include_str!("../../../../data/units.tsv")),
    ("ro/numbers.tsv", include_str!("../../../../data/ro/numbers.tsv")),
    ("ro/sections.tsv", include_str!("../../../../data/ro/sections.tsv")),
    ("ro/patient.tsv", include_str!("../../../../data/ro/patient.tsv")),
    ("ro/context.tsv", include_str!("../../../../data/ro/context.tsv")),
    ("ro/section_context.tsv", include_str!("../../../../data/ro/section_context.tsv")),
    ("ro/ambiguous_abbreviations.tsv", include_str!("../../../../data/ro/ambiguous_abbreviations.tsv")),
    ("ro/results.tsv", include_str!("../../../../data/ro/results.tsv")),
    ("labs/analytes.tsv", include_str!("../../../../data/labs/analytes.tsv")),
    ("labs/reference_ranges.tsv", include_str!("../../../../data/labs/reference_ranges.tsv")),
    ("labs/conversions.tsv", include_str!("../../../../data/labs/conversions.tsv")),
    ("labs/panels.tsv", include_str!("../../../../data/labs/panels.tsv")),
    ("ro/medication.tsv", include_str!("../../../../data/ro/medication.tsv")),
    ("ro/time.tsv", include_str!("../../../../data/ro/time.tsv")),
    ("ro/microbiology.tsv", include_str!("../../../../data/ro/microbiology.tsv")),
    ("ro/diagnosis.tsv", include_str!("../../../../data/ro/diagnosis.tsv")),
    ("coding/combinations.tsv", include_str!("../../../../data/coding/combinations.tsv")),
    ("coding/code_first.tsv", include_str!("../../../../data/coding/code_first.tsv")),
    ("coding/agents.tsv", include_str!("../../../../data/coding/agents.tsv")),
    ("coding/agent_categories.tsv", include_str!("../../../../data/coding/agent_categories.tsv")),
    ("coding/qualifiers.tsv", include_str!("../../../../data/coding/qualifiers.tsv")),
    ("coding/refinements.tsv", include_str!("../../../../data/coding/refinements.tsv")),
    ("coding/adverse_effects.tsv", include_str!("../../../../data/coding/adverse_effects.tsv")),
    ("coding/table_phrases.tsv", include_str!("../../../../data/coding/table_phrases.tsv")),
    ("measured_signs.tsv", include_str!("../../../../data/measured_signs.tsv")),
];

/// The embedded differential knowledge base, by path under `data/`.
pub const EMBEDDED_DIFFERENTIAL: &[(&str, &str)] = &[
    (
        "differential/infection_cardio_pulmonary.tsv",
        include_str!("../../../../data/differential/infection_cardio_pulmonary.tsv"),
    ),
    (
        "differential/digestive_renal_endocrine_toxic.tsv",
        include_str!("../../../../data/differential/digestive_renal_endocrine_toxic.tsv"),
    ),
    (
        "differential/neuro_blood_rheum_skin_women_child_surgery.tsv",
        include_str!("../../../../data/differential/neuro_blood_rheum_skin_women_child_surgery.tsv"),
    ),
];

/// The embedded concept inventory, by path under `data/`; loaded in this order (an earlier
/// concept wins a term that two concepts share).
pub const EMBEDDED_CONCEPTS: &[(&str, &str)] = &[
    ("concepts/disorders_a_to_i.tsv", include_str!("../../../../data/concepts/disorders_a_to_i.tsv")),
    ("concepts/disorders_j_to_t.tsv", include_str!("../../../../data/concepts/disorders_j_to_t.tsv")),
    ("concepts/signs_symptoms.tsv", include_str!("../../../../data/concepts/signs_symptoms.tsv")),
    ("concepts/organisms.tsv", include_str!("../../../../data/concepts/organisms.tsv")),
    ("concepts/drugs.tsv", include_str!("../../../../data/concepts/drugs.tsv")),
    ("concepts/procedures_tests.tsv", include_str!("../../../../data/concepts/procedures_tests.tsv")),
    ("concepts/labs_vitals.tsv", include_str!("../../../../data/concepts/labs_vitals.tsv")),
    ("concepts/anatomy.tsv", include_str!("../../../../data/concepts/anatomy.tsv")),
];

/// Number words by plain form: value and how they combine.
pub type NumberWords = FxHashMap<String, (f64, NumberWordKind)>;

/// A phrase as a sequence of plain token forms.
pub type Phrase = Vec<String>;

/// A unit as written, with its UCUM code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    pub written: String,
    pub ucum: String,
    pub dimension: String,
}

/// How a number word combines with its neighbours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberWordKind {
    Unit,
    Teen,
    Ten,
    Hundred,
    Thousand,
    Fraction,
}

/// Where a section header must stand to count as one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cue {
    /// Opening a sentence or a line.
    Start,
    /// Followed by a colon, at most `gap` tokens later.
    Colon,
    Either,
}

/// One way a section header is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionRule {
    pub kind: SectionKind,
    pub level: u8,
    pub system: Option<String>,
    pub cue: Cue,
    pub gap: usize,
    pub phrase: Phrase,
}

/// What a patient word says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatientWord {
    Sex(Sex),
    Person,
    AgeCue,
    AgeUnit(AgeUnit),
}

/// What a context trigger says about the mentions in its scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TriggerCategory {
    Negated,
    Uncertain,
    Historical,
    Hypothetical,
    Family,
    /// Holds its tokens so that a shorter trigger inside it does not fire.
    Pseudo,
    /// Ends the scope of other triggers.
    Terminate,
}

impl TriggerCategory {
    fn parse(name: &str) -> Option<TriggerCategory> {
        Some(match name {
            "negated" => TriggerCategory::Negated,
            "uncertain" => TriggerCategory::Uncertain,
            "historical" => TriggerCategory::Historical,
            "hypothetical" => TriggerCategory::Hypothetical,
            "family" => TriggerCategory::Family,
            "pseudo" => TriggerCategory::Pseudo,
            "terminate" => TriggerCategory::Terminate,
            _ => return None,
        })
    }
}

/// Which way a trigger's scope runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TriggerDirection {
    Forward,
    Backward,
    Both,
    /// Pseudo and terminating triggers have no scope.
    None,
}

/// One context trigger of `data/ro/context.tsv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TriggerRule {
    pub category: TriggerCategory,
    pub direction: TriggerDirection,
    /// The farthest a mention may be, in tokens between it and the trigger.
    pub window: usize,
    /// The entity types the trigger can qualify; `None` for any.
    pub applies_to: Option<EntityTypes>,
}

/// A set of entity types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EntityTypes(u8);

impl EntityTypes {
    pub fn insert(&mut self, entity_type: EntityType) {
        self.0 |= 1 << entity_type as u8;
    }

    pub fn contains(self, entity_type: EntityType) -> bool {
        self.0 & (1 << entity_type as u8) != 0
    }
}

/// When an ambiguous abbreviation takes a meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AbbreviationCue {
    /// A value follows: "TA 80/50".
    Value,
    /// An organism is named later in the sentence: "PCR pentru SARS-CoV-2".
    Organism,
    Always,
}

/// One reading of an ambiguous abbreviation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AbbreviationReading {
    pub form: String,
    pub concept_id: String,
    pub cue: AbbreviationCue,
}

/// Everything the engine knows, compiled for use.
#[derive(Debug, Clone)]
pub struct Knowledge {
    pub token_rules: TokenRules,
    pub units: Vec<Unit>,
    pub number_words: NumberWords,
    pub sections: Vec<SectionRule>,
    pub patient_words: Vec<(Phrase, PatientWord)>,
    pub concepts: Vec<ConceptEntry>,
    pub triggers: Vec<(Phrase, TriggerRule)>,
    /// Section titles that give their sentence's mentions an attribute, for these entity types
    /// (`None`: any).
    pub section_context: Vec<(Phrase, TriggerCategory, Option<EntityTypes>)>,
    pub ambiguous_abbreviations: Vec<AbbreviationReading>,
    pub value_words: ValueWords,
    /// Diagnosis statements and ICD-10-CM coding rules.
    pub coding: coding::Coding,
    /// The diseases of the differential, with their findings.
    pub diseases: Vec<differential::Disease>,
    /// Signs a measurement in a state shows (`data/measured_signs.tsv`).
    pub measured_signs: Vec<differential::MeasuredSign>,
    pub medication_words: medication::MedicationWords,
    pub time_words: medication::TimeWords,
    pub microbiology_words: medication::MicrobiologyWords,
    /// Analytes, reference ranges, unit conversions and panels (`data/labs/`).
    pub labs: labs::Labs,
}

/// The words around lab values (`data/ro/results.tsv`), by plain form.
#[derive(Debug, Clone, Default)]
pub struct ValueWords {
    /// May stand between a name and its value ("de", "la").
    pub links: rustc_hash::FxHashSet<String>,
    /// Qualitative results and the value the contract writes for them.
    pub results: FxHashMap<String, String>,
    /// Words after which a number is a count, not a value ("de 12 ori mai mare").
    pub counters: rustc_hash::FxHashSet<String>,
}

impl Knowledge {
    /// The knowledge embedded in the binary.
    pub fn embedded() -> Result<Knowledge, KnowledgeError> {
        let mut knowledge = Knowledge::from_files(|name| {
            EMBEDDED.iter().find(|(path, _)| *path == name).map(|(_, text)| *text).unwrap_or("")
        })?;
        for (file, text) in EMBEDDED_CONCEPTS {
            concepts::parse(file, text, &mut knowledge.concepts)?;
        }
        for (file, text) in EMBEDDED_DIFFERENTIAL {
            differential::parse(file, text, &mut knowledge.diseases)?;
        }
        knowledge.check_references()?;
        Ok(knowledge)
    }

    /// Every concept id that another table names exists in the inventory.
    fn check_references(&self) -> Result<(), KnowledgeError> {
        let ids: rustc_hash::FxHashSet<&str> = self.concepts.iter().map(|c| c.id.as_str()).collect();
        for sign in &self.measured_signs {
            if let Some(id) = [&sign.sign, &sign.measurement].into_iter().find(|id| !ids.contains(id.as_str())) {
                return Err(KnowledgeError {
                    file: "measured_signs.tsv".to_owned(),
                    line: 0,
                    message: format!("concept {id:?} is not in the inventory"),
                });
            }
        }
        for disease in &self.diseases {
            let named = disease.findings.iter().filter_map(|f| match &f.spec {
                differential::FindingSpec::Concept(id) | differential::FindingSpec::Measured(id, _) => {
                    Some(id.as_str())
                }
                _ => None,
            });
            if let Some(id) = std::iter::once(disease.concept.as_str()).chain(named).find(|id| !ids.contains(id)) {
                return Err(KnowledgeError {
                    file: "differential/".to_owned(),
                    line: 0,
                    message: format!("{}: concept {id:?} is not in the inventory", disease.concept),
                });
            }
        }
        for (file, id) in self.coding.concept_ids() {
            if !self.concepts.iter().any(|c| c.id == id) {
                return Err(KnowledgeError {
                    file: file.to_owned(),
                    line: 0,
                    message: format!("concept {id:?} is not in the inventory"),
                });
            }
        }
        for reading in &self.ambiguous_abbreviations {
            if !self.concepts.iter().any(|c| c.id == reading.concept_id) {
                return Err(KnowledgeError {
                    file: "ro/ambiguous_abbreviations.tsv".to_owned(),
                    line: 0,
                    message: format!("{}: concept {:?} is not in the inventory", reading.form, reading.concept_id),
                });
            }
        }
        let microbiology = &self.microbiology_words;
        let named =
            microbiology.test_specimens.keys().chain(microbiology.phrases.values().filter_map(|word| match word {
                medication::MicrobiologyWord::Marker(_, concept) => Some(concept),
                _ => None,
            }));
        for id in named {
            if !self.concepts.iter().any(|c| c.id == *id) {
                return Err(KnowledgeError {
                    file: "ro/microbiology.tsv".to_owned(),
                    line: 0,
                    message: format!("concept {id:?} is not in the inventory"),
                });
            }
        }
        let ids: rustc_hash::FxHashSet<&str> = self.concepts.iter().map(|c| c.id.as_str()).collect();
        self.labs.check(|id| ids.contains(id))
    }

    /// The embedded knowledge with a user's directory laid over it, without a rebuild:
    /// - a file of `dir` with the path of an embedded data file (`ro/sections.tsv`,
    ///   `ro/context.tsv`, `units.tsv`, …) replaces it whole;
    /// - every `dir/concepts/*.tsv` (in name order) adds concepts; one whose id the inventory
    ///   has replaces that concept. The user's new concepts come first, so that a term they share
    ///   with an embedded concept goes to the user's.
    pub fn with_overlay(dir: &Path) -> Result<Knowledge, KnowledgeError> {
        let read = |path: &Path| {
            std::fs::read_to_string(path).map_err(|err| KnowledgeError {
                file: path.display().to_string(),
                line: 0,
                message: format!("cannot read: {err}"),
            })
        };
        if !dir.is_dir() {
            return Err(KnowledgeError {
                file: dir.display().to_string(),
                line: 0,
                message: "not a directory".to_owned(),
            });
        }
        let mut replaced: FxHashMap<&str, String> = FxHashMap::default();
        for (name, _) in EMBEDDED {
            let path = dir.join(name);
            if path.is_file() {
                replaced.insert(name, read(&path)?);
            }
        }
        let mut knowledge = Knowledge::from_files(|name| match replaced.get(name) {
            Some(text) => text.as_str(),
            None => EMBEDDED.iter().find(|(path, _)| *path == name).map(|(_, text)| *text).unwrap_or(""),
        })?;
        for (file, text) in EMBEDDED_CONCEPTS {
            let path = dir.join(file);
            if path.is_file() {
                concepts::parse(file, &read(&path)?, &mut knowledge.concepts)?;
            } else {
                concepts::parse(file, text, &mut knowledge.concepts)?;
            }
        }
        let mut user_files: Vec<std::path::PathBuf> = match std::fs::read_dir(dir.join("concepts")) {
            Ok(entries) => entries
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|path| path.extension().is_some_and(|ext| ext == "tsv"))
                .filter(|path| !EMBEDDED_CONCEPTS.iter().any(|(name, _)| dir.join(name) == *path))
                .collect(),
            Err(_) => Vec::new(),
        };
        user_files.sort();
        let mut added = Vec::new();
        for path in user_files {
            let mut entries = Vec::new();
            concepts::parse(&path.display().to_string(), &read(&path)?, &mut entries)?;
            for entry in entries {
                match knowledge.concepts.iter_mut().find(|c| c.id == entry.id) {
                    Some(existing) => *existing = entry,
                    None => added.push(entry),
                }
            }
        }
        added.append(&mut knowledge.concepts);
        knowledge.concepts = added;
        for (file, text) in EMBEDDED_DIFFERENTIAL {
            let path = dir.join(file);
            let text = if path.is_file() { read(&path)? } else { (*text).to_owned() };
            differential::parse(file, &text, &mut knowledge.diseases)?;
        }
        knowledge.check_references()?;
        Ok(knowledge)
    }

    /// Builds the knowledge from a function that returns the text of each data file.
    pub fn from_files<'a>(file: impl Fn(&str) -> &'a str) -> Result<Knowledge, KnowledgeError> {
        let mut token_rules = TokenRules::default();
        let abbreviations = Table::parse("ro/abbreviations.tsv", file("ro/abbreviations.tsv"), &["form", "meaning"])?;
        for row in &abbreviations.rows {
            token_rules.add_abbreviation(Views::new(row.cells[0]).plain.as_str().to_owned());
        }

        let units_table = Table::parse("units.tsv", file("units.tsv"), &["written", "ucum", "dimension"])?;
        let mut units = Vec::with_capacity(units_table.rows.len());
        for row in &units_table.rows {
            let plain = Views::new(row.cells[0]).plain.as_str().to_owned();
            if !token_rules.add_unit(plain, units.len()) {
                return Err(units_table.error(row, format!("unit {:?} is listed twice", row.cells[0])));
            }
            units.push(Unit {
                written: row.cells[0].to_owned(),
                ucum: row.cells[1].to_owned(),
                dimension: row.cells[2].to_owned(),
            });
        }

        let numbers = Table::parse("ro/numbers.tsv", file("ro/numbers.tsv"), &["word", "value", "kind"])?;
        let mut number_words = NumberWords::default();
        for row in &numbers.rows {
            let value: f64 = row.cells[1].parse().map_err(|_| numbers.error(row, "value is not a number"))?;
            let kind = match row.cells[2] {
                "unit" => NumberWordKind::Unit,
                "teen" => NumberWordKind::Teen,
                "ten" => NumberWordKind::Ten,
                "hundred" => NumberWordKind::Hundred,
                "thousand" => NumberWordKind::Thousand,
                "fraction" => NumberWordKind::Fraction,
                other => return Err(numbers.error(row, format!("unknown kind {other:?}"))),
            };
            number_words.insert(Views::new(row.cells[0]).plain.as_str().to_owned(), (value, kind));
        }

        let sections_table = Table::parse(
            "ro/sections.tsv",
            file("ro/sections.tsv"),
            &["kind", "level", "system", "cue", "gap", "phrase"],
        )?;
        let mut sections = Vec::with_capacity(sections_table.rows.len());
        for row in &sections_table.rows {
            let kind = SectionKind::parse(row.cells[0])
                .ok_or_else(|| sections_table.error(row, format!("unknown section kind {:?}", row.cells[0])))?;
            let level = match row.cells[1] {
                "1" => 1,
                "2" => 2,
                other => return Err(sections_table.error(row, format!("level must be 1 or 2, not {other:?}"))),
            };
            let cue = match row.cells[3] {
                "start" => Cue::Start,
                "colon" => Cue::Colon,
                "either" => Cue::Either,
                other => return Err(sections_table.error(row, format!("unknown cue {other:?}"))),
            };
            let gap = row.cells[4].parse().map_err(|_| sections_table.error(row, "gap is not a count"))?;
            let system = Some(row.cells[2]).filter(|s| !s.is_empty()).map(str::to_owned);
            if (level == 2) != system.is_some() {
                return Err(sections_table.error(row, "a level-2 label needs a system, a level-1 header none"));
            }
            sections.push(SectionRule { kind, level, system, cue, gap, phrase: phrase(row.cells[5], &token_rules) });
        }

        let patient = Table::parse("ro/patient.tsv", file("ro/patient.tsv"), &["kind", "value", "term"])?;
        let mut patient_words = Vec::with_capacity(patient.rows.len());
        for row in &patient.rows {
            let word = match (row.cells[0], row.cells[1]) {
                ("sex", "male") => PatientWord::Sex(Sex::Male),
                ("sex", "female") => PatientWord::Sex(Sex::Female),
                ("person", _) => PatientWord::Person,
                ("age_cue", _) => PatientWord::AgeCue,
                ("age_unit", "year") => PatientWord::AgeUnit(AgeUnit::Year),
                ("age_unit", "month") => PatientWord::AgeUnit(AgeUnit::Month),
                ("age_unit", "week") => PatientWord::AgeUnit(AgeUnit::Week),
                ("age_unit", "day") => PatientWord::AgeUnit(AgeUnit::Day),
                (kind, value) => return Err(patient.error(row, format!("unknown kind/value {kind:?}/{value:?}"))),
            };
            patient_words.push((phrase(row.cells[2], &token_rules), word));
        }

        let context = Table::parse(
            "ro/context.tsv",
            file("ro/context.tsv"),
            &["phrase", "category", "direction", "window", "applies_to"],
        )?;
        let mut triggers = Vec::with_capacity(context.rows.len());
        for row in &context.rows {
            let category = TriggerCategory::parse(row.cells[1])
                .ok_or_else(|| context.error(row, format!("unknown category {:?}", row.cells[1])))?;
            let direction = match row.cells[2] {
                "forward" => TriggerDirection::Forward,
                "backward" => TriggerDirection::Backward,
                "both" => TriggerDirection::Both,
                "-" => TriggerDirection::None,
                other => return Err(context.error(row, format!("unknown direction {other:?}"))),
            };
            let window = row.cells[3].parse().map_err(|_| context.error(row, "window is not a count"))?;
            let applies_to = entity_types(row.cells[4]).map_err(|e| context.error(row, e))?;
            triggers
                .push((phrase(row.cells[0], &token_rules), TriggerRule { category, direction, window, applies_to }));
        }

        let defaults = Table::parse(
            "ro/section_context.tsv",
            file("ro/section_context.tsv"),
            &["title", "category", "applies_to"],
        )?;
        let mut section_context = Vec::with_capacity(defaults.rows.len());
        for row in &defaults.rows {
            let category = TriggerCategory::parse(row.cells[1])
                .ok_or_else(|| defaults.error(row, format!("unknown category {:?}", row.cells[1])))?;
            let applies_to = entity_types(row.cells[2]).map_err(|e| defaults.error(row, e))?;
            section_context.push((phrase(row.cells[0], &token_rules), category, applies_to));
        }

        let ambiguous = Table::parse(
            "ro/ambiguous_abbreviations.tsv",
            file("ro/ambiguous_abbreviations.tsv"),
            &["form", "concept", "cue"],
        )?;
        let mut ambiguous_abbreviations = Vec::with_capacity(ambiguous.rows.len());
        for row in &ambiguous.rows {
            let cue = match row.cells[2] {
                "value" => AbbreviationCue::Value,
                "organism" => AbbreviationCue::Organism,
                "always" => AbbreviationCue::Always,
                other => return Err(ambiguous.error(row, format!("unknown cue {other:?}"))),
            };
            ambiguous_abbreviations.push(AbbreviationReading {
                form: row.cells[0].to_owned(),
                concept_id: row.cells[1].to_owned(),
                cue,
            });
        }

        let results = Table::parse("ro/results.tsv", file("ro/results.tsv"), &["word", "kind", "value"])?;
        let mut value_words = ValueWords::default();
        for row in &results.rows {
            let plain = Views::new(row.cells[0]).plain.as_str().to_owned();
            match row.cells[1] {
                "link" => {
                    value_words.links.insert(plain);
                }
                "result" => {
                    value_words.results.insert(plain, row.cells[2].to_owned());
                }
                "counter" => {
                    value_words.counters.insert(plain);
                }
                other => return Err(results.error(row, format!("unknown kind {other:?}"))),
            }
        }

        let labs = labs::Labs::parse(
            ("labs/analytes.tsv", file("labs/analytes.tsv")),
            ("labs/reference_ranges.tsv", file("labs/reference_ranges.tsv")),
            ("labs/conversions.tsv", file("labs/conversions.tsv")),
            ("labs/panels.tsv", file("labs/panels.tsv")),
        )?;

        let medication_words = medication::parse_medication(file("ro/medication.tsv"), &token_rules)?;
        let time_words = medication::parse_time(file("ro/time.tsv"), &token_rules)?;
        let microbiology_words = medication::parse_microbiology(file("ro/microbiology.tsv"), &token_rules)?;
        let coding = coding::Coding::parse(&file, &token_rules)?;
        let measured_signs = differential::parse_measured_signs(file("measured_signs.tsv"))?;

        Ok(Knowledge {
            labs,
            medication_words,
            time_words,
            microbiology_words,
            coding,
            diseases: Vec::new(),
            measured_signs,
            value_words,
            ambiguous_abbreviations,
            token_rules,
            units,
            number_words,
            sections,
            patient_words,
            concepts: Vec::new(),
            triggers,
            section_context,
        })
    }
}

/// Reads an `applies_to` cell: "any" (`None`) or a comma-separated list of entity types.
fn entity_types(cell: &str) -> Result<Option<EntityTypes>, String> {
    if cell == "any" {
        return Ok(None);
    }
    let mut types = EntityTypes::default();
    for name in cell.split(',') {
        types.insert(EntityType::parse(name.trim()).ok_or_else(|| format!("unknown entity type {name:?}"))?);
    }
    Ok(Some(types))
}

/// Tokenizes a phrase of the data into plain token forms, as documents are tokenized.
pub fn phrase(text: &str, rules: &TokenRules) -> Phrase {
    let views = Views::new(text);
    tokenize(text, &views, rules).into_iter().map(|token| views.plain.slice(token.span).to_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_knowledge_loads() {
        let knowledge = Knowledge::embedded().unwrap();
        assert!(knowledge.units.len() > 50);
        assert!(knowledge.sections.iter().any(|rule| rule.phrase == ["la", "examinare"]));
        assert!(knowledge.token_rules.units.contains_key("g/dl"));
    }

    #[test]
    fn bad_data_is_reported_with_file_and_line() {
        let err = Knowledge::from_files(|name| match name {
            "ro/sections.tsv" => "kind\tlevel\tsystem\tcue\tgap\tphrase\nexam\t3\t\tstart\t0\tx\n",
            other => EMBEDDED.iter().find(|(p, _)| *p == other).unwrap().1,
        })
        .unwrap_err();
        assert_eq!(err.file, "ro/sections.tsv");
        assert_eq!(err.line, 2);
    }
}
