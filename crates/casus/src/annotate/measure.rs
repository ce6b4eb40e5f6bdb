//! Measurements: the value and unit after the name of a lab or a vital sign
//! ("leucocite 27.400/mm3", "Hg 9,9 g/dl", "TA 80/50", "Fc: 109 bpm", "creatinină 0,80").
//!
//! The concept stage finds the names (a lab or vital followed by a value); this stage reads the
//! value with the document's number convention and the unit as written, attached
//! (`27.400/mm3`, `37,5o`) or as the next token (`9,9 g/dl`), or a qualitative result
//! ("troponină negativă", words of `data/ro/results.tsv`). Reference ranges, interpretation,
//! unit inference and UCUM normalization are still to come.

use crate::doc::{Doc, DocMeasurement};
use crate::knowledge::ValueWords;
use crate::span::Span;
use crate::text::numbers;
use crate::text::tokenize::{number_prefix, TokenKind, TokenRules};

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

/// Reads the value of every measurement name of `doc`.
pub fn annotate(doc: &mut Doc<'_>, rules: &TokenRules, words: &ValueWords) {
    let mut measurements = Vec::with_capacity(doc.measurement_names.len());
    for name in &doc.measurement_names {
        let at = match reading_after(doc, name.tokens.end - 1, words) {
            Some(Reading::Value(at)) => at,
            Some(Reading::Result(at, result)) => {
                let span = Span::new(name.span.start, doc.tokens[at].span.end);
                let (value, unit) = (None, None);
                measurements.push(DocMeasurement { span, concept: name.concept, value, unit, result: Some(result) });
                continue;
            }
            None => continue,
        };
        let token = doc.tokens[at];
        let form = doc.token_text(at);
        let (value, mut unit, mut end) = match token.kind {
            TokenKind::Ratio | TokenKind::Range => (None, None, token.span.end),
            _ => {
                let value = numbers::parse(form, doc.convention).map(|n| n.value);
                let digits = number_prefix(form);
                let unit = (token.kind == TokenKind::Quantity && digits < form.len())
                    .then(|| Span::new(token.span.start + digits, token.span.end));
                (value, unit, token.span.end)
            }
        };
        if unit.is_none() {
            if let Some(next) = doc.tokens.get(at + 1).filter(|t| t.kind == TokenKind::Unit) {
                let plain = doc.views.plain.slice(next.span);
                if rules.units.contains_key(plain) {
                    unit = Some(next.span);
                    end = next.span.end;
                }
            }
        }
        measurements.push(DocMeasurement {
            span: Span::new(name.span.start, end),
            concept: name.concept,
            value,
            unit,
            result: None,
        });
    }
    doc.measurements = measurements;
}
