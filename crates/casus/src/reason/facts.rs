//! The extracted facts as the reasoning stages read them: findings asserted for the patient or
//! explicitly absent, and measured quantities in the unit a formula wants.
//!
//! Reasoning never reads the text's own diagnosis: mentions inside diagnosis statements are
//! invisible here, blind or not, so a differential cannot echo the answer it is meant to find.

use std::borrow::Cow;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::analysis::{Analysis, CharSpan, Component, Entity, Measurement};
use crate::knowledge::concepts::ConceptEntry;

/// Parent links of the concept inventory, by the concepts' indexes (the inventory's order), and
/// each id's index: reasoning walks up the tree for every mention and measurement of a case, and a
/// step by index costs a load where a step by id cost a hash and a string comparison.
#[derive(Debug, Clone, Default)]
pub struct ConceptTree {
    index: FxHashMap<String, u32>,
    parent: Vec<Option<u32>>,
}

impl ConceptTree {
    pub fn new(concepts: &[ConceptEntry]) -> ConceptTree {
        let index: FxHashMap<String, u32> =
            concepts.iter().enumerate().map(|(i, c)| (c.id.clone(), i as u32)).collect();
        let parent = concepts.iter().map(|c| index.get(c.parent.as_deref()?).copied()).collect();
        ConceptTree { index, parent }
    }

    /// The index of a concept id of the inventory (none for an id outside it).
    pub fn index_of(&self, concept: &str) -> Option<u32> {
        self.index.get(concept).copied()
    }

    /// The concept and its ancestors, nearest first (at most 32: a cycle in the data must not hang
    /// the engine, and no real hierarchy is this deep).
    pub fn lineage(&self, concept: u32) -> impl Iterator<Item = u32> + '_ {
        let mut next = Some(concept);
        let mut steps = 0;
        std::iter::from_fn(move || {
            let current = next?;
            steps += 1;
            next = if steps < 32 { self.parent.get(current as usize).copied().flatten() } else { None };
            Some(current)
        })
    }

    /// Whether `concept` is `ancestor` or lies under it.
    pub fn is_a(&self, concept: u32, ancestor: u32) -> bool {
        self.lineage(concept).any(|c| c == ancestor)
    }
}

/// What the text says of the patient, for scores and the differential.
///
/// Concepts are looked up by their index in the inventory ([`ConceptTree::index_of`]); a concept
/// outside the inventory (none the engine writes) is no finding.
#[derive(Debug, Clone)]
pub struct Facts<'a> {
    pub analysis: &'a Analysis,
    pub tree: &'a ConceptTree,
    /// The diagnosis statements (code points): their mentions are not findings.
    pub statements: &'a [CharSpan],
    /// Per concept, the presence of it or of anything under it, worked out once per document:
    /// reasoning asks about the same few hundred concepts for every disease.
    presence: FxHashMap<u32, Presence<'a>>,
    /// The same, leaving out the past.
    presence_now: FxHashMap<u32, Presence<'a>>,
    /// Every concept a measurement (or a component of one) is or lies under.
    measured: FxHashSet<u32>,
    /// Per concept, the measurements of it or of one under it (indexes, text order): worked
    /// out once per document, as scores and the differential ask for many concepts.
    measurements_of: FxHashMap<u32, Vec<usize>>,
    /// The same for components, as (measurement, component) indexes.
    components_of: FxHashMap<u32, Vec<(usize, usize)>>,
}

/// Whether a finding is there, explicitly absent, or not mentioned.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Presence<'a> {
    Present(&'a Entity),
    /// Present but uncertain ("sugerând", "posibil").
    Possible(&'a Entity),
    Absent(&'a Entity),
    Unknown,
}

/// How strongly a presence asserts: present over possible over absent over unknown.
fn strength(presence: &Presence<'_>) -> u8 {
    match presence {
        Presence::Present(_) => 3,
        Presence::Possible(_) => 2,
        Presence::Absent(_) => 1,
        Presence::Unknown => 0,
    }
}

/// Per concept, the presence of it or of anything under it, as the mentions are recorded in
/// text order: the first mention of the strongest kind wins.
struct PresenceIndex<'a> {
    presence: FxHashMap<u32, Presence<'a>>,
    /// Per concept mentioned, the strongest kind of mention of it recorded so far. A mention no
    /// stronger than that changes nothing, here or anywhere up its lineage (the same lineage,
    /// whose presences are all at least that strong): case reports repeat their findings, and
    /// the repeats skip the walk up the tree.
    recorded: FxHashMap<u32, u8>,
}

impl<'a> PresenceIndex<'a> {
    fn with_capacity(mentions: usize) -> PresenceIndex<'a> {
        PresenceIndex {
            // A mention and a few ancestors each, most of them shared.
            presence: FxHashMap::with_capacity_and_hasher(mentions * 2, Default::default()),
            recorded: FxHashMap::with_capacity_and_hasher(mentions, Default::default()),
        }
    }

    fn record(&mut self, tree: &ConceptTree, concept: u32, this: Presence<'a>) {
        let recorded = self.recorded.entry(concept).or_insert(0);
        if *recorded >= strength(&this) {
            return;
        }
        *recorded = strength(&this);
        for concept in tree.lineage(concept) {
            let slot = self.presence.entry(concept).or_insert(Presence::Unknown);
            if strength(&this) > strength(slot) {
                *slot = this;
            }
        }
    }
}

