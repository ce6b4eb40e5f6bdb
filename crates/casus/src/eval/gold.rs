//! Gold cases: a directory of `<name>.txt`, `<name>.ann` and `<name>.dx.json` (`ANNOTATION.md`).
//!
//! Loading checks what `tools/check_gold.py` checks that the metrics rely on (offsets agree with
//! the text, types and attributes are known, every measurement has its value note), because a
//! malformed gold file does not fail loudly at scoring time: it quietly moves the scores.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::brat::{self, BratError, CheckError, Document};
use crate::analysis::{EntityType, MeasurementKind};

/// One gold-annotated case.
#[derive(Debug, Clone, PartialEq)]
pub struct GoldCase {
    /// The file stem (`seed-septic-shock`).
    pub name: String,
    /// Exactly the text that is analysed.
    pub text: String,
    pub ann: Document,
    pub dx: Dx,
}

/// `<name>.dx.json`: the final diagnosis the text states, coded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)] // a misspelt `blind_text_end` would silently drop the case from the blind test
pub struct Dx {
    #[serde(rename = "final")]
    pub final_: Vec<FinalDiagnosis>,
    /// Where the text starts stating the answer, in code points; absent when it never does.
    #[serde(default)]
    pub blind_text_end: Option<usize>,
}

/// One condition of the final diagnosis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FinalDiagnosis {
    pub text: String,
    /// ICD-10-CM codes, most specific first; any of them is correct.
    pub icd10cm: Vec<String>,
    /// Other 3-character categories a coder could fairly choose.
    #[serde(default)]
    pub accept: Vec<String>,
}

/// The entity types `ANNOTATION.md` defines.
pub const GOLD_TYPES: [&str; 9] =
    ["Disorder", "Sign_Symptom", "Anatomy", "Procedure", "Test", "Drug", "Organism", "Vital", "Lab"];

/// What a gold entity type is in casus terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GoldKind {
    Entity(EntityType),
    Measurement(MeasurementKind),
}

impl GoldKind {
    /// The casus kind of a gold (`ANNOTATION.md`) entity type, or `None` for a type it does not
    /// define.
    pub fn from_gold(name: &str) -> Option<GoldKind> {
        Some(match name {
            "Disorder" => GoldKind::Entity(EntityType::Disorder),
            "Sign_Symptom" => GoldKind::Entity(EntityType::SignSymptom),
            "Anatomy" => GoldKind::Entity(EntityType::Anatomy),
            "Procedure" => GoldKind::Entity(EntityType::Procedure),
            "Test" => GoldKind::Entity(EntityType::Test),
            "Drug" => GoldKind::Entity(EntityType::Drug),
            "Organism" => GoldKind::Entity(EntityType::Organism),
            "Vital" => GoldKind::Measurement(MeasurementKind::Vital),
            "Lab" => GoldKind::Measurement(MeasurementKind::Lab),
            _ => return None,
        })
    }
}

/// The context attributes of a gold mention (`A` lines); absent means false.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GoldAssertion {
    pub negated: bool,
    pub uncertain: bool,
    pub historical: bool,
    pub hypothetical: bool,
    /// The experiencer is someone other than the patient.
    pub family: bool,
}

impl GoldAssertion {
    /// Sets the attribute of that name; false for a name `ANNOTATION.md` does not define.
    fn set(&mut self, name: &str) -> bool {
        let flag = match name {
            "Negated" => &mut self.negated,
            "Uncertain" => &mut self.uncertain,
            "Historical" => &mut self.historical,
            "Hypothetical" => &mut self.hypothetical,
            "Family" => &mut self.family,
            _ => return false,
        };
        *flag = true;
        true
    }
}

