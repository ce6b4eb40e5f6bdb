//! The differential diagnosis: diseases of `data/differential/` ranked by an additive
//! log-likelihood over the findings the text gives, with a ledger that sums exactly to the score.
//!
//! Per disease, `score = prior + Σ supporting + Σ against`, where
//! - the prior is `0.5 × (prior class − 3)`, so the evidence outweighs it;
//! - a present finding adds `ln LR+` of its evoking strength (EV 0…5 → LR+ 1.1, 1.5, 3, 8, 20,
//!   100: INTERNIST-1's scale read as likelihood ratios), half that when the text is uncertain;
//! - a finding the text denies adds `ln LR−` of its frequency (FQ 1…5 → LR− 0.95, 0.85, 0.6,
//!   0.35, 0.1): a finding the disease nearly always shows argues hard against it when absent;
//! - a finding the text does not mention is listed as missing and weighs nothing: unknown is
//!   never absent;
//! - the disease named outside the diagnosis statements ("… sugerând spondilodiscita") is strong
//!   evidence for itself (EV 4, halved when uncertain); a past mention is history, not evidence;
//! - every important finding of the case (EV ≥ 3 for some disease) the disease does not explain
//!   costs 0.25, at most 1.5 in all.
//!
//! A disease is a hypothesis only when something evokes it (a present finding with EV ≥ 2, or
//! its own name), and not when a better-ranked hypothesis is a more specific kind of it. The stated diagnosis never enters: [`Facts`] hides the diagnosis statements.

use std::sync::LazyLock;

use rustc_hash::FxHashMap;

use crate::analysis::{CharSpan, Finding, Hypothesis, Interpretation, Score};
use crate::knowledge::concepts::{ConceptEntry, ConceptType};
use crate::knowledge::differential::{Disease, DiseaseFinding, FindingSpec, MeasuredSign, MeasuredState};
use crate::reason::facts::{ConceptTree, Facts, Presence};

/// How many hypotheses the differential lists.
pub const MAX_HYPOTHESES: usize = 10;
const MISSING_SHOWN: usize = 8;
const UNEXPLAINED_COST: f64 = 0.25;
const UNEXPLAINED_CAP: f64 = 1.5;

/// The most charges for unexplained findings: [`UNEXPLAINED_COST`] each while the charges so far
/// stay under [`UNEXPLAINED_CAP`].
const UNEXPLAINED_CHARGES: usize = 6;
const _: () = assert!(
    (UNEXPLAINED_CHARGES - 1) as f64 * UNEXPLAINED_COST < UNEXPLAINED_CAP
        && UNEXPLAINED_CHARGES as f64 * UNEXPLAINED_COST >= UNEXPLAINED_CAP
);

/// `ln LR+` per evoking strength and `ln LR−` per frequency, worked out once: the ledger's
/// weights ([`WEIGHTS`]) and the listed hypotheses' findings are read from them.
static LN_LR_PRESENT: LazyLock<[f64; 6]> = LazyLock::new(|| [1.1f64, 1.5, 3.0, 8.0, 20.0, 100.0].map(f64::ln));
static LN_LR_ABSENT: LazyLock<[f64; 5]> = LazyLock::new(|| [0.95f64, 0.85, 0.6, 0.35, 0.1].map(f64::ln));

fn ln_lr_present(evoking: u8) -> f64 {
    LN_LR_PRESENT[evoking.min(5) as usize]
}

fn ln_lr_absent(frequency: u8) -> f64 {
    LN_LR_ABSENT[frequency.clamp(1, 5) as usize - 1]
}

/// The ledger's rounded weights, worked out once: a present finding's per evoking strength,
/// certain and uncertain (halved), and a denied finding's per frequency. Every candidate of
/// every case is scored with them, and rounding costs a library call each time.
struct Weights {
    present: [[f64; 6]; 2],
    absent: [f64; 5],
}

static WEIGHTS: LazyLock<Weights> = LazyLock::new(|| Weights {
    present: [0.5, 1.0].map(|share| std::array::from_fn(|ev| round(ln_lr_present(ev as u8) * share))),
    absent: std::array::from_fn(|fq| round(ln_lr_absent(fq as u8 + 1))),
});

/// A weight of the ledger in thousandths: every weight is rounded to three decimals, so
/// candidates are scored by adding integers, which sum exactly in any order. That lets the case
/// add each finding it shows to the diseases that list it, instead of each candidate reading all
/// its findings, and the score is still the number the ledger's float sum rounds to (tested).
fn milli(weight: f64) -> i64 {
    (weight * 1000.0).round() as i64
}

/// A score in thousandths as the ledger writes it: what [`round`] makes of the ledger's sum.
fn from_milli(score: i64) -> f64 {
    score as f64 / 1000.0
}

