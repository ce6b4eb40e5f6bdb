//! The patient's age and sex, from the ways Romanian case reports state them:
//! "Bărbat în vârstă de 47 de ani", "pacientă de 62 ani", "sugar de 3 luni", "sex masculin".
//!
//! Sex is the first word that tells it (a later word that disagrees gives a warning). An age is a
//! number, in digits or words, followed by `de` or not and by a unit of age, counted only when a
//! word for the patient or for age stands shortly before it in the same sentence, so that
//! durations such as "de două săptămâni" are never read as an age.

use crate::analysis::{AgeUnit, Sex};
use crate::doc::{Doc, DocWarning, PatientFacts};
use crate::knowledge::{NumberWords, PatientWord, Phrase};
use crate::span::Span;
use crate::text::numbers;
use crate::text::phrases::PhraseIndex;
use crate::text::tokenize::TokenKind;

/// How many tokens before an age its patient or age word may stand.
const CUE_WINDOW: usize = 6;

#[derive(Debug, Clone)]
pub struct PatientMatcher {
    words: PhraseIndex<PatientWord>,
}

/// A patient word found in the text: token range and meaning.
#[derive(Debug, Clone, Copy)]
struct Found {
    start: usize,
    end: usize,
    word: PatientWord,
}

impl PatientMatcher {
    pub fn new(words: &[(Phrase, PatientWord)]) -> Self {
        PatientMatcher { words: PhraseIndex::new(words.iter().cloned()) }
    }

    /// Finds age and sex in the visible text of `doc`.
    pub fn annotate(&self, doc: &mut Doc<'_>, number_words: &NumberWords) {
        let mut facts = PatientFacts::default();
        let mut warnings = Vec::new();
        for sentence in doc.sentences.iter().filter(|s| !doc.is_hidden(s.span)) {
            let found = self.words_in(doc, sentence.tokens.clone());
            for f in &found {
                let PatientWord::Sex(sex) = f.word else {
                    continue;
                };
                let span = Span::new(doc.tokens[f.start].span.start, doc.tokens[f.end - 1].span.end);
                match facts.sex {
                    None => facts.sex = Some((sex, span)),
                    Some((first, _)) if first != sex => warnings.push(DocWarning {
                        kind: "patient_sex_conflict",
                        message: format!(
                            "\"{}\" says the patient is {}, an earlier mention says {}",
                            &doc.text[span.range()],
                            sex_name(sex),
                            sex_name(first)
                        ),
                        span: Some(span),
                    }),
                    Some(_) => {}
                }
            }
            if facts.age.is_none() {
                facts.age = age_in(doc, sentence.tokens.clone(), &found, number_words);
            }
        }
        doc.patient = facts;
        doc.warnings.extend(warnings);
    }

    fn words_in(&self, doc: &Doc<'_>, tokens: std::ops::Range<usize>) -> Vec<Found> {
        let mut found = Vec::new();
        let mut i = tokens.start;
        while i < tokens.end {
            match self.words.matches_hashed(|k| doc.tokens[k].plain_hash, |k| doc.plain(k), i, tokens.end).next() {
                Some((len, &word)) => {
                    found.push(Found { start: i, end: i + len, word });
                    i += len;
                }
                None => i += 1,
            }
        }
        found
    }
}

fn sex_name(sex: Sex) -> &'static str {
    match sex {
        Sex::Male => "male",
        Sex::Female => "female",
    }
}

/// The first age in a sentence: NUMBER [de] UNIT after a patient or age word.
fn age_in(
    doc: &Doc<'_>,
    tokens: std::ops::Range<usize>,
    found: &[Found],
    number_words: &NumberWords,
) -> Option<(u32, AgeUnit, Span)> {
    for f in found {
        let PatientWord::AgeUnit(unit) = f.word else {
            continue;
        };
        // Step back over "de" to the number.
        let mut number_end = f.start;
        if number_end > tokens.start && doc.plain(number_end - 1) == "de" {
            number_end -= 1;
        }
        let Some((value, number_start)) = number_before(doc, tokens.start, number_end, number_words) else {
            continue;
        };
        let cue_from = number_start.saturating_sub(CUE_WINDOW).max(tokens.start);
        let cued = found.iter().any(|c| {
            c.end <= number_start
                && c.start >= cue_from
                && matches!(c.word, PatientWord::Sex(_) | PatientWord::Person | PatientWord::AgeCue)
        });
        if !cued || value.fract() != 0.0 || !plausible(value, unit) {
            continue;
        }
        let span = Span::new(doc.tokens[number_start].span.start, doc.tokens[f.end - 1].span.end);
        return Some((value as u32, unit, span));
    }
    None
}

/// The number that ends just before token `end`: digits, or number words.
fn number_before(doc: &Doc<'_>, floor: usize, end: usize, number_words: &NumberWords) -> Option<(f64, usize)> {
    if end == floor {
        return None;
    }
    let last = end - 1;
    if doc.tokens[last].kind == TokenKind::Number {
        let number = numbers::parse(doc.token_text(last), doc.convention)?;
        return (number.comparator.is_none()).then_some((number.value, last));
    }
    // Number words: try the longest run of words that parses exactly up to `end`.
    let from = end.saturating_sub(5).max(floor);
    (from..end).find_map(|start| {
        let words: Vec<&str> = (start..end).map(|k| doc.plain(k)).collect();
        match numbers::parse_words(&words, number_words) {
            Some((value, used)) if used == words.len() => Some((value, start)),
            _ => None,
        }
    })
}

fn plausible(value: f64, unit: AgeUnit) -> bool {
    let max = match unit {
        AgeUnit::Year => 125.0,
        AgeUnit::Month => 36.0,
        AgeUnit::Week => 104.0,
        AgeUnit::Day => 60.0,
    };
    value >= 0.0 && value <= max
}
