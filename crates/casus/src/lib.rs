//! casus reads clinical case reports (Romanian first) and returns a structured, coded,
//! explainable analysis.
//!
//! ```
//! let engine = casus::Engine::new().unwrap();
//! let analysis = engine
//!     .analyze("Pacientă de 62 ani cu dispnee. Diagnostic: pneumonie.", &casus::Options::default())
//!     .unwrap();
//! assert_eq!(analysis.patient.age.unwrap().value, 62);
//! assert_eq!(analysis.patient.sex, Some(casus::analysis::Sex::Female));
//! ```
//!
//! The pipeline and its invariants are described in `docs/ARCHITECTURE.md`.

pub mod analysis;
pub mod annotate;
pub mod doc;
pub mod engine;
pub mod error;
pub mod eval;
pub mod export;
pub mod knowledge;
pub mod reason;
pub mod span;
pub mod text;

pub use analysis::Analysis;
pub use engine::{Engine, Language, Options};
pub use error::{Error, InputError};

/// Every case text of the committed corpus (`corpus/dev`, `corpus/test`) with its path, for the
/// unit tests that check a cache or a fast path against the plain computation over real text.
#[cfg(test)]
pub(crate) fn corpus_texts() -> Vec<(std::path::PathBuf, String)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus");
    let mut texts = Vec::new();
    for split in ["dev", "test"] {
        for entry in std::fs::read_dir(root.join(split)).expect("the corpus is in the repository") {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|ext| ext == "txt") {
                let text = std::fs::read_to_string(&path).unwrap();
                texts.push((path, text));
            }
        }
    }
    texts
}
