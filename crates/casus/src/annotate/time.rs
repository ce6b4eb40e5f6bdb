//! Time relative to presentation, as case reports write it: "cu 10 zile înainte" (−P10D), "în
//! urmă cu 2 luni" (−P2M), "la internare" (P0D), and durations such as "timp de 6 săptămâni"
//! (P6W). The words are data (`data/ro/time.tsv`); amounts are digits or number words
//! (`data/ro/numbers.tsv`, read by `text::numbers`).
//!
//! The readers here work on a token range of a document and return ISO 8601 durations, so any
//! stage can ask "is there a time at this token?": medications read their clause with them, and
//! [`expression_at`](TimeReader::expression_at) reads every kind of expression for the finding
//! times of `annotate::timing`: onsets ("febră de 3 zile": began −P3D, lasting P3D), times
//! after presentation ("după 3 zile": P3D) and ages at onset ("la vârsta de 30 de ani").
//! An amount after "aproximativ", "circa", … is approximate. Dates ("12.03.2023", "5 martie
//! 2023", "martie 2023") are read by [`date_at`](TimeReader::date_at); `annotate::timing` counts
//! them from the date of presentation.

use std::ops::Range;

use crate::doc::{Doc, Stems};
use crate::knowledge::medication::{TimeUnit, TimeWord, TimeWords};
use crate::knowledge::NumberWords;
use crate::text::numbers;
use crate::text::phrases::PhraseIndex;
use crate::text::tokenize::TokenKind;

/// A calendar date as written: a day, or only a month ("martie 2023").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    /// `None` when only the month is written.
    pub day: Option<u8>,
}

impl Date {
    /// A valid date, or `None` (month 1–12, a day the month has).
    fn new(year: i32, month: u8, day: Option<u8>) -> Option<Date> {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let length = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        day.is_none_or(|d| (1..=length).contains(&d)).then_some(Date { year, month, day })
    }

    /// Days since 1970-01-01 of the date (its first day for a month), by the proleptic
    /// Gregorian calendar (the days-from-civil algorithm of H. Hinnant, "chrono-Compatible
    /// Low-Level Date Algorithms").
    pub fn days(&self) -> i64 {
        let (month, day) = (i64::from(self.month), i64::from(self.day.unwrap_or(1)));
        let year = i64::from(self.year) - i64::from(month <= 2);
        let era = year.div_euclid(400);
        let year_of_era = year - era * 400;
        let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * 146_097 + day_of_era - 719_468
    }
}

/// A numeric date in one token: `12.03.2023`, `12/03/2023`, `12-03-23` (day first, as Romanian
/// and Spanish write it) or `2023-03-12` (ISO 8601).
fn numeric_date(token: &str) -> Option<Date> {
    let mut parts = token.split(['.', '/', '-']);
    let (Some(a), Some(b), Some(c), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return None;
    };
    if ![a, b, c].iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    let (year, month, day) = if a.len() == 4 { (a, b, c) } else { (c, b, a) };
    let year: i32 = match (year.len(), year.parse::<i32>().ok()?) {
        (4, y) => y,
        // Two-digit years: the nearest century to the 2020s.
        (2, y) if y < 50 => 2000 + y,
        (2, y) => 1900 + y,
        _ => return None,
    };
    if day.len() > 2 || month.len() > 2 {
        return None;
    }
    Date::new(year, month.parse().ok()?, Some(day.parse().ok()?))
}

/// An amount of time ("10 zile", "două săptămâni").
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Amount {
    pub value: f64,
    pub unit: TimeUnit,
    /// Said approximately: "aproximativ două săptămâni".
    pub approximate: bool,
}

/// Days in a unit of time: a month is a twelfth of the Julian year (30.4375 days) and a year the
/// Julian year (365.25 days), the conventions of ISO 8601 arithmetic without a calendar.
fn unit_days(unit: TimeUnit) -> f64 {
    match unit {
        TimeUnit::Minute => 1.0 / 1440.0,
        TimeUnit::Hour => 1.0 / 24.0,
        TimeUnit::Day => 1.0,
        TimeUnit::Week => 7.0,
        TimeUnit::Month => 365.25 / 12.0,
        TimeUnit::Year => 365.25,
    }
}

