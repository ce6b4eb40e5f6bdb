//! SiMoNERo: CoNLL-U mentions are rebuilt on the sentence text, and scored through the type map.

use std::path::{Path, PathBuf};

use casus::analysis::{Assertion, CharSpan, Concept, Entity, EntityType};
use casus::eval::simonero::{self, NerType, Sentence};
use casus::{Engine, Options};

fn sample() -> Vec<Sentence> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/eval/simonero-sample.conllu");
    simonero::load(&path).unwrap()
}

fn quote(text: &str, start: usize, end: usize) -> String {
    text.chars().skip(start).take(end - start).collect()
}

/// Each mention as its fragments joined by one space (brat's way).
fn mentions(sentence: &Sentence) -> Vec<(NerType, String)> {
    let quote_all = |fragments: &[(usize, usize)]| {
        fragments.iter().map(|&(s, e)| quote(&sentence.text, s, e)).collect::<Vec<_>>().join(" ")
    };
    sentence.mentions.iter().map(|m| (m.kind, quote_all(&m.fragments))).collect()
}

#[test]
fn mentions_are_the_labelled_words_of_the_text() {
    use NerType::*;
    let sentences = sample();
    assert_eq!(sentences.len(), 3);
    assert_eq!(sentences[1].id, "dev-2");
    let expected = |list: &[(NerType, &str)]| list.iter().map(|&(t, s)| (t, s.to_owned())).collect::<Vec<_>>();
    assert_eq!(
        mentions(&sentences[0]),
        expected(&[(Diso, "infarct de miocard"), (Diso, "risc"), (Diso, "complicații cardiovasculare")])
    );
    assert_eq!(
        mentions(&sentences[2]),
        expected(&[(Diso, "risc"), (Diso, "DZ"), (Chem, "colesterolului total"), (Proc, "tratament antihipertensiv")])
    );
}

fn entity(text: &str, entity_type: EntityType, needle: &str) -> Entity {
    let at = text.find(needle).unwrap();
    let start = text[..at].chars().count();
    Entity {
        id: needle.into(),
        entity_type,
        span: CharSpan { start, end: start + needle.chars().count() },
        text: needle.into(),
        concept: Concept { id: "x".into(), label: "x".into(), codes: Default::default() },
        assertion: Assertion::default(),
        section: None,
        fragments: None,
        timing: None,
    }
}

#[test]
fn predictions_count_through_the_type_map() {
    use EntityType::*;
    // dev-2 gold: DISO risc, DISO DZ, CHEM colesterolului, PROC tratamentului antihipertensiv.
    let sentence = &sample()[1];
    let t = sentence.text.as_str();
    let mut analysis = Engine::new().unwrap().analyze(t, &Options::default()).unwrap();
    analysis.entities = vec![
        entity(t, Disorder, "DZ"),              // DISO tp
        entity(t, Test, "colesterolului"),      // a test counts as CHEM: tp
        entity(t, Procedure, "tratamentului"),  // PROC tp by overlap
        entity(t, Anatomy, "risc"),             // ANAT fp; the gold DISO "risc" is missed
        entity(t, Test, "TA"),                  // unmatched test: PROC fp
        entity(t, Organism, "antihipertensiv"), // SiMoNERo has no organisms: ignored
    ];
    let counts = simonero::compare(&analysis, sentence);
    let prf = |kind: &str| {
        let p = counts.per_type[kind];
        (p.tp, p.fp, p.fn_)
    };
    assert_eq!(prf("DISO"), (1, 0, 1));
    assert_eq!(prf("CHEM"), (1, 0, 0));
    assert_eq!(prf("PROC"), (1, 1, 0));
    assert_eq!(prf("ANAT"), (0, 1, 0));

    let report = simonero::SimReport::from_counts(&[counts], Vec::new());
    // Micro: tp 3, fp 2, fn 1 → P 3/5, R 3/4, F1 6/9.
    assert_eq!((report.micro.tp, report.micro.fp, report.micro.fn_), (3, 2, 1));
    assert!((report.micro.f1 - 6.0 / 9.0).abs() < 1e-12);
}

/// A lab named with its value is a measurement, not an entity: its name still counts (CHEM or
/// PROC for SiMoNERo), a vital does not.
#[test]
fn a_lab_measurement_counts_as_a_test_mention() {
    let conllu = "# sent_id = lab-1\n\
        # text = Glicemie 250 mg/dl, TA 150/90 mmHg.\n\
        1\tGlicemie\tglicemie\tNOUN\t_\t_\t0\troot\t_\tBioNERLabel=B-CHEM\n\
        2\t250\t250\tNUM\t_\t_\t1\tnummod\t_\t_\n\
        3\tmg/dl\tmg/dl\tNOUN\t_\t_\t1\tnmod\t_\tSpaceAfter=No\n\
        4\t,\t,\tPUNCT\t_\t_\t1\tpunct\t_\t_\n\
        5\tTA\tTA\tNOUN\t_\t_\t1\tconj\t_\t_\n\
        6\t150/90\t150/90\tNUM\t_\t_\t5\tnummod\t_\t_\n\
        7\tmmHg\tmmHg\tNOUN\t_\t_\t5\tnmod\t_\tSpaceAfter=No\n\
        8\t.\t.\tPUNCT\t_\t_\t1\tpunct\t_\t_\n\n";
    let sentence = &simonero::parse(conllu).unwrap()[0];
    let analysis = Engine::new().unwrap().analyze(&sentence.text, &Options::default()).unwrap();
    assert!(analysis.entities.iter().all(|e| e.entity_type != EntityType::Test), "{:?}", analysis.entities);
    assert_eq!(analysis.measurements.len(), 2, "{:?}", analysis.measurements);
    let counts = simonero::compare(&analysis, sentence);
    assert_eq!(counts.per_type["CHEM"].tp, 1, "the glucose measurement is the gold CHEM mention");
    assert_eq!(counts.per_type["PROC"].fp, 0, "the blood pressure (a vital) is not a test mention");
}

/// The engine finds none of these yet: recall 0 with every gold mention counted.
#[test]
fn evaluate_counts_every_gold_mention() {
    let sentences = sample();
    let report = simonero::evaluate(&Engine::new().unwrap(), &sentences);
    assert_eq!(report.sentences, 3);
    assert_eq!(report.micro.recall.n, 11);
    assert!(report.to_text().contains("DISO"));
}

/// The whole development split, when it is at hand (`CASUS_SIMONERO=path/to/ro_simonero-ud-dev.conllu`).
#[test]
#[ignore = "needs the SiMoNERo file outside the repository"]
fn the_development_split_reads_whole() {
    let path = PathBuf::from(std::env::var("CASUS_SIMONERO").expect("CASUS_SIMONERO is set"));
    let sentences = simonero::load(&path).unwrap_or_else(|err| panic!("{err}"));
    // The README: 443 sentences, 1,367 entities (its count of B- labels). Three I- labels continue
    // no mention of their type ("rezerva/O cardiacă/I-ANAT") and start one of their own.
    assert_eq!(sentences.len(), 443);
    assert_eq!(sentences.iter().map(|s| s.mentions.len()).sum::<usize>(), 1367 + 3);
    print!("{}", simonero::evaluate(&Engine::new().unwrap(), &sentences).to_text());
}