/// What the case says of one finding, with its evidence borrowed from the facts: the case
/// observes every finding of the knowledge base, and only the few a listed hypothesis cites
/// have their evidence copied into it.
#[derive(Debug, Clone, Copy)]
enum Observed<'e> {
    Present { certain: bool, evidence: &'e [CharSpan] },
    Absent { evidence: &'e [CharSpan] },
    Unknown,
}

/// A disease named for the patient now: whether certainly, and where.
type Named<'e> = (bool, &'e [CharSpan]);

/// What the case says of every finding of the knowledge base (by spec), and the few it says
/// something of: scoring and evoking read those rather than every spec.
struct Observations<'e> {
    of: Vec<Observed<'e>>,
    /// The specs not unknown, each once.
    known: Vec<usize>,
}

impl<'e> Observations<'e> {
    fn set(&mut self, n: usize, observed: Observed<'e>) {
        if !matches!(observed, Observed::Unknown) {
            self.of[n] = observed;
            self.known.push(n);
        }
    }
}

/// One finding of one disease, as the case side of scoring reads it: the disease and what the
/// finding adds to its score when present (uncertain, certain) or denied, in thousandths.
#[derive(Debug, Clone, Copy)]
struct Listing {
    disease: usize,
    present: [i64; 2],
    absent: i64,
}

/// The knowledge base resolved for ranking.
#[derive(Debug, Clone)]
pub struct Differential {
    diseases: Vec<Disease>,
    /// Index into the inventory of each disease's concept.
    concept_of: Vec<usize>,
    /// Per disease, the ledger line of its own name ("… named in the text"), written once.
    named_line: Vec<String>,
    /// Per measured sign, the inventory index of the measurement that shows it, and its state.
    measured_signs: Vec<(u32, MeasuredState)>,
    /// Every distinct finding of the knowledge base, once: a case observes each once.
    specs: Vec<FindingSpec>,
    /// Per spec, the inventory index of the concept it names (concept and measurement findings).
    spec_concepts: Vec<Option<u32>>,
    /// Per spec, its name as a reader wants it ([`describe`]), written once: ledgers and the
    /// next tests name the same few hundred findings for every document.
    descriptions: Vec<String>,
    /// Per spec, its ledger line when a disease leaves it unexplained, written once likewise.
    unexplained_lines: Vec<String>,
    /// Per disease, per finding, its index into `specs`.
    spec_of: Vec<Vec<usize>>,
    /// Per spec, every finding of a disease that is it, in disease order: what the spec adds to
    /// each disease's score when the case shows or denies it.
    listings: Vec<Vec<Listing>>,
    /// Per spec, the diseases that list it, once each, ascending.
    listed_by: Vec<Vec<usize>>,
    /// Per spec, the rows of `measured_signs` whose sign is it or lies under it.
    signs_of: Vec<Vec<usize>>,
    /// The spec of each concept finding (`FindingSpec::Concept`), by inventory index: a case
    /// mentions a few dozen concepts, which are looked up here rather than each spec in the case.
    concept_specs: FxHashMap<u32, usize>,
    /// The concept findings some measured sign may show (`signs_of` not empty), ascending.
    signed_specs: Vec<usize>,
    /// The measurement findings (`FindingSpec::Measured`) by inventory index, for the same
    /// look-up of the concepts a case measures.
    measured_specs: FxHashMap<u32, Vec<usize>>,
    /// The findings read from the patient and the other stages (scores, cultures, age, sex),
    /// ascending: few, and each asked of every case.
    other_specs: Vec<usize>,
    /// The diseases of each concept, by inventory index, for the same look-up of the diseases named.
    concept_diseases: FxHashMap<u32, Vec<usize>>,
    /// Per disease, the first disease of its concept: the one the next tests of a hypothesis
    /// of that concept compare.
    first_of_concept: Vec<usize>,
    /// Per disease, the rank of its concept id among the diseases' ids in byte order, which
    /// orders hypotheses of equal score without comparing the ids for each case.
    concept_order: Vec<u32>,
    /// The specs some disease finds strongly evocative (EV ≥ 3), in knowledge-base order: a case
    /// that shows one wants it explained.
    important: Vec<usize>,
    /// Per spec, the diseases it evokes (EV ≥ 2), ascending: the diseases a case evokes are
    /// found from the few findings it shows, not by scanning every disease's findings.
    evokes: Vec<Vec<usize>>,
}

/// An evoked disease, scored but without its ledger written: most candidates are never listed,
/// so their ledgers (strings, evidence) are only written for the ones that are.
struct Candidate<'e> {
    /// Index into the differential's diseases.
    disease: usize,
    /// The score in thousandths.
    score: i64,
    /// Best first, then by concept id, then in the knowledge base's order: (score, rank of the
    /// concept id, disease), worked out once per candidate rather than at every comparison.
    order: (std::cmp::Reverse<i64>, u32, usize),
    named: Option<Named<'e>>,
}

