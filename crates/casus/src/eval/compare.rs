//! One analysis against one gold case: the counts every score of a [`Report`](super::Report) is
//! computed from.
//!
//! Counts, not scores, are kept per case so that a corpus score is the score of the summed counts
//! (micro-averaging): a case with 200 mentions weighs more than one with 20, as it should when the
//! question is "how many mentions does casus get right".

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::gold::{Dx, GoldAssertion, GoldCase, GoldKind, GoldMention, GoldValue};
use super::matching::{self, Candidate};
use super::metrics::{Accuracy, Confusion, Prf};
use crate::analysis::{
    Analysis, Assertion, CharSpan, Concept, Diagnosis, Entity, EntityType, Experiencer, Hypothesis, Measurement,
    Medication,
};

/// The entity types of the contract, in the order reports list them.
pub const ENTITY_TYPES: [EntityType; 7] = EntityType::ALL;

/// The contract's name of an entity type (`sign_symptom`).
pub fn type_name(entity_type: EntityType) -> &'static str {
    entity_type.as_str()
}

/// One value per context attribute.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attributes<T> {
    pub negated: T,
    pub uncertain: T,
    pub historical: T,
    pub hypothetical: T,
    /// The experiencer is not the patient.
    pub family: T,
}

impl<T> Attributes<T> {
    /// The attributes with their names, in report order.
    pub fn named(&self) -> [(&'static str, &T); 5] {
        [
            ("negated", &self.negated),
            ("uncertain", &self.uncertain),
            ("historical", &self.historical),
            ("hypothetical", &self.hypothetical),
            ("family", &self.family),
        ]
    }

    pub fn map<U>(&self, mut f: impl FnMut(&T) -> U) -> Attributes<U> {
        Attributes {
            negated: f(&self.negated),
            uncertain: f(&self.uncertain),
            historical: f(&self.historical),
            hypothetical: f(&self.hypothetical),
            family: f(&self.family),
        }
    }
}

impl Attributes<Confusion> {
    fn record(&mut self, gold: &GoldAssertion, predicted: &Assertion) {
        self.negated.record(gold.negated, predicted.negated);
        self.uncertain.record(gold.uncertain, predicted.uncertain);
        self.historical.record(gold.historical, predicted.historical);
        self.hypothetical.record(gold.hypothetical, predicted.hypothetical);
        self.family.record(gold.family, predicted.experiencer != Experiencer::Patient);
    }

    pub(crate) fn add(&mut self, other: &Attributes<Confusion>) {
        self.negated += other.negated;
        self.uncertain += other.uncertain;
        self.historical += other.historical;
        self.hypothetical += other.hypothetical;
        self.family += other.family;
    }
}

/// Measurement counts of one case.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeasurementCounts {
    /// Gold `Vital`/`Lab` mentions against predicted measurements, matched by overlapping span.
    pub detection: Prf,
    /// Matched measurements whose value and unit are both right.
    pub value_unit: Accuracy,
    pub value: Accuracy,
    pub unit: Accuracy,
}

impl MeasurementCounts {
    pub(crate) fn add(&mut self, other: &MeasurementCounts) {
        self.detection += other.detection;
        self.value_unit += other.value_unit;
        self.value += other.value;
        self.unit += other.unit;
    }
}

/// The outcome of the blind differential of one case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlindOutcome {
    /// The 1-based rank of the first hypothesis in a category of the final diagnosis, or `None`
    /// when no hypothesis is.
    pub rank: Option<usize>,
}

