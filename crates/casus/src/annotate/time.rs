//! Time relative to presentation, as case reports write it: "cu 10 zile înainte" (−P10D), "în
//! urmă cu 2 luni" (−P2M), "la internare" (P0D), and durations such as "timp de 6 săptămâni"
//! (P6W). The words are data (`data/ro/time.tsv`); amounts are digits or number words
//! (`data/ro/numbers.tsv`, read by `text::numbers`).
//!
//! The readers here work on a token range of a document and return ISO 8601 durations, so any
//! stage (medications today, findings later) can ask "is there a time at this token?".

use std::ops::Range;

use crate::doc::Doc;
use crate::knowledge::medication::{TimeUnit, TimeWord, TimeWords};
use crate::knowledge::NumberWords;
use crate::text::numbers;
use crate::text::stem::stem;
use crate::text::tokenize::TokenKind;

/// The match stem of every token of a document, as the word tables of the later stages key
/// their phrases (see `knowledge::medication::stemmed`).
pub fn keys(doc: &Doc<'_>) -> Vec<String> {
    (0..doc.tokens.len()).map(|i| stem(doc.plain(i)).into_owned()).collect()
}

/// An amount of time ("10 zile", "două săptămâni").
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Amount {
    pub value: f64,
    pub unit: TimeUnit,
}

impl Amount {
    /// The amount as an ISO 8601 duration (`P10D`, `P6W`, `PT8H`), negative (`-P10D`) for the past.
    pub fn iso(&self, past: bool) -> String {
        let value =
            if self.value.fract() == 0.0 { format!("{}", self.value as i64) } else { format!("{}", self.value) };
        let body = match self.unit {
            TimeUnit::Minute => format!("PT{value}M"),
            TimeUnit::Hour => format!("PT{value}H"),
            TimeUnit::Day => format!("P{value}D"),
            TimeUnit::Week => format!("P{value}W"),
            TimeUnit::Month => format!("P{value}M"),
            TimeUnit::Year => format!("P{value}Y"),
        };
        if past {
            format!("-{body}")
        } else {
            body
        }
    }
}

/// What the readers need: the document, its token stems and the word tables.
#[derive(Clone, Copy)]
pub struct TimeReader<'a, 'd, 't> {
    pub doc: &'d Doc<'t>,
    pub keys: &'a [String],
    pub words: &'a TimeWords,
    pub numbers: &'a NumberWords,
}

impl TimeReader<'_, '_, '_> {
    /// An amount starting at token `at` and ending before `end`: a number (digits or words), an
    /// optional "de" ("20 de zile") and a unit of time. Returns it and the token after it.
    pub fn amount_at(&self, at: usize, end: usize) -> Option<(Amount, usize)> {
        let doc = self.doc;
        if at >= end {
            return None;
        }
        let (value, mut next) = match doc.tokens[at].kind {
            TokenKind::Number => (numbers::parse(doc.token_text(at), doc.convention)?.value, at + 1),
            TokenKind::Word => {
                let forms: Vec<&str> = (at..end.min(at + 4)).map(|i| doc.plain(i)).collect();
                let (value, used) = numbers::parse_words(&forms, self.numbers)?;
                (value, at + used)
            }
            _ => return None,
        };
        if next < end && doc.plain(next) == "de" {
            next += 1;
        }
        let unit = *self.words.units.get(self.keys.get(next).filter(|_| next < end)?)?;
        Some((Amount { value, unit }, next + 1))
    }

    /// The longest time phrase of `kind` at token `at`, as its length in tokens.
    fn phrase_at(&self, at: usize, end: usize, accept: impl Fn(&TimeWord) -> bool) -> Option<(usize, &TimeWord)> {
        self.words.phrases.matches_at(|i| self.keys[i].as_str(), at, end).find(|(_, word)| accept(word))
    }

    /// A time relative to presentation starting at token `at`: "în urmă cu 2 luni", "cu 10 zile
    /// înainte", "10 zile înainte", "la internare". Returns the ISO duration and its tokens.
    pub fn relative_at(&self, at: usize, end: usize) -> Option<(String, Range<usize>)> {
        if let Some((len, TimeWord::Anchor(iso))) = self.phrase_at(at, end, |w| matches!(w, TimeWord::Anchor(_))) {
            return Some((iso.clone(), at..at + len));
        }
        if let Some((len, _)) = self.phrase_at(at, end, |w| *w == TimeWord::AgoBefore) {
            let (amount, after) = self.amount_at(at + len, end)?;
            return Some((amount.iso(true), at..after));
        }
        let start = match self.phrase_at(at, end, |w| *w == TimeWord::AgoOpen) {
            Some((len, _)) => at + len,
            None => at,
        };
        let (amount, after) = self.amount_at(start, end)?;
        let (len, _) = self.phrase_at(after, end, |w| *w == TimeWord::AgoClose)?;
        Some((amount.iso(true), at..after + len))
    }

    /// A duration starting at token `at`: "timp de 6 săptămâni" → `P6W`.
    pub fn duration_at(&self, at: usize, end: usize) -> Option<(String, Range<usize>)> {
        let (len, _) = self.phrase_at(at, end, |w| *w == TimeWord::Duration)?;
        let (amount, after) = self.amount_at(at + len, end)?;
        Some((amount.iso(false), at..after))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Engine, Options};

    /// The first relative time and duration found in `text`.
    fn read(text: &str) -> (Option<String>, Option<String>) {
        let engine = Engine::new().unwrap();
        let doc = engine.text_layer(text, &Options::default()).unwrap();
        let keys = keys(&doc);
        let knowledge = engine.knowledge();
        let reader =
            TimeReader { doc: &doc, keys: &keys, words: &knowledge.time_words, numbers: &knowledge.number_words };
        let end = doc.tokens.len();
        let relative = (0..end).find_map(|i| reader.relative_at(i, end)).map(|(iso, _)| iso);
        let duration = (0..end).find_map(|i| reader.duration_at(i, end)).map(|(iso, _)| iso);
        (relative, duration)
    }

    #[test]
    fn reads_times_before_presentation() {
        assert_eq!(read("diclofenac cu 10 zile înainte").0.as_deref(), Some("-P10D"));
        assert_eq!(read("în urmă cu 2 luni a primit").0.as_deref(), Some("-P2M"));
        assert_eq!(read("în urma cu doua saptamani").0.as_deref(), Some("-P2W"));
        assert_eq!(read("cu 20 de ani înainte").0.as_deref(), Some("-P20Y"));
        assert_eq!(read("s-a administrat la internare").0.as_deref(), Some("P0D"));
        assert_eq!(read("cu 15 minute înaintea prezentării").0.as_deref(), Some("-PT15M"));
    }

    #[test]
    fn reads_durations() {
        assert_eq!(read("timp de 6 săptămâni").1.as_deref(), Some("P6W"));
        assert_eq!(read("timp de 14 zile").1.as_deref(), Some("P14D"));
        assert_eq!(read("pentru 24 de ore").1.as_deref(), Some("PT24H"));
    }

    #[test]
    fn an_amount_alone_is_not_a_time_relative_to_presentation() {
        assert_eq!(read("febră de 10 zile"), (None, None));
        assert_eq!(read("cu 10 mg"), (None, None));
    }
}
