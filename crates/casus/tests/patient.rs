//! Age and sex from the ways Romanian case reports state them.

mod common;

use casus::analysis::{AgeUnit, Sex};
use casus::Options;

fn patient(text: &str) -> (Option<(u32, AgeUnit, String)>, Option<Sex>) {
    let engine = common::engine();
    let analysis = engine.analyze(text, &Options::default()).unwrap();
    common::assert_valid(&analysis);
    let age = analysis.patient.age.map(|a| (a.value, a.unit, common::quote(text, a.span)));
    (age, analysis.patient.sex)
}

#[test]
fn reads_the_usual_openings() {
    let cases: &[(&str, u32, AgeUnit, Option<Sex>)] = &[
        ("Bărbat în vârstă de 47 de ani, fără antecedente.", 47, AgeUnit::Year, Some(Sex::Male)),
        ("Pacientă de 62 ani, cunoscută cu HTA.", 62, AgeUnit::Year, Some(Sex::Female)),
        ("Sugar de 3 luni adus pentru febră.", 3, AgeUnit::Month, None),
        ("Pacient, sex masculin, 71 ani, internat pentru dispnee.", 71, AgeUnit::Year, Some(Sex::Male)),
        ("Băiat de 9 ani cu poliurie.", 9, AgeUnit::Year, Some(Sex::Male)),
        ("Fetiță în vârstă de 4 ani cu tuse.", 4, AgeUnit::Year, Some(Sex::Female)),
        ("Nou-născut de 5 zile cu icter.", 5, AgeUnit::Day, None),
        ("Pacienta in varsta de 58 de ani, fara diacritice.", 58, AgeUnit::Year, Some(Sex::Female)),
        ("Femeie de patruzeci și șapte de ani cu cefalee.", 47, AgeUnit::Year, Some(Sex::Female)),
        ("Pacientă în vârstă de 33 ani, gravidă.", 33, AgeUnit::Year, Some(Sex::Female)),
    ];
    for &(text, value, unit, sex) in cases {
        let (age, found_sex) = patient(text);
        let (found_value, found_unit, _) = age.unwrap_or_else(|| panic!("no age in {text:?}"));
        assert_eq!((found_value, found_unit, found_sex), (value, unit, sex), "{text}");
    }
}

#[test]
fn a_duration_is_not_an_age() {
    let (age, _) = patient("Simptome de aproximativ două săptămâni de evoluție, febră de 3 zile.");
    assert_eq!(age, None);
}

#[test]
fn the_age_span_covers_number_and_unit() {
    let (age, _) = patient("Sugar de 3 luni adus pentru febră.");
    assert_eq!(age.unwrap().2, "3 luni");
}

#[test]
fn a_conflicting_sex_is_warned_not_hidden() {
    let engine = common::engine();
    let analysis = engine.analyze("Pacienta de 60 de ani. Pacientul a fost externat.", &Options::default()).unwrap();
    assert_eq!(analysis.patient.sex, Some(Sex::Female));
    assert!(analysis.warnings.iter().any(|w| w.kind == "patient_sex_conflict"));
}