/// The value of a gold measurement, from its note `value=<number|text> unit=<unit>[ inferred]`.
#[derive(Debug, Clone, PartialEq)]
pub struct GoldMeasure {
    pub value: GoldValue,
    /// `None` when the note says `unit=` (a unitless or qualitative result).
    pub unit: Option<String>,
    /// The unit is not written in the text; the annotator inferred it.
    pub inferred: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum GoldValue {
    Number(f64),
    /// Anything that is not one finite number: `negative`, `3+`, `142/84`.
    Text(String),
}

impl GoldMeasure {
    /// Reads `value=<v> unit=<u>[ inferred]` anywhere in a note; the rest of the note is comment.
    pub fn from_note(note: &str) -> Option<GoldMeasure> {
        let at = note.find("value=")?;
        let (value, rest) = word(&note[at + "value=".len()..]);
        if value.is_empty() {
            return None;
        }
        let (unit, rest) = word(rest.strip_prefix(' ')?.strip_prefix("unit=")?);
        let inferred = rest.split_whitespace().next() == Some("inferred");
        let value = match value.parse::<f64>() {
            // `f64::from_str` also reads `inf` and `NaN`; those are words here, not numbers.
            Ok(number) if number.is_finite() => GoldValue::Number(number),
            _ => GoldValue::Text(value.to_owned()),
        };
        let unit = (!unit.is_empty()).then(|| unit.to_owned());
        Some(GoldMeasure { value, unit, inferred })
    }
}

/// The route of a `route=<route>` word anywhere in a note.
pub fn route_from_note(note: &str) -> Option<String> {
    note.split_whitespace().find_map(|word| word.strip_prefix("route=")).filter(|r| !r.is_empty()).map(str::to_owned)
}

/// Splits off the text up to the first whitespace.
fn word(text: &str) -> (&str, &str) {
    text.split_at(text.find(char::is_whitespace).unwrap_or(text.len()))
}

/// A gold mention with everything the metrics need about it gathered from the other lines.
#[derive(Debug, Clone, PartialEq)]
pub struct GoldMention {
    pub id: String,
    pub kind: GoldKind,
    /// `[start, end)` in code points.
    pub fragments: Vec<(usize, usize)>,
    pub assertion: GoldAssertion,
    /// `(system, code)` of each `N` line on it.
    pub codes: Vec<(String, String)>,
    /// For a `Vital` or `Lab`, the first note that gives a value.
    pub measure: Option<GoldMeasure>,
    /// For a `Drug`, the route a note gives (`route=intravenous`, corpus/README.md).
    pub route: Option<String>,
}

impl GoldMention {
    /// The start of the first fragment and the end of the last.
    pub fn extent(&self) -> (usize, usize) {
        let start = self.fragments.iter().map(|f| f.0).min().unwrap_or(0);
        let end = self.fragments.iter().map(|f| f.1).max().unwrap_or(0);
        (start, end)
    }
}

/// Why a case's files are not a valid gold case (the file reading aside).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CaseProblem {
    #[error(transparent)]
    Text(#[from] CheckError),
    #[error("{id}: unknown entity type {kind:?} (ANNOTATION.md defines {})", GOLD_TYPES.join(", "))]
    UnknownType { id: String, kind: String },
    #[error(
        "{id}: unknown attribute {name:?} (ANNOTATION.md defines Negated, Uncertain, Historical, Hypothetical, Family)"
    )]
    UnknownAttribute { id: String, name: String },
    #[error("{id}: a {kind} needs an AnnotatorNotes line `value=<number|text> unit=<unit>`")]
    MissingValue { id: String, kind: String },
    #[error("blind_text_end {end} is past the end of the text ({chars} code points)")]
    BlindEndOutside { end: usize, chars: usize },
}

impl CaseProblem {
    /// The annotation id the problem is about, to find its line.
    fn id(&self) -> Option<&str> {
        match self {
            CaseProblem::Text(CheckError::OutOfRange { id, .. } | CheckError::TextMismatch { id, .. })
            | CaseProblem::UnknownType { id, .. }
            | CaseProblem::UnknownAttribute { id, .. }
            | CaseProblem::MissingValue { id, .. } => Some(id),
            CaseProblem::BlindEndOutside { .. } => None,
        }
    }
}

