//! Concept recognition: every mention of a concept of the inventory, whatever its inflection,
//! diacritics or case, never inside a word, longest match first.
//!
//! Each token gets a match key (`text::stem::key`); each distinct key of the inventory's terms
//! becomes one symbol (a number). A term is then the sequence of its tokens' symbols, and a
//! document the sequence of its tokens' symbols (a token whose key no term uses, and every
//! sentence end, become a boundary symbol no term contains). A trie of the terms' sequences
//! finds the leftmost-longest terms, as an Aho-Corasick automaton in that mode would: from each
//! token, the longest term that starts there; the scan resumes after it. Matches start and end
//! on token boundaries by construction, and cost one hash lookup per token plus a table look-up
//! into the trie's root (most tokens start no term); a trie builds in a fraction of the time of
//! an automaton over 25,000 patterns.
//!
//! Coordination: after a term of two or more tokens, "și", "sau" or a comma followed by a word
//! that can replace the term's last word gives another mention ("dureri abdominale și lombare":
//! abdominal pain, and "dureri … lombare": lumbar pain), recorded with its two fragments.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};

use rustc_hash::{FxHashMap, FxHashSet};

use crate::annotate::measure::{reading_after, Reading};
use crate::doc::{Doc, Mention};
use crate::knowledge::concepts::{ConceptEntry, ConceptType};
use crate::knowledge::{AbbreviationCue, AbbreviationReading, ValueWords};
use crate::span::Span;
use crate::text::normalize::Views;
use crate::text::stem;
use crate::text::tokenize::{tokenize, TokenKind, TokenRules};

/// The symbol of a token that no term uses, and of a sentence end.
const BOUNDARY: u32 = u32::MAX;

/// The genitive articles, which Romanian drops after a definite noun (plain forms).
const GENITIVE_ARTICLES: &[&str] = &["a", "al", "ai", "ale"];

/// Words that coordinate two modifiers of one head (plain forms).
const COORDINATORS: &[&str] = &["si", "sau", ",", "ori"];

/// No node, no concept.
const NONE: u32 = u32::MAX;

/// The terms as sequences of symbols, in a trie whose nodes know the concept of the term that
/// ends there.
#[derive(Debug, Clone, Default)]
struct TermTrie {
    /// The children of the root, by symbol (dense: every term starts with a known symbol).
    root: Vec<u32>,
    /// The other edges: (node << 32 | symbol) → node.
    edges: FxHashMap<u64, u32>,
    /// For each node (node 0 is the root), the concept of the term that ends there, or `NONE`.
    concept: Vec<u32>,
}

impl TermTrie {
    fn child(&self, node: u32, symbol: u32) -> Option<u32> {
        let next = if node == 0 {
            self.root.get(symbol as usize).copied().unwrap_or(NONE)
        } else {
            self.edges.get(&(u64::from(node) << 32 | u64::from(symbol))).copied().unwrap_or(NONE)
        };
        (next != NONE).then_some(next)
    }

    /// Adds a term; false (and nothing changed) when the same sequence is already a term.
    fn insert(&mut self, symbols: &[u32], concept: u32) -> bool {
        if self.concept.is_empty() {
            self.concept.push(NONE);
        }
        let mut node = 0;
        for &symbol in symbols {
            node = match self.child(node, symbol) {
                Some(next) => next,
                None => {
                    let next = self.concept.len() as u32;
                    self.concept.push(NONE);
                    if node == 0 {
                        if self.root.len() <= symbol as usize {
                            self.root.resize(symbol as usize + 1, NONE);
                        }
                        self.root[symbol as usize] = next;
                    } else {
                        self.edges.insert(u64::from(node) << 32 | u64::from(symbol), next);
                    }
                    next
                }
            };
        }
        if self.concept[node as usize] != NONE {
            return false;
        }
        self.concept[node as usize] = concept;
        true
    }

    /// The concept of the term that is exactly `symbols`.
    fn get(&self, symbols: &[u32]) -> Option<u32> {
        let mut node = 0;
        for &symbol in symbols {
            node = self.child(node, symbol)?;
        }
        self.concept.get(node as usize).copied().filter(|&c| c != NONE && node != 0)
    }

    /// The longest term that starts at `symbols[0]`: its length and concept.
    fn longest(&self, symbols: &[u32]) -> Option<(usize, u32)> {
        let mut node = 0;
        let mut best = None;
        for (n, &symbol) in symbols.iter().enumerate() {
            let Some(next) = self.child(node, symbol) else { break };
            node = next;
            let concept = self.concept[node as usize];
            if concept != NONE {
                best = Some((n + 1, concept));
            }
        }
        best
    }
}

