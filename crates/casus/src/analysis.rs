//! The output contract: what `casus analyze --format json` prints (schema version 1).
//!
//! Field names and shapes are relied on by users; change them only by adding fields. The JSON
//! Schema in `schemas/analysis.v1.schema.json` describes the same shape and the tests validate
//! every analysis they produce against it. All spans are `[start, end)` in Unicode code points.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub use crate::span::CharSpan;

/// The schema version this model writes.
pub const SCHEMA_VERSION: u32 = 1;

/// The whole analysis of one document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    pub schema: u32,
    pub casus_version: String,
    pub language: String,
    /// Whether the text's own diagnosis was hidden from the analysis (`--blind`).
    pub blind: bool,
    pub patient: Patient,
    pub sections: Vec<Section>,
    /// Sentence spans, in order.
    pub sentences: Vec<CharSpan>,
    pub entities: Vec<Entity>,
    pub measurements: Vec<Measurement>,
    pub medications: Vec<Medication>,
    pub microbiology: Vec<Microbiology>,
    pub diagnoses: Vec<Diagnosis>,
    pub scores: Vec<Score>,
    pub differential: Vec<Hypothesis>,
    /// The dated events of the case in time order, presentation being day 0.
    #[serde(default)]
    pub timeline: Vec<TimelineEvent>,
    pub warnings: Vec<Warning>,
}

/// Who the case is about.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Patient {
    pub age: Option<Age>,
    pub sex: Option<Sex>,
    /// The text that states the sex.
    pub sex_span: Option<CharSpan>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Age {
    pub value: u32,
    pub unit: AgeUnit,
    /// The text that states the age.
    pub span: CharSpan,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgeUnit {
    Year,
    Month,
    Week,
    Day,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Male,
    Female,
}

/// A part of the document: a level-1 section runs to the next level-1 header; a level-2 section
/// is a labelled part of one (an exam system such as `AR:`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    pub kind: SectionKind,
    /// The header as written, or null for text before the first header.
    pub title: Option<String>,
    pub span: CharSpan,
    pub level: u8,
    /// The body system of an exam label (`respiratory`, `cardiovascular`, …).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub system: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SectionKind {
    History,
    Exam,
    Labs,
    Imaging,
    Ecg,
    Microbiology,
    Course,
    Treatment,
    Diagnosis,
    Other,
}

impl SectionKind {
    pub const ALL: [SectionKind; 10] = [
        SectionKind::History,
        SectionKind::Exam,
        SectionKind::Labs,
        SectionKind::Imaging,
        SectionKind::Ecg,
        SectionKind::Microbiology,
        SectionKind::Course,
        SectionKind::Treatment,
        SectionKind::Diagnosis,
        SectionKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SectionKind::History => "history",
            SectionKind::Exam => "exam",
            SectionKind::Labs => "labs",
            SectionKind::Imaging => "imaging",
            SectionKind::Ecg => "ecg",
            SectionKind::Microbiology => "microbiology",
            SectionKind::Course => "course",
            SectionKind::Treatment => "treatment",
            SectionKind::Diagnosis => "diagnosis",
            SectionKind::Other => "other",
        }
    }

    pub fn parse(name: &str) -> Option<SectionKind> {
        SectionKind::ALL.into_iter().find(|kind| kind.as_str() == name)
    }
}

/// Codes of a concept, by code system. Only the systems that apply are present.
pub type Codes = BTreeMap<String, Vec<String>>;

/// A concept of the knowledge base.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Concept {
    pub id: String,
    pub label: String,
    /// Shared with the knowledge base: an analysis names each concept many times (entities,
    /// measurements, findings, hypotheses), and a copy of its codes is a count, not a tree.
    pub codes: Arc<Codes>,
}

