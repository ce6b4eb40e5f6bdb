//! The evaluation gives exactly the scores a person counts by hand, and it can fail.
//!
//! The fixture `pielonefrita` has eight gold mentions; the hand-built analysis below gets some
//! right, some partly, some wrong, and each expected number is worked out in a comment.

use std::path::{Path, PathBuf};

use casus::analysis::{
    Assertion, CharSpan, Concept, Diagnosis, Entity, EntityType, Hypothesis, Measurement, MeasurementKind,
};
use casus::eval::metrics::{Prf, Proportion, Scores};
use casus::eval::{self, GoldCase};
use casus::{Analysis, Engine, Options};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/eval")
}

fn case(name: &str) -> GoldCase {
    eval::load_case(&fixtures().join("cases"), name).unwrap()
}

/// The code-point span of the first occurrence of `needle`.
fn span(text: &str, needle: &str) -> CharSpan {
    let at = text.find(needle).unwrap_or_else(|| panic!("{needle:?} is not in the text"));
    let start = text[..at].chars().count();
    CharSpan { start, end: start + needle.chars().count() }
}

fn concept(codes: &[(&str, &str)]) -> Concept {
    let mut map = std::collections::BTreeMap::new();
    for (system, code) in codes {
        map.entry(system.to_string()).or_insert_with(Vec::new).push(code.to_string());
    }
    Concept { id: "test".into(), label: "test".into(), codes: map.into() }
}

fn entity(text: &str, entity_type: EntityType, needle: &str, assertion: Assertion, codes: &[(&str, &str)]) -> Entity {
    Entity {
        id: format!("e-{needle}"),
        entity_type,
        span: span(text, needle),
        text: needle.into(),
        concept: concept(codes),
        assertion,
        section: None,
        fragments: None,
        timing: None,
    }
}

fn measurement(
    text: &str,
    kind: MeasurementKind,
    needle: &str,
    value: Option<f64>,
    unit: Option<&str>,
    codes: &[(&str, &str)],
) -> Measurement {
    Measurement {
        id: format!("m-{needle}"),
        kind,
        span: span(text, needle),
        text: needle.into(),
        concept: concept(codes),
        value,
        result: None,
        unit: unit.map(Into::into),
        normalized: None,
        interpretation: None,
        reference: None,
        unit_inferred: false,
        comparator: None,
        components: None,
        parent: None,
    }
}

fn diagnosis(code: &str) -> Diagnosis {
    Diagnosis {
        id: format!("d-{code}"),
        source: "stated".into(),
        span: CharSpan { start: 0, end: 1 },
        text: String::new(),
        concept: concept(&[("icd10cm", code)]),
        role: "final".into(),
        certainty: "certain".into(),
        due_to: Vec::new(),
    }
}

/// A real analysis of the text (so that every field the contract adds later is filled), with the
/// parts the evaluation reads replaced by hand-written ones.
fn hand_built(case: &GoldCase) -> Analysis {
    use EntityType::*;
    let t = case.text.as_str();
    let none = Assertion::default();
    let mut analysis = Engine::new().unwrap().analyze(t, &Options::default()).unwrap();
    analysis.entities = vec![
        // T1 "febră": exact, negated like the gold, right code.
        entity(t, SignSymptom, "febră", Assertion { negated: true, ..none.clone() }, &[("icd10cm", "R50.9")]),
        // T2 "durere abdominală": only part of it.
        entity(t, SignSymptom, "abdominală", none.clone(), &[]),
        // T3 "durere … lombară" (two fragments): the second fragment, wrongly uncertain.
        entity(t, SignSymptom, "lombară", Assertion { uncertain: true, ..none.clone() }, &[]),
        // The right span with the wrong type: nothing to match, a false positive.
        entity(t, Disorder, "febră", none.clone(), &[]),
        // A test the gold does not have; the gold test "Hemoculturi" is missed.
        entity(t, Test, "leucocite", none.clone(), &[]),
        // T8: exact, right code.
        entity(t, Disorder, "pielonefrită acută", none.clone(), &[("icd10cm", "N10")]),
    ];
    analysis.measurements = vec![
        // T4: value right, unit in another case (still right), code right.
        measurement(t, MeasurementKind::Vital, "Fc 109 bpm", Some(109.0), Some("BPM"), &[("loinc", "8867-4")]),
        // T5: value right, unit missing, code missing.
        measurement(t, MeasurementKind::Lab, "leucocite 27.400", Some(27400.0), None, &[]),
        // T7: qualitative, the gold value "negative" is a word of the text.
        measurement(t, MeasurementKind::Lab, "Hemoculturi negative", None, None, &[]),
        // Not a measurement in the gold.
        measurement(t, MeasurementKind::Vital, "54 ani", Some(54.0), Some("ani"), &[]),
    ];
    analysis.diagnoses = vec![diagnosis("N10"), diagnosis("N39.0")];
    analysis
}

