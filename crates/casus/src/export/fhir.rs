//! The analysis as a FHIR R4 (4.0.1) Bundle of type `collection`: `casus analyze --format fhir` and
//! the HTTP API's `Accept: application/fhir+json`.
//!
//! | contract | FHIR resource |
//! |---|---|
//! | `patient.sex` | `Patient.gender` |
//! | `patient.age` | `Observation` LOINC 30525-0 "Age", UCUM `a`/`mo`/`wk`/`d` |
//! | `diagnoses[]` | `Condition`, verificationStatus `confirmed` (or `provisional`), ICD-10-CM |
//! | `differential[]` | `Condition`, verificationStatus `differential`, rank and score in a note |
//! | `measurements[]` | `Observation` (vital-signs / laboratory), LOINC, UCUM, interpretation, referenceRange; blood pressure as systolic and diastolic components |
//! | `microbiology[]` | `Observation` (laboratory), the organism as a coded value |
//! | `scores[]` | `Observation`, one component per criterion (met, not met, or absent: unknown) |
//! | `medications[]` | `MedicationStatement`, ATC, route, dose, timing, status |
//! | procedure mentions | `Procedure` (`completed`, or `not-done` when negated) |
//! | imaging sections | `DiagnosticReport` (category RAD) with the section's findings as its conclusion |
//!
//! **Age is an Observation, not `Patient.birthDate` or an extension.** A case report states the
//! age at presentation, not a birth date: computing one would invent a fact (and the presentation
//! date is unknown). FHIR records such a stated fact about the patient as an Observation, and
//! LOINC 30525-0 (Age) is the code other systems read; a private Patient extension would be
//! opaque to them.
//!
//! **Every resource points back to its text** with the extension [`SPAN_EXTENSION`] (one per
//! span): sub-extensions `start` and `end`, `valueInteger`, a `[start, end)` range in Unicode code
//! points of the analysed text, as everywhere in the contract. A medication's time relative to
//! presentation (an ISO 8601 duration such as `-P10D`) has no place in core FHIR without a date;
//! it is carried by [`RELATIVE_TIME_EXTENSION`] (`valueString`).
//!
//! Identifiers are deterministic (the same analysis gives the same Bundle): each `fullUrl` is a
//! `urn:uuid:` in the RFC 9562 version 8 (custom) layout, filled from an FNV-1a hash of the
//! analysis and the resource's local id.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use crate::analysis::{
    AgeUnit, Analysis, Codes, Concept, Entity, EntityType, Interpretation, Measurement, MeasurementKind, Quantity,
    SectionKind, Sex,
};
use crate::span::CharSpan;

/// The extension that ties a resource to the text it was read from (see the module doc).
pub const SPAN_EXTENSION: &str = "https://example.invalid/casus/fhir/StructureDefinition/text-span";
/// A time relative to presentation, as an ISO 8601 duration (`-P10D`).
pub const RELATIVE_TIME_EXTENSION: &str = "https://example.invalid/casus/fhir/StructureDefinition/relative-time";

pub const ICD10CM: &str = "http://hl7.org/fhir/sid/icd-10-cm";
pub const ICD10: &str = "http://hl7.org/fhir/sid/icd-10";
pub const LOINC: &str = "http://loinc.org";
pub const UCUM: &str = "http://unitsofmeasure.org";
pub const ATC: &str = "http://www.whocc.no/atc";
/// NCBI Taxonomy as HL7's terminology registry names it.
pub const NCBITAXON: &str = "https://www.ncbi.nlm.nih.gov/taxonomy";
const INTERPRETATION: &str = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation";
const OBSERVATION_CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/observation-category";
const CONDITION_CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/condition-category";
const CONDITION_CLINICAL: &str = "http://terminology.hl7.org/CodeSystem/condition-clinical";
const CONDITION_VERIFICATION: &str = "http://terminology.hl7.org/CodeSystem/condition-ver-status";
const DATA_ABSENT: &str = "http://terminology.hl7.org/CodeSystem/data-absent-reason";
const DIAGNOSTIC_SERVICE: &str = "http://terminology.hl7.org/CodeSystem/v2-0074";