impl Differential {
    pub fn new(
        diseases: &[Disease],
        measured_signs: &[MeasuredSign],
        concepts: &[ConceptEntry],
        tree: &ConceptTree,
    ) -> Differential {
        let index: FxHashMap<&str, usize> = concepts.iter().enumerate().map(|(i, c)| (c.id.as_str(), i)).collect();
        let id = |name: &str| index.get(name).map(|&i| i as u32);
        // Anatomy is a place, not a finding: a gluteal region names where something is, and the
        // finding located there (a collection, an abscess) carries the evidence.
        let is_place = |f: &DiseaseFinding| match &f.spec {
            FindingSpec::Concept(id) => {
                index.get(id.as_str()).is_some_and(|&i| concepts[i].concept_type == ConceptType::Anatomy)
            }
            _ => false,
        };
        let diseases: Vec<Disease> = diseases
            .iter()
            .filter(|d| index.contains_key(d.concept.as_str()))
            .map(|d| Disease { findings: d.findings.iter().filter(|f| !is_place(f)).cloned().collect(), ..d.clone() })
            .collect();
        let concept_of: Vec<usize> = diseases.iter().map(|d| index[d.concept.as_str()]).collect();
        let labels: FxHashMap<&str, &str> = concepts.iter().map(|c| (c.id.as_str(), c.label.as_str())).collect();
        let named_line = diseases.iter().map(|d| format!("{} named in the text", label(&labels, &d.concept))).collect();
        let mut specs: Vec<FindingSpec> = Vec::new();
        let mut known: FxHashMap<String, usize> = FxHashMap::default();
        let mut important = Vec::new();
        let spec_of: Vec<Vec<usize>> = diseases
            .iter()
            .map(|d| {
                d.findings
                    .iter()
                    .map(|f| {
                        let n = *known.entry(format!("{:?}", f.spec)).or_insert_with(|| {
                            specs.push(f.spec.clone());
                            specs.len() - 1
                        });
                        if f.evoking >= 3 && !important.contains(&n) {
                            important.push(n);
                        }
                        n
                    })
                    .collect()
            })
            .collect();
        let spec_concepts: Vec<Option<u32>> = specs
            .iter()
            .map(|spec| match spec {
                FindingSpec::Concept(concept) | FindingSpec::Measured(concept, _) => id(concept),
                _ => None,
            })
            .collect();
        let descriptions: Vec<String> = specs.iter().map(|spec| describe(&labels, spec)).collect();
        let unexplained_lines = descriptions.iter().map(|d| format!("unexplained: {d}")).collect();
        // (sign, measurement, state), by inventory index.
        let signs: Vec<(u32, u32, MeasuredState)> =
            measured_signs.iter().filter_map(|s| Some((id(&s.sign)?, id(&s.measurement)?, s.state))).collect();
        let signs_of: Vec<Vec<usize>> = specs
            .iter()
            .zip(&spec_concepts)
            .map(|(spec, &concept)| match (spec, concept) {
                (FindingSpec::Concept(_), Some(concept)) => {
                    (0..signs.len()).filter(|&i| tree.is_a(signs[i].0, concept)).collect()
                }
                _ => Vec::new(),
            })
            .collect();
        let mut concept_specs = FxHashMap::default();
        let mut measured_specs: FxHashMap<u32, Vec<usize>> = FxHashMap::default();
        let (mut signed_specs, mut other_specs) = (Vec::new(), Vec::new());
        for (n, spec) in specs.iter().enumerate() {
            match (spec, spec_concepts[n]) {
                (FindingSpec::Concept(_), Some(concept)) => {
                    concept_specs.insert(concept, n);
                    if !signs_of[n].is_empty() {
                        signed_specs.push(n);
                    }
                }
                (FindingSpec::Measured(..), Some(concept)) => measured_specs.entry(concept).or_default().push(n),
                (FindingSpec::Concept(_) | FindingSpec::Measured(..), None) => {}
                _ => other_specs.push(n),
            }
        }
        let mut concept_diseases: FxHashMap<u32, Vec<usize>> = FxHashMap::default();
        for (d, &concept) in concept_of.iter().enumerate() {
            concept_diseases.entry(concept as u32).or_default().push(d);
        }
        let first_of_concept = concept_of.iter().map(|&c| concept_diseases[&(c as u32)][0]).collect();
        let mut ids: Vec<&str> = diseases.iter().map(|d| d.concept.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        let concept_order =
            diseases.iter().map(|d| ids.binary_search(&d.concept.as_str()).expect("a disease's id") as u32).collect();
        let mut evokes = vec![Vec::new(); specs.len()];
        let mut listings = vec![Vec::new(); specs.len()];
        let mut listed_by: Vec<Vec<usize>> = vec![Vec::new(); specs.len()];
        for (d, disease) in diseases.iter().enumerate() {
            for (f, &n) in disease.findings.iter().zip(&spec_of[d]) {
                if f.evoking >= 2 && evokes[n].last() != Some(&d) {
                    evokes[n].push(d);
                }
                let present = [false, true].map(|certain| milli(Differential::present_weight(f.evoking, certain)));
                listings[n].push(Listing {
                    disease: d,
                    present,
                    absent: milli(Differential::absent_weight(f.frequency)),
                });
                if listed_by[n].last() != Some(&d) {
                    listed_by[n].push(d);
                }
            }
        }
        Differential {
            concept_specs,
            signed_specs,
            measured_specs,
            other_specs,
            concept_diseases,
            first_of_concept,
            concept_order,
            diseases,
            concept_of,
            named_line,
            measured_signs: signs.iter().map(|&(_, measurement, state)| (measurement, state)).collect(),
            specs,
            spec_concepts,
            descriptions,
            unexplained_lines,
            spec_of,
            listings,
            listed_by,
            signs_of,
            important,
            evokes,
        }
    }

    /// The important findings the case shows for certain: each charges the diseases that leave
    /// it unexplained.
    fn shown(&self, observed: &[Observed<'_>]) -> Vec<usize> {
        self.important
            .iter()
            .copied()
            .filter(|&n| matches!(observed[n], Observed::Present { certain: true, .. }))
            .collect()
    }

    /// The ranked hypotheses for the facts of one case.
    ///
    /// Every evoked disease is scored; only those that make the list get their ledger written.
    pub fn rank(&self, facts: &Facts<'_>, scores: &[Score], concepts: &[ConceptEntry]) -> Vec<Hypothesis> {
        let flags = crate::reason::scores::flags(scores);
        let observations = self.observe(facts, &flags);
        let observed = &observations.of;
        let shown = self.shown(observed);
        let evoked = self.evoked(&observations);
        let findings = self.finding_sums(&observations);
        let charges = self.unexplained_charges(&shown);
        let mut candidates: Vec<Candidate> = self
            .named_now(facts)
            .into_iter()
            .enumerate()
            .filter(|&(d, named)| evoked[d] || named.is_some())
            .map(|(d, named)| {
                let score = self.score(d, findings[d], charges[d], named.map(|n| n.0));
                Candidate { disease: d, score, order: (std::cmp::Reverse(score), self.concept_order[d], d), named }
            })
            .collect();
        candidates.sort_unstable_by_key(|c| c.order);
        // A vaguer name of a better-ranked hypothesis ("abscess" below "gluteal abscess") adds nothing.
        let concept = |c: &Candidate| self.concept_of[c.disease] as u32;
        let mut kept: Vec<Candidate> = Vec::new();
        for candidate in candidates {
            if kept.len() == MAX_HYPOTHESES {
                break;
            }
            if !kept.iter().any(|k| facts.tree.is_a(concept(k), concept(&candidate))) {
                kept.push(candidate);
            }
        }
        let leading: Vec<usize> = kept.iter().take(5).map(|k| self.first_of_concept[k.disease]).collect();
        let mut ranked: Vec<Hypothesis> = kept
            .into_iter()
            .enumerate()
            .map(|(n, candidate)| self.hypothesis(candidate, n as u32 + 1, observed, &shown, concepts))
            .collect();
        self.add_next_tests(&mut ranked, &leading);
        ranked
    }

    /// Every finding of the knowledge base observed once, in the order of `specs`. Most are
    /// unknown in any one case, so the case is read from its side: the concepts it mentions and
    /// the concepts it measures are few, and are looked up in the tables of concept and
    /// measurement findings rather than each finding in the case.
    fn observe<'e>(&self, facts: &Facts<'e>, flags: &'e [(&'static str, Vec<CharSpan>)]) -> Observations<'e> {
        let mut observed = Observations { of: vec![Observed::Unknown; self.specs.len()], known: Vec::new() };
        // Each spec is set once: a concept has one spec, and the specs of measurements and of
        // the other stages are neither concepts' nor each other's.
        for (concept, presence) in facts.presences() {
            if let Some(&n) = self.concept_specs.get(&concept) {
                observed.set(n, observed_presence(presence));
            }
        }
        // Unnamed, a sign may still be measured: "TA 80/50" is hypotension.
        for &n in &self.signed_specs {
            if matches!(observed.of[n], Observed::Unknown) {
                observed.set(n, measured_sign(facts, self.signs_of[n].iter().map(|&i| self.measured_signs[i])));
            }
        }
        for concept in facts.measured_concepts() {
            for &n in self.measured_specs.get(&concept).into_iter().flatten() {
                observed.set(n, self.observe_other(n, facts, flags));
            }
        }
        for &n in &self.other_specs {
            observed.set(n, self.observe_other(n, facts, flags));
        }
        observed
    }

    /// A finding other than a concept's, as the case shows it.
    fn observe_other<'e>(
        &self,
        n: usize,
        facts: &Facts<'e>,
        flags: &'e [(&'static str, Vec<CharSpan>)],
    ) -> Observed<'e> {
        match (&self.specs[n], self.spec_concepts[n]) {
            (FindingSpec::Measured(_, state), Some(concept)) => measured(facts, concept, *state),
            (spec, _) => observe(spec, facts, flags),
        }
    }

    /// Per disease, whether it (or one under it) is named for the patient now, outside the
    /// diagnosis statements: whether certainly, and where.
    fn named_now<'e>(&self, facts: &Facts<'e>) -> Vec<Option<Named<'e>>> {
        let mut named = vec![None; self.diseases.len()];
        for (concept, presence) in facts.presences_now() {
            let mention = match presence {
                Presence::Present(e) => (true, std::slice::from_ref(&e.span)),
                Presence::Possible(e) => (false, std::slice::from_ref(&e.span)),
                _ => continue,
            };
            for &d in self.concept_diseases.get(&concept).into_iter().flatten() {
                named[d] = Some(mention);
            }
        }
        named
    }

    /// Per disease, whether a present finding at least occasionally suggests it (EV ≥ 2). A
    /// disease is a candidate when evoked so or named.
    fn evoked(&self, observed: &Observations<'_>) -> Vec<bool> {
        let mut evoked = vec![false; self.diseases.len()];
        for &n in observed.known.iter().filter(|&&n| matches!(observed.of[n], Observed::Present { .. })) {
            self.evokes[n].iter().for_each(|&d| evoked[d] = true);
        }
        evoked
    }

    /// Per disease, what its findings the case shows or denies add to its score, in thousandths:
    /// read from the case's side, each observed finding adding its weight to the diseases that
    /// list it.
    fn finding_sums(&self, observed: &Observations<'_>) -> Vec<i64> {
        let mut sums = vec![0; self.diseases.len()];
        for &n in &observed.known {
            match &observed.of[n] {
                Observed::Present { certain, .. } => {
                    self.listings[n].iter().for_each(|l| sums[l.disease] += l.present[usize::from(*certain)])
                }
                Observed::Absent { .. } => self.listings[n].iter().for_each(|l| sums[l.disease] += l.absent),
                Observed::Unknown => {}
            }
        }
        sums
    }

    /// Per disease, how many of the important findings the case shows (`shown`) it leaves
    /// unexplained and is charged for, at most [`UNEXPLAINED_CHARGES`].
    fn unexplained_charges(&self, shown: &[usize]) -> Vec<usize> {
        let mut listed = vec![0; self.diseases.len()];
        for &n in shown {
            self.listed_by[n].iter().for_each(|&d| listed[d] += 1);
        }
        listed.into_iter().map(|listed| (shown.len() - listed).min(UNEXPLAINED_CHARGES)).collect()
    }

    /// The weight of a present finding, halved when the text is uncertain.
    fn present_weight(evoking: u8, certain: bool) -> f64 {
        WEIGHTS.present[usize::from(certain)][evoking.min(5) as usize]
    }

    /// The weight of a denied finding.
    fn absent_weight(frequency: u8) -> f64 {
        WEIGHTS.absent[frequency.clamp(1, 5) as usize - 1]
    }

    /// A disease's score in thousandths: the prior, what its findings add (`findings`,
    /// [`Differential::finding_sums`]), its name when named, and its charges for unexplained
    /// findings. It equals, to the last bit once read by [`from_milli`], the rounded sum of the
    /// ledger [`Differential::hypothesis`] writes (tested against [`Differential::ledger_score`]).
    fn score(&self, d: usize, findings: i64, charges: usize, named: Option<bool>) -> i64 {
        let prior = 500 * (i64::from(self.diseases[d].prior) - 3);
        let named = named.map_or(0, |certain| milli(Differential::present_weight(4, certain)));
        prior + findings + named + charges as i64 * milli(round(-UNEXPLAINED_COST))
    }

    /// The important findings the case shows that a disease does not list, each charged
    /// [`UNEXPLAINED_COST`] until the charges reach [`UNEXPLAINED_CAP`].
    fn unexplained<'s>(&'s self, d: usize, shown: &'s [usize]) -> impl Iterator<Item = usize> + 's {
        shown.iter().copied().filter(move |n| !self.spec_of[d].contains(n)).take(UNEXPLAINED_CHARGES)
    }

    /// A listed hypothesis with its ledger written out.
    fn hypothesis(
        &self,
        candidate: Candidate<'_>,
        rank: u32,
        observed: &[Observed<'_>],
        shown: &[usize],
        concepts: &[ConceptEntry],
    ) -> Hypothesis {
        let d = candidate.disease;
        let disease = &self.diseases[d];
        let prior = 0.5 * (disease.prior as f64 - 3.0);
        // Room for every finding, so that the lists are not grown a finding at a time.
        let mut supporting = Vec::with_capacity(disease.findings.len() + 1);
        let mut against = Vec::with_capacity(disease.findings.len() + UNEXPLAINED_CHARGES);
        let mut missing = Vec::with_capacity(MISSING_SHOWN + 1);
        for (f, &n) in disease.findings.iter().zip(&self.spec_of[d]) {
            let description = || self.descriptions[n].clone();
            match &observed[n] {
                Observed::Present { certain, evidence } => supporting.push(Finding {
                    finding: description(),
                    weight: Differential::present_weight(f.evoking, *certain),
                    evidence: evidence.to_vec(),
                }),
                Observed::Absent { evidence } => {
                    against.push(finding(description(), ln_lr_absent(f.frequency), evidence.to_vec()))
                }
                Observed::Unknown if f.frequency >= 3 || f.evoking >= 3 => keep_highest(&mut missing, (f, n)),
                Observed::Unknown => {}
            }
        }
        if let Some((certain, evidence)) = candidate.named {
            let weight = Differential::present_weight(4, certain);
            supporting.push(Finding { finding: self.named_line[d].clone(), weight, evidence: evidence.to_vec() });
        }
        for n in self.unexplained(d, shown) {
            against.push(finding(self.unexplained_lines[n].clone(), -UNEXPLAINED_COST, Vec::new()));
        }
        debug_assert_eq!(
            from_milli(candidate.score).to_bits(),
            round(prior + supporting.iter().chain(&against).map(|f| f.weight).sum::<f64>()).to_bits(),
            "the ledger must sum to the score"
        );
        let missing = missing
            .into_iter()
            .map(|(f, n)| finding(self.descriptions[n].clone(), ln_lr_absent(f.frequency), Vec::new()))
            .collect();
        Hypothesis {
            rank,
            concept: concepts[self.concept_of[d]].to_concept(),
            score: from_milli(candidate.score),
            supporting,
            against,
            missing,
            prior: round(prior),
            cant_miss: disease.cant_miss,
            next_tests: Vec::new(),
        }
    }

    /// Per leading hypothesis, the unknown findings that would most separate it from the other
    /// leading ones: those it expects strongly (EV ≥ 3) that the others do not list as strongly.
    /// `leading` holds the first disease of the concept of each of the first five hypotheses
    /// (`first_of_concept`), whose findings stand for the concept's.
    fn add_next_tests(&self, ranked: &mut [Hypothesis], leading: &[usize]) {
        let strength = |d: usize, n: usize| {
            self.diseases[d].findings.iter().zip(&self.spec_of[d]).find(|(_, &m)| m == n).map_or(0, |(f, _)| f.evoking)
        };
        for (h, &d) in ranked.iter_mut().zip(leading) {
            let mut tests: Vec<(u8, &str)> = self.diseases[d]
                .findings
                .iter()
                .zip(&self.spec_of[d])
                .filter(|(f, _)| f.evoking >= 3)
                .filter(|(_, &n)| h.missing.iter().any(|m| m.finding == self.descriptions[n]))
                .filter_map(|(f, &n)| {
                    let others = leading.iter().filter(|&&o| o != d).map(|&o| strength(o, n)).max()?;
                    (f.evoking >= others + 2).then(|| (f.evoking - others, self.descriptions[n].as_str()))
                })
                .collect();
            tests.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1)));
            h.next_tests = tests.into_iter().take(3).map(|(_, t)| t.to_owned()).collect();
        }
    }
}

