//! Gold files are read exactly, and a broken one is refused with its file and line.

use std::path::{Path, PathBuf};

use casus::eval::brat;
use casus::eval::gold::{GoldKind, GoldValue};
use casus::eval::{self, GoldError};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/eval")
}

fn corpus(split: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus").join(split)
}

#[test]
fn a_corrupted_ann_fails_with_its_line_number() {
    let ann = std::fs::read_to_string(fixtures().join("corrupt/broken.ann")).unwrap();
    let err = brat::parse(&ann).unwrap_err();
    assert_eq!(err.line, 3);
    assert_eq!(err.kind, brat::BratErrorKind::Offsets("Sign_Symptom 9 x17".into()));

    let err = eval::load_dir(&fixtures().join("corrupt")).unwrap_err();
    assert!(matches!(err, GoldError::Ann { .. }), "{err:?}");
    let message = err.to_string();
    assert!(
        message.ends_with(
            "broken.ann:3: bad type and offsets \"Sign_Symptom 9 x17\": expected `Type start end[;start end]…`"
        ),
        "{message}"
    );
}

#[test]
fn a_case_without_its_dx_json_is_refused_by_name() {
    let err = eval::load_dir(&fixtures().join("missing-dx")).unwrap_err();
    assert!(matches!(&err, GoldError::Missing { path } if path.ends_with("alone.dx.json")), "{err:?}");
}

#[test]
fn a_directory_without_cases_is_an_error_not_an_empty_score() {
    let err = eval::load_dir(&fixtures()).unwrap_err();
    assert!(matches!(err, GoldError::Empty { .. }), "{err:?}");
    let err = eval::load_dir(&fixtures().join("no-such-dir")).unwrap_err();
    assert!(matches!(err, GoldError::Io { .. }), "{err:?}");
}

#[test]
fn the_fixture_cases_load_sorted_with_everything_attached() {
    let cases = eval::load_dir(&fixtures().join("cases")).unwrap();
    let names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["pielonefrita", "zorglub"]);
    let case = &cases[0];
    assert_eq!(case.dx.blind_text_end, Some(121));
    assert_eq!(case.dx.final_[0].accept, ["N39"]);
    let mentions = case.mentions();
    assert_eq!(mentions.len(), 8);
    // T3 is discontinuous: "durere … lombară".
    assert_eq!(mentions[2].fragments, [(35, 41), (56, 63)]);
    let white_count = &mentions[4];
    assert!(matches!(white_count.kind, GoldKind::Measurement(_)));
    let measure = white_count.measure.as_ref().unwrap();
    assert_eq!((&measure.value, measure.unit.as_deref()), (&GoldValue::Number(27400.0), Some("/mm3")));
    assert_eq!(mentions[6].measure.as_ref().unwrap().value, GoldValue::Text("negative".into()));
}

#[test]
fn writing_a_fixture_ann_gives_the_same_file() {
    let ann = std::fs::read_to_string(fixtures().join("cases/pielonefrita.ann")).unwrap();
    assert_eq!(brat::write(&brat::parse(&ann).unwrap()), ann);
}

/// Every committed gold file passes the same checks the metrics rely on; a drifted offset or a
/// misspelt attribute in `corpus/` fails here, naming the file and line.
#[test]
fn the_committed_corpus_loads() {
    for split in ["dev", "test"] {
        let cases = eval::load_dir(&corpus(split)).unwrap_or_else(|err| panic!("{err}"));
        assert!(!cases.is_empty(), "{split}");
        assert!(cases.windows(2).all(|w| w[0].name < w[1].name), "{split} is not sorted");
        for case in &cases {
            assert!(!case.ann.entities.is_empty(), "{} has no entities", case.name);
            assert!(!case.dx.final_.is_empty(), "{} has no final diagnosis", case.name);
            // Reading and writing every committed file loses nothing.
            assert_eq!(brat::parse(&brat::write(&case.ann)).as_ref(), Ok(&case.ann), "{}", case.name);
        }
    }
}
