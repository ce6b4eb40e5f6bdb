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
/// Built once per document in O(n): the code-point offset of every byte offset, looked up
/// directly. An analysis converts a few hundred spans, and a binary search over the text's
/// multi-byte chars per offset cost more than the table takes to build.
#[derive(Debug, Clone)]
pub struct CharIndex {
    /// For each byte offset (and the text's end), the chars that start before it.
    chars_before: Vec<u32>,
}

impl CharIndex {
    pub fn new(text: &str) -> Self {
        let mut chars_before = Vec::with_capacity(text.len() + 1);
        let mut chars = 0;
        // By bytes rather than chars (the text is valid UTF-8): every byte but a continuation
        // byte (10xxxxxx) starts a char. Extended from the bytes at once, the table is written
        // without a capacity check per byte.
        chars_before.extend(text.as_bytes().iter().map(|&byte| {
            let before = chars;
            chars += u32::from(byte & 0xC0 != 0x80);
            before
        }));
        chars_before.push(chars);
        CharIndex { chars_before }
    }

    /// The code-point offset of a byte offset that lies on a char boundary.
    pub fn char_offset(&self, byte: usize) -> usize {
        self.chars_before[byte] as usize
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
        let text = "Bărbat în vârstă: șoc 🦠 E. coli";
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
