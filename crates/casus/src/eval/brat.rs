//! brat standoff annotations (<https://brat.nlplab.org/standoff.html>), the format of the gold
//! corpus (see `ANNOTATION.md`).
//!
//! Only the line kinds the gold uses are read: text-bound (`T`), attribute (`A`, and brat's older
//! `M`), normalization (`N`) and note (`#`) lines. Anything else (relations, events) is refused
//! with its line number rather than skipped, so a gold file never loses annotations silently.
//! Offsets are Unicode code points, end-exclusive, as brat counts them.

use std::collections::HashMap;
use std::fmt::Write as _;

use thiserror::Error;

use super::offsets;

/// One `.ann` file. Each kind of line keeps the order of the file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    pub entities: Vec<TextBound>,
    pub attributes: Vec<Attribute>,
    pub normalizations: Vec<Normalization>,
    pub notes: Vec<Note>,
}

/// `T3\tDisorder 0 6;30 38\tdurere lombare`: a typed mention made of one or more fragments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextBound {
    pub id: String,
    pub kind: String,
    /// `[start, end)` in code points, in the order written.
    pub fragments: Vec<(usize, usize)>,
    /// The text of the fragments joined by one space.
    pub text: String,
}

impl TextBound {
    /// The start of the first fragment and the end of the last one: the extent a strict match
    /// compares.
    pub fn extent(&self) -> (usize, usize) {
        let start = self.fragments.iter().map(|f| f.0).min().unwrap_or(0);
        let end = self.fragments.iter().map(|f| f.1).max().unwrap_or(0);
        (start, end)
    }
}

/// `A1\tNegated T3` (a binary attribute) or `A2\tSeverity T3 high`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    pub id: String,
    pub name: String,
    pub target: String,
    pub value: Option<String>,
}

/// `N1\tReference T3 icd10cm:A41.51\tSepsis due to E. coli`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalization {
    pub id: String,
    pub target: String,
    /// The code system (`icd10cm`, `loinc`, `atc`, `ncbitaxon`, `casus`).
    pub resource: String,
    pub code: String,
    /// The label of the code, for the reader.
    pub text: String,
}

/// `#1\tAnnotatorNotes T5\tvalue=109 unit=bpm`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub id: String,
    pub target: String,
    pub text: String,
}

