//! Code-point offsets over `&str`: what brat, CoNLL tools and the output contract count.
//!
//! Gold files name positions in code points while Rust slices by bytes; these helpers convert
//! without ever slicing off a char boundary, so bad offsets in a gold file give `None`, never a
//! panic.

/// The byte offset of every char boundary: entry `i` is where char `i` starts, and one more entry
/// at the end holds `text.len()`.
pub(crate) fn char_bounds(text: &str) -> Vec<usize> {
    text.char_indices().map(|(at, _)| at).chain(std::iter::once(text.len())).collect()
}

/// The text between two code-point offsets, or `None` when they are reversed or past the end.
pub(crate) fn slice<'t>(text: &'t str, bounds: &[usize], start: usize, end: usize) -> Option<&'t str> {
    if start > end {
        return None;
    }
    text.get(*bounds.get(start)?..*bounds.get(end)?)
}

/// The first `chars` code points of `text` (all of it when it is shorter).
pub(crate) fn prefix(text: &str, chars: usize) -> &str {
    match text.char_indices().nth(chars) {
        Some((at, _)) => &text[..at],
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_by_code_points() {
        let text = "șoc septic";
        let bounds = char_bounds(text);
        assert_eq!(bounds.len(), text.chars().count() + 1);
        assert_eq!(slice(text, &bounds, 0, 3), Some("șoc"));
        assert_eq!(slice(text, &bounds, 4, 10), Some("septic"));
        assert_eq!(slice(text, &bounds, 4, 11), None);
        assert_eq!(slice(text, &bounds, 3, 2), None);
    }

    #[test]
    fn prefix_counts_code_points_and_stops_at_the_end() {
        assert_eq!(prefix("țânțar", 3), "țân");
        assert_eq!(prefix("țânțar", 60), "țânțar");
        assert_eq!(prefix("", 0), "");
    }
}
