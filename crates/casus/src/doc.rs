//! The document as the pipeline sees it: the text plus the annotations each stage adds.

use crate::analysis::{AgeUnit, SectionKind, Sex};
use crate::span::Span;
use crate::text::normalize::{View, Views};
use crate::text::numbers::Convention;
use crate::text::phrases::{word_hash, PhraseIndex};
use crate::text::sections::DocSection;
use crate::text::sentences::Sentence;
use crate::text::stem::stem;
use crate::text::tokenize::Token;

/// One document and its annotations. Stages fill it in order; none reaches back to change what
/// an earlier stage wrote.
#[derive(Debug, Clone)]
pub struct Doc<'t> {
    pub text: &'t str,
    pub views: Views,
    pub tokens: Vec<Token>,
    pub sentences: Vec<Sentence>,
    pub sections: Vec<DocSection>,
    pub convention: Convention,
    /// Where the text states its own diagnosis (diagnosis sections, cue sentences).
    pub statements: Vec<Span>,
    /// Spans that the analysis must ignore (the diagnosis statements under `--blind`).
    pub hidden: Vec<Span>,
    pub patient: PatientFacts,
    /// Concept mentions, in text order.
    pub mentions: Vec<Mention>,
    /// The context of each mention (same order as `mentions`), as the contract writes it.
    pub contexts: Vec<crate::analysis::Assertion>,
    /// Mentions of labs and vitals that a value follows: the names of measurements.
    pub measurement_names: Vec<Mention>,
    pub measurements: Vec<DocMeasurement>,
    /// The conditions the diagnosis statements name, coded.
    pub diagnoses: Vec<DocDiagnosis>,
    /// What the text says about the use of each patient's drug mention.
    pub medications: Vec<DocMedication>,
    /// Cultures and isolates.
    pub microbiology: Vec<DocMicrobiology>,
    /// The match stem of every token and its hash (see [`Doc::stems`]), made on first use.
    pub stems: std::cell::OnceCell<Stems>,
    /// The time expressions that hold a finding (`annotate::timing`), in text order.
    pub times: Vec<crate::annotate::time::TimeExpression>,
    /// For each mention, the index into `times` of the expression that dates it.
    pub mention_times: Vec<Option<usize>>,
    pub warnings: Vec<DocWarning>,
}

/// The match stem of every token (`stems[i]`), and its hash for phrase look-ups. The stems lie
/// end to end in one string: a document has thousands of tokens, and a string each was a
/// thousand allocations per case.
#[derive(Debug, Clone, Default)]
pub struct Stems {
    text: String,
    /// Where each token's stem ends in `text`; it starts where the one before ends.
    ends: Vec<usize>,
    hashes: Vec<u64>,
}

impl Stems {
    fn new(doc: &Doc<'_>) -> Stems {
        let count = doc.tokens.len();
        let mut stems =
            // Stems are shorter than the words they come from: the text's length seldom grows.
            Stems { text: String::with_capacity(doc.text.len()), ends: Vec::with_capacity(count), hashes: Vec::with_capacity(count) };
        STEM_MEMO.with_borrow_mut(|memo| {
            for (i, token) in doc.tokens.iter().enumerate() {
                let (form, hash) = memo.stem(doc.plain(i), token.plain_hash);
                stems.hashes.push(hash);
                stems.text.push_str(form);
                stems.ends.push(stems.text.len());
            }
        });
        stems
    }

    /// The stem of token `i`, if there is such a token.
    pub fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        Some(&self.text[start..end])
    }

    /// The hash of the stem of token `i` ([`word_hash`]).
    pub fn hash(&self, i: usize) -> u64 {
        self.hashes[i]
    }
}

/// Each word's stem and its hash, remembered per thread across documents. Stemming strips
/// endings by rule, word by word; the vocabulary of clinical Romanian repeats from one report
/// to the next, so after a few documents nearly every word's stem is found here (the concept
/// stage keeps its word symbols the same way).
///
/// Bounded: past [`StemMemo::CAPACITY`] words, new words are stemmed but not remembered. A pure
/// cache: a stem depends on the word alone.
#[derive(Default)]
struct StemMemo {
    /// Plain form's hash (`Token::plain_hash`) → where its word is in `words`.
    seen: rustc_hash::FxHashMap<u64, u32>,
    /// Each word remembered: its plain form, its stem and the stem's hash.
    words: Vec<(Box<str>, Box<str>, u64)>,
    /// The stem of a word not remembered (reused: no allocation per word).
    buffer: String,
}

thread_local! {
    static STEM_MEMO: std::cell::RefCell<StemMemo> = std::cell::RefCell::new(StemMemo::default());
}

impl StemMemo {
    /// About 60 bytes a word: a few MiB at most per thread.
    const CAPACITY: usize = 1 << 16;

