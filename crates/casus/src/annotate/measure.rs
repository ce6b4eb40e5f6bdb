//! Measurements: the value and unit after the name of a lab or a vital sign
//! ("leucocite 27.400/mm3", "Hg 9,9 g/dl", "TA 80/50", "Fc: 109 bpm", "creatinină 0,80").
//!
//! The concept stage finds the names (a lab or vital followed by a value); this stage reads the
//! value with the document's number convention and the unit as written, attached
//! (`27.400/mm3`, `37,5o`) or as the next token (`9,9 g/dl`). Reference ranges, interpretation,
//! unit inference and UCUM normalization are still to come.

use crate::annotate::concepts::value_after;
use crate::doc::{Doc, DocMeasurement};
use crate::span::Span;
use crate::text::numbers;
use crate::text::tokenize::{number_prefix, TokenKind, TokenRules};

/// Reads the value of every measurement name of `doc`.
pub fn annotate(doc: &mut Doc<'_>, rules: &TokenRules) {
    let mut measurements = Vec::with_capacity(doc.measurement_names.len());
    for name in &doc.measurement_names {
        let Some(at) = value_after(doc, name.tokens.end - 1) else { continue };
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
        measurements.push(DocMeasurement { span: Span::new(name.span.start, end), concept: name.concept, value, unit });
    }
    doc.measurements = measurements;
}
