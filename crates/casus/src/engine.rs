//! The engine: compiled knowledge plus the pipeline that runs it over a document.

use std::sync::Arc;

use crate::analysis::{self, Analysis, CharSpan, SectionKind};
use crate::annotate::concepts::ConceptMatcher;
use crate::annotate::context::ContextMatcher;
use crate::annotate::measure::Measurer;
use crate::annotate::patient::PatientMatcher;
use crate::doc::{Doc, DocWarning, PatientFacts, StatedCode};
use crate::error::Error;
use crate::knowledge::concepts::ConceptType;
use crate::knowledge::Knowledge;
use crate::reason::diagnosis::DiagnosisCoder;
use crate::reason::differential::Differential;
use crate::reason::facts::{ConceptTree, Facts};
use crate::span::{CharIndex, Span};
use crate::text::normalize::Views;
use crate::text::numbers::{self, DecimalMark};
use crate::text::sections::SectionMatcher;
use crate::text::statements::StatementMatcher;
use crate::text::tokenize::{tokenize, TokenKind};
use crate::text::{sentences, validate};

/// The languages casus reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Language {
    #[default]
    Romanian,
}

impl Language {
    pub fn code(self) -> &'static str {
        match self {
            Language::Romanian => "ro",
        }
    }

    /// The language of an ISO 639-1 code, if casus reads it.
    pub fn from_code(code: &str) -> Option<Language> {
        match code {
            "ro" => Some(Language::Romanian),
            _ => None,
        }
    }

    fn decimal_mark(self) -> DecimalMark {
        match self {
            Language::Romanian => DecimalMark::Comma,
        }
    }
}

/// How to analyse one document.
#[derive(Debug, Clone)]
pub struct Options {
    pub language: Language,
    /// Hide the text's own diagnosis from the analysis (for a blind differential or teaching).
    pub blind: bool,
    /// The size limit of one document, in bytes.
    pub max_bytes: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options { language: Language::Romanian, blind: false, max_bytes: validate::DEFAULT_MAX_BYTES }
    }
}

/// Compiled knowledge and the pipeline. Build once, share across threads (`Send + Sync`).
#[derive(Debug, Clone)]
pub struct Engine {
    knowledge: Knowledge,
    sections: SectionMatcher,
    patient: PatientMatcher,
    concepts: ConceptMatcher,
    context: ContextMatcher,
    statements: StatementMatcher,
    diagnoses: DiagnosisCoder,
    tree: ConceptTree,
    differential: Differential,
    measurer: Measurer,
}

impl Engine {
    /// An engine with the knowledge embedded in the binary.
    pub fn new() -> Result<Engine, Error> {
        Ok(Engine::with_knowledge(Knowledge::embedded()?))
    }

    /// An engine with the embedded knowledge and a user's directory laid over it
    /// (see [`Knowledge::with_overlay`]).
    pub fn with_knowledge_dir(dir: &std::path::Path) -> Result<Engine, Error> {
        Ok(Engine::with_knowledge(Knowledge::with_overlay(dir)?))
    }

    pub fn with_knowledge(knowledge: Knowledge) -> Engine {
        let sections = SectionMatcher::new(&knowledge.sections);
        let patient = PatientMatcher::new(&knowledge.patient_words);
        let concepts = ConceptMatcher::new(
            &knowledge.concepts,
            &knowledge.token_rules,
            &knowledge.ambiguous_abbreviations,
            &knowledge.value_words,
        )
        .with_cultures(&knowledge.concepts, knowledge.microbiology_words.test_specimens.keys().map(String::as_str));
        let context = ContextMatcher::new(&knowledge.triggers, &knowledge.section_context, &knowledge.number_words);
        let statements = StatementMatcher::new(&knowledge.coding.words);
        let diagnoses = DiagnosisCoder::new(&knowledge.coding, &knowledge.concepts);
        let tree = ConceptTree::new(&knowledge.concepts);
        let differential =
            Differential::new(&knowledge.diseases, &knowledge.measured_signs, &knowledge.concepts, &tree);
        let measurer = Measurer::new(&knowledge);
        Engine { knowledge, sections, patient, concepts, context, measurer, statements, diagnoses, tree, differential }
    }

