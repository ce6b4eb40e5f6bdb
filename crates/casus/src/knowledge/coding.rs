//! The tables of the stated-diagnosis stage: the words of diagnosis statements
//! (`data/ro/diagnosis.tsv`) and the ICD-10-CM coding rules (`data/coding/*.tsv`).
//!
//! Concept ids are kept as written here; the stage resolves them against the inventory, and
//! [`super::Knowledge`] checks that every one exists.

use std::borrow::Cow;

use crate::error::KnowledgeError;
use crate::knowledge::tsv::Table;
use crate::knowledge::{phrase, Phrase};
use crate::text::tokenize::TokenRules;

/// What a word of a diagnosis statement does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiagnosisWord {
    /// Opens a diagnosis statement that runs to the end of its sentence.
    Cue,
    /// Relates the conditions after it to those before it.
    Link(Link),
}

/// How the conditions after a link word relate to those before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// They caused the preceding ones ("secundar", "datorat", "prin").
    Cause,
    /// They complicate the preceding ones ("complicat cu", "cu").
    Complication,
    /// They are how the preceding ones showed themselves; not diagnoses of their own.
    Manifestation,
    /// They coexist ("la un pacient cu").
    Comorbidity,
}

/// A condition and a qualifier that ICD-10-CM codes together as one combined concept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Combination {
    pub condition: String,
    pub qualifier: String,
    pub combined: String,
    /// Whether a qualifying condition is still coded on its own.
    pub kept: bool,
}

/// A condition coded only with its underlying condition ("code first").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeFirst {
    pub condition: String,
    pub requires: String,
    /// Vaguer names of the requirement that become it instead of a second code.
    pub absorbs: Vec<String>,
}

/// An organism as the cause of diseases classified elsewhere (B95–B97).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agent {
    pub organism: String,
    pub icd10cm: String,
    pub icd10: Option<String>,
    pub label: String,
}

/// A more specific ICD-10-CM code for a condition stated with qualifiers (a side, a site, an
/// acuity, an intent) or beside another condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refinement {
    pub condition: String,
    /// Qualifier names of `coding/qualifiers.tsv` or concept ids, all of which must hold.
    pub requires: Vec<String>,
    pub icd10cm: String,
    pub label: String,
    /// Conditions of the statement that the refined code includes and that are not coded apart.
    pub absorbs: Vec<String>,
}

/// The ICD-10-CM code of an adverse effect of a drug in correct use (T36–T50, 6th character 5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdverseEffect {
    pub drug: String,
    pub icd10cm: String,
    pub label: String,
}

/// Everything the stated-diagnosis stage reads.
#[derive(Debug, Clone, Default)]
pub struct Coding {
    pub words: Vec<(Phrase, DiagnosisWord)>,
    pub combinations: Vec<Combination>,
    pub code_first: Vec<CodeFirst>,
    pub agents: Vec<Agent>,
    /// ICD-10-CM categories that take an agent code beside them (B95–B97 "use additional code").
    pub agent_categories: Vec<String>,
    /// Words that qualify a condition, with the qualifier they name ("stângă" → `left`).
    pub qualifiers: Vec<(Phrase, String)>,
    /// Phrases with a number (`#`) that qualify a condition when the number is in a range
    /// ("33 de săptămâni" → `third_trimester`): phrase, qualifier, least and greatest number.
    pub numbered_qualifiers: Vec<(Phrase, String, u32, u32)>,
    pub refinements: Vec<Refinement>,
    pub adverse_effects: Vec<AdverseEffect>,
    /// The English words of ICD-10-CM descriptions that write a qualifier (`coding/table_phrases.tsv`):
    pub table_phrases: Vec<TablePhrase>,
}

/// How ICD-10-CM descriptions write a qualifier (`coding/table_phrases.tsv`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TablePhrase {
    /// A qualifier of `coding/qualifiers.tsv`, or `unspecified`, `default`.
    pub qualifier: String,
    /// The phrase's lower-case words.
    pub words: Vec<String>,
    /// The words of the axis's other value that the phrase takes the place of (may be empty).
    pub replaces: Vec<String>,
}

