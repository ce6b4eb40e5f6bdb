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

/// The important findings a case shows, in knowledge-base order, and marked per spec so that a
/// disease counts those it does not explain without searching its findings for each.
struct Shown {
    list: Vec<usize>,
    marked: Vec<bool>,
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

/// The knowledge base resolved for ranking.
#[derive(Debug, Clone)]
pub struct Differential {
    diseases: Vec<Disease>,
    /// Index into the inventory of each disease's concept.
    concept_of: Vec<usize>,
    /// Per disease, the ledger line of its own name ("… named in the text"), written once.
    named_line: Vec<String>,
    measured_signs: Vec<MeasuredSign>,
    /// Every distinct finding of the knowledge base, once: a case observes each once.
    specs: Vec<FindingSpec>,
    /// Per spec, its name as a reader wants it ([`describe`]), written once: ledgers and the
    /// next tests name the same few hundred findings for every document.
    descriptions: Vec<String>,
    /// Per spec, its ledger line when a disease leaves it unexplained, written once likewise.
    unexplained_lines: Vec<String>,
    /// Per disease, per finding, its index into `specs`.
    spec_of: Vec<Vec<usize>>,
    /// Per disease, its specs without repeats, sorted.
    distinct_specs: Vec<Vec<usize>>,
    /// Per spec, the rows of `measured_signs` whose sign is it or lies under it.
    signs_of: Vec<Vec<usize>>,
    /// The spec of each concept finding (`FindingSpec::Concept`), by concept id: a case
    /// mentions a few dozen concepts, which are looked up here rather than each spec in the case.
    concept_specs: FxHashMap<String, usize>,
    /// The concept findings some measured sign may show (`signs_of` not empty), ascending.
    signed_specs: Vec<usize>,
    /// The measurement findings (`FindingSpec::Measured`) by concept id, for the same look-up
    /// of the concepts a case measures.
    measured_specs: FxHashMap<String, Vec<usize>>,
    /// The findings read from the patient and the other stages (scores, cultures, age, sex),
    /// ascending: few, and each asked of every case.
    other_specs: Vec<usize>,
    /// The diseases of each concept, by id, for the same look-up of the diseases named.
    concept_diseases: FxHashMap<String, Vec<usize>>,
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
    score: f64,
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
        let concept_of = diseases.iter().map(|d| index[d.concept.as_str()]).collect();
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
        let descriptions: Vec<String> = specs.iter().map(|spec| describe(&labels, spec)).collect();
        let unexplained_lines = descriptions.iter().map(|d| format!("unexplained: {d}")).collect();
        let signs_of: Vec<Vec<usize>> = specs
            .iter()
            .map(|spec| match spec {
                FindingSpec::Concept(id) => {
                    (0..measured_signs.len()).filter(|&i| tree.is_a(&measured_signs[i].sign, id)).collect()
                }
                _ => Vec::new(),
            })
            .collect();
        let mut concept_specs = FxHashMap::default();
        let mut measured_specs: FxHashMap<String, Vec<usize>> = FxHashMap::default();
        let (mut signed_specs, mut other_specs) = (Vec::new(), Vec::new());
        for (n, spec) in specs.iter().enumerate() {
            match spec {
                FindingSpec::Concept(id) => {
                    concept_specs.insert(id.clone(), n);
                    if !signs_of[n].is_empty() {
                        signed_specs.push(n);
                    }
                }
                FindingSpec::Measured(id, _) => measured_specs.entry(id.clone()).or_default().push(n),
                _ => other_specs.push(n),
            }
        }
        let mut concept_diseases: FxHashMap<String, Vec<usize>> = FxHashMap::default();
        for (d, disease) in diseases.iter().enumerate() {
            concept_diseases.entry(disease.concept.clone()).or_default().push(d);
        }
        let first_of_concept = diseases.iter().map(|d| concept_diseases[&d.concept][0]).collect();
        let mut ids: Vec<&str> = concept_diseases.keys().map(String::as_str).collect();
        ids.sort_unstable();
        let concept_order =
            diseases.iter().map(|d| ids.binary_search(&d.concept.as_str()).expect("a disease's id") as u32).collect();
        let mut evokes = vec![Vec::new(); specs.len()];
        for (d, disease) in diseases.iter().enumerate() {
            for (f, &n) in disease.findings.iter().zip(&spec_of[d]) {
                if f.evoking >= 2 && evokes[n].last() != Some(&d) {
                    evokes[n].push(d);
                }
            }
        }
        let distinct_specs = spec_of
            .iter()
            .map(|specs| {
                let mut distinct = specs.clone();
                distinct.sort_unstable();
                distinct.dedup();
                distinct
            })
            .collect();
        Differential {
            distinct_specs,
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
            measured_signs: measured_signs.to_vec(),
            specs,
            descriptions,
            unexplained_lines,
            spec_of,
            signs_of,
            important,
            evokes,
        }
    }

