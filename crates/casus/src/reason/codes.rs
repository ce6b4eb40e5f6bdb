//! Every ICD-10-CM code a document supports, ranked (CodiEsp-D style): `casus code`.
//!
//! Sources, strongest first:
//! 1. the diagnoses the text states (`analysis.diagnoses`), always ranked above the rest;
//! 2. disorder and sign mentions asserted for the patient: not negated, not hypothetical, about the
//!    patient (not family or others). A historical or uncertain mention still supports its code,
//!    with less weight; a mention inside a diagnosis section counts more than one in the history.
//!
//! Repeated mentions of a code add up (noisy-OR of their weights) and each is kept as evidence.
//! When one span carries two codes of the same category and one is the other's unspecified form,
//! only the more specific one is kept for that span (see [`supersedes`]).
//!
//! The weights are an ordering heuristic, not probabilities: they were set by reading the design
//! (stated > mentioned, disorder > sign, current > past, certain > uncertain), not fitted on any
//! corpus. `evaluate` scores the ranking against the gold `dx.json` final codes.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::analysis::{Analysis, CharSpan, EntityType, Experiencer, SectionKind};
use crate::eval::gold::GoldCase;
use crate::{Engine, Options};

/// The code system ranked.
const SYSTEM: &str = "icd10cm";

/// Weight of a stated diagnosis whose certainty is `confirmed`, and of any other stated one.
const STATED_CONFIRMED: f64 = 0.95;
const STATED_OTHER: f64 = 0.75;
/// Weight of one asserted mention, by type, outside and inside a diagnosis section.
const DISORDER: f64 = 0.6;
const DISORDER_IN_DIAGNOSIS: f64 = 0.9;
const SIGN: f64 = 0.35;
const SIGN_IN_DIAGNOSIS: f64 = 0.5;
/// Factors for a mention of the past, and for an uncertain one.
const HISTORICAL: f64 = 0.5;
const UNCERTAIN: f64 = 0.6;

/// The ranked codes of one document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CodeList {
    pub codes: Vec<RankedCode>,
}

/// One code with its score and the text that supports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankedCode {
    pub code: String,
    /// In (0, 1): the noisy-OR of the weights of its mentions. Higher is better supported.
    pub score: f64,
    /// The label of the concept of its strongest mention.
    pub label: String,
    /// Spans `[start, end)` in code points, in text order.
    pub evidence: Vec<CharSpan>,
    /// What supports it: `stated_diagnosis`, `disorder`, `sign_symptom`.
    pub sources: Vec<String>,
}

/// One piece of support for one code.
#[derive(Debug, Clone)]
struct Support<'a> {
    code: &'a str,
    span: CharSpan,
    weight: f64,
    source: &'static str,
    label: &'a str,
}

/// Ranks every ICD-10-CM code the analysis supports.
pub fn rank(analysis: &Analysis) -> CodeList {
    let supports = supersede(collect(analysis));
    let mut by_code: BTreeMap<&str, Vec<&Support>> = BTreeMap::new();
    for support in &supports {
        by_code.entry(support.code).or_default().push(support);
    }
    let mut codes: Vec<(bool, RankedCode)> = by_code
        .into_iter()
        .map(|(code, supports)| {
            let stated = supports.iter().any(|s| s.source == "stated_diagnosis");
            let miss: f64 = supports.iter().map(|s| 1.0 - s.weight).product();
            let strongest = supports
                .iter()
                .max_by(|a, b| a.weight.total_cmp(&b.weight).then(b.span.cmp(&a.span)))
                .expect("a code has at least one support");
            let evidence: BTreeSet<CharSpan> = supports.iter().map(|s| s.span).collect();
            let sources: BTreeSet<&str> = supports.iter().map(|s| s.source).collect();
            let ranked = RankedCode {
                code: code.to_owned(),
                score: round4(1.0 - miss),
                label: strongest.label.to_owned(),
                evidence: evidence.into_iter().collect(),
                sources: sources.into_iter().map(str::to_owned).collect(),
            };
            (stated, ranked)
        })
        .collect();
    codes.sort_by(|(stated_a, a), (stated_b, b)| {
        stated_b
            .cmp(stated_a)
            .then(b.score.total_cmp(&a.score))
            .then(a.evidence.first().cmp(&b.evidence.first()))
            .then(a.code.cmp(&b.code))
    });
    CodeList { codes: codes.into_iter().map(|(_, code)| code).collect() }
}

fn round4(value: f64) -> f64 {
    (value * 10_000.0).round() / 10_000.0
}

