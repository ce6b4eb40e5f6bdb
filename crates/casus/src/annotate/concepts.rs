//! Concept recognition: every mention of a concept of the inventory, whatever its inflection,
//! diacritics or case, never inside a word, longest match first.
//!
//! Each token gets a match key (`text::stem::key`); each distinct key of the inventory's terms
//! becomes one symbol, a char of the supplementary planes. A term is then the string of its
//! tokens' symbols, and a document the string of its tokens' symbols (a token whose key no term
//! uses, and every sentence end, become a boundary symbol no term contains). One Aho-Corasick
//! automaton over those strings finds the leftmost-longest terms: matches start and end on
//! token boundaries by construction, and cost one hash lookup per token plus the automaton.
//!
//! Coordination: after a term of two or more tokens, "și", "sau" or a comma followed by a word
//! that can replace the term's last word gives another mention ("dureri abdominale și lombare":
//! abdominal pain, and "dureri … lombare": lumbar pain), recorded with its two fragments.

use aho_corasick::{AhoCorasick, MatchKind};
use rustc_hash::FxHashMap;

use crate::annotate::measure::{reading_after, Reading};
use crate::doc::{Doc, Mention};
use crate::knowledge::concepts::{ConceptEntry, ConceptType};
use crate::knowledge::{AbbreviationCue, AbbreviationReading, ValueWords};
use crate::span::Span;
use crate::text::normalize::Views;
use crate::text::stem;
use crate::text::tokenize::{tokenize, TokenRules};

/// The symbol of a token that no term uses, and of a sentence end.
const BOUNDARY: char = '\u{10000}';

/// The genitive articles, which Romanian drops after a definite noun (plain forms).
const GENITIVE_ARTICLES: &[&str] = &["a", "al", "ai", "ale"];

/// Words that coordinate two modifiers of one head (plain forms).
const COORDINATORS: &[&str] = &["si", "sau", ",", "ori"];

fn symbol(id: u32) -> char {
    // Ids stay far below the 1,048,575 code points from U+10001 on.
    char::from_u32(0x10001 + id).unwrap_or(BOUNDARY)
}

/// The compiled matcher of the concept inventory.
#[derive(Debug, Clone)]
pub struct ConceptMatcher {
    vocabulary: FxHashMap<String, u32>,
    automaton: AhoCorasick,
    /// For each pattern of the automaton: the concept it names.
    pattern_concept: Vec<u32>,
    /// Every term's symbol string, for coordination look-ups.
    by_symbols: FxHashMap<String, u32>,
    /// Terms that were dropped because an earlier concept has the same key sequence.
    pub shadowed_terms: usize,
    /// Ambiguous abbreviations by exact spelling: their readings, in order.
    ambiguous: FxHashMap<String, Vec<(u32, AbbreviationCue)>>,
    value_words: ValueWords,
}

