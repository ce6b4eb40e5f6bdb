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

#[test]
fn a_side_and_a_site_refine_the_code() {
    let found = diagnoses("Diagnostic: Sarcină ectopică tubară stângă.", &Options::default());
    assert_eq!(codes(&found), ["O00.102"]);
    let text = "Diagnostic: AVC ischemic în teritoriul arterei cerebrale medii drepte, de etiologie cardioembolică.";
    assert_eq!(codes(&diagnoses(text, &Options::default())), ["I63.411"]);
    let text = "Diagnostic: Adenocarcinom pulmonar al lobului inferior stâng.";
    assert_eq!(codes(&diagnoses(text, &Options::default())), ["C34.32"]);
}

#[test]
fn a_qualifier_belongs_to_the_condition_it_follows() {
    // "bilateral" is the embolism's; the thrombosis is of the left femoral vein.
    let text = "Diagnostic: Trombembolism pulmonar bilateral, secundar trombozei venoase profunde femurale stângi.";
    let found = diagnoses(text, &Options::default());
    find(&found, "I82.412");
    assert!(!codes(&found).contains(&"I82.413"), "{:?}", codes(&found));
}

#[test]
fn acuity_refines_a_chronic_failure() {
    let text = "Diagnostic: Insuficiență cardiacă cronică cu fracție de ejecție redusă, acut decompensată.";
    assert_eq!(codes(&diagnoses(text, &Options::default())), ["I50.23"]);
}

#[test]
fn a_refinement_absorbs_the_condition_its_code_includes() {
    // K35.30 names the localized peritonitis, whose own word ("localizată") qualifies it.
    let text = "Diagnostic: Apendicită acută flegmonoasă cu peritonită localizată, fără perforație.";
    assert_eq!(codes(&diagnoses(text, &Options::default())), ["K35.30"]);
}

#[test]
fn the_intent_of_a_poisoning_is_coded_and_the_suicide_attempt_is_part_of_it() {
    let text = "Diagnostic: Intoxicație acută voluntară cu paracetamol (tentativă de suicid).";
    assert_eq!(codes(&diagnoses(text, &Options::default())), ["T39.1X2A"]);
    let text = "Diagnostic: Intoxicație cu cocaină, în scop suicidar.";
    assert_eq!(codes(&diagnoses(text, &Options::default())), ["T40.5X2A"]);
    let text = "Diagnostic: Intoxicație acută cu paracetamol.";
    assert_eq!(codes(&diagnoses(text, &Options::default())), ["T39.1X1A"], "accidental when not stated");
}

#[test]
fn a_drug_that_caused_a_condition_is_coded_as_its_adverse_effect() {
    let text = "Diagnostic: Hipoglicemie severă indusă de gliclazidă, la un pacient cu diabet zaharat tip 2 \
                și boală cronică de rinichi stadiul 4.";
    let found = diagnoses(text, &Options::default());
    // One combined code for each complication of the diabetes, then the stage and the drug.
    assert_eq!(codes(&found), ["E11.649", "N18.4", "E11.22", "T38.3X5A"]);
    assert_eq!(find(&found, "E11.649").role, "principal");
    // A cause link reaches the drug through the treatment that names it; without a diabetes the
    // hypoglycaemia is the drug-induced one.
    let found = diagnoses("Diagnostic: Hipoglicemie severă indusă de tratamentul cu gliclazidă.", &Options::default());
    assert_eq!(codes(&found), ["E16.0", "T38.3X5A"]);
    // A drug taken in a poisoning is not an adverse effect.
    let found = diagnoses("Diagnostic: Intoxicație cu paracetamol.", &Options::default());
    assert!(!codes(&found).contains(&"T39.1X5A"), "{:?}", codes(&found));
}

#[test]
fn weeks_of_gestation_give_the_trimester() {
    let text = "Diagnostic: Preeclampsie severă cu debut precoce, la o sarcină de 33 de săptămâni.";
    assert_eq!(codes(&diagnoses(text, &Options::default())), ["O14.13"]);
    let text = "Diagnostic: Preeclampsie severă la 20 de săptămâni.";
    assert_eq!(codes(&diagnoses(text, &Options::default())), ["O14.12"]);
}

