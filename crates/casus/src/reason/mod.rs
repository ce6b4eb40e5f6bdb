//! Reasoning: what the extracted facts add up to — the stated diagnosis coded in ICD-10-CM,
//! clinical scores and criteria, and a differential diagnosis built from the findings alone.

pub mod diagnosis;
pub mod differential;
pub mod facts;
pub mod scores;
