//! The text layer: validation, matching views, tokens, sentences, sections and numbers.
//!
//! Every later stage reads the document through this layer; all its spans are byte ranges of the
//! original text on char boundaries, and the views map back to them exactly.

pub mod normalize;
pub mod numbers;
pub mod phrases;
pub mod sections;
pub mod sentences;
pub mod statements;
pub mod stem;
pub(crate) mod swar;
pub mod tokenize;
pub mod validate;
