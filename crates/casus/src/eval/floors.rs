//! Regression floors: the committed minimum of each score, so that a change that makes casus
//! worse fails CI instead of passing unnoticed.
//!
//! `corpus/floors.json` maps a split name to the scores it must reach, each named by its JSON
//! pointer into the [`Report`](super::Report) (`"/entities/overlapping/micro/f1": 0.42`). Raising
//! a floor is part of every improvement; lowering one needs a reason in the commit message.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Report;

/// The floors of every split.
pub type Floors = BTreeMap<String, BTreeMap<String, f64>>;

/// A score under its floor, or a floor that names no score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Violation {
    pub split: String,
    pub score: String,
    pub floor: f64,
    /// The score reached, or `None` when the pointer names no number in the report.
    pub value: Option<f64>,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.value {
            Some(value) => {
                write!(f, "{} {}: {:.4} is under its floor {:.4}", self.split, self.score, value, self.floor)
            }
            None => write!(f, "{} {}: the report has no such score (floor {:.4})", self.split, self.score, self.floor),
        }
    }
}

/// Parses a floors file.
pub fn parse(json: &str) -> Result<Floors, serde_json::Error> {
    serde_json::from_str(json)
}

/// Every floor of `split` that `report` does not reach. A split without floors passes.
pub fn check(report: &Report, split: &str, floors: &Floors) -> Vec<Violation> {
    let json = serde_json::to_value(report).expect("the report serializes");
    let Some(split_floors) = floors.get(split) else {
        return Vec::new();
    };
    split_floors
        .iter()
        .filter_map(|(pointer, &floor)| {
            let value = json.pointer(pointer).and_then(serde_json::Value::as_f64);
            // A tiny tolerance: scores are ratios of counts, printed and committed rounded.
            let reached = value.is_some_and(|v| v + 1e-9 >= floor);
            (!reached).then(|| Violation { split: split.to_owned(), score: pointer.clone(), floor, value })
        })
        .collect()
}

/// Sets the floors of `split` to the scores of `report`, rounded down to four decimals. The
/// scores named are the split's own, or, for a split without floors yet, those of the first
/// split that has some.
pub fn update(report: &Report, split: &str, floors: &mut Floors) {
    let json = serde_json::to_value(report).expect("the report serializes");
    let pointers: Vec<String> = match floors.get(split).or_else(|| floors.values().next()) {
        Some(existing) => existing.keys().cloned().collect(),
        None => return,
    };
    let entry = floors.entry(split.to_owned()).or_default();
    for pointer in pointers {
        if let Some(value) = json.pointer(&pointer).and_then(serde_json::Value::as_f64) {
            entry.insert(pointer, (value * 10_000.0).floor() / 10_000.0);
        }
    }
}