impl GoldCase {
    /// Builds a case and checks it: every `T` line's text is its fragments of `text`, types and
    /// attributes are the ones `ANNOTATION.md` defines, every `Vital`/`Lab` has a value note and
    /// `blind_text_end` lies in the text.
    pub fn new(
        name: impl Into<String>,
        text: impl Into<String>,
        ann: Document,
        dx: Dx,
    ) -> Result<GoldCase, CaseProblem> {
        let case = GoldCase { name: name.into(), text: text.into(), ann, dx };
        brat::check(&case.ann, &case.text)?;
        for attribute in &case.ann.attributes {
            if !GoldAssertion::default().set(&attribute.name) {
                return Err(CaseProblem::UnknownAttribute { id: attribute.id.clone(), name: attribute.name.clone() });
            }
        }
        let mentions = case.mentions();
        for entity in &case.ann.entities {
            match mentions.iter().find(|m| m.id == entity.id) {
                None => return Err(CaseProblem::UnknownType { id: entity.id.clone(), kind: entity.kind.clone() }),
                Some(m) if matches!(m.kind, GoldKind::Measurement(_)) && m.measure.is_none() => {
                    return Err(CaseProblem::MissingValue { id: entity.id.clone(), kind: entity.kind.clone() });
                }
                Some(_) => {}
            }
        }
        if let Some(end) = case.dx.blind_text_end {
            let chars = case.text.chars().count();
            if end > chars {
                return Err(CaseProblem::BlindEndOutside { end, chars });
            }
        }
        Ok(case)
    }

    /// The gold mentions, in file order, with their attributes, codes and values. `T` lines of a
    /// type casus does not know are left out (`GoldCase::new` refuses them).
    pub fn mentions(&self) -> Vec<GoldMention> {
        let mut mentions: Vec<GoldMention> = self
            .ann
            .entities
            .iter()
            .filter_map(|entity| {
                Some(GoldMention {
                    id: entity.id.clone(),
                    kind: GoldKind::from_gold(&entity.kind)?,
                    fragments: entity.fragments.clone(),
                    assertion: GoldAssertion::default(),
                    codes: Vec::new(),
                    measure: None,
                    route: None,
                })
            })
            .collect();
        let find = |mentions: &[GoldMention], id: &str| mentions.iter().position(|m| m.id == id);
        for attribute in &self.ann.attributes {
            if let Some(i) = find(&mentions, &attribute.target) {
                mentions[i].assertion.set(&attribute.name);
            }
        }
        for n in &self.ann.normalizations {
            if let Some(i) = find(&mentions, &n.target) {
                mentions[i].codes.push((n.resource.clone(), n.code.clone()));
            }
        }
        for note in &self.ann.notes {
            if let Some(i) = find(&mentions, &note.target) {
                let mention = &mut mentions[i];
                if matches!(mention.kind, GoldKind::Measurement(_)) && mention.measure.is_none() {
                    mention.measure = GoldMeasure::from_note(&note.text);
                }
                if mention.kind == GoldKind::Entity(EntityType::Drug) && mention.route.is_none() {
                    mention.route = route_from_note(&note.text);
                }
            }
        }
        mentions
    }
}

/// Why a gold directory or case could not be loaded. Each names the file, and the line where
/// there is one.
#[derive(Debug, Error)]
pub enum GoldError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: not UTF-8 (invalid byte at offset {byte})", path.display())]
    NotUtf8 { path: PathBuf, byte: usize },
    #[error("{}: missing; every <name>.txt needs <name>.ann and <name>.dx.json beside it", path.display())]
    Missing { path: PathBuf },
    #[error("{}: has no <name>.txt beside it", path.display())]
    Orphan { path: PathBuf },
    #[error("{}:{}: {}", path.display(), source.line, source.kind)]
    Ann {
        path: PathBuf,
        #[source]
        source: BratError,
    },
    #[error("{}:{line}:{column}: not a valid dx.json: {message}", path.display())]
    Dx { path: PathBuf, line: usize, column: usize, message: String },
    #[error("{}:{line}: {problem}", path.display())]
    Case { path: PathBuf, line: usize, problem: CaseProblem },
    #[error("{}: no gold cases (no .txt files)", path.display())]
    Empty { path: PathBuf },
}