impl Coding {
    /// Parses the tables from a function that returns each data file's text.
    pub fn parse<'a>(file: impl Fn(&str) -> &'a str, rules: &TokenRules) -> Result<Coding, KnowledgeError> {
        let words_table = Table::parse("ro/diagnosis.tsv", file("ro/diagnosis.tsv"), &["phrase", "kind"])?;
        let mut words = Vec::with_capacity(words_table.rows.len());
        for row in &words_table.rows {
            let word = match row.cells[1] {
                "cue" => DiagnosisWord::Cue,
                "cause" => DiagnosisWord::Link(Link::Cause),
                "complication" => DiagnosisWord::Link(Link::Complication),
                "manifestation" => DiagnosisWord::Link(Link::Manifestation),
                "comorbidity" => DiagnosisWord::Link(Link::Comorbidity),
                other => return Err(words_table.error(row, format!("unknown kind {other:?}"))),
            };
            words.push((phrase(row.cells[0], rules), word));
        }

        let table = Table::parse(
            "coding/combinations.tsv",
            file("coding/combinations.tsv"),
            &["condition", "qualifier", "combined", "kept", "source"],
        )?;
        let mut combinations = Vec::with_capacity(table.rows.len());
        for row in &table.rows {
            let kept = match row.cells[3] {
                "yes" => true,
                "no" => false,
                other => return Err(table.error(row, format!("kept must be yes or no, not {other:?}"))),
            };
            combinations.push(Combination {
                condition: row.cells[0].to_owned(),
                qualifier: row.cells[1].to_owned(),
                combined: row.cells[2].to_owned(),
                kept,
            });
        }

        let table = Table::parse(
            "coding/code_first.tsv",
            file("coding/code_first.tsv"),
            &["condition", "requires", "absorbs", "source"],
        )?;
        let code_first = table
            .rows
            .iter()
            .map(|row| CodeFirst {
                condition: row.cells[0].to_owned(),
                requires: row.cells[1].to_owned(),
                absorbs: row.cells[2].split('|').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect(),
            })
            .collect();

        let table =
            Table::parse("coding/agents.tsv", file("coding/agents.tsv"), &["organism", "icd10cm", "icd10", "label"])?;
        let agents = table
            .rows
            .iter()
            .map(|row| Agent {
                organism: row.cells[0].to_owned(),
                icd10cm: row.cells[1].to_owned(),
                icd10: Some(row.cells[2]).filter(|c| !c.is_empty()).map(str::to_owned),
                label: row.cells[3].to_owned(),
            })
            .collect();

        let table =
            Table::parse("coding/agent_categories.tsv", file("coding/agent_categories.tsv"), &["category", "meaning"])?;
        let agent_categories = table.rows.iter().map(|row| row.cells[0].to_owned()).collect();

        let table = Table::parse(
            "coding/qualifiers.tsv",
            file("coding/qualifiers.tsv"),
            &["qualifier", "phrase", "min", "max"],
        )?;
        let mut qualifiers = Vec::with_capacity(table.rows.len());
        let mut numbered_qualifiers = Vec::new();
        for row in &table.rows {
            if !row.cells[0].chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
                return Err(table.error(row, format!("qualifier {:?} is not snake_case", row.cells[0])));
            }
            let words = phrase(row.cells[1], rules);
            let numbered = words.iter().any(|w| w == "#");
            match (numbered, row.cells[2], row.cells[3]) {
                (false, "", "") => qualifiers.push((words, row.cells[0].to_owned())),
                (true, min, max) => {
                    let (Ok(min), Ok(max)) = (min.parse::<u32>(), max.parse::<u32>()) else {
                        return Err(table.error(row, "a phrase with # needs whole numbers min and max"));
                    };
                    numbered_qualifiers.push((words, row.cells[0].to_owned(), min, max));
                }
                (false, _, _) => return Err(table.error(row, "min and max are only for a phrase with #")),
            }
        }

        let list = |cell: &str, sep: char| -> Vec<String> {
            cell.split(sep).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
        };
        let table = Table::parse(
            "coding/refinements.tsv",
            file("coding/refinements.tsv"),
            &["condition", "requires", "icd10cm", "label", "absorbs", "source"],
        )?;
        let mut refinements = Vec::with_capacity(table.rows.len());
        for row in &table.rows {
            let requires = list(row.cells[1], ' ');
            if requires.is_empty() {
                return Err(table.error(row, "a refinement needs at least one requirement"));
            }
            refinements.push(Refinement {
                condition: row.cells[0].to_owned(),
                requires,
                icd10cm: row.cells[2].to_owned(),
                label: row.cells[3].to_owned(),
                absorbs: list(row.cells[4], '|'),
            });
        }

        let table = Table::parse(
            "coding/adverse_effects.tsv",
            file("coding/adverse_effects.tsv"),
            &["drug", "icd10cm", "label", "source"],
        )?;
        let adverse_effects = table
            .rows
            .iter()
            .map(|row| AdverseEffect {
                drug: row.cells[0].to_owned(),
                icd10cm: row.cells[1].to_owned(),
                label: row.cells[2].to_owned(),
            })
            .collect();

        let table = Table::parse(
            "coding/table_phrases.tsv",
            file("coding/table_phrases.tsv"),
            &["qualifier", "phrase", "replaces"],
        )?;
        let mut table_phrases = Vec::with_capacity(table.rows.len());
        for row in &table.rows {
            let name = row.cells[0];
            let known = matches!(name, "unspecified" | "default")
                || qualifiers.iter().any(|(_, q)| q == name)
                || numbered_qualifiers.iter().any(|(_, q, _, _)| q == name);
            if !known {
                return Err(table.error(row, format!("unknown qualifier {name:?}")));
            }
            let words = english_words(row.cells[1]);
            if words.is_empty() {
                return Err(table.error(row, "empty phrase"));
            }
            table_phrases.push(TablePhrase {
                qualifier: name.to_owned(),
                words,
                replaces: english_words(row.cells[2]),
            });
        }

        Ok(Coding {
            table_phrases,
            words,
            combinations,
            code_first,
            agents,
            agent_categories,
            qualifiers,
            numbered_qualifiers,
            refinements,
            adverse_effects,
        })
    }

    /// Every concept id the tables name, with the file that names it.
    pub fn concept_ids(&self) -> impl Iterator<Item = (&'static str, &str)> {
        let combinations = self.combinations.iter().flat_map(|c| {
            [c.condition.as_str(), c.qualifier.as_str(), c.combined.as_str()].map(|id| ("coding/combinations.tsv", id))
        });
        let code_first = self.code_first.iter().flat_map(|c| {
            [c.condition.as_str(), c.requires.as_str()]
                .into_iter()
                .chain(c.absorbs.iter().map(String::as_str))
                .map(|id| ("coding/code_first.tsv", id))
        });
        let agents = self.agents.iter().map(|a| ("coding/agents.tsv", a.organism.as_str()));
        // A requirement that names no qualifier of `coding/qualifiers.tsv` is a concept id.
        let refinements = self.refinements.iter().flat_map(move |r| {
            std::iter::once(r.condition.as_str())
                .chain(r.requires.iter().map(String::as_str).filter(|q| !self.is_qualifier(q)))
                .chain(r.absorbs.iter().map(String::as_str))
                .map(|id| ("coding/refinements.tsv", id))
        });
        let adverse = self.adverse_effects.iter().map(|a| ("coding/adverse_effects.tsv", a.drug.as_str()));
        combinations.chain(code_first).chain(agents).chain(refinements).chain(adverse)
    }

    /// Whether `name` is a qualifier some word of `coding/qualifiers.tsv` names.
    pub fn is_qualifier(&self, name: &str) -> bool {
        self.qualifiers.iter().any(|(_, q)| q == name) || self.numbered_qualifiers.iter().any(|(_, q, _, _)| q == name)
    }

    /// Every ICD-10-CM code the coding tables write, with the file that writes it.
    pub fn icd10cm_codes(&self) -> impl Iterator<Item = (&'static str, &str)> {
        let agents = self.agents.iter().map(|a| ("coding/agents.tsv", a.icd10cm.as_str()));
        let refinements = self.refinements.iter().map(|r| ("coding/refinements.tsv", r.icd10cm.as_str()));
        let adverse = self.adverse_effects.iter().map(|a| ("coding/adverse_effects.tsv", a.icd10cm.as_str()));
        agents.chain(refinements).chain(adverse)
    }
}

/// The lower-case words of an English text (an ICD-10-CM description), split at every character
/// that is not a letter or a digit.
pub fn english_words(text: &str) -> Vec<String> {
    english_words_borrowed(text).map(Cow::into_owned).collect()
}

/// [`english_words`], borrowing each word that is already lower case (most: a description
/// capitalises its first word only), for readers of many descriptions.
pub fn english_words_borrowed(text: &str) -> impl Iterator<Item = Cow<'_, str>> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(|w| {
        if w.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase()) {
            Cow::Borrowed(w)
        } else {
            Cow::Owned(w.to_lowercase())
        }
    })
}