/// The days of an ISO 8601 duration as this module writes them (`-P10D`, `PT48H`, `P2W`,
/// `P0D`): one number and one designator, negative for the past.
pub fn iso_days(iso: &str) -> Option<f64> {
    let (sign, rest) = match iso.strip_prefix('-') {
        Some(rest) => (-1.0, rest),
        None => (1.0, iso),
    };
    let rest = rest.strip_prefix('P')?;
    let (clock, rest) = match rest.strip_prefix('T') {
        Some(rest) => (true, rest),
        None => (false, rest),
    };
    let designator = rest.chars().last()?;
    let value: f64 = rest[..rest.len() - designator.len_utf8()].parse().ok()?;
    let unit = match (clock, designator) {
        (true, 'M') => TimeUnit::Minute,
        (true, 'H') => TimeUnit::Hour,
        (false, 'D') => TimeUnit::Day,
        (false, 'W') => TimeUnit::Week,
        (false, 'M') => TimeUnit::Month,
        (false, 'Y') => TimeUnit::Year,
        _ => return None,
    };
    Some(sign * value * unit_days(unit))
}

/// Where the text says when something happened, relative to presentation.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeExpression {
    /// The tokens of the expression.
    pub tokens: Range<usize>,
    /// When it happened or began, ISO 8601 from presentation: `-P2W`, `P0D`, `P3D`.
    pub start: String,
    /// The same in days, negative before presentation.
    pub day: f64,
    /// For an onset, how long the finding had lasted at presentation (`P2W`).
    pub duration: Option<String>,
    pub approximate: bool,
    /// Counted forward from presentation ("după 3 zile"): it means the stay in hospital, so the
    /// history section, whose clock is the illness before it, does not read it.
    pub forward: bool,
}

impl TimeExpression {
    /// The words of the expression in the text of `doc`.
    pub fn span(&self, doc: &Doc<'_>) -> crate::span::Span {
        doc.tokens[self.tokens.start].span.cover(doc.tokens[self.tokens.end - 1].span)
    }
}

impl Amount {
    /// The amount in days.
    pub fn days(&self) -> f64 {
        self.value * unit_days(self.unit)
    }

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

/// The phrases of `data/ro/time.tsv` that start at each token of a document, longest first,
/// found once: the readers ask at the same token for one kind of phrase after another (a
/// boundary, a month, an anchor, "în urmă cu", "de", …), and each look-up in the phrase index
/// would compare the same candidates again.
struct PhraseTable<'w> {
    /// Per token, where its phrases start in `found`; one more entry closes the last token's.
    first: Vec<u32>,
    /// The phrases of every token in turn, as (length in tokens, what the phrase says).
    found: Vec<(usize, &'w TimeWord)>,
}

impl<'w> PhraseTable<'w> {
    fn new(doc: &'w Doc<'_>, phrases: &'w PhraseIndex<TimeWord>) -> PhraseTable<'w> {
        let count = doc.tokens.len();
        let mut table = PhraseTable { first: Vec::with_capacity(count + 1), found: Vec::new() };
        for at in 0..count {
            table.first.push(table.found.len() as u32);
            table.found.extend(doc.stem_phrases(phrases, at, count));
        }
        table.first.push(table.found.len() as u32);
        table
    }

    /// The phrases that start at token `at` (which must be a token), longest first.
    fn at(&self, at: usize) -> &[(usize, &'w TimeWord)] {
        &self.found[self.first[at] as usize..self.first[at + 1] as usize]
    }
}

/// What the readers need: the document, its token stems and the word tables; for a reader
/// that scans every token, the time phrases of the document found once ([`TimeReader::scanning`]).
pub struct TimeReader<'a, 'd, 't> {
    pub doc: &'d Doc<'t>,
    pub keys: &'a Stems,
    pub words: &'a TimeWords,
    pub numbers: &'a NumberWords,
    /// The phrases at each token; without it, each look-up searches the phrase index.
    table: Option<PhraseTable<'a>>,
}

impl<'a, 'd, 't> TimeReader<'a, 'd, 't> {
    /// A reader that looks phrases up as it is asked: for a caller that reads a few stretches.
    pub fn new(doc: &'d Doc<'t>, words: &'a TimeWords, numbers: &'a NumberWords) -> TimeReader<'a, 'd, 't>
    where
        'd: 'a,
    {
        TimeReader { doc, keys: doc.stems(), words, numbers, table: None }
    }