/// Why an `.ann` file could not be read: the line and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("line {line}: {kind}")]
pub struct BratError {
    /// 1-based.
    pub line: usize,
    pub kind: BratErrorKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BratErrorKind {
    #[error("unsupported line {id:?}: casus reads T, A (or M), N and # lines only")]
    UnsupportedLine { id: String },
    #[error("missing the {field} field (fields are separated by tabs)")]
    MissingField { field: &'static str },
    #[error("{found} tab-separated fields, expected {expected}")]
    ExtraFields { found: usize, expected: usize },
    #[error("bad type and offsets {0:?}: expected `Type start end[;start end]…`")]
    Offsets(String),
    #[error("fragment {start} {end} ends before it starts")]
    ReversedFragment { start: usize, end: usize },
    #[error("bad attribute {0:?}: expected `Name Target [Value]`")]
    Attribute(String),
    #[error("bad normalization {0:?}: expected `Reference Target resource:code`")]
    Normalization(String),
    #[error("bad note {0:?}: expected `AnnotatorNotes Target`")]
    Note(String),
    #[error("id {id} is already used on line {first}")]
    DuplicateId { id: String, first: usize },
    #[error("{id} points at {target}, which is not defined in the file")]
    UnknownTarget { id: String, target: String },
}

/// Reads an `.ann` file.
///
/// Blank lines are skipped; `\r\n` line ends are accepted. Every id must be unique and every
/// attribute, normalization and note must point at an id the file defines.
pub fn parse(input: &str) -> Result<Document, BratError> {
    let mut doc = Document::default();
    let mut defined: HashMap<String, usize> = HashMap::new();
    let mut references: Vec<(usize, String, String)> = Vec::new();
    for (index, raw) in input.lines().enumerate() {
        let line = index + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let error = |kind| BratError { line, kind };
        let fields: Vec<&str> = raw.splitn(3, '\t').collect();
        let id = fields[0];
        let (target, id) = match id.chars().next() {
            Some('T') => {
                doc.entities.push(text_bound(id, &fields).map_err(error)?);
                (None, id)
            }
            Some('A' | 'M') => {
                let attribute = attribute(id, &fields).map_err(error)?;
                let target = attribute.target.clone();
                doc.attributes.push(attribute);
                (Some(target), id)
            }
            Some('N') => {
                let normalization = normalization(id, &fields).map_err(error)?;
                let target = normalization.target.clone();
                doc.normalizations.push(normalization);
                (Some(target), id)
            }
            Some('#') => {
                let note = note(id, &fields).map_err(error)?;
                let target = note.target.clone();
                doc.notes.push(note);
                (Some(target), id)
            }
            _ => return Err(error(BratErrorKind::UnsupportedLine { id: id.to_owned() })),
        };
        if let Some(&first) = defined.get(id) {
            return Err(error(BratErrorKind::DuplicateId { id: id.to_owned(), first }));
        }
        defined.insert(id.to_owned(), line);
        if let Some(target) = target {
            references.push((line, id.to_owned(), target));
        }
    }
    // Checked at the end because brat allows an annotation to point at one defined further down.
    for (line, id, target) in references {
        if !defined.contains_key(&target) {
            return Err(BratError { line, kind: BratErrorKind::UnknownTarget { id, target } });
        }
    }
    Ok(doc)
}

fn field<'a>(fields: &[&'a str], index: usize, name: &'static str) -> Result<&'a str, BratErrorKind> {
    fields.get(index).copied().ok_or(BratErrorKind::MissingField { field: name })
}

fn text_bound(id: &str, fields: &[&str]) -> Result<TextBound, BratErrorKind> {
    let head = field(fields, 1, "type and offsets")?;
    let text = field(fields, 2, "text")?;
    let bad = || BratErrorKind::Offsets(head.to_owned());
    let (kind, offsets) = head.split_once(' ').ok_or_else(bad)?;
    if kind.is_empty() {
        return Err(bad());
    }
    let mut fragments = Vec::new();
    for fragment in offsets.split(';') {
        let mut numbers = fragment.split(' ').map(number);
        let (Some(Some(start)), Some(Some(end)), None) = (numbers.next(), numbers.next(), numbers.next()) else {
            return Err(bad());
        };
        if end < start {
            return Err(BratErrorKind::ReversedFragment { start, end });
        }
        fragments.push((start, end));
    }
    Ok(TextBound { id: id.to_owned(), kind: kind.to_owned(), fragments, text: text.to_owned() })
}

/// A run of ASCII digits (`str::parse` would also take a leading `+`).
fn number(digits: &str) -> Option<usize> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

fn attribute(id: &str, fields: &[&str]) -> Result<Attribute, BratErrorKind> {
    let body = field(fields, 1, "attribute")?;
    if fields.len() > 2 {
        return Err(BratErrorKind::ExtraFields { found: fields.len(), expected: 2 });
    }
    let words: Vec<&str> = body.split_whitespace().collect();
    let (name, target, value) = match words[..] {
        [name, target] => (name, target, None),
        [name, target, value] => (name, target, Some(value.to_owned())),
        _ => return Err(BratErrorKind::Attribute(body.to_owned())),
    };
    Ok(Attribute { id: id.to_owned(), name: name.to_owned(), target: target.to_owned(), value })
}

fn normalization(id: &str, fields: &[&str]) -> Result<Normalization, BratErrorKind> {
    let body = field(fields, 1, "reference")?;
    let bad = || BratErrorKind::Normalization(body.to_owned());
    let words: Vec<&str> = body.split_whitespace().collect();
    let ["Reference", target, reference] = words[..] else {
        return Err(bad());
    };
    let (resource, code) = reference.split_once(':').ok_or_else(bad)?;
    if resource.is_empty() || code.is_empty() {
        return Err(bad());
    }
    Ok(Normalization {
        id: id.to_owned(),
        target: target.to_owned(),
        resource: resource.to_owned(),
        code: code.to_owned(),
        text: fields.get(2).copied().unwrap_or_default().to_owned(),
    })
}

fn note(id: &str, fields: &[&str]) -> Result<Note, BratErrorKind> {
    let body = field(fields, 1, "note")?;
    let words: Vec<&str> = body.split_whitespace().collect();
    let ["AnnotatorNotes", target] = words[..] else {
        return Err(BratErrorKind::Note(body.to_owned()));
    };
    Ok(Note {
        id: id.to_owned(),
        target: target.to_owned(),
        text: fields.get(2).copied().unwrap_or_default().to_owned(),
    })
}

/// Writes a document as an `.ann` file: text-bound lines, then attributes, normalizations and
/// notes, each in the document's order, so that `parse(&write(doc)) == doc`.
///
/// That holds for every document brat can represent: ids that start with their kind's letter
/// (`T`, `A`/`M`, `N`, `#`) and are unique, names, types, targets and codes without whitespace,
/// and texts without line breaks. Anything else is written as given and `parse` refuses it or
/// reads it differently.
pub fn write(doc: &Document) -> String {
    let mut out = String::new();
    for entity in &doc.entities {
        let offsets: Vec<String> = entity.fragments.iter().map(|(start, end)| format!("{start} {end}")).collect();
        let _ = writeln!(out, "{}\t{} {}\t{}", entity.id, entity.kind, offsets.join(";"), entity.text);
    }
    for attribute in &doc.attributes {
        let _ = match &attribute.value {
            Some(value) => writeln!(out, "{}\t{} {} {value}", attribute.id, attribute.name, attribute.target),
            None => writeln!(out, "{}\t{} {}", attribute.id, attribute.name, attribute.target),
        };
    }
    for n in &doc.normalizations {
        let _ = writeln!(out, "{}\tReference {} {}:{}\t{}", n.id, n.target, n.resource, n.code, n.text);
    }
    for note in &doc.notes {
        let _ = writeln!(out, "{}\tAnnotatorNotes {}\t{}", note.id, note.target, note.text);
    }
    out
}

/// A text-bound annotation that does not agree with the text it annotates.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CheckError {
    #[error("{id}: fragment {start} {end} lies outside the text ({chars} code points) or is reversed")]
    OutOfRange { id: String, start: usize, end: usize, chars: usize },
    #[error("{id}: the fragments read {found:?} but the line says {written:?}")]
    TextMismatch { id: String, found: String, written: String },
}

