//! Token-level phrase lookup: which phrases of the data start at a given token.
//!
//! Used for the small closed vocabularies of the text layer (section headers, patient words).
//! Phrases are sequences of plain token forms (see `knowledge::phrase`); candidates are found by
//! their first token and tried longest first.

use std::hash::Hasher;

use rustc_hash::{FxHashMap, FxHasher};

use crate::knowledge::Phrase;
use crate::text::tokenize::Token;

/// The hash of a plain word, as [`Token::plain_hash`](crate::text::tokenize::Token) holds it.
#[inline]
pub fn word_hash(plain: &str) -> u64 {
    bytes_hash(plain.as_bytes())
}

/// [`word_hash`] of the bytes of a plain word, which the tokenizer hashes without making a
/// `str` of them first.
#[inline]
pub fn bytes_hash(plain: &[u8]) -> u64 {
    let mut hasher = FxHasher::default();
    hasher.write(plain);
    hasher.finish()
}

/// Bits of the filter of first words: 2^16, so that a word no phrase starts with is refused
/// by one bit test for almost every token of a document.
const FILTER_BITS: u32 = 16;

fn filter_slot(hash: u64) -> (usize, u64) {
    let bit = (hash >> (64 - FILTER_BITS)) as usize;
    (bit / 64, 1 << (bit % 64))
}

/// Bits of a [`HashFilter`]: 2^12, for sets of a few hundred words at most.
const HASH_FILTER_BITS: u32 = 12;

/// A bit set over the top bits of word hashes ([`word_hash`]): a clear bit proves a word is not
/// in the set, and with a few hundred entries most other words are refused. The phrase openings
/// of [`PhraseIndex::may_start_with`] and the tokenizer's units and abbreviations use it.
#[derive(Debug, Clone)]
pub(crate) struct HashFilter([u64; 1 << (HASH_FILTER_BITS - 6)]);

impl Default for HashFilter {
    fn default() -> Self {
        HashFilter([0; 1 << (HASH_FILTER_BITS - 6)])
    }
}

impl HashFilter {
    fn slot(hash: u64) -> (usize, u64) {
        let bit = (hash >> (64 - HASH_FILTER_BITS)) as usize;
        (bit / 64, 1 << (bit % 64))
    }

    pub(crate) fn insert(&mut self, hash: u64) {
        let (word, bit) = Self::slot(hash);
        self.0[word] |= bit;
    }

    pub(crate) fn may_contain(&self, hash: u64) -> bool {
        let (word, bit) = Self::slot(hash);
        self.0[word] & bit != 0
    }
}

/// One hash for two words in order: the second's hash is turned so that `a b` and `b a` differ.
fn pair_hash(first: u64, second: u64) -> u64 {
    first ^ second.rotate_left(29)
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
    filter: Box<[u64; 1 << (FILTER_BITS - 6)]>,
    /// The first words of the phrases of one word, and the first two words of the longer ones:
    /// a common first word (`la`, `în`) opens a phrase only before the right second word.
    singles: Box<HashFilter>,
    pairs: Box<HashFilter>,
}

impl<T> PhraseIndex<T> {
    pub fn new(entries: impl IntoIterator<Item = (Phrase, T)>) -> Self {
        let mut by_first: FxHashMap<u64, Vec<Entry<T>>> = FxHashMap::default();
        let mut filter = Box::new([0u64; 1 << (FILTER_BITS - 6)]);
        let (mut singles, mut pairs) = (Box::<HashFilter>::default(), Box::<HashFilter>::default());
        for (phrase, value) in entries {
            if let Some(first) = phrase.first() {
                let hash = word_hash(first);
                let (word, bit) = filter_slot(hash);
                filter[word] |= bit;
                let hashes: Vec<u64> = phrase.iter().map(|word| word_hash(word)).collect();
                match hashes[..] {
                    [first] => singles.insert(first),
                    [first, second, ..] => pairs.insert(pair_hash(first, second)),
                    [] => {}
                }
                by_first.entry(hash).or_default().push(Entry { phrase, hashes, value });
            }
        }
        for list in by_first.values_mut() {
            // Stable: phrases of one first word keep their order among equals.
            list.sort_by_key(|entry| std::cmp::Reverse(entry.phrase.len()));
        }
        PhraseIndex { by_first, filter, singles, pairs }
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

    /// The index of the first of `tokens` where a phrase may start ([`may_start`](Self::may_start)).
    ///
    /// The scans of the text layer (sections, statements) run this over almost every token of
    /// a document; out of line, the loop keeps its few values in registers.
    #[inline(never)]
    pub fn first_start(&self, tokens: &[Token]) -> Option<usize> {
        // The index is told by what is left after the find: no counter in the loop.
        let mut rest = tokens.iter();
        rest.find(|token| self.may_start(token.plain_hash))?;
        Some(tokens.len() - rest.len() - 1)
    }

    /// Whether a phrase may start with the word of hash `first` followed by the word of hash
    /// `second` (`None` where the range of a match ends after `first`): [`may_start`](Self::may_start)
    /// for a word that opens phrases, which also refuses most places where it is followed by
    /// none of their second words.
    #[inline]
    pub fn may_start_with(&self, first: u64, second: Option<u64>) -> bool {
        self.may_start(first)
            && (self.singles.may_contain(first)
                || second.is_some_and(|second| self.pairs.may_contain(pair_hash(first, second))))
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

    #[test]
    fn openings_refuse_no_place_where_a_phrase_starts() {
        let phrase = |words: &[&str]| words.iter().map(|w| (*w).to_owned()).collect::<Vec<_>>();
        let index =
            PhraseIndex::new([(phrase(&["fara"]), 1), (phrase(&["la", "internare"]), 2), (phrase(&["nu", "are"]), 3)]);
        let words = ["pacient", "fara", "febra", "la", "internare", "nu", "are", "la", "domiciliu"];
        let hashes: Vec<u64> = words.iter().map(|w| word_hash(w)).collect();
        for start in 0..words.len() {
            for end in start + 1..=words.len() {
                let second = (start + 1 < end).then(|| hashes[start + 1]);
                if index.matches_hashed(|i| hashes[i], |i| words[i], start, end).next().is_some() {
                    assert!(index.may_start_with(hashes[start], second), "{start}..{end}");
                }
            }
        }
        // `la` before a word that follows it in no phrase.
        assert!(!index.may_start_with(hashes[7], Some(hashes[8])));
        assert!(!index.may_start_with(hashes[3], None));
    }
}
