//! Reasoning over a finished analysis: ranked codes (and, later, stated diagnoses, scores and the
//! differential).

pub mod codes;
