//! Unit conversion between UCUM units, through the conversions of `data/labs/conversions.tsv`.
//!
//! The conversions form a graph whose nodes are UCUM codes: every conversion that holds for all
//! analytes (a prefix, mm3 = uL) and those of the analyte at hand (a molar mass) are edges, usable
//! both ways. A value is converted along the shortest chain, found breadth-first in file order, so
//! the result is deterministic; a chain is at most [`MAX_STEPS`] long.

use crate::knowledge::labs::{Conversion, Labs};

/// The longest chain of conversions tried (umol/L → mg/dL → g/dL → g/L is three).
pub const MAX_STEPS: usize = 4;

/// `value` in UCUM unit `from` expressed in `to`, for the analyte `concept`; `None` when no chain
/// of conversions links the two units.
pub fn convert(labs: &Labs, concept: &str, value: f64, from: &str, to: &str) -> Option<f64> {
    if from == to {
        return Some(value);
    }
    let specific = labs.specific.get(concept).map(Vec::as_slice).unwrap_or(&[]);
    let edges: Vec<&Conversion> = specific.iter().chain(&labs.generic).collect();
    // Breadth-first over units, each with the factor from `from`.
    let mut frontier: Vec<(&str, f64)> = vec![(from, 1.0)];
    let mut seen: Vec<&str> = vec![from];
    for _ in 0..MAX_STEPS {
        let mut next = Vec::new();
        for &(unit, factor) in &frontier {
            for edge in &edges {
                let step = if edge.from == unit {
                    Some((edge.to.as_str(), factor * edge.factor))
                } else if edge.to == unit {
                    Some((edge.from.as_str(), factor / edge.factor))
                } else {
                    None
                };
                if let Some((reached, factor)) = step {
                    if reached == to {
                        return Some(value * factor);
                    }
                    if !seen.contains(&reached) {
                        seen.push(reached);
                        next.push((reached, factor));
                    }
                }
            }
        }
        if next.is_empty() {
            break;
        }
        frontier = next;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::knowledge::Knowledge;

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() <= 1e-9 * b.abs().max(1.0))
    }

    #[test]
    fn converts_by_prefix_and_volume_for_every_analyte() {
        let knowledge = Knowledge::embedded().unwrap();
        let labs = &knowledge.labs;
        assert!(close(convert(labs, "hemoglobin", 99.0, "g/L", "g/dL"), 9.9));
        assert!(close(convert(labs, "leukocyte_count", 27400.0, "/mm3", "10*3/uL"), 27.4));
        assert!(close(convert(labs, "leukocyte_count", 27.4, "10*9/L", "10*3/uL"), 27.4));
        assert!(close(convert(labs, "platelet_count", 214.0, "10*3/mm3", "10*3/uL"), 214.0));
        assert!(close(convert(labs, "c_reactive_protein", 11.5, "mg/dL", "mg/L"), 115.0));
    }

    #[test]
    fn molar_conversions_hold_only_for_their_analyte() {
        let knowledge = Knowledge::embedded().unwrap();
        let labs = &knowledge.labs;
        assert!(close(convert(labs, "serum_creatinine", 88.42, "umol/L", "mg/dL"), 1.0));
        assert!(close(convert(labs, "serum_glucose", 5.0, "mmol/L", "mg/dL"), 90.08));
        assert!(close(convert(labs, "total_bilirubin", 1.0, "mg/dL", "umol/L"), 17.104));
        assert!(close(convert(labs, "serum_urea", 10.0, "mmol/L", "mg/dL"), 60.06));
        assert!(close(convert(labs, "serum_calcium", 2.5, "mmol/L", "mg/dL"), 10.02));
        // Chained: umol/L → mg/dL (creatinine) → g/dL (prefix).
        assert!(close(convert(labs, "serum_creatinine", 88420.0, "umol/L", "g/dL"), 1.0));
        // Glucose's factor is not creatinine's.
        assert_eq!(convert(labs, "hemoglobin", 5.0, "mmol/L", "mg/dL"), None);
        assert_eq!(convert(labs, "serum_sodium", 5.0, "U/L", "mmol/L"), None);
    }
}
