//! Entity recognition against SiMoNERo (UD_Romanian-SiMoNERo; Mitrofan et al., BioNLP 2019):
//! Romanian medical prose in CoNLL-U with `BioNERLabel=B-/I-<TYPE>` in the last column.
//!
//! Its genre (textbooks, journals) and span conventions differ from the casus gold, so only
//! overlapping spans are compared, through a type map: DISO ↔ disorder | sign_symptom,
//! CHEM ↔ drug | test (a lab test named by its substance, "glucoză", is CHEM there), PROC ↔
//! procedure | test, ANAT ↔ anatomy. It shows gaps in the lexicon and in inflection handling; it
//! is not a target to tune to.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::matching;
use super::metrics::{Prf, Scores};
use super::report::CaseError;
use super::table::{self, Row};
use crate::analysis::{Analysis, CharSpan, EntityType, MeasurementKind};
use crate::engine::{Engine, Options};
use crate::span::CharIndex;

/// The SiMoNERo entity types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NerType {
    Anat,
    Chem,
    Diso,
    Proc,
}

impl NerType {
    pub const ALL: [NerType; 4] = [NerType::Diso, NerType::Chem, NerType::Proc, NerType::Anat];

    pub fn as_str(self) -> &'static str {
        match self {
            NerType::Anat => "ANAT",
            NerType::Chem => "CHEM",
            NerType::Diso => "DISO",
            NerType::Proc => "PROC",
        }
    }

    pub fn parse(name: &str) -> Option<NerType> {
        NerType::ALL.into_iter().find(|t| t.as_str() == name)
    }

    /// Whether a casus prediction of `entity_type` can match a mention of this type.
    pub fn accepts(self, entity_type: EntityType) -> bool {
        use EntityType::*;
        match self {
            NerType::Diso => matches!(entity_type, Disorder | SignSymptom),
            NerType::Chem => matches!(entity_type, Drug | Test),
            NerType::Proc => matches!(entity_type, Procedure | Test),
            NerType::Anat => entity_type == Anatomy,
        }
    }

    /// The type an unmatched prediction counts as a false positive of; `None` for a type
    /// SiMoNERo does not annotate (organism). A `test` that matched nothing counts against PROC
    /// only, so that no prediction is held against the engine twice.
    pub fn of_prediction(entity_type: EntityType) -> Option<NerType> {
        use EntityType::*;
        match entity_type {
            Disorder | SignSymptom => Some(NerType::Diso),
            Drug => Some(NerType::Chem),
            Procedure | Test => Some(NerType::Proc),
            Anatomy => Some(NerType::Anat),
            Organism => None,
        }
    }
}

/// One sentence with its gold mentions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    /// `# sent_id`, or empty.
    pub id: String,
    /// `# text`: what is analysed.
    pub text: String,
    pub mentions: Vec<NerMention>,
}

/// A gold mention: one or more `[start, end)` fragments in code points of the sentence text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NerMention {
    pub kind: NerType,
    /// More than one when the mention is discontinuous ("apolipoproteinele B și A1").
    pub fragments: Vec<(usize, usize)>,
}

impl NerMention {
    /// The start of the first fragment and the end of the last.
    pub fn extent(&self) -> (usize, usize) {
        let start = self.fragments.iter().map(|f| f.0).min().unwrap_or(0);
        let end = self.fragments.iter().map(|f| f.1).max().unwrap_or(0);
        (start, end)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("line {line}: {kind}")]
pub struct ConlluError {
    pub line: usize,
    pub kind: ConlluErrorKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ConlluErrorKind {
    #[error("a token line has 10 tab-separated fields, this one has {0}")]
    Fields(usize),
    #[error("bad token id {0:?}")]
    Id(String),
    #[error("a token before the sentence's `# text =` line")]
    NoText,
    #[error("the form {form:?} is not next in the sentence text (at code point {at})")]
    FormNotFound { form: String, at: usize },
    #[error("bad label {0:?}: expected B-<TYPE> or I-<TYPE> with TYPE one of ANAT, CHEM, DISO, PROC")]
    Label(String),
}

/// Why a SiMoNERo file could not be loaded.
#[derive(Debug, Error)]
pub enum SimoneroError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}:{}: {}", path.display(), source.line, source.kind)]
    Parse {
        path: PathBuf,
        #[source]
        source: ConlluError,
    },
}