/// LOINC codes the mapping itself needs (all from LOINC 2.7x).
const LOINC_AGE: &str = "30525-0";
const LOINC_BP_PANEL: &str = "85354-9";
const LOINC_SYSTOLIC: &str = "8480-6";
const LOINC_DIASTOLIC: &str = "8462-4";

/// The FHIR system URL of each code system the contract names.
fn system_url(system: &str) -> Option<&'static str> {
    match system {
        "icd10cm" => Some(ICD10CM),
        "icd10" => Some(ICD10),
        "loinc" => Some(LOINC),
        "atc" => Some(ATC),
        "ncbitaxon" => Some(NCBITAXON),
        _ => None,
    }
}

/// The analysis as a FHIR R4 Bundle (type `collection`).
pub fn to_bundle(analysis: &Analysis) -> Value {
    let mut bundle = BundleBuilder::new(analysis);
    bundle.patient();
    bundle.conditions();
    bundle.measurements();
    bundle.microbiology();
    bundle.scores();
    bundle.medications();
    bundle.procedures();
    bundle.imaging_reports();
    json!({
        "resourceType": "Bundle",
        "id": bundle.uuid("bundle"),
        "type": "collection",
        "entry": bundle.entries,
    })
}

struct BundleBuilder<'a> {
    analysis: &'a Analysis,
    key: u128,
    entries: Vec<Value>,
    entities: BTreeMap<&'a str, &'a Entity>,
}

impl<'a> BundleBuilder<'a> {
    fn new(analysis: &'a Analysis) -> Self {
        let compact = serde_json::to_string(analysis).expect("the analysis model serializes without fail");
        BundleBuilder {
            analysis,
            key: fnv128(compact.as_bytes()),
            entries: Vec::new(),
            entities: analysis.entities.iter().map(|e| (e.id.as_str(), e)).collect(),
        }
    }

    /// A deterministic UUID (version 8 layout) for a local id.
    fn uuid(&self, local: &str) -> String {
        let mut bytes = self.key.to_be_bytes().to_vec();
        bytes.extend_from_slice(local.as_bytes());
        let mut h = fnv128(&bytes);
        h = (h & !(0xF << 76)) | (0x8 << 76); // version 8
        h = (h & !(0x3 << 62)) | (0x2 << 62); // RFC 9562 variant
        let hex = format!("{h:032x}");
        format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
    }

    fn reference(&self, local: &str) -> Value {
        json!({ "reference": format!("urn:uuid:{}", self.uuid(local)) })
    }

    fn subject(&self) -> Value {
        self.reference("patient")
    }

    fn push(&mut self, local: &str, mut resource: Value, spans: &[CharSpan]) {
        let id = self.uuid(local);
        let object = resource.as_object_mut().expect("resources are objects");
        object.insert("id".into(), json!(id));
        if !spans.is_empty() {
            object.insert("extension".into(), Value::Array(spans.iter().map(|s| span_extension(*s)).collect()));
        }
        self.entries.push(json!({ "fullUrl": format!("urn:uuid:{id}"), "resource": resource }));
    }

    fn patient(&mut self) {
        let patient = &self.analysis.patient;
        let mut resource = json!({ "resourceType": "Patient" });
        if let Some(sex) = patient.sex {
            resource["gender"] = json!(match sex {
                Sex::Male => "male",
                Sex::Female => "female",
            });
        }
        let spans: Vec<CharSpan> = patient.sex_span.into_iter().collect();
        self.push("patient", resource, &spans);
        if let Some(age) = &patient.age {
            let (code, unit) = match age.unit {
                AgeUnit::Year => ("a", "year"),
                AgeUnit::Month => ("mo", "month"),
                AgeUnit::Week => ("wk", "week"),
                AgeUnit::Day => ("d", "day"),
            };
            let resource = json!({
                "resourceType": "Observation",
                "status": "final",
                "code": { "coding": [{ "system": LOINC, "code": LOINC_AGE, "display": "Age" }], "text": "Age" },
                "subject": self.subject(),
                "valueQuantity": { "value": age.value, "unit": unit, "system": UCUM, "code": code },
            });
            self.push("patient-age", resource, &[age.span]);
        }
    }