impl ConceptMatcher {
    pub fn new(
        concepts: &[ConceptEntry],
        rules: &TokenRules,
        readings: &[AbbreviationReading],
        value_words: &ValueWords,
    ) -> ConceptMatcher {
        let mut ambiguous: FxHashMap<String, Vec<(u32, AbbreviationCue)>> = FxHashMap::default();
        for reading in readings {
            if let Some(index) = concepts.iter().position(|c| c.id == reading.concept_id) {
                ambiguous.entry(reading.form.clone()).or_default().push((index as u32, reading.cue));
            }
        }
        let mut vocabulary: FxHashMap<String, u32> = FxHashMap::default();
        let mut patterns: Vec<String> = Vec::new();
        let mut pattern_concept = Vec::new();
        let mut by_symbols: FxHashMap<String, u32> = FxHashMap::default();
        let mut shadowed_terms = 0;
        // All terms are tokenized in one pass over one text, a term per line: one set of views
        // instead of one per term keeps the engine's start-up short.
        let mut all = String::new();
        let mut terms: Vec<(u32, std::ops::Range<usize>)> = Vec::new();
        for (index, concept) in concepts.iter().enumerate() {
            for term in concept.terms.iter().chain(&concept.abbreviations) {
                let start = all.len();
                all.push_str(term);
                terms.push((index as u32, start..all.len()));
                all.push('\n');
            }
        }
        let views = Views::new(&all);
        let tokens = tokenize(&all, &views, rules);
        let mut next_token = 0;
        for (concept, range) in terms {
            let first = next_token;
            while next_token < tokens.len() && tokens[next_token].span.end <= range.end {
                next_token += 1;
            }
            let term_tokens = &tokens[first..next_token];
            let mut full = String::new();
            // The same term without its genitive article: "drenare a abcesului" is also
            // written "drenarea abcesului".
            let mut without_article = String::new();
            for (n, token) in term_tokens.iter().enumerate() {
                let plain = views.plain.slice(token.span);
                let key = stem::key(&all[token.span.range()], plain);
                let next = vocabulary.len() as u32;
                let id = *vocabulary.entry(key.into_owned()).or_insert(next);
                full.push(symbol(id));
                let inner = n > 0 && n + 1 < term_tokens.len();
                if !(inner && GENITIVE_ARTICLES.contains(&plain)) {
                    without_article.push(symbol(id));
                }
            }
            let variants = if without_article != full { vec![full, without_article] } else { vec![full] };
            for symbols in variants.into_iter().filter(|s| !s.is_empty()) {
                if by_symbols.contains_key(&symbols) {
                    shadowed_terms += 1;
                    continue;
                }
                by_symbols.insert(symbols.clone(), concept);
                patterns.push(symbols);
                pattern_concept.push(concept);
            }
        }
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&patterns)
            .expect("term patterns are small enough for an automaton");
        ConceptMatcher {
            vocabulary,
            automaton,
            pattern_concept,
            by_symbols,
            shadowed_terms,
            ambiguous,
            value_words: value_words.clone(),
        }
    }

    /// The symbol of token `i` of `doc`.
    fn token_symbol(&self, doc: &Doc<'_>, i: usize) -> char {
        let key = stem::key(doc.token_text(i), doc.plain(i));
        self.vocabulary.get(key.as_ref()).map_or(BOUNDARY, |&id| symbol(id))
    }

    /// Finds the concept mentions of the visible text of `doc`.
    pub fn annotate(&self, doc: &mut Doc<'_>, concepts: &[ConceptEntry]) {
        let mut symbols = String::with_capacity(doc.tokens.len() * 4 + doc.sentences.len() * 4);
        // For each symbol position, the token it stands for (usize::MAX for a sentence end).
        let mut token_of = Vec::with_capacity(doc.tokens.len() + doc.sentences.len());
        for sentence in doc.sentences.iter().filter(|s| !doc.is_hidden(s.span)) {
            for i in sentence.tokens.clone() {
                symbols.push(self.token_symbol(doc, i));
                token_of.push(i);
            }
            symbols.push(BOUNDARY);
            token_of.push(usize::MAX);
        }
        let width = BOUNDARY.len_utf8();
        let mut mentions = Vec::new();
        let mut names = Vec::new();
        for found in self.automaton.find_iter(&symbols) {
            let (first, last) = (token_of[found.start() / width], token_of[found.end() / width - 1]);
            let concept = self.pattern_concept[found.pattern().as_usize()];
            let span = Span::new(doc.tokens[first].span.start, doc.tokens[last].span.end);
            if names_a_measurement(doc, last, concepts[concept as usize].concept_type, &self.value_words) {
                names.push(Mention { span, fragments: Vec::new(), concept, tokens: first..last + 1 });
                continue;
            }
            if in_exam_label(doc, span) {
                continue;
            }
            mentions.push(Mention { span, fragments: Vec::new(), concept, tokens: first..last + 1 });
            if last > first {
                let head = &symbols[found.start()..found.end() - width];
                self.coordinated(doc, concepts, (head, first, last), &mut mentions);
            }
        }
        self.resolve_abbreviations(doc, concepts, &token_of, (&mut mentions, &mut names));
        mentions.sort_by_key(|m| (m.span.start, m.span.end));
        names.sort_by_key(|m| (m.span.start, m.span.end));
        doc.mentions = mentions;
        doc.measurement_names = names;
    }

    /// Mentions made by coordination after a term: "dureri abdominale și lombare".
    fn coordinated(
        &self,
        doc: &Doc<'_>,
        concepts: &[ConceptEntry],
        (head, first, last): (&str, usize, usize),
        out: &mut Vec<Mention>,
    ) {
        let mut at = last + 1;
        let mut key = String::with_capacity(head.len() + 4);
        while at + 1 < doc.tokens.len() && COORDINATORS.contains(&doc.plain(at)) {
            let candidate = at + 1;
            key.clear();
            key.push_str(head);
            key.push(self.token_symbol(doc, candidate));
            let Some(&concept) = self.by_symbols.get(&key) else { break };
            // A word that is a finding on its own is listed, not coordinated
            // ("senzație de distrofie, greață": nausea, not "senzație de greață").
            if self.is_finding_alone(doc, candidate, concepts) {
                break;
            }
            let head_span = Span::new(doc.tokens[first].span.start, doc.tokens[last - 1].span.end);
            let tail = doc.tokens[candidate].span;
            out.push(Mention {
                span: head_span.cover(tail),
                fragments: vec![head_span, tail],
                concept,
                tokens: first..candidate + 1,
            });
            at = candidate + 1;
        }
    }
}

