//! The differential knowledge base, `data/differential/*.tsv`: per disease its prior, whether it
//! must not be missed, and its findings on the INTERNIST-1 scales (evoking strength 0–5,
//! frequency 1–5; Miller, Pople and Myers, NEJM 1982;307:468). `tools/check_differential.py`
//! documents and checks the format.

use crate::analysis::Sex;
use crate::error::KnowledgeError;
use crate::knowledge::tsv::Table;

/// A finding the extractor can produce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FindingSpec {
    /// A mention of the concept or of one under it.
    Concept(String),
    /// A measurement of the concept read in a state.
    Measured(String, MeasuredState),
    /// A score or criterion that holds (`score:qsofa`).
    Score(String),
    /// A positive culture from a specimen (`micro:blood`).
    Culture(String),
    AgeAtLeast(u32),
    AgeBelow(u32),
    Sex(Sex),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeasuredState {
    High,
    Low,
    CriticalHigh,
    CriticalLow,
    Abnormal,
    Positive,
    Negative,
}

/// One finding of a disease with its INTERNIST-1 weights.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiseaseFinding {
    pub spec: FindingSpec,
    /// How strongly the finding, when present, evokes the disease (0–5).
    pub evoking: u8,
    /// How often the disease shows the finding (1–5).
    pub frequency: u8,
}

/// One disease of the knowledge base.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disease {
    /// A disorder concept id of the inventory (its label and codes are the hypothesis's).
    pub concept: String,
    /// 1 (rare) to 5 (very common) among presentations that raise it.
    pub prior: u8,
    pub cant_miss: bool,
    pub findings: Vec<DiseaseFinding>,
}

/// A sign that a measurement in a state shows (hypotension: systolic pressure low).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeasuredSign {
    pub sign: String,
    pub measurement: String,
    pub state: MeasuredState,
}

/// Parses `data/measured_signs.tsv`.
pub fn parse_measured_signs(text: &str) -> Result<Vec<MeasuredSign>, KnowledgeError> {
    let table = Table::parse("measured_signs.tsv", text, &["sign", "measurement", "state"])?;
    table
        .rows
        .iter()
        .map(|row| {
            let state = parse_state(row.cells[2])
                .ok_or_else(|| table.error(row, format!("unknown state {:?}", row.cells[2])))?;
            Ok(MeasuredSign { sign: row.cells[0].to_owned(), measurement: row.cells[1].to_owned(), state })
        })
        .collect()
}

fn parse_state(state: &str) -> Option<MeasuredState> {
    Some(match state {
        "high" => MeasuredState::High,
        "low" => MeasuredState::Low,
        "critical_high" => MeasuredState::CriticalHigh,
        "critical_low" => MeasuredState::CriticalLow,
        "abnormal" => MeasuredState::Abnormal,
        "positive" => MeasuredState::Positive,
        "negative" => MeasuredState::Negative,
        _ => return None,
    })
}

pub const COLUMNS: [&str; 5] = ["disease", "prior", "cant_miss", "findings", "source"];

/// Parses one knowledge-base file, appending its diseases.
pub fn parse(file: &str, text: &str, out: &mut Vec<Disease>) -> Result<(), KnowledgeError> {
    let table = Table::parse(file, text, &COLUMNS)?;
    for row in &table.rows {
        let digit =
            |cell: &str, range: std::ops::RangeInclusive<u8>| cell.parse::<u8>().ok().filter(|d| range.contains(d));
        let prior = digit(row.cells[1], 1..=5).ok_or_else(|| table.error(row, "prior must be 1..5"))?;
        let cant_miss = match row.cells[2] {
            "yes" => true,
            "no" => false,
            other => return Err(table.error(row, format!("cant_miss must be yes or no, not {other:?}"))),
        };
        let mut findings = Vec::new();
        for item in row.cells[3].split(';').map(str::trim).filter(|i| !i.is_empty()) {
            let parsed = item.rsplit_once(' ').and_then(|(spec, weights)| {
                let (ev, fq) = weights.split_once('/')?;
                Some(DiseaseFinding {
                    spec: parse_spec(spec)?,
                    evoking: digit(ev, 0..=5)?,
                    frequency: digit(fq, 1..=5)?,
                })
            });
            findings.push(parsed.ok_or_else(|| table.error(row, format!("{item:?} is not 'FINDING EV/FQ'")))?);
        }
        out.push(Disease { concept: row.cells[0].to_owned(), prior, cant_miss, findings });
    }
    Ok(())
}

fn parse_spec(spec: &str) -> Option<FindingSpec> {
    if let Some(name) = spec.strip_prefix("score:") {
        return Some(FindingSpec::Score(name.to_owned()));
    }
    if let Some(specimen) = spec.strip_prefix("micro:") {
        return Some(FindingSpec::Culture(specimen.to_owned()));
    }
    if let Some(age) = spec.strip_prefix("age>=") {
        return age.parse().ok().map(FindingSpec::AgeAtLeast);
    }
    if let Some(age) = spec.strip_prefix("age<") {
        return age.parse().ok().map(FindingSpec::AgeBelow);
    }
    match spec {
        "sex=male" => return Some(FindingSpec::Sex(Sex::Male)),
        "sex=female" => return Some(FindingSpec::Sex(Sex::Female)),
        _ => {}
    }
    if let Some((concept, state)) = spec.split_once(':') {
        return Some(FindingSpec::Measured(concept.to_owned(), parse_state(state)?));
    }
    Some(FindingSpec::Concept(spec.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_parses_into_weighted_findings() {
        let text = "disease\tprior\tcant_miss\tfindings\tsource\n\
                    sepsis\t3\tyes\tfever 1/4; heart_rate:high 1/4; score:sirs 2/4; micro:blood 4/3; age>=65 1/2\tx\n";
        let mut diseases = Vec::new();
        parse("t.tsv", text, &mut diseases).unwrap();
        let d = &diseases[0];
        assert_eq!((d.concept.as_str(), d.prior, d.cant_miss), ("sepsis", 3, true));
        assert_eq!(
            d.findings[0],
            DiseaseFinding { spec: FindingSpec::Concept("fever".into()), evoking: 1, frequency: 4 }
        );
        assert_eq!(d.findings[1].spec, FindingSpec::Measured("heart_rate".into(), MeasuredState::High));
        assert_eq!(d.findings[3].spec, FindingSpec::Culture("blood".into()));
        assert_eq!(d.findings[4].spec, FindingSpec::AgeAtLeast(65));
    }

    #[test]
    fn a_malformed_item_is_an_error_with_its_line() {
        let text = "disease\tprior\tcant_miss\tfindings\tsource\nsepsis\t3\tyes\tfever 9/4\tx\n";
        let err = parse("t.tsv", text, &mut Vec::new()).unwrap_err();
        assert!(err.to_string().contains("fever 9/4"), "{err}");
    }
}