    fn conditions(&mut self) {
        for diagnosis in &self.analysis.diagnoses {
            let verification = if diagnosis.certainty == "confirmed" { "confirmed" } else { "provisional" };
            let mut resource = json!({
                "resourceType": "Condition",
                "clinicalStatus": coded(CONDITION_CLINICAL, "active", "Active"),
                "verificationStatus": coded(CONDITION_VERIFICATION, verification, &title(verification)),
                "category": [coded(CONDITION_CATEGORY, "encounter-diagnosis", "Encounter Diagnosis")],
                "code": concept(&diagnosis.concept),
                "subject": self.subject(),
            });
            let mut notes = vec![format!("Stated in the text: \u{201c}{}\u{201d}", diagnosis.text)];
            if !diagnosis.role.is_empty() {
                notes.push(format!("role: {}", diagnosis.role));
            }
            if !diagnosis.due_to.is_empty() {
                notes.push(format!("due to: {}", diagnosis.due_to.join(", ")));
            }
            resource["note"] = json!(notes.iter().map(|text| json!({ "text": text })).collect::<Vec<_>>());
            self.push(&format!("diagnosis-{}", diagnosis.id), resource, &[diagnosis.span]);
        }
        for hypothesis in &self.analysis.differential {
            let mut resource = json!({
                "resourceType": "Condition",
                "verificationStatus": coded(CONDITION_VERIFICATION, "differential", "Differential"),
                "code": concept(&hypothesis.concept),
                "subject": self.subject(),
                "note": [{ "text": format!("Differential rank {}, score {}", hypothesis.rank, hypothesis.score) }],
            });
            let evidence: Vec<Value> =
                hypothesis.supporting.iter().map(|finding| json!({ "code": [{ "text": finding.finding }] })).collect();
            if !evidence.is_empty() {
                resource["evidence"] = Value::Array(evidence);
            }
            let spans: Vec<CharSpan> =
                hypothesis.supporting.iter().flat_map(|finding| finding.evidence.iter().copied()).collect();
            self.push(&format!("differential-{}", hypothesis.rank), resource, &spans);
        }
    }

    fn measurements(&mut self) {
        for measurement in &self.analysis.measurements {
            let resource = self.observation(measurement);
            self.push(&format!("measurement-{}", measurement.id), resource, &[measurement.span]);
        }
    }

    fn observation(&self, measurement: &Measurement) -> Value {
        let category = match measurement.kind {
            MeasurementKind::Vital => ("vital-signs", "Vital Signs"),
            MeasurementKind::Lab => ("laboratory", "Laboratory"),
        };
        let mut resource = json!({
            "resourceType": "Observation",
            "status": "final",
            "category": [coded(OBSERVATION_CATEGORY, category.0, category.1)],
            "code": concept(&measurement.concept),
            "subject": self.subject(),
        });
        let is_panel = codes_of(&measurement.concept.codes, "loinc").any(|code| code == LOINC_BP_PANEL);
        let components = if is_panel { blood_pressure_components(measurement) } else { None };
        if let Some(components) = components {
            resource["component"] = components;
        } else if let Some(quantity) = &measurement.normalized {
            resource["valueQuantity"] = ucum_quantity(quantity);
        } else if let Some(value) = measurement.value {
            let mut quantity = json!({ "value": value });
            if let Some(unit) = &measurement.unit {
                // As written, not a UCUM code: no system, so no reader takes it for one.
                quantity["unit"] = json!(unit);
            }
            resource["valueQuantity"] = quantity;
        } else if let Some(result) = &measurement.result {
            resource["valueString"] = json!(result);
        } else {
            resource["dataAbsentReason"] = json!({
                "coding": [{ "system": DATA_ABSENT, "code": "unknown", "display": "Unknown" }],
                "text": "no value could be read from the text",
            });
        }
        if let Some(interpretation) = measurement.interpretation {
            let (code, display) = interpretation_code(interpretation);
            resource["interpretation"] = json!([coded(INTERPRETATION, code, display)]);
        }
        if let Some(reference) = &measurement.reference {
            let mut range = Map::new();
            let bound =
                |value: f64| json!({ "value": value, "unit": reference.unit, "system": UCUM, "code": reference.unit });
            if let Some(low) = reference.low {
                range.insert("low".into(), bound(low));
            }
            if let Some(high) = reference.high {
                range.insert("high".into(), bound(high));
            }
            range.insert("text".into(), json!(format!("source: {}", reference.source)));
            resource["referenceRange"] = json!([Value::Object(range)]);
        }
        resource
    }

