//! Stated diagnoses: how a diagnosis statement is decomposed and coded in ICD-10-CM.

mod common;

use casus::analysis::Diagnosis;
use casus::Options;
use common::{assert_valid, engine, seed};

fn diagnoses(text: &str, options: &Options) -> Vec<Diagnosis> {
    let analysis = engine().analyze(text, options).unwrap();
    assert_valid(&analysis);
    analysis.diagnoses
}

fn codes(diagnoses: &[Diagnosis]) -> Vec<&str> {
    diagnoses.iter().map(|d| d.concept.codes["icd10cm"][0].as_str()).collect()
}

fn find<'a>(diagnoses: &'a [Diagnosis], code: &str) -> &'a Diagnosis {
    diagnoses.iter().find(|d| d.concept.codes["icd10cm"].iter().any(|c| c == code)).unwrap_or_else(|| {
        panic!("no diagnosis coded {code} in {:?}", codes(diagnoses));
    })
}

#[test]
fn the_seed_diagnosis_is_decomposed_into_its_five_codes() {
    let found = diagnoses(&seed(), &Options::default());
    assert_eq!(codes(&found), ["R65.21", "M46.47", "L02.31", "A41.51", "B96.20"]);
    let shock = find(&found, "R65.21");
    assert_eq!(shock.role, "principal");
    assert_eq!(find(&found, "A41.51").concept.codes["icd10"], ["A41.5"]);
    assert_eq!(find(&found, "B96.20").role, "agent");
    // The shock is due to the spondylodiscitis and the abscesses, which are due to the E. coli sepsis.
    let id = |code| find(&found, code).id.clone();
    assert_eq!(shock.due_to, [id("M46.47"), id("L02.31")]);
    assert_eq!(find(&found, "L02.31").due_to, [id("A41.51")]);
}

#[test]
fn blind_hides_the_stated_diagnosis() {
    let options = Options { blind: true, ..Options::default() };
    assert!(diagnoses(&seed(), &options).is_empty());
    let text = "Pacient de 60 de ani cu febră. În final s-a stabilit diagnosticul de pielonefrită acută.";
    assert!(!diagnoses(text, &Options::default()).is_empty());
    assert!(diagnoses(text, &options).is_empty());
}

#[test]
fn code_first_brings_in_the_underlying_infection() {
    let found = diagnoses("Diagnostic: Șoc septic.", &Options::default());
    assert_eq!(codes(&found), ["R65.21", "A41.9"]);
    assert_eq!(found[0].due_to, [found[1].id.clone()]);
}

#[test]
fn a_negated_condition_is_not_a_diagnosis() {
    let found = diagnoses("Diagnostic: Apendicită acută, fără perforație.", &Options::default());
    assert!(found.iter().all(|d| d.concept.id != "perforation_finding"), "{:?}", codes(&found));
    assert_eq!(found.len(), 1);
}

#[test]
fn manifestations_and_symptoms_are_not_coded_beside_the_disease() {
    let text = "Diagnostic: Hemoragie digestivă superioară exteriorizată prin hematemeză și melenă, \
                secundară unui ulcer duodenal.";
    let found = diagnoses(text, &Options::default());
    // The bleeding and the ulcer combine into one code; the manifestations are not coded.
    assert_eq!(codes(&found), ["K26.4"]);
}

#[test]
fn comorbidities_are_listed_with_their_role() {
    let found = diagnoses("Diagnostic: Pneumonie comunitară, la un pacient cu HTA și BPOC.", &Options::default());
    assert_eq!(find(&found, "I10").role, "comorbidity");
    assert_eq!(found[0].role, "principal");
}

#[test]
fn an_organism_no_combination_takes_is_coded_as_the_agent() {
    let found = diagnoses("Diagnostic: Colecistită acută litiazică cu E. coli.", &Options::default());
    assert_eq!(find(&found, "B96.20").role, "agent");
    let found = diagnoses("Diagnostic: Meningită cu Neisseria meningitidis.", &Options::default());
    assert_eq!(codes(&found), ["A39.0"], "the combination code names the organism");
}

#[test]
fn a_combination_may_keep_its_qualifying_condition() {
    // D50.0 names the blood loss; the menorrhagia that caused it is coded too.
    let found = diagnoses("Diagnostic: Anemie feriprivă severă secundară menoragiilor.", &Options::default());
    assert_eq!(codes(&found), ["D50.0", "N92.0"]);
    assert_eq!(found[0].due_to, [found[1].id.clone()]);
}
