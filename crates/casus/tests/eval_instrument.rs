//! The instrument can fail: when a stage is switched off or the gold is corrupted, the scores
//! fall. A metric that stayed put would be measuring nothing.

mod common;

use casus::analysis::Assertion;
use casus::eval::{compare, load_dir, GoldCase, Report};
use casus::Options;

fn dev() -> Vec<GoldCase> {
    load_dir(&common::root().join("corpus/dev")).unwrap()
}

/// Scores of the engine's analyses after `change` is applied to each of them.
fn scores_with(cases: &[GoldCase], change: impl Fn(&mut casus::Analysis)) -> Report {
    let engine = common::engine();
    let counts: Vec<_> = cases
        .iter()
        .map(|case| {
            let mut analysis = engine.analyze(&case.text, &Options::default()).unwrap();
            change(&mut analysis);
            compare(&analysis, case)
        })
        .collect();
    Report::from_counts(&counts)
}

#[test]
fn without_concept_recognition_entity_scores_fall_to_zero() {
    let cases = dev();
    let full = scores_with(&cases, |_| {});
    let without = scores_with(&cases, |a| a.entities.clear());
    assert!(full.entities.overlapping.micro.f1 > 0.5, "{}", full.entities.overlapping.micro.f1);
    assert_eq!(without.entities.overlapping.micro.f1, 0.0);
}

#[test]
fn without_context_negation_scores_fall() {
    let cases = dev();
    let full = scores_with(&cases, |_| {});
    let without = scores_with(&cases, |a| a.entities.iter_mut().for_each(|e| e.assertion = Assertion::default()));
    assert!(full.assertions.negated.scores.f1 > 0.5);
    assert_eq!(without.assertions.negated.scores.f1, 0.0);
}

#[test]
fn corrupted_gold_lowers_the_scores() {
    let cases = dev();
    let honest = scores_with(&cases, |_| {});
    // Every gold entity typed as a drug: what the engine finds no longer agrees with it.
    let corrupted: Vec<GoldCase> = cases
        .into_iter()
        .map(|mut case| {
            case.ann.entities.iter_mut().filter(|t| t.kind != "Drug").for_each(|t| t.kind = "Drug".to_owned());
            case
        })
        .collect();
    let lowered = scores_with(&corrupted, |_| {});
    assert!(lowered.entities.overlapping.micro.f1 < honest.entities.overlapping.micro.f1 - 0.3);
}