/// Loads a CoNLL-U file.
pub fn load(path: &Path) -> Result<Vec<Sentence>, SimoneroError> {
    let text = std::fs::read_to_string(path).map_err(|source| SimoneroError::Io { path: path.to_owned(), source })?;
    parse(&text).map_err(|source| SimoneroError::Parse { path: path.to_owned(), source })
}

/// A sentence being read.
#[derive(Default)]
struct Building {
    id: String,
    text: Option<String>,
    /// Byte position in `text` after the last located token.
    cursor: usize,
    /// The last token of a multiword token and the span of its surface form (bytes).
    multiword: Option<(usize, usize, usize)>,
    /// Fragments in bytes until the sentence is done.
    mentions: Vec<(NerType, Vec<(usize, usize)>)>,
    /// The mention the previous token belongs to.
    open: Option<usize>,
}

impl Building {
    fn finish(self) -> Option<Sentence> {
        let text = self.text?;
        let index = CharIndex::new(&text);
        let mentions = self
            .mentions
            .into_iter()
            .map(|(kind, fragments)| NerMention {
                kind,
                fragments: fragments.into_iter().map(|(s, e)| (index.char_offset(s), index.char_offset(e))).collect(),
            })
            .collect();
        Some(Sentence { id: self.id, text, mentions })
    }

    /// The byte span of the next token, found after the cursor past whitespace only.
    fn locate(&mut self, form: &str) -> Result<(usize, usize), ConlluErrorKind> {
        let text = self.text.as_deref().ok_or(ConlluErrorKind::NoText)?;
        let rest = &text[self.cursor..];
        let start = self.cursor + (rest.len() - rest.trim_start().len());
        if form.is_empty() || !text[start..].starts_with(form) {
            let at = text[..start].chars().count();
            return Err(ConlluErrorKind::FormNotFound { form: form.to_owned(), at });
        }
        self.cursor = start + form.len();
        Ok((start, self.cursor))
    }

    fn label(&mut self, misc: &str, (start, end): (usize, usize)) -> Result<(), ConlluErrorKind> {
        let Some(label) = misc.split('|').find_map(|item| item.strip_prefix("BioNERLabel=")) else {
            self.open = None;
            return Ok(());
        };
        let bad = || ConlluErrorKind::Label(label.to_owned());
        let (tag, name) = label.split_once('-').ok_or_else(bad)?;
        let kind = NerType::parse(name).ok_or_else(bad)?;
        let continued = match tag {
            "B" => None,
            "I" => self.open.filter(|&i| self.mentions[i].0 == kind).map(|i| (i, true)).or_else(|| {
                // SiMoNERo writes a discontinuous mention as an `I-` after a gap ("apolipoproteinele/B
                // B/I și/O A1/I"): it continues the last mention of its type. With none, it starts one.
                self.mentions.iter().rposition(|m| m.0 == kind).map(|i| (i, false))
            }),
            _ => return Err(bad()),
        };
        match continued {
            Some((i, adjacent)) => {
                let fragments = &mut self.mentions[i].1;
                match fragments.last_mut() {
                    Some(last) if adjacent => last.1 = end,
                    _ => fragments.push((start, end)),
                }
                self.open = Some(i);
            }
            None => {
                self.mentions.push((kind, vec![(start, end)]));
                self.open = Some(self.mentions.len() - 1);
            }
        }
        Ok(())
    }
}

