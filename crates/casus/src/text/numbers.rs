//! Numbers as clinicians write them.
//!
//! Romanian and Spanish write a decimal comma and a thousands dot (`9,9`, `27.400`, `1.234,5`);
//! English the reverse (`9.9`, `27,400`). Most forms tell their convention by shape alone: a
//! separator followed by other than three digits, or after a lone leading zero, is a decimal mark;
//! a separator repeated, or both separators together, are thousands then decimal. The one
//! ambiguous shape is a single separator followed by exactly three digits (`27.400`, `1,234`):
//! it is read by the document's convention, decided from its unambiguous forms, and flagged
//! ambiguous when the document shows no convention, or shows both.

use crate::text::tokenize::number_prefix;

/// Which character marks decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecimalMark {
    Comma,
    Dot,
}

impl DecimalMark {
    fn char(self) -> char {
        match self {
            DecimalMark::Comma => ',',
            DecimalMark::Dot => '.',
        }
    }
}

/// A document's number convention.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Convention {
    pub decimal: DecimalMark,
    /// The document's own unambiguous numbers show this convention, and only this one.
    pub evidenced: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparator {
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

impl Comparator {
    /// The comparator as the contract writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Comparator::Less => "<",
            Comparator::LessOrEqual => "<=",
            Comparator::Greater => ">",
            Comparator::GreaterOrEqual => ">=",
        }
    }
}

/// A number read from the text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Number {
    pub value: f64,
    pub comparator: Option<Comparator>,
    /// The shape allowed two readings and the document did not settle which.
    pub ambiguous: bool,
}

/// What a form's shape says about the decimal mark, if anything.
fn shape_evidence(digits: &str) -> Option<DecimalMark> {
    let commas = digits.bytes().filter(|&b| b == b',').count();
    let dots = digits.bytes().filter(|&b| b == b'.').count();
    match (commas, dots) {
        (0, 0) => None,
        (c, d) if c > 0 && d > 0 => {
            // The last separator is the decimal mark.
            let last = digits.rfind([',', '.']).map(|at| digits.as_bytes()[at]);
            Some(if last == Some(b',') { DecimalMark::Comma } else { DecimalMark::Dot })
        }
        (c, d) if c + d > 1 => {
            // Repeated: thousands separator, so the other mark is the decimal one.
            Some(if c > 0 { DecimalMark::Dot } else { DecimalMark::Comma })
        }
        _ => {
            let at = digits.find([',', '.']).unwrap();
            let mark = if digits.as_bytes()[at] == b',' { DecimalMark::Comma } else { DecimalMark::Dot };
            let after = digits.len() - at - 1;
            if after != 3 || &digits[..at] == "0" {
                Some(mark)
            } else {
                None
            }
        }
    }
}

/// Splits a comparator off a numeric form.
fn split_comparator(form: &str) -> (Option<Comparator>, &str) {
    // Only `<`, `>` and the first byte of `≤` `≥` open a comparator: most forms are refused here.
    if !matches!(form.as_bytes().first(), Some(b'<' | b'>' | 0xE2)) {
        return (None, form);
    }
    for (prefix, comparator) in [
        ("<=", Comparator::LessOrEqual),
        (">=", Comparator::GreaterOrEqual),
        ("≤", Comparator::LessOrEqual),
        ("≥", Comparator::GreaterOrEqual),
        ("<", Comparator::Less),
        (">", Comparator::Greater),
    ] {
        if let Some(rest) = form.strip_prefix(prefix) {
            return (Some(comparator), rest);
        }
    }
    (None, form)
}

/// Decides a document's convention from its numeric forms.
pub fn detect<'a>(forms: impl IntoIterator<Item = &'a str>, default: DecimalMark) -> Convention {
    let (mut comma, mut dot) = (0usize, 0usize);
    for form in forms {
        let (_, rest) = split_comparator(form);
        let digits = &rest[..number_prefix(rest)];
        match shape_evidence(digits) {
            Some(DecimalMark::Comma) => comma += 1,
            Some(DecimalMark::Dot) => dot += 1,
            None => {}
        }
    }
    match (comma, dot) {
        (0, 0) => Convention { decimal: default, evidenced: false },
        (_, 0) => Convention { decimal: DecimalMark::Comma, evidenced: true },
        (0, _) => Convention { decimal: DecimalMark::Dot, evidenced: true },
        (c, d) => Convention { decimal: if c >= d { DecimalMark::Comma } else { DecimalMark::Dot }, evidenced: false },
    }
}

/// Reads the number at the start of `form` (`27.400` of `27.400/mm3`) under `convention`. Only a
/// convention that is not evidenced leaves a number ambiguous.
pub fn parse(form: &str, convention: Convention) -> Option<Number> {
    let (comparator, rest) = split_comparator(form);
    let digits = &rest[..number_prefix(rest)];
    if digits.is_empty() {
        return None;
    }
    let (decimal, ambiguous) = match shape_evidence(digits) {
        Some(mark) => (mark, false),
        None if digits.contains([',', '.']) => (convention.decimal, !convention.evidenced),
        None => (convention.decimal, false),
    };
    // A whole number of up to 15 digits (most of them) is exact as an integer, and cheaper.
    if digits.len() <= 15 && digits.bytes().all(|b| b.is_ascii_digit()) {
        let value = digits.parse::<u64>().ok()? as f64;
        return Some(Number { value, comparator, ambiguous });
    }
    let mut plain = String::with_capacity(digits.len());
    for ch in digits.chars() {
        if ch == decimal.char() {
            plain.push('.');
        } else if ch.is_ascii_digit() {
            plain.push(ch);
        }
    }
    let value: f64 = plain.parse().ok()?;
    Some(Number { value, comparator, ambiguous })
}

