//! Sentence boundaries.
//!
//! A sentence ends after `.`, `!`, `?` or `…` when the next token does not start in lower case
//! (a lower-case continuation means the dot was an abbreviation the data does not know), and
//! after a dotted route abbreviation such as `i.v.` when an upper-case word follows. Dots inside
//! other tokens (`E. coli`, `Dr.`, `nr.`, `9.9`) never end one. A line break ends a sentence when a blank line follows, when the line ends in
//! punctuation that closes a clause, or when the next line starts in upper case, with a digit or
//! with a bullet; a hard-wrapped line that continues in lower case does not.

use std::ops::Range;

use crate::span::Span;
use crate::text::tokenize::{is_dotted_letters, Token, TokenKind};

/// One sentence: its span in the original text and its range of tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    pub span: Span,
    pub tokens: Range<usize>,
}

/// Splits the tokens of `text` into sentences that cover every token, in order.
pub fn split(text: &str, tokens: &[Token]) -> Vec<Sentence> {
    // Room for a sentence per eight tokens, about what case reports have: most documents need
    // no growing of the vector.
    let mut sentences = Vec::with_capacity(tokens.len() / 8 + 1);
    let mut start = 0;
    for (i, pair) in tokens.windows(2).enumerate() {
        let (token, next) = (&pair[0], &pair[1]);
        if may_end(token, next)
            && (ends_after(text, token) && !starts_lowercase(text, next) || line_break(text, token, next))
        {
            sentences.push(sentence(tokens, start..i + 1));
            start = i + 1;
        }
    }
    // The last token ends the last sentence.
    if start < tokens.len() {
        sentences.push(sentence(tokens, start..tokens.len()));
    }
    sentences
}

/// The sentence of a non-empty range of tokens.
fn sentence(tokens: &[Token], range: Range<usize>) -> Sentence {
    Sentence { span: Span::new(tokens[range.start].span.start, tokens[range.end - 1].span.end), tokens: range }
}

/// Whether a sentence may end between `token` and `next` at all: only after punctuation or an
/// abbreviation ([`ends_after`]), or at a line break ([`line_break`]). Most tokens are words
/// within a line, told by their kind and their count of line breaks.
#[inline]
fn may_end(token: &Token, next: &Token) -> bool {
    matches!(token.kind, TokenKind::Punct | TokenKind::Abbreviation) || next.newlines_before > 0
}

/// Whether a sentence may end after `token`: closing punctuation, or a dotted abbreviation of
/// single letters (`i.v.`), which clinicians write at the end of sentences; titles and other
/// listed abbreviations (`Dr.`, `nr.`) never end one.
fn ends_after(text: &str, token: &Token) -> bool {
    match token.kind {
        // Told by the first byte: "…" is the only one of more than one byte, and starts with 0xE2.
        TokenKind::Punct => match text.as_bytes()[token.span.start] {
            b'.' | b'!' | b'?' => token.span.len() == 1,
            0xE2 => &text[token.span.range()] == "…",
            _ => false,
        },
        TokenKind::Abbreviation => is_dotted_letters(&text[token.span.range()]),
        _ => false,
    }
}

fn starts_lowercase(text: &str, token: &Token) -> bool {
    let first = text.as_bytes()[token.span.start];
    if first.is_ascii() {
        return first.is_ascii_lowercase();
    }
    text[token.span.range()].chars().next().is_some_and(char::is_lowercase)
}

fn line_break(text: &str, token: &Token, next: &Token) -> bool {
    match next.newlines_before {
        0 => false,
        1 => {
            let closes = text[token.span.range()].ends_with(['.', ':', ';', '!', '?', '…']);
            let opens = text[next.span.range()]
                .chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit() || matches!(c, '-' | '•' | '*' | '–'));
            closes || opens
        }
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::normalize::Views;
    use crate::text::tokenize::{tokenize, TokenRules};

    fn sentences(text: &str) -> Vec<&str> {
        let mut rules = TokenRules::default();
        rules.add_abbreviation("dr.".into());
        rules.add_abbreviation("nr.".into());
        rules.add_abbreviation("ex.".into());
        let tokens = tokenize(text, &Views::new(text), &rules);
        split(text, &tokens).into_iter().map(|s| &text[s.span.range()]).collect()
    }

    #[test]
    fn does_not_split_inside_abbreviations_decimals_or_binomials() {
        assert_eq!(
            sentences("Izolat E. coli în hemoculturi. Evaluat de Dr. Pop, salon nr. 3, ex. CT c/c. Hb 9.9 g/dl, ceftriaxonă i.v. Bine."),
            vec![
                "Izolat E. coli în hemoculturi.",
                "Evaluat de Dr. Pop, salon nr. 3, ex. CT c/c.",
                "Hb 9.9 g/dl, ceftriaxonă i.v.",
                "Bine."
            ]
        );
    }

    #[test]
    fn splits_at_line_breaks_that_start_a_new_statement() {
        assert_eq!(
            sentences("Febră de 3 zile\nDiagnostic: pneumonie\ncu evoluție\nbună"),
            vec!["Febră de 3 zile", "Diagnostic: pneumonie\ncu evoluție\nbună"]
        );
        assert_eq!(sentences("Unu\n\ndoi"), vec!["Unu", "doi"]);
    }
}
