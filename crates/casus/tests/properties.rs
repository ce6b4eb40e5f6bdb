//! Properties of the text layer that hold for every input.

use std::sync::OnceLock;

use casus::{Engine, Error, Options};

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::new().unwrap())
}
use proptest::prelude::*;

/// Strings that look like clinical text: Romanian letters in both spellings, digits, the
/// punctuation of measurements, whitespace, combining marks and a few exotic chars.
fn clinical_text() -> impl Strategy<Value = String> {
    let alphabet = prop::sample::select(vec![
        'a', 'b', 'c', 'e', 'i', 'o', 's', 't', 'A', 'E', 'T', 'D', 'ă', 'â', 'î', 'ș', 'ț', 'ş', 'ţ', 'Ş', 'Ă', 'İ',
        '0', '1', '5', '9', '.', ',', ':', ';', '/', '-', '%', '°', '(', ')', '>', '^', '+', ' ', ' ', ' ', '\n', '\t',
        '\u{0306}', '\u{0326}', '\u{0301}', 'µ', 'ß', 'Σ', 'ﬁ', '😀', '\u{200b}', '=',
    ]);
    prop::collection::vec(alphabet, 0..200).prop_map(|chars| chars.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn never_panics_and_spans_stay_in_bounds(text in clinical_text()) {
        let engine = engine();
        let chars = text.chars().count();
        match engine.analyze(&text, &Options::default()) {
            Ok(analysis) => {
                let mut spans: Vec<casus::analysis::CharSpan> = analysis.sentences.clone();
                spans.extend(analysis.sections.iter().map(|s| s.span));
                spans.extend(analysis.patient.age.iter().map(|a| a.span));
                spans.extend(analysis.patient.sex_span);
                spans.extend(analysis.warnings.iter().filter_map(|w| w.span));
                for span in spans {
                    prop_assert!(span.start <= span.end && span.end <= chars, "{span:?} in {chars} chars");
                }
                let mut last_end = 0;
                for sentence in &analysis.sentences {
                    prop_assert!(sentence.start >= last_end, "sentences are ordered and disjoint");
                    last_end = sentence.end;
                }
            }
            Err(Error::Input(_)) => prop_assert!(text.trim().is_empty()),
            Err(other) => prop_assert!(false, "unexpected error {other}"),
        }
    }

    #[test]
    fn any_bytes_give_ok_or_a_typed_input_error(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let engine = engine();
        match engine.analyze_bytes(&bytes, &Options::default()) {
            Ok(_) | Err(Error::Input(_)) => {}
            Err(other) => prop_assert!(false, "unexpected error {other}"),
        }
    }

    #[test]
    fn tokens_and_views_map_back_exactly(text in clinical_text()) {
        prop_assume!(!text.trim().is_empty());
        let engine = engine();
        let doc = engine.document(&text, &Options::default()).unwrap();
        let mut last_end = 0;
        for token in &doc.tokens {
            let span = token.span;
            prop_assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
            prop_assert!(span.start >= last_end && span.start < span.end);
            last_end = span.end;
            for view in [doc.folded(), &doc.views.plain] {
                let (start, end) = view.from_original(span);
                prop_assert!(view.as_str().is_char_boundary(start) && view.as_str().is_char_boundary(end));
                // Every cluster has a view text, so a token maps back onto itself, widened only
                // to whole clusters when a combining mark follows punctuation.
                prop_assert!(start < end);
                let back = view.to_original(start, end);
                prop_assert!(back.contains(span));
                prop_assert_eq!(view.slice(back), &view.as_str()[start..end]);
            }
        }
        // The plain view has no uppercase and no Romanian diacritics.
        prop_assert!(!doc.views.plain.as_str().chars().any(|c| "ăâîșțşţĂÂÎȘȚ".contains(c)));
        // Every original char boundary maps into the view, in order.
        let mut last = 0;
        for (at, _) in text.char_indices() {
            let (start, _) = doc.folded().from_original(casus::span::Span::new(at, at));
            prop_assert!(start >= last);
            last = start;
        }
    }
}