impl<'a> Facts<'a> {
    pub fn new(analysis: &'a Analysis, tree: &'a ConceptTree, statements: &'a [CharSpan]) -> Facts<'a> {
        let mentions = analysis.entities.len();
        let (mut presence, mut presence_now) =
            (PresenceIndex::with_capacity(mentions), PresenceIndex::with_capacity(mentions));
        let findings = analysis.entities.iter().filter(|e| {
            !statements.iter().any(|s| s.start < e.span.end && e.span.start < s.end)
                && e.assertion.experiencer == crate::analysis::Experiencer::Patient
                && !e.assertion.hypothetical
        });
        for entity in findings {
            let Some(concept) = tree.index_of(&entity.concept.id) else { continue };
            let this = match (entity.assertion.negated, entity.assertion.uncertain) {
                (true, _) => Presence::Absent(entity),
                (false, true) => Presence::Possible(entity),
                (false, false) => Presence::Present(entity),
            };
            presence.record(tree, concept, this);
            if !entity.assertion.historical && !entity.assertion.negated {
                presence_now.record(tree, concept, this);
            }
        }
        let (presence, presence_now) = (presence.presence, presence_now.presence);
        let mut measured = FxHashSet::default();
        let mut measurements_of: FxHashMap<u32, Vec<usize>> = FxHashMap::default();
        let mut components_of: FxHashMap<u32, Vec<(usize, usize)>> = FxHashMap::default();
        for (i, m) in analysis.measurements.iter().enumerate() {
            for concept in tree.index_of(&m.concept.id).into_iter().flat_map(|c| tree.lineage(c)) {
                measured.insert(concept);
                index_once(measurements_of.entry(concept).or_default(), i);
            }
            for (j, c) in m.components.iter().flatten().enumerate() {
                for concept in tree.index_of(&c.concept.id).into_iter().flat_map(|c| tree.lineage(c)) {
                    measured.insert(concept);
                    index_once(components_of.entry(concept).or_default(), (i, j));
                }
            }
        }
        Facts { analysis, tree, statements, presence, presence_now, measured, measurements_of, components_of }
    }

    /// The presence of a concept (or anything under it): a certain mention wins over an uncertain
    /// one, which wins over a negated one.
    pub fn presence(&self, concept: &str) -> Presence<'a> {
        self.tree.index_of(concept).map_or(Presence::Unknown, |c| self.presence_of(c))
    }