/// Every code of every stated diagnosis and asserted disorder or sign mention, with its weight.
fn collect(analysis: &Analysis) -> Vec<Support<'_>> {
    let mut supports = Vec::new();
    for diagnosis in &analysis.diagnoses {
        let weight = if diagnosis.certainty == "confirmed" { STATED_CONFIRMED } else { STATED_OTHER };
        for code in diagnosis.concept.codes.get(SYSTEM).into_iter().flatten() {
            supports.push(Support {
                code,
                span: diagnosis.span,
                weight,
                source: "stated_diagnosis",
                label: &diagnosis.concept.label,
            });
        }
    }
    for entity in &analysis.entities {
        let assertion = &entity.assertion;
        if assertion.negated || assertion.hypothetical || assertion.experiencer != Experiencer::Patient {
            continue;
        }
        let in_diagnosis = entity.section == Some(SectionKind::Diagnosis);
        let (base, source) = match (entity.entity_type, in_diagnosis) {
            (EntityType::Disorder, false) => (DISORDER, "disorder"),
            (EntityType::Disorder, true) => (DISORDER_IN_DIAGNOSIS, "disorder"),
            (EntityType::SignSymptom, false) => (SIGN, "sign_symptom"),
            (EntityType::SignSymptom, true) => (SIGN_IN_DIAGNOSIS, "sign_symptom"),
            _ => continue,
        };
        let mut weight = base;
        if assertion.historical {
            weight *= HISTORICAL;
        }
        if assertion.uncertain {
            weight *= UNCERTAIN;
        }
        for code in entity.concept.codes.get(SYSTEM).into_iter().flatten() {
            supports.push(Support { code, span: entity.span, weight, source, label: &entity.concept.label });
        }
    }
    supports
}

/// Drops each support whose code is superseded by a more specific code supported on an
/// overlapping span.
fn supersede(supports: Vec<Support<'_>>) -> Vec<Support<'_>> {
    let keep: Vec<bool> = supports
        .iter()
        .map(|general| {
            !supports
                .iter()
                .any(|specific| overlaps(general.span, specific.span) && supersedes(specific.code, general.code))
        })
        .collect();
    supports.into_iter().zip(keep).filter_map(|(support, keep)| keep.then_some(support)).collect()
}

fn overlaps(a: CharSpan, b: CharSpan) -> bool {
    a.start < b.end && b.start < a.end
}

/// Whether `specific` makes `general` redundant: both in the same 3-character category and
/// `general` is either an ancestor of `specific` (`A41` or `A41.5` of `A41.51`) or the category's
/// unspecified subcategory — a fourth character 9 with nothing after it (`A41.9`, `J18.9`), the
/// ICD-10-CM convention for "unspecified" at that level.
pub fn supersedes(specific: &str, general: &str) -> bool {
    if specific == general || specific.get(..3) != general.get(..3) {
        return false;
    }
    let ancestor = specific.starts_with(general) && specific.len() > general.len();
    let unspecified = general.len() == 5 && general.ends_with(".9");
    ancestor || unspecified
}

/// How well the ranked codes find the gold final diagnoses (`dx.json`), at two levels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CodeEvaluation {
    pub documents: usize,
    /// Codes returned, over all documents.
    pub predicted: usize,
    /// Gold final diagnoses, over all documents.
    pub gold: usize,
    /// A code counts when it is one of the gold diagnosis's `icd10cm` codes.
    pub exact: LevelScores,
    /// A code counts when its 3-character category is that of a gold code or one of its `accept`
    /// categories.
    pub category: LevelScores,
}

/// Precision and recall over all returned codes and over the top 5, and mean average precision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LevelScores {
    pub precision: f64,
    pub recall: f64,
    pub precision_at_5: f64,
    pub recall_at_5: f64,
    /// Mean over documents of the average precision of the ranking (each gold diagnosis found
    /// at most once; one not found adds 0).
    pub map: f64,
}

/// The level at which a code matches a gold diagnosis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Exact,
    Category,
}

/// Ranks the codes of every case (the whole text, not blind) and scores them.
pub fn evaluate(engine: &Engine, cases: &[GoldCase]) -> CodeEvaluation {
    let ranked: Vec<(Vec<String>, &GoldCase)> = cases
        .iter()
        .map(|case| {
            let codes = match engine.analyze(&case.text, &Options::default()) {
                Ok(analysis) => rank(&analysis).codes.into_iter().map(|c| c.code).collect(),
                Err(_) => Vec::new(),
            };
            (codes, case)
        })
        .collect();
    CodeEvaluation {
        documents: cases.len(),
        predicted: ranked.iter().map(|(codes, _)| codes.len()).sum(),
        gold: cases.iter().map(|case| case.dx.final_.len()).sum(),
        exact: level_scores(&ranked, Level::Exact),
        category: level_scores(&ranked, Level::Category),
    }
}

