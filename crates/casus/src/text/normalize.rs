//! Matching views of the text: the same document folded for comparison, with an exact map back.
//!
//! Two views, each built in one pass over the original text (the folded one only on demand):
//!
//! - **folded**: NFC, cedilla letters ş ţ Ş Ţ replaced by the comma-below letters ș ț Ș Ț that
//!   Romanian orthography prescribes, then lower-cased;
//! - **plain**: the folded view with diacritics removed (ă â → a, î → i, ș → s, ț → t, and any
//!   other Latin letter whose canonical decomposition is a base letter and combining marks).
//!
//! Folding works cluster by cluster: a *cluster* is one character of canonical combining class 0
//! followed by any combining marks. A cluster may grow (`İ` lower-cases to two chars) or shrink
//! (`a` + U+0306 composes to `ă`); every original byte offset remembers where its cluster starts
//! in the view, and the way back (the original cluster of a view byte) is a binary search in that
//! same map. Both directions are exact, so a match found in a view always has a span in the
//! original.

use std::cell::OnceCell;

use unicode_normalization::char::{canonical_combining_class, decompose_canonical};
use unicode_normalization::UnicodeNormalization;

use crate::span::Span;
use crate::text::swar;

/// One folded view of the original text.
///
/// Clusters tile the original text in order and each has at least one view byte, so the map
/// from original offsets to view offsets is non-decreasing and also answers the way back: the
/// view keeps that one map, which every stage reads (a token's view text), and finds an original
/// span by binary search in it, which only a caller mapping a view match back needs.
#[derive(Debug, Clone, Default)]
pub struct View {
    text: String,
    /// For each original byte offset `0..=len`, the view offset where its cluster starts
    /// (offsets inside a cluster point at the cluster's start).
    from_original: Vec<u32>,
}

impl View {
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The original span of a view range `[start, end)` (view byte offsets).
    ///
    /// An empty view range maps to the empty span at the cluster where it sits.
    pub fn to_original(&self, start: usize, end: usize) -> Span {
        debug_assert!(start <= end && end <= self.text.len());
        if start == end {
            let at = if start < self.text.len() { self.cluster_start(start) } else { self.original_len() };
            return Span::new(at, at);
        }
        Span::new(self.cluster_start(start), self.cluster_end(end - 1))
    }

    /// The original offset where the cluster of view byte `i` starts.
    fn cluster_start(&self, i: usize) -> usize {
        let view_start = self.from_original[self.cluster_end(i) - 1];
        self.from_original.partition_point(|&v| v < view_start)
    }

    /// The original end of the cluster of view byte `i`: where the next cluster starts, the
    /// first original offset that maps past `i` (the final offset maps to the view's end).
    fn cluster_end(&self, i: usize) -> usize {
        self.from_original.partition_point(|&v| v as usize <= i)
    }

    /// The view range that an original span covers, as view byte offsets.
    #[inline]
    pub fn from_original(&self, span: Span) -> (usize, usize) {
        (self.from_original[span.start] as usize, self.from_original[span.end] as usize)
    }

    /// The view text of an original span.
    #[inline]
    pub fn slice(&self, span: Span) -> &str {
        let (start, end) = self.from_original(span);
        &self.text[start..end]
    }

    /// The view bytes of an original span: [`slice`](Self::slice) without the checks that the
    /// range falls on char boundaries, for hashing.
    #[inline]
    pub fn slice_bytes(&self, span: Span) -> &[u8] {
        let (start, end) = self.from_original(span);
        &self.text.as_bytes()[start..end]
    }

    fn original_len(&self) -> usize {
        self.from_original.len() - 1
    }
}

/// A view under construction: its text as bytes (checked as UTF-8 once, when it is done) and its
/// map. Both have room for eight bytes past the original's length, which
/// [`push_ascii`](Self::push_ascii) writes before it cuts back.
struct ViewBuilder {
    text: Vec<u8>,
    from_original: Vec<u32>,
}

impl ViewBuilder {
    /// A builder for an original text of `n` bytes.
    fn new(n: usize) -> ViewBuilder {
        ViewBuilder { text: Vec::with_capacity(n + 8), from_original: Vec::with_capacity(n + 8) }
    }