/// Checks that every text-bound annotation's text is its fragments of `text`, joined by one
/// space (brat's convention for discontinuous mentions), and returns the first that is not.
///
/// A gold file whose offsets have drifted from its text (an edited `.txt`, a byte/char mix-up)
/// would still parse but score against the wrong words; this catches it.
pub fn check(doc: &Document, text: &str) -> Result<(), CheckError> {
    let bounds = offsets::char_bounds(text);
    let chars = bounds.len() - 1;
    for entity in &doc.entities {
        let mut pieces = Vec::with_capacity(entity.fragments.len());
        for &(start, end) in &entity.fragments {
            let piece = offsets::slice(text, &bounds, start, end).ok_or_else(|| CheckError::OutOfRange {
                id: entity.id.clone(),
                start,
                end,
                chars,
            })?;
            pieces.push(piece);
        }
        let found = pieces.join(" ");
        if found != entity.text {
            return Err(CheckError::TextMismatch { id: entity.id.clone(), found, written: entity.text.clone() });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const ALL_KINDS: &str = "T1\tDisorder 0 9\tșoc septic\n\
        T2\tSign_Symptom 11 17;31 38\tdureri lombare\n\
        A1\tNegated T2\n\
        A2\tSeverity T1 high\n\
        N1\tReference T1 icd10cm:R65.21\tSevere sepsis with septic shock\n\
        #1\tAnnotatorNotes T2\tvalue=109 unit=bpm\n";

    #[test]
    fn reads_all_four_line_kinds() {
        let doc = parse(ALL_KINDS).unwrap();
        assert_eq!(doc.entities.len(), 2);
        assert_eq!(doc.entities[1].fragments, [(11, 17), (31, 38)]);
        assert_eq!(doc.entities[1].extent(), (11, 38));
        assert_eq!(
            doc.attributes[0],
            Attribute { id: "A1".into(), name: "Negated".into(), target: "T2".into(), value: None }
        );
        assert_eq!(doc.attributes[1].value.as_deref(), Some("high"));
        let n = &doc.normalizations[0];
        assert_eq!(
            (n.resource.as_str(), n.code.as_str(), n.text.as_str()),
            ("icd10cm", "R65.21", "Severe sepsis with septic shock")
        );
        assert_eq!(doc.notes[0], Note { id: "#1".into(), target: "T2".into(), text: "value=109 unit=bpm".into() });
    }

    #[test]
    fn writing_a_canonical_file_gives_it_back() {
        assert_eq!(write(&parse(ALL_KINDS).unwrap()), ALL_KINDS);
    }

    #[test]
    fn accepts_crlf_and_blank_lines() {
        let doc = parse("T1\tDrug 0 4\tacid\r\n\r\n#1\tAnnotatorNotes T1\tnote\r\n").unwrap();
        assert_eq!(doc.entities[0].text, "acid");
        assert_eq!(doc.notes[0].text, "note");
    }

    #[test]
    fn a_note_may_point_at_an_annotation_defined_later() {
        assert!(parse("#1\tAnnotatorNotes T1\tx\nT1\tDrug 0 1\ta\n").is_ok());
    }

    fn error_of(input: &str) -> BratError {
        parse(input).unwrap_err()
    }

    #[test]
    fn errors_name_the_line() {
        let err = error_of("T1\tDrug 0 4\tacid\nT2\tDrug 5 x\tbaza\n");
        assert_eq!(err.line, 2);
        assert_eq!(
            err.to_string(),
            "line 2: bad type and offsets \"Drug 5 x\": expected `Type start end[;start end]…`"
        );
    }

    #[test]
    fn refuses_what_it_cannot_represent() {
        let cases: &[(&str, usize, BratErrorKind)] = &[
            ("R1\tCause Arg1:T1 Arg2:T2\n", 1, BratErrorKind::UnsupportedLine { id: "R1".into() }),
            ("T1\tDrug 0 4\n", 1, BratErrorKind::MissingField { field: "text" }),
            ("T1\tDrug 4 0\tx\n", 1, BratErrorKind::ReversedFragment { start: 4, end: 0 }),
            ("T1\tDrug +0 4\tacid\n", 1, BratErrorKind::Offsets("Drug +0 4".into())),
            ("T1\tDrug 0 4;\tacid\n", 1, BratErrorKind::Offsets("Drug 0 4;".into())),
            ("T1\tDrug 0 4\ta\nA1\tNegated\n", 2, BratErrorKind::Attribute("Negated".into())),
            ("T1\tDrug 0 4\ta\nA1\tNegated T1\textra\n", 2, BratErrorKind::ExtraFields { found: 3, expected: 2 }),
            ("T1\tDrug 0 4\ta\nN1\tReference T1 A41\tx\n", 2, BratErrorKind::Normalization("Reference T1 A41".into())),
            ("T1\tDrug 0 4\ta\nN1\tLink T1 a:b\tx\n", 2, BratErrorKind::Normalization("Link T1 a:b".into())),
            ("T1\tDrug 0 4\ta\n#1\tNotes T1\tx\n", 2, BratErrorKind::Note("Notes T1".into())),
            ("T1\tDrug 0 4\ta\nT1\tDrug 5 6\tb\n", 2, BratErrorKind::DuplicateId { id: "T1".into(), first: 1 }),
            (
                "T1\tDrug 0 4\ta\n\nA1\tNegated T9\n",
                3,
                BratErrorKind::UnknownTarget { id: "A1".into(), target: "T9".into() },
            ),
        ];
        for (input, line, kind) in cases {
            assert_eq!(error_of(input), BratError { line: *line, kind: kind.clone() }, "{input:?}");
        }
    }

    #[test]
    fn check_joins_discontinuous_fragments_with_one_space() {
        let text = "dureri abdominale și lombare";
        let doc = parse("T1\tSign_Symptom 0 6;21 28\tdureri lombare\n").unwrap();
        assert_eq!(check(&doc, text), Ok(()));
    }

    #[test]
    fn check_names_the_entity_that_drifted() {
        let text = "dureri abdominale";
        let drifted = parse("T7\tSign_Symptom 1 7\tdureri\n").unwrap();
        assert_eq!(
            check(&drifted, text).unwrap_err().to_string(),
            "T7: the fragments read \"ureri \" but the line says \"dureri\""
        );
        let outside = parse("T8\tSign_Symptom 7 99\tabdominale\n").unwrap();
        assert!(matches!(check(&outside, text), Err(CheckError::OutOfRange { chars: 17, .. })));
    }

    fn name() -> impl Strategy<Value = String> {
        "[A-Za-z_][A-Za-z0-9_-]{0,10}"
    }

    /// Any text brat can hold on one line (tabs included: the text is the last field).
    fn line_text() -> impl Strategy<Value = String> {
        "[^\r\n]{0,24}"
    }

    fn fragments() -> impl Strategy<Value = Vec<(usize, usize)>> {
        prop::collection::vec((0usize..5000, 0usize..40), 1..4).prop_map(|pieces| {
            let mut at = 0;
            pieces
                .into_iter()
                .map(|(gap, len)| {
                    let start = at + gap;
                    at = start + len;
                    (start, at)
                })
                .collect()
        })
    }

    prop_compose! {
        fn document()(
            entities in prop::collection::vec((name(), fragments(), line_text()), 1..6),
            attributes in prop::collection::vec(
                (name(), any::<prop::sample::Index>(), prop::option::of("[A-Za-z0-9_.]{1,8}")), 0..6),
            normalizations in prop::collection::vec(
                (any::<prop::sample::Index>(), "[a-z0-9]{1,8}", "[A-Za-z0-9.:]{1,10}", line_text()), 0..6),
            notes in prop::collection::vec((any::<prop::sample::Index>(), line_text()), 0..6),
        ) -> Document {
            let ids: Vec<String> = (1..=entities.len()).map(|i| format!("T{i}")).collect();
            Document {
                entities: entities.into_iter().zip(&ids).map(|((kind, fragments, text), id)| {
                    TextBound { id: id.clone(), kind, fragments, text }
                }).collect(),
                attributes: attributes.into_iter().enumerate().map(|(i, (name, target, value))| {
                    Attribute { id: format!("A{}", i + 1), name, target: target.get(&ids).clone(), value }
                }).collect(),
                normalizations: normalizations.into_iter().enumerate().map(|(i, (target, resource, code, text))| {
                    Normalization { id: format!("N{}", i + 1), target: target.get(&ids).clone(), resource, code, text }
                }).collect(),
                notes: notes.into_iter().enumerate().map(|(i, (target, text))| {
                    Note { id: format!("#{}", i + 1), target: target.get(&ids).clone(), text }
                }).collect(),
            }
        }
    }

    proptest! {
        #[test]
        fn write_then_parse_gives_the_document_back(doc in document()) {
            let written = write(&doc);
            prop_assert_eq!(parse(&written), Ok(doc), "{}", written);
        }

        #[test]
        fn parse_never_panics(input in "[TAMN#0-9 \t;:a-z\n\r]{0,200}") {
            let _ = parse(&input);
        }

        #[test]
        fn check_never_panics(doc in document(), text in "\\PC{0,60}") {
            let _ = check(&doc, &text);
        }
    }
}