    /// [`Facts::presence`] of a concept by its index.
    pub fn presence_of(&self, concept: u32) -> Presence<'a> {
        self.presence.get(&concept).copied().unwrap_or(Presence::Unknown)
    }

    /// Like [`Facts::presence`], leaving out what the text places in the past ("antecedente de")
    /// and what it denies.
    pub fn presence_now(&self, concept: &str) -> Presence<'a> {
        let known = self.tree.index_of(concept).and_then(|c| self.presence_now.get(&c));
        known.copied().unwrap_or(Presence::Unknown)
    }

    /// Every concept the text mentions (or mentions one under), by index, with its presence, in
    /// no particular order: for a reader that wants many concepts and looks up the few mentioned
    /// instead of asking about each.
    pub fn presences(&self) -> impl Iterator<Item = (u32, Presence<'a>)> + '_ {
        self.presence.iter().map(|(&concept, &presence)| (concept, presence))
    }

    /// Like [`Facts::presences`], leaving out the past and what the text denies.
    pub fn presences_now(&self) -> impl Iterator<Item = (u32, Presence<'a>)> + '_ {
        self.presence_now.iter().map(|(&concept, &presence)| (concept, presence))
    }

    /// The first present (certain or not) mention of any of `concepts`.
    pub fn any_present(&self, concepts: &[&str]) -> Option<&'a Entity> {
        concepts.iter().find_map(|c| match self.presence(c) {
            Presence::Present(e) | Presence::Possible(e) => Some(e),
            _ => None,
        })
    }

    /// Whether the text measures the concept (by index, or one under it), alone or as a component.
    pub fn is_measured(&self, concept: u32) -> bool {
        self.measured.contains(&concept)
    }

    /// Every concept the text measures (or measures one under), by index, alone or as a
    /// component, in no particular order: for a reader that looks up the few measured instead of
    /// asking of each.
    pub fn measured_concepts(&self) -> impl Iterator<Item = u32> + '_ {
        self.measured.iter().copied()
    }

    /// The measurements of a concept, in text order.
    pub fn measurements(&self, concept: &str) -> impl Iterator<Item = &'a Measurement> + '_ {
        self.tree.index_of(concept).into_iter().flat_map(|c| self.measurements_of(c))
    }

    /// [`Facts::measurements`] of a concept by its index.
    pub fn measurements_of(&self, concept: u32) -> impl Iterator<Item = &'a Measurement> + '_ {
        let all = &self.analysis.measurements;
        self.measurements_of.get(&concept).into_iter().flatten().map(move |&i| &all[i])
    }

    /// The components of a concept (by index, or of one under it), each with its measurement, in
    /// text order.
    pub fn components_of(&self, concept: u32) -> impl Iterator<Item = (&'a Component, &'a Measurement)> + '_ {
        let all = &self.analysis.measurements;
        self.components_of.get(&concept).into_iter().flatten().filter_map(move |&(i, j)| {
            let m = &all[i];
            Some((m.components.as_ref()?.get(j)?, m))
        })
    }

    /// The first value of a concept in `unit` (the presentation value: case reports give it first).
    pub fn quantity(&self, concept: &str, unit: Canonical) -> Option<(f64, CharSpan)> {
        self.measurements(concept).find_map(|m| Some((unit.read(m)?, m.span)))
    }

    /// Every value of a concept in `unit`, in text order.
    pub fn quantities(&self, concept: &str, unit: Canonical) -> Vec<(f64, CharSpan)> {
        self.measurements(concept).filter_map(|m| Some((unit.read(m)?, m.span))).collect()
    }

    /// Systolic and diastolic pressure of the first blood pressure, in mm[Hg]: its components,
    /// or the ratio of its text when the measurement stage gave none.
    pub fn blood_pressure(&self) -> Option<(f64, f64, CharSpan)> {
        self.measurements("blood_pressure").find_map(|m| {
            let part = |id: &str| m.components.iter().flatten().find(|c| c.concept.id == id).map(|c| c.value);
            let (systolic, diastolic) = match (part("systolic_blood_pressure"), part("diastolic_blood_pressure")) {
                (Some(s), Some(d)) => (s, d),
                _ => ratio(&m.text)?,
            };
            Some((systolic, diastolic, m.span))
        })
    }
}

/// Adds an index to a list unless it was just added (a cycle in the data repeats a lineage).
fn index_once<T: PartialEq>(list: &mut Vec<T>, index: T) {
    if list.last() != Some(&index) {
        list.push(index);
    }
}

/// The last "N/M" of a blood-pressure text ("TA 80/50 mmHg" → 80, 50).
fn ratio(text: &str) -> Option<(f64, f64)> {
    let token = text.split(|c: char| c.is_whitespace() || c == ':' || c == '=').rev().find(|t| t.contains('/'))?;
    let (a, b) = token.split_once('/')?;
    let number = |s: &str| s.trim_matches(|c: char| !c.is_ascii_digit()).parse::<f64>().ok();
    Some((number(a)?, number(b)?))
}

/// The units formulas want, and how a written value is brought to them.
///
/// Conversion factors: molar masses from the IUPAC atomic weights (creatinine 113.12 g/mol →
/// 88.42 µmol/L per mg/dL; bilirubin 584.66 → 17.10; lactate 90.08 → 0.111 mmol/L per mg/dL;
/// urea 60.06 → 0.1665; urea nitrogen 28.01 → 0.357; calcium 40.08 → 0.2495), and count units
/// by their definition (1 /mm3 = 1 /µL = 10⁻³ × 10³/µL).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Canonical {
    /// Counts in 10³/µL (leukocytes, platelets).
    ThousandsPerMicroliter,
    CreatinineMgDl,
    BilirubinMgDl,
    LactateMmolL,
    /// Urea in mmol/L, from urea (mg/dL) or urea nitrogen (BUN, mg/dL).
    UreaMmolL,
    UreaNitrogenMgDl,
    CalciumMgDl,
    AlbuminGDl,
    MmolL,
    Celsius,
    PerMinute,
    MmHg,
    Percent,
    /// Fraction of inspired oxygen as 0.21–1.0.
    Fraction,
    Plain,
}