/// Reads CoNLL-U: sentences are separated by blank lines, each with a `# text =` line before
/// its tokens. Token offsets are found by locating each form in the text in turn; multiword
/// tokens (`3-4`) give their surface span to their words and empty nodes (`3.1`) are skipped.
pub fn parse(input: &str) -> Result<Vec<Sentence>, ConlluError> {
    let mut sentences = Vec::new();
    let mut building = Building::default();
    for (index, line) in input.lines().enumerate() {
        let error = |kind| ConlluError { line: index + 1, kind };
        if line.trim().is_empty() {
            sentences.extend(std::mem::take(&mut building).finish());
            continue;
        }
        if let Some(comment) = line.strip_prefix('#') {
            if let Some(text) = comment_value(comment, "text") {
                building.text = Some(text.to_owned());
            } else if let Some(id) = comment_value(comment, "sent_id") {
                building.id = id.to_owned();
            }
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        if fields.len() != 10 {
            return Err(error(ConlluErrorKind::Fields(fields.len())));
        }
        let (id, form, misc) = (fields[0], fields[1], fields[9]);
        if id.contains('.') {
            continue;
        }
        let bad_id = || error(ConlluErrorKind::Id(id.to_owned()));
        if let Some((first, last)) = id.split_once('-') {
            let (Ok(_), Ok(last)) = (first.parse::<usize>(), last.parse::<usize>()) else {
                return Err(bad_id());
            };
            let (start, end) = building.locate(form).map_err(error)?;
            building.multiword = Some((last, start, end));
            continue;
        }
        let number: usize = id.parse().map_err(|_| bad_id())?;
        let span = match building.multiword {
            Some((last, start, end)) if number <= last => (start, end),
            _ => building.locate(form).map_err(error)?,
        };
        building.label(misc, span).map_err(error)?;
    }
    sentences.extend(building.finish());
    Ok(sentences)
}

/// The value of a `# key = value` comment.
fn comment_value<'a>(comment: &'a str, key: &str) -> Option<&'a str> {
    let value = comment.trim_start().strip_prefix(key)?.trim_start().strip_prefix('=')?;
    Some(value.strip_prefix(' ').unwrap_or(value))
}

/// Counts of one sentence, per SiMoNERo type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimCounts {
    pub per_type: BTreeMap<String, Prf>,
}

/// Compares the analysis of a sentence with its gold mentions (overlapping spans, mapped types,
/// one-to-one).
///
/// A lab named with its value is a measurement, not an entity, in the analysis; SiMoNERo
/// annotates the name ("colesterolului total de 200 mg/dl"), so each lab measurement counts as a
/// `test` mention over its span, unless an entity already covers it.
pub fn compare(analysis: &Analysis, sentence: &Sentence) -> SimCounts {
    let mut predicted: Vec<(EntityType, CharSpan)> =
        analysis.entities.iter().map(|e| (e.entity_type, e.span)).collect();
    for measurement in analysis.measurements.iter().filter(|m| m.kind == MeasurementKind::Lab) {
        let span = measurement.span;
        if !analysis.entities.iter().any(|e| e.span.start < span.end && span.start < e.span.end) {
            predicted.push((EntityType::Test, span));
        }
    }
    compare_entities(&predicted, sentence)
}

fn compare_entities(entities: &[(EntityType, CharSpan)], sentence: &Sentence) -> SimCounts {
    let mut candidates = Vec::new();
    for (g, gold) in sentence.mentions.iter().enumerate() {
        for (p, &(entity_type, span)) in entities.iter().enumerate() {
            let overlap = matching::overlap(&gold.fragments, span.start, span.end);
            if overlap > 0 && gold.kind.accepts(entity_type) {
                candidates.push((g, p, overlap));
            }
        }
    }
    let pairs = matching::greedy(candidates);
    let mut per_type: BTreeMap<NerType, Prf> = NerType::ALL.iter().map(|&t| (t, Prf::default())).collect();
    let mut gold_found = vec![false; sentence.mentions.len()];
    let mut predicted_used = vec![false; entities.len()];
    for &(g, p) in &pairs {
        gold_found[g] = true;
        predicted_used[p] = true;
        per_type.entry(sentence.mentions[g].kind).or_default().tp += 1;
    }
    for (gold, _) in sentence.mentions.iter().zip(&gold_found).filter(|(_, found)| !**found) {
        per_type.entry(gold.kind).or_default().fn_ += 1;
    }
    for ((entity_type, _), _) in entities.iter().zip(&predicted_used).filter(|(_, used)| !**used) {
        if let Some(kind) = NerType::of_prediction(*entity_type) {
            per_type.entry(kind).or_default().fp += 1;
        }
    }
    SimCounts { per_type: per_type.into_iter().map(|(t, prf)| (t.as_str().to_owned(), prf)).collect() }
}

/// Scores of a SiMoNERo run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimReport {
    pub sentences: usize,
    pub errors: Vec<CaseError>,
    pub micro: Scores,
    pub per_type: BTreeMap<String, Scores>,
}