fn assert_scores(scores: &Scores, tp: usize, fp: usize, fn_: usize, p: f64, r: f64, f1: f64) {
    assert_eq!((scores.tp, scores.fp, scores.fn_), (tp, fp, fn_), "{scores:?}");
    for (what, got, expected) in
        [("P", scores.precision.value, p), ("R", scores.recall.value, r), ("F1", scores.f1, f1)]
    {
        assert!((got - expected).abs() < 1e-12, "{what} is {got}, expected {expected}: {scores:?}");
    }
}

fn assert_proportion(proportion: &Proportion, successes: usize, n: usize) {
    assert_eq!((proportion.successes, proportion.n), (successes, n), "{proportion:?}");
}

#[test]
fn entity_scores_are_the_hand_counted_ones() {
    let case = case("pielonefrita");
    let counts = eval::compare(&hand_built(&case), &case);
    // Strict: sign_symptom has 3 gold, 3 predicted, only "febră" exact → 1/2/2.
    assert_eq!(counts.strict["sign_symptom"], Prf::new(1, 2, 2));
    // Overlapping: "abdominală" lies in T2, "lombară" in T3's second fragment → 3/0/0.
    assert_eq!(counts.overlapping["sign_symptom"], Prf::new(3, 0, 0));
    // Disorder: "pielonefrită acută" exact, "febră" as a disorder wrong → 1/1/0 both ways.
    assert_eq!(counts.strict["disorder"], Prf::new(1, 1, 0));
    assert_eq!(counts.overlapping["disorder"], Prf::new(1, 1, 0));
    // Test: "leucocite" is no gold test, "Hemoculturi" missed → 0/1/1.
    assert_eq!(counts.overlapping["test"], Prf::new(0, 1, 1));

    let report = eval::Report::from_counts(&[counts]);
    // Strict micro: tp 1+1, fp 2+1+1, fn 2+0+1 → P 2/6, R 2/5, F1 2·2/(2·2+4+3) = 4/11.
    assert_scores(&report.entities.strict.micro, 2, 4, 3, 2.0 / 6.0, 2.0 / 5.0, 4.0 / 11.0);
    // Overlapping micro: tp 3+1, fp 0+1+1, fn 0+0+1 → P 4/6, R 4/5, F1 8/11.
    assert_scores(&report.entities.overlapping.micro, 4, 2, 1, 4.0 / 6.0, 4.0 / 5.0, 8.0 / 11.0);
    // A type neither side has scores 0 with n 0.
    assert_scores(&report.entities.overlapping.per_type["organism"], 0, 0, 0, 0.0, 0.0, 0.0);
}

#[test]
fn assertions_are_judged_on_the_overlapping_matches() {
    let case = case("pielonefrita");
    let report = eval::Report::from_counts(&[eval::compare(&hand_built(&case), &case)]);
    let a = &report.assertions;
    // Four matched pairs. Negated: febră right (tp), three right negatives → 4/4, F1 1.
    assert_proportion(&a.negated.accuracy, 4, 4);
    assert_scores(&a.negated.scores, 1, 0, 0, 1.0, 1.0, 1.0);
    // Uncertain: "lombară" wrongly uncertain → 3/4, no true positive so F1 0.
    assert_proportion(&a.uncertain.accuracy, 3, 4);
    assert_scores(&a.uncertain.scores, 0, 1, 0, 0.0, 0.0, 0.0);
    assert_proportion(&a.family.accuracy, 4, 4);
}

#[test]
fn measurements_values_and_units() {
    let case = case("pielonefrita");
    let report = eval::Report::from_counts(&[eval::compare(&hand_built(&case), &case)]);
    let m = &report.measurements;
    // Three gold measurements all found, one extra ("54 ani").
    assert_scores(&m.detection, 3, 1, 0, 0.75, 1.0, 6.0 / 7.0);
    assert_proportion(&m.value, 3, 3);
    // The white count has no unit, the gold says /mm3.
    assert_proportion(&m.unit, 2, 3);
    assert_proportion(&m.value_unit, 2, 3);
}

