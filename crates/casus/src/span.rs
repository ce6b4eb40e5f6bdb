//! Spans over the original text.
//!
//! Inside the engine a [`Span`] is a half-open range of **byte** offsets into the original
//! (validated) text, always on char boundaries, so that `&text[span.range()]` never panics.
//! The output contract counts in Unicode code points instead; [`CharIndex`] converts.

use serde::{Deserialize, Serialize};

/// A half-open byte range `[start, end)` into the original text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    pub const fn range(self) -> std::ops::Range<usize> {
        self.start..self.end
    }

    pub const fn len(self) -> usize {
        self.end - self.start
    }

    pub const fn is_empty(self) -> bool {
        self.start == self.end
    }

    pub const fn contains(self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// The smallest span covering both.
    pub fn cover(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

/// A span as the output contract writes it: `[start, end)` in Unicode code points, serialized as
/// a two-element array.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(from = "[usize; 2]", into = "[usize; 2]")]
pub struct CharSpan {
    pub start: usize,
    pub end: usize,
}

impl From<[usize; 2]> for CharSpan {
    fn from([start, end]: [usize; 2]) -> Self {
        CharSpan { start, end }
    }
}

impl From<CharSpan> for [usize; 2] {
    fn from(span: CharSpan) -> Self {
        [span.start, span.end]
    }
}

/// Converts byte offsets of one text into code-point offsets.
///
/// Built once per document in O(n); each conversion is a binary search over the positions of
/// multi-byte characters only, so ASCII-heavy text costs almost nothing.
#[derive(Debug, Clone)]
pub struct CharIndex {
    /// Byte offsets of every char that is longer than one byte, with the number of extra bytes
    /// seen up to and including it.
    wide: Vec<(usize, usize)>,
}

impl CharIndex {
    pub fn new(text: &str) -> Self {
        let mut extra = 0;
        let mut wide = Vec::new();
        // By bytes rather than chars (the text is valid UTF-8): a multi-byte char starts with a
        // byte 11xxxxxx whose leading ones count its bytes, and every other byte is skipped.
        for (at, &byte) in text.as_bytes().iter().enumerate() {
            if byte >= 0xC0 {
                extra += byte.leading_ones() as usize - 1;
                wide.push((at, extra));
            }
        }
        CharIndex { wide }
    }

    /// The code-point offset of a byte offset that lies on a char boundary.
    pub fn char_offset(&self, byte: usize) -> usize {
        // Chars that start before `byte` are the ones whose extra bytes precede it.
        let before = self.wide.partition_point(|&(at, _)| at < byte);
        let extra = if before == 0 { 0 } else { self.wide[before - 1].1 };
        byte - extra
    }

    pub fn span(&self, span: Span) -> CharSpan {
        CharSpan { start: self.char_offset(span.start), end: self.char_offset(span.end) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn char_offsets_count_code_points_not_bytes() {
        let text = "Bărbat în vârstă: șoc";
        let index = CharIndex::new(text);
        for (chars, (byte, _)) in text.char_indices().enumerate() {
            assert_eq!(index.char_offset(byte), chars);
        }
        assert_eq!(index.char_offset(text.len()), text.chars().count());
    }

    #[test]
    fn char_span_serializes_as_pair() {
        let json = serde_json::to_string(&CharSpan { start: 3, end: 9 }).unwrap();
        assert_eq!(json, "[3,9]");
    }
}
