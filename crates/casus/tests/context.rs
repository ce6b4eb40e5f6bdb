//! Context: what the text says around each finding.

mod common;

use casus::analysis::{Assertion, Experiencer};
use casus::Options;

/// The assertion of the first entity whose text is `needle`.
fn assertion_of(text: &str, needle: &str) -> Assertion {
    let engine = common::engine();
    let analysis = engine.analyze(text, &Options::default()).unwrap();
    common::assert_valid(&analysis);
    analysis
        .entities
        .iter()
        .find(|e| e.text == needle)
        .unwrap_or_else(|| {
            let found: Vec<&str> = analysis.entities.iter().map(|e| e.text.as_str()).collect();
            panic!("no entity {needle:?} in {text:?}; found {found:?}")
        })
        .assertion
        .clone()
}

#[test]
fn the_seed_negations_and_uncertainty_come_out_right() {
    let seed = common::seed();
    assert!(assertion_of(&seed, "murmur").negated, "AC: tonuri ritmice fără murmur");
    assert!(!assertion_of(&seed, "tonuri ritmice").negated, "the murmur is negated, the heart sounds are not");
    assert!(!assertion_of(&seed, "MVC").negated, "Neurologic: fără focar AR: MVC — the label ends the scope");
    let spondylodiscitis = assertion_of(&seed, "spondilodiscita L5-S1");
    assert!(spondylodiscitis.uncertain && !spondylodiscitis.negated, "sugerând spondilodiscita");
    assert!(!assertion_of(&seed, "edem").negated, "edem bilateral, fovea + is present");
}

#[test]
fn a_negation_never_crosses_dar_or_insa() {
    for text in [
        "Pacientul nu prezintă febră, dar acuză dispnee.",
        "Pacientul nu prezintă febră, însă acuză dispnee.",
        "Fără febră, iar dispnee la efort.",
    ] {
        assert!(assertion_of(text, "febră").negated, "{text}");
        let dyspnoea = if text.contains("efort") { "dispnee la efort" } else { "dispnee" };
        assert!(!assertion_of(text, dyspnoea).negated, "{text}");
    }
}

#[test]
fn negation_works_in_every_spelling() {
    for (text, needle) in [
        ("Fără greață și fără vărsături.", "vărsături"),
        ("Fara greata si fara varsaturi.", "varsaturi"),
        ("Nu prezintă edeme ale membrelor inferioare.", "edeme ale membrelor inferioare"),
    ] {
        assert!(assertion_of(text, needle).negated, "{text}");
    }
}

#[test]
fn a_negative_result_reports_the_test_it_does_not_negate_it() {
    // The cultures were drawn; what is absent is the bacteraemia they looked for: a test with its
    // qualitative result is a measurement whose result is negative, never a negated mention.
    let analysis = common::engine().analyze("Hemoculturi negative.", &Options::default()).unwrap();
    common::assert_valid(&analysis);
    assert!(!analysis.entities.iter().any(|e| e.assertion.negated));
    let cultures = analysis.measurements.iter().find(|m| m.text == "Hemoculturi negative").unwrap();
    assert_eq!(cultures.result.as_deref(), Some("negative"));
    assert!(assertion_of("Edeme absente.", "Edeme").negated);
}

#[test]
fn uncertainty_history_and_family() {
    assert!(assertion_of("Aspect sugestiv pentru pneumonie.", "pneumonie").uncertain);
    assert!(assertion_of("Suspiciune de apendicită acută.", "apendicită acută").uncertain);
    assert!(assertion_of("Cunoscut cu diabet zaharat tip 2.", "diabet zaharat tip 2").historical);
    assert!(assertion_of("Antecedente de infarct miocardic.", "infarct miocardic").historical);
    assert_eq!(assertion_of("Mama cu diabet zaharat.", "diabet zaharat").experiencer, Experiencer::Family);
    assert!(!assertion_of("Pacienta prezintă tuse productivă.", "tuse productivă").negated);
}