/// The label of a concept, or its id when the inventory has none.
fn label<'l>(labels: &FxHashMap<&str, &'l str>, id: &'l str) -> &'l str {
    labels.get(id).copied().unwrap_or(id)
}

/// A finding as a reader wants it named.
fn describe(labels: &FxHashMap<&str, &str>, spec: &FindingSpec) -> String {
    match spec {
        FindingSpec::Concept(id) => label(labels, id).to_owned(),
        FindingSpec::Measured(id, state) => format!("{}: {}", label(labels, id), state_name(*state)),
        FindingSpec::Score(name) => format!("score: {name}"),
        FindingSpec::Culture(specimen) => format!("positive culture: {specimen}"),
        FindingSpec::AgeAtLeast(age) => format!("age ≥ {age}"),
        FindingSpec::AgeBelow(age) => format!("age < {age}"),
        FindingSpec::Sex(sex) => {
            format!("sex: {}", if *sex == crate::analysis::Sex::Female { "female" } else { "male" })
        }
    }
}

fn rank_missing(f: &DiseaseFinding) -> u8 {
    f.evoking + f.frequency
}

/// Adds a missing finding (with its spec) to `kept`, the [`MISSING_SHOWN`] of highest
/// [`rank_missing`] so far, ties in the order they came: what a stable sort of them all would
/// put first, without keeping them all.
fn keep_highest<'f>(kept: &mut Vec<(&'f DiseaseFinding, usize)>, missing: (&'f DiseaseFinding, usize)) {
    let rank = rank_missing(missing.0);
    let at = kept.partition_point(|m| rank_missing(m.0) >= rank);
    if at < MISSING_SHOWN {
        kept.insert(at, missing);
        kept.truncate(MISSING_SHOWN);
    }
}

fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0 + 0.0
}

fn finding(finding: String, weight: f64, evidence: Vec<CharSpan>) -> Finding {
    Finding { finding, weight: round(weight), evidence }
}

fn state_name(state: MeasuredState) -> &'static str {
    match state {
        MeasuredState::High => "high",
        MeasuredState::Low => "low",
        MeasuredState::CriticalHigh => "critically high",
        MeasuredState::CriticalLow => "critically low",
        MeasuredState::Abnormal => "abnormal",
        MeasuredState::Positive => "positive",
        MeasuredState::Negative => "negative",
    }
}

/// What a mention of a finding says of it.
fn observed_presence(presence: Presence<'_>) -> Observed<'_> {
    match presence {
        Presence::Present(e) => Observed::Present { certain: true, evidence: std::slice::from_ref(&e.span) },
        Presence::Possible(e) => Observed::Present { certain: false, evidence: std::slice::from_ref(&e.span) },
        Presence::Absent(e) => Observed::Absent { evidence: std::slice::from_ref(&e.span) },
        Presence::Unknown => Observed::Unknown,
    }
}

/// A sign the text does not name, read from the measurements that show it: a measurement read
/// in another state denies it only when no other measurement shows it.
fn measured_sign<'e>(facts: &Facts<'e>, measured_signs: impl Iterator<Item = (u32, MeasuredState)>) -> Observed<'e> {
    let mut outcome = Observed::Unknown;
    for (measurement, state) in measured_signs {
        match measured(facts, measurement, state) {
            present @ Observed::Present { .. } => return present,
            absent @ Observed::Absent { .. } if matches!(outcome, Observed::Unknown) => outcome = absent,
            _ => {}
        }
    }
    outcome
}

