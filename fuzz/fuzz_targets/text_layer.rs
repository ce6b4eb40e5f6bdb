//! Arbitrary bytes through validation, the text layer and the JSON rendering.
//! Run: `cargo +nightly fuzz run text_layer -- -max_total_time=300` (from the repository root).
#![no_main]

use std::sync::OnceLock;

use casus::{Engine, Options};
use libfuzzer_sys::fuzz_target;

static ENGINE: OnceLock<Engine> = OnceLock::new();

fuzz_target!(|bytes: &[u8]| {
    let engine = ENGINE.get_or_init(|| Engine::new().expect("the embedded knowledge loads"));
    for blind in [false, true] {
        let options = Options { blind, ..Options::default() };
        if let Ok(analysis) = engine.analyze_bytes(bytes, &options) {
            let chars = std::str::from_utf8(bytes).unwrap().chars().count();
            for sentence in &analysis.sentences {
                assert!(sentence.start <= sentence.end && sentence.end <= chars);
            }
            for section in &analysis.sections {
                assert!(section.span.start <= section.span.end && section.span.end <= chars);
            }
            let _ = casus::export::to_json(&analysis);
        }
    }
});
