//! CI gate: no score of the gold corpus may fall under its committed floor
//! (`corpus/floors.json`; `casus eval --gold corpus/dev --floors corpus/floors.json
//! --update-floors` raises them after an improvement).

mod common;

use casus::eval::{evaluate, floors, load_dir};

fn check(split: &str) {
    let root = common::root();
    let floors = floors::parse(&std::fs::read_to_string(root.join("corpus/floors.json")).unwrap()).unwrap();
    assert!(floors.contains_key(split), "corpus/floors.json has no floors for {split}");
    let cases = load_dir(&root.join("corpus").join(split)).unwrap();
    let report = evaluate(common::engine(), &cases);
    let violations = floors::check(&report, split, &floors);
    let lines: Vec<String> = violations.iter().map(ToString::to_string).collect();
    assert!(violations.is_empty(), "scores under their floors:\n{}", lines.join("\n"));
}

#[test]
fn dev_scores_stay_above_their_floors() {
    check("dev");
}

#[test]
fn test_scores_stay_above_their_floors() {
    check("test");
}