    pub fn knowledge(&self) -> &Knowledge {
        &self.knowledge
    }

    /// Validates raw bytes, then analyses them.
    pub fn analyze_bytes(&self, bytes: &[u8], options: &Options) -> Result<Analysis, Error> {
        let text = validate::validate(bytes, options.max_bytes)?;
        self.analyze(text, options)
    }

    /// Analyses one document.
    pub fn analyze(&self, text: &str, options: &Options) -> Result<Analysis, Error> {
        let doc = self.document(text, options)?;
        // Both the contract and the reasoning count spans in code points, by one index.
        let index = CharIndex::new(doc.text);
        let mut analysis = self.to_analysis(&doc, options, &index);
        self.reason(&doc, &mut analysis, &index);
        Ok(analysis)
    }

    /// The reasoning stages over the extracted facts: scores, then the differential. `index`
    /// converts the spans of `doc` ([`CharIndex::new`] of its text).
    pub fn reason(&self, doc: &Doc<'_>, analysis: &mut Analysis, index: &CharIndex) {
        let statements: Vec<CharSpan> = doc.statements.iter().map(|&s| index.span(s)).collect();
        let facts = Facts::new(analysis, &self.tree, &statements);
        let scores = crate::reason::scores::compute(&facts);
        let differential = self.differential.rank(&facts, &scores, &self.knowledge.concepts);
        analysis.scores = scores;
        analysis.differential = differential;
    }

    /// Runs the pipeline and returns the annotated document (for tools that need the internals).
    pub fn document<'t>(&self, text: &'t str, options: &Options) -> Result<Doc<'t>, Error> {
        let mut doc = self.text_layer(text, options)?;
        self.annotate(&mut doc);
        Ok(doc)
    }

    /// The text layer: validation, views, tokens, sentences, sections, number convention.
    pub fn text_layer<'t>(&self, text: &'t str, options: &Options) -> Result<Doc<'t>, Error> {
        let text = validate::validate_str(text, options.max_bytes)?;
        let views = Views::new(text);
        let tokens = tokenize(text, &views, &self.knowledge.token_rules);
        let sentences = sentences::split(text, &tokens);
        let sections = self.sections.find(text, &views, &tokens, &sentences);
        let convention = numbers::detect(
            tokens
                .iter()
                .filter(|t| matches!(t.kind, TokenKind::Number | TokenKind::Quantity))
                .map(|t| &text[t.span.range()]),
            options.language.decimal_mark(),
        );
        let statements = self.statements.find(&views, &tokens, &sentences, &sections);
        let hidden = if options.blind {
            sections
                .iter()
                .filter(|s| s.kind == SectionKind::Diagnosis)
                .map(|s| s.span)
                .chain(statements.iter().copied())
                .collect()
        } else {
            Vec::new()
        };
        let mut doc = Doc {
            text,
            views,
            tokens,
            sentences,
            sections,
            convention,
            statements,
            hidden,
            patient: PatientFacts::default(),
            mentions: Vec::new(),
            contexts: Vec::new(),
            measurement_names: Vec::new(),
            measurements: Vec::new(),
            diagnoses: Vec::new(),
            medications: Vec::new(),
            microbiology: Vec::new(),
            stems: Default::default(),
            times: Vec::new(),
            mention_times: Vec::new(),
            warnings: Vec::new(),
        };
        warn_ambiguous_numbers(&mut doc);
        Ok(doc)
    }

    /// The annotators, in pipeline order, over a document that has its text layer.
    pub fn annotate(&self, doc: &mut Doc<'_>) {
        self.annotate_patient(doc);
        self.annotate_concepts(doc);
        self.annotate_context(doc);
        self.annotate_measurements(doc);
        self.annotate_microbiology(doc);
        self.annotate_medications(doc);
        self.annotate_timing(doc);
        self.annotate_diagnoses(doc);
    }

    /// When each finding happened, relative to presentation (needs the mentions, their context
    /// and the patient's age).
    pub fn annotate_timing(&self, doc: &mut Doc<'_>) {
        crate::annotate::timing::annotate(doc, &self.knowledge);
    }

    /// Cultures, isolates and susceptibilities (needs the mentions and their context).
    pub fn annotate_microbiology(&self, doc: &mut Doc<'_>) {
        crate::annotate::microbiology::annotate(doc, &self.knowledge);
    }

    /// Route, dose, frequency, time and status of each drug (needs microbiology, which claims
    /// the drugs named in susceptibility results).
    pub fn annotate_medications(&self, doc: &mut Doc<'_>) {
        crate::annotate::medication::annotate(doc, &self.knowledge);
    }

    /// The conditions of the diagnosis statements, coded (needs mentions and their context).
    pub fn annotate_diagnoses(&self, doc: &mut Doc<'_>) {
        self.diagnoses.annotate(doc, &self.knowledge.concepts);
    }

    /// Values of the labs and vitals the concept stage named.
    pub fn annotate_measurements(&self, doc: &mut Doc<'_>) {
        self.measurer.annotate(doc, &self.knowledge);
    }

    /// Age and sex.
    pub fn annotate_patient(&self, doc: &mut Doc<'_>) {
        self.patient.annotate(doc, &self.knowledge.number_words);
    }

    /// Concept mentions.
    pub fn annotate_concepts(&self, doc: &mut Doc<'_>) {
        self.concepts.annotate(doc, &self.knowledge.concepts);
    }

    /// The context of each mention (needs the mentions).
    pub fn annotate_context(&self, doc: &mut Doc<'_>) {
        self.context.annotate(doc, &self.knowledge.concepts);
    }
}