fn level_scores(ranked: &[(Vec<String>, &GoldCase)], level: Level) -> LevelScores {
    let (mut hits, mut predicted, mut hits5, mut predicted5, mut gold) = (0, 0, 0, 0, 0);
    let mut average_precisions = Vec::new();
    for (codes, case) in ranked {
        let total_gold = case.dx.final_.len();
        gold += total_gold;
        predicted += codes.len();
        predicted5 += codes.len().min(5);
        // Each hit finds a different gold diagnosis, so hits are also diagnoses found.
        let (mut case_hits, mut precision_sum) = (0, 0.0);
        for (k, relevant) in relevance(codes, case, level).into_iter().enumerate() {
            if relevant {
                case_hits += 1;
                precision_sum += case_hits as f64 / (k + 1) as f64;
                if k < 5 {
                    hits5 += 1;
                }
            }
        }
        hits += case_hits;
        if total_gold > 0 {
            average_precisions.push(precision_sum / total_gold as f64);
        }
    }
    let ratio = |a: f64, b: f64| if b == 0.0 { 0.0 } else { round4(a / b) };
    LevelScores {
        precision: ratio(hits as f64, predicted as f64),
        recall: ratio(hits as f64, gold as f64),
        precision_at_5: ratio(hits5 as f64, predicted5 as f64),
        recall_at_5: ratio(hits5 as f64, gold as f64),
        map: ratio(average_precisions.iter().sum(), average_precisions.len() as f64),
    }
}

/// For each ranked code, whether it finds a gold diagnosis not found by a code ranked above it.
pub fn relevance(codes: &[String], case: &GoldCase, level: Level) -> Vec<bool> {
    let mut found = vec![false; case.dx.final_.len()];
    codes
        .iter()
        .map(|code| {
            let hit = case.dx.final_.iter().enumerate().find(|(i, dx)| {
                !found[*i]
                    && match level {
                        Level::Exact => dx.icd10cm.iter().any(|gold| gold == code),
                        Level::Category => {
                            let category = code.get(..3).unwrap_or(code);
                            dx.icd10cm.iter().any(|gold| gold.get(..3) == Some(category))
                                || dx.accept.iter().any(|accept| code.starts_with(accept.as_str()))
                        }
                    }
            });
            match hit {
                Some((i, _)) => {
                    found[i] = true;
                    true
                }
                None => false,
            }
        })
        .collect()
}