impl ConceptMatcher {
    /// Gives each ambiguous abbreviation that no term covers the first reading whose cue holds.
    fn resolve_abbreviations(
        &self,
        doc: &Doc<'_>,
        concepts: &[ConceptEntry],
        visible: &[usize],
        (mentions, names): (&mut Vec<Mention>, &mut Vec<Mention>),
    ) {
        if self.ambiguous.is_empty() {
            return;
        }
        let covered = |i: usize, list: &[Mention]| list.iter().any(|m| m.tokens.contains(&i));
        for &i in visible.iter().filter(|&&i| i != usize::MAX) {
            let Some(readings) = self.ambiguous.get(doc.token_text(i)) else { continue };
            if covered(i, mentions) || covered(i, names) {
                continue;
            }
            let sentence = doc.sentences.iter().find(|s| s.tokens.contains(&i));
            let organism_after = sentence.is_some_and(|s| {
                mentions.iter().any(|m| {
                    m.tokens.start > i
                        && m.tokens.end <= s.tokens.end
                        && concepts[m.concept as usize].concept_type == ConceptType::Organism
                })
            });
            let reading = readings.iter().find(|(_, cue)| match cue {
                AbbreviationCue::Value => reading_after(doc, i, &self.value_words).is_some(),
                AbbreviationCue::Organism => organism_after,
                AbbreviationCue::Always => true,
            });
            let Some(&(concept, _)) = reading else { continue };
            let mention = Mention { span: doc.tokens[i].span, fragments: Vec::new(), concept, tokens: i..i + 1 };
            if names_a_measurement(doc, i, concepts[concept as usize].concept_type, &self.value_words) {
                names.push(mention);
            } else {
                mentions.push(mention);
            }
        }
    }

    /// Whether token `i` alone names a disorder or a sign.
    fn is_finding_alone(&self, doc: &Doc<'_>, i: usize, concepts: &[ConceptEntry]) -> bool {
        let mut key = String::with_capacity(4);
        key.push(self.token_symbol(doc, i));
        self.by_symbols.get(&key).is_some_and(|&c| {
            matches!(concepts[c as usize].concept_type, ConceptType::Disorder | ConceptType::SignSymptom)
        })
    }
}

/// Whether a span lies in the label of an exam system (`Abdomen:`, `Membrele inferioare:`): a
/// heading, not a finding.
fn in_exam_label(doc: &Doc<'_>, span: Span) -> bool {
    doc.sections.iter().any(|s| s.level == 2 && s.title.is_some_and(|title| title.contains(span)))
}

/// Whether a concept named at token `last` is the name of a measurement, not a mention of the
/// test: a lab or vital followed by its value or result ("creatinină 0,80", "troponină
/// negativă"), or a diagnostic test followed by its qualitative result ("Test Coombs direct
/// negativ", "test de sarcină negativ").
fn names_a_measurement(doc: &Doc<'_>, last: usize, concept_type: ConceptType, words: &ValueWords) -> bool {
    match concept_type {
        ConceptType::Lab | ConceptType::Vital => reading_after(doc, last, words).is_some(),
        ConceptType::Test => matches!(reading_after(doc, last, words), Some(Reading::Result(..))),
        _ => false,
    }
}