/// The case timeline: the dated entities and medications grouped by their time, in time order,
/// with presentation (day 0) always on it. Times written alike ("cu 10 zile înainte" twice) are
/// one event; a medication joins the event of its time.
fn timeline(doc: &Doc<'_>, analysis: &Analysis, span: &impl Fn(Span) -> CharSpan) -> Vec<analysis::TimelineEvent> {
    let mut events: Vec<analysis::TimelineEvent> = Vec::new();
    event_at(&mut events, "P0D");
    for (entity, time) in analysis.entities.iter().zip(&doc.mention_times) {
        let Some(time) = time.map(|t| &doc.times[t]) else { continue };
        if let Some(event) = event_at(&mut events, &time.start) {
            event.approximate |= time.approximate;
            let said = span(time.span(doc));
            if !event.spans.contains(&said) {
                event.spans.push(said);
            }
            event.entities.push(entity.id.clone());
        }
    }
    for medication in &analysis.medications {
        let Some(start) = medication.time.as_deref() else { continue };
        // The expression the medication stage read its time from is among its evidence.
        let said = doc.times.iter().map(|time| (time, span(time.span(doc)))).find(|(time, said)| {
            time.start == start && medication.evidence.iter().any(|e| e.start <= said.start && said.end <= e.end)
        });
        if let Some(event) = event_at(&mut events, start) {
            if let Some((time, said)) = said {
                event.approximate |= time.approximate;
                if !event.spans.contains(&said) {
                    event.spans.push(said);
                }
            }
            event.medications.push(medication.id.clone());
        }
    }
    events.sort_by(|a, b| a.day.total_cmp(&b.day));
    for (n, event) in events.iter_mut().enumerate() {
        event.id = item_id("t", n);
        event.spans.sort_by_key(|s| s.start);
    }
    events
}