impl CodeEvaluation {
    /// A small table for the terminal.
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "ICD-10-CM code ranking vs dx.json final diagnoses: {} documents, {} codes returned, {} gold diagnoses\n",
            self.documents, self.predicted, self.gold
        );
        out.push_str("level     precision  recall  P@5     R@5     MAP\n");
        for (name, s) in [("exact", &self.exact), ("category", &self.category)] {
            out.push_str(&format!(
                "{name:<9} {:<10.3} {:<7.3} {:<7.3} {:<7.3} {:.3}\n",
                s.precision, s.recall, s.precision_at_5, s.recall_at_5, s.map
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// An analysis with the given entities and stated diagnoses and nothing else.
    fn analysis(entities: serde_json::Value, diagnoses: serde_json::Value) -> Analysis {
        serde_json::from_value(json!({
            "schema": 1, "casus_version": "test", "language": "ro", "blind": false,
            "patient": { "age": null, "sex": null, "sex_span": null },
            "sections": [], "sentences": [], "entities": entities, "measurements": [], "medications": [],
            "microbiology": [], "diagnoses": diagnoses, "scores": [], "differential": [], "warnings": [],
        }))
        .unwrap()
    }

    /// An entity of `kind` at `span` with ICD-10-CM `codes` and the assertion flags named in `flags`.
    fn entity(
        id: &str,
        kind: &str,
        span: [usize; 2],
        codes: &[&str],
        flags: &[&str],
        section: &str,
    ) -> serde_json::Value {
        let flag = |name: &str| flags.contains(&name);
        json!({
            "id": id, "type": kind, "span": span, "text": "x",
            "concept": { "id": id, "label": format!("label {id}"), "codes": { "icd10cm": codes } },
            "assertion": {
                "negated": flag("negated"), "uncertain": flag("uncertain"), "historical": flag("historical"),
                "hypothetical": flag("hypothetical"), "experiencer": if flag("family") { "family" } else { "patient" },
            },
            "section": section,
        })
    }

    fn codes(list: &CodeList) -> Vec<&str> {
        list.codes.iter().map(|c| c.code.as_str()).collect()
    }

    #[test]
    fn only_findings_asserted_for_the_patient_count() {
        let a = analysis(
            json!([
                entity("e1", "disorder", [0, 5], &["J18.9"], &[], "history"),
                entity("e2", "disorder", [10, 15], &["N10"], &["negated"], "history"),
                entity("e3", "disorder", [20, 25], &["C50.919"], &["family"], "history"),
                entity("e4", "disorder", [30, 35], &["I21.9"], &["hypothetical"], "history"),
                entity("e5", "anatomy", [40, 45], &["R10.9"], &[], "history"),
            ]),
            json!([]),
        );
        assert_eq!(codes(&rank(&a)), ["J18.9"]);
    }

    #[test]
    fn stated_first_then_by_weight_historical_and_uncertain_lower() {
        let a = analysis(
            json!([
                entity("e1", "sign_symptom", [0, 5], &["R50.9"], &[], "history"),
                entity("e2", "disorder", [10, 15], &["E11.9"], &["historical"], "history"),
                entity("e3", "disorder", [20, 25], &["J18.9"], &[], "exam"),
                entity("e4", "disorder", [30, 35], &["I26.99"], &["uncertain"], "imaging"),
            ]),
            json!([{ "id": "d1", "source": "stated", "span": [50, 60], "text": "x",
                     "concept": { "id": "c", "label": "Sepsis", "codes": { "icd10cm": ["A41.51"] } },
                     "role": "principal", "certainty": "confirmed", "due_to": [] }]),
        );
        let ranked = rank(&a);
        assert_eq!(codes(&ranked), ["A41.51", "J18.9", "I26.99", "R50.9", "E11.9"]);
        assert_eq!(ranked.codes[0].sources, ["stated_diagnosis"]);
        assert_eq!(ranked.codes[0].evidence, [CharSpan { start: 50, end: 60 }]);
    }

    #[test]
    fn repeated_mentions_add_up_as_evidence() {
        let a = analysis(
            json!([
                entity("e1", "disorder", [0, 5], &["J18.9"], &[], "history"),
                entity("e2", "disorder", [40, 45], &["J18.9"], &[], "course"),
                entity("e3", "disorder", [20, 25], &["N10"], &[], "exam"),
            ]),
            json!([]),
        );
        let ranked = rank(&a);
        assert_eq!(codes(&ranked), ["J18.9", "N10"]);
        assert_eq!(ranked.codes[0].evidence.len(), 2);
        assert!(ranked.codes[0].score > ranked.codes[1].score);
        assert!((ranked.codes[0].score - (1.0 - 0.4 * 0.4)).abs() < 1e-9);
    }

    #[test]
    fn a_specific_code_supersedes_the_unspecified_one_on_the_same_span_only() {
        let a = analysis(
            json!([
                entity("e1", "disorder", [0, 10], &["A41.9"], &[], "diagnosis"),
                entity("e2", "disorder", [0, 20], &["A41.51"], &[], "diagnosis"),
                entity("e3", "disorder", [30, 40], &["A41.9"], &[], "course"),
                entity("e4", "disorder", [50, 60], &["M46.4", "M46.47"], &[], "imaging"),
            ]),
            json!([]),
        );
        let ranked = rank(&a);
        assert_eq!(codes(&ranked), ["A41.51", "A41.9", "M46.47"], "ties by first evidence");
        let unspecified = ranked.codes.iter().find(|c| c.code == "A41.9").unwrap();
        assert_eq!(unspecified.evidence, [CharSpan { start: 30, end: 40 }], "kept where nothing more specific is");
    }

    #[test]
    fn supersession_rules() {
        assert!(supersedes("A41.51", "A41.9"));
        assert!(supersedes("A41.51", "A41"));
        assert!(supersedes("A41.51", "A41.5"));
        assert!(!supersedes("A41.9", "A41.51"));
        assert!(!supersedes("A40.9", "A41.9"), "another category");
        assert!(!supersedes("M46.47", "M46.49"), "a sibling, not an unspecified parent");
        assert!(!supersedes("R65.21", "R65.21"));
    }

    #[test]
    fn relevance_matches_each_gold_diagnosis_once() {
        use crate::eval::gold::{Dx, FinalDiagnosis};
        let dx = Dx {
            final_: vec![
                FinalDiagnosis { text: "a".into(), icd10cm: vec!["R65.21".into()], accept: vec!["R57".into()] },
                FinalDiagnosis { text: "b".into(), icd10cm: vec!["M46.47".into()], accept: vec![] },
            ],
            blind_text_end: None,
        };
        let case = GoldCase::new("c", "text", crate::eval::brat::parse("").unwrap(), dx).unwrap();
        let ranked: Vec<String> = ["R57.9", "R65.21", "M46.49", "J18.9"].iter().map(|s| s.to_string()).collect();
        assert_eq!(relevance(&ranked, &case, Level::Exact), [false, true, false, false]);
        // R57.9 takes the first diagnosis by its accepted category; R65.21 then finds none left.
        assert_eq!(relevance(&ranked, &case, Level::Category), [true, false, true, false]);
    }
}