    fn microbiology(&mut self) {
        for result in &self.analysis.microbiology {
            let mut resource = json!({
                "resourceType": "Observation",
                "status": "final",
                "category": [coded(OBSERVATION_CATEGORY, "laboratory", "Laboratory")],
                "code": { "text": format!("Microbiology: {}", result.result) },
                "subject": self.subject(),
                "valueCodeableConcept": concept(&result.organism),
            });
            if let Some(specimen) = &result.specimen {
                resource["note"] = json!([{ "text": format!("specimen: {specimen}") }]);
            }
            self.push(&format!("microbiology-{}", result.id), resource, &[result.span]);
        }
    }

    fn scores(&mut self) {
        for (index, score) in self.analysis.scores.iter().enumerate() {
            let mut resource = json!({
                "resourceType": "Observation",
                "status": if score.complete { "final" } else { "preliminary" },
                "category": [coded(OBSERVATION_CATEGORY, "survey", "Survey")],
                "code": { "text": score.name },
                "subject": self.subject(),
            });
            match score.value {
                Some(value) => resource["valueQuantity"] = json!({ "value": value }),
                None => {
                    resource["dataAbsentReason"] = json!({
                        "coding": [{ "system": DATA_ABSENT, "code": "unknown", "display": "Unknown" }],
                    })
                }
            }
            if let Some(interpretation) = &score.interpretation {
                resource["interpretation"] = json!([{ "text": interpretation }]);
            }
            if let Some(max) = score.max {
                resource["note"] = json!([{ "text": format!("maximum {max}") }]);
            }
            let components: Vec<Value> = score
                .criteria
                .iter()
                .map(|criterion| {
                    let mut component = json!({ "code": { "text": criterion.name } });
                    match criterion.met {
                        Some(met) => component["valueBoolean"] = json!(met),
                        None => {
                            component["dataAbsentReason"] = json!({
                                "coding": [{ "system": DATA_ABSENT, "code": "unknown", "display": "Unknown" }],
                                "text": "not stated in the text",
                            })
                        }
                    }
                    component
                })
                .collect();
            if !components.is_empty() {
                resource["component"] = Value::Array(components);
            }
            let spans: Vec<CharSpan> = score.criteria.iter().flat_map(|c| c.evidence.iter().copied()).collect();
            self.push(&format!("score-{index}"), resource, &spans);
        }
    }

