//! Measurements: the value and unit after the name of a lab or a vital sign
//! ("leucocite 27.400/mm3", "Hg 9,9 g/dl", "TA 80/50", "Fc: 109 bpm", "creatinină 0,80"), and
//! what they mean.
//!
//! The concept stage finds the names (a lab or vital followed by a value); this stage reads the
//! value with the document's number convention, its comparator (`<0,5`) and the unit as written,
//! attached (`27.400/mm3`, `37,5o`) or as the next token (`9,9 g/dl`), or a qualitative result
//! ("troponină negativă", words of `data/ro/results.tsv`). Then, with the tables of `data/labs/`:
//! - a generic analyte takes the child its unit names ("neutrofile 22%" → neutrophils %);
//! - the unit as written becomes UCUM; with none written it is inferred from the analyte's usual
//!   units and plausible range ([`interpret::normalize`]); a value no usual unit makes plausible
//!   gets an `implausible_value` warning and no interpretation;
//! - the value is normalized to the analyte's canonical unit and interpreted against the
//!   reference range of the patient's sex and age ([`interpret::select`]);
//! - a ratio panel ("TA 80/50") gets its parts as components, each interpreted;
//! - a differential count is attached to the count before it in the sentence (`parent`).
//!
//! Values also name their analyte in other ways, each read only with a unit or grade that ties
//! the number to it: written before the name ("92% polimorfonucleare", "620 neutrofile/mm3"),
//! after a finding whose value a member of a `finding` panel measures ("ritm sinusal, 110/min",
//! "proteinurie 3,2 g/24 h", "glucozurie 4+"), or listed after a first value of the same analyte
//! in the same unit ("trombocite 48.000/mm3 la 72 de ore și 156.000/mm3"). A number with a unit
//! of another kind than any the analyte is measured in ("calcul de 2 cm") is not its value.

pub mod interpret;
pub mod units;

use rustc_hash::FxHashMap;

use crate::analysis::{AgeUnit, Interpretation};
use crate::doc::{Assessment, Doc, DocComponent, DocMeasurement, DocWarning, Mention};
use crate::knowledge::concepts::ConceptType;
use crate::knowledge::labs::PanelKind;
use crate::knowledge::{Knowledge, ValueWords};
use crate::span::Span;
use crate::text::numbers::{self, Comparator};
use crate::text::tokenize::{number_prefix, TokenKind};
use interpret::{Normalized, Patient, Unnormalized};

/// What follows the name of a measurement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reading {
    /// The token of a number, quantity, ratio or range.
    Value(usize),
    /// The token of a qualitative result or grade written right after the name ("troponină
    /// negativă", "Coombs direct negativ", "glucozurie 4+"), and the result as the contract
    /// writes it.
    Result(usize, String),
    /// A qualitative result stated in more words: after link phrases ("a fost negativ") or as a
    /// phrase ("fără alterări"); its last token and the result. Only the name of a lab or vital
    /// takes it: a test, an imaging study or a culture so described is an exam, not a value.
    Stated(usize, String),
}

/// The value or result after token `last`: past colons, equals signs, opening parentheses
/// ("leucocite (27.400/mm3)") or comparators,
/// and at most [`MAX_LINKS`] link phrases ("glicemie capilară de 32 mg/dL", "CRP la 48",
/// "trombocite în scădere la 94.000/mm3", "creatinina serică a fost de 2,1 mg/dL").
pub fn reading_after(doc: &Doc<'_>, last: usize, words: &ValueWords) -> Option<Reading> {
    let mut i = last + 1;
    let mut links = 0;
    while i < doc.tokens.len() {
        if matches!(doc.token_text(i), ":" | "=" | "-" | "(" | "<" | ">" | "≤" | "≥") {
            i += 1;
        } else if let Some(length) =
            (links < MAX_LINKS).then(|| phrase_at(doc, i, |key| words.links.contains(key))).flatten()
        {
            links += 1;
            i += length;
        } else {
            break;
        }
    }
    let token = doc.tokens.get(i)?;
    if matches!(token.kind, TokenKind::Number | TokenKind::Quantity | TokenKind::Ratio | TokenKind::Range)
        || range_with_unit(doc.token_text(i)).is_some()
    {
        // A count ("de 12 ori") is no value; nor is a number in parentheses without a unit,
        // which is as often a citation ("glucozei (121)") as a value.
        let counted = i + 1 < doc.tokens.len() && words.counters.contains(doc.plain(i + 1));
        let bracketed = doc.token_text(i - 1) == "(" && token.kind == TokenKind::Number;
        let unit_follows = doc.tokens.get(i + 1).is_some_and(|t| t.kind == TokenKind::Unit);
        if counted || (bracketed && !unit_follows) {
            return None;
        }
        return Some(Reading::Value(i));
    }
    if let Some(grade) = grade(doc.token_text(i)) {
        return Some(Reading::Result(i, grade));
    }
    let length = phrase_at(doc, i, |key| words.results.contains_key(key))?;
    let result = words.results.get(&phrase_key(doc, i, length))?.clone();
    Some(if links == 0 && length == 1 { Reading::Result(i, result) } else { Reading::Stated(i + length - 1, result) })
}

/// The longest words phrase of at most [`MAX_PHRASE`] tokens from token `i` (by plain forms
/// joined with spaces) that `known` accepts: its length in tokens.
fn phrase_at(doc: &Doc<'_>, i: usize, known: impl Fn(&str) -> bool) -> Option<usize> {
    let words = doc
        .tokens
        .get(i..)?
        .iter()
        .take(MAX_PHRASE)
        .take_while(|t| matches!(t.kind, TokenKind::Word | TokenKind::Unit));
    // The longest phrase's key, built once: each shorter phrase's key is a prefix of it.
    let mut key = String::new();
    let mut ends = [0; MAX_PHRASE];
    let mut available = 0;
    for (n, _) in words.enumerate() {
        if n > 0 {
            key.push(' ');
        }
        key.push_str(doc.plain(i + n));
        ends[n] = key.len();
        available = n + 1;
    }
    (1..=available).rev().find(|&length| known(&key[..ends[length - 1]]))
}

/// The plain forms of tokens `i..i + length` joined with spaces.
fn phrase_key(doc: &Doc<'_>, i: usize, length: usize) -> String {
    (i..i + length).map(|t| doc.plain(t)).collect::<Vec<_>>().join(" ")
}

/// Where the unit starts in a range written with its unit glued on ("88-92%", "3–5/câmp"), a
/// token the tokenizer leaves mixed: after two numbers joined by a dash, a `%` or a `/`.
fn range_with_unit(form: &str) -> Option<usize> {
    let low = number_prefix(form);
    let rest = form.get(low..)?;
    let dash = rest.chars().next().filter(|&c| low > 0 && (c == '-' || c == '–'))?;
    let high = number_prefix(&rest[dash.len_utf8()..]);
    let unit = low + dash.len_utf8() + high;
    (high > 0 && (form[unit..].starts_with('%') || form[unit..].starts_with('/'))).then_some(unit)
}

