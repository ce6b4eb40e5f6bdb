//! The extracted facts as the reasoning stages read them: findings asserted for the patient or
//! explicitly absent, and measured quantities in the unit a formula wants.
//!
//! Reasoning never reads the text's own diagnosis: mentions inside diagnosis statements are
//! invisible here, blind or not, so a differential cannot echo the answer it is meant to find.

use rustc_hash::FxHashMap;

use crate::analysis::{Analysis, CharSpan, Component, Entity, Measurement};
use crate::knowledge::concepts::ConceptEntry;

/// Parent links of the concept inventory, by id.
#[derive(Debug, Clone, Default)]
pub struct ConceptTree {
    parent: FxHashMap<String, String>,
}

impl ConceptTree {
    pub fn new(concepts: &[ConceptEntry]) -> ConceptTree {
        let parent = concepts.iter().filter_map(|c| Some((c.id.clone(), c.parent.clone()?))).collect();
        ConceptTree { parent }
    }

    /// The concept and its ancestors, nearest first (at most 32: a cycle in the data must not hang
    /// the engine, and no real hierarchy is this deep).
    pub fn lineage<'t>(&'t self, concept: &'t str) -> impl Iterator<Item = &'t str> + 't {
        let mut next = Some(concept);
        let mut steps = 0;
        std::iter::from_fn(move || {
            let current = next?;
            steps += 1;
            next = if steps < 32 { self.parent.get(current).map(String::as_str) } else { None };
            Some(current)
        })
    }

    /// Whether `concept` is `ancestor` or lies under it.
    pub fn is_a(&self, concept: &str, ancestor: &str) -> bool {
        let mut current = concept;
        // A cycle in the data must not hang the engine: no real hierarchy is this deep.
        for _ in 0..32 {
            if current == ancestor {
                return true;
            }
            match self.parent.get(current) {
                Some(parent) => current = parent,
                None => return false,
            }
        }
        false
    }
}

/// What the text says of the patient, for scores and the differential.
#[derive(Debug, Clone)]
pub struct Facts<'a> {
    pub analysis: &'a Analysis,
    pub tree: &'a ConceptTree,
    /// The diagnosis statements (code points): their mentions are not findings.
    pub statements: &'a [CharSpan],
    /// Per concept, the presence of it or of anything under it, worked out once per document:
    /// reasoning asks about the same few hundred concepts for every disease.
    presence: FxHashMap<&'a str, Presence<'a>>,
    /// The same, leaving out the past.
    presence_now: FxHashMap<&'a str, Presence<'a>>,
    /// Every concept a measurement (or a component of one) is or lies under.
    measured: rustc_hash::FxHashSet<&'a str>,
    /// Per concept, the measurements of it or of one under it (indexes, text order): worked
    /// out once per document, as scores and the differential ask for many concepts.
    measurements_of: FxHashMap<&'a str, Vec<usize>>,
    /// The same for components, as (measurement, component) indexes.
    components_of: FxHashMap<&'a str, Vec<(usize, usize)>>,
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
    presence: FxHashMap<&'a str, Presence<'a>>,
    /// Per concept mentioned, the strongest kind of mention of it recorded so far. A mention no
    /// stronger than that changes nothing, here or anywhere up its lineage (the same lineage,
    /// whose presences are all at least that strong): case reports repeat their findings, and
    /// the repeats skip the walk up the tree.
    recorded: FxHashMap<&'a str, u8>,
}

