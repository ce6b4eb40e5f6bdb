//! Renderings of an analysis: JSON (the contract, via serde), a FHIR R4 Bundle and a terminal summary.

pub mod fhir;
pub mod text;

use crate::analysis::Analysis;

/// The contract as pretty JSON. Deterministic: the same analysis gives the same bytes.
pub fn to_json(analysis: &Analysis) -> String {
    serde_json::to_string_pretty(analysis).expect("the analysis model serializes without fail")
}
