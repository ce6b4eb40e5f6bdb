//! Token-level phrase lookup: which phrases of the data start at a given token.
//!
//! Used for the small closed vocabularies of the text layer (section headers, patient words).
//! Phrases are sequences of plain token forms (see `knowledge::phrase`); candidates are found by
//! their first token and tried longest first.

use rustc_hash::FxHashMap;

use crate::knowledge::Phrase;

#[derive(Debug, Clone)]
pub struct PhraseIndex<T> {
    by_first: FxHashMap<String, Vec<(Phrase, T)>>,
}

impl<T> PhraseIndex<T> {
    pub fn new(entries: impl IntoIterator<Item = (Phrase, T)>) -> Self {
        let mut by_first: FxHashMap<String, Vec<(Phrase, T)>> = FxHashMap::default();
        for (phrase, value) in entries {
            if let Some(first) = phrase.first() {
                by_first.entry(first.clone()).or_default().push((phrase, value));
            }
        }
        for list in by_first.values_mut() {
            list.sort_by_key(|entry| std::cmp::Reverse(entry.0.len()));
        }
        PhraseIndex { by_first }
    }

    /// Every value of the index (in no particular order: for checks, not for output).
    pub fn values(&self) -> impl Iterator<Item = &T> {
        self.by_first.values().flatten().map(|(_, value)| value)
    }

    /// The phrases that match the tokens `start..`, longest first, with their lengths in tokens.
    /// `plain(i)` gives the plain form of token `i`; `end` bounds the match (exclusive).
    pub fn matches_at<'s, 'p>(
        &'s self,
        plain: impl Fn(usize) -> &'p str + 's,
        start: usize,
        end: usize,
    ) -> impl Iterator<Item = (usize, &'s T)> + 's {
        let candidates = if start < end { self.by_first.get(plain(start)) } else { None };
        candidates.into_iter().flatten().filter_map(move |(phrase, value)| {
            let len = phrase.len();
            let fits = start + len <= end && (1..len).all(|k| plain(start + k) == phrase[k]);
            fits.then_some((len, value))
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
}
