//! Context of each concept mention: negated, uncertain, historical, hypothetical, and who
//! experienced it, after ConText (Harkema et al., J Biomed Inform 2009) with its rules as data
//! (`data/ro/context.tsv`, `data/ro/section_context.tsv`).
//!
//! A trigger phrase gives its attribute to the mentions in its scope: forward, backward or both
//! from the trigger, at most `window` tokens away, never past the sentence, a terminating word
//! ("dar", "însă", "iar", ";"), or the start of a section or exam label ("Neurologic: fără focar
//! AR: MVC": "MVC" is not negated). A pseudo-trigger ("fără îndoială") holds its tokens so that
//! the shorter trigger inside it does not fire. Longest triggers win. A section title that says
//! so ("AHC:", "Antecedente personale patologice:") gives its attribute to the mentions of the
//! sentence it opens.

use std::ops::Range;

use crate::analysis::Assertion;
use crate::analysis::{EntityType, Experiencer};
use crate::doc::Doc;
use crate::knowledge::concepts::ConceptEntry;
use crate::knowledge::{Phrase, TriggerCategory, TriggerDirection, TriggerRule};
use crate::span::Span;
use crate::text::phrases::PhraseIndex;

#[derive(Debug, Clone)]
pub struct ContextMatcher {
    triggers: PhraseIndex<TriggerRule>,
    section_defaults: Vec<(Phrase, TriggerCategory)>,
}

/// A trigger found in a sentence.
#[derive(Debug, Clone, Copy)]
struct Found {
    tokens: (usize, usize),
    rule: TriggerRule,
}

impl ContextMatcher {
    pub fn new(triggers: &[(Phrase, TriggerRule)], section_defaults: &[(Phrase, TriggerCategory)]) -> Self {
        ContextMatcher {
            triggers: PhraseIndex::new(triggers.iter().cloned()),
            section_defaults: section_defaults.to_vec(),
        }
    }

    /// Sets the context of every mention of `doc`.
    pub fn annotate(&self, doc: &mut Doc<'_>, concepts: &[ConceptEntry]) {
        let mut contexts = vec![Assertion::default(); doc.mentions.len()];
        let mut boundaries: Vec<usize> = doc.sections.iter().map(|s| s.span.start).collect();
        // Sorted, so that a scope asks for the first boundary after its start by binary search.
        boundaries.sort_unstable();
        for sentence in doc.sentences.iter().filter(|s| !doc.is_hidden(s.span)) {
            let found = self.triggers_in(doc, sentence.tokens.clone());
            if found.iter().all(|f| matches!(f.rule.category, TriggerCategory::Pseudo | TriggerCategory::Terminate)) {
                continue;
            }
            // Mentions are in text order: those of this sentence form one run.
            let first = doc.mentions.partition_point(|m| m.tokens.start < sentence.tokens.start);
            for (m, mention) in doc.mentions.iter().enumerate().skip(first) {
                if mention.tokens.start >= sentence.tokens.end {
                    break;
                }
                if mention.tokens.end > sentence.tokens.end {
                    continue;
                }
                let entity_type = concepts[mention.concept as usize].concept_type.entity_type();
                for trigger in &found {
                    let applies = trigger.rule.applies_to.is_none_or(|types| types.contains(entity_type))
                        && qualifies(entity_type, trigger.rule.category);
                    if applies && in_scope(doc, &found, &boundaries, trigger, &mention.tokens) {
                        set(&mut contexts[m], trigger.rule.category);
                    }
                }
            }
        }
        // Section defaults: decided once per section, then given to the mentions inside.
        for section in &doc.sections {
            let Some(title) = section.title else { continue };
            let from = doc.tokens.partition_point(|t| t.span.start < title.start);
            let title_words: Vec<&str> = doc.tokens[from..]
                .iter()
                .take_while(|t| t.span.end <= title.end)
                .filter(|t| doc.text[t.span.range()] != *":")
                .map(|t| doc.views.plain.slice(t.span))
                .collect();
            let defaults = self
                .section_defaults
                .iter()
                .filter(|(phrase, _)| title_words.iter().copied().eq(phrase.iter().map(String::as_str)));
            // The items under such a title ("AHC: mama cu DZ tip 2.") end with its sentence; the
            // section itself may run on through text that is the patient's own.
            let Some(sentence) = doc.sentences.iter().find(|s| s.span.contains(title)) else { continue };
            let reach = Span::new(title.end, sentence.span.end.min(section.span.end));
            for (_, category) in defaults {
                for (m, mention) in doc.mentions.iter().enumerate() {
                    if reach.contains(mention.span) {
                        set(&mut contexts[m], *category);
                    }
                }
            }
        }
        doc.contexts = contexts;
    }