    /// A reader that finds the phrases of every token first: for a caller that tries the
    /// readers all over the document, where each token is asked for several kinds of phrase.
    pub fn scanning(doc: &'d Doc<'t>, words: &'a TimeWords, numbers: &'a NumberWords) -> TimeReader<'a, 'd, 't>
    where
        'd: 'a,
    {
        TimeReader { table: Some(PhraseTable::new(doc, &words.phrases)), ..TimeReader::new(doc, words, numbers) }
    }
}

impl TimeReader<'_, '_, '_> {
    /// Whether any reader here may find something starting at token `at`: a number (an amount
    /// or a date), a number word, or the first word of a phrase of `data/ro/time.tsv` (by one
    /// bit test of the phrase index's filter of first words). False for most tokens, which a
    /// scan then skips without trying each reader: every reader starts with one of these.
    pub fn may_start(&self, at: usize) -> bool {
        let doc = self.doc;
        match doc.tokens[at].kind {
            TokenKind::Number => true,
            TokenKind::Alnum if doc.token_text(at).as_bytes().first().is_some_and(u8::is_ascii_digit) => true,
            kind => {
                self.words.phrases.may_start(self.keys.hash(at))
                    || (kind == TokenKind::Word && self.numbers.contains_key(doc.plain(at)))
            }
        }
    }

    /// An amount starting at token `at` and ending before `end`: an optional word that makes it
    /// approximate ("aproximativ"), a number (digits or words), an optional "de" ("20 de zile")
    /// and a unit of time. Returns it and the token after it.
    pub fn amount_at(&self, at: usize, end: usize) -> Option<(Amount, usize)> {
        let doc = self.doc;
        let (approximate, at) = match self.phrase_at(at, end, |w| *w == TimeWord::Approximate) {
            Some((len, _)) => (true, at + len),
            None => (false, at),
        };
        if at >= end {
            return None;
        }
        let (value, next) = match doc.tokens[at].kind {
            // Most numbers are no amount of time (doses, lab values): the unit after them
            // refuses them before the number is parsed.
            TokenKind::Number if self.unit_at(at + 1, end).is_none() => return None,
            TokenKind::Number => (numbers::parse(doc.token_text(at), doc.convention)?.value, at + 1),
            // Most words are no number: one look-up refuses them before any list is built.
            TokenKind::Word if self.numbers.get(doc.plain(at)).is_none() => return None,
            TokenKind::Word => {
                let forms: Vec<&str> = (at..end.min(at + 4)).map(|i| doc.plain(i)).collect();
                let (value, used) = numbers::parse_words(&forms, self.numbers)?;
                (value, at + used)
            }
            _ => return None,
        };
        let (unit, after) = self.unit_at(next, end)?;
        Some((Amount { value, unit, approximate }, after))
    }

    /// The unit of time of an amount whose number ends before token `at`, with an optional
    /// "de" before it ("20 de zile"), and the token after it.
    fn unit_at(&self, mut at: usize, end: usize) -> Option<(TimeUnit, usize)> {
        if at < end && self.doc.plain(at) == "de" {
            at += 1;
        }
        let unit = *self.words.units.get(self.keys.get(at).filter(|_| at < end)?)?;
        Some((unit, at + 1))
    }

