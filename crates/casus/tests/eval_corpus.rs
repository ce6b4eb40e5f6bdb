//! The committed gold corpus runs through the evaluation end to end.

use std::path::Path;

use casus::eval::gold::GoldKind;
use casus::{eval, Engine};

/// Every gold mention is counted once, whatever the engine finds: the `n` of each score is the
/// size of the gold, and no case fails to run.
#[test]
fn evaluating_the_dev_corpus_counts_every_gold_mention() {
    let cases = eval::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus/dev")).unwrap();
    let report = eval::evaluate(&Engine::new().unwrap(), &cases);
    print!("{}", report.to_text());
    assert_eq!(report.cases, cases.len());
    assert!(report.errors.is_empty(), "{:?}", report.errors);

    let mentions: Vec<_> = cases.iter().flat_map(|c| c.mentions()).collect();
    let entities = mentions.iter().filter(|m| matches!(m.kind, GoldKind::Entity(_))).count();
    let measurements = mentions.len() - entities;
    assert_eq!(report.entities.strict.micro.recall.n, entities);
    assert_eq!(report.entities.overlapping.micro.recall.n, entities);
    assert_eq!(report.measurements.detection.recall.n, measurements);
    let finals: usize = cases.iter().map(|c| c.dx.final_.len()).sum();
    assert_eq!(report.diagnoses.code.recall.n, finals);
    let blind = cases.iter().filter(|c| c.dx.blind_text_end.is_some()).count();
    assert_eq!(report.differential.n, blind);
}