impl<'a> PresenceIndex<'a> {
    fn with_capacity(mentions: usize) -> PresenceIndex<'a> {
        PresenceIndex {
            // A mention and a few ancestors each, most of them shared.
            presence: FxHashMap::with_capacity_and_hasher(mentions * 2, Default::default()),
            recorded: FxHashMap::with_capacity_and_hasher(mentions, Default::default()),
        }
    }

    fn record(&mut self, tree: &'a ConceptTree, concept: &'a str, this: Presence<'a>) {
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
            let this = match (entity.assertion.negated, entity.assertion.uncertain) {
                (true, _) => Presence::Absent(entity),
                (false, true) => Presence::Possible(entity),
                (false, false) => Presence::Present(entity),
            };
            presence.record(tree, &entity.concept.id, this);
            if !entity.assertion.historical && !entity.assertion.negated {
                presence_now.record(tree, &entity.concept.id, this);
            }
        }
        let (presence, presence_now) = (presence.presence, presence_now.presence);
        let mut measured = rustc_hash::FxHashSet::default();
        let mut measurements_of: FxHashMap<&'a str, Vec<usize>> = FxHashMap::default();
        let mut components_of: FxHashMap<&'a str, Vec<(usize, usize)>> = FxHashMap::default();
        for (i, m) in analysis.measurements.iter().enumerate() {
            for concept in tree.lineage(&m.concept.id) {
                measured.insert(concept);
                index_once(measurements_of.entry(concept).or_default(), i);
            }
            for (j, c) in m.components.iter().flatten().enumerate() {
                for concept in tree.lineage(&c.concept.id) {
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
        self.presence.get(concept).copied().unwrap_or(Presence::Unknown)
    }

    /// Like [`Facts::presence`], leaving out what the text places in the past ("antecedente de")
    /// and what it denies.
    pub fn presence_now(&self, concept: &str) -> Presence<'a> {
        self.presence_now.get(concept).copied().unwrap_or(Presence::Unknown)
    }

    /// Every concept the text mentions (or mentions one under), with its presence, in no
    /// particular order: for a reader that wants many concepts and looks up the few mentioned
    /// instead of asking about each.
    pub fn presences(&self) -> impl Iterator<Item = (&'a str, Presence<'a>)> + '_ {
        self.presence.iter().map(|(&concept, &presence)| (concept, presence))
    }

    /// Like [`Facts::presences`], leaving out the past and what the text denies.
    pub fn presences_now(&self) -> impl Iterator<Item = (&'a str, Presence<'a>)> + '_ {
        self.presence_now.iter().map(|(&concept, &presence)| (concept, presence))
    }

    /// The first present (certain or not) mention of any of `concepts`.
    pub fn any_present(&self, concepts: &[&str]) -> Option<&'a Entity> {
        concepts.iter().find_map(|c| match self.presence(c) {
            Presence::Present(e) | Presence::Possible(e) => Some(e),
            _ => None,
        })
    }

    /// Whether the text measures the concept (or one under it), alone or as a component.
    pub fn is_measured(&self, concept: &str) -> bool {
        self.measured.contains(concept)
    }

    /// Every concept the text measures (or measures one under), alone or as a component, in no
    /// particular order: for a reader that looks up the few measured instead of asking of each.
    pub fn measured_concepts(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.measured.iter().copied()
    }

    /// The measurements of a concept, in text order (borrowing the concept: reasoning asks this
    /// for many concepts per document, and an owned copy per question showed in profiles).
    pub fn measurements<'s>(&'s self, concept: &'s str) -> impl Iterator<Item = &'a Measurement> + 's {
        let all = &self.analysis.measurements;
        self.measurements_of.get(concept).into_iter().flatten().map(move |&i| &all[i])
    }

    /// The components of a concept (or of one under it), each with its measurement, in text order.
    pub fn components<'s>(&'s self, concept: &'s str) -> impl Iterator<Item = (&'a Component, &'a Measurement)> + 's {
        let all = &self.analysis.measurements;
        self.components_of.get(concept).into_iter().flatten().filter_map(move |&(i, j)| {
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
        let unit = m.unit.as_deref().map(|u| u.to_lowercase().replace('μ', "µ")).unwrap_or_default();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blood_pressure_is_read_from_its_ratio() {
        assert_eq!(ratio("TA 80/50"), Some((80.0, 50.0)));
        assert_eq!(ratio("TA=120/70 mmHg"), Some((120.0, 70.0)));
        assert_eq!(ratio("TA"), None);
    }
}
