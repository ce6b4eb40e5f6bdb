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

pub mod interpret;
pub mod units;

use rustc_hash::FxHashMap;

use crate::analysis::{AgeUnit, Interpretation};
use crate::doc::{Assessment, Doc, DocComponent, DocMeasurement, DocWarning};
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
    /// The token of a qualitative result, and the result as the contract writes it.
    Result(usize, String),
}

/// The value or result after token `last`: past at most a colon, an equals sign or a comparator,
/// and at most two link words ("glicemie capilară de 32 mg/dL", "CRP la 48").
pub fn reading_after(doc: &Doc<'_>, last: usize, words: &ValueWords) -> Option<Reading> {
    let mut i = last + 1;
    let mut links = 0;
    while i < doc.tokens.len() {
        if matches!(doc.token_text(i), ":" | "=" | "-" | "<" | ">" | "≤" | "≥") {
            i += 1;
        } else if links < 2 && words.links.contains(doc.plain(i)) {
            links += 1;
            i += 1;
        } else {
            break;
        }
    }
    let token = doc.tokens.get(i)?;
    if matches!(token.kind, TokenKind::Number | TokenKind::Quantity | TokenKind::Ratio | TokenKind::Range) {
        return Some(Reading::Value(i));
    }
    words.results.get(doc.plain(i)).map(|result| Reading::Result(i, result.clone()))
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
}

impl Measurer {
    pub fn new(knowledge: &Knowledge) -> Measurer {
        let concepts = &knowledge.concepts;
        let index: FxHashMap<&str, u32> = concepts.iter().enumerate().map(|(i, c)| (c.id.as_str(), i as u32)).collect();
        let parent_of = |c: u32| concepts[c as usize].parent.as_deref().and_then(|p| index.get(p).copied());
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
                PanelKind::Differential => {
                    // Every concept whose ancestry reaches a member belongs to the panel.
                    for c in 0..concepts.len() as u32 {
                        let mut at = Some(c);
                        let mut steps = 0;
                        while let Some(concept) = at.filter(|_| steps < 8) {
                            if members.contains(&concept) {
                                measurer.differential.insert(c, panel);
                                break;
                            }
                            at = parent_of(concept);
                            steps += 1;
                        }
                    }
                }
            }
        }
        measurer
    }

    /// Reads the value of every measurement name of `doc` and assesses it.
    pub fn annotate(&self, doc: &mut Doc<'_>, knowledge: &Knowledge) {
        let patient = patient_of(doc);
        let mut measurements = Vec::with_capacity(doc.measurement_names.len());
        let mut warnings = Vec::new();
        for name in &doc.measurement_names {
            let last = name.tokens.end - 1;
            let at = match reading_after(doc, last, &knowledge.value_words) {
                Some(Reading::Value(at)) => at,
                Some(Reading::Result(at, result)) => {
                    let span = Span::new(name.span.start, doc.tokens[at].span.end);
                    let mut measurement = DocMeasurement::new(span, name.concept);
                    measurement.assessment.interpretation = qualitative(&result);
                    measurement.result = Some(result);
                    measurements.push(measurement);
                    continue;
                }
                None => continue,
            };
            let token = doc.tokens[at];
            let form = doc.token_text(at);
            let mut measurement = DocMeasurement::new(name.span, name.concept);
            let mut ratio = None;
            let mut unit = None;
            match token.kind {
                TokenKind::Ratio => {
                    let (a, b) = form.split_once('/').unwrap_or((form, ""));
                    let read = |part: &str| numbers::parse(part, doc.convention).map(|n| n.value);
                    ratio = read(a).zip(read(b));
                }
                TokenKind::Range => {}
                _ => {
                    let number = numbers::parse(form, doc.convention);
                    measurement.value = number.map(|n| n.value);
                    measurement.comparator = number.and_then(|n| n.comparator);
                    let digits = number_prefix(form);
                    unit = (token.kind == TokenKind::Quantity && digits < form.len())
                        .then(|| Span::new(token.span.start + digits, token.span.end));
                }
            }
            measurement.comparator = measurement.comparator.or_else(|| comparator_between(doc, last + 1..at));
            let mut end = token.span.end;
            if unit.is_none() {
                if let Some(next) = doc.tokens.get(at + 1).filter(|t| t.kind == TokenKind::Unit) {
                    if knowledge.token_rules.units.contains_key(doc.views.plain.slice(next.span)) {
                        unit = Some(next.span);
                        end = next.span.end;
                    }
                }
            }
            measurement.span = Span::new(name.span.start, end);
            measurement.unit = unit;
            let written = unit.and_then(|u| ucum_of(doc.views.plain.slice(u), knowledge));
            let unknown_unit = unit.is_some() && written.is_none();

            let ctx = Context { knowledge, patient, unknown_unit };
            if let Some((first, second)) = ratio {
                if let Some(&(a, b)) = self.ratios.get(&measurement.concept) {
                    for (concept, value) in [(a, first), (b, second)] {
                        let (component, inferred) =
                            self.component(&ctx, concept, value, written.as_deref(), &mut warnings, measurement.span);
                        if measurement.inferred_unit.is_none() && unit.is_none() {
                            measurement.inferred_unit = inferred;
                        }
                        measurement.components.push(component);
                    }
                }
            } else if let Some(value) = measurement.value {
                measurement.concept = self.resolve(&ctx, measurement.concept, value, written.as_deref());
                let concept = &knowledge.concepts[measurement.concept as usize].id;
                if let Some(outcome) = assess(&ctx, concept, value, measurement.comparator, written.as_deref()) {
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
            measurements.push(measurement);
        }
        link_differentials(doc, &mut measurements, &self.differential);
        doc.measurements = measurements;
        doc.warnings.extend(warnings);
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
        match assess(ctx, id, value, None, written) {
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
    fn resolve(&self, ctx: &Context<'_>, concept: u32, value: f64, written: Option<&str>) -> u32 {
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
                    None => !ctx.unknown_unit && interpret::normalize(labs, id, analyte, value, None).is_ok(),
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

/// What every assessment of one document needs.
struct Context<'k> {
    knowledge: &'k Knowledge,
    patient: Patient,
    /// A unit is written but is not one casus knows: nothing is inferred in its place.
    unknown_unit: bool,
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
) -> Option<Result<(Normalized, Assessment), String>> {
    let labs = &ctx.knowledge.labs;
    let analyte = labs.analytes.get(concept)?;
    if ctx.unknown_unit && written.is_none() {
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
}