    /// The ranked hypotheses for the facts of one case.
    ///
    /// Every evoked disease is scored; only those that make the list get their ledger written.
    pub fn rank(&self, facts: &Facts<'_>, scores: &[Score], concepts: &[ConceptEntry]) -> Vec<Hypothesis> {
        let flags = crate::reason::scores::flags(scores);
        let observed = self.observe(facts, &flags);
        // The important findings the case shows, to charge the diseases that leave them unexplained.
        let list: Vec<usize> = self
            .important
            .iter()
            .copied()
            .filter(|&n| matches!(observed[n], Observed::Present { certain: true, .. }))
            .collect();
        let mut marked = vec![false; self.specs.len()];
        list.iter().for_each(|&n| marked[n] = true);
        let shown = Shown { list, marked };

        let evoked = self.evoked(&observed);
        let mut candidates: Vec<Candidate> = self
            .named_now(facts)
            .into_iter()
            .enumerate()
            .filter(|&(d, named)| evoked[d] || named.is_some())
            .map(|(d, named)| Candidate {
                disease: d,
                score: self.score(d, &observed, &shown, named.map(|n| n.0)),
                named,
            })
            .collect();
        // Best first, then by concept id, then in the knowledge base's order.
        candidates.sort_unstable_by(|a, b| {
            let concept_order = |c: &Candidate| self.concept_order[c.disease];
            b.score.total_cmp(&a.score).then(concept_order(a).cmp(&concept_order(b))).then(a.disease.cmp(&b.disease))
        });
        let concept = |c: &Candidate| self.diseases[c.disease].concept.as_str();
        // A vaguer name of a better-ranked hypothesis ("abscess" below "gluteal abscess") adds nothing.
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
            .map(|(n, candidate)| self.hypothesis(candidate, n as u32 + 1, &observed, &shown, concepts))
            .collect();
        self.add_next_tests(&mut ranked, &leading);
        ranked
    }