    /// Appends the first `n` bytes of `word` (eight bytes of the original, [`swar::load`]), all
    /// ASCII, each its own cluster, lower-cased.
    #[inline(always)]
    fn push_ascii(&mut self, word: u64, n: usize) {
        // All eight go in, then the vectors are cut back to `n`: copies of a fixed length, which
        // compile to a few stores.
        let base = self.text.len() as u32;
        let offsets = [0, 1, 2, 3, 4, 5, 6, 7].map(|i| base + i);
        let map_len = self.from_original.len();
        self.from_original.extend_from_slice(&offsets);
        self.from_original.truncate(map_len + n);
        self.text.extend_from_slice(&swar::to_lower(word).to_le_bytes());
        self.text.truncate(base as usize + n);
    }

    /// Appends one char to the cluster opened last.
    #[inline]
    fn push_char(&mut self, ch: char) {
        // An ASCII char (the plain form of a Romanian letter) is one byte, pushed as such.
        if ch.is_ascii() {
            self.text.push(ch as u8);
        } else {
            self.text.extend_from_slice(ch.encode_utf8(&mut [0; 4]).as_bytes());
        }
    }

    /// Appends a cluster of two original bytes (a Romanian letter) whose view is `ch`.
    #[inline]
    fn push_two_byte_cluster(&mut self, ch: char) {
        let start = self.text.len() as u32;
        self.from_original.extend_from_slice(&[start, start]);
        self.push_char(ch);
    }

    /// Marks the original bytes `at..end` as one cluster that starts here in the view.
    fn open_cluster(&mut self, at: usize, end: usize) {
        let start = self.text.len() as u32;
        self.from_original.extend(std::iter::repeat_n(start, end - at));
    }

    /// The view, its map closed by the offset of the view's end.
    fn finish(mut self) -> View {
        self.from_original.push(self.text.len() as u32);
        // Whole chars and ASCII bytes went in: the text is valid UTF-8, which this checks (a
        // pass over the text that mostly reads it a word at a time).
        let text = String::from_utf8(self.text).expect("a view is made of whole chars");
        View { text, from_original: self.from_original }
    }
}

/// Whether `ch` is a combining mark. No char below U+0300 is: a test that spares the table
/// look-up for almost all text.
fn is_mark(ch: char) -> bool {
    ch >= '\u{300}' && canonical_combining_class(ch) != 0
}

/// The matching views of one document: the plain view, built with the document, and the folded
/// view, built the first time it is asked for (no stage of the pipeline reads it: it is there for
/// users of the library who want the text case-folded with its diacritics).
#[derive(Debug, Clone, Default)]
pub struct Views {
    pub plain: View,
    folded: OnceCell<View>,
}

/// Replaces the cedilla letters that legacy Romanian encodings produce with the comma-below
/// letters of the standard orthography.
pub fn comma_below(ch: char) -> char {
    match ch {
        'ş' => 'ș',
        'ţ' => 'ț',
        'Ş' => 'Ș',
        'Ţ' => 'Ț',
        other => other,
    }
}

/// Calls `emit` with each char of `ch` with its diacritics removed.
fn strip_diacritics(ch: char, mut emit: impl FnMut(char)) {
    // The Romanian letters first: they are most of the non-ASCII text casus reads.
    let romanian = match ch {
        'ă' | 'â' => Some('a'),
        'î' => Some('i'),
        'ș' => Some('s'),
        'ț' => Some('t'),
        _ if ch.is_ascii() => Some(ch),
        _ => None,
    };
    if let Some(base) = romanian {
        emit(base);
        return;
    }
    let mut kept = false;
    let mut base = ['\0'; 4];
    let mut n = 0;
    decompose_canonical(ch, |part| {
        if canonical_combining_class(part) == 0 && n < base.len() {
            base[n] = part;
            n += 1;
        }
        kept = true;
    });
    if !kept {
        emit(ch);
    }
    base[..n].iter().copied().for_each(emit);
}

/// Which view a pass over the text builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    Folded,
    Plain,
}

impl Views {
    /// Builds the plain view of `text`.
    pub fn new(text: &str) -> Views {
        Views { plain: View::build(text, Form::Plain), folded: OnceCell::new() }
    }

    /// The folded view of `text`, which must be the text these views were built from.
    pub fn folded(&self, text: &str) -> &View {
        debug_assert_eq!(self.plain.from_original.len(), text.len() + 1, "the views of another text");
        self.folded.get_or_init(|| View::build(text, Form::Folded))
    }
}