    fn medications(&mut self) {
        for medication in &self.analysis.medications {
            let entity = self.entities.get(medication.entity.as_str()).copied();
            let negated = entity.is_some_and(|e| e.assertion.negated);
            let status = medication_status(medication.status.as_deref(), negated);
            let medication_concept = match entity {
                Some(entity) => concept(&entity.concept),
                None => json!({ "text": medication.entity }),
            };
            let mut dosage = Map::new();
            if let Some(entity) = entity {
                dosage.insert("text".into(), json!(entity.text));
            }
            if let Some(frequency) = &medication.frequency {
                dosage.insert("timing".into(), json!({ "code": { "text": frequency } }));
            }
            if let Some(route) = &medication.route {
                dosage.insert("route".into(), json!({ "text": route }));
            }
            if let Some(dose) = &medication.dose {
                dosage.insert("doseAndRate".into(), json!([{ "doseQuantity": ucum_quantity(dose) }]));
            }
            let mut resource = json!({
                "resourceType": "MedicationStatement",
                "status": status,
                "medicationCodeableConcept": medication_concept,
                "subject": self.subject(),
            });
            if !dosage.is_empty() {
                resource["dosage"] = json!([Value::Object(dosage)]);
            }
            let spans: Vec<CharSpan> = entity.map(|e| e.span).into_iter().collect();
            self.push(&format!("medication-{}", medication.id), resource, &spans);
            if let Some(time) = &medication.time {
                let last = self.entries.last_mut().expect("just pushed");
                let extensions = last["resource"]
                    .as_object_mut()
                    .expect("resources are objects")
                    .entry("extension")
                    .or_insert_with(|| json!([]));
                extensions
                    .as_array_mut()
                    .expect("extension is an array")
                    .push(json!({ "url": RELATIVE_TIME_EXTENSION, "valueString": time }));
            }
        }
    }

    fn procedures(&mut self) {
        let procedures: Vec<&Entity> =
            self.analysis.entities.iter().filter(|e| e.entity_type == EntityType::Procedure).collect();
        for entity in procedures {
            let assertion = &entity.assertion;
            if assertion.hypothetical || assertion.experiencer != crate::analysis::Experiencer::Patient {
                continue;
            }
            let status = if assertion.negated { "not-done" } else { "completed" };
            let resource = json!({
                "resourceType": "Procedure",
                "status": status,
                "code": concept(&entity.concept),
                "subject": self.subject(),
            });
            self.push(&format!("procedure-{}", entity.id), resource, &[entity.span]);
        }
    }

    /// One report per imaging section: its test (the first test or procedure named in it) and
    /// its findings (asserted disorders and signs) as the conclusion.
    fn imaging_reports(&mut self) {
        let sections: Vec<_> =
            self.analysis.sections.iter().filter(|s| s.kind == SectionKind::Imaging && s.level == 1).cloned().collect();
        for (index, section) in sections.iter().enumerate() {
            let inside: Vec<&Entity> = self
                .analysis
                .entities
                .iter()
                .filter(|e| section.span.start <= e.span.start && e.span.end <= section.span.end)
                .collect();
            let test = inside.iter().find(|e| matches!(e.entity_type, EntityType::Test | EntityType::Procedure));
            let code = match (test, &section.title) {
                (Some(test), _) => concept(&test.concept),
                (None, Some(title)) => json!({ "text": title }),
                (None, None) => json!({ "text": "Imaging" }),
            };
            let findings: Vec<&&Entity> = inside
                .iter()
                .filter(|e| matches!(e.entity_type, EntityType::Disorder | EntityType::SignSymptom))
                .filter(|e| !e.assertion.negated && !e.assertion.hypothetical)
                .collect();
            let mut resource = json!({
                "resourceType": "DiagnosticReport",
                "status": "final",
                "category": [coded(DIAGNOSTIC_SERVICE, "RAD", "Radiology")],
                "code": code,
                "subject": self.subject(),
            });
            if !findings.is_empty() {
                let conclusion: Vec<&str> = findings.iter().map(|e| e.text.as_str()).collect();
                resource["conclusion"] = json!(conclusion.join("; "));
                let coded_findings: Vec<Value> =
                    findings.iter().filter(|e| !e.concept.codes.is_empty()).map(|e| concept(&e.concept)).collect();
                if !coded_findings.is_empty() {
                    resource["conclusionCode"] = Value::Array(coded_findings);
                }
            }
            self.push(&format!("imaging-{index}"), resource, &[section.span]);
        }
    }
}

/// A CodeableConcept with one coding.
fn coded(system: &str, code: &str, display: &str) -> Value {
    json!({ "coding": [{ "system": system, "code": code, "display": display }] })
}

