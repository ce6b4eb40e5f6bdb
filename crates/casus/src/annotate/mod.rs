//! Annotators: stages that read the text layer and add facts to the document.

pub mod concepts;
pub mod context;
pub mod measure;
pub mod medication;
pub mod microbiology;
pub mod patient;
pub mod time;
pub mod timing;