    /// The stem of the word `plain` (of hash `plain_hash`, [`word_hash`]) and the stem's hash.
    fn stem(&mut self, plain: &str, plain_hash: u64) -> (&str, u64) {
        let seen = self.seen.get(&plain_hash).map(|&n| n as usize);
        if let Some(n) = seen.filter(|&n| *self.words[n].0 == *plain) {
            let (_, form, hash) = &self.words[n];
            return (form, *hash);
        }
        self.buffer.clear();
        self.buffer.push_str(&stem(plain));
        let hash = word_hash(&self.buffer);
        // A word whose hash is another word's is not remembered: the first keeps its place.
        if seen.is_none() && self.words.len() < Self::CAPACITY {
            self.seen.insert(plain_hash, self.words.len() as u32);
            self.words.push((plain.into(), self.buffer.as_str().into(), hash));
        }
        (&self.buffer, hash)
    }
}

impl std::ops::Index<usize> for Stems {
    type Output = str;

    fn index(&self, i: usize) -> &str {
        self.get(i).unwrap_or_else(|| panic!("token {i} out of range: {} tokens", self.ends.len()))
    }
}

/// A mention of a concept of the inventory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    /// From the first to the last token of the mention.
    pub span: Span,
    /// The parts of a discontinuous mention ("dureri … lombare"); empty when it is contiguous.
    pub fragments: Vec<Span>,
    /// Index into the knowledge's concepts.
    pub concept: u32,
    /// The tokens from the first to the last of the mention.
    pub tokens: std::ops::Range<usize>,
}

/// A value read from the text for a measured concept.
#[derive(Debug, Clone, PartialEq)]
pub struct DocMeasurement {
    /// From the name through the value and its unit.
    pub span: Span,
    pub concept: u32,
    /// The value, or `None` for a pair such as a blood pressure, whose parts are in `text`.
    pub value: Option<f64>,
    /// The unit as written.
    pub unit: Option<Span>,
    /// A qualitative result ("negative", "normal").
    pub result: Option<String>,
    /// The comparator written before the value (`<0,5`, `>100`).
    pub comparator: Option<crate::text::numbers::Comparator>,
    /// The unit inferred when the text writes none (UCUM), see `Assessment::inferred`.
    pub inferred_unit: Option<String>,
    /// The value in the analyte's canonical unit, its reference range and interpretation.
    pub assessment: Assessment,
    /// The parts of a panel written as a ratio (a blood pressure's systolic and diastolic).
    pub components: Vec<DocComponent>,
    /// The index (in `Doc::measurements`) of the measurement this one is part of (a leukocyte
    /// count for its differential).
    pub parent: Option<usize>,
}

/// What a value means: normalized, referenced, interpreted. Empty when the analyte has no
/// canonical unit, the unit does not convert, or the value is implausible.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Assessment {
    pub normalized: Option<crate::analysis::Quantity>,
    pub interpretation: Option<crate::analysis::Interpretation>,
    pub reference: Option<crate::analysis::Reference>,
}

/// One part of a ratio panel ("80" of "TA 80/50").
#[derive(Debug, Clone, PartialEq)]
pub struct DocComponent {
    pub concept: u32,
    pub value: f64,
    /// The unit (UCUM), written for the panel or inferred.
    pub unit: Option<String>,
    pub assessment: Assessment,
}

/// A condition of a diagnosis statement, coded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocDiagnosis {
    /// The words that name the condition (for an added requirement, those of what requires it).
    pub span: Span,
    pub code: StatedCode,
    pub role: DiagnosisRole,
    pub uncertain: bool,
    /// Indexes into `Doc::diagnoses` of the conditions that caused this one.
    pub due_to: Vec<usize>,
}

/// What a stated condition is coded as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatedCode {
    /// A concept of the inventory (index).
    Concept(u32),
    /// An organism as the cause of a disease classified elsewhere (index into the agent table).
    Agent(usize),
    /// A code of the coding tables that no concept carries: a refinement of a concept's code or
    /// the adverse effect of a drug (index into `DiagnosisCoder::code`).
    Code(usize),
    /// A code of the ICD-10-CM table that a concept's stated qualifiers select: the concept, and
    /// the offset of the code's line (`knowledge::icd10cm::at`).
    Table { concept: u32, offset: u32 },
}

/// The part a condition plays in the diagnosis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DiagnosisRole {
    /// The first condition of the first statement.
    Principal,
    /// The first condition of a later statement or clause.
    Secondary,
    /// It caused another condition ("secundar", "datorat").
    Cause,
    /// It complicates another ("complicat cu").
    Complication,
    /// It coexists ("la un pacient cu").
    Comorbidity,
    /// The organism that caused an infection coded elsewhere (B95–B97).
    Agent,
}

impl DiagnosisRole {
    pub fn as_str(self) -> &'static str {
        match self {
            DiagnosisRole::Principal => "principal",
            DiagnosisRole::Secondary => "secondary",
            DiagnosisRole::Cause => "cause",
            DiagnosisRole::Complication => "complication",
            DiagnosisRole::Comorbidity => "comorbidity",
            DiagnosisRole::Agent => "agent",
        }
    }
}