/// One mention of a concept in the text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    pub id: String,
    #[serde(rename = "type")]
    pub entity_type: EntityType,
    pub span: CharSpan,
    pub text: String,
    pub concept: Concept,
    pub assertion: Assertion,
    pub section: Option<SectionKind>,
    /// The parts of a discontinuous mention ("dureri … lombare"), when it has more than one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub fragments: Option<Vec<CharSpan>>,
    /// When the text says it happened, relative to presentation.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub timing: Option<Timing>,
}

/// When a finding happened, relative to presentation, as the text says it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timing {
    /// When it happened or began, ISO 8601 from presentation: `-P2W`, `P0D`, `P3D`.
    pub start: String,
    /// For a finding that began before presentation and was still there ("febră de 3 zile"),
    /// how long it had lasted: `P3D`.
    pub duration: Option<String>,
    /// Said approximately ("aproximativ două săptămâni").
    pub approximate: bool,
    /// The words that say when.
    pub span: CharSpan,
}

/// One point of the case timeline: everything the text dates to the same time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineEvent {
    pub id: String,
    /// ISO 8601 from presentation (`-P10D`; `P0D` is presentation itself).
    pub start: String,
    /// The same in days, negative before presentation (months and years counted as Julian).
    pub day: f64,
    pub approximate: bool,
    /// The words that date it.
    pub spans: Vec<CharSpan>,
    /// Ids of the entities dated here.
    pub entities: Vec<String>,
    /// Ids of the medications dated here.
    pub medications: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityType {
    Disorder,
    SignSymptom,
    Anatomy,
    Procedure,
    Test,
    Drug,
    Organism,
}

impl EntityType {
    pub const ALL: [EntityType; 7] = [
        EntityType::Disorder,
        EntityType::SignSymptom,
        EntityType::Anatomy,
        EntityType::Procedure,
        EntityType::Test,
        EntityType::Drug,
        EntityType::Organism,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EntityType::Disorder => "disorder",
            EntityType::SignSymptom => "sign_symptom",
            EntityType::Anatomy => "anatomy",
            EntityType::Procedure => "procedure",
            EntityType::Test => "test",
            EntityType::Drug => "drug",
            EntityType::Organism => "organism",
        }
    }

    pub fn parse(name: &str) -> Option<EntityType> {
        EntityType::ALL.into_iter().find(|t| t.as_str() == name)
    }
}

/// The context of a mention.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Assertion {
    pub negated: bool,
    pub uncertain: bool,
    pub historical: bool,
    pub hypothetical: bool,
    pub experiencer: Experiencer,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Experiencer {
    #[default]
    Patient,
    Family,
    Other,
}

/// A vital sign or lab value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measurement {
    pub id: String,
    pub kind: MeasurementKind,
    pub span: CharSpan,
    pub text: String,
    pub concept: Concept,
    /// The value as a number, or null for a qualitative result.
    pub value: Option<f64>,
    /// A qualitative result: negative, positive, normal, high, low, absent, present, undetectable.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub result: Option<String>,
    /// The unit as written (or inferred, see `unit_inferred`).
    pub unit: Option<String>,
    pub normalized: Option<Quantity>,
    pub interpretation: Option<Interpretation>,
    pub reference: Option<Reference>,
    pub unit_inferred: bool,
    /// The comparator written before the value: `<`, `>`, `<=`, `>=` (`<0,5`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub comparator: Option<String>,
    /// The parts of a panel written as a ratio: a blood pressure's systolic and diastolic (the
    /// FHIR way: panel 85354-9 with components 8480-6 and 8462-4). `value` stays null.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub components: Option<Vec<Component>>,
    /// The id of the measurement this one is part of (a leukocyte count for its differential).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub parent: Option<String>,
}

/// One part of a measurement written as a ratio ("80" of "TA 80/50").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Component {
    pub concept: Concept,
    pub value: f64,
    /// The unit (UCUM) written for the whole measurement, or inferred.
    pub unit: Option<String>,
    pub normalized: Option<Quantity>,
    pub interpretation: Option<Interpretation>,
    pub reference: Option<Reference>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeasurementKind {
    Vital,
    Lab,
}

