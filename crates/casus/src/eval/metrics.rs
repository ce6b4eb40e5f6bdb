//! Counts and the scores computed from them.
//!
//! Counts are what cases add up (micro-averaging is just summing them); scores are computed once,
//! at the end, from the sums. Every score is defined for every count, zeros included: a ratio with
//! a zero denominator is 0 and F1 is 0 when nothing was found, so an engine that finds nothing
//! scores 0 rather than `NaN`, and the `n` next to each score says how much evidence there was.

use std::ops::{Add, AddAssign};

use serde::{Deserialize, Serialize};

/// The 0.975 quantile of the standard normal distribution: the `z` of a two-sided 95 % interval.
pub const Z95: f64 = 1.959964;

/// Detection counts: true positives, false positives and false negatives.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prf {
    pub tp: usize,
    pub fp: usize,
    #[serde(rename = "fn")]
    pub fn_: usize,
}

impl Prf {
    pub const fn new(tp: usize, fp: usize, fn_: usize) -> Prf {
        Prf { tp, fp, fn_ }
    }

    /// How many gold items there were (`tp + fn`).
    pub const fn gold(&self) -> usize {
        self.tp + self.fn_
    }

    /// How many items were predicted (`tp + fp`).
    pub const fn predicted(&self) -> usize {
        self.tp + self.fp
    }

    /// `tp / (tp + fp)`, or 0 when nothing was predicted.
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.predicted())
    }

    /// `tp / (tp + fn)`, or 0 when there was nothing to find.
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.gold())
    }

    /// The harmonic mean of precision and recall, `2tp / (2tp + fp + fn)`, or 0 when `tp` is 0.
    pub fn f1(&self) -> f64 {
        if self.tp == 0 {
            return 0.0;
        }
        ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn_)
    }
}

impl AddAssign for Prf {
    fn add_assign(&mut self, other: Prf) {
        self.tp += other.tp;
        self.fp += other.fp;
        self.fn_ += other.fn_;
    }
}

impl Add for Prf {
    type Output = Prf;

    fn add(mut self, other: Prf) -> Prf {
        self += other;
        self
    }
}

impl std::iter::Sum for Prf {
    fn sum<I: Iterator<Item = Prf>>(iter: I) -> Prf {
        iter.fold(Prf::default(), Add::add)
    }
}

/// How many of `n` judged items were right.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Accuracy {
    pub correct: usize,
    pub n: usize,
}

impl Accuracy {
    pub const fn new(correct: usize, n: usize) -> Accuracy {
        Accuracy { correct, n }
    }

    /// Counts one judged item.
    pub fn record(&mut self, correct: bool) {
        self.n += 1;
        self.correct += usize::from(correct);
    }

    /// `correct / n`, or 0 when nothing was judged.
    pub fn value(&self) -> f64 {
        ratio(self.correct, self.n)
    }
}

impl AddAssign for Accuracy {
    fn add_assign(&mut self, other: Accuracy) {
        self.correct += other.correct;
        self.n += other.n;
    }
}

/// The confusion counts of one binary attribute (the positive class is "the attribute holds").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confusion {
    pub tp: usize,
    pub fp: usize,
    #[serde(rename = "fn")]
    pub fn_: usize,
    pub tn: usize,
}

impl Confusion {
    /// Counts one item whose attribute is `gold` and was predicted as `predicted`.
    pub fn record(&mut self, gold: bool, predicted: bool) {
        match (gold, predicted) {
            (true, true) => self.tp += 1,
            (false, true) => self.fp += 1,
            (true, false) => self.fn_ += 1,
            (false, false) => self.tn += 1,
        }
    }

    pub const fn n(&self) -> usize {
        self.tp + self.fp + self.fn_ + self.tn
    }

    pub const fn accuracy(&self) -> Accuracy {
        Accuracy::new(self.tp + self.tn, self.n())
    }

    pub const fn prf(&self) -> Prf {
        Prf::new(self.tp, self.fp, self.fn_)
    }
}

impl AddAssign for Confusion {
    fn add_assign(&mut self, other: Confusion) {
        self.tp += other.tp;
        self.fp += other.fp;
        self.fn_ += other.fn_;
        self.tn += other.tn;
    }
}

/// The Wilson score interval at 95 % for `successes` out of `n` (Wilson, E. B. (1927). Probable
/// inference, the law of succession, and statistical inference. *Journal of the American
/// Statistical Association* 22(158), 209–212).
///
/// Unlike the normal ("Wald") interval it stays inside [0, 1] and does not collapse to a point at
/// 0 or `n` successes, which matters here: gold sets are small and early scores are often 0.
/// With `n = 0` nothing is known and the interval is the whole of [0, 1]; `successes` above `n`
/// are counted as `n`.
pub fn wilson(successes: usize, n: usize) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let successes = successes.min(n);
    let n_f = n as f64;
    let p = successes as f64 / n_f;
    let z2 = Z95 * Z95;
    let denominator = 1.0 + z2 / n_f;
    let centre = (p + z2 / (2.0 * n_f)) / denominator;
    let half = Z95 * (p * (1.0 - p) / n_f + z2 / (4.0 * n_f * n_f)).sqrt() / denominator;
    // At 0 and n successes the bounds are exactly 0 and 1; rounding would leave 1e-16 off.
    let low = if successes == 0 { 0.0 } else { (centre - half).max(0.0) };
    let high = if successes == n { 1.0 } else { (centre + half).min(1.0) };
    (low, high)
}