/// A drug mention with what its clause says about its use (`annotate::medication`).
#[derive(Debug, Clone, PartialEq)]
pub struct DocMedication {
    /// Index into `mentions`.
    pub mention: usize,
    /// The contract's route (`intravenous`, …).
    pub route: Option<&'static str>,
    /// The dose and its UCUM unit.
    pub dose: Option<(f64, String)>,
    /// The normal form of the frequency (`3/d`, `every 8 h`, `as needed`).
    pub frequency: Option<String>,
    /// ISO 8601 duration of the course (`P6W`).
    pub duration: Option<String>,
    /// ISO 8601 duration relative to presentation (`-P10D`).
    pub time: Option<String>,
    pub status: Option<crate::knowledge::medication::MedicationStatus>,
    /// The words the route, dose, frequency, duration, time and status were read from.
    pub evidence: Vec<Span>,
}

/// A culture result or an isolate (`annotate::microbiology`).
#[derive(Debug, Clone, PartialEq)]
pub struct DocMicrobiology {
    /// Index into `mentions` of the organism; `None` for a culture without one (negative).
    pub organism: Option<usize>,
    /// Index into `mentions` of the culture or sample test, when one is named.
    pub test: Option<usize>,
    pub specimen: Option<String>,
    /// `positive` (growth, isolate) or `negative`.
    pub result: String,
    /// From the first to the last word of the organism, the specimen and the result.
    pub span: Span,
    /// Concept index of each drug or drug class with its result (susceptible, resistant, intermediate).
    pub susceptibility: Vec<(u32, String)>,
    /// Indices into `mentions` of the drugs named as tested, not given ("sensibil la ceftriaxonă").
    pub tested_drugs: Vec<usize>,
}

/// What the text says about the patient, with the spans that say it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PatientFacts {
    pub age: Option<(u32, AgeUnit, Span)>,
    pub sex: Option<(Sex, Span)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocWarning {
    pub kind: &'static str,
    pub message: String,
    pub span: Option<Span>,
}

impl Doc<'_> {
    /// The match stem of every token, as the word tables of the annotators key their phrases
    /// (`knowledge::medication::stemmed`): computed once per document, for all of them.
    pub fn stems(&self) -> &Stems {
        self.stems.get_or_init(|| Stems::new(self))
    }

    /// The phrases of `index`, a table of match stems (`knowledge::medication::stemmed`), that
    /// start at token `at` and end by `end`, longest first. Compared by the stems' hashes before
    /// their text: the annotators ask at almost every token, and most candidates differ.
    pub fn stem_phrases<'s, T>(
        &'s self,
        index: &'s PhraseIndex<T>,
        at: usize,
        end: usize,
    ) -> impl Iterator<Item = (usize, &'s T)> + 's {
        let stems = self.stems();
        index.matches_hashed(move |k| stems.hash(k), move |k| &stems[k], at, end)
    }

    /// The folded view of the text (case-folded, diacritics kept), built on first use.
    pub fn folded(&self) -> &View {
        self.views.folded(self.text)
    }

    /// The plain (case- and diacritic-folded) form of token `i`.
    #[inline]
    pub fn plain(&self, i: usize) -> &str {
        self.views.plain.slice(self.tokens[i].span)
    }

    /// The original text of token `i`.
    #[inline]
    pub fn token_text(&self, i: usize) -> &str {
        &self.text[self.tokens[i].span.range()]
    }

    /// Whether a span lies in text the analysis must ignore.
    pub fn is_hidden(&self, span: Span) -> bool {
        self.hidden.iter().any(|hidden| hidden.start < span.end && span.start < hidden.end)
    }

    /// The kind of the level-1 section that contains a byte offset.
    pub fn section_at(&self, at: usize) -> Option<SectionKind> {
        self.sections.iter().find(|s| s.level == 1 && s.span.start <= at && at < s.span.end).map(|s| s.kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stem_memo_gives_each_word_its_stem_across_documents() {
        let engine = crate::Engine::new().unwrap();
        let mut memo = StemMemo::default();
        let mut words = 0;
        // Twice over the corpus: the first pass stems and remembers, the second finds.
        let texts = crate::corpus_texts();
        for (path, text) in texts.iter().chain(&texts) {
            let doc = engine.text_layer(text, &crate::Options::default()).unwrap();
            for (i, token) in doc.tokens.iter().enumerate() {
                let expected = stem(doc.plain(i));
                let (form, hash) = memo.stem(doc.plain(i), token.plain_hash);
                assert_eq!((form, hash), (&*expected, word_hash(&expected)), "{:?} in {path:?}", doc.plain(i));
                words += 1;
            }
        }
        assert!(words > 20_000, "the corpus has words: {words}");
        assert!(memo.seen.len() > 3_000, "the memo remembers the corpus vocabulary: {}", memo.seen.len());
    }
}