#[test]
fn normalization_and_stated_diagnoses() {
    let case = case("pielonefrita");
    let report = eval::Report::from_counts(&[eval::compare(&hand_built(&case), &case)]);
    // icd10cm: R50.9 and N10 carried; loinc: heart rate carried, leukocytes not.
    assert_proportion(&report.normalization.per_system["icd10cm"], 2, 2);
    assert_proportion(&report.normalization.per_system["loinc"], 1, 2);
    assert_proportion(&report.normalization.all, 3, 4);
    // Codes N10 (right) and N39.0 (wrong) against the final N10.
    assert_scores(&report.diagnoses.code, 1, 1, 0, 0.5, 1.0, 2.0 / 3.0);
    // In categories, N39 is accepted for that diagnosis: N10 and N39 both right, one item → 1/0/0.
    assert_scores(&report.diagnoses.category, 1, 0, 0, 1.0, 1.0, 1.0);
}

#[test]
fn a_perfect_analysis_scores_one() {
    let case = case("zorglub");
    let t = case.text.as_str();
    let mut analysis = Engine::new().unwrap().analyze(t, &Options::default()).unwrap();
    analysis.entities = vec![
        entity(t, EntityType::SignSymptom, "zorglub", Assertion::default(), &[]),
        entity(t, EntityType::SignSymptom, "flimflam persistent", Assertion::default(), &[]),
        entity(t, EntityType::Disorder, "boala Zorglub", Assertion::default(), &[]),
    ];
    let report = eval::Report::from_counts(&[eval::compare(&analysis, &case)]);
    assert_scores(&report.entities.strict.micro, 3, 0, 0, 1.0, 1.0, 1.0);
}

/// The current engine finds nothing in invented words (and no later lexicon will), so the
/// evaluation must say recall 0 of 3, not 1 or `NaN`: it can fail.
#[test]
fn evaluate_reports_what_the_engine_misses() {
    let engine = Engine::new().unwrap();
    let report = eval::evaluate(&engine, &[case("zorglub")]);
    assert_eq!(report.cases, 1);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let overlapping = &report.entities.overlapping.micro;
    assert_eq!((overlapping.recall.value, overlapping.recall.n, overlapping.f1), (0.0, 3, 0.0));
    assert_eq!(report.diagnoses.code.recall.n, 1);
    // The blind differential ran and did not find the (invented) diagnosis.
    assert_eq!(report.differential.n, 1);
    assert_proportion(&report.differential.hit_at_5, 0, 1);
    let text = report.to_text();
    assert!(text.contains("micro"), "{text}");
    assert!(!text.contains("NaN"), "{text}");
}

#[test]
fn the_blind_rank_is_the_first_hypothesis_in_a_final_category() {
    let case = case("pielonefrita");
    let hypothesis = |rank: u32, code: &str| Hypothesis {
        rank,
        concept: concept(&[("icd10cm", code)]),
        score: 1.0 / f64::from(rank),
        supporting: Vec::new(),
        against: Vec::new(),
        missing: Vec::new(),
        prior: 0.0,
        cant_miss: false,
        next_tests: Vec::new(),
    };
    // Listed out of order on purpose: the rank field decides. N39.0 is in an accepted category.
    let differential = [hypothesis(3, "N10"), hypothesis(1, "J18.9"), hypothesis(2, "N39.0")];
    assert_eq!(eval::blind_rank(&differential, &case.dx), Some(2));
    assert_eq!(eval::blind_rank(&differential[1..2], &case.dx), None);
    assert_eq!(eval::blind_rank(&[], &case.dx), None);
}

#[test]
fn the_report_serializes_and_reads_back() {
    let case = case("pielonefrita");
    let report = eval::Report::from_counts(&[eval::compare(&hand_built(&case), &case)]);
    let json = serde_json::to_string(&report).unwrap();
    // Read back (floats to within parsing precision): a CI job can compare a run with a floor.
    let back: eval::Report = serde_json::from_str(&json).unwrap();
    assert_eq!(back.entities.strict.micro.tp, report.entities.strict.micro.tp);
    assert!((back.entities.strict.micro.f1 - report.entities.strict.micro.f1).abs() < 1e-12);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["entities"]["strict"]["per_type"]["sign_symptom"]["fn"], 2);
    assert_eq!(value["assertions"]["uncertain"]["accuracy"]["n"], 4);
}
