//! Context of each concept mention: negated, uncertain, historical, hypothetical, and who
//! experienced it, after ConText (Harkema et al., J Biomed Inform 2009) with its rules as data
//! (`data/ro/context.tsv`, `data/ro/section_context.tsv`).
//!
//! A trigger phrase gives its attribute to the mentions in its scope: forward, backward or both
//! from the trigger, at most `window` tokens away, never past the sentence, a terminating word
//! ("dar", "însă", "iar", ";"), or the start of a section or exam label ("Neurologic: fără focar
//! AR: MVC": "MVC" is not negated). A pseudo-trigger ("fără îndoială") holds its tokens so that
//! the shorter trigger inside it does not fire. Longest triggers win; a phrase listed under two
//! categories ("fără antecedente de": negated and historical) gives both. A section title that says
//! so ("AHC:", "Antecedente personale patologice:") gives its attribute to the mentions of the
//! sentence it opens, or of the lines it heads as a list (`default_reach`), for the entity types
//! its row names (the past history's drugs are the current treatment).
//!
//! Two extensions of ConText, both driven by the data:
//! - A number in a trigger phrase (`#`, or any number written there: "nici un" is "nici #")
//!   stands for any number, in digits or in words:
//!   "în urmă cu # ani" dates a finding ("în urmă cu 3 ani", "în urmă cu doi ani"), while "în urmă
//!   cu # ore" is a pseudo-trigger (an onset hours ago is the present illness).
//! - A terminating phrase may name entity types: it then ends scopes only for mentions of those
//!   types. "cunoscut cu HTA în tratament cu amlodipină și DZ tip 2" dates both diseases; the
//!   drug after "în tratament cu" is the current treatment, not history.

use std::ops::Range;

use rustc_hash::FxHashSet;

use crate::analysis::Assertion;
use crate::analysis::{EntityType, Experiencer};
use crate::doc::Doc;
use crate::knowledge::concepts::ConceptEntry;
use crate::knowledge::{EntityTypes, NumberWords, Phrase, TriggerCategory, TriggerDirection, TriggerRule};
use crate::span::Span;
use crate::text::phrases::{word_hash, HashFilter, PhraseIndex};
use crate::text::sentences::Sentence;
use crate::text::tokenize::TokenKind;

/// How a trigger phrase writes "any number".
const NUMBER: &str = "#";

#[derive(Debug, Clone)]
pub struct ContextMatcher {
    triggers: PhraseIndex<TriggerRule>,
    section_defaults: Vec<(Phrase, TriggerCategory, Option<EntityTypes>)>,
    /// Number words by plain form ("doi", "două"): they match `#` like numbers in digits.
    number_words: FxHashSet<String>,
    /// Their hashes ([`word_hash`]), which refuse almost every other word by one bit test of
    /// `Token::plain_hash`, before its text is looked up.
    number_hashes: Box<HashFilter>,
    /// The hash of [`NUMBER`], the form of every number.
    number_hash: u64,
}

/// A trigger found in a sentence.
#[derive(Debug, Clone, Copy)]
struct Found {
    tokens: (usize, usize),
    rule: TriggerRule,
}

impl ContextMatcher {
    pub fn new(
        triggers: &[(Phrase, TriggerRule)],
        section_defaults: &[(Phrase, TriggerCategory, Option<EntityTypes>)],
        number_words: &NumberWords,
    ) -> Self {
        let number_words: FxHashSet<String> = number_words.keys().cloned().collect();
        // A number in the data's phrases ("în urmă cu o oră") matches any number, as `#` does.
        let is_number = |form: &str| {
            form == NUMBER
                || number_words.contains(form)
                || (!form.is_empty() && form.bytes().all(|b| b.is_ascii_digit()))
        };
        let triggers = triggers.iter().map(|(phrase, rule)| {
            let phrase = phrase.iter().map(|form| if is_number(form) { NUMBER.to_owned() } else { form.clone() });
            (phrase.collect(), *rule)
        });
        let mut number_hashes = Box::<HashFilter>::default();
        for word in &number_words {
            number_hashes.insert(word_hash(word));
        }
        ContextMatcher {
            number_hashes,
            number_hash: word_hash(NUMBER),
            triggers: PhraseIndex::new(triggers),
            section_defaults: section_defaults.to_vec(),
            number_words,
        }
    }

    /// Sets the context of every mention of `doc`.
    pub fn annotate(&self, doc: &mut Doc<'_>, concepts: &[ConceptEntry]) {
        let mut contexts = vec![Assertion::default(); doc.mentions.len()];
        let mut boundaries: Vec<usize> = doc.sections.iter().map(|s| s.span.start).collect();
        // Sorted, so that a scope asks for the first boundary after its start by binary search.
        boundaries.sort_unstable();
        // Each token's form hash once: candidates compare the same tokens many times, by hash,
        // and by text only when the hashes agree.
        let hashes: Vec<u64> = (0..doc.tokens.len()).map(|k| self.form_hash(doc, k)).collect();
        let forms = |k: usize| self.form(doc, k);
        for sentence in doc.sentences.iter().filter(|s| !doc.is_hidden(s.span)) {
            let found = self.triggers_in(forms, &hashes, sentence.tokens.clone());
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
                    if applies && in_scope(doc, &found, &boundaries, trigger, &mention.tokens, entity_type) {
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
                .filter(|(phrase, ..)| title_words.iter().copied().eq(phrase.iter().map(String::as_str)));
            let Some(reach) = default_reach(doc, section.span, title) else { continue };
            for (_, category, applies_to) in defaults {
                for (m, mention) in doc.mentions.iter().enumerate() {
                    let entity_type = concepts[mention.concept as usize].concept_type.entity_type();
                    if reach.contains(mention.span)
                        && applies_to.is_none_or(|types| types.contains(entity_type))
                        && qualifies(entity_type, *category)
                    {
                        set(&mut contexts[m], *category);
                    }
                }
            }
        }
        doc.contexts = contexts;
    }

    /// The triggers of a sentence, left to right; `forms` gives the tokens' forms
    /// ([`Self::form`]) and `hashes` holds their hashes ([`Self::form_hash`]).
    fn triggers_in<'d>(&self, forms: impl Fn(usize) -> &'d str, hashes: &[u64], tokens: Range<usize>) -> Vec<Found> {
        let mut found = Vec::new();
        let mut i = tokens.start;
        while i < tokens.end {
            // The longest phrase wins; a phrase listed under several categories gives each.
            let mut longest = 0;
            for (len, rule) in self.triggers.matches_hashed(|k| hashes[k], &forms, i, tokens.end) {
                if len < longest {
                    break;
                }
                longest = len;
                found.push(Found { tokens: (i, i + len), rule: *rule });
            }
            i += longest.max(1);
        }
        found
    }