impl SimReport {
    /// Sums per-sentence counts (with the sentence ids of any engine errors) and scores them.
    pub fn from_counts(counts: &[SimCounts], errors: Vec<CaseError>) -> SimReport {
        let mut total: BTreeMap<String, Prf> =
            NerType::ALL.iter().map(|t| (t.as_str().to_owned(), Prf::default())).collect();
        for sentence in counts {
            for (kind, prf) in &sentence.per_type {
                *total.entry(kind.clone()).or_default() += *prf;
            }
        }
        SimReport {
            sentences: counts.len(),
            errors,
            micro: total.values().copied().sum::<Prf>().into(),
            per_type: total.into_iter().map(|(kind, prf)| (kind, prf.into())).collect(),
        }
    }

    pub fn to_text(&self) -> String {
        let mut rows = vec![Row::heading(concat!(
            "SiMoNERo, overlapping span ",
            "(DISO: disorder, sign_symptom; CHEM: drug, test; PROC: procedure, test; ANAT: anatomy)"
        ))];
        for kind in NerType::ALL {
            if let Some(scores) = self.per_type.get(kind.as_str()) {
                rows.push(Row::detection(kind.as_str(), scores));
            }
        }
        rows.push(Row::detection("micro", &self.micro));
        let mut out = format!("{} sentences, {} errors\n\n", self.sentences, self.errors.len());
        out.push_str(&table::render(&rows));
        out.push('\n');
        out.push_str(table::LEGEND);
        out.push('\n');
        for error in &self.errors {
            out.push_str(&format!("  {}: {}\n", error.case, error.message));
        }
        out
    }
}

