//! One-to-one matching of gold and predicted spans.
//!
//! A gold item matches at most one prediction and vice versa, so that one long prediction cannot
//! collect several gold mentions (or one gold mention reward several overlapping guesses). Pairs
//! are taken greedily, largest overlap first; ties go to the earlier gold item, then the earlier
//! prediction, which keeps the result deterministic. Greedy is not always the maximum matching,
//! but with spans of one text the difference is rare and always costs casus, never favours it.

/// A candidate pair: gold index, predicted index, and how strongly they match (larger wins).
pub(crate) type Candidate = (usize, usize, usize);

/// Picks pairs from `candidates` so that every gold and every predicted index is used at most
/// once. Returns the chosen `(gold, predicted)` pairs, sorted by gold index.
pub(crate) fn greedy(mut candidates: Vec<Candidate>) -> Vec<(usize, usize)> {
    candidates.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)).then(a.1.cmp(&b.1)));
    let size = |pick: fn(&Candidate) -> usize| candidates.iter().map(pick).max().map_or(0, |m| m + 1);
    let mut gold_used = vec![false; size(|c| c.0)];
    let mut predicted_used = vec![false; size(|c| c.1)];
    let mut pairs = Vec::new();
    for (gold, predicted, _) in candidates {
        if gold_used[gold] || predicted_used[predicted] {
            continue;
        }
        gold_used[gold] = true;
        predicted_used[predicted] = true;
        pairs.push((gold, predicted));
    }
    pairs.sort_unstable();
    pairs
}

/// How many code points `[start, end)` shares with the fragments.
pub(crate) fn overlap(fragments: &[(usize, usize)], start: usize, end: usize) -> usize {
    fragments.iter().map(|&(s, e)| e.min(end).saturating_sub(s.max(start))).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlap_counts_shared_code_points_of_every_fragment() {
        assert_eq!(overlap(&[(0, 6)], 3, 10), 3);
        assert_eq!(overlap(&[(0, 6)], 6, 10), 0, "touching is not overlapping");
        assert_eq!(overlap(&[(0, 6), (20, 28)], 4, 24), 6);
        assert_eq!(overlap(&[(0, 6), (20, 28)], 8, 18), 0, "the gap of a discontinuous mention is not in it");
        assert_eq!(overlap(&[(5, 9)], 7, 3), 0);
    }

    #[test]
    fn each_side_is_used_once_and_the_largest_overlap_wins() {
        // Gold 0 overlaps predictions 0 (by 2) and 1 (by 5); gold 1 overlaps prediction 1 (by 4).
        let pairs = greedy(vec![(0, 0, 2), (0, 1, 5), (1, 1, 4)]);
        assert_eq!(pairs, [(0, 1)]);
    }

    #[test]
    fn ties_go_to_the_earlier_items() {
        assert_eq!(greedy(vec![(1, 0, 3), (0, 1, 3), (0, 0, 3)]), [(0, 0)]);
        assert_eq!(greedy(vec![(1, 1, 3), (0, 1, 3), (1, 0, 3)]), [(0, 1), (1, 0)]);
    }
}
