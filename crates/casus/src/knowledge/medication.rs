//! The word tables of the medication, time and microbiology stages (`data/ro/medication.tsv`,
//! `data/ro/time.tsv`, `data/ro/microbiology.tsv`).
//!
//! Their phrases are kept as sequences of match stems (`text::stem`), so that one row covers the
//! inflected forms a clinician writes ("oprit", "oprite"; "abces", "abcesele").

use rustc_hash::{FxHashMap, FxHashSet};

use super::tsv::Table;
use super::{phrase, Phrase};
use crate::error::KnowledgeError;
use crate::text::phrases::PhraseIndex;
use crate::text::stem::stem;
use crate::text::tokenize::TokenRules;

/// The contract's routes of administration.
pub const ROUTES: [&str; 9] = [
    "intravenous",
    "intramuscular",
    "oral",
    "subcutaneous",
    "inhalation",
    "topical",
    "rectal",
    "transdermal",
    "sublingual",
];

/// What happened to a drug, as the contract writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MedicationStatus {
    /// Taken before presentation.
    Prior,
    Given,
    Planned,
    Stopped,
    /// Said not to be given ("fără tratament cu", "nu s-a administrat").
    NotGiven,
}

impl MedicationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MedicationStatus::Prior => "prior",
            MedicationStatus::Given => "given",
            MedicationStatus::Planned => "planned",
            MedicationStatus::Stopped => "stopped",
            MedicationStatus::NotGiven => "not_given",
        }
    }

    fn parse(name: &str) -> Option<MedicationStatus> {
        Some(match name {
            "prior" => MedicationStatus::Prior,
            "given" => MedicationStatus::Given,
            "planned" => MedicationStatus::Planned,
            "stopped" => MedicationStatus::Stopped,
            "not_given" => MedicationStatus::NotGiven,
            _ => return None,
        })
    }
}

/// The words of `data/ro/medication.tsv`.
#[derive(Debug, Clone)]
pub struct MedicationWords {
    /// Route phrases and the contract's route.
    pub routes: PhraseIndex<&'static str>,
    /// Dose units by plain written form, with their UCUM code.
    pub dose_units: FxHashMap<String, String>,
    /// "pe zi", "/zi": the period's UCUM unit.
    pub per: PhraseIndex<String>,
    /// Whole frequency phrases and their normal form.
    pub fixed: PhraseIndex<String>,
    pub status: PhraseIndex<MedicationStatus>,
    pub times: FxHashSet<String>,
    pub every: FxHashSet<String>,
    pub links: FxHashSet<String>,
    pub members: FxHashSet<String>,
    pub coord: FxHashSet<String>,
}

/// The unit of an amount of time, by its ISO 8601 designator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeUnit {
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Year,
}

impl TimeUnit {
    fn parse(name: &str) -> Option<TimeUnit> {
        Some(match name {
            "min" => TimeUnit::Minute,
            "h" => TimeUnit::Hour,
            "d" => TimeUnit::Day,
            "wk" => TimeUnit::Week,
            "mo" => TimeUnit::Month,
            "a" => TimeUnit::Year,
            _ => return None,
        })
    }
}

/// What a phrase of `data/ro/time.tsv` does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimeWord {
    AgoBefore,
    AgoOpen,
    AgoClose,
    /// The time of presentation, or a day counted from it ("a doua zi"); the ISO duration
    /// written for it.
    Anchor(String),
    Duration,
    /// Opens an amount for which a finding has lasted up to presentation: "febră de 3 zile".
    OnsetOpen,
    /// May close such an amount: "de două săptămâni de evoluție".
    OnsetClose,
    /// Opens an amount after presentation: "după 3 zile", "la 48 de ore".
    After,
    /// Opens an age in years at which something happened: "la vârsta de 30 de ani".
    AgeAt,
    /// Makes the amount that follows approximate: "aproximativ", "circa".
    Approximate,
    /// Ends the clause a time expression governs: "iar", "dar", "ulterior", ";".
    Boundary,
    /// A person word after which "de N ani" is an age: "bărbat de 47 de ani".
    AgeWord,
    /// A month's name, with its number (read only inside a date).
    Month(u8),
    /// Says the patient presented or was admitted ("s-a prezentat", "internat").
    Presents,
}

/// The words of `data/ro/time.tsv`.
#[derive(Debug, Clone)]
pub struct TimeWords {
    /// Units by match stem.
    pub units: FxHashMap<String, TimeUnit>,
    pub phrases: PhraseIndex<TimeWord>,
}

/// What a phrase of `data/ro/microbiology.tsv` says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MicrobiologyWord {
    Specimen(String),
    Result(String),
    /// Opens a list of drugs with this susceptibility result.
    Susceptibility(String),
    /// A resistance phenotype: its result and the drug class (concept id) it concerns.
    Marker(String, String),
}

/// The words of `data/ro/microbiology.tsv`.
#[derive(Debug, Clone)]
pub struct MicrobiologyWords {
    /// The specimen each test concept (by id) examines.
    pub test_specimens: FxHashMap<String, String>,
    pub phrases: PhraseIndex<MicrobiologyWord>,
}

/// A phrase of the data as the sequence of its tokens' match stems.
pub fn stemmed(text: &str, rules: &TokenRules) -> Phrase {
    phrase(text, rules).into_iter().map(|form| stem(&form).into_owned()).collect()
}