/// A value in a UCUM unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quantity {
    pub value: f64,
    pub unit: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Interpretation {
    CriticalLow,
    Low,
    Normal,
    High,
    CriticalHigh,
}

/// A reference range and where it comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reference {
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub unit: String,
    pub source: String,
}

/// A drug mention with what the text says about its use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Medication {
    pub id: String,
    /// The id of the drug entity.
    pub entity: String,
    pub route: Option<String>,
    pub dose: Option<Quantity>,
    pub frequency: Option<String>,
    /// An ISO 8601 duration relative to presentation (`-P10D`).
    pub time: Option<String>,
    /// `prior` (before presentation), `given`, `planned`, `stopped` or `not_given`.
    pub status: Option<String>,
    /// How long the course lasts, ISO 8601 (`P6W`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub duration: Option<String>,
    /// The words the route, dose, frequency, duration, time and status were read from.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub evidence: Vec<CharSpan>,
}

/// A microbiology result: an isolate, or a culture without one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Microbiology {
    pub id: String,
    /// The organism; for a culture without one (a negative culture), the culture test's concept.
    pub organism: Concept,
    /// `blood`, `urine`, `csf`, `abscess`, … (`data/ro/microbiology.tsv`).
    pub specimen: Option<String>,
    /// `positive` (growth, isolate) or `negative`.
    pub result: String,
    pub span: CharSpan,
    /// The id of the organism's entity, when an organism is named.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub entity: Option<String>,
    /// The culture or sample test, when one is named.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub test: Option<Concept>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub susceptibility: Vec<Susceptibility>,
}

/// The result of testing an isolate against a drug or drug class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Susceptibility {
    pub drug: Concept,
    /// `susceptible`, `resistant` or `intermediate`.
    pub result: String,
}

/// A diagnosis the text states.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diagnosis {
    pub id: String,
    pub source: String,
    pub span: CharSpan,
    pub text: String,
    pub concept: Concept,
    pub role: String,
    pub certainty: String,
    pub due_to: Vec<String>,
}

/// A clinical score or criterion set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Score {
    pub name: String,
    pub value: Option<f64>,
    pub max: Option<f64>,
    pub complete: bool,
    pub criteria: Vec<Criterion>,
    pub interpretation: Option<String>,
    /// The lowest and highest value the score can take given its unknown criteria.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub bounds: Option<[f64; 2]>,
    /// The inputs the text does not give.
    #[serde(default)]
    pub missing: Vec<String>,
    /// Whether the score is meant for this patient (CURB-65 with a pneumonia, CHA2DS2-VASc with
    /// atrial fibrillation, Sepsis-3 with an infection). casus writes only the scores that are,
    /// so it is true in its output; the field is kept for the analyses other tools write.
    #[serde(default)]
    pub applicable: bool,
    /// The published source of the score or formula.
    #[serde(default)]
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Criterion {
    pub name: String,
    /// Met, not met, or unknown (null): missing is never normal.
    pub met: Option<bool>,
    pub evidence: Vec<CharSpan>,
}

/// One hypothesis of the differential.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hypothesis {
    pub rank: u32,
    pub concept: Concept,
    pub score: f64,
    pub supporting: Vec<Finding>,
    pub against: Vec<Finding>,
    pub missing: Vec<Finding>,
    /// The prior's share of the score: `score = prior + Σ supporting + Σ against` exactly.
    #[serde(default)]
    pub prior: f64,
    /// A disease that kills or maims when missed and has a treatment.
    #[serde(default)]
    pub cant_miss: bool,
    /// Unknown findings that would best separate this hypothesis from the other leading ones.
    #[serde(default)]
    pub next_tests: Vec<String>,
}

/// A finding cited by a hypothesis, with its weight and evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub finding: String,
    pub weight: f64,
    pub evidence: Vec<CharSpan>,
}

/// Something the reader should know about the analysis (an ambiguous number, a conflict).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    pub kind: String,
    pub message: String,
    pub span: Option<CharSpan>,
}