/// Everything counted on one case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseCounts {
    pub name: String,
    /// Per entity type (contract name): same type and same extent.
    pub strict: BTreeMap<String, Prf>,
    /// Per entity type: same type and overlapping spans.
    pub overlapping: BTreeMap<String, Prf>,
    /// On the entity pairs matched by overlap.
    pub assertions: Attributes<Confusion>,
    pub measurements: MeasurementCounts,
    /// Per code system: gold `N` lines of matched mentions (entities and measurements) whose code
    /// the prediction carries.
    pub normalization: BTreeMap<String, Accuracy>,
    /// Routes of drug mentions matched by overlap: a predicted route equal to the gold `route=`
    /// note is a true positive, a route predicted where gold has another or none a false
    /// positive, a gold route not predicted (or predicted otherwise) a false negative.
    #[serde(default)]
    pub medication_route: Prf,
    /// Stated diagnoses at full ICD-10-CM code.
    pub diagnosis_code: Prf,
    /// Stated diagnoses at 3-character category.
    pub diagnosis_category: Prf,
    /// Present for a case with `blind_text_end`.
    pub blind: Option<BlindOutcome>,
    /// What went wrong running the engine on this case (its gold then counts as missed).
    pub errors: Vec<String>,
}

impl CaseCounts {
    /// Counts with every entity type present and all zero.
    pub fn empty(name: &str) -> CaseCounts {
        let per_type = || ENTITY_TYPES.iter().map(|&t| (type_name(t).to_owned(), Prf::default())).collect();
        CaseCounts {
            name: name.to_owned(),
            strict: per_type(),
            overlapping: per_type(),
            assertions: Attributes::default(),
            measurements: MeasurementCounts::default(),
            normalization: BTreeMap::new(),
            medication_route: Prf::default(),
            diagnosis_code: Prf::default(),
            diagnosis_category: Prf::default(),
            blind: None,
            errors: Vec::new(),
        }
    }
}

/// Compares the analysis of a case's whole text with its gold: entities, assertions,
/// measurements, normalization and stated diagnoses. The blind differential needs its own
/// analysis (see [`blind_rank`]); `blind` is left `None`.
///
/// The case is expected to be valid ([`GoldCase::new`]); gold mentions of an unknown type are
/// ignored.
pub fn compare(analysis: &Analysis, case: &GoldCase) -> CaseCounts {
    compare_parts(&analysis.entities, &analysis.measurements, &analysis.medications, &analysis.diagnoses, case)
}

/// [`compare`] on the parts of an analysis; with empty parts, the counts of an engine that found
/// nothing.
pub(crate) fn compare_parts(
    entities: &[Entity],
    measurements: &[Measurement],
    medications: &[Medication],
    diagnoses: &[Diagnosis],
    case: &GoldCase,
) -> CaseCounts {
    let mut counts = CaseCounts::empty(&case.name);
    let mentions = case.mentions();
    compare_entities(&mut counts, &mentions, entities);
    counts.medication_route = compare_routes(&mentions, entities, medications);
    compare_measurements(&mut counts, &mentions, measurements);
    (counts.diagnosis_code, counts.diagnosis_category) = compare_diagnoses(diagnoses, &case.dx);
    counts
}

/// Per type: strict and overlapping matches; on the overlapping ones, assertions and codes.
fn compare_entities(counts: &mut CaseCounts, mentions: &[GoldMention], entities: &[Entity]) {
    for entity_type in ENTITY_TYPES {
        let gold: Vec<&GoldMention> = mentions.iter().filter(|m| m.kind == GoldKind::Entity(entity_type)).collect();
        let predicted: Vec<&Entity> = entities.iter().filter(|e| e.entity_type == entity_type).collect();
        let name = type_name(entity_type).to_owned();

        let strict = matching::greedy(candidates(&gold, &predicted, |g, p| {
            (g.extent() == (p.span.start, p.span.end)).then_some(1)
        }));
        counts.strict.insert(name.clone(), prf(strict.len(), gold.len(), predicted.len()));

        let matched = matching::greedy(candidates(&gold, &predicted, |g, p| overlap(g, p.span)));
        counts.overlapping.insert(name, prf(matched.len(), gold.len(), predicted.len()));
        for (g, p) in matched {
            counts.assertions.record(&gold[g].assertion, &predicted[p].assertion);
            record_codes(&mut counts.normalization, &gold[g].codes, &predicted[p].concept);
        }
    }
}