    /// The longest time phrase at token `at` that `accept` takes and that ends by `end`, as its
    /// length in tokens.
    pub fn phrase_at(&self, at: usize, end: usize, accept: impl Fn(&TimeWord) -> bool) -> Option<(usize, &TimeWord)> {
        match &self.table {
            Some(table) if at < end => {
                table.at(at).iter().copied().find(|&(len, word)| at + len <= end && accept(word))
            }
            Some(_) => None,
            None => self.doc.stem_phrases(&self.words.phrases, at, end).find(|(_, word)| accept(word)),
        }
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

    /// Any time expression starting at token `at`: a time relative to presentation (see
    /// [`relative_at`](Self::relative_at)), an onset ("febră de 3 zile" began `-P3D` and lasted
    /// `P3D`; not after a person word, where "de 47 de ani" is an age), a time after presentation
    /// of at least a day ("după 3 zile", "la 48 de ore"; a shorter one is still day 0, and "la 8
    /// ore" is more often a dosing interval) or an age at onset, which needs the patient's age in
    /// years.
    pub fn expression_at(&self, at: usize, end: usize, age_years: Option<u32>) -> Option<TimeExpression> {
        let expression = |tokens: Range<usize>, start: String, duration: Option<String>, approximate, forward| {
            let day = iso_days(&start)?;
            Some(TimeExpression { tokens, start, day, duration, approximate, forward })
        };
        if let Some((start, tokens)) = self.relative_at(at, end) {
            let approximate = tokens.clone().any(|i| self.phrase_at(i, end, |w| *w == TimeWord::Approximate).is_some());
            return expression(tokens, start, None, approximate, false);
        }
        let (len, word) =
            self.phrase_at(at, end, |w| matches!(w, TimeWord::OnsetOpen | TimeWord::After | TimeWord::AgeAt))?;
        let (amount, after) = self.amount_at(at + len, end)?;
        match word {
            TimeWord::OnsetOpen => {
                let after_person = at > 0 && self.phrase_at(at - 1, at, |w| *w == TimeWord::AgeWord).is_some();
                if after_person {
                    return None;
                }
                let close = self.phrase_at(after, end, |w| *w == TimeWord::OnsetClose).map_or(0, |(len, _)| len);
                let tokens = at..after + close;
                expression(tokens, amount.iso(true), Some(amount.iso(false)), amount.approximate, false)
            }
            TimeWord::After if amount.days() >= 1.0 => {
                expression(at..after, amount.iso(false), None, amount.approximate, true)
            }
            TimeWord::AgeAt if amount.unit == TimeUnit::Year => {
                let age = f64::from(age_years?);
                (amount.value <= age).then_some(())?;
                let ago = Amount { value: age - amount.value, ..amount };
                expression(at..after, ago.iso(true), None, amount.approximate, false)
            }
            _ => None,
        }
    }

    /// A date starting at token `at`: one numeric token ("12.03.2023"), or a month's name with
    /// a four-digit year after it and perhaps a day before it ("12 martie 2023", "martie 2023").
    pub fn date_at(&self, at: usize, end: usize) -> Option<(Date, Range<usize>)> {
        let doc = self.doc;
        let text = doc.token_text(at);
        let numeric = matches!(doc.tokens[at].kind, TokenKind::Number | TokenKind::Alnum)
            && text.as_bytes().first().is_some_and(u8::is_ascii_digit);
        if let Some(date) = numeric.then(|| numeric_date(text)).flatten() {
            return Some((date, at..at + 1));
        }
        let (day, month_at) = match doc.tokens[at].kind {
            TokenKind::Number => (Some(doc.token_text(at).parse::<u8>().ok()?), at + 1),
            _ => (None, at),
        };
        let month = match self.phrase_at(month_at, end, |w| matches!(w, TimeWord::Month(_)))? {
            (1, TimeWord::Month(month)) => *month,
            _ => return None,
        };
        let year_at = month_at + 1;
        let year = (year_at < end).then(|| doc.token_text(year_at)).filter(|y| y.len() == 4)?;
        let year: i32 = year.parse().ok().filter(|y| (1900..=2100).contains(y))?;
        Some((Date::new(year, month, day)?, at..year_at + 1))
    }

    /// Whether a phrase saying the patient presented or was admitted starts at token `at`.
    pub fn presents_at(&self, at: usize, end: usize) -> bool {
        self.phrase_at(at, end, |w| *w == TimeWord::Presents || matches!(w, TimeWord::Anchor(_))).is_some()
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
        let knowledge = engine.knowledge();
        let reader = TimeReader::new(&doc, &knowledge.time_words, &knowledge.number_words);
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
    fn reads_dates_as_romanian_writes_them() {
        let engine = Engine::new().unwrap();
        let knowledge = engine.knowledge();
        let date = |text: &str| {
            let doc = engine.text_layer(text, &Options::default()).unwrap();
            let reader = TimeReader::new(&doc, &knowledge.time_words, &knowledge.number_words);
            let end = doc.tokens.len();
            (0..end).find_map(|i| reader.date_at(i, end)).map(|(d, _)| (d.year, d.month, d.day))
        };
        assert_eq!(date("internat pe 12.03.2023"), Some((2023, 3, Some(12))));
        assert_eq!(date("la 14/03/23"), Some((2023, 3, Some(14))));
        assert_eq!(date("din 2023-03-12"), Some((2023, 3, Some(12))));
        assert_eq!(date("pe 5 martie 2023"), Some((2023, 3, Some(5))));
        assert_eq!(date("în mai 2021"), Some((2021, 5, None)));
        assert_eq!(date("mai mult de 2 zile"), None, "\"mai\" alone is not May");
        assert_eq!(date("30.02.2023"), None, "February has no 30th");
        assert_eq!(date("leucocite 1.234.567"), None);
    }

    #[test]
    fn counts_days_across_months_and_leap_years() {
        let day = |y, m, d| Date::new(y, m, Some(d)).unwrap().days();
        assert_eq!(day(1970, 1, 1), 0);
        assert_eq!(day(2024, 3, 1) - day(2024, 2, 28), 2, "2024 is a leap year");
        assert_eq!(day(2023, 3, 1) - day(2023, 2, 28), 1);
        assert_eq!(day(2000, 3, 1) - day(2000, 2, 28), 2, "2000 is a leap year");
        assert_eq!(day(2023, 3, 12) - day(2023, 3, 2), 10);
    }

    #[test]
    fn an_amount_alone_is_not_a_time_relative_to_presentation() {
        assert_eq!(read("febră de 10 zile"), (None, None));
        assert_eq!(read("cu 10 mg"), (None, None));
    }

    /// The phrase table of a scanning reader is a cache: every reader finds with it what it
    /// finds by looking the phrases up, at every token and for every end of a stretch.
    #[test]
    fn a_scanning_reader_reads_what_a_plain_reader_reads() {
        let engine = Engine::new().unwrap();
        let knowledge = engine.knowledge();
        let dev = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus/dev");
        let mut texts: Vec<String> = std::fs::read_dir(dev)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "txt"))
            .map(|p| std::fs::read_to_string(p).unwrap())
            .collect();
        texts.push("Bărbat de 47 de ani, diagnosticat la vârsta de 30 de ani, cu febră de aproximativ 3 zile.".into());
        for text in &texts {
            let doc = engine.text_layer(text, &Options::default()).unwrap();
            let plain = TimeReader::new(&doc, &knowledge.time_words, &knowledge.number_words);
            let scanning = TimeReader::scanning(&doc, &knowledge.time_words, &knowledge.number_words);
            let count = doc.tokens.len();
            for at in 0..count {
                assert_eq!(plain.may_start(at), scanning.may_start(at));
                for end in [at, at + 1, at + 2, at + 6, count].map(|end| end.min(count)) {
                    let any = |_: &TimeWord| true;
                    assert_eq!(plain.phrase_at(at, end, any), scanning.phrase_at(at, end, any), "{at}..{end}");
                    assert_eq!(plain.expression_at(at, end, Some(47)), scanning.expression_at(at, end, Some(47)));
                    assert_eq!(plain.date_at(at, end), scanning.date_at(at, end));
                    assert_eq!(plain.duration_at(at, end), scanning.duration_at(at, end));
                }
            }
        }
    }
}