impl Canonical {
    /// The value of a measurement in this unit, if it has one that converts.
    pub fn read(self, m: &Measurement) -> Option<f64> {
        let value = m.value?;
        let unit = m.unit.as_deref().map(unit_key).unwrap_or_default();
        let molar = unit.contains("mol");
        let per_mm3 = (unit.contains("mm3") || unit.contains("mmc") || unit.contains("/µl") || unit.contains("/ul"))
            && !unit.contains("10")
            && !unit.contains("mii");
        Some(match self {
            Canonical::ThousandsPerMicroliter if per_mm3 || (unit.is_empty() && value > 1_000.0) => value / 1_000.0,
            Canonical::ThousandsPerMicroliter => value,
            Canonical::CreatinineMgDl if molar || (unit.is_empty() && value > 25.0) => value / 88.42,
            Canonical::BilirubinMgDl if molar || (unit.is_empty() && value > 40.0) => value / 17.1,
            Canonical::LactateMmolL if unit.contains("mg") => value * 0.111,
            Canonical::UreaMmolL if molar => value,
            Canonical::UreaMmolL if m.concept.id == "blood_urea_nitrogen" => value * 0.357,
            Canonical::UreaMmolL if unit.contains("g") || value > 15.0 => value * 0.1665,
            Canonical::UreaNitrogenMgDl if molar => value / 0.357,
            Canonical::UreaNitrogenMgDl if m.concept.id == "blood_urea_nitrogen" => value,
            Canonical::UreaNitrogenMgDl if unit.contains("g") || value > 15.0 => value * 0.1665 / 0.357,
            Canonical::UreaNitrogenMgDl => value / 0.357,
            Canonical::CalciumMgDl if molar || value < 4.0 => value / 0.2495,
            Canonical::AlbuminGDl if unit.contains("/l") || value > 10.0 => value / 10.0,
            Canonical::Fraction if value > 1.0 => value / 100.0,
            _ => value,
        })
    }
}

/// A unit as conversions compare it: in lower case, with the micro sign for the Greek mu. Scores
/// read a unit for every value they ask for, so it is copied only when it must change, and changed
/// once.
fn unit_key(unit: &str) -> Cow<'_, str> {
    if unit.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase()) {
        return Cow::Borrowed(unit);
    }
    let lower = unit.to_lowercase();
    match lower.contains('μ') {
        true => Cow::Owned(lower.replace('μ', "µ")),
        false => Cow::Owned(lower),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lineages_by_index_follow_the_parent_ids() {
        let knowledge = crate::knowledge::Knowledge::embedded().expect("the embedded knowledge");
        let concepts = &knowledge.concepts;
        let tree = ConceptTree::new(concepts);
        let parent_of: FxHashMap<&str, &str> =
            concepts.iter().filter_map(|c| Some((c.id.as_str(), c.parent.as_deref()?))).collect();
        for (i, concept) in concepts.iter().enumerate() {
            assert_eq!(tree.index_of(&concept.id), Some(i as u32));
            // The plain walk: from id to parent id, at most 32 steps.
            let by_id: Vec<&str> =
                std::iter::successors(Some(concept.id.as_str()), |id| parent_of.get(id).copied()).take(32).collect();
            let by_index: Vec<&str> = tree.lineage(i as u32).map(|c| concepts[c as usize].id.as_str()).collect();
            assert_eq!(by_index, by_id);
            let root = tree.index_of(by_id[by_id.len() - 1]).expect("an inventory id");
            assert!(tree.is_a(i as u32, root) && tree.is_a(i as u32, i as u32));
        }
    }

    #[test]
    fn unit_keys_are_the_lower_case_units_with_the_micro_sign() {
        for unit in ["mg/dL", "mg/dl", "μmol/L", "µmol/l", "ΜMOL/L", "10^3/μL", "/mm3", "%", "", "mm[Hg]", "İU/L"]
        {
            assert_eq!(unit_key(unit), unit.to_lowercase().replace('μ', "µ"), "{unit}");
        }
    }

    #[test]
    fn blood_pressure_is_read_from_its_ratio() {
        assert_eq!(ratio("TA 80/50"), Some((80.0, 50.0)));
        assert_eq!(ratio("TA=120/70 mmHg"), Some((120.0, 70.0)));
        assert_eq!(ratio("TA"), None);
    }
}