/// Routes of the drug mentions matched by overlap (the same matching as the entity scores): gold
/// from `route=` notes, predicted from the medication that points at the entity.
fn compare_routes(mentions: &[GoldMention], entities: &[Entity], medications: &[Medication]) -> Prf {
    let gold: Vec<&GoldMention> = mentions.iter().filter(|m| m.kind == GoldKind::Entity(EntityType::Drug)).collect();
    let predicted: Vec<&Entity> = entities.iter().filter(|e| e.entity_type == EntityType::Drug).collect();
    let route_of =
        |entity: &Entity| medications.iter().find(|m| m.entity == entity.id).and_then(|m| m.route.as_deref());
    let mut counts = Prf::default();
    for (g, p) in matching::greedy(candidates(&gold, &predicted, |g, p| overlap(g, p.span))) {
        counts += route_prf(gold[g].route.as_deref(), route_of(predicted[p]));
    }
    counts
}

/// One gold route against one predicted route.
fn route_prf(gold: Option<&str>, predicted: Option<&str>) -> Prf {
    match (gold, predicted) {
        (Some(g), Some(p)) if g == p => Prf::new(1, 0, 0),
        (Some(_), Some(_)) => Prf::new(0, 1, 1),
        (Some(_), None) => Prf::new(0, 0, 1),
        (None, Some(_)) => Prf::new(0, 1, 0),
        (None, None) => Prf::default(),
    }
}

/// Gold `Vital`/`Lab` against predicted measurements of either kind, by overlap; on the matches,
/// value, unit and codes.
fn compare_measurements(counts: &mut CaseCounts, mentions: &[GoldMention], measurements: &[Measurement]) {
    let gold: Vec<&GoldMention> = mentions.iter().filter(|m| matches!(m.kind, GoldKind::Measurement(_))).collect();
    let predicted: Vec<&Measurement> = measurements.iter().collect();
    let matched = matching::greedy(candidates(&gold, &predicted, |g, p| overlap(g, p.span)));
    let counted = &mut counts.measurements;
    counted.detection = prf(matched.len(), gold.len(), predicted.len());
    for (g, p) in matched {
        let (gold, predicted) = (gold[g], predicted[p]);
        if let Some(measure) = &gold.measure {
            let value = value_matches(&measure.value, predicted);
            let unit = unit_key(measure.unit.as_deref()) == unit_key(predicted.unit.as_deref());
            counted.value.record(value);
            counted.unit.record(unit);
            counted.value_unit.record(value && unit);
        }
        record_codes(&mut counts.normalization, &gold.codes, &predicted.concept);
    }
}

/// Stated diagnoses' ICD-10-CM codes against the final diagnosis: at full code, and at category.
fn compare_diagnoses(diagnoses: &[Diagnosis], dx: &Dx) -> (Prf, Prf) {
    let normal = |code: &String| code.trim().to_uppercase();
    let stated: BTreeSet<String> =
        diagnoses.iter().filter_map(|d| d.concept.codes.get("icd10cm")).flatten().map(normal).collect();
    let final_codes: Vec<BTreeSet<String>> =
        dx.final_.iter().map(|item| item.icd10cm.iter().map(normal).collect()).collect();
    let stated_categories: BTreeSet<String> = stated.iter().map(|code| category(code)).collect();
    (set_prf(&stated, &final_codes), set_prf(&stated_categories, &final_categories(dx)))
}

/// How many code points a prediction shares with a gold mention, when it shares any.
fn overlap(gold: &GoldMention, span: CharSpan) -> Option<usize> {
    Some(matching::overlap(&gold.fragments, span.start, span.end)).filter(|&shared| shared > 0)
}

