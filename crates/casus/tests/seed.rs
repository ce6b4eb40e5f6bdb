//! The seed case end to end: what a clinician reads in it, the text layer must find.

mod common;

use casus::analysis::{AgeUnit, SectionKind, Sex};
use casus::Options;
use common::{assert_valid, quote, seed};

fn analyze(blind: bool) -> casus::Analysis {
    let engine = common::engine();
    engine.analyze(&seed(), &Options { blind, ..Options::default() }).unwrap()
}

#[test]
fn the_patient_is_a_47_year_old_man() {
    let text = seed();
    let analysis = analyze(false);
    let age = analysis.patient.age.as_ref().unwrap();
    assert_eq!((age.value, age.unit), (47, AgeUnit::Year));
    assert_eq!(quote(&text, age.span), "47 de ani");
    assert_eq!(analysis.patient.sex, Some(Sex::Male));
    assert_eq!(quote(&text, analysis.patient.sex_span.unwrap()), "Bărbat");
}

#[test]
fn sections_are_the_ones_a_reader_sees() {
    use SectionKind::*;
    let text = seed();
    let analysis = analyze(false);
    let found: Vec<(SectionKind, u8, Option<&str>, String)> = analysis
        .sections
        .iter()
        .map(|s| (s.kind, s.level, s.system.as_deref(), s.title.clone().unwrap_or_default()))
        .collect();
    let expected = vec![
        (History, 1, None, "Raport de caz clinic"),
        (Exam, 1, None, "La examinare"),
        (Exam, 2, Some("neurologic"), "Neurologic"),
        (Exam, 2, Some("respiratory"), "AR"),
        (Exam, 2, Some("cardiovascular"), "AC"),
        (Exam, 2, Some("abdomen"), "Abdomen"),
        (Exam, 2, Some("lower_limbs"), "Membrele inferioare"),
        (Labs, 1, None, "Examen complementar"),
        (Ecg, 1, None, "EKG"),
        (Imaging, 1, None, "Radiografie toracică"),
        (Imaging, 1, None, "CT abdomen și pelvis c/c"),
        (Course, 1, None, "Pacientul a necesitat"),
        (Diagnosis, 1, None, "Diagnostic"),
    ];
    let expected: Vec<_> = expected.into_iter().map(|(k, l, s, t)| (k, l, s, t.to_owned())).collect();
    assert_eq!(found, expected);

    // Each section starts at its title; level-1 sections tile the text between them.
    for section in &analysis.sections {
        assert!(quote(&text, section.span).starts_with(section.title.as_deref().unwrap()));
    }
    let span_of = |kind: SectionKind| analysis.sections.iter().find(|s| s.kind == kind && s.level == 1).unwrap().span;
    assert!(quote(&text, span_of(Labs)).ends_with("CRP 115."));
    assert!(quote(&text, span_of(Ecg)).ends_with("tahicardie sinusală 109 bpm."));
    assert!(quote(&text, span_of(Course)).ends_with("probe din abcesele fesiere."));
    let diagnosis = quote(&text, span_of(Diagnosis));
    assert!(diagnosis.starts_with("Diagnostic: Șoc septic"));
    assert!(diagnosis.ends_with("E. coli."), "the diagnosis runs to the end of the text");
    let neurologic = analysis.sections.iter().find(|s| s.system.as_deref() == Some("neurologic")).unwrap();
    assert_eq!(quote(&text, neurologic.span), "Neurologic: fără focar");
}

#[test]
fn sentence_count_equals_a_hand_count() {
    // Counted by reading the seed: 24 sentences of narrative and the diagnosis line.
    assert_eq!(analyze(false).sentences.len(), 25);
}

#[test]
fn the_seed_has_a_settled_number_convention() {
    // "9,9", "0,80" settle the decimal comma, so "27.400" is read without a warning.
    let analysis = analyze(false);
    assert!(analysis.warnings.iter().all(|w| w.kind != "ambiguous_number"), "{:?}", analysis.warnings);
}

#[test]
fn blind_drops_the_diagnosis_from_all_analysis() {
    let analysis = analyze(true);
    assert!(analysis.blind);
    assert!(analysis.sections.iter().all(|s| s.kind != SectionKind::Diagnosis));
    assert_eq!(analysis.sentences.len(), 24);
    assert_eq!(analysis.patient.age.as_ref().map(|a| a.value), Some(47));
    assert_valid(&analysis);
}

#[test]
fn the_analysis_matches_the_schema() {
    assert_valid(&analyze(false));
}

#[test]
fn the_whole_analysis_is_stable() {
    insta::assert_json_snapshot!("seed_analysis", analyze(false));
}

