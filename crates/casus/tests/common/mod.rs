//! Helpers shared by the integration tests.
#![allow(dead_code)] // each test binary uses its own subset of the helpers

use std::path::PathBuf;

use std::sync::OnceLock;

use casus::{Analysis, Engine};

/// One engine for all the tests of a binary: building it compiles the whole inventory.
pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::new().expect("the embedded knowledge loads"))
}

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The seed case, as kept in the corpus.
pub fn seed() -> String {
    std::fs::read_to_string(root().join("corpus/dev/seed-septic-shock.txt")).expect("the seed case is in the corpus")
}

/// Validates an analysis against the JSON Schema of the contract; panics with every error.
pub fn assert_valid(analysis: &Analysis) {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("schemas/analysis.v1.schema.json")).unwrap())
            .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let instance = serde_json::to_value(analysis).unwrap();
    let errors: Vec<String> =
        validator.iter_errors(&instance).map(|e| format!("{} at {}", e, e.instance_path)).collect();
    assert!(errors.is_empty(), "the analysis does not match the schema:\n{}", errors.join("\n"));
}

/// The text of a code-point span.
pub fn quote(text: &str, span: casus::analysis::CharSpan) -> String {
    text.chars().skip(span.start).take(span.end - span.start).collect()
}