/// A finding other than a concept's, as the case shows it.
fn observe<'e>(spec: &FindingSpec, facts: &Facts<'e>, flags: &'e [(&'static str, Vec<CharSpan>)]) -> Observed<'e> {
    match spec {
        // Read from the mentions, the measured signs and the measurements by `Differential::observe`.
        FindingSpec::Concept(_) | FindingSpec::Measured(..) => Observed::Unknown,
        FindingSpec::Score(name) => match flags.iter().find(|(flag, _)| flag == name) {
            Some((_, evidence)) => Observed::Present { certain: true, evidence },
            None => Observed::Unknown,
        },
        FindingSpec::Culture(specimen) => culture(facts, specimen),
        FindingSpec::AgeAtLeast(years) | FindingSpec::AgeBelow(years) => {
            let Some(age) = &facts.analysis.patient.age else { return Observed::Unknown };
            let in_years = match age.unit {
                crate::analysis::AgeUnit::Year => age.value,
                _ => 0,
            };
            let holds = match spec {
                FindingSpec::AgeAtLeast(_) => in_years >= *years,
                _ => in_years < *years,
            };
            let evidence = std::slice::from_ref(&age.span);
            if holds {
                Observed::Present { certain: true, evidence }
            } else {
                Observed::Absent { evidence }
            }
        }
        FindingSpec::Sex(sex) => match (facts.analysis.patient.sex, &facts.analysis.patient.sex_span) {
            (Some(actual), Some(span)) if actual == *sex => {
                Observed::Present { certain: true, evidence: std::slice::from_ref(span) }
            }
            (Some(_), Some(span)) => Observed::Absent { evidence: std::slice::from_ref(span) },
            _ => Observed::Unknown,
        },
    }
}