#[test]
fn a_word_that_only_qualifies_is_not_a_second_condition() {
    let found = diagnoses("Diagnostic: Colecistită acută litiazică flegmonoasă.", &Options::default());
    assert_eq!(codes(&found), ["K80.00"]);
}

#[test]
fn every_code_of_the_coding_tables_is_in_the_shipped_table() {
    let table = std::fs::read_to_string(common::root().join("data/icd10cm/codes.tsv")).unwrap();
    let known: std::collections::HashSet<&str> = table.lines().filter_map(|l| l.split('\t').next()).collect();
    let knowledge = casus::knowledge::Knowledge::embedded().unwrap();
    let codes: Vec<(&str, &str)> = knowledge.coding.icd10cm_codes().collect();
    assert!(codes.len() > 100, "the tables write codes");
    let missing: Vec<_> = codes.iter().filter(|(_, code)| !known.contains(code)).collect();
    assert!(missing.is_empty(), "codes not in data/icd10cm/codes.tsv: {missing:?}");
}

#[test]
fn a_drug_class_is_coded_as_the_drug_the_record_names() {
    let text = "Pacient cu gonartroză, tratat cu ibuprofen 400 mg de 3 ori pe zi.\n\
                Diagnostic: Insuficiență renală acută agravată de AINS.";
    find(&diagnoses(text, &Options::default()), "T39.315A");
    let text = "Diagnostic: Insuficiență renală acută agravată de AINS.";
    find(&diagnoses(text, &Options::default()), "T39.395A");
}

/// The code of a stated diagnosis, its concept id and its label.
fn coded(text: &str) -> (String, String, String) {
    let found = diagnoses(text, &Options::default());
    assert_eq!(found.len(), 1, "{:?}", codes(&found));
    let concept = &found[0].concept;
    (concept.codes["icd10cm"][0].clone(), concept.id.clone(), concept.label.clone())
}

#[test]
fn the_table_gives_the_side_in_place_of_the_unspecified_one() {
    // No refinement row covers the clavicle: the code comes from the ICD-10-CM table.
    let (code, id, label) = coded("Diagnostic: Fractură de claviculă stângă.");
    assert_eq!(code, "S42.002A");
    assert_eq!(id, "clavicle_fracture");
    assert_eq!(label, "Fracture of unspecified part of left clavicle, initial encounter for closed fracture");
    // Two axes at once: chronic in place of unspecified, and the side.
    assert_eq!(coded("Diagnostic: Otită externă cronică stângă.").0, "H60.62");
    // Nothing stated: the unspecified side stays.
    assert_eq!(coded("Diagnostic: Fractură de claviculă.").0, "S42.009A");
}

#[test]
fn the_table_gives_the_trimester_of_the_stated_gestational_age() {
    assert_eq!(coded("Diagnostic: Placenta praevia la o sarcină de 34 de săptămâni.").0, "O44.03");
    assert_eq!(coded("Diagnostic: Placenta praevia, sarcină de 10 săptămâni de gestație.").0, "O44.01");
}

#[test]
fn the_table_gives_the_stated_acuity() {
    assert_eq!(coded("Diagnostic: Salpingită cronică.").0, "N70.11");
    assert_eq!(coded("Diagnostic: Fisură anală cronică.").0, "K60.1");
    assert_eq!(coded("Diagnostic: Fisură anală.").0, "K60.2");
}

#[test]
fn a_stated_qualifier_takes_the_place_of_its_opposite_in_the_table() {
    assert_eq!(coded("Diagnostic: Coledocolitiază cu obstrucție.").0, "K80.51");
    assert_eq!(coded("Diagnostic: Hernie inghinală dreaptă recurentă.").0, "K40.91");
}

#[test]
fn a_condition_coded_by_a_category_takes_the_billable_code_of_its_stated_and_default_values() {
    // S52.0 is a category: closed fracture, initial encounter, unspecified side unless stated.
    assert_eq!(coded("Diagnostic: Fractură de olecran.").0, "S52.009A");
    assert_eq!(coded("Diagnostic: Fractură de olecran drept.").0, "S52.001A");
    // Displaced unless stated nondisplaced.
    assert_eq!(coded("Diagnostic: Fractură subtrohanteriană de femur stâng.").0, "S72.22XA");
    assert_eq!(coded("Diagnostic: Fractură subtrohanteriană nedeplasată de femur stâng.").0, "S72.25XA");
}