/// Loads every case of a gold directory, sorted by name.
pub fn load_dir(dir: &Path) -> Result<Vec<GoldCase>, GoldError> {
    let io = |source| GoldError::Io { path: dir.to_owned(), source };
    let mut names = Vec::new();
    let mut companions = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        let file = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
        if let Some(name) = file.strip_suffix(".txt") {
            names.push(name.to_owned());
        } else if let Some(name) = file.strip_suffix(".dx.json").or_else(|| file.strip_suffix(".ann")) {
            companions.push((name.to_owned(), path));
        }
    }
    if names.is_empty() {
        return Err(GoldError::Empty { path: dir.to_owned() });
    }
    names.sort();
    companions.sort();
    if let Some((_, path)) = companions.into_iter().find(|(name, _)| names.binary_search(name).is_err()) {
        return Err(GoldError::Orphan { path });
    }
    names.iter().map(|name| load_case(dir, name)).collect()
}

/// Loads `<dir>/<name>.txt` with its `.ann` and `.dx.json`.
pub fn load_case(dir: &Path, name: &str) -> Result<GoldCase, GoldError> {
    let text_path = dir.join(format!("{name}.txt"));
    let ann_path = dir.join(format!("{name}.ann"));
    let dx_path = dir.join(format!("{name}.dx.json"));
    let text = read(&text_path)?;
    let ann_text = read(&ann_path)?;
    let dx_text = read(&dx_path)?;
    let ann = brat::parse(&ann_text).map_err(|source| GoldError::Ann { path: ann_path.clone(), source })?;
    let dx: Dx = serde_json::from_str(&dx_text).map_err(|err| GoldError::Dx {
        path: dx_path.clone(),
        line: err.line(),
        column: err.column(),
        message: err.to_string(),
    })?;
    GoldCase::new(name, text, ann, dx).map_err(|problem| match problem.id() {
        Some(id) => GoldError::Case { line: line_of(&ann_text, id), path: ann_path, problem },
        None => GoldError::Case { line: line_containing(&dx_text, "blind_text_end"), path: dx_path, problem },
    })
}

fn read(path: &Path) -> Result<String, GoldError> {
    let bytes = std::fs::read(path).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => GoldError::Missing { path: path.to_owned() },
        _ => GoldError::Io { path: path.to_owned(), source },
    })?;
    String::from_utf8(bytes)
        .map_err(|err| GoldError::NotUtf8 { path: path.to_owned(), byte: err.utf8_error().valid_up_to() })
}

/// The 1-based line of the `.ann` file that defines `id` (1 when not found).
fn line_of(ann: &str, id: &str) -> usize {
    ann.lines().position(|line| line.split('\t').next() == Some(id)).map_or(1, |i| i + 1)
}