    fn triggers_in(&self, doc: &Doc<'_>, tokens: Range<usize>) -> Vec<Found> {
        let mut found = Vec::new();
        let mut i = tokens.start;
        while i < tokens.end {
            match self.triggers.matches_hashed(|k| doc.tokens[k].plain_hash, |k| doc.plain(k), i, tokens.end).next() {
                Some((len, rule)) => {
                    found.push(Found { tokens: (i, i + len), rule: *rule });
                    i += len;
                }
                None => i += 1,
            }
        }
        found
    }
}

/// Whether an attribute can hold of a mention of this type at all. A body part is where a
/// finding is, not a finding: "fără leziuni pe artera circumflexă" negates the lesions, not the
/// artery, and "antecedente de episod similar la nivelul genunchiului" dates the episode, not
/// the knee. Anatomy therefore takes only the experiencer (whose body it is).
fn qualifies(entity_type: EntityType, category: TriggerCategory) -> bool {
    entity_type != EntityType::Anatomy || category == TriggerCategory::Family
}

/// Whether `mention` lies in the scope of `trigger`.
fn in_scope(doc: &Doc<'_>, found: &[Found], boundaries: &[usize], trigger: &Found, mention: &Range<usize>) -> bool {
    use TriggerDirection::*;
    let rule = trigger.rule;
    if matches!(rule.category, TriggerCategory::Pseudo | TriggerCategory::Terminate) {
        return false;
    }
    let (t_start, t_end) = trigger.tokens;
    // The tokens between trigger and mention, and the bytes they cover.
    let (between, gap) = if mention.start >= t_end && matches!(rule.direction, Forward | Both) {
        let gap = (doc.tokens[t_end - 1].span.end, doc.tokens[mention.start].span.start);
        (t_end..mention.start, gap)
    } else if mention.end <= t_start && matches!(rule.direction, Backward | Both) {
        let gap = (doc.tokens[mention.end - 1].span.end, doc.tokens[t_start].span.start);
        (mention.end..t_start, gap)
    } else {
        return false;
    };
    if between.len() > rule.window {
        return false;
    }
    let terminated = found.iter().any(|f| {
        f.rule.category == TriggerCategory::Terminate && f.tokens.0 >= between.start && f.tokens.1 <= between.end
    });
    // A section or exam label that starts after the first of the two closes the scope.
    let next_boundary = boundaries.partition_point(|&b| b <= gap.0);
    let crosses_section = boundaries.get(next_boundary).is_some_and(|&b| b <= gap.1);
    !terminated && !crosses_section
}

/// Gives an assertion the attribute of a trigger category.
fn set(assertion: &mut Assertion, category: TriggerCategory) {
    match category {
        TriggerCategory::Negated => assertion.negated = true,
        TriggerCategory::Uncertain => assertion.uncertain = true,
        TriggerCategory::Historical => assertion.historical = true,
        TriggerCategory::Hypothetical => assertion.hypothetical = true,
        TriggerCategory::Family => assertion.experiencer = Experiencer::Family,
        TriggerCategory::Pseudo | TriggerCategory::Terminate => {}
    }
}
