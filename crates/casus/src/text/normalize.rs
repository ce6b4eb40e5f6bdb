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
/// map.
struct ViewBuilder {
    text: Vec<u8>,
    from_original: Vec<u32>,
}

impl ViewBuilder {
    fn with_capacity(n: usize) -> ViewBuilder {
        ViewBuilder { text: Vec::with_capacity(n), from_original: Vec::with_capacity(n + 1) }
    }

    /// Appends a run of ASCII bytes of the original, each its own cluster, lower-cased.
    fn push_ascii(&mut self, run: &[u8]) {
        self.push_offsets(run.len());
        // A copy, then lower-casing in place: two loops that the compiler vectorizes.
        let start = self.text.len();
        self.text.extend_from_slice(run);
        self.text[start..].make_ascii_lowercase();
    }

    /// The map of `n` one-byte clusters: it counts up.
    /// Extending from a range writes each slot once (no zeroing first), in a loop the compiler
    /// vectorizes.
    fn push_offsets(&mut self, n: usize) {
        let (base, n) = (self.text.len() as u32, n as u32);
        self.from_original.extend(base..base + n);
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
        let mut view = ViewBuilder::with_capacity(n);
        let mut at = 0;
        let mut cluster_buf = String::new();
        while at < n {
            // Fast path: a run of ASCII bytes, each its own cluster, is copied lower-cased in bulk.
            let run = ascii_run(text, at);
            if run > 0 {
                view.push_ascii(&text.as_bytes()[at..at + run]);
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

/// The length of the run of ASCII bytes at `at` that are whole clusters: all of them, but for
/// a last one that a combining mark follows.
fn ascii_run(text: &str, at: usize) -> usize {
    let bytes = &text.as_bytes()[at..];
    let run = ascii_prefix_len(bytes);
    if run == bytes.len() || run == 0 {
        return run;
    }
    if !mark_at(text, at + run) {
        run
    } else {
        run - 1
    }
}

/// The length of the leading run of ASCII bytes of `bytes`, found eight bytes at a time: a
/// word of eight ASCII bytes has no high bit set, and the lowest high bit of a little-endian
/// word marks its first byte beyond ASCII. Runs of ASCII are most of the text.
fn ascii_prefix_len(bytes: &[u8]) -> usize {
    const HIGH_BITS: u64 = 0x8080_8080_8080_8080;
    let mut words = bytes.chunks_exact(8);
    let mut len = 0;
    for word in &mut words {
        let high = u64::from_le_bytes(word.try_into().expect("eight bytes")) & HIGH_BITS;
        if high != 0 {
            return len + high.trailing_zeros() as usize / 8;
        }
        len += 8;
    }
    let rest = words.remainder();
    len + rest.iter().position(|b| !b.is_ascii()).unwrap_or(rest.len())
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
///
/// Ă ă are C4 82/83, Â â C3 82/A2, Î î C3 8E/AE, Ș ș C8 98/99, Ț ț C8 9A/9B, and the cedilla
/// spellings Ş ş C5 9E/9F, Ţ ţ C5 A2/A3.
pub(crate) fn romanian_letter_forms(bytes: &[u8]) -> Option<(char, char)> {
    match bytes {
        [0xC4, 0x82 | 0x83, ..] => Some(('ă', 'a')),
        [0xC3, 0x82 | 0xA2, ..] => Some(('â', 'a')),
        [0xC3, 0x8E | 0xAE, ..] => Some(('î', 'i')),
        [0xC8, 0x98 | 0x99, ..] | [0xC5, 0x9E | 0x9F, ..] => Some(('ș', 's')),
        [0xC8, 0x9A | 0x9B, ..] | [0xC5, 0xA2 | 0xA3, ..] => Some(('ț', 't')),
        _ => None,
    }
}

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
    fn ascii_runs_are_found_word_by_word_as_byte_by_byte() {
        let text = "abcdefgh ijklmnop qrstuvwx yzăâîșț abcdefghijklmnopqrstuvwxyz î";
        for at in 0..text.len() {
            let bytes = &text.as_bytes()[at..];
            let expected = bytes.iter().position(|b| !b.is_ascii()).unwrap_or(bytes.len());
            assert_eq!(ascii_prefix_len(bytes), expected, "{at}");
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