/// The rank of the first hypothesis of a (blind) differential whose ICD-10-CM category is one of
/// a final diagnosis's categories or accepted categories; `None` when no hypothesis is.
///
/// Hypotheses are taken in the order of their `rank` field (the list order breaks ties), and the
/// rank returned is the 1-based position in that order.
pub fn blind_rank(differential: &[Hypothesis], dx: &Dx) -> Option<usize> {
    let accepted: BTreeSet<String> = final_categories(dx).into_iter().flatten().collect();
    let mut ordered: Vec<&Hypothesis> = differential.iter().collect();
    ordered.sort_by_key(|h| h.rank);
    let position = ordered.iter().position(|h| {
        h.concept.codes.get("icd10cm").into_iter().flatten().any(|code| accepted.contains(&category(code)))
    })?;
    Some(position + 1)
}

/// The 3-character ICD-10 category of a code (`A41.51` → `A41`), upper-cased.
pub fn category(code: &str) -> String {
    code.trim().chars().take(3).collect::<String>().to_uppercase()
}

/// Per final item, the categories that count as right: those of its codes and its `accept` list.
fn final_categories(dx: &Dx) -> Vec<BTreeSet<String>> {
    dx.final_.iter().map(|item| item.icd10cm.iter().chain(&item.accept).map(|code| category(code)).collect()).collect()
}

/// Predictions against final items, where an item is found when any prediction is one of its
/// accepted values. A prediction that is no item's value is a false positive; a second prediction
/// for an item already found is neither counted nor held against the engine.
fn set_prf(predicted: &BTreeSet<String>, items: &[BTreeSet<String>]) -> Prf {
    let found = items.iter().filter(|item| !item.is_disjoint(predicted)).count();
    let wrong = predicted.iter().filter(|p| !items.iter().any(|item| item.contains(*p))).count();
    Prf::new(found, wrong, items.len() - found)
}

fn candidates<G, P>(gold: &[G], predicted: &[P], score: impl Fn(&G, &P) -> Option<usize>) -> Vec<Candidate> {
    let mut out = Vec::new();
    for (g, gold) in gold.iter().enumerate() {
        for (p, predicted) in predicted.iter().enumerate() {
            if let Some(score) = score(gold, predicted) {
                out.push((g, p, score));
            }
        }
    }
    out
}

fn prf(matched: usize, gold: usize, predicted: usize) -> Prf {
    Prf::new(matched, predicted.saturating_sub(matched), gold.saturating_sub(matched))
}

fn record_codes(counts: &mut BTreeMap<String, Accuracy>, gold: &[(String, String)], concept: &Concept) {
    for (system, code) in gold {
        let carried = concept.codes.get(system).is_some_and(|codes| codes.iter().any(|c| c == code))
            || (system == "casus" && concept.id == *code);
        counts.entry(system.clone()).or_default().record(carried);
    }
}

/// A number within 1e-6 relative; a ratio gold value (`142/84`, a blood pressure) against the
/// prediction's components, part by part; a qualitative gold value (`negative`) against a
/// prediction with no number whose `result` is that value, or whose text holds it as a whole word.
fn value_matches(gold: &GoldValue, predicted: &Measurement) -> bool {
    let close = |gold: f64, value: f64| (gold - value).abs() <= 1e-6 * gold.abs().max(value.abs());
    match (gold, predicted.value) {
        (GoldValue::Number(gold), Some(value)) => close(*gold, value),
        (GoldValue::Text(gold), None) => {
            if let (Some((a, b)), Some(components)) = (ratio(gold), &predicted.components) {
                return matches!(&components[..], [first, second] if close(a, first.value) && close(b, second.value));
            }
            predicted.result.as_deref().is_some_and(|result| result.eq_ignore_ascii_case(gold))
                || contains_word(&predicted.text, gold)
        }
        _ => false,
    }
}

/// The two numbers of a ratio as the gold writes it (`142/84`).
fn ratio(value: &str) -> Option<(f64, f64)> {
    let (a, b) = value.split_once('/')?;
    Some((a.trim().parse().ok()?, b.trim().parse().ok()?))
}