impl View {
    /// One view of `text`, in one pass, cluster by cluster.
    fn build(text: &str, form: Form) -> View {
        let n = text.len();
        let mut view = ViewBuilder::new(n);
        let mut at = 0;
        let mut cluster_buf = String::new();
        while at < n {
            // Fast path: the ASCII bytes among the next eight, each its own cluster, lower-cased
            // together; a combining mark after them takes the last into its own cluster.
            let word = swar::load(text.as_bytes(), at);
            let ascii = swar::first(swar::high(word)).min(n - at);
            let run = if ascii > 0 && mark_at(text, at + ascii) { ascii - 1 } else { ascii };
            if run > 0 {
                view.push_ascii(word, run);
                at += run;
                continue;
            }
            // Fast path: a Romanian letter that carries no further combining mark.
            if let Some((lower, base)) = romanian_letter(text, at) {
                view.push_two_byte_cluster(if form == Form::Folded { lower } else { base });
                at += 2;
                continue;
            }
            let end = cluster_end(text, at);
            let cluster = &text[at..end];
            view.open_cluster(at, end);
            cluster_buf.clear();
            if cluster.chars().nth(1).is_none() {
                cluster_buf.push_str(cluster);
            } else {
                cluster_buf.extend(cluster.nfc());
            }
            let before = view.text.len();
            for ch in cluster_buf.chars().map(comma_below) {
                for lower in ch.to_lowercase() {
                    match form {
                        Form::Folded => view.push_char(lower),
                        Form::Plain => strip_diacritics(lower, |c| view.push_char(c)),
                    }
                }
            }
            // A stray combining mark (no base letter before it) is kept as it is, so that every
            // cluster has text in the view and the maps stay total.
            if view.text.len() == before {
                cluster_buf.chars().for_each(|c| view.push_char(c));
            }
            at = end;
        }
        let view = view.finish();
        debug_assert_eq!(view.from_original.len(), n + 1);
        view
    }
}

/// Whether a combining mark starts at byte `at` (a char boundary) of `text`. Every char below
/// U+0300 (ASCII, the Romanian letters) has a first byte below 0xCC: only others are decoded.
fn mark_at(text: &str, at: usize) -> bool {
    match text.as_bytes().get(at) {
        Some(&b) if b >= 0xCC => text[at..].chars().next().is_some_and(is_mark),
        _ => false,
    }
}

/// A Romanian letter at `at` (either spelling; two bytes long) not followed by a combining
/// mark: its folded form and its plain form.
fn romanian_letter(text: &str, at: usize) -> Option<(char, char)> {
    let forms = romanian_letter_forms(&text.as_bytes()[at..])?;
    (!mark_at(text, at + 2)).then_some(forms)
}

/// The Romanian letter (ă â î ș ț, either case, ș ț in either spelling) that `bytes` starts
/// with, told by its two bytes of UTF-8 without decoding: its folded form and its plain form.
#[inline(always)]
pub(crate) fn romanian_letter_forms(bytes: &[u8]) -> Option<(char, char)> {
    let &[lead, second, ..] = bytes else {
        return None;
    };
    // One table look-up, not a branch per letter: the letters' lead bytes are C3–C8, their
    // second bytes continuation bytes (80–BF).
    let row = ROMANIAN_LETTERS.get(usize::from(lead.wrapping_sub(0xC3)))?;
    let letter = *row.get(usize::from(second.wrapping_sub(0x80)))?;
    ROMANIAN_FORMS.get(usize::from(letter).checked_sub(1)?).copied()
}

/// The folded and plain forms of the Romanian letters, numbered from 1 in [`ROMANIAN_LETTERS`].
const ROMANIAN_FORMS: [(char, char); 5] = [('ă', 'a'), ('â', 'a'), ('î', 'i'), ('ș', 's'), ('ț', 't')];

/// The Romanian letter of each two-byte UTF-8 sequence with a lead byte C3–C8 (the row) and a
/// second byte 80–BF (the column): its number in [`ROMANIAN_FORMS`], 0 for none.
///
/// Ă ă are C4 82/83, Â â C3 82/A2, Î î C3 8E/AE, Ș ș C8 98/99, Ț ț C8 9A/9B, and the cedilla
/// spellings Ş ş C5 9E/9F, Ţ ţ C5 A2/A3.
static ROMANIAN_LETTERS: [[u8; 64]; 6] = {
    let mut table = [[0; 64]; 6];
    let letters: [(u8, u8, u8); 14] = [
        (0xC4, 0x82, 1),
        (0xC4, 0x83, 1),
        (0xC3, 0x82, 2),
        (0xC3, 0xA2, 2),
        (0xC3, 0x8E, 3),
        (0xC3, 0xAE, 3),
        (0xC8, 0x98, 4),
        (0xC8, 0x99, 4),
        (0xC5, 0x9E, 4),
        (0xC5, 0x9F, 4),
        (0xC8, 0x9A, 5),
        (0xC8, 0x9B, 5),
        (0xC5, 0xA2, 5),
        (0xC5, 0xA3, 5),
    ];
    let mut i = 0;
    while i < letters.len() {
        let (lead, second, letter) = letters[i];
        table[(lead - 0xC3) as usize][(second - 0x80) as usize] = letter;
        i += 1;
    }
    table
};