/// The most link phrases between a name and its value.
const MAX_LINKS: usize = 3;

/// The most words a link or result phrase has ("în limite normale").
const MAX_PHRASE: usize = 3;

/// A semi-quantitative grade as written ("3+", "++"), the way the contract writes it. A lone
/// "+" is too often a sign of its own to be read as one.
fn grade(form: &str) -> Option<String> {
    let grade = match form.as_bytes() {
        [digit @ b'1'..=b'4', b'+'] => usize::from(digit - b'0'),
        plus if (2..=4).contains(&plus.len()) && plus.iter().all(|&b| b == b'+') => plus.len(),
        _ => return None,
    };
    Some(format!("{grade}+"))
}

/// The comparator written as a token of its own between a name and its value ("CRP < 5").
fn comparator_between(doc: &Doc<'_>, tokens: std::ops::Range<usize>) -> Option<Comparator> {
    tokens.rev().find_map(|i| match doc.token_text(i) {
        "<" => Some(Comparator::Less),
        ">" => Some(Comparator::Greater),
        "≤" => Some(Comparator::LessOrEqual),
        "≥" => Some(Comparator::GreaterOrEqual),
        _ => None,
    })
}

/// The measurement knowledge compiled for lookup by concept index.
#[derive(Debug, Clone, Default)]
pub struct Measurer {
    /// By concept index: the children that are analytes, for a generic concept that is none
    /// ("neutrophils" → its % and its count).
    children: FxHashMap<u32, Vec<u32>>,
    /// By ratio panel concept: its two members.
    ratios: FxHashMap<u32, (u32, u32)>,
    /// By concept: the differential panel it is a member of (directly or under a member).
    differential: FxHashMap<u32, u32>,
    /// By finding (a `finding` panel or a concept under one): the measurements a value after it
    /// may be, in order.
    findings: FxHashMap<u32, Vec<u32>>,
    /// Labs by the plain form of each of their one-word terms ("neutrofile", "leucocite").
    one_word_labs: FxHashMap<String, u32>,
}

impl Measurer {
    pub fn new(knowledge: &Knowledge) -> Measurer {
        let concepts = &knowledge.concepts;
        let index: FxHashMap<&str, u32> = concepts.iter().enumerate().map(|(i, c)| (c.id.as_str(), i as u32)).collect();
        let parent_of = |c: u32| concepts[c as usize].parent.as_deref().and_then(|p| index.get(p).copied());
        // Whether `c` is `ancestor` or under it, within a few steps.
        let descends = |c: u32, ancestor: u32| {
            let mut at = Some(c);
            let mut steps = 0;
            while let Some(concept) = at.filter(|_| steps < 8) {
                if concept == ancestor {
                    return true;
                }
                at = parent_of(concept);
                steps += 1;
            }
            false
        };
        let mut measurer = Measurer::default();
        for (i, concept) in concepts.iter().enumerate() {
            if knowledge.labs.analytes.contains_key(&concept.id) {
                if let Some(parent) = parent_of(i as u32) {
                    if !knowledge.labs.analytes.contains_key(&concepts[parent as usize].id) {
                        measurer.children.entry(parent).or_default().push(i as u32);
                    }
                }
            }
        }
        for (i, concept) in concepts.iter().enumerate().filter(|(_, c)| c.concept_type == ConceptType::Lab) {
            for term in concept.terms.iter().filter(|t| !t.contains([' ', '-', '/'])) {
                let plain = crate::text::normalize::Views::new(term).plain.as_str().to_owned();
                measurer.one_word_labs.entry(plain).or_insert(i as u32);
            }
        }
        let mut panels: Vec<(&String, &(PanelKind, Vec<String>))> = knowledge.labs.panels.iter().collect();
        panels.sort_by(|a, b| a.0.cmp(b.0));
        for (panel, (kind, members)) in panels {
            let Some(&panel) = index.get(panel.as_str()) else { continue };
            let members: Vec<u32> = members.iter().filter_map(|m| index.get(m.as_str()).copied()).collect();
            match kind {
                PanelKind::Ratio => {
                    if let [first, second] = members[..] {
                        measurer.ratios.insert(panel, (first, second));
                    }
                }
                PanelKind::Finding => {
                    for c in 0..concepts.len() as u32 {
                        if descends(c, panel) {
                            measurer.findings.insert(c, members.clone());
                        }
                    }
                }
                PanelKind::Differential => {
                    // Every concept whose ancestry reaches a member belongs to the panel.
                    for c in 0..concepts.len() as u32 {
                        if members.iter().any(|&member| descends(c, member)) {
                            measurer.differential.insert(c, panel);
                        }
                    }
                }
            }
        }
        measurer
    }

    /// Reads the value of every measurement name of `doc` and assesses it; then the values that
    /// name their analyte otherwise: written before it ("620 neutrofile/mm3"), after a finding that
    /// a value measures ("ritm sinusal, 110/min"), as a grade after a sign ("proteinurie 3+"), or
    /// listed after a first value of the same analyte ("48.000/mm3 la 72 de ore și 156.000/mm3").
    pub fn annotate(&self, doc: &mut Doc<'_>, knowledge: &Knowledge) {
        let ctx = Context { knowledge, patient: patient_of(doc) };
        let mut measurements = Vec::with_capacity(doc.measurement_names.len());
        let mut warnings = Vec::new();
        for name in &doc.measurement_names {
            let last = name.tokens.end - 1;
            match reading_after(doc, last, &knowledge.value_words) {
                Some(Reading::Value(at)) => {
                    let read = Read {
                        start: name.span.start,
                        concept: name.concept,
                        value: at,
                        unit_from: at + 1,
                        unit: None,
                        comparator: comparator_between(doc, last + 1..at),
                    };
                    if let Some(measurement) = self.measure(doc, &ctx, &read, &mut warnings) {
                        measurements.push(measurement);
                    }
                }
                Some(Reading::Result(at, result) | Reading::Stated(at, result)) => {
                    measurements.push(result_measurement(doc, name.span.start, name.concept, at, result));
                }
                None => {}
            }
        }
        self.unnamed_values(doc, &ctx, &mut measurements);
        self.glued_names(doc, &ctx, &mut measurements);
        measurements.sort_by_key(|m| (m.span.start, m.span.end));
        self.listed(doc, &ctx, &mut measurements);
        measurements.sort_by_key(|m| (m.span.start, m.span.end));
        link_differentials(doc, &mut measurements, &self.differential);
        doc.measurements = measurements;
        doc.warnings.extend(warnings);
        claim_measured_names(doc, knowledge);
    }

