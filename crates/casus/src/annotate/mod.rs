//! Annotators: stages that read the text layer and add facts to the document.

pub mod patient;
