//! The plain-text table every report prints: one row per metric, columns aligned.

use std::fmt::Write as _;

use super::metrics::{Proportion, Scores};

/// One line of a report table. Cells that do not apply stay empty and print as `-`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Row {
    label: String,
    p: Option<f64>,
    r: Option<f64>,
    f1: Option<f64>,
    acc: Option<f64>,
    n: Option<usize>,
    ci: Option<[f64; 2]>,
}

impl Row {
    /// A group title; the rows after it are indented.
    pub(crate) fn heading(label: impl Into<String>) -> Row {
        Row { label: label.into(), ..Row::default() }
    }

    /// A detection row: P, R, F1, with `n` the gold items and the interval of R.
    pub(crate) fn detection(label: &str, scores: &Scores) -> Row {
        Row {
            label: indent(label),
            p: Some(scores.precision.value),
            r: Some(scores.recall.value),
            f1: Some(scores.f1),
            n: Some(scores.recall.n),
            ci: Some(scores.recall.ci95),
            ..Row::default()
        }
    }

    /// An accuracy row: the proportion, its `n` and its interval.
    pub(crate) fn accuracy(label: &str, accuracy: &Proportion) -> Row {
        Row {
            label: indent(label),
            acc: Some(accuracy.value),
            n: Some(accuracy.n),
            ci: Some(accuracy.ci95),
            ..Row::default()
        }
    }

    /// An accuracy row that also shows P, R and F1 of the positive class.
    pub(crate) fn accuracy_and_scores(label: &str, accuracy: &Proportion, scores: &Scores) -> Row {
        Row {
            p: Some(scores.precision.value),
            r: Some(scores.recall.value),
            f1: Some(scores.f1),
            ..Row::accuracy(label, accuracy)
        }
    }

    /// A mean that is not a proportion (MRR): no interval.
    pub(crate) fn mean(label: &str, value: f64, n: usize) -> Row {
        Row { label: indent(label), acc: Some(value), n: Some(n), ..Row::default() }
    }

    fn is_heading(&self) -> bool {
        self.n.is_none() && self.acc.is_none() && self.f1.is_none()
    }
}

fn indent(label: &str) -> String {
    format!("  {label}")
}

/// The legend printed under every table.
pub(crate) const LEGEND: &str = "n: gold items (P/R/F1 rows) or items judged (acc rows); \
    95% CI: Wilson score interval of R, or of acc where there is one";

/// Renders the rows under a header line.
pub(crate) fn render(rows: &[Row]) -> String {
    // Headings stand on their own line and may be longer than the label column.
    let labels = rows.iter().filter(|r| !r.is_heading()).map(|r| r.label.chars().count());
    let width = labels.chain(["metric".len()]).max().unwrap_or(0);
    let mut out = String::new();
    let _ =
        writeln!(out, "{:<width$}  {:>5}  {:>5}  {:>5}  {:>5}  {:>6}  95% CI", "metric", "P", "R", "F1", "acc", "n");
    for row in rows {
        if row.is_heading() {
            let _ = writeln!(out, "{}", row.label);
            continue;
        }
        // `+ 0.0` turns a negative zero into zero: "-0.000" would read as a tiny loss.
        let number = |value: Option<f64>| value.map_or_else(|| "-".to_owned(), |v| format!("{:.3}", v + 0.0));
        let n = row.n.map_or_else(|| "-".to_owned(), |n| n.to_string());
        let ci = row.ci.map_or_else(|| "-".to_owned(), |[low, high]| format!("[{low:.3}, {high:.3}]"));
        let _ = writeln!(
            out,
            "{:<width$}  {:>5}  {:>5}  {:>5}  {:>5}  {:>6}  {ci}",
            row.label,
            number(row.p),
            number(row.r),
            number(row.f1),
            number(row.acc),
            n,
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::metrics::Prf;

    #[test]
    fn columns_line_up_whatever_the_label() {
        let rows = [
            Row::heading("entities"),
            Row::detection("disorder", &Scores::from(Prf::new(3, 1, 2))),
            Row::accuracy("a much longer label than the others", &Proportion::new(9, 10)),
            Row::mean("MRR", 0.5, 4),
        ];
        let text = render(&rows);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[1], "entities");
        let ci = lines[0].find("95% CI").unwrap();
        let at = |line: &str| line.as_bytes().get(ci).copied().map(char::from);
        assert_eq!([at(lines[2]), at(lines[3]), at(lines[4])], [Some('['), Some('['), Some('-')], "{text}");
        assert!(lines[2].contains("0.750  0.600  0.667      -       5  [0.231, 0.882]"), "{text}");
        assert!(lines[3].contains("-      -      -  0.900      10  [0.596, 0.982]"), "{text}");
        assert!(lines[4].ends_with("0.500       4  -"), "{text}");
    }
}