/// A concept as a CodeableConcept: one coding per code of a known system, its label as text.
fn concept(concept: &Concept) -> Value {
    let codings: Vec<Value> = concept
        .codes
        .iter()
        .filter_map(|(system, codes)| system_url(system).map(|url| (url, codes)))
        .flat_map(|(url, codes)| codes.iter().map(move |code| json!({ "system": url, "code": code })))
        .collect();
    let mut value = json!({ "text": concept.label });
    if !codings.is_empty() {
        value["coding"] = Value::Array(codings);
    }
    value
}

fn codes_of<'c>(codes: &'c Codes, system: &str) -> impl Iterator<Item = &'c String> {
    codes.get(system).into_iter().flatten()
}

fn ucum_quantity(quantity: &Quantity) -> Value {
    json!({ "value": quantity.value, "unit": quantity.unit, "system": UCUM, "code": quantity.unit })
}

fn span_extension(span: CharSpan) -> Value {
    json!({
        "url": SPAN_EXTENSION,
        "extension": [
            { "url": "start", "valueInteger": span.start },
            { "url": "end", "valueInteger": span.end },
        ],
    })
}

fn interpretation_code(interpretation: Interpretation) -> (&'static str, &'static str) {
    match interpretation {
        Interpretation::CriticalLow => ("LL", "Critical low"),
        Interpretation::Low => ("L", "Low"),
        Interpretation::Normal => ("N", "Normal"),
        Interpretation::High => ("H", "High"),
        Interpretation::CriticalHigh => ("HH", "Critical high"),
    }
}

/// The systolic and diastolic components of a blood pressure written `80/50`, in mm[Hg].
///
/// The contract gives a panel one `value`; the two numbers are read from the measurement's own
/// text (the first `N/M` in it). Without such a pair there are no components.
fn blood_pressure_components(measurement: &Measurement) -> Option<Value> {
    let (systolic, diastolic) = slash_pair(&measurement.text)?;
    let component = |code: &str, display: &str, value: f64| {
        json!({
            "code": { "coding": [{ "system": LOINC, "code": code, "display": display }] },
            "valueQuantity": { "value": value, "unit": "mm[Hg]", "system": UCUM, "code": "mm[Hg]" },
        })
    };
    Some(json!([
        component(LOINC_SYSTOLIC, "Systolic blood pressure", systolic),
        component(LOINC_DIASTOLIC, "Diastolic blood pressure", diastolic),
    ]))
}

/// The first `digits / digits` in a text.
fn slash_pair(text: &str) -> Option<(f64, f64)> {
    let chars: Vec<char> = text.chars().collect();
    let digits_at = |from: usize| chars[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    let mut i = 0;
    while i < chars.len() {
        let left = digits_at(i);
        if left == 0 {
            i += 1;
            continue;
        }
        let mut j = i + left;
        while j < chars.len() && chars[j] == ' ' {
            j += 1;
        }
        if j < chars.len() && chars[j] == '/' {
            j += 1;
            while j < chars.len() && chars[j] == ' ' {
                j += 1;
            }
            let right = if j < chars.len() { digits_at(j) } else { 0 };
            if right > 0 {
                let number = |from: usize, len: usize| chars[from..from + len].iter().collect::<String>().parse().ok();
                return Some((number(i, left)?, number(j, right)?));
            }
        }
        i += left;
    }
    None
}

/// MedicationStatement.status (required) from the contract's free status word.
fn medication_status(status: Option<&str>, negated: bool) -> &'static str {
    if negated {
        return "not-taken";
    }
    // The contract's statuses (annotate::medication) as MedicationStatement.status.
    match status {
        Some("prior") => "completed",
        Some("given") => "active",
        Some("planned") => "intended",
        Some("stopped") => "stopped",
        Some("not_given") => "not-taken",
        _ => "unknown",
    }
}

fn title(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// 128-bit FNV-1a (the published offset basis and prime).
fn fnv128(bytes: &[u8]) -> u128 {
    const OFFSET: u128 = 0x6c62272e07bb014262b821756295c58d;
    const PRIME: u128 = 0x0000000001000000000000000000013B;
    bytes.iter().fold(OFFSET, |hash, &byte| (hash ^ u128::from(byte)).wrapping_mul(PRIME))
}
