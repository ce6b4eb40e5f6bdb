//! Sections of the document, from the header phrases of `data/ro/sections.tsv`.
//!
//! A header counts where its cue says: at the start of a sentence or line, or followed by a colon
//! within a few tokens (`CT abdomen și pelvis c/c:`). Level-1 headers partition the document;
//! level-2 labels (exam systems such as `AR:`) divide the level-1 section of their kind. Text
//! before the first header is the history: case reports open with the presentation.

use crate::analysis::SectionKind;
use crate::knowledge::{Cue, SectionRule};
use crate::span::Span;
use crate::text::normalize::Views;
use crate::text::phrases::PhraseIndex;
use crate::text::sentences::Sentence;
use crate::text::tokenize::{Token, TokenKind};

/// A section found in the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocSection {
    pub kind: SectionKind,
    pub level: u8,
    pub system: Option<String>,
    /// The header as written (without its colon); `None` for text before the first header.
    pub title: Option<Span>,
    pub span: Span,
}

/// Header phrases indexed by their first token, longest first.
#[derive(Debug, Clone)]
pub struct SectionMatcher {
    index: PhraseIndex<SectionRule>,
}

impl SectionMatcher {
    pub fn new(rules: &[SectionRule]) -> Self {
        SectionMatcher { index: PhraseIndex::new(rules.iter().map(|rule| (rule.phrase.clone(), rule.clone()))) }
    }

    /// Finds the sections of a tokenized document.
    pub fn find(&self, text: &str, views: &Views, tokens: &[Token], sentences: &[Sentence]) -> Vec<DocSection> {
        let plain = |i: usize| views.plain.slice(tokens[i].span);
        let mut headers: Vec<DocSection> = Vec::new();
        let mut current_kind: Option<SectionKind> = None;
        for sentence in sentences {
            let end = sentence.tokens.end;
            let mut i = sentence.tokens.start;
            while i < end {
                // Most tokens start no header: skip them by one bit test each.
                match self.index.first_start(&tokens[i..end]) {
                    Some(skip) => i += skip,
                    None => break,
                }
                let second = (i + 1 < end).then(|| tokens[i + 1].plain_hash);
                if !self.index.may_start_with(tokens[i].plain_hash, second) {
                    i += 1;
                    continue;
                }
                let at_start = i == sentence.tokens.start || tokens[i].newlines_before > 0;
                let found =
                    self.index.matches_hashed(|k| tokens[k].plain_hash, plain, i, end).find_map(|(len, rule)| {
                        if rule.level == 2 && current_kind != Some(rule.kind) {
                            return None;
                        }
                        let colon = colon_after(text, tokens, i + len, (i + len + rule.gap).min(end - 1));
                        let cue_met = match rule.cue {
                            Cue::Start => at_start,
                            Cue::Colon => colon.is_some(),
                            Cue::Either => at_start || colon.is_some(),
                        };
                        cue_met.then(|| (rule, colon.unwrap_or(i + len), colon.map_or(i + len, |j| j + 1)))
                    });
                match found {
                    Some((rule, title_end, next)) => {
                        let title = Span::new(tokens[i].span.start, tokens[title_end - 1].span.end);
                        if rule.level == 1 {
                            current_kind = Some(rule.kind);
                        }
                        headers.push(DocSection {
                            kind: rule.kind,
                            level: rule.level,
                            system: rule.system.clone(),
                            title: Some(title),
                            span: title,
                        });
                        i = next;
                    }
                    None => i += 1,
                }
            }
        }
        close_spans(text, tokens, headers)
    }
}

/// The index of a colon among tokens `from..=to`, before any other punctuation.
fn colon_after(text: &str, tokens: &[Token], from: usize, to: usize) -> Option<usize> {
    for j in from..=to {
        if tokens[j].kind == TokenKind::Punct {
            return (&text[tokens[j].span.range()] == ":").then_some(j);
        }
    }
    None
}

/// Gives each header its span: to the next header of its level or above, within its parent.
fn close_spans(text: &str, tokens: &[Token], headers: Vec<DocSection>) -> Vec<DocSection> {
    let Some(first_token) = tokens.first() else {
        return Vec::new();
    };
    let doc_end = tokens.last().map_or(0, |t| t.span.end);
    let mut sections = Vec::with_capacity(headers.len() + 1);
    let first_header = headers.iter().find(|h| h.level == 1).map_or(doc_end, |h| h.span.start);
    if first_token.span.start < first_header {
        sections.push(DocSection {
            kind: SectionKind::History,
            level: 1,
            system: None,
            title: None,
            span: Span::new(first_token.span.start, first_header),
        });
    }
    for (n, header) in headers.iter().enumerate() {
        let end = headers[n + 1..]
            .iter()
            .find(|next| next.level <= header.level || header.level == 2)
            .map_or(doc_end, |next| next.span.start);
        // A level-2 label also ends where its level-1 section does.
        let end = if header.level == 2 {
            headers[n + 1..].iter().find(|next| next.level == 1).map_or(end, |next| end.min(next.span.start))
        } else {
            end
        };
        let end = trim_end(text, header.span.start, end);
        sections.push(DocSection { span: Span::new(header.span.start, end), ..header.clone() });
    }
    sections
}

fn trim_end(text: &str, start: usize, end: usize) -> usize {
    start + text[start..end].trim_end().len()
}
