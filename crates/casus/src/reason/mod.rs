//! Reasoning: what the extracted facts add up to — the stated diagnosis coded in ICD-10-CM,
//! clinical scores and criteria, a differential diagnosis built from the findings alone, and the
//! ranked codes a document supports.

pub mod codes;
pub mod diagnosis;
pub mod differential;
pub mod facts;
pub mod scores;
