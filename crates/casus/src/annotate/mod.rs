//! Annotators: stages that read the text layer and add facts to the document.

pub mod concepts;
pub mod patient;