/// The compiled matcher of the concept inventory.
#[derive(Debug, Clone)]
pub struct ConceptMatcher {
    /// Unique to this matcher (and its clones, which give the same symbols): the per-thread
    /// memo of word symbols knows by it whose symbols it holds.
    id: u64,
    vocabulary: FxHashMap<String, u32>,
    /// Plain forms matched exactly, not by their stem: the words of abbreviations not written
    /// in capitals ("che" of "ChE"), with their symbols.
    exact: FxHashMap<String, u32>,
    /// The symbol of each ASCII byte as a token of its own (`,`, `(`, `-`): punctuation, among
    /// the commonest tokens, gets its symbol by one index instead of the memo.
    byte_symbols: [u32; 128],
    /// Every term's symbol sequence, with its concept.
    terms: TermTrie,
    /// The longest spelling of an ambiguous abbreviation, in bytes: a longer token is none.
    longest_ambiguous: usize,
    /// The first bytes of the ambiguous abbreviations' spellings: a token that starts with
    /// another byte is none, without a look-up.
    ambiguous_first_bytes: [bool; 256],
    /// Terms that were dropped because an earlier concept has the same key sequence.
    pub shadowed_terms: usize,
    /// Ambiguous abbreviations by exact spelling: their readings, in order.
    ambiguous: FxHashMap<String, Vec<(u32, AbbreviationCue)>>,
    value_words: ValueWords,
    /// Culture tests (concepts whose specimen the microbiology stage knows): their results are
    /// microbiology records, never measurements.
    cultures: FxHashSet<u32>,
    /// The diagnostic test under a procedure of the inventory (lumbar puncture → diagnostic
    /// lumbar puncture): a procedure written as the label of its findings is that test.
    diagnostic_variants: FxHashMap<u32, u32>,
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
        let mut trie = TermTrie::default();
        let mut shadowed_terms = 0;
        let by_id: FxHashMap<&str, u32> = concepts.iter().enumerate().map(|(n, c)| (c.id.as_str(), n as u32)).collect();
        let mut diagnostic_variants = FxHashMap::default();
        for (n, child) in concepts.iter().enumerate().filter(|(_, c)| c.concept_type == ConceptType::Test) {
            let parent = child.parent.as_deref().and_then(|p| by_id.get(p).copied());
            if let Some(parent) = parent.filter(|&p| concepts[p as usize].concept_type == ConceptType::Procedure) {
                // The first such test in inventory order.
                diagnostic_variants.entry(parent).or_insert(n as u32);
            }
        }
        // All terms are tokenized in one pass over one text, a term per line: one set of views
        // instead of one per term keeps the engine's start-up short.
        let mut all = String::new();
        let mut terms: Vec<(u32, std::ops::Range<usize>, bool)> = Vec::new();
        for (index, concept) in concepts.iter().enumerate() {
            let abbreviations = concept.abbreviations.iter().map(|a| (a, true));
            for (term, abbreviation) in concept.terms.iter().map(|t| (t, false)).chain(abbreviations) {
                let start = all.len();
                all.push_str(term);
                terms.push((index as u32, start..all.len(), abbreviation));
                all.push('\n');
            }
        }
        let views = Views::new(&all);
        let tokens = tokenize(&all, &views, rules);
        let term_tokens_of = |range: &std::ops::Range<usize>| {
            let first = tokens.partition_point(|t| t.span.start < range.start);
            let end = tokens.partition_point(|t| t.span.end <= range.end);
            first..end
        };
        // The words of abbreviations in mixed case ("ChE", "SpO2", "Hb") match by their exact
        // plain form: stemmed, "ChE" would also be "cheie" (stem "che").
        let mut exact: FxHashMap<String, u32> = FxHashMap::default();
        for (_, range, _) in terms.iter().filter(|(_, _, abbreviation)| *abbreviation) {
            for token in &tokens[term_tokens_of(range)] {
                let original = &all[token.span.range()];
                // Ordinary words of an abbreviated phrase ("FA paroxistică") still inflect.
                let abbreviated = original.chars().any(|c| c.is_uppercase() || c.is_ascii_digit());
                if abbreviated && token.kind != TokenKind::Punct && !stem::is_capital_abbreviation(original) {
                    let next = vocabulary.len() as u32;
                    let plain = views.plain.slice(token.span);
                    let id = *vocabulary.entry(format!("={plain}")).or_insert(next);
                    exact.insert(plain.to_owned(), id);
                }
            }
        }
        for (concept, range, _) in terms {
            let term_tokens = &tokens[term_tokens_of(&range)];
            let mut full = Vec::with_capacity(term_tokens.len());
            // The same term without its genitive article: "drenare a abcesului" is also
            // written "drenarea abcesului".
            let mut without_article = Vec::with_capacity(term_tokens.len());
            for (n, token) in term_tokens.iter().enumerate() {
                let plain = views.plain.slice(token.span);
                let original = &all[token.span.range()];
                let id = match exact.get(plain) {
                    Some(&id) if !stem::is_capital_abbreviation(original) => id,
                    _ => {
                        let key = stem::key(original, plain);
                        let next = vocabulary.len() as u32;
                        *vocabulary.entry(key.into_owned()).or_insert(next)
                    }
                };
                full.push(id);
                let inner = n > 0 && n + 1 < term_tokens.len();
                if !(inner && GENITIVE_ARTICLES.contains(&plain)) {
                    without_article.push(id);
                }
            }
            let variants: &[&[u32]] = if without_article != full { &[&full, &without_article] } else { &[&full] };
            for symbols in variants.iter().filter(|s| !s.is_empty()) {
                if !trie.insert(symbols, concept) {
                    shadowed_terms += 1;
                }
            }
        }
        // A one-byte token's original spelling is the byte, its plain form the byte lower-cased.
        let byte_symbols: [u32; 128] = std::array::from_fn(|b| {
            let original = char::from(b as u8).to_string();
            let plain = original.to_ascii_lowercase();
            vocabulary.get(stem::key(&original, &plain).as_ref()).copied().unwrap_or(BOUNDARY)
        });
        let longest_ambiguous = ambiguous.keys().map(String::len).max().unwrap_or(0);
        let mut ambiguous_first_bytes = [false; 256];
        for form in ambiguous.keys() {
            if let Some(&first) = form.as_bytes().first() {
                ambiguous_first_bytes[usize::from(first)] = true;
            }
        }
        ConceptMatcher {
            id: NEXT_MATCHER_ID.fetch_add(1, Ordering::Relaxed),
            vocabulary,
            exact,
            byte_symbols,
            terms: trie,
            longest_ambiguous,
            ambiguous_first_bytes,
            shadowed_terms,
            ambiguous,
            value_words: value_words.clone(),
            cultures: FxHashSet::default(),
            diagnostic_variants,
        }
    }

    /// The concept a mention ending at token `last` names: a procedure that has a diagnostic
    /// test under it, followed by a colon and its findings ("Toracenteza: lichid exudativ",
    /// "Puncția lombară: lichid clar"), is that test; otherwise `concept`.
    fn as_labelled(&self, doc: &Doc<'_>, last: usize, concept: u32) -> u32 {
        match self.diagnostic_variants.get(&concept) {
            Some(&test) if last + 1 < doc.tokens.len() && doc.token_text(last + 1) == ":" => test,
            _ => concept,
        }
    }

    /// The matcher, told which concepts are culture tests (and so are the concepts they narrow:
    /// "cultură" above "coprocultură"): a culture named with its result ("Coprocultură negativă",
    /// "cultură pozitivă") stays a test mention, whose result the microbiology stage reads.
    pub fn with_cultures<'a>(mut self, concepts: &[ConceptEntry], ids: impl IntoIterator<Item = &'a str>) -> Self {
        let mut ids: FxHashSet<&str> = ids.into_iter().collect();
        let parents: Vec<&str> =
            concepts.iter().filter(|c| ids.contains(c.id.as_str())).filter_map(|c| c.parent.as_deref()).collect();
        ids.extend(parents);
        self.cultures =
            concepts.iter().enumerate().filter(|(_, c)| ids.contains(c.id.as_str())).map(|(n, _)| n as u32).collect();
        self
    }

    /// Whether the concept named at token `last` names a measurement (see [`names_a_measurement`]).
    fn names_a_measurement(&self, doc: &Doc<'_>, last: usize, concept: u32, concept_type: ConceptType) -> bool {
        !self.cultures.contains(&concept) && names_a_measurement(doc, last, concept_type, &self.value_words)
    }

    /// The symbol of token `i` of `doc`.
    fn token_symbol(&self, doc: &Doc<'_>, i: usize) -> u32 {
        let mut buffer = String::new();
        if stem::is_capital_abbreviation(doc.token_text(i)) {
            return self.symbol_of_key(stem::abbreviation_key_in(doc.token_text(i), &mut buffer));
        }
        self.word_symbol(doc.plain(i), &mut buffer)
    }

    /// The symbol of a word that is not a capital abbreviation: its exact plain form when an
    /// abbreviation is written so, else its stem.
    fn word_symbol(&self, plain: &str, buffer: &mut String) -> u32 {
        match self.exact.get(plain) {
            Some(&symbol) => symbol,
            None => self.symbol_of_key(stem::stem_in(plain, buffer)),
        }
    }

    fn symbol_of_key(&self, key: &str) -> u32 {
        self.vocabulary.get(key).copied().unwrap_or(BOUNDARY)
    }

    /// Finds the concept mentions of the visible text of `doc`.
    pub fn annotate(&self, doc: &mut Doc<'_>, concepts: &[ConceptEntry]) {
        let mut symbols = Vec::with_capacity(doc.tokens.len() + doc.sentences.len());
        // For each symbol position, the token it stands for (usize::MAX for a sentence end).
        let mut token_of = Vec::with_capacity(doc.tokens.len() + doc.sentences.len());
        WORD_SYMBOLS.with_borrow_mut(|words| {
            words.serve(self);
            for sentence in doc.sentences.iter().filter(|s| !doc.is_hidden(s.span)) {
                for i in sentence.tokens.clone() {
                    symbols.push(words.symbol(self, doc, i));
                    token_of.push(i);
                }
                symbols.push(BOUNDARY);
                token_of.push(usize::MAX);
            }
        });
        // About one mention per eight tokens in case reports: room for most documents at once.
        let mut mentions = Vec::with_capacity(doc.tokens.len() / 8);
        let mut names = Vec::with_capacity(doc.tokens.len() / 32);
        let mut at = 0;
        while at < symbols.len() {
            let Some((len, concept)) = self.terms.longest(&symbols[at..]) else {
                at += 1;
                continue;
            };
            let (start, end) = (at, at + len);
            at = end;
            let (first, last) = (token_of[start], token_of[end - 1]);
            let span = Span::new(doc.tokens[first].span.start, doc.tokens[last].span.end);
            if self.names_a_measurement(doc, last, concept, concepts[concept as usize].concept_type) {
                names.push(Mention { span, fragments: Vec::new(), concept, tokens: first..last + 1 });
                continue;
            }
            if in_exam_label(doc, span) {
                continue;
            }
            let concept = self.as_labelled(doc, last, concept);
            mentions.push(Mention { span, fragments: Vec::new(), concept, tokens: first..last + 1 });
            if last > first {
                let head = &symbols[start..end - 1];
                self.coordinated(doc, concepts, (head, first, last), &mut mentions);
                if concepts[concept as usize].concept_type != ConceptType::Organism {
                    self.inner_organisms(doc, concepts, (&symbols, &token_of), start + 1..end, &mut mentions);
                }
            }
        }
        self.resolve_abbreviations(doc, concepts, &token_of, (&mut mentions, &mut names));
        mentions.sort_by_key(|m| (m.span.start, m.span.end));
        names.sort_by_key(|m| (m.span.start, m.span.end));
        doc.mentions = mentions;
        doc.measurement_names = names;
    }

    /// The organisms named inside a longer mention ("infecție cu Helicobacter pylori", "serologie
    /// HIV"): the longer term wins the text, but the organism is a finding of its own, which the
    /// microbiology and the differential read.
    fn inner_organisms(
        &self,
        doc: &Doc<'_>,
        concepts: &[ConceptEntry],
        (symbols, token_of): (&[u32], &[usize]),
        inside: std::ops::Range<usize>,
        out: &mut Vec<Mention>,
    ) {
        let mut at = inside.start;
        while at < inside.end {
            let found = self.terms.longest(&symbols[at..inside.end]);
            match found {
                Some((len, concept)) if concepts[concept as usize].concept_type == ConceptType::Organism => {
                    let (first, last) = (token_of[at], token_of[at + len - 1]);
                    let span = Span::new(doc.tokens[first].span.start, doc.tokens[last].span.end);
                    out.push(Mention { span, fragments: Vec::new(), concept, tokens: first..last + 1 });
                    at += len;
                }
                _ => at += 1,
            }
        }
    }

    /// Mentions made by coordination after a term: "dureri abdominale și lombare".
    fn coordinated(
        &self,
        doc: &Doc<'_>,
        concepts: &[ConceptEntry],
        (head, first, last): (&[u32], usize, usize),
        out: &mut Vec<Mention>,
    ) {
        let mut at = last + 1;
        let mut key = Vec::with_capacity(head.len() + 1);
        while at + 1 < doc.tokens.len() && COORDINATORS.contains(&doc.plain(at)) {
            let candidate = at + 1;
            key.clear();
            key.extend_from_slice(head);
            key.push(self.token_symbol(doc, candidate));
            let Some(concept) = self.terms.get(&key) else { break };
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

/// The symbols of the words one thread has read, across documents: a word is stemmed and looked
/// up once per thread and matcher, not once per document. Case reports are short and most of
/// their words occur once in each, but the vocabulary of clinical Romanian repeats from one
/// report to the next, so after a few documents nearly every word is found here.
///
/// Bounded: past [`WordSymbols::CAPACITY`] words, new words are no longer remembered (still
/// given their symbol). The memo is a pure cache: the symbols are those the matcher computes.
struct WordSymbols {
    /// The matcher whose symbols these are ([`ConceptMatcher::id`]); another empties the memo.
    matcher: u64,
    /// Plain form's hash (`Token::plain_hash`) → that plain form and its symbol.
    seen: FxHashMap<u64, (Box<str>, u32)>,
    /// Where keys that are not slices of the text are written (reused: no allocation per word).
    buffer: String,
}

thread_local! {
    static WORD_SYMBOLS: RefCell<WordSymbols> = RefCell::new(WordSymbols::new());
}

/// The source of [`ConceptMatcher::id`].
static NEXT_MATCHER_ID: AtomicU64 = AtomicU64::new(0);

impl WordSymbols {
    /// About 50 bytes a word: a few MiB at most per thread, while the distinct words of
    /// thousands of case reports fit.
    const CAPACITY: usize = 1 << 16;

    fn new() -> WordSymbols {
        WordSymbols { matcher: u64::MAX, seen: FxHashMap::default(), buffer: String::new() }
    }

    /// Makes the memo that of `matcher`, emptying it if it held another matcher's symbols.
    fn serve(&mut self, matcher: &ConceptMatcher) {
        if self.matcher != matcher.id {
            self.seen.clear();
            self.matcher = matcher.id;
        }
    }

    /// The symbol of token `i` of `doc`, for the matcher this memo [serves](Self::serve).
    #[inline]
    fn symbol(&mut self, matcher: &ConceptMatcher, doc: &Doc<'_>, i: usize) -> u32 {
        debug_assert_eq!(self.matcher, matcher.id);
        let token = &doc.tokens[i];
        let first = doc.text.as_bytes()[token.span.start];
        if token.kind == TokenKind::Punct && token.span.len() == 1 {
            // One ASCII byte (a char of one byte): its symbol is in the matcher's table.
            return matcher.byte_symbols[usize::from(first)];
        }
        // A capital abbreviation's key is its spelling, not its plain form: not memoized. A
        // word that starts with a lower-case letter, most of them, is none.
        if !first.is_ascii_lowercase() && stem::is_capital_abbreviation(doc.token_text(i)) {
            return matcher.symbol_of_key(stem::abbreviation_key_in(doc.token_text(i), &mut self.buffer));
        }
        let plain = doc.plain(i);
        let hash = doc.tokens[i].plain_hash;
        match self.seen.get(&hash) {
            Some((seen_plain, symbol)) if **seen_plain == *plain => *symbol,
            seen => self.first_symbol(matcher, plain, hash, seen.is_none()),
        }
    }

    /// The symbol of a word the memo does not hold, which it remembers when `new` (a word whose
    /// hash is another word's is not memoized). Out of line: after a few documents most words
    /// are in the memo, and [`Self::symbol`] stays small enough to inline.
    #[inline(never)]
    fn first_symbol(&mut self, matcher: &ConceptMatcher, plain: &str, hash: u64, new: bool) -> u32 {
        let symbol = matcher.word_symbol(plain, &mut self.buffer);
        if new && self.seen.len() < Self::CAPACITY {
            self.seen.insert(hash, (plain.into(), symbol));
        }
        symbol
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
            // Told by the span and one byte, before the token's text is sliced.
            let span = doc.tokens[i].span;
            let may_be_ambiguous = span.len() <= self.longest_ambiguous
                && self.ambiguous_first_bytes[usize::from(doc.text.as_bytes()[span.start])];
            if !may_be_ambiguous {
                continue;
            }
            let form = doc.token_text(i);
            let Some(readings) = self.ambiguous.get(form) else { continue };
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
            if self.names_a_measurement(doc, i, concept, concepts[concept as usize].concept_type) {
                names.push(mention);
            } else {
                mentions.push(mention);
            }
        }
    }

    /// Whether token `i` alone names a disorder or a sign.
    fn is_finding_alone(&self, doc: &Doc<'_>, i: usize, concepts: &[ConceptEntry]) -> bool {
        self.terms.get(&[self.token_symbol(doc, i)]).is_some_and(|c| {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_memo_and_the_byte_table_give_each_token_the_symbol_of_its_key() {
        let engine = crate::Engine::new().unwrap();
        let knowledge = engine.knowledge();
        let matcher = ConceptMatcher::new(
            &knowledge.concepts,
            &knowledge.token_rules,
            &knowledge.ambiguous_abbreviations,
            &knowledge.value_words,
        );
        // Punctuation, capital abbreviations, inflected and repeated words, one spelled two ways.
        let text = "Dureri abdominale (HTA, DZ tip 2) - febră 38,5°C; TA=120/70 mmHg. \
                    Durerile abdominale: HTA și hta! Febra [sic] / Febră.";
        let doc = engine.text_layer(text, &crate::Options::default()).unwrap();
        let mut memo = WordSymbols::new();
        memo.serve(&matcher);
        let mut known = 0;
        for i in 0..doc.tokens.len() {
            let symbol = memo.symbol(&matcher, &doc, i);
            assert_eq!(symbol, matcher.token_symbol(&doc, i), "{:?}", doc.token_text(i));
            known += usize::from(symbol != BOUNDARY);
        }
        assert!(known >= 4, "the text names concepts: {known}");
    }

    /// One memo over every document of the corpus, as a thread reading them in turn keeps it:
    /// each token still gets the symbol of its own key; and a second matcher empties the memo.
    #[test]
    fn the_memo_across_documents_gives_each_token_the_symbol_of_its_key() {
        let engine = crate::Engine::new().unwrap();
        let knowledge = engine.knowledge();
        let new_matcher = || {
            ConceptMatcher::new(
                &knowledge.concepts,
                &knowledge.token_rules,
                &knowledge.ambiguous_abbreviations,
                &knowledge.value_words,
            )
        };
        let (matcher, other) = (new_matcher(), new_matcher());
        let mut memo = WordSymbols::new();
        memo.serve(&matcher);
        let mut known = 0;
        for (path, text) in crate::corpus_texts() {
            let doc = engine.text_layer(&text, &crate::Options::default()).unwrap();
            for i in 0..doc.tokens.len() {
                let symbol = matcher.token_symbol(&doc, i);
                assert_eq!(memo.symbol(&matcher, &doc, i), symbol, "{:?} in {path:?}", doc.token_text(i));
                known += usize::from(symbol != BOUNDARY);
            }
        }
        assert!(known > 5_000, "the corpus names concepts: {known}");
        assert!(!memo.seen.is_empty());
        memo.serve(&other);
        assert!(memo.seen.is_empty(), "another matcher's symbols are not this one's");
    }

    #[test]
    fn the_trie_finds_the_longest_term_from_a_token_and_refuses_duplicates() {
        let mut trie = TermTrie::default();
        assert!(trie.insert(&[1], 10));
        assert!(trie.insert(&[1, 2, 3], 11));
        assert!(trie.insert(&[2, 3], 12));
        assert!(!trie.insert(&[1, 2, 3], 13), "the same sequence is shadowed");
        // From token 0: "1 2 3" is the longest; "1 2" is no term, so "1 2 4" falls back to "1".
        assert_eq!(trie.longest(&[1, 2, 3, 4]), Some((3, 11)));
        assert_eq!(trie.longest(&[1, 2, 4]), Some((1, 10)));
        assert_eq!(trie.longest(&[BOUNDARY, 1]), None);
        assert_eq!(trie.get(&[1, 2]), None);
        assert_eq!(trie.get(&[2, 3]), Some(12));
        assert_eq!(trie.get(&[]), None);
    }
}