fn line_containing(text: &str, needle: &str) -> usize {
    text.lines().position(|line| line.contains(needle)).map_or(1, |i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dx() -> Dx {
        Dx { final_: Vec::new(), blind_text_end: None }
    }

    #[test]
    fn maps_every_gold_type() {
        use EntityType::*;
        let expected = [
            ("Disorder", GoldKind::Entity(Disorder)),
            ("Sign_Symptom", GoldKind::Entity(SignSymptom)),
            ("Anatomy", GoldKind::Entity(Anatomy)),
            ("Procedure", GoldKind::Entity(Procedure)),
            ("Test", GoldKind::Entity(Test)),
            ("Drug", GoldKind::Entity(Drug)),
            ("Organism", GoldKind::Entity(Organism)),
            ("Vital", GoldKind::Measurement(MeasurementKind::Vital)),
            ("Lab", GoldKind::Measurement(MeasurementKind::Lab)),
        ];
        for (name, kind) in expected {
            assert_eq!(GoldKind::from_gold(name), Some(kind), "{name}");
        }
        assert!(GOLD_TYPES.iter().all(|name| GoldKind::from_gold(name).is_some()));
        assert_eq!(GoldKind::from_gold("disorder"), None);
    }

    #[test]
    fn reads_value_notes() {
        let measure = GoldMeasure::from_note;
        assert_eq!(
            measure("value=38.4 unit=°C (\"o\" written for the degree sign)"),
            Some(GoldMeasure { value: GoldValue::Number(38.4), unit: Some("°C".into()), inferred: false })
        );
        assert_eq!(
            measure("value=142/84 unit=mmHg inferred"),
            Some(GoldMeasure { value: GoldValue::Text("142/84".into()), unit: Some("mmHg".into()), inferred: true })
        );
        assert_eq!(
            measure("value=negative unit= ; blood cultures negative"),
            Some(GoldMeasure { value: GoldValue::Text("negative".into()), unit: None, inferred: false })
        );
        assert_eq!(measure("value=inf unit=").map(|m| m.value), Some(GoldValue::Text("inf".into())));
        assert_eq!(measure("red cell concentrate; blood product typed Drug"), None);
        assert_eq!(measure("value= unit=mg"), None);
        assert_eq!(measure("value=5"), None);
    }

    #[test]
    fn gathers_attributes_codes_and_values_on_their_mentions() {
        let text = "Fc 109 bpm, fără febră";
        let ann = brat::parse(
            "T1\tVital 0 10\tFc 109 bpm\nT2\tSign_Symptom 17 22\tfebră\nA1\tNegated T2\n\
             N1\tReference T2 icd10cm:R50.9\tFever\n#1\tAnnotatorNotes T1\tvalue=109 unit=bpm\n",
        )
        .unwrap();
        let case = GoldCase::new("c", text, ann, dx()).unwrap();
        let mentions = case.mentions();
        assert_eq!(mentions[0].kind, GoldKind::Measurement(MeasurementKind::Vital));
        assert_eq!(mentions[0].measure.as_ref().map(|m| &m.value), Some(&GoldValue::Number(109.0)));
        assert!(mentions[1].assertion.negated && !mentions[1].assertion.uncertain);
        assert_eq!(mentions[1].codes, [("icd10cm".to_owned(), "R50.9".to_owned())]);
    }

    #[test]
    fn reads_route_notes_on_drugs_only() {
        let text = "ceftriaxonă i.v., Fc 90";
        let ann = brat::parse(
            "T1\tDrug 0 11\tceftriaxonă\nT2\tVital 18 23\tFc 90\n#1\tAnnotatorNotes T1\tempirical\n\
             #2\tAnnotatorNotes T1\troute=intravenous\n#3\tAnnotatorNotes T2\tvalue=90 unit= route=oral\n",
        )
        .unwrap();
        let mentions = GoldCase::new("c", text, ann, dx()).unwrap().mentions();
        assert_eq!(mentions[0].route.as_deref(), Some("intravenous"));
        assert_eq!(mentions[1].route, None);
        assert_eq!(route_from_note("route= x"), None);
    }

    #[test]
    fn refuses_cases_the_metrics_would_misread() {
        let text = "febră";
        let new = |ann: &str, dx: Dx| GoldCase::new("c", text, brat::parse(ann).unwrap(), dx);
        assert!(matches!(new("T1\tFever 0 5\tfebră\n", dx()), Err(CaseProblem::UnknownType { .. })));
        assert!(matches!(new("T1\tLab 0 5\tfebră\n", dx()), Err(CaseProblem::MissingValue { .. })));
        assert!(matches!(
            new("T1\tSign_Symptom 0 5\tfebră\nA1\tNegatd T1\n", dx()),
            Err(CaseProblem::UnknownAttribute { .. })
        ));
        assert!(matches!(new("T1\tSign_Symptom 0 4\tfebră\n", dx()), Err(CaseProblem::Text(_))));
        let late = Dx { final_: Vec::new(), blind_text_end: Some(6) };
        assert_eq!(new("", late).unwrap_err(), CaseProblem::BlindEndOutside { end: 6, chars: 5 });
    }

    #[test]
    fn dx_json_refuses_unknown_fields() {
        let err = serde_json::from_str::<Dx>(r#"{"final": [], "blind_text_ends": 3}"#).unwrap_err();
        assert!(err.to_string().contains("blind_text_ends"), "{err}");
        let dx: Dx = serde_json::from_str(r#"{"final": [{"text": "x", "icd10cm": ["A46"]}]}"#).unwrap();
        assert_eq!((dx.final_[0].accept.len(), dx.blind_text_end), (0, None));
    }
}
