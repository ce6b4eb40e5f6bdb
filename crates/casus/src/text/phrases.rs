//! Token-level phrase lookup: which phrases of the data start at a given token.
//!
//! Used for the small closed vocabularies of the text layer (section headers, patient words).
//! Phrases are sequences of plain token forms (see `knowledge::phrase`); candidates are found by
//! their first token and tried longest first.

use std::hash::Hasher;

use rustc_hash::{FxHashMap, FxHasher};

use crate::knowledge::Phrase;

/// The hash of a plain word, as [`Token::plain_hash`](crate::text::tokenize::Token) holds it.
#[inline]
pub fn word_hash(plain: &str) -> u64 {
    let mut hasher = FxHasher::default();
    hasher.write(plain.as_bytes());
    hasher.finish()
}

/// Bits of the filter of first words: 2^16, so that a word no phrase starts with is refused
/// by one bit test for almost every token of a document.
const FILTER_BITS: u32 = 16;

fn filter_slot(hash: u64) -> (usize, u64) {
    let bit = (hash >> (64 - FILTER_BITS)) as usize;
    (bit / 64, 1 << (bit % 64))
}

/// A phrase with the hashes of its words, compared with the tokens' hashes before their text.
#[derive(Debug, Clone)]
struct Entry<T> {
    phrase: Phrase,
    hashes: Vec<u64>,
    value: T,
}

#[derive(Debug, Clone)]
pub struct PhraseIndex<T> {
    /// The phrases by the hash of their first word (checked against the word itself on use).
    by_first: FxHashMap<u64, Vec<Entry<T>>>,
    /// One bit per first-word hash (its top bits): a clear bit means no phrase starts there.
    filter: Box<[u64]>,
}

impl<T> PhraseIndex<T> {
    pub fn new(entries: impl IntoIterator<Item = (Phrase, T)>) -> Self {
        let mut by_first: FxHashMap<u64, Vec<Entry<T>>> = FxHashMap::default();
        let mut filter = vec![0u64; 1 << (FILTER_BITS - 6)].into_boxed_slice();
        for (phrase, value) in entries {
            if let Some(first) = phrase.first() {
                let hash = word_hash(first);
                let (word, bit) = filter_slot(hash);
                filter[word] |= bit;
                let hashes = phrase.iter().map(|word| word_hash(word)).collect();
                by_first.entry(hash).or_default().push(Entry { phrase, hashes, value });
            }
        }
        for list in by_first.values_mut() {
            // Stable: phrases of one first word keep their order among equals.
            list.sort_by_key(|entry| std::cmp::Reverse(entry.phrase.len()));
        }
        PhraseIndex { by_first, filter }
    }

    /// Every value of the index (in no particular order: for checks, not for output).
    pub fn values(&self) -> impl Iterator<Item = &T> {
        self.by_first.values().flatten().map(|entry| &entry.value)
    }

    /// The phrases that match the tokens `start..`, longest first, with their lengths in tokens.
    /// `plain(i)` gives the plain form of token `i`; `end` bounds the match (exclusive).
    #[inline]
    pub fn matches_at<'s, 'p>(
        &'s self,
        plain: impl Fn(usize) -> &'p str + 's,
        start: usize,
        end: usize,
    ) -> impl Iterator<Item = (usize, &'s T)> + 's {
        let first = if start < end { word_hash(plain(start)) } else { 0 };
        self.candidates(first, start, end).iter().filter_map(move |entry| {
            let len = entry.phrase.len();
            let fits = start + len <= end && (0..len).all(|k| plain(start + k) == entry.phrase[k]);
            fits.then_some((len, &entry.value))
        })
    }

    /// Whether a phrase may start with the word of hash `first` (`Token::plain_hash`): false for
    /// most words, by one bit test, so that a scan skips them without building a look-up.
    #[inline]
    pub fn may_start(&self, first: u64) -> bool {
        let (word, bit) = filter_slot(first);
        self.filter[word] & bit != 0
    }

    /// The phrases whose first word has hash `first`, if a phrase may start at `start`.
    #[inline]
    fn candidates(&self, first: u64, start: usize, end: usize) -> &[Entry<T>] {
        if start < end && self.may_start(first) {
            self.by_first.get(&first).map_or(&[], Vec::as_slice)
        } else {
            &[]
        }
    }

    /// [`matches_at`](Self::matches_at) with the hashes of the tokens' plain forms already known
    /// (`hash(i)`, as `Token::plain_hash`): a token is compared with a phrase's word by hash, and
    /// by text only when the hashes agree.
    #[inline]
    pub fn matches_hashed<'s, 'p>(
        &'s self,
        hash: impl Fn(usize) -> u64 + 's,
        plain: impl Fn(usize) -> &'p str + 's,
        start: usize,
        end: usize,
    ) -> impl Iterator<Item = (usize, &'s T)> + 's {
        let first = if start < end { hash(start) } else { 0 };
        self.candidates(first, start, end).iter().filter_map(move |entry| {
            let len = entry.phrase.len();
            let fits = start + len <= end
                && (0..len).all(|k| hash(start + k) == entry.hashes[k])
                && (0..len).all(|k| plain(start + k) == entry.phrase[k]);
            fits.then_some((len, &entry.value))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_longest_phrases_first() {
        let index =
            PhraseIndex::new([(vec!["examen".to_owned()], 1), (vec!["examen".to_owned(), "obiectiv".to_owned()], 2)]);
        let words = ["examen", "obiectiv", ":"];
        let found: Vec<_> = index.matches_at(|i| words[i], 0, 3).collect();
        assert_eq!(found, vec![(2, &2), (1, &1)]);
        assert_eq!(index.matches_at(|i| words[i], 0, 1).count(), 1);
        assert_eq!(index.matches_at(|i| words[i], 1, 3).count(), 0);
    }

    #[test]
    fn hashed_look_ups_find_what_text_look_ups_find() {
        let phrase = |words: &[&str]| words.iter().map(|w| (*w).to_owned()).collect::<Vec<_>>();
        let index =
            PhraseIndex::new([(phrase(&["fara"]), 1), (phrase(&["fara", "indoiala"]), 2), (phrase(&["nu", "are"]), 3)]);
        let words = ["pacient", "fara", "indoiala", "nu", "are", "fara"];
        let hashes: Vec<u64> = words.iter().map(|w| word_hash(w)).collect();
        for start in 0..=words.len() {
            for end in start..=words.len() {
                let by_text: Vec<_> = index.matches_at(|i| words[i], start, end).collect();
                let by_hash: Vec<_> = index.matches_hashed(|i| hashes[i], |i| words[i], start, end).collect();
                assert_eq!(by_text, by_hash, "{start}..{end}");
            }
        }
        assert_eq!(index.matches_hashed(|i| hashes[i], |i| words[i], 1, 3).collect::<Vec<_>>(), [(2, &2), (1, &1)]);
        assert_eq!(index.matches_hashed(|i| hashes[i], |i| words[i], 3, 5).collect::<Vec<_>>(), [(2, &3)]);
    }
}