    /// Whether token `k` stands for any number: a number, a range, or a number word.
    fn is_number(&self, doc: &Doc<'_>, k: usize) -> bool {
        let token = &doc.tokens[k];
        matches!(token.kind, TokenKind::Number | TokenKind::Range)
            || (self.number_hashes.may_contain(token.plain_hash) && self.number_words.contains(doc.plain(k)))
    }

    /// The form of token `k` that trigger phrases are compared with: `#` for a number, else its
    /// plain form.
    fn form<'d>(&self, doc: &'d Doc<'_>, k: usize) -> &'d str {
        if self.is_number(doc, k) {
            NUMBER
        } else {
            doc.plain(k)
        }
    }

    /// The hash ([`word_hash`]) of the form of token `k`: the token's own `plain_hash` for a word.
    fn form_hash(&self, doc: &Doc<'_>, k: usize) -> u64 {
        if self.is_number(doc, k) {
            self.number_hash
        } else {
            doc.tokens[k].plain_hash
        }
    }
}

/// Where the default of a section title reaches. The items written after the title on its line
/// ("AHC: mama cu DZ tip 2.") end with that sentence: the section itself may run on through text
/// that is the patient's own ("Antecedente: HTA. Se prezintă pentru …"). A title that ends its
/// line heads a list, which runs over the following lines up to a blank line or the section's
/// end ("Antecedente personale patologice:⏎- HTA⏎- DZ tip 2").
fn default_reach(doc: &Doc<'_>, section: Span, title: Span) -> Option<Span> {
    let first = doc.sentences.iter().position(|s| s.span.contains(title))?;
    let sentence = &doc.sentences[first];
    let mut end = sentence.span.end.min(section.end);
    let newlines_before = |s: &Sentence| doc.tokens.get(s.tokens.start).map_or(0, |t| t.newlines_before);
    let items_on_title_line = doc.tokens[sentence.tokens.clone()]
        .iter()
        .any(|t| t.span.start >= title.end && doc.text[t.span.range()] != *":");
    let list = doc.sentences.get(first + 1).filter(|s| !items_on_title_line && newlines_before(s) == 1);
    if list.is_some() {
        for next in &doc.sentences[first + 1..] {
            if next.span.start >= section.end || newlines_before(next) > 1 {
                break;
            }
            end = next.span.end.min(section.end);
        }
    }
    Some(Span::new(title.end, end))
}

/// Whether an attribute can hold of a mention of this type at all. A body part is where a
/// finding is, not a finding: "fără leziuni pe artera circumflexă" negates the lesions, not the
/// artery, and "antecedente de episod similar la nivelul genunchiului" dates the episode, not
/// the knee. Anatomy therefore takes only the experiencer (whose body it is).
fn qualifies(entity_type: EntityType, category: TriggerCategory) -> bool {
    entity_type != EntityType::Anatomy || category == TriggerCategory::Family
}

/// Whether `mention` (of type `entity_type`) lies in the scope of `trigger`.
fn in_scope(
    doc: &Doc<'_>,
    found: &[Found],
    boundaries: &[usize],
    trigger: &Found,
    mention: &Range<usize>,
    entity_type: EntityType,
) -> bool {
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
    // A terminator that names entity types ends the scope only for mentions of those types.
    let terminated = found.iter().any(|f| {
        f.rule.category == TriggerCategory::Terminate
            && f.tokens.0 >= between.start
            && f.tokens.1 <= between.end
            && f.rule.applies_to.is_none_or(|types| types.contains(entity_type))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Engine;

    /// The filter of number-word hashes only refuses early: a token is a number exactly when it
    /// is one by kind or its plain form is a number word.
    #[test]
    fn the_number_filter_refuses_only_what_the_word_list_refuses() {
        let engine = Engine::new().unwrap();
        let knowledge = engine.knowledge();
        let matcher = ContextMatcher::new(&knowledge.triggers, &knowledge.section_context, &knowledge.number_words);
        let mut numbers = 0;
        for (path, text) in crate::corpus_texts() {
            let doc = engine.text_layer(&text, &crate::Options::default()).unwrap();
            for (k, token) in doc.tokens.iter().enumerate() {
                let by_word = knowledge.number_words.contains_key(doc.plain(k));
                let expected = matches!(token.kind, TokenKind::Number | TokenKind::Range) || by_word;
                assert_eq!(matcher.is_number(&doc, k), expected, "{:?} in {path:?}", doc.plain(k));
                numbers += usize::from(by_word);
            }
        }
        assert!(numbers > 100, "the corpus writes numbers in words: {numbers}");
    }
}