/// Reads a number written in words at the start of `words` (plain forms), with the table of
/// number words: `patruzeci și șapte` → 47, `două` → 2, `trei sute` → 300. Returns the value
/// and how many words it used.
pub fn parse_words(words: &[&str], table: &crate::knowledge::NumberWords) -> Option<(f64, usize)> {
    use crate::knowledge::NumberWordKind as Kind;
    let kind_at = |i: usize| words.get(i).and_then(|w| table.get(*w)).copied();
    let mut i = 0;
    let mut total = 0.0;
    // Hundreds: "o sută", "trei sute".
    if let (Some((n, Kind::Unit)), Some((_, Kind::Hundred))) = (kind_at(0), kind_at(1)) {
        total += n * 100.0;
        i = 2;
    }
    match kind_at(i) {
        Some((n, Kind::Ten)) => {
            total += n;
            i += 1;
            if words.get(i) == Some(&"si") {
                if let Some((u, Kind::Unit)) = kind_at(i + 1) {
                    total += u;
                    i += 2;
                }
            }
        }
        Some((n, Kind::Teen | Kind::Unit)) => {
            total += n;
            i += 1;
        }
        _ => {}
    }
    (i > 0).then_some((total, i))
}

#[cfg(test)]
mod tests {
    use super::*;

    const RO: Convention = Convention { decimal: DecimalMark::Comma, evidenced: true };
    const EN: Convention = Convention { decimal: DecimalMark::Dot, evidenced: true };
    const UNKNOWN: Convention = Convention { decimal: DecimalMark::Comma, evidenced: false };

    fn value(form: &str, convention: Convention) -> (f64, bool) {
        let n = parse(form, convention).unwrap();
        (n.value, n.ambiguous)
    }

    #[test]
    fn reads_romanian_forms() {
        assert_eq!(value("27.400", RO), (27400.0, false));
        assert_eq!(value("9,9", RO), (9.9, false));
        assert_eq!(value("1.234,5", RO), (1234.5, false));
        assert_eq!(value("0,80", RO), (0.8, false));
        assert_eq!(value("1.234.567", RO), (1234567.0, false));
    }

    #[test]
    fn reads_english_forms() {
        assert_eq!(value("27,400", EN), (27400.0, false));
        assert_eq!(value("9.9", EN), (9.9, false));
        assert_eq!(value("1,234.5", EN), (1234.5, false));
    }

    #[test]
    fn shape_wins_over_the_document_convention() {
        // "9.9" cannot be a thousands dot, whatever the document does elsewhere.
        assert_eq!(value("9.9", RO), (9.9, false));
        assert_eq!(value("0.800", RO), (0.8, false));
    }

    #[test]
    fn ambiguous_forms_are_flagged_when_the_document_does_not_settle_them() {
        assert_eq!(value("27.400", UNKNOWN), (27400.0, true));
        assert_eq!(value("27,400", UNKNOWN), (27.4, true));
        assert_eq!(value("274", UNKNOWN), (274.0, false));
    }

    #[test]
    fn comparators_are_kept() {
        let n = parse(">38", RO).unwrap();
        assert_eq!((n.value, n.comparator), (38.0, Some(Comparator::Greater)));
        assert_eq!(parse("≤0,5", RO).unwrap().comparator, Some(Comparator::LessOrEqual));
    }

    #[test]
    fn reads_number_words() {
        let knowledge = crate::knowledge::Knowledge::embedded().unwrap();
        let words = |text: &str| {
            let forms: Vec<String> =
                text.split(' ').map(|w| crate::text::normalize::Views::new(w).plain.as_str().to_owned()).collect();
            let refs: Vec<&str> = forms.iter().map(String::as_str).collect();
            parse_words(&refs, &knowledge.number_words)
        };
        assert_eq!(words("patruzeci și șapte"), Some((47.0, 3)));
        assert_eq!(words("două săptămâni"), Some((2.0, 1)));
        assert_eq!(words("trei sute"), Some((300.0, 2)));
        assert_eq!(words("unsprezece"), Some((11.0, 1)));
        assert_eq!(words("pacient"), None);
    }

    #[test]
    fn the_convention_comes_from_unambiguous_forms() {
        assert_eq!(detect(["27.400", "9,9", "0,80"], DecimalMark::Dot), RO);
        assert_eq!(detect(["27,400", "9.9"], DecimalMark::Comma), EN);
        assert_eq!(detect(["27.400", "109"], DecimalMark::Comma), UNKNOWN);
        assert!(!detect(["9,9", "9.9"], DecimalMark::Comma).evidenced);
    }
}
