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