/// The stem of a one-token phrase, or an error naming the row.
fn single(
    table: &Table<'_>,
    row: &super::tsv::Row<'_>,
    text: &str,
    rules: &TokenRules,
) -> Result<String, KnowledgeError> {
    let mut words = stemmed(text, rules);
    if words.len() != 1 {
        return Err(table.error(row, format!("{text:?} must be one token")));
    }
    Ok(words.remove(0))
}

pub fn parse_medication(text: &str, rules: &TokenRules) -> Result<MedicationWords, KnowledgeError> {
    let table = Table::parse("ro/medication.tsv", text, &["kind", "value", "phrase"])?;
    let (mut routes, mut per, mut fixed, mut status) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut dose_units = FxHashMap::default();
    let (mut times, mut every, mut links, mut members, mut coord) = Default::default();
    for row in &table.rows {
        let (kind, value, text) = (row.cells[0], row.cells[1], row.cells[2]);
        match kind {
            "route" => {
                let route = ROUTES.iter().find(|r| **r == value).ok_or_else(|| {
                    table.error(row, format!("unknown route {value:?} (one of {})", ROUTES.join(", ")))
                })?;
                routes.push((stemmed(text, rules), *route));
            }
            "dose_unit" => {
                dose_units.insert(crate::text::normalize::Views::new(text).plain.as_str().to_owned(), value.to_owned());
            }
            "per" => per.push((stemmed(text, rules), value.to_owned())),
            "fixed" => fixed.push((stemmed(text, rules), value.to_owned())),
            "status" => {
                let parsed = MedicationStatus::parse(value)
                    .ok_or_else(|| table.error(row, format!("unknown status {value:?}")))?;
                status.push((stemmed(text, rules), parsed));
            }
            "times" | "every" | "link" | "member" | "coord" => {
                let word = single(&table, row, text, rules)?;
                let set: &mut FxHashSet<String> = match kind {
                    "times" => &mut times,
                    "every" => &mut every,
                    "link" => &mut links,
                    "member" => &mut members,
                    _ => &mut coord,
                };
                set.insert(word);
            }
            other => return Err(table.error(row, format!("unknown kind {other:?}"))),
        }
    }
    Ok(MedicationWords {
        routes: PhraseIndex::new(routes),
        dose_units,
        per: PhraseIndex::new(per),
        fixed: PhraseIndex::new(fixed),
        status: PhraseIndex::new(status),
        times,
        every,
        links,
        members,
        coord,
    })
}

pub fn parse_time(text: &str, rules: &TokenRules) -> Result<TimeWords, KnowledgeError> {
    let table = Table::parse("ro/time.tsv", text, &["kind", "value", "phrase"])?;
    let mut units = FxHashMap::default();
    let mut phrases = Vec::new();
    for row in &table.rows {
        let (kind, value, text) = (row.cells[0], row.cells[1], row.cells[2]);
        let word = match kind {
            "unit" => {
                let unit = TimeUnit::parse(value).ok_or_else(|| table.error(row, format!("unknown unit {value:?}")))?;
                units.insert(single(&table, row, text, rules)?, unit);
                continue;
            }
            "ago_pre" => TimeWord::AgoBefore,
            "ago_open" => TimeWord::AgoOpen,
            "ago_close" => TimeWord::AgoClose,
            "anchor" => TimeWord::Anchor(value.to_owned()),
            "duration" => TimeWord::Duration,
            "onset_open" => TimeWord::OnsetOpen,
            "onset_close" => TimeWord::OnsetClose,
            "after" => TimeWord::After,
            "age_at" => TimeWord::AgeAt,
            "approximate" => TimeWord::Approximate,
            "boundary" => TimeWord::Boundary,
            "age_word" => TimeWord::AgeWord,
            "month" => match value.parse::<u8>() {
                Ok(month @ 1..=12) => TimeWord::Month(month),
                _ => return Err(table.error(row, format!("month {value:?} is not 1 to 12"))),
            },
            "presents" => TimeWord::Presents,
            other => return Err(table.error(row, format!("unknown kind {other:?}"))),
        };
        phrases.push((stemmed(text, rules), word));
    }
    Ok(TimeWords { units, phrases: PhraseIndex::new(phrases) })
}

pub fn parse_microbiology(text: &str, rules: &TokenRules) -> Result<MicrobiologyWords, KnowledgeError> {
    let table = Table::parse("ro/microbiology.tsv", text, &["kind", "value", "phrase", "concept"])?;
    let mut test_specimens = FxHashMap::default();
    let mut phrases = Vec::new();
    for row in &table.rows {
        let (kind, value, text, concept) = (row.cells[0], row.cells[1], row.cells[2], row.cells[3]);
        let word = match kind {
            "test" => {
                test_specimens.insert(concept.to_owned(), value.to_owned());
                continue;
            }
            "specimen" => MicrobiologyWord::Specimen(value.to_owned()),
            "result" => MicrobiologyWord::Result(value.to_owned()),
            "susceptible" | "resistant" | "intermediate" => MicrobiologyWord::Susceptibility(value.to_owned()),
            "marker" => MicrobiologyWord::Marker(value.to_owned(), concept.to_owned()),
            other => return Err(table.error(row, format!("unknown kind {other:?}"))),
        };
        phrases.push((stemmed(text, rules), word));
    }
    Ok(MicrobiologyWords { test_specimens, phrases: PhraseIndex::new(phrases) })
}
