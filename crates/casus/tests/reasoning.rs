//! Scores and the differential: what the reasoning stages conclude from the extracted facts.

mod common;

use casus::analysis::{Analysis, Hypothesis, Score};
use casus::Options;
use common::{assert_valid, engine, seed};

fn analyze(text: &str, blind: bool) -> Analysis {
    let analysis = engine().analyze(text, &Options { blind, ..Options::default() }).unwrap();
    assert_valid(&analysis);
    analysis
}

fn score<'a>(analysis: &'a Analysis, name: &str) -> &'a Score {
    analysis.scores.iter().find(|s| s.name == name).unwrap_or_else(|| panic!("no score {name}"))
}

fn rank_of(differential: &[Hypothesis], concept: &str) -> Option<u32> {
    differential.iter().find(|h| h.concept.id == concept).map(|h| h.rank)
}

#[test]
fn the_seed_haemodynamics_are_computed_from_its_vitals() {
    let analysis = analyze(&seed(), false);
    // (80 + 2 × 50) / 3 = 60 mmHg; 109 / 80 = 1.36.
    assert_eq!(score(&analysis, "mean_arterial_pressure").value, Some(60.0));
    assert_eq!(score(&analysis, "shock_index").value, Some(1.36));
    let egfr = score(&analysis, "egfr_ckd_epi_2021").value.unwrap();
    assert!((egfr - 110.0).abs() < 1.0, "CKD-EPI 2021, man of 47, creatinine 0.80 mg/dL: {egfr}");
}

#[test]
fn missing_inputs_stay_unknown_and_bound_the_score() {
    let analysis = analyze(&seed(), false);
    let qsofa = score(&analysis, "qsofa");
    // Systolic 80 ≤ 100 is met; the respiratory rate and mentation are not in the text.
    assert_eq!(qsofa.value, Some(1.0));
    assert_eq!(qsofa.bounds, Some([1.0, 3.0]));
    assert!(!qsofa.complete);
    assert_eq!(qsofa.missing, ["respiratory rate", "mentation"]);
    let unknown: Vec<&str> = qsofa.criteria.iter().filter(|c| c.met.is_none()).map(|c| c.name.as_str()).collect();
    assert_eq!(unknown.len(), 2, "{unknown:?}");

    let sirs = score(&analysis, "sirs");
    assert_eq!(sirs.value, Some(2.0), "heart rate 109 and leukocytes 27.4 × 10³/µL");
    assert!(sirs.interpretation.as_deref().unwrap().starts_with("positive"));

    let shock = score(&analysis, "sepsis3_septic_shock");
    assert_eq!(shock.missing, ["lactate"]);
    let vasopressor = shock.criteria.iter().find(|c| c.name == "vasopressor requirement").unwrap();
    assert_eq!(vasopressor.met, Some(true));
    assert!(!vasopressor.evidence.is_empty());
}

#[test]
fn a_score_that_does_not_apply_is_not_listed() {
    let analysis = analyze(&seed(), false);
    // No pneumonia and no atrial fibrillation in the seed.
    assert!(analysis.scores.iter().all(|s| s.name != "curb65" && s.name != "cha2ds2_vasc"));
    assert!(analysis.scores.iter().all(|s| s.applicable));
}

#[test]
fn every_ledger_sums_exactly_to_its_score() {
    for blind in [false, true] {
        let analysis = analyze(&seed(), blind);
        assert!(!analysis.differential.is_empty());
        for h in &analysis.differential {
            let sum: f64 = h.prior + h.supporting.iter().chain(&h.against).map(|f| f.weight).sum::<f64>();
            assert!((sum - h.score).abs() < 1e-6, "{}: ledger {sum} vs score {}", h.concept.id, h.score);
            assert!(h.supporting.iter().all(|f| f.weight > 0.0) && h.against.iter().all(|f| f.weight < 0.0));
            assert!(h.missing.iter().all(|f| f.evidence.is_empty()), "missing findings have no evidence");
        }
        let ranks: Vec<u32> = analysis.differential.iter().map(|h| h.rank).collect();
        assert_eq!(ranks, (1..=ranks.len() as u32).collect::<Vec<_>>());
        assert!(analysis.differential.windows(2).all(|w| w[0].score >= w[1].score));
    }
}

#[test]
fn the_stated_diagnosis_never_enters_the_differential() {
    // Blind or not, the differential reads the same findings: the diagnosis statement is invisible to it.
    assert_eq!(analyze(&seed(), false).differential, analyze(&seed(), true).differential);
}

#[test]
fn the_seed_blind_differential_names_the_source_and_the_dangerous_alternatives() {
    let differential = analyze(&seed(), true).differential;
    let top = |concept: &str| rank_of(&differential, concept).is_some_and(|rank| rank <= 5);
    assert!(
        ["septic_shock", "sepsis", "escherichia_coli_sepsis"].contains(&differential[0].concept.id.as_str()),
        "the syndrome leads: {:?}",
        differential.iter().map(|h| &h.concept.id).collect::<Vec<_>>()
    );
    assert!(top("gluteal_abscess") || top("pyomyositis"));
    assert!(top("spondylodiscitis"));
    let fasciitis = differential.iter().find(|h| h.concept.id == "necrotizing_fasciitis").expect("named");
    assert!(fasciitis.rank <= 5 && fasciitis.cant_miss);
    assert!(fasciitis.supporting.iter().any(|f| f.finding.to_lowercase().contains("gas")), "gas along the fascia");
}

#[test]
fn a_denied_finding_counts_against_and_an_unmentioned_one_is_only_missing() {
    let text = "Pacient de 70 de ani cu febră, tuse productivă și junghi toracic drept de 3 zile. \
                Nu prezintă dispnee. Radiografia toracică arată o opacitate de condensare în lobul inferior drept.";
    let differential = analyze(text, false).differential;
    let pneumonia = differential
        .iter()
        .find(|h| h.concept.id.contains("pneumonia"))
        .unwrap_or_else(|| panic!("{:?}", differential.iter().map(|h| &h.concept.id).collect::<Vec<_>>()));
    assert!(pneumonia.rank <= 3, "rank {}", pneumonia.rank);
    assert!(pneumonia.against.iter().any(|f| f.finding.to_lowercase().contains("dysp") && f.weight < 0.0));
    // Nothing the text does not mention is held against a hypothesis.
    for h in &differential {
        for f in h.against.iter().filter(|f| !f.finding.starts_with("unexplained")) {
            assert!(!f.evidence.is_empty(), "{}: {} counted against without evidence", h.concept.id, f.finding);
        }
    }
}