/// A proportion as a report writes it: its value, what it is counted from, and its Wilson 95 %
/// interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Proportion {
    pub value: f64,
    pub successes: usize,
    pub n: usize,
    pub ci95: [f64; 2],
}

impl Proportion {
    pub fn new(successes: usize, n: usize) -> Proportion {
        let (low, high) = wilson(successes, n);
        Proportion { value: ratio(successes, n), successes, n, ci95: [low, high] }
    }
}

impl From<Accuracy> for Proportion {
    fn from(accuracy: Accuracy) -> Proportion {
        Proportion::new(accuracy.correct, accuracy.n)
    }
}

/// Detection scores as a report writes them. Precision and recall are proportions (of the
/// predicted and of the gold items) and carry their intervals; F1 is not a proportion and has
/// none.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    pub tp: usize,
    pub fp: usize,
    #[serde(rename = "fn")]
    pub fn_: usize,
    pub precision: Proportion,
    pub recall: Proportion,
    pub f1: f64,
}

impl From<Prf> for Scores {
    fn from(prf: Prf) -> Scores {
        Scores {
            tp: prf.tp,
            fp: prf.fp,
            fn_: prf.fn_,
            precision: Proportion::new(prf.tp, prf.predicted()),
            recall: Proportion::new(prf.tp, prf.gold()),
            f1: prf.f1(),
        }
    }
}

fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 5e-5
    }

    #[test]
    fn precision_recall_f1_from_counts() {
        let prf = Prf::new(6, 2, 4);
        assert_eq!(prf.precision(), 0.75);
        assert_eq!(prf.recall(), 0.6);
        // 2PR / (P + R) = 0.9 / 1.35
        assert!(close(prf.f1(), 2.0 / 3.0));
    }

    #[test]
    fn nothing_found_scores_zero_not_nan() {
        for prf in [Prf::default(), Prf::new(0, 5, 0), Prf::new(0, 0, 7)] {
            assert_eq!((prf.precision(), prf.recall(), prf.f1()), (0.0, 0.0, 0.0), "{prf:?}");
        }
        assert_eq!(Accuracy::default().value(), 0.0);
    }

    #[test]
    fn wilson_matches_published_values() {
        // 5/10: the textbook example, (0.2366, 0.7634).
        let (low, high) = wilson(5, 10);
        assert!(close(low, 0.2366) && close(high, 0.7634), "{low} {high}");
        // 0/10: the interval still has width, upper bound z²/(n + z²) = 0.2775.
        let (low, high) = wilson(0, 10);
        assert!(low == 0.0 && close(high, 0.2775), "{low} {high}");
        // 10/10 mirrors it.
        let (low, high) = wilson(10, 10);
        assert!(close(low, 0.7225) && high == 1.0, "{low} {high}");
    }

    #[test]
    fn wilson_of_nothing_is_everything() {
        assert_eq!(wilson(0, 0), (0.0, 1.0));
        assert_eq!(wilson(3, 0), (0.0, 1.0));
    }

    #[test]
    fn wilson_never_leaves_the_unit_interval() {
        for n in 1..60 {
            for s in 0..=n + 2 {
                let (low, high) = wilson(s, n);
                assert!((0.0..=1.0).contains(&low) && (0.0..=1.0).contains(&high) && low <= high, "{s}/{n}");
                let p = s.min(n) as f64 / n as f64;
                assert!(low <= p + 1e-12 && p <= high + 1e-12, "{s}/{n}: {p} outside [{low}, {high}]");
            }
        }
    }

    #[test]
    fn confusion_gives_accuracy_and_positive_class_scores() {
        let mut confusion = Confusion::default();
        for (gold, predicted) in [(true, true), (true, false), (false, false), (false, false), (false, true)] {
            confusion.record(gold, predicted);
        }
        assert_eq!(confusion.accuracy(), Accuracy::new(3, 5));
        assert_eq!(confusion.prf(), Prf::new(1, 1, 1));
    }

    #[test]
    fn counts_add_up() {
        let total: Prf = [Prf::new(1, 2, 3), Prf::new(4, 5, 6)].into_iter().sum();
        assert_eq!(total, Prf::new(5, 7, 9));
    }

    #[test]
    fn scores_serialize_fn_without_the_underscore() {
        let json = serde_json::to_value(Scores::from(Prf::new(1, 0, 1))).unwrap();
        assert_eq!(json["fn"], 1);
        assert_eq!(json["recall"]["n"], 2);
        assert_eq!(json["recall"]["value"], 0.5);
    }
}