    /// Every finding of the knowledge base observed once, in the order of `specs`. Most are
    /// unknown in any one case, so the case is read from its side: the concepts it mentions and
    /// the concepts it measures are few, and are looked up in the tables of concept and
    /// measurement findings rather than each finding in the case.
    fn observe<'e>(&self, facts: &Facts<'e>, flags: &'e [(&'static str, Vec<CharSpan>)]) -> Vec<Observed<'e>> {
        let mut observed = vec![Observed::Unknown; self.specs.len()];
        for (concept, presence) in facts.presences() {
            if let Some(&n) = self.concept_specs.get(concept) {
                observed[n] = observed_presence(presence);
            }
        }
        // Unnamed, a sign may still be measured: "TA 80/50" is hypotension.
        for &n in &self.signed_specs {
            if matches!(observed[n], Observed::Unknown) {
                observed[n] = measured_sign(facts, self.signs_of[n].iter().map(|&i| &self.measured_signs[i]));
            }
        }
        for concept in facts.measured_concepts() {
            for &n in self.measured_specs.get(concept).into_iter().flatten() {
                observed[n] = observe(&self.specs[n], facts, flags);
            }
        }
        for &n in &self.other_specs {
            observed[n] = observe(&self.specs[n], facts, flags);
        }
        observed
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
            for &d in self.concept_diseases.get(concept).into_iter().flatten() {
                named[d] = Some(mention);
            }
        }
        named
    }

    /// Per disease, whether a present finding at least occasionally suggests it (EV ≥ 2). A
    /// disease is a candidate when evoked so or named.
    fn evoked(&self, observed: &[Observed<'_>]) -> Vec<bool> {
        let mut evoked = vec![false; self.diseases.len()];
        for (n, _) in observed.iter().enumerate().filter(|(_, o)| matches!(o, Observed::Present { .. })) {
            self.evokes[n].iter().for_each(|&d| evoked[d] = true);
        }
        evoked
    }

    /// The weight of a present finding, halved when the text is uncertain.
    fn present_weight(evoking: u8, certain: bool) -> f64 {
        WEIGHTS.present[usize::from(certain)][evoking.min(5) as usize]
    }

    /// The weight of a denied finding.
    fn absent_weight(frequency: u8) -> f64 {
        WEIGHTS.absent[frequency.clamp(1, 5) as usize - 1]
    }

    /// The supporting weights of a disease's ledger, in ledger order (findings, then its name).
    fn supporting_weights<'s>(
        &'s self,
        d: usize,
        observed: &'s [Observed<'_>],
        named: Option<bool>,
    ) -> impl Iterator<Item = f64> + 's {
        let findings =
            self.diseases[d].findings.iter().zip(&self.spec_of[d]).filter_map(|(f, &n)| match &observed[n] {
                Observed::Present { certain, .. } => Some(Differential::present_weight(f.evoking, *certain)),
                _ => None,
            });
        findings.chain(named.map(|certain| Differential::present_weight(4, certain)))
    }

    /// The weights against a disease, in ledger order (denied findings, then unexplained ones).
    fn against_weights<'s>(
        &'s self,
        d: usize,
        observed: &'s [Observed<'_>],
        shown: &Shown,
    ) -> impl Iterator<Item = f64> + 's {
        let listed = self.distinct_specs[d].iter().filter(|&&n| shown.marked[n]).count();
        let charges = (shown.list.len() - listed).min(UNEXPLAINED_CHARGES);
        let denied = self.diseases[d].findings.iter().zip(&self.spec_of[d]).filter_map(|(f, &n)| match &observed[n] {
            Observed::Absent { .. } => Some(Differential::absent_weight(f.frequency)),
            _ => None,
        });
        denied.chain(std::iter::repeat_n(round(-UNEXPLAINED_COST), charges))
    }

    /// A disease's score: the prior plus its ledger's rounded weights, summed in ledger order so
    /// that it equals, to the last bit, the sum of the ledger [`Differential::hypothesis`] writes.
    fn score(&self, d: usize, observed: &[Observed<'_>], shown: &Shown, named: Option<bool>) -> f64 {
        let prior = 0.5 * (self.diseases[d].prior as f64 - 3.0);
        let weights = self.supporting_weights(d, observed, named).chain(self.against_weights(d, observed, shown));
        round(prior + weights.sum::<f64>())
    }

    /// The important findings the case shows that a disease does not list, each charged
    /// [`UNEXPLAINED_COST`] until the charges reach [`UNEXPLAINED_CAP`].
    fn unexplained<'s>(&'s self, d: usize, shown: &'s Shown) -> impl Iterator<Item = usize> + 's {
        shown.list.iter().copied().filter(move |n| !self.spec_of[d].contains(n)).take(UNEXPLAINED_CHARGES)
    }

    /// A listed hypothesis with its ledger written out.
    fn hypothesis(
        &self,
        candidate: Candidate<'_>,
        rank: u32,
        observed: &[Observed<'_>],
        shown: &Shown,
        concepts: &[ConceptEntry],
    ) -> Hypothesis {
        let d = candidate.disease;
        let disease = &self.diseases[d];
        let prior = 0.5 * (disease.prior as f64 - 3.0);
        let (mut supporting, mut against) = (Vec::new(), Vec::new());
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
            candidate.score.to_bits(),
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
            score: round(candidate.score),
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
fn measured_sign<'m, 'e>(facts: &Facts<'e>, measured_signs: impl Iterator<Item = &'m MeasuredSign>) -> Observed<'e> {
    let mut outcome = Observed::Unknown;
    for sign in measured_signs {
        match measured(facts, &sign.measurement, sign.state) {
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
        // Read from the mentions and the measured signs by `Differential::observe`.
        FindingSpec::Concept(_) => Observed::Unknown,
        FindingSpec::Measured(id, state) => measured(facts, id, *state),
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

/// A measurement read in a state: by its interpretation, or its qualitative result.
fn measured<'e>(facts: &Facts<'e>, concept: &str, state: MeasuredState) -> Observed<'e> {
    if !facts.is_measured(concept) {
        return Observed::Unknown;
    }
    let mut denied = None;
    // A component ("systolic 80" of "TA 80/50") is read like a measurement of its own.
    let parts = facts.components(concept).map(|(c, m)| (c.interpretation, None, &m.span));
    let whole = facts.measurements(concept).map(|m| (m.interpretation, m.result.as_deref(), &m.span));
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