/// The contract's id of the item at index `n` of its list: the list's prefix and `n + 1`
/// (`item_id("e", 11)` is `e12`). Written with itoa rather than `format!`: an analysis
/// has hundreds of ids and cross-references, and the formatting machinery costs several times
/// the few bytes each one writes.
fn item_id(prefix: &str, n: usize) -> String {
    let mut digits = itoa::Buffer::new();
    let digits = digits.format(n + 1);
    let mut id = String::with_capacity(prefix.len() + digits.len());
    id.push_str(prefix);
    id.push_str(digits);
    id
}

/// The event of the timeline at `start`, made on first use; `None` when `start` is not a duration.
fn event_at<'e>(events: &'e mut Vec<analysis::TimelineEvent>, start: &str) -> Option<&'e mut analysis::TimelineEvent> {
    let found = match events.iter().position(|e| e.start == start) {
        Some(found) => found,
        None => {
            events.push(analysis::TimelineEvent {
                id: String::new(),
                start: start.to_owned(),
                day: crate::annotate::time::iso_days(start)?,
                approximate: false,
                spans: Vec::new(),
                entities: Vec::new(),
                medications: Vec::new(),
            });
            events.len() - 1
        }
    };
    Some(&mut events[found])
}

/// Flags every number whose reading the document's convention does not settle.
fn warn_ambiguous_numbers(doc: &mut Doc<'_>) {
    // A number is read as ambiguous only under a convention that its document does not evidence
    // (`numbers::parse`): most documents show theirs, and need no walk over their tokens.
    if doc.convention.evidenced {
        return;
    }
    let mut warnings = Vec::new();
    for token in &doc.tokens {
        if !matches!(token.kind, TokenKind::Number | TokenKind::Quantity) || doc.is_hidden(token.span) {
            continue;
        }
        let form = &doc.text[token.span.range()];
        // Only a number with a separator can be read two ways: the others are not parsed.
        if !form.contains([',', '.']) {
            continue;
        }
        if let Some(number) = numbers::parse(form, doc.convention).filter(|n| n.ambiguous) {
            warnings.push(DocWarning {
                kind: "ambiguous_number",
                message: format!(
                    "\"{form}\" could be read two ways; read as {} because the document shows no clear decimal convention",
                    number.value
                ),
                span: Some(token.span),
            });
        }
    }
    doc.warnings.extend(warnings);
}

impl Engine {
    /// The stated diagnoses as the contract writes them.
    fn stated_diagnoses(&self, doc: &Doc<'_>, span: &impl Fn(Span) -> CharSpan) -> Vec<analysis::Diagnosis> {
        doc.diagnoses
            .iter()
            .map(|d| {
                let concept = match d.code {
                    StatedCode::Concept(c) => self.knowledge.concepts[c as usize].to_concept(),
                    StatedCode::Agent(n) => {
                        let agent = self.diagnoses.agent(n);
                        let mut codes = analysis::Codes::new();
                        codes.insert("icd10cm".to_owned(), vec![agent.icd10cm.clone()]);
                        if let Some(who) = &agent.icd10 {
                            codes.insert("icd10".to_owned(), vec![who.clone()]);
                        }
                        analysis::Concept {
                            id: format!("{}_as_agent", agent.organism),
                            label: agent.label.clone(),
                            codes: Arc::new(codes),
                        }
                    }
                    StatedCode::Table { concept, offset } => {
                        let entry = crate::knowledge::icd10cm::at(offset).expect("an offset of a table line");
                        let mut codes = analysis::Codes::new();
                        codes.insert("icd10cm".to_owned(), vec![entry.code.to_owned()]);
                        let id = self.knowledge.concepts[concept as usize].id.clone();
                        analysis::Concept { id, label: entry.description.to_owned(), codes: Arc::new(codes) }
                    }
                    StatedCode::Code(n) => {
                        let code = self.diagnoses.code(n);
                        let mut codes = analysis::Codes::new();
                        codes.insert("icd10cm".to_owned(), vec![code.icd10cm.clone()]);
                        analysis::Concept {
                            id: code.concept.clone(),
                            label: code.label.clone(),
                            codes: Arc::new(codes),
                        }
                    }
                };
                analysis::Diagnosis {
                    id: String::new(),
                    source: "stated".to_owned(),
                    span: span(d.span),
                    text: doc.text[d.span.range()].to_owned(),
                    concept,
                    role: d.role.as_str().to_owned(),
                    certainty: if d.uncertain { "uncertain" } else { "confirmed" }.to_owned(),
                    due_to: d.due_to.iter().map(|&i| item_id("d", i)).collect(),
                }
            })
            .enumerate()
            .map(|(n, d)| analysis::Diagnosis { id: item_id("d", n), ..d })
            .collect()
    }