/// The end of the cluster that starts at `start`: the first following char of combining class 0.
fn cluster_end(text: &str, start: usize) -> usize {
    let mut chars = text[start..].char_indices();
    chars.next();
    for (offset, ch) in chars {
        if !is_mark(ch) {
            return start + offset;
        }
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_cedilla_and_diacritics() {
        let text = "Şoc SEPTIC, Ţesut înţepat";
        let views = Views::new(text);
        assert_eq!(views.folded(text).as_str(), "șoc septic, țesut înțepat");
        assert_eq!(views.plain.as_str(), "soc septic, tesut intepat");
    }

    #[test]
    fn composes_decomposed_letters() {
        // "a" + combining breve, "s" + combining comma below.
        let text = "pa\u{0306}s\u{0326}";
        let views = Views::new(text);
        assert_eq!(views.folded(text).as_str(), "păș");
        assert_eq!(views.plain.as_str(), "pas");
        // The composed "ă" maps back to the two original chars.
        let span = views.folded(text).to_original(1, 1 + 'ă'.len_utf8());
        assert_eq!(&text[span.range()], "a\u{0306}");
    }

    #[test]
    fn maps_matches_back_to_the_original_spelling() {
        let text = "Dureri ABDOMINALE şi lombare";
        let views = Views::new(text);
        let at = views.plain.as_str().find("abdominale si").unwrap();
        let span = views.plain.to_original(at, at + "abdominale si".len());
        assert_eq!(&text[span.range()], "ABDOMINALE şi");
        assert_eq!(views.plain.slice(span), "abdominale si");
    }

    #[test]
    fn romanian_letters_are_told_by_their_bytes_as_by_their_chars() {
        // Every char of two bytes in UTF-8: the forms found from its bytes are its folded and
        // plain views.
        for ch in '\u{80}'..='\u{7FF}' {
            let text = ch.to_string();
            let expected = match ch {
                'ă' | 'Ă' | 'â' | 'Â' | 'î' | 'Î' | 'ș' | 'Ș' | 'ş' | 'Ş' | 'ț' | 'Ț' | 'ţ' | 'Ţ' => {
                    let views = Views::new(&text);
                    let folded = views.folded(&text).as_str().chars().next();
                    let plain = views.plain.as_str().chars().next();
                    folded.zip(plain)
                }
                _ => None,
            };
            assert_eq!(romanian_letter_forms(text.as_bytes()), expected, "{ch:?}");
        }
    }

    #[test]
    fn views_of_every_suffix_fold_char_by_char() {
        // Every suffix starts the eight-byte copies at another byte: each of its chars (a cluster
        // of its own here) must have the plain form it has alone.
        fn plain_of(ch: char) -> String {
            let mut plain = String::new();
            comma_below(ch).to_lowercase().for_each(|lower| strip_diacritics(lower, |c| plain.push(c)));
            plain
        }
        let text = "Pacienta ÎN VÂRSTĂ de 47 ANI, cu ŞOC și Ţesut; TA=80/50 mmHg, ÆØ Ärzte œdem.";
        for (at, _) in text.char_indices() {
            let suffix = &text[at..];
            let views = Views::new(suffix);
            assert_eq!(views.plain.as_str(), suffix.chars().map(plain_of).collect::<String>(), "{at}");
            for (i, ch) in suffix.char_indices() {
                assert_eq!(views.plain.slice(Span::new(i, i + ch.len_utf8())), plain_of(ch), "{at} {i}");
            }
        }
    }

    #[test]
    fn growing_lowercase_maps_to_the_whole_char() {
        let text = "İleus";
        let views = Views::new(text);
        assert_eq!(views.plain.as_str(), "ileus");
        let span = views.plain.to_original(0, 1);
        assert_eq!(&text[span.range()], "İ");
    }
}