    /// Measurements from concept mentions that no value follows: a Lab or Vital with its value
    /// and a written unit before it ("92% polimorfonucleare"), a finding of a `finding` panel with
    /// a value after it in a member's unit ("ritm sinusal, 110/min") or a grade ("glucozurie 4+"),
    /// and a test the lab tables measure with its value ("timp de recolorare capilară 2 secunde").
    /// A sign graded at the bedside ("edeme ++") measures no analyte and stays a finding.
    fn unnamed_values(&self, doc: &Doc<'_>, ctx: &Context<'_>, measurements: &mut Vec<DocMeasurement>) {
        let concepts = &ctx.knowledge.concepts;
        for mention in &doc.mentions {
            let taken = |span: Span| measurements.iter().any(|m| m.span.start < span.end && span.start < m.span.end);
            if taken(mention.span) {
                continue;
            }
            let (first, end) = (mention.tokens.start, mention.tokens.end);
            let concept_type = concepts[mention.concept as usize].concept_type;
            if let Some(members) = self.findings.get(&mention.concept) {
                // Past a comma or colon and at most one link ("proteinuriei la 1,4 g/24 h").
                let mut at = end;
                while at < doc.tokens.len().min(end + 2) && matches!(doc.token_text(at), "," | ":") {
                    at += 1;
                }
                at += phrase_at(doc, at, |key| ctx.knowledge.value_words.links.contains(key)).unwrap_or(0);
                // A grade, or a result the finding's own name states ("coagulare normală"), is the
                // result of the member the tables measure by no number (the test strip's, the
                // panel's), or else of the first.
                let labs = &ctx.knowledge.labs;
                let Some(qualitative) = members
                    .iter()
                    .copied()
                    .find(|&m| !labs.analytes.contains_key(&concepts[m as usize].id))
                    .or_else(|| members.first().copied())
                else {
                    continue;
                };
                let stated = ctx.knowledge.value_words.results.get(doc.plain(end - 1));
                if let Some(result) = stated.filter(|_| end - 1 > first) {
                    measurements.push(result_measurement(
                        doc,
                        mention.span.start,
                        qualitative,
                        end - 1,
                        result.clone(),
                    ));
                    continue;
                }
                if let Some(value) = doc.tokens.get(at) {
                    if let Some(result) = grade(doc.token_text(at)) {
                        measurements.push(result_measurement(doc, mention.span.start, qualitative, at, result));
                        continue;
                    }
                    if matches!(value.kind, TokenKind::Quantity | TokenKind::Number) {
                        // The first member whose units the value is written in.
                        let read = |concept| Read {
                            start: value.span.start,
                            concept,
                            value: at,
                            unit_from: at + 1,
                            unit: None,
                            comparator: None,
                        };
                        let found = members.iter().find_map(|&member| {
                            let mut quiet = Vec::new();
                            self.measure(doc, ctx, &read(member), &mut quiet)
                                .filter(|m| m.unit.is_some() && m.assessment.normalized.is_some() && quiet.is_empty())
                        });
                        if let Some(measurement) = found.filter(|m| !taken(m.span)) {
                            measurements.push(measurement);
                            continue;
                        }
                    }
                }
            }
            match concept_type {
                ConceptType::Lab | ConceptType::Vital if first > 0 => {
                    let at = first - 1;
                    let before = doc.tokens[at];
                    if !matches!(before.kind, TokenKind::Number | TokenKind::Quantity) || taken(before.span) {
                        continue;
                    }
                    let read = Read {
                        start: before.span.start,
                        concept: mention.concept,
                        value: at,
                        unit_from: end,
                        unit: None,
                        comparator: None,
                    };
                    let mut quiet = Vec::new();
                    if let Some(mut measurement) = self.measure(doc, ctx, &read, &mut quiet) {
                        // With a written unit, or a decimal or grouped number the analyte makes
                        // plausible ("27.400 leucocite"): a bare integer before a name is too
                        // often a count of days, doses or findings ("în ziua 3 leucocitele").
                        measurement.span = measurement.span.cover(mention.span);
                        let separated = doc.token_text(at).contains(['.', ',']);
                        let tied = measurement.unit.is_some() || (separated && measurement.inferred_unit.is_some());
                        if tied && quiet.is_empty() {
                            measurements.push(measurement);
                        }
                    }
                }
                ConceptType::Test
                    if ctx.knowledge.labs.analytes.contains_key(&concepts[mention.concept as usize].id) =>
                {
                    // A test the lab tables measure ("timp de recolorare capilară 2 secunde").
                    let Some(Reading::Value(at)) = reading_after(doc, end - 1, &ctx.knowledge.value_words) else {
                        continue;
                    };
                    let read = Read {
                        start: mention.span.start,
                        concept: mention.concept,
                        value: at,
                        unit_from: at + 1,
                        unit: None,
                        comparator: None,
                    };
                    let mut quiet = Vec::new();
                    if let Some(measurement) = self.measure(doc, ctx, &read, &mut quiet) {
                        if measurement.unit.is_some() && quiet.is_empty() {
                            measurements.push(measurement);
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// Counts written as a number and one token of a cell name and its unit ("620 neutrofile/mm3",
    /// "24.000 leucocite/mm3" in a fluid's analysis): the name is a one-word term of a lab.
    fn glued_names(&self, doc: &Doc<'_>, ctx: &Context<'_>, measurements: &mut Vec<DocMeasurement>) {
        let units = &ctx.knowledge.token_rules.units;
        for at in 0..doc.tokens.len().saturating_sub(1) {
            let (number, glued) = (doc.tokens[at], doc.tokens[at + 1]);
            if number.kind != TokenKind::Number || !matches!(glued.kind, TokenKind::Word | TokenKind::Alnum) {
                continue;
            }
            let Some(slash) = doc.token_text(at + 1).find('/') else { continue };
            let name = Span::new(glued.span.start, glued.span.start + slash);
            let unit = Span::new(glued.span.start + slash, glued.span.end);
            let Some(&concept) = self.one_word_labs.get(doc.views.plain.slice(name)) else { continue };
            if !units.contains_key(doc.views.plain.slice(unit)) {
                continue;
            }
            let span = Span::new(number.span.start, glued.span.end);
            if measurements.iter().any(|m| m.span.start < span.end && span.start < m.span.end) {
                continue;
            }
            let read = Read {
                start: number.span.start,
                concept,
                value: at,
                unit_from: at + 2,
                unit: Some(unit),
                comparator: None,
            };
            let mut quiet = Vec::new();
            if let Some(measurement) = self.measure(doc, ctx, &read, &mut quiet).filter(|_| quiet.is_empty()) {
                measurements.push(measurement);
            }
        }
    }

    /// Values listed after a measurement for the same analyte, in the same unit, before any other
    /// name in the sentence: "trombocite 48.000/mm3 la 72 de ore și 156.000/mm3 la externare",
    /// "TA 172/114 mmHg, repetată după 15 minute 168/110 mmHg". `measurements` is in text order.
    fn listed(&self, doc: &Doc<'_>, ctx: &Context<'_>, measurements: &mut Vec<DocMeasurement>) {
        // Tokens a list cannot run through: the start of any other mention or name, and every
        // token of a measurement.
        let mut stops = vec![false; doc.tokens.len()];
        for mention in doc.mentions.iter().chain(&doc.measurement_names) {
            stops[mention.tokens.start] = true;
        }
        let mut token_at = 0;
        for m in measurements.iter() {
            while token_at < doc.tokens.len() && doc.tokens[token_at].span.end <= m.span.start {
                token_at += 1;
            }
            let mut t = token_at;
            while t < doc.tokens.len() && doc.tokens[t].span.start < m.span.end {
                stops[t] = true;
                t += 1;
            }
        }
        // A listed value is read quietly: an implausible one is no value of the list.
        let mut found = Vec::new();
        for m in measurements.iter().filter(|m| m.result.is_none()) {
            let Some(unit) = m.unit.map(|u| doc.views.plain.slice(u)).and_then(|u| ucum_of(u, ctx.knowledge)) else {
                continue;
            };
            let Some(sentence) =
                doc.sentences.iter().find(|s| s.span.start <= m.span.start && m.span.start < s.span.end)
            else {
                continue;
            };
            let ratio = m.value.is_none();
            let mut at = sentence
                .tokens
                .clone()
                .find(|&t| doc.tokens[t].span.start >= m.span.end)
                .unwrap_or(sentence.tokens.end);
            let mut gap = 0;
            while at < sentence.tokens.end && gap <= MAX_LIST_GAP {
                let token = doc.tokens[at];
                let form = doc.token_text(at);
                if stops[at] || matches!(form, ";" | "." | "(" | ")") || is_acronym(form) {
                    break;
                }
                let is_value = match token.kind {
                    TokenKind::Ratio => ratio,
                    TokenKind::Number | TokenKind::Quantity => !ratio,
                    _ => false,
                };
                if is_value {
                    let read = Read {
                        start: token.span.start,
                        concept: m.concept,
                        value: at,
                        unit_from: at + 1,
                        unit: None,
                        comparator: None,
                    };
                    let mut quiet = Vec::new();
                    let listed = self.measure(doc, ctx, &read, &mut quiet).filter(|listed| {
                        quiet.is_empty()
                            && listed.unit.map(|u| doc.views.plain.slice(u)).and_then(|u| ucum_of(u, ctx.knowledge))
                                == Some(unit.clone())
                    });
                    if let Some(listed) = listed {
                        at =
                            doc.tokens.iter().position(|t| t.span.start >= listed.span.end).unwrap_or(doc.tokens.len());
                        found.push(listed);
                        gap = 1;
                        continue;
                    }
                }
                gap += 1;
                at += 1;
            }
        }
        measurements.extend(found);
    }

    /// The measurement of `read.concept` from the value at token `read.value` and its unit
    /// (attached, or the token at `read.unit_from`), spanning from `read.start`; `None` when a
    /// unit is written whose kind the analyte is never measured in ("calcul de 2 cm", "glucoză
    /// 25 g" given as a drug): the number is then not a value of that analyte.
    fn measure(
        &self,
        doc: &Doc<'_>,
        ctx: &Context<'_>,
        read: &Read,
        warnings: &mut Vec<DocWarning>,
    ) -> Option<DocMeasurement> {
        let knowledge = ctx.knowledge;
        let at = read.value;
        let token = doc.tokens[at];
        let form = doc.token_text(at);
        let mut measurement = DocMeasurement::new(Span::new(read.start, token.span.end), read.concept);
        let mut ratio = None;
        let mut unit = None;
        match token.kind {
            TokenKind::Ratio => {
                let (a, b) = form.split_once('/').unwrap_or((form, ""));
                let read = |part: &str| numbers::parse(part, doc.convention).map(|n| n.value);
                ratio = read(a).zip(read(b));
            }
            TokenKind::Range => {}
            TokenKind::Alnum => {
                unit = range_with_unit(form).map(|at| Span::new(token.span.start + at, token.span.end));
            }
            _ => {
                let number = numbers::parse(form, doc.convention);
                measurement.value = number.map(|n| n.value);
                measurement.comparator = number.and_then(|n| n.comparator).or(read.comparator);
                let digits = number_prefix(form);
                unit = (token.kind == TokenKind::Quantity && digits < form.len())
                    .then(|| Span::new(token.span.start + digits, token.span.end));
            }
        }
        let mut end = token.span.end;
        if let Some(span) = read.unit {
            unit = Some(span);
            end = span.end;
        } else if unit.is_none() {
            if let Some(span) = unit_at(doc, knowledge, read.unit_from) {
                unit = Some(span);
                end = span.end;
            }
        }
        measurement.span = Span::new(read.start, end.max(token.span.end));
        measurement.unit = unit;
        let written = unit.and_then(|u| ucum_of(doc.views.plain.slice(u), knowledge));
        if let Some(written) = &written {
            if ratio.is_none() && !self.measurable_in(knowledge, measurement.concept, written) {
                return None;
            }
        }
        let unknown_unit = unit.is_some() && written.is_none();

        if let Some((first, second)) = ratio {
            if let Some(&(a, b)) = self.ratios.get(&measurement.concept) {
                for (concept, value) in [(a, first), (b, second)] {
                    let (component, inferred) =
                        self.component(ctx, concept, value, written.as_deref(), warnings, measurement.span);
                    if measurement.inferred_unit.is_none() && unit.is_none() {
                        measurement.inferred_unit = inferred;
                    }
                    measurement.components.push(component);
                }
            }
        } else if let Some(value) = measurement.value {
            measurement.concept = self.resolve(ctx, measurement.concept, value, written.as_deref(), unknown_unit);
            let concept = &knowledge.concepts[measurement.concept as usize].id;
            if let Some(outcome) = assess(ctx, concept, value, measurement.comparator, written.as_deref(), unknown_unit)
            {
                match outcome {
                    Ok((normalized, assessment)) => {
                        if normalized.inferred {
                            measurement.inferred_unit = Some(normalized.unit);
                        }
                        measurement.assessment = assessment;
                    }
                    Err(message) => warnings.push(implausible(measurement.span, form, &message)),
                }
            }
        }
        Some(measurement)
    }

    /// Whether a value in UCUM unit `written` can be one of `concept`: not when the unit is an
    /// extent (a length, mass, volume or time: the size of a stone, the dose of a drug) that the
    /// analyte is never measured in and that does not convert to its canonical unit. A concept
    /// with no row in `data/labs/` takes any unit.
    fn measurable_in(&self, knowledge: &Knowledge, concept: u32, written: &str) -> bool {
        const EXTENTS: &[&str] = &["length", "mass", "volume", "time"];
        let labs = &knowledge.labs;
        let dimension_of = |ucum: &str| knowledge.units.iter().find(|u| u.ucum == ucum).map(|u| u.dimension.as_str());
        if !dimension_of(written).is_some_and(|d| EXTENTS.contains(&d)) {
            return true;
        }
        let id = &knowledge.concepts[concept as usize].id;
        let candidates: Vec<&String> = match self.children.get(&concept) {
            Some(children) => children.iter().map(|&c| &knowledge.concepts[c as usize].id).collect(),
            None => vec![id],
        };
        let mut any_analyte = false;
        for candidate in candidates {
            let Some(analyte) = labs.analytes.get(candidate) else { continue };
            any_analyte = true;
            if units::convert(labs, candidate, 1.0, written, &analyte.unit).is_some() {
                return true;
            }
            let usual = std::iter::once(&analyte.unit).chain(&analyte.usual_units);
            if usual.into_iter().any(|u| dimension_of(u).is_none_or(|d| d == dimension_of(written).unwrap_or(d))) {
                return true;
            }
        }
        !any_analyte
    }

    /// One part of a ratio panel, assessed on its own; with the unit it inferred, if any.
    fn component(
        &self,
        ctx: &Context<'_>,
        concept: u32,
        value: f64,
        written: Option<&str>,
        warnings: &mut Vec<DocWarning>,
        span: Span,
    ) -> (DocComponent, Option<String>) {
        let id = &ctx.knowledge.concepts[concept as usize].id;
        let mut component =
            DocComponent { concept, value, unit: written.map(str::to_owned), assessment: Assessment::default() };
        let mut inferred = None;
        match assess(ctx, id, value, None, written, false) {
            Some(Ok((normalized, assessment))) => {
                if normalized.inferred {
                    component.unit = Some(normalized.unit.clone());
                    inferred = Some(normalized.unit);
                }
                component.assessment = assessment;
            }
            Some(Err(message)) => warnings.push(implausible(span, &value.to_string(), &message)),
            None => {}
        }
        (component, inferred)
    }

    /// The concept a value measures: a generic analyte ("neutrofile") becomes its child whose
    /// canonical unit the written unit converts to, or, with no unit, the child in whose usual
    /// units the value is plausible, when that settles the unit; otherwise it stays as named.
    fn resolve(&self, ctx: &Context<'_>, concept: u32, value: f64, written: Option<&str>, unknown_unit: bool) -> u32 {
        let Some(children) = self.children.get(&concept) else { return concept };
        let labs = &ctx.knowledge.labs;
        let fitting: Vec<u32> = children
            .iter()
            .copied()
            .filter(|&child| {
                let id = &ctx.knowledge.concepts[child as usize].id;
                let analyte = &labs.analytes[id];
                match written {
                    Some(unit) => units::convert(labs, id, value, unit, &analyte.unit).is_some(),
                    None => !unknown_unit && interpret::normalize(labs, id, analyte, value, None).is_ok(),
                }
            })
            .collect();
        // The first fitting child in inventory order (the general one: neutrophils % before band
        // neutrophils %), when every fitting child is measured in the same unit.
        let unit_of = |c: u32| &labs.analytes[&ctx.knowledge.concepts[c as usize].id].unit;
        match fitting.first() {
            Some(&first) if fitting.iter().all(|&c| unit_of(c) == unit_of(first)) => first,
            _ => concept,
        }
    }
}

/// The written unit at token `at`: a unit token, or two tokens that together are a unit written
/// with a space ("g/24 h", "mL/24 ore").
fn unit_at(doc: &Doc<'_>, knowledge: &Knowledge, at: usize) -> Option<Span> {
    let units = &knowledge.token_rules.units;
    let next = doc.tokens.get(at)?;
    if next.kind == TokenKind::Unit && units.contains_key(doc.views.plain.slice(next.span)) {
        return Some(next.span);
    }
    let after = doc.tokens.get(at + 1).filter(|t| t.kind != TokenKind::Punct)?;
    let both = Span::new(next.span.start, after.span.end);
    units.contains_key(doc.views.plain.slice(both)).then_some(both)
}

/// What every assessment of one document needs.
struct Context<'k> {
    knowledge: &'k Knowledge,
    patient: Patient,
}

/// Where to read one value: the measurement starts at byte `start`, measures `concept`, has its
/// value at token `value` and its unit attached, at token `unit_from`, or at `unit`.
struct Read {
    start: usize,
    concept: u32,
    value: usize,
    unit_from: usize,
    /// The unit, when it is part of another token ("620 neutrofile/mm3").
    unit: Option<Span>,
    /// A comparator written as a token of its own before the value ("CRP < 5").
    comparator: Option<Comparator>,
}

/// The most tokens a list of values of one analyte may hold between two values ("la 72 de ore
/// și").
const MAX_LIST_GAP: usize = 6;

/// An abbreviation in capitals ("LDH", "PSAP"): likely the name of another measurement, even
/// one casus does not know, so a list of values stops before it.
fn is_acronym(form: &str) -> bool {
    form.chars().filter(|c| c.is_alphabetic()).count() >= 2
        && form.chars().all(|c| !c.is_alphabetic() || c.is_uppercase())
}

/// A measurement whose reading is a qualitative result or grade ending at token `at`.
fn result_measurement(doc: &Doc<'_>, start: usize, concept: u32, at: usize, result: String) -> DocMeasurement {
    let span = Span::new(start, doc.tokens[at].span.end);
    let mut measurement = DocMeasurement::new(span, concept);
    measurement.assessment.interpretation = qualitative(&result);
    measurement.result = Some(result);
    measurement
}

/// Normalizes and interprets one value of analyte `concept`. `None` when the analyte has no
/// canonical unit or a written unit does not convert to it; `Err` with a reason when the value is
/// implausible.
fn assess(
    ctx: &Context<'_>,
    concept: &str,
    value: f64,
    comparator: Option<Comparator>,
    written: Option<&str>,
    unknown_unit: bool,
) -> Option<Result<(Normalized, Assessment), String>> {
    let labs = &ctx.knowledge.labs;
    let analyte = labs.analytes.get(concept)?;
    if unknown_unit && written.is_none() {
        return None;
    }
    let normalized = match interpret::normalize(labs, concept, analyte, value, written) {
        Ok(normalized) => normalized,
        Err(Unnormalized::Unconvertible) => return None,
        Err(Unnormalized::Implausible) => {
            return Some(Err(format!(
                "not a possible value of {concept} in any of its usual units ({})",
                analyte.usual_units.join(", ")
            )))
        }
        Err(Unnormalized::ImplausibleAsWritten(unit)) => {
            return Some(Err(format!("not a possible value of {concept} in {unit}")));
        }
    };
    let range = labs.ranges.get(concept).and_then(|rows| interpret::select(rows, ctx.patient));
    let assessment = Assessment {
        interpretation: range
            .as_ref()
            .and_then(|r| r.interpret(normalized.quantity.value, comparator, analyte.plausible)),
        reference: range.as_ref().map(|r| r.reference(&analyte.unit)),
        normalized: Some(normalized.quantity.clone()),
    };
    Some(Ok((normalized, assessment)))
}

fn implausible(span: Span, form: &str, reason: &str) -> DocWarning {
    DocWarning {
        kind: "implausible_value",
        message: format!("\"{form}\" is {reason}; left uninterpreted"),
        span: Some(span),
    }
}

/// The interpretation a qualitative result states ("coagulare normală", "troponină crescută").
fn qualitative(result: &str) -> Option<Interpretation> {
    match result {
        "normal" => Some(Interpretation::Normal),
        "high" => Some(Interpretation::High),
        "low" => Some(Interpretation::Low),
        _ => None,
    }
}

/// The UCUM code of a unit as written (its plain form), from `data/units.tsv`; the letter `o`
/// after a temperature stands for the degree sign (the tokenizer keeps `37,5o` whole for it).
fn ucum_of(plain: &str, knowledge: &Knowledge) -> Option<String> {
    if plain == "o" {
        return Some("Cel".to_owned());
    }
    let index = *knowledge.token_rules.units.get(plain)?;
    knowledge.units.get(index).map(|unit| unit.ucum.clone())
}

/// The patient's sex and age in years, for choosing reference ranges.
fn patient_of(doc: &Doc<'_>) -> Patient {
    let age = doc.patient.age.map(|(value, unit, _)| {
        let value = f64::from(value);
        match unit {
            AgeUnit::Year => value,
            AgeUnit::Month => value / 12.0,
            AgeUnit::Week => value * 7.0 / 365.25,
            AgeUnit::Day => value / 365.25,
        }
    });
    Patient { sex: doc.patient.sex.map(|(sex, _)| sex), age }
}

/// A lab or vital whose name a measurement holds ("92% polimorfonucleare", a value written
/// before the name), or a test the measurement measures ("timp de recolorare capilară 2
/// secunde"), is the measurement's name, not a mention of the test: like the names a value
/// follows, it moves from the mentions to the measurement names (with its context).
fn claim_measured_names(doc: &mut Doc<'_>, knowledge: &Knowledge) {
    let measured = |m: &Mention| {
        let analyte =
            matches!(knowledge.concepts[m.concept as usize].concept_type, ConceptType::Lab | ConceptType::Vital);
        doc.measurements
            .iter()
            .any(|x| x.span.start <= m.span.start && m.span.end <= x.span.end && (analyte || x.concept == m.concept))
    };
    let claimed: Vec<bool> = doc.mentions.iter().map(measured).collect();
    if !claimed.contains(&true) {
        return;
    }
    let parallel = doc.contexts.len() == doc.mentions.len();
    let mentions = std::mem::take(&mut doc.mentions);
    let contexts = std::mem::take(&mut doc.contexts);
    let mut contexts = contexts.into_iter();
    for (mention, claimed) in mentions.into_iter().zip(claimed) {
        let context = if parallel { contexts.next() } else { None };
        if claimed {
            doc.measurement_names.push(mention);
        } else {
            doc.mentions.push(mention);
            doc.contexts.extend(context);
        }
    }
    if !parallel {
        doc.contexts.extend(contexts);
    }
    doc.measurement_names.sort_by_key(|m| (m.span.start, m.span.end));
}

/// Attaches each member of a differential to the nearest measurement of its panel before it in
/// the same sentence ("leucocite 27.400/mm3 (neutrofile 22%)").
fn link_differentials(doc: &Doc<'_>, measurements: &mut [DocMeasurement], differential: &FxHashMap<u32, u32>) {
    let sentence_of = |at: usize| doc.sentences.iter().position(|s| s.span.start <= at && at < s.span.end);
    for i in 0..measurements.len() {
        let Some(&panel) = differential.get(&measurements[i].concept) else { continue };
        let sentence = sentence_of(measurements[i].span.start);
        measurements[i].parent = (0..i)
            .rev()
            .find(|&j| measurements[j].concept == panel && sentence_of(measurements[j].span.start) == sentence);
    }
}

impl DocMeasurement {
    /// A measurement of `concept` with nothing read yet.
    pub fn new(span: Span, concept: u32) -> DocMeasurement {
        DocMeasurement {
            span,
            concept,
            value: None,
            unit: None,
            result: None,
            comparator: None,
            inferred_unit: None,
            assessment: Assessment::default(),
            components: Vec::new(),
            parent: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::{Interpretation, Measurement};
    use crate::{Engine, Options};

    fn analyze(text: &str) -> crate::Analysis {
        static ENGINE: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
        ENGINE.get_or_init(|| Engine::new().unwrap()).analyze(text, &Options::default()).unwrap()
    }

    fn first(text: &str) -> Measurement {
        analyze(text).measurements.into_iter().next().unwrap_or_else(|| panic!("no measurement in {text:?}"))
    }

    fn normalized(m: &Measurement) -> (f64, &str) {
        let q = m.normalized.as_ref().unwrap();
        (q.value, q.unit.as_str())
    }

    #[test]
    fn the_patients_sex_and_age_choose_the_range() {
        let woman = first("Pacientă în vârstă de 30 de ani. Hemoglobină 12,5 g/dl.");
        let man = first("Pacient în vârstă de 30 de ani. Hemoglobină 12,5 g/dl.");
        assert_eq!(woman.interpretation, Some(Interpretation::Normal));
        assert_eq!(man.interpretation, Some(Interpretation::Low));
        let infant = first("Sugar în vârstă de 6 luni. Frecvență cardiacă 150/min.");
        let adult = first("Pacient în vârstă de 60 de ani. Frecvență cardiacă 150/min.");
        assert_eq!(infant.interpretation, Some(Interpretation::Normal));
        assert_eq!(adult.interpretation, Some(Interpretation::CriticalHigh));
    }

    #[test]
    fn written_units_are_converted_to_the_canonical_unit() {
        let creatinine = first("Creatinină 88 µmol/l.");
        assert_eq!(normalized(&creatinine), (0.9952499435, "mg/dL"));
        assert!(!creatinine.unit_inferred);
        assert_eq!(normalized(&first("Glicemie 5,4 mmol/l.")), (97.2864, "mg/dL"));
        assert_eq!(normalized(&first("Hemoglobină 99 g/l.")), (9.9, "g/dL"));
        assert_eq!(normalized(&first("Leucocite 12,5 mii/mm3.")), (12.5, "10*3/uL"));
        assert_eq!(normalized(&first("Trombocite 214.000/mmc.")), (214.0, "10*3/uL"));
        assert_eq!(normalized(&first("Bilirubină totală 2 mg/dl.")), (2.0, "mg/dL"));
        assert_eq!(normalized(&first("Bilirubină totală 171,04 µmol/l.")), (10.0, "mg/dL"));
    }

    #[test]
    fn a_missing_unit_is_inferred_and_marked() {
        let crp = first("CRP 115, fără alte modificări.");
        assert_eq!((crp.unit.as_deref(), crp.unit_inferred), (Some("mg/L"), true));
        let platelets = first("Trombocite 245.000, leucocite normale.");
        assert_eq!((platelets.unit.as_deref(), normalized(&platelets)), (Some("/mm3"), (245.0, "10*3/uL")));
        let creatinine = first("Creatinină 106, uree 40.");
        assert_eq!(creatinine.unit.as_deref(), Some("umol/L"));
    }

    #[test]
    fn an_implausible_value_is_flagged_not_interpreted() {
        let analysis = analyze("Potasiu 45 la internare.");
        let potassium = &analysis.measurements[0];
        assert_eq!(
            (potassium.interpretation, potassium.normalized.as_ref(), potassium.unit_inferred),
            (None, None, false)
        );
        assert!(analysis
            .warnings
            .iter()
            .any(|w| w.kind == "implausible_value" && w.message.contains("serum_potassium")));
        let written = analyze("Hemoglobină 99 g/dl.");
        assert_eq!(written.measurements[0].interpretation, None);
        assert!(written.warnings.iter().any(|w| w.kind == "implausible_value"));
    }

    #[test]
    fn comparators_are_kept_and_bound_the_interpretation() {
        let low = first("Procalcitonină <0,05 ng/ml.");
        assert_eq!((low.comparator.as_deref(), low.value), (Some("<"), Some(0.05)));
        assert_eq!(low.interpretation, Some(Interpretation::Normal));
        let spaced = first("Procalcitonină < 0,5 ng/ml.");
        assert_eq!((spaced.comparator.as_deref(), spaced.interpretation), (Some("<"), None));
        let high = first("CRP >200 mg/l.");
        assert_eq!((high.comparator.as_deref(), high.interpretation), (Some(">"), Some(Interpretation::High)));
    }

    #[test]
    fn a_blood_pressure_has_systolic_and_diastolic_components() {
        let bp = first("La internare TA=120/70 mmHg, afebril.");
        assert_eq!((bp.value, bp.unit.as_deref(), bp.unit_inferred), (None, Some("mmHg"), false));
        let parts: Vec<(&str, f64, Option<&str>, Option<Interpretation>)> = bp
            .components
            .as_ref()
            .unwrap()
            .iter()
            .map(|c| (c.concept.codes["loinc"][0].as_str(), c.value, c.unit.as_deref(), c.interpretation))
            .collect();
        assert_eq!(
            parts,
            [
                ("8480-6", 120.0, Some("mm[Hg]"), Some(Interpretation::Normal)),
                ("8462-4", 70.0, Some("mm[Hg]"), Some(Interpretation::Normal)),
            ]
        );
        let crisis = first("TA 210/125 mmHg.");
        let flags: Vec<_> = crisis.components.unwrap().iter().map(|c| c.interpretation).collect();
        assert_eq!(flags, [Some(Interpretation::CriticalHigh), Some(Interpretation::CriticalHigh)]);
    }

    #[test]
    fn a_differential_count_belongs_to_its_leukocyte_count() {
        let analysis = analyze("Leucocite 27.400/mm3 (neutrofile 82%, limfocite 10%). Neutrofile 3.100/mm3 ieri.");
        let ids: Vec<(&str, &str, Option<&str>)> =
            analysis.measurements.iter().map(|m| (m.id.as_str(), m.concept.id.as_str(), m.parent.as_deref())).collect();
        assert_eq!(
            ids,
            [
                ("m1", "leukocyte_count", None),
                ("m2", "neutrophil_percentage", Some("m1")),
                ("m3", "lymphocyte_percentage", Some("m1")),
                ("m4", "neutrophil_count", None),
            ]
        );
    }

    /// Concept, text, value, unit and result of one measurement.
    type Read = (String, String, Option<f64>, Option<String>, Option<String>);

    /// Each measurement of `text`, read.
    fn read(text: &str) -> Vec<Read> {
        analyze(text).measurements.into_iter().map(|m| (m.concept.id, m.text, m.value, m.unit, m.result)).collect()
    }

    fn concepts_and_values(text: &str) -> Vec<(String, Option<f64>)> {
        read(text).into_iter().map(|(concept, _, value, ..)| (concept, value)).collect()
    }

    #[test]
    fn link_phrases_may_stand_between_a_name_and_its_value() {
        assert_eq!(
            concepts_and_values("Trombocite în scădere la 94.000/mm3 după 48 de ore."),
            [("platelet_count".to_owned(), Some(94000.0))]
        );
        let urine = read("Diureza a crescut la 1.800 mL/24 ore din ziua 2.");
        assert_eq!(urine.len(), 1);
        assert_eq!(
            (urine[0].0.as_str(), urine[0].2, urine[0].3.as_deref()),
            ("urine_output", Some(1800.0), Some("mL/24 ore"))
        );
        assert_eq!(concepts_and_values("La 7 zile scorul NIHSS era 5."), [("nihss_score".to_owned(), Some(5.0))]);
        assert_eq!(
            concepts_and_values("SpO2 în aer atmosferic 89%."),
            [("oxygen_saturation_pulse_oximetry".to_owned(), Some(89.0))]
        );
    }

    #[test]
    fn a_result_stated_in_more_words_is_read_for_labs_not_for_exams() {
        let troponin = read("Troponina a fost negativă.");
        assert_eq!(troponin.len(), 1);
        assert_eq!(troponin[0].4.as_deref(), Some("negative"));
        assert!(read("Urocultura a fost negativă.").is_empty());
        assert!(read("Ecografia abdominală fără modificări.").is_empty());
        let absent = read("Anticorpi antifosfolipidici absenți.");
        assert_eq!(absent.first().and_then(|m| m.4.as_deref()), Some("negative"));
    }

    #[test]
    fn a_semi_quantitative_grade_is_the_result_of_a_test_strip_analyte() {
        let grades: Vec<(String, String, Option<String>)> =
            read("Sumar de urină: glucozurie 4+, cetonurie 3+.").into_iter().map(|m| (m.0, m.1, m.4)).collect();
        // A sign of a `finding` panel gives its grade to the test strip's analyte.
        assert_eq!(
            grades,
            [
                ("urine_glucose".to_owned(), "glucozurie 4+".to_owned(), Some("4+".to_owned())),
                ("urine_ketones".to_owned(), "cetonurie 3+".to_owned(), Some("3+".to_owned()))
            ]
        );
        assert!(read("Edeme gambiere ++.").is_empty(), "a bedside grade is no lab value");
        // A finding whose name states the result of its member's test.
        let coagulation = read("Hemoglobină 12 g/dl, coagulare normală.");
        assert_eq!(
            coagulation.last().map(|m| (m.0.as_str(), m.1.as_str(), m.4.as_deref())),
            Some(("coagulation_tests", "coagulare normală", Some("normal")))
        );
    }

    #[test]
    fn a_value_after_a_finding_measures_the_finding_s_member() {
        let ecg = read("EKG: ritm sinusal, 100/min, fără modificări de repolarizare.");
        assert_eq!(ecg.len(), 1);
        assert_eq!((ecg[0].0.as_str(), ecg[0].1.as_str(), ecg[0].2), ("heart_rate", "100/min", Some(100.0)));
        assert_eq!(
            concepts_and_values("Proteinurie 3,2 g/24 h, cu scăderea proteinuriei la 1,4 g/24 h."),
            [("urine_protein_24h".to_owned(), Some(3.2)), ("urine_protein_24h".to_owned(), Some(1.4))]
        );
        // A value in a unit the member is never measured in is not the member's.
        assert!(read("Ritm sinusal, 2 mm subdenivelare.").iter().all(|m| m.0 != "heart_rate"));
    }

    fn entities(text: &str) -> Vec<(crate::analysis::EntityType, String)> {
        analyze(text).entities.into_iter().map(|e| (e.entity_type, e.concept.id)).collect()
    }

    #[test]
    fn a_name_measured_by_a_value_before_it_is_no_test_mention() {
        use crate::analysis::EntityType;
        let analysis = analyze("LCR cu 92% polimorfonucleare.");
        assert_eq!(analysis.measurements.len(), 1);
        assert!(analysis.entities.iter().all(|e| e.entity_type != EntityType::Test), "{:?}", analysis.entities);
        // Named without a value, the same cells are still a mention.
        assert!(entities("Predomină polimorfonuclearele.").iter().any(|(t, _)| *t == EntityType::Test));
    }

    #[test]
    fn a_measured_test_is_the_measurement_s_name() {
        use crate::analysis::EntityType;
        let analysis = analyze("Timp de recolorare capilară 3 secunde.");
        assert_eq!(analysis.measurements.len(), 1, "{:?}", analysis.measurements);
        assert!(analysis.entities.iter().all(|e| e.entity_type != EntityType::Test), "{:?}", analysis.entities);
    }

    #[test]
    fn a_culture_with_its_result_stays_a_test_and_makes_a_microbiology_record() {
        use crate::analysis::EntityType;
        let analysis = analyze("Coprocultură negativă.");
        assert!(analysis.measurements.is_empty(), "{:?}", analysis.measurements);
        assert_eq!(entities("Coprocultură negativă."), [(EntityType::Test, "stool_culture".to_owned())]);
        assert_eq!(analysis.microbiology.len(), 1);
        assert_eq!(analysis.microbiology[0].result, "negative");
        // A test that is not a culture is still read with its result.
        assert_eq!(analyze("Test Coombs direct negativ.").measurements.len(), 1);
    }

    #[test]
    fn a_procedure_labelling_its_findings_is_its_diagnostic_test() {
        use crate::analysis::EntityType;
        assert_eq!(
            entities("Toracenteza: lichid exudativ.").first().cloned(),
            Some((EntityType::Test, "diagnostic_thoracentesis".to_owned()))
        );
        assert_eq!(
            entities("Puncția lombară: lichid clar.").first().cloned(),
            Some((EntityType::Test, "diagnostic_lumbar_puncture".to_owned()))
        );
        assert_eq!(
            entities("S-a efectuat toracenteză.").first().cloned(),
            Some((EntityType::Procedure, "thoracentesis".to_owned()))
        );
    }

    #[test]
    fn a_value_written_before_its_name_needs_a_written_unit() {
        assert_eq!(
            concepts_and_values("LCR cu 92% polimorfonucleare."),
            [("neutrophil_percentage".to_owned(), Some(92.0))]
        );
        assert_eq!(
            concepts_and_values("Lichid de ascită cu 620 neutrofile/mm3."),
            [("neutrophil_count".to_owned(), Some(620.0))]
        );
        assert!(read("În ziua 3 leucocitele au revenit la normal.").is_empty());
        assert_eq!(
            concepts_and_values("Hemoleucograma arată 27.400 leucocite, anemie."),
            [("leukocyte_count".to_owned(), Some(27400.0))]
        );
        assert!(read("Oxidarea glucozei a fost de 12 ori mai mare, glucoză (121).").is_empty());
        assert_eq!(
            concepts_and_values("Leucocitoză (leucocite (27.400/mm3)) și FEVS estimată la 35%."),
            [
                ("leukocyte_count".to_owned(), Some(27400.0)),
                ("left_ventricular_ejection_fraction".to_owned(), Some(35.0))
            ]
        );
    }

    #[test]
    fn values_listed_after_a_first_one_share_its_analyte() {
        assert_eq!(
            concepts_and_values("Evoluție: trombocite 48.000/mm3 la 72 de ore și 156.000/mm3 la externare."),
            [("platelet_count".to_owned(), Some(48000.0)), ("platelet_count".to_owned(), Some(156000.0))]
        );
        let pressures: Vec<String> = read("TA 172/114 mmHg, repetată după 15 minute 168/110 mmHg, AV 88/min.")
            .into_iter()
            .map(|m| m.1)
            .collect();
        assert_eq!(pressures, ["TA 172/114 mmHg", "168/110 mmHg", "AV 88/min"]);
        // A list stops at a name, even one casus does not know.
        assert_eq!(
            concepts_and_values("Glicemie 120 mg/dL, XQZ 160 mg/dL."),
            [("serum_glucose".to_owned(), Some(120.0))]
        );
    }

    #[test]
    fn a_unit_of_another_kind_than_the_analyte_s_is_no_value_of_it() {
        assert!(read("S-a administrat glucoză 25 g i.v.").is_empty());
        assert_eq!(
            concepts_and_values("Diureză de 3.500 mL în primele 24 de ore."),
            [("urine_output".to_owned(), Some(3500.0))]
        );
    }

    #[test]
    fn ranges_glued_to_their_unit_and_measured_tests_are_read() {
        let target = read("Oxigenoterapie cu ținta SpO2 88-92%.");
        assert_eq!(target.len(), 1);
        assert_eq!((target[0].1.as_str(), target[0].3.as_deref()), ("SpO2 88-92%", Some("%")));
        assert_eq!(
            concepts_and_values("Timp de recolorare capilară 3 secunde."),
            [("capillary_refill_time".to_owned(), Some(3.0))]
        );
        assert_eq!(
            concepts_and_values("TP 12,1 sec, INR 1,02."),
            [("prothrombin_time".to_owned(), Some(12.1)), ("inr".to_owned(), Some(1.02))]
        );
    }
}
