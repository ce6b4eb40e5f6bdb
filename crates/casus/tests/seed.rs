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
    let found: Vec<(&str, Option<f64>, Option<&str>, bool)> =
        analysis.measurements.iter().map(|m| (m.text.as_str(), m.value, m.unit.as_deref(), m.unit_inferred)).collect();
    // Units the text leaves out are inferred (UCUM) from the analyte's plausible range.
    let expected: Vec<(&str, Option<f64>, Option<&str>, bool)> = vec![
        ("TA 80/50", None, Some("mm[Hg]"), true),
        ("Fc: 109 bpm", Some(109.0), Some("bpm"), false),
        ("Ta: 37,5o", Some(37.5), Some("o"), false),
        ("leucocite 27.400/mm3", Some(27400.0), Some("/mm3"), false),
        ("neutrofile 22%", Some(22.0), Some("%"), false),
        ("Hg 9,9 g/dl", Some(9.9), Some("g/dl"), false),
        // A qualitative result the finding's name states: the coagulation tests are normal.
        ("coagulare normală", None, None, false),
        ("creatinină 0,80", Some(0.8), Some("mg/dL"), true),
        ("LDH 313", Some(313.0), Some("U/L"), true),
        ("procalcitonină 0,84", Some(0.84), Some("ng/mL"), true),
        ("CRP 115", Some(115.0), Some("mg/L"), true),
    ];
    assert_eq!(found, expected);
    let loinc =
        |text: &str| analysis.measurements.iter().find(|m| m.text == text).unwrap().concept.codes["loinc"][0].clone();
    assert_eq!(loinc("TA 80/50"), "85354-9");
    assert_eq!(loinc("Hg 9,9 g/dl"), "718-7", "Hg written for haemoglobin, read by its value");
    assert_eq!(loinc("CRP 115"), "1988-5");
    assert_eq!(loinc("neutrofile 22%"), "770-8", "the % names the neutrophil percentage");
    let coagulation = analysis.measurements.iter().find(|m| m.text == "coagulare normală").unwrap();
    assert_eq!((coagulation.concept.id.as_str(), coagulation.result.as_deref()), ("coagulation_tests", Some("normal")));
}

/// The vitals and labs tables of `seed-septic-shock.expected.md`: value in UCUM and interpretation
/// for a 47-year-old man.
#[test]
fn every_vital_and_lab_of_the_seed_is_normalized_and_interpreted() {
    use casus::analysis::Interpretation::{High, Low, Normal};
    let analysis = analyze(false);
    let find = |text: &str| analysis.measurements.iter().find(|m| m.text == text).unwrap();
    let normalized = |text: &str| {
        let m = find(text);
        let q = m.normalized.as_ref().unwrap_or_else(|| panic!("{text} is not normalized"));
        (q.value, q.unit.as_str(), m.interpretation)
    };
    assert_eq!(normalized("Fc: 109 bpm"), (109.0, "/min", Some(High)));
    assert_eq!(normalized("Ta: 37,5o"), (37.5, "Cel", Some(Normal)));
    assert_eq!(normalized("leucocite 27.400/mm3"), (27.4, "10*3/uL", Some(High)));
    assert_eq!(normalized("neutrofile 22%"), (22.0, "%", Some(Low)));
    assert_eq!(normalized("Hg 9,9 g/dl"), (9.9, "g/dL", Some(Low)));
    assert_eq!(normalized("creatinină 0,80"), (0.8, "mg/dL", Some(Normal)));
    assert_eq!(normalized("LDH 313"), (313.0, "U/L", Some(High)));
    assert_eq!(normalized("procalcitonină 0,84"), (0.84, "ng/mL", Some(High)));
    assert_eq!(normalized("CRP 115"), (115.0, "mg/L", Some(High)));
    // The male range, named with its source.
    let hb = find("Hg 9,9 g/dl").reference.as_ref().unwrap();
    assert_eq!((hb.low, hb.high, hb.unit.as_str()), (Some(13.3), Some(16.2), "g/dL"));
    assert!(hb.source.contains("Harrison"), "{}", hb.source);

    // Blood pressure: one measurement, value null, systolic and diastolic as components.
    let bp = find("TA 80/50");
    assert_eq!(bp.value, None);
    type Part<'a> = (&'a str, &'a str, f64, Option<&'a str>, Option<casus::analysis::Interpretation>);
    let parts: Vec<Part> = bp
        .components
        .as_ref()
        .unwrap()
        .iter()
        .map(|c| {
            (c.concept.id.as_str(), c.concept.codes["loinc"][0].as_str(), c.value, c.unit.as_deref(), c.interpretation)
        })
        .collect();
    assert_eq!(
        parts,
        [
            ("systolic_blood_pressure", "8480-6", 80.0, Some("mm[Hg]"), Some(Low)),
            ("diastolic_blood_pressure", "8462-4", 50.0, Some("mm[Hg]"), Some(Low)),
        ]
    );

    // The differential count belongs to the leukocyte count.
    let leukocytes = find("leucocite 27.400/mm3");
    assert_eq!(find("neutrofile 22%").parent.as_deref(), Some(leukocytes.id.as_str()));

    // "coagulare normală" is read as a qualitative normal finding (an entity, not a number).
    assert!(analysis.entities.iter().any(|e| e.concept.id == "normal_coagulation" && e.text == "coagulare normală"));
    // Nothing of the seed is implausible.
    assert!(!analysis.warnings.iter().any(|w| w.kind == "implausible_value"));
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

#[test]
fn the_presenting_symptoms_began_about_two_weeks_before_and_the_injections_ten_days_before() {
    let text = seed();
    let analysis = analyze(false);
    for symptom in ["dureri abdominale", "dureri lombare", "greață", "vărsături"] {
        let entity = analysis.entities.iter().find(|e| e.text == symptom).unwrap();
        let timing = entity.timing.as_ref().unwrap_or_else(|| panic!("{symptom} is undated"));
        assert_eq!((timing.start.as_str(), timing.duration.as_deref()), ("-P2W", Some("P2W")), "{symptom}");
        assert!(timing.approximate, "{symptom}: \"de aproximativ două săptămâni\" is approximate");
        assert_eq!(quote(&text, timing.span), "de aproximativ două săptămâni de evoluție");
    }
    let days: Vec<(f64, usize, usize)> =
        analysis.timeline.iter().map(|e| (e.day, e.entities.len(), e.medications.len())).collect();
    assert_eq!(days[0].0, -14.0);
    assert!(days[0].1 >= 4, "{days:?}");
    assert_eq!(days[1], (-10.0, 0, 2), "diclofenac and dexamethasone, ten days before");
    assert_eq!(days[2].0, 0.0, "presentation is on every timeline");
    assert_eq!(quote(&text, analysis.timeline[1].spans[0]), "cu 10 zile înainte");
}
