//! The light stemmer against the hand-validated lemmas of SiMoNERo: every inflected noun and
//! adjective should get the key of its lemma. The corpus lives beside the repository
//! (`shared/benchmarks/simonero`), where CI lays it out.

mod common;

use casus::text::normalize::Views;
use casus::text::stem::stem;

/// The share of noun and adjective forms whose key equals their lemma's key, measured when the
/// stemmer was written (2026-11-25: 0.9644 over 6,033 forms; 0.9650 with `data/ro/stems.tsv`; 0.9682 with the -ian/-ien alternation; 0.9715 with the -il rule); a change to the stemmer must not
/// lower it.
const AGREEMENT_FLOOR: f64 = 0.971;

#[test]
fn inflected_forms_share_the_key_of_their_lemma() {
    let path = common::root().join("../shared/benchmarks/simonero/ro_simonero-ud-dev.conllu");
    let conllu = std::fs::read_to_string(&path).unwrap_or_else(|err| {
        panic!("{}: {err}; the SiMoNERo corpus is expected beside the repository", path.display())
    });
    let (mut agree, mut total) = (0usize, 0usize);
    let mut misses = Vec::new();
    for line in conllu.lines().filter(|l| !l.starts_with('#') && !l.is_empty()) {
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() < 4 || !matches!(cols[3], "NOUN" | "ADJ") || cols[1].chars().any(|c| !c.is_alphabetic()) {
            continue;
        }
        let form = Views::new(cols[1]).plain.as_str().to_owned();
        let lemma = Views::new(cols[2]).plain.as_str().to_owned();
        total += 1;
        if stem(&form) == stem(&lemma) {
            agree += 1;
        } else if misses.len() < 30 {
            misses.push(format!("{form}→{} / {lemma}→{}", stem(&form), stem(&lemma)));
        }
    }
    let rate = agree as f64 / total as f64;
    println!("{agree}/{total} = {rate:.4}; first misses: {misses:?}");
    assert!(total > 3000, "too few forms read: {total}");
    assert!(rate >= AGREEMENT_FLOOR, "agreement {rate:.4} under {AGREEMENT_FLOOR}; misses: {misses:?}");
}