/// A measurement of a concept (by inventory index) read in a state: by its interpretation, or its
/// qualitative result.
fn measured<'e>(facts: &Facts<'e>, concept: u32, state: MeasuredState) -> Observed<'e> {
    if !facts.is_measured(concept) {
        return Observed::Unknown;
    }
    let mut denied = None;
    // A component ("systolic 80" of "TA 80/50") is read like a measurement of its own.
    let parts = facts.components_of(concept).map(|(c, m)| (c.interpretation, None, &m.span));
    let whole = facts.measurements_of(concept).map(|m| (m.interpretation, m.result.as_deref(), &m.span));
    for (interpretation, result, span) in whole.chain(parts) {
        let holds = match state {
            MeasuredState::High => matches!(interpretation, Some(Interpretation::High | Interpretation::CriticalHigh)),
            MeasuredState::Low => matches!(interpretation, Some(Interpretation::Low | Interpretation::CriticalLow)),
            MeasuredState::CriticalHigh => interpretation == Some(Interpretation::CriticalHigh),
            MeasuredState::CriticalLow => interpretation == Some(Interpretation::CriticalLow),
            MeasuredState::Abnormal => matches!(interpretation, Some(i) if i != Interpretation::Normal),
            MeasuredState::Positive => matches!(result, Some("positive" | "present" | "high")),
            MeasuredState::Negative => matches!(result, Some("negative" | "absent" | "undetectable")),
        };
        if holds {
            return Observed::Present { certain: true, evidence: std::slice::from_ref(span) };
        }
        let contrary = match state {
            MeasuredState::Positive => matches!(result, Some("negative" | "absent" | "undetectable" | "normal")),
            MeasuredState::Negative => matches!(result, Some("positive" | "present")),
            _ => interpretation.is_some() || result == Some("normal"),
        };
        if contrary {
            denied.get_or_insert(span);
        }
    }
    match denied {
        Some(span) => Observed::Absent { evidence: std::slice::from_ref(span) },
        None => Observed::Unknown,
    }
}