    /// Builds the output contract from an annotated document; `index` converts its spans.
    fn to_analysis(&self, doc: &Doc<'_>, options: &Options, index: &CharIndex) -> Analysis {
        let span = |s| index.span(s);
        let patient = analysis::Patient {
            age: doc.patient.age.map(|(value, unit, s)| analysis::Age { value, unit, span: span(s) }),
            sex: doc.patient.sex.map(|(sex, _)| sex),
            sex_span: doc.patient.sex.map(|(_, s)| span(s)),
        };
        let sections = doc
            .sections
            .iter()
            .filter(|s| !doc.is_hidden(s.span))
            .map(|s| analysis::Section {
                kind: s.kind,
                title: s.title.map(|t| doc.text[t.range()].to_owned()),
                span: span(s.span),
                level: s.level,
                system: s.system.clone(),
            })
            .collect();
        let sentences: Vec<CharSpan> =
            doc.sentences.iter().filter(|s| !doc.is_hidden(s.span)).map(|s| span(s.span)).collect();
        let entities = doc
            .mentions
            .iter()
            .enumerate()
            .map(|(n, mention)| {
                let entry = &self.knowledge.concepts[mention.concept as usize];
                let text = if mention.fragments.is_empty() {
                    doc.text[mention.span.range()].to_owned()
                } else {
                    mention.fragments.iter().map(|f| &doc.text[f.range()]).collect::<Vec<_>>().join(" ")
                };
                analysis::Entity {
                    id: item_id("e", n),
                    entity_type: entry.concept_type.entity_type(),
                    span: span(mention.span),
                    text,
                    concept: entry.to_concept(),
                    assertion: doc.contexts.get(n).cloned().unwrap_or_default(),
                    section: doc.section_at(mention.span.start),
                    fragments: (!mention.fragments.is_empty())
                        .then(|| mention.fragments.iter().map(|&f| span(f)).collect()),
                    timing: doc.mention_times.get(n).copied().flatten().map(|t| {
                        let time = &doc.times[t];
                        analysis::Timing {
                            start: time.start.clone(),
                            duration: time.duration.clone(),
                            approximate: time.approximate,
                            span: span(time.span(doc)),
                        }
                    }),
                }
            })
            .collect();
        let measurements: Vec<analysis::Measurement> =
            doc.measurements.iter().enumerate().map(|(n, m)| self.to_measurement(doc, n, m, &span)).collect();
        let warnings = doc
            .warnings
            .iter()
            .map(|w| analysis::Warning { kind: w.kind.to_owned(), message: w.message.clone(), span: w.span.map(span) })
            .collect();
        let mut analysis = Analysis {
            schema: analysis::SCHEMA_VERSION,
            casus_version: env!("CARGO_PKG_VERSION").to_owned(),
            language: options.language.code().to_owned(),
            blind: options.blind,
            patient,
            sections,
            sentences,
            entities,
            measurements,
            medications: self.medications(doc, index),
            microbiology: self.microbiology(doc, index),
            diagnoses: self.stated_diagnoses(doc, &span),
            scores: Vec::new(),
            differential: Vec::new(),
            timeline: Vec::new(),
            warnings,
        };
        analysis.timeline = timeline(doc, &analysis, &span);
        analysis
    }

