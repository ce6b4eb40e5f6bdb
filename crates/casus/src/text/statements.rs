//! Diagnosis statements: where the text states its own diagnosis.
//!
//! A statement is a level-1 diagnosis section (`Diagnostic: …`) or a sentence from a cue phrase
//! of `data/ro/diagnosis.tsv` to its end ("… s-a stabilit diagnosticul de pielonefrită acută.").
//! They are found in the text layer because `--blind` hides them from every later stage.

use crate::analysis::SectionKind;
use crate::knowledge::coding::DiagnosisWord;
use crate::knowledge::Phrase;
use std::ops::Range;

use crate::span::Span;
use crate::text::normalize::Views;
use crate::text::phrases::PhraseIndex;
use crate::text::sections::DocSection;
use crate::text::sentences::Sentence;
use crate::text::tokenize::Token;

/// The cue phrases, indexed by their first token.
#[derive(Debug, Clone)]
pub struct StatementMatcher {
    cues: PhraseIndex<()>,
}

impl StatementMatcher {
    pub fn new(words: &[(Phrase, DiagnosisWord)]) -> Self {
        let cues = words.iter().filter(|(_, word)| *word == DiagnosisWord::Cue).map(|(phrase, _)| (phrase.clone(), ()));
        StatementMatcher { cues: PhraseIndex::new(cues) }
    }

    /// The statements of a document, in text order, never overlapping.
    pub fn find(&self, views: &Views, tokens: &[Token], sentences: &[Sentence], sections: &[DocSection]) -> Vec<Span> {
        let mut found: Vec<Span> =
            sections.iter().filter(|s| s.level == 1 && s.kind == SectionKind::Diagnosis).map(|s| s.span).collect();
        for sentence in sentences {
            let inside = |span: Span| found.iter().any(|f| f.contains(span));
            if inside(sentence.span) {
                continue;
            }
            if let Some(start) = self.first_cue(views, tokens, sentence.tokens.clone()) {
                found.push(Span::new(tokens[start].span.start, sentence.span.end));
            }
        }
        found.sort();
        found
    }

    /// The index of the first token of `range` where a cue starts.
    fn first_cue(&self, views: &Views, tokens: &[Token], range: Range<usize>) -> Option<usize> {
        let plain = |i: usize| views.plain.slice(tokens[i].span);
        let (mut i, end) = (range.start, range.end);
        // Most tokens start no cue: they are refused by one bit test each.
        while let Some(skip) = self.cues.first_start(&tokens[i..end]) {
            i += skip;
            let second = tokens[i + 1..end].first().map(|t| t.plain_hash);
            if self.cues.may_start_with(tokens[i].plain_hash, second)
                && self.cues.matches_hashed(|k| tokens[k].plain_hash, plain, i, end).next().is_some()
            {
                return Some(i);
            }
            i += 1;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::{Engine, Options};

    fn statements(text: &str) -> Vec<&str> {
        let engine = Engine::new().unwrap();
        let doc = engine.text_layer(text, &Options::default()).unwrap();
        doc.statements.iter().map(|s| &text[s.range()]).collect()
    }

    #[test]
    fn a_diagnosis_section_is_a_statement() {
        let text = "Pacient de 50 de ani cu febră.\nDiagnostic: Pneumonie lobară dreaptă.";
        assert_eq!(statements(text), ["Diagnostic: Pneumonie lobară dreaptă."]);
    }

    #[test]
    fn a_cue_opens_a_statement_to_the_sentence_end() {
        let text = "Evoluția a fost favorabilă și s-a stabilit diagnosticul de pielonefrită acută. Externat.";
        assert_eq!(statements(text), ["s-a stabilit diagnosticul de pielonefrită acută."]);
    }

    #[test]
    fn without_a_cue_or_section_there_is_none() {
        assert!(statements("Pacient cu febră și tuse de 3 zile.").is_empty());
    }
}