#[test]
fn json_is_deterministic() {
    let engine = common::engine();
    let a = casus::export::to_json(&engine.analyze(&seed(), &Options::default()).unwrap());
    let b = casus::export::to_json(&engine.analyze(&seed(), &Options::default()).unwrap());
    assert_eq!(a, b);
}

#[test]
fn every_vital_and_lab_of_the_seed_has_its_value() {
    let analysis = analyze(false);
    let found: Vec<(&str, Option<f64>, Option<&str>)> =
        analysis.measurements.iter().map(|m| (m.text.as_str(), m.value, m.unit.as_deref())).collect();
    let expected: Vec<(&str, Option<f64>, Option<&str>)> = vec![
        ("TA 80/50", None, None),
        ("Fc: 109 bpm", Some(109.0), Some("bpm")),
        ("Ta: 37,5o", Some(37.5), Some("o")),
        ("leucocite 27.400/mm3", Some(27400.0), Some("/mm3")),
        ("neutrofile 22%", Some(22.0), Some("%")),
        ("Hg 9,9 g/dl", Some(9.9), Some("g/dl")),
        ("creatinină 0,80", Some(0.8), None),
        ("LDH 313", Some(313.0), None),
        ("procalcitonină 0,84", Some(0.84), None),
        ("CRP 115", Some(115.0), None),
    ];
    assert_eq!(found, expected);
    let loinc =
        |text: &str| analysis.measurements.iter().find(|m| m.text == text).unwrap().concept.codes["loinc"][0].clone();
    assert_eq!(loinc("TA 80/50"), "85354-9");
    assert_eq!(loinc("Hg 9,9 g/dl"), "718-7", "Hg written for haemoglobin, read by its value");
    assert_eq!(loinc("CRP 115"), "1988-5");
}

#[test]
fn the_drugs_of_the_seed_have_route_time_and_status() {
    // The clinician's reading: diclofenac and dexamethasone IM 10 days before presentation
    // (prior); ceftriaxone and cloxacillin ("cloxaciclină") IV, given; vasoactive drugs given.
    let analysis = analyze(false);
    type Row<'a> = (String, Option<&'a str>, Option<&'a str>, Option<&'a str>);
    let found: Vec<Row> = analysis
        .medications
        .iter()
        .map(|m| {
            let entity = analysis.entities.iter().find(|e| e.id == m.entity).unwrap();
            (entity.concept.id.clone(), m.route.as_deref(), m.time.as_deref(), m.status.as_deref())
        })
        .collect();
    let expected = vec![
        ("diclofenac", Some("intramuscular"), Some("-P10D"), Some("prior")),
        ("dexamethasone", Some("intramuscular"), Some("-P10D"), Some("prior")),
        ("vasopressor", None, None, Some("given")),
        ("antibacterial", Some("intravenous"), None, Some("given")),
        ("ceftriaxone", Some("intravenous"), None, Some("given")),
        ("cloxacillin", Some("intravenous"), None, Some("given")),
    ];
    let expected: Vec<_> = expected.into_iter().map(|(c, r, t, s)| (c.to_owned(), r, t, s)).collect();
    assert_eq!(found, expected);
}

#[test]
fn e_coli_is_isolated_from_blood_and_from_the_gluteal_abscesses() {
    let text = seed();
    let analysis = analyze(false);
    let found: Vec<(&str, Option<&str>, &str)> = analysis
        .microbiology
        .iter()
        .map(|m| (m.organism.id.as_str(), m.specimen.as_deref(), m.result.as_str()))
        .collect();
    assert_eq!(
        found,
        vec![("escherichia_coli", Some("blood"), "positive"), ("escherichia_coli", Some("abscess"), "positive")]
    );
    assert_eq!(analysis.microbiology[0].organism.codes["ncbitaxon"], ["562"]);
    assert_eq!(quote(&text, analysis.microbiology[0].span), "E. coli în hemoculturi");
    assert!(quote(&text, analysis.microbiology[1].span).ends_with("probe din abcesele"));
    // The diagnosis line names the infection, not a culture: no third record, and none in blind mode.
    assert_eq!(analyze(true).microbiology.len(), 2);
}

#[test]
fn the_text_summary_lists_medications_and_microbiology() {
    let text = seed();
    let summary = casus::export::text::render(&analyze(false), &text);
    let medications = summary.split("\nMedications\n").nth(1).expect("a medications section");
    assert!(medications.lines().next().unwrap().contains("diclofenac"), "{medications}");
    assert!(medications.contains("intramuscular · at -P10D · prior"), "{medications}");
    let microbiology = summary.split("\nMicrobiology\n").nth(1).expect("a microbiology section");
    assert!(microbiology.starts_with("  Escherichia coli · blood · positive\n  Escherichia coli · abscess · positive"));
}