/// Case-insensitive, whole-word containment; a dash of any kind is a hyphen (a range the gold
/// writes `3-5` is the text's `3–5`).
fn contains_word(haystack: &str, needle: &str) -> bool {
    let hyphens = |text: &str| text.to_lowercase().replace(['\u{2013}', '\u{2014}', '\u{2212}'], "-");
    let (haystack, needle) = (hyphens(haystack), hyphens(needle));
    !needle.is_empty()
        && haystack.match_indices(&needle).any(|(at, _)| {
            let before = haystack[..at].chars().next_back();
            let after = haystack[at + needle.len()..].chars().next();
            !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
        })
}

/// A unit as compared: its UCUM code when `data/units.tsv` knows the form (as written or as a
/// UCUM code: `mg/dl`, `mg/dL`, `°C`, `o`, `bpm` and `/min` are each one unit), otherwise the
/// form trimmed and lower-cased with the micro sign read as the Greek mu. A unitless value (empty,
/// `1`, a bare UCUM annotation such as `{INR}` or `{score}`, or `[pH]`, a dimensionless
/// logarithm) has no unit.
fn unit_key(unit: Option<&str>) -> Option<String> {
    let unit = unit?.trim();
    let annotation = unit.starts_with('{') && unit.ends_with('}') && !unit[1..].contains('{');
    if unit.is_empty() || unit == "1" || unit == "[pH]" || annotation {
        return None;
    }
    // Micro written as the micro sign, the Greek mu or UCUM's u is one prefix.
    let micro = unit.replace(['\u{b5}', '\u{3bc}'], "u");
    let plain = crate::text::normalize::Views::new(&micro).plain.as_str().to_owned();
    if let Some(ucum) = ucum_by_form().get(&plain) {
        return Some(ucum.clone());
    }
    Some(unit.to_lowercase().replace('\u{b5}', "\u{3bc}"))
}

