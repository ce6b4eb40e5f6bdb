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
    fn with_capacity(n: usize) -> View {
        View { text: String::with_capacity(n), from_original: Vec::with_capacity(n + 1) }
    }

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

    fn original_len(&self) -> usize {
        self.from_original.len() - 1
    }

    /// Appends a run of ASCII bytes of the original, each its own cluster, lower-cased.
    fn push_ascii(&mut self, run: &str) {
        let base = self.text.len();
        self.push_offsets(run.len());
        self.text.push_str(run);
        self.text[base..].make_ascii_lowercase();
    }

    /// The map of `n` one-byte clusters: it counts up.
    /// Extending from a range writes each slot once (no zeroing first), in a loop the compiler
    /// vectorizes.
    fn push_offsets(&mut self, n: usize) {
        let (base, n) = (self.text.len() as u32, n as u32);
        self.from_original.extend(base..base + n);
    }

    /// Appends one char to the cluster opened last.
    fn push_char(&mut self, ch: char) {
        self.text.push(ch);
    }

    /// Marks the original bytes `at..end` as one cluster that starts here in the view.
    fn open_cluster(&mut self, at: usize, end: usize) {
        let start = self.text.len() as u32;
        self.from_original.extend(std::iter::repeat_n(start, end - at));
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
        let mut view = View::with_capacity(n);
        let mut at = 0;
        let mut cluster_buf = String::new();
        while at < n {
            // Fast path: a run of ASCII bytes, each its own cluster, is copied lower-cased in bulk.
            let run = ascii_run(text, at);
            if run > 0 {
                view.push_ascii(&text[at..at + run]);
                at += run;
                continue;
            }
            // Fast path: a Romanian letter that carries no further combining mark.
            if let Some((lower, base, len)) = romanian_letter(text, at) {
                view.open_cluster(at, at + len);
                view.push_char(if form == Form::Folded { lower } else { base });
                at += len;
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
        view.from_original.push(view.text.len() as u32);
        debug_assert_eq!(view.from_original.len(), n + 1);
        view
    }
}

/// The length of the run of ASCII bytes at `at` that are whole clusters: all of them, but for
/// a last one that a combining mark follows.
fn ascii_run(text: &str, at: usize) -> usize {
    let bytes = &text.as_bytes()[at..];
    let run = bytes.iter().position(|b| !b.is_ascii()).unwrap_or(bytes.len());
    if run == bytes.len() || run == 0 {
        return run;
    }
    if !mark_at(text, at + run) {
        run
    } else {
        run - 1
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

/// A Romanian letter at `at` (either spelling) not followed by a combining mark: its folded
/// form, its plain form and its length in bytes.
fn romanian_letter(text: &str, at: usize) -> Option<(char, char, usize)> {
    // Each of these letters is two bytes long, led by 0xC3, 0xC4, 0xC5 or 0xC8.
    if !matches!(text.as_bytes().get(at), Some(0xC3..=0xC5 | 0xC8)) {
        return None;
    }
    let ch = text[at..].chars().next()?;
    let (lower, base) = match ch {
        'ă' | 'Ă' => ('ă', 'a'),
        'â' | 'Â' => ('â', 'a'),
        'î' | 'Î' => ('î', 'i'),
        'ș' | 'Ș' | 'ş' | 'Ş' => ('ș', 's'),
        'ț' | 'Ț' | 'ţ' | 'Ţ' => ('ț', 't'),
        _ => return None,
    };
    if mark_at(text, at + ch.len_utf8()) {
        return None;
    }
    Some((lower, base, ch.len_utf8()))
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
    fn growing_lowercase_maps_to_the_whole_char() {
        let text = "İleus";
        let views = Views::new(text);
        assert_eq!(views.plain.as_str(), "ileus");
        let span = views.plain.to_original(0, 1);
        assert_eq!(&text[span.range()], "İ");
    }
}