/// Runs the engine on every sentence and scores it. A sentence the engine fails on counts its
/// gold as missed and is listed in `errors`.
pub fn evaluate(engine: &Engine, sentences: &[Sentence]) -> SimReport {
    let mut errors = Vec::new();
    let counts: Vec<SimCounts> = sentences
        .iter()
        .map(|sentence| match engine.analyze(&sentence.text, &Options::default()) {
            Ok(analysis) => compare(&analysis, sentence),
            Err(err) => {
                errors.push(CaseError { case: sentence.id.clone(), message: format!("analysis failed: {err}") });
                compare_entities(&[], sentence)
            }
        })
        .collect();
    SimReport::from_counts(&counts, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO_SENTENCES: &str = "# sent_id = dev-1\n\
        # text = Infarctul de miocard, tratat cu aspirină.\n\
        1\tInfarctul\tinfarct\tNOUN\t_\t_\t0\troot\t_\tBioNERLabel=B-DISO\n\
        2\tde\tde\tADP\t_\t_\t3\tcase\t_\tBioNERLabel=I-DISO\n\
        3\tmiocard\tmiocard\tNOUN\t_\t_\t1\tnmod\t_\tBioNERLabel=I-DISO|SpaceAfter=No\n\
        4\t,\t,\tPUNCT\t_\t_\t5\tpunct\t_\t_\n\
        5\ttratat\ttrata\tVERB\t_\t_\t1\tacl\t_\t_\n\
        6\tcu\tcu\tADP\t_\t_\t7\tcase\t_\t_\n\
        7\taspirină\taspirină\tNOUN\t_\t_\t5\tobl\t_\tBioNERLabel=B-CHEM|SpaceAfter=No\n\
        8\t.\t.\tPUNCT\t_\t_\t1\tpunct\t_\t_\n\
        \n\
        # sent_id = dev-2\n\
        # text = Ficatul mărit.\n\
        1\tFicatul\tficat\tNOUN\t_\t_\t0\troot\t_\tBioNERLabel=B-ANAT\n\
        2\tmărit\tmări\tADJ\t_\t_\t1\tamod\t_\tBioNERLabel=B-DISO|SpaceAfter=No\n\
        3\t.\t.\tPUNCT\t_\t_\t1\tpunct\t_\t_\n";

    #[test]
    fn rebuilds_mentions_in_code_points() {
        let sentences = parse(TWO_SENTENCES).unwrap();
        assert_eq!(sentences.len(), 2);
        assert_eq!(sentences[0].id, "dev-1");
        let spans: Vec<(NerType, &str)> = sentences[0]
            .mentions
            .iter()
            .map(|m| (m.kind, &sentences[0].text[char_range(&sentences[0].text, m.extent().0, m.extent().1)]))
            .collect();
        assert_eq!(spans, [(NerType::Diso, "Infarctul de miocard"), (NerType::Chem, "aspirină")]);
        // "aspirină" ends one code point (not two bytes) before the final full stop.
        assert_eq!(sentences[0].mentions[1].extent().1, sentences[0].text.chars().count() - 1);
        // B- after B- starts a new mention even when the type changes.
        assert_eq!(sentences[1].mentions.iter().map(|m| m.kind).collect::<Vec<_>>(), [NerType::Anat, NerType::Diso]);
    }

    fn char_range(text: &str, start: usize, end: usize) -> std::ops::Range<usize> {
        let byte = |c: usize| text.char_indices().nth(c).map_or(text.len(), |(at, _)| at);
        byte(start)..byte(end)
    }

    #[test]
    fn multiword_tokens_lend_their_span_to_their_words() {
        let input = "# text = Durerea din piept.\n\
            1\tDurerea\tdurere\tNOUN\t_\t_\t0\troot\t_\tBioNERLabel=B-DISO\n\
            2-3\tdin\t_\t_\t_\t_\t_\t_\t_\t_\n\
            2\tde\tde\tADP\t_\t_\t3\tcase\t_\t_\n\
            3\tîn\tîn\tADP\t_\t_\t4\tcase\t_\t_\n\
            3.1\tx\tx\t_\t_\t_\t_\t_\t_\t_\n\
            4\tpiept\tpiept\tNOUN\t_\t_\t1\tnmod\t_\tBioNERLabel=B-ANAT|SpaceAfter=No\n\
            5\t.\t.\tPUNCT\t_\t_\t1\tpunct\t_\t_\n";
        let sentence = &parse(input).unwrap()[0];
        assert_eq!(sentence.mentions[1], NerMention { kind: NerType::Anat, fragments: vec![(12, 17)] });
    }

    #[test]
    fn an_inside_label_after_a_gap_continues_the_last_mention_of_its_type() {
        let input = "# text = apolipoproteinele B și A1 cresc\n\
            1\tapolipoproteinele\t_\t_\t_\t_\t_\t_\t_\tBioNERLabel=B-CHEM\n\
            2\tB\t_\t_\t_\t_\t_\t_\t_\tBioNERLabel=I-CHEM\n\
            3\tși\t_\t_\t_\t_\t_\t_\t_\t_\n\
            4\tA1\t_\t_\t_\t_\t_\t_\t_\tBioNERLabel=I-CHEM\n\
            5\tcresc\t_\t_\t_\t_\t_\t_\t_\tBioNERLabel=I-DISO\n";
        let sentence = &parse(input).unwrap()[0];
        assert_eq!(
            sentence.mentions,
            [
                NerMention { kind: NerType::Chem, fragments: vec![(0, 19), (23, 25)] },
                NerMention { kind: NerType::Diso, fragments: vec![(26, 31)] },
            ]
        );
    }

    #[test]
    fn errors_name_the_line() {
        let wrong_form =
            "# text = Durere toracică.\n1\tDurere\t_\t_\t_\t_\t_\t_\t_\t_\n2\ttoracica\t_\t_\t_\t_\t_\t_\t_\t_\n";
        assert_eq!(
            parse(wrong_form).unwrap_err(),
            ConlluError { line: 3, kind: ConlluErrorKind::FormNotFound { form: "toracica".into(), at: 7 } }
        );
        let bad_label = "# text = a\n1\ta\t_\t_\t_\t_\t_\t_\t_\tBioNERLabel=B-GENE\n";
        assert_eq!(parse(bad_label).unwrap_err().kind, ConlluErrorKind::Label("B-GENE".into()));
        assert_eq!(parse("1\ta\t_\t_\t_\t_\t_\t_\t_\t_\n").unwrap_err().kind, ConlluErrorKind::NoText);
        assert_eq!(
            parse("# text = a\n1\ta\t_\n").unwrap_err(),
            ConlluError { line: 2, kind: ConlluErrorKind::Fields(3) }
        );
    }

    #[test]
    fn type_map_follows_the_benchmark_readme() {
        use EntityType::*;
        let accepted = |t: NerType| -> Vec<EntityType> {
            [Disorder, SignSymptom, Anatomy, Procedure, Test, Drug, Organism]
                .into_iter()
                .filter(|&e| t.accepts(e))
                .collect()
        };
        assert_eq!(accepted(NerType::Diso), [Disorder, SignSymptom]);
        assert_eq!(accepted(NerType::Chem), [Test, Drug]);
        assert_eq!(accepted(NerType::Proc), [Procedure, Test]);
        assert_eq!(accepted(NerType::Anat), [Anatomy]);
    }
}