/// The built-in unit table, by the plain form of each written form and of each UCUM code.
fn ucum_by_form() -> &'static BTreeMap<String, String> {
    static TABLE: std::sync::OnceLock<BTreeMap<String, String>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let plain = |form: &str| {
            let micro = form.replace(['\u{b5}', '\u{3bc}'], "u");
            crate::text::normalize::Views::new(&micro).plain.as_str().to_owned()
        };
        let mut table = BTreeMap::new();
        let units =
            crate::knowledge::EMBEDDED.iter().find(|(name, _)| *name == "units.tsv").map_or("", |(_, text)| text);
        let rows: Vec<(&str, &str)> = units
            .lines()
            .filter(|line| !line.starts_with('#'))
            .skip(1)
            .filter_map(|line| {
                let mut cells = line.split('\t');
                Some((cells.next()?, cells.next()?))
            })
            .collect();
        for &(written, ucum) in &rows {
            table.insert(plain(written), ucum.to_owned());
        }
        for &(_, ucum) in &rows {
            table.entry(plain(ucum)).or_insert_with(|| ucum.to_owned());
        }
        // The letter o after a temperature is its degree sign (see text/tokenize.rs).
        table.entry("o".to_owned()).or_insert_with(|| "Cel".to_owned());
        table
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::gold::FinalDiagnosis;

    fn item(codes: &[&str], accept: &[&str]) -> FinalDiagnosis {
        FinalDiagnosis {
            text: String::new(),
            icd10cm: codes.iter().map(|c| c.to_string()).collect(),
            accept: accept.iter().map(|c| c.to_string()).collect(),
        }
    }

    fn set(codes: &[&str]) -> BTreeSet<String> {
        codes.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn a_wrong_route_is_both_a_false_positive_and_a_false_negative() {
        assert_eq!(route_prf(Some("oral"), Some("oral")), Prf::new(1, 0, 0));
        assert_eq!(route_prf(Some("oral"), Some("intravenous")), Prf::new(0, 1, 1));
        assert_eq!(route_prf(Some("oral"), None), Prf::new(0, 0, 1));
        assert_eq!(route_prf(None, Some("oral")), Prf::new(0, 1, 0));
        assert_eq!(route_prf(None, None), Prf::default());
    }

    #[test]
    fn a_diagnosis_found_twice_counts_once() {
        let items = [set(&["R65.21"]), set(&["A41.51", "A41.9"])];
        // Both codes of item 2 predicted, item 1 missed, one code wrong.
        assert_eq!(set_prf(&set(&["A41.51", "A41.9", "J18.9"]), &items), Prf::new(1, 1, 1));
    }

    #[test]
    fn categories_come_from_codes_and_accept_lists() {
        let dx =
            Dx { final_: vec![item(&["R65.21"], &["R57"]), item(&["E11.649"], &["E16", "T38"])], blind_text_end: None };
        assert_eq!(final_categories(&dx), [set(&["R65", "R57"]), set(&["E11", "E16", "T38"])]);
        assert_eq!(category(" a41.51"), "A41");
        assert_eq!(category("R6"), "R6");
    }

    #[test]
    fn qualitative_values_are_whole_words_of_the_text() {
        assert!(contains_word("Hemoculturi NEGATIVE", "negative"));
        assert!(contains_word("TA 142/84 mmHg", "142/84"));
        assert!(!contains_word("TA 1142/84 mmHg", "142/84"));
        assert!(!contains_word("grup sanguin AB", "A"));
        assert!(!contains_word("", ""));
        assert!(contains_word("leucocite 3\u{2013}5/câmp", "3-5"));
    }

    #[test]
    fn units_compare_case_and_micro_sign_insensitively() {
        assert_eq!(unit_key(Some(" mg/dl ")), unit_key(Some("mg/dL")));
        assert_eq!(unit_key(Some("\u{b5}g/dL")), unit_key(Some("\u{3bc}g/dl")));
        assert_eq!(unit_key(Some("")), None);
        assert_ne!(unit_key(Some("mmol/L")), unit_key(Some("mg/dL")));
        assert_eq!(unit_key(Some("xyz/Q")), Some("xyz/q".to_owned()));
    }

    #[test]
    fn units_compare_as_ucum_codes() {
        assert_eq!(unit_key(Some("°C")), unit_key(Some("o")));
        assert_eq!(unit_key(Some("°C")), unit_key(Some("Cel")));
        assert_eq!(unit_key(Some("bpm")), unit_key(Some("/min")));
        assert_eq!(unit_key(Some("mmHg")), unit_key(Some("mm[Hg]")));
        assert_eq!(unit_key(Some("/mmc")), unit_key(Some("/mm3")));
        assert_eq!(unit_key(Some("{INR}")), None);
        assert_eq!(unit_key(Some("{score}")), None);
        assert_eq!(unit_key(Some("[pH]")), None);
        assert_eq!(unit_key(Some("ºC")), unit_key(Some("°C")));
        assert_ne!(unit_key(Some("/mm3")), unit_key(Some("10*3/uL")));
    }

    #[test]
    fn a_ratio_gold_value_is_compared_with_the_components() {
        let component = |value: f64| crate::analysis::Component {
            concept: Concept { id: String::new(), label: String::new(), codes: Default::default() },
            value,
            unit: None,
            normalized: None,
            interpretation: None,
            reference: None,
        };
        let mut measurement = Measurement {
            id: "m1".into(),
            kind: crate::analysis::MeasurementKind::Vital,
            span: CharSpan { start: 0, end: 8 },
            text: "TA 80/50".into(),
            concept: Concept { id: "blood_pressure".into(), label: String::new(), codes: Default::default() },
            value: None,
            result: None,
            unit: None,
            normalized: None,
            interpretation: None,
            reference: None,
            unit_inferred: false,
            comparator: None,
            components: Some(vec![component(80.0), component(50.0)]),
            parent: None,
        };
        assert!(value_matches(&GoldValue::Text("80/50".into()), &measurement));
        assert!(!value_matches(&GoldValue::Text("80/55".into()), &measurement));
        measurement.components = Some(vec![component(80.0)]);
        assert!(!value_matches(&GoldValue::Text("80/50".into()), &measurement));
    }
}
