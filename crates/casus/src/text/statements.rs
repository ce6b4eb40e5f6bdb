//! Diagnosis statements: where the text states its own diagnosis.
//!
//! A statement is a level-1 diagnosis section (`Diagnostic: …`) or a sentence from a cue phrase
//! of `data/ro/diagnosis.tsv` to its end ("… s-a stabilit diagnosticul de pielonefrită acută.").
//! They are found in the text layer because `--blind` hides them from every later stage.

use crate::analysis::SectionKind;
use crate::knowledge::coding::DiagnosisWord;
use crate::knowledge::Phrase;
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
        let plain = |i: usize| views.plain.slice(tokens[i].span);
        let mut found: Vec<Span> =
            sections.iter().filter(|s| s.level == 1 && s.kind == SectionKind::Diagnosis).map(|s| s.span).collect();
        for sentence in sentences {
            let inside = |span: Span| found.iter().any(|f| f.contains(span));
            if inside(sentence.span) {
                continue;
            }
            let end = sentence.tokens.end;
            let cue = sentence
                .tokens
                .clone()
                .filter(|&i| self.cues.may_start(tokens[i].plain_hash))
                .find(|&i| self.cues.matches_hashed(|k| tokens[k].plain_hash, plain, i, end).next().is_some());
            if let Some(start) = cue {
                found.push(Span::new(tokens[start].span.start, sentence.span.end));
            }
        }
        found.sort();
        found
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