/// A culture from a specimen: positive when an organism grew from it, absent when it was sterile.
fn culture<'e>(facts: &Facts<'e>, specimen: &str) -> Observed<'e> {
    let mut negative = None;
    for record in &facts.analysis.microbiology {
        let from = record.specimen.as_deref().unwrap_or("");
        if !from.eq_ignore_ascii_case(specimen) {
            continue;
        }
        if matches!(record.result.as_str(), "negative" | "sterile") {
            negative.get_or_insert(&record.span);
        } else {
            return Observed::Present { certain: true, evidence: std::slice::from_ref(&record.span) };
        }
    }
    match negative {
        Some(span) => Observed::Absent { evidence: std::slice::from_ref(span) },
        None => Observed::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::knowledge::Knowledge;

    impl Differential {
        /// The plain computation that [`Differential::score`] replaces: the prior plus the weights
        /// of the disease's ledger, summed as floats in ledger order (supporting findings, its
        /// name, denied findings, unexplained ones), rounded.
        fn ledger_score(&self, d: usize, observed: &[Observed<'_>], shown: &[usize], named: Option<bool>) -> f64 {
            let prior = 0.5 * (self.diseases[d].prior as f64 - 3.0);
            let findings = || self.diseases[d].findings.iter().zip(&self.spec_of[d]).map(|(f, &n)| (f, &observed[n]));
            let supporting = findings().filter_map(|(f, o)| match o {
                Observed::Present { certain, .. } => Some(Differential::present_weight(f.evoking, *certain)),
                _ => None,
            });
            let named = named.map(|certain| Differential::present_weight(4, certain));
            let denied = findings().filter_map(|(f, o)| match o {
                Observed::Absent { .. } => Some(Differential::absent_weight(f.frequency)),
                _ => None,
            });
            let unexplained = self.unexplained(d, shown).map(|_| round(-UNEXPLAINED_COST));
            round(prior + supporting.chain(named).chain(denied).chain(unexplained).sum::<f64>())
        }
    }

    #[test]
    fn scores_summed_from_the_case_side_equal_the_ledger_sums() {
        let knowledge = Knowledge::embedded().expect("the embedded knowledge");
        let tree = ConceptTree::new(&knowledge.concepts);
        let differential =
            Differential::new(&knowledge.diseases, &knowledge.measured_signs, &knowledge.concepts, &tree);
        // Cases of pseudo-random findings (xorshift), most unknown as in a real case.
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        // Dense cases (every disease charged to the cap) and sparse ones (charges below it).
        for modulus in [16, 64, 256, 1024].repeat(10) {
            let mut observations =
                Observations { of: vec![Observed::Unknown; differential.specs.len()], known: Vec::new() };
            for n in 0..differential.specs.len() {
                let observed = match next() % modulus {
                    0 | 1 => Observed::Present { certain: true, evidence: &[] },
                    2 => Observed::Present { certain: false, evidence: &[] },
                    3 => Observed::Absent { evidence: &[] },
                    _ => Observed::Unknown,
                };
                observations.set(n, observed);
            }
            let observed = &observations.of;
            let shown = differential.shown(observed);
            let findings = differential.finding_sums(&observations);
            let charges = differential.unexplained_charges(&shown);
            for d in 0..differential.diseases.len() {
                for named in [None, Some(true), Some(false)] {
                    let fast = from_milli(differential.score(d, findings[d], charges[d], named));
                    let plain = differential.ledger_score(d, observed, &shown, named);
                    assert_eq!(
                        fast.to_bits(),
                        plain.to_bits(),
                        "{}: {fast} ≠ {plain}",
                        differential.diseases[d].concept
                    );
                }
            }
        }
    }
}