    /// The contract's medications of a document.
    fn medications(&self, doc: &Doc<'_>, index: &CharIndex) -> Vec<analysis::Medication> {
        doc.medications
            .iter()
            .enumerate()
            .map(|(n, m)| analysis::Medication {
                id: item_id("rx", n),
                entity: item_id("e", m.mention),
                route: m.route.map(str::to_owned),
                dose: m.dose.as_ref().map(|(value, unit)| analysis::Quantity { value: *value, unit: unit.clone() }),
                frequency: m.frequency.clone(),
                time: m.time.clone(),
                status: m.status.map(|s| s.as_str().to_owned()),
                duration: m.duration.clone(),
                evidence: m.evidence.iter().map(|&s| index.span(s)).collect(),
            })
            .collect()
    }

    /// The contract's microbiology records of a document.
    fn microbiology(&self, doc: &Doc<'_>, index: &CharIndex) -> Vec<analysis::Microbiology> {
        let concept = |mention: usize| self.knowledge.concepts[doc.mentions[mention].concept as usize].to_concept();
        doc.microbiology
            .iter()
            .filter_map(|m| {
                let organism = m.organism.or(m.test)?;
                Some((m, concept(organism)))
            })
            .enumerate()
            .map(|(n, (m, organism))| analysis::Microbiology {
                id: item_id("mb", n),
                organism,
                specimen: m.specimen.clone(),
                result: m.result.clone(),
                span: index.span(m.span),
                entity: m.organism.map(|o| item_id("e", o)),
                test: m.test.map(concept),
                susceptibility: m
                    .susceptibility
                    .iter()
                    .map(|(drug, result)| analysis::Susceptibility {
                        drug: self.knowledge.concepts[*drug as usize].to_concept(),
                        result: result.clone(),
                    })
                    .collect(),
            })
            .collect()
    }
}

impl Engine {
    /// One measurement as the contract writes it: the unit as written, or inferred (UCUM).
    fn to_measurement(
        &self,
        doc: &Doc<'_>,
        n: usize,
        m: &crate::doc::DocMeasurement,
        span: &impl Fn(crate::span::Span) -> CharSpan,
    ) -> analysis::Measurement {
        let entry = &self.knowledge.concepts[m.concept as usize];
        let components = m
            .components
            .iter()
            .map(|c| analysis::Component {
                concept: self.knowledge.concepts[c.concept as usize].to_concept(),
                value: c.value,
                unit: c.unit.clone(),
                normalized: c.assessment.normalized.clone(),
                interpretation: c.assessment.interpretation,
                reference: c.assessment.reference.clone(),
            })
            .collect::<Vec<_>>();
        analysis::Measurement {
            id: item_id("m", n),
            kind: if entry.concept_type == ConceptType::Vital {
                analysis::MeasurementKind::Vital
            } else {
                analysis::MeasurementKind::Lab
            },
            span: span(m.span),
            text: doc.text[m.span.range()].to_owned(),
            concept: entry.to_concept(),
            value: m.value,
            result: m.result.clone(),
            unit: m.unit.map(|u| doc.text[u.range()].to_owned()).or_else(|| m.inferred_unit.clone()),
            normalized: m.assessment.normalized.clone(),
            interpretation: m.assessment.interpretation,
            reference: m.assessment.reference.clone(),
            unit_inferred: m.unit.is_none() && m.inferred_unit.is_some(),
            comparator: m.comparator.map(|c| c.as_str().to_owned()),
            components: (!components.is_empty()).then_some(components),
            parent: m.parent.map(|p| item_id("m", p)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::item_id;

    #[test]
    fn item_ids_are_the_prefix_and_the_position_from_one() {
        for n in (0..2_000).chain([9_999, 99_999, 1_000_000, usize::MAX - 1]) {
            assert_eq!(item_id("rx", n), format!("rx{}", n + 1));
        }
    }
}
