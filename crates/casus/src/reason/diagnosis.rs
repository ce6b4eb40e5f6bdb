//! Stated diagnoses: the conditions a diagnosis statement names, decomposed and coded in ICD-10-CM.
//!
//! A statement ("Șoc septic secundar spondilodiscitei L5-S1 și abceselor gluteale datorate
//! infecției cu E. coli") is read left to right. Disorder and sign mentions the concept stage found
//! in it are its conditions; link words of `data/ro/diagnosis.tsv` between them say how the next
//! group relates to the one before (cause, complication, manifestation, comorbidity), and
//! conditions joined without a link word ("… și abceselor gluteale") share their group's role.
//! Then the coding rules of `data/coding/` apply, in the order the ICD-10-CM guidelines give them:
//!
//! 1. manifestations are not coded on their own ("exteriorizată prin hematemeză");
//! 2. code first: a condition coded only with its underlying one brings it in (septic shock →
//!    sepsis), turning a vaguer name of it ("infecție") into it rather than adding a second code;
//! 3. combination codes: a condition stated with a qualifier that one code covers becomes that
//!    code (sepsis + E. coli → A41.51), and a condition used as the qualifier is consumed;
//!    A condition that combines with several others ("DZ tip 2" with a hypoglycaemia and a
//!    chronic kidney disease) gets one combined code for each (guidelines I.C.4.a);
//! 4. refinements: a condition stated with qualifier words of `data/coding/qualifiers.tsv` (a
//!    side, a site, an acuity, an intent), a place, or beside another condition is coded by the
//!    more specific code of `data/coding/refinements.tsv` whose requirements all hold, the one
//!    with most requirements at the nearest level of the concept's lineage; a condition and a
//!    broader or narrower one of the same statement ("AVC ischemic … prin ocluzie M1") share their
//!    qualifiers;
//! 5. the ICD-10-CM table: a condition no refinement row covered takes the code of its category
//!    (`data/icd10cm/codes.tsv`) whose description differs from its own code's only where it
//!    writes a stated qualifier, by the English phrases of `data/coding/table_phrases.tsv`, in
//!    place of an unspecified value ("unspecified side" → "left") or of the axis's other value
//!    ("without obstruction" → "with obstruction"), or added ("acute"); a condition coded by a
//!    category (not billable) takes the billable code below it that adds only stated, unspecified
//!    and default values (initial encounter, closed, displaced). The code writing the most stated
//!    qualifiers wins, then the one changing fewest words; a tie keeps the condition's own code;
//! 6. symptom codes (R00–R69) are dropped beside a definitive diagnosis, and an unspecified code
//!    beside a specified one of the same category;
//! 7. an organism that no combination took is coded as the agent (B96.20) when a condition it
//!    may have caused remains; a drug named as the cause of a condition ("indusă de gliclazidă")
//!    that no combination took is coded as the adverse effect (T36–T50, 6th character 5).

use std::borrow::Cow;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::doc::{DiagnosisRole, Doc, DocDiagnosis, StatedCode};
use crate::knowledge::coding::{english_words_borrowed, Agent, Coding, DiagnosisWord, Link};
use crate::knowledge::concepts::{ConceptEntry, ConceptType};
use crate::knowledge::icd10cm::{self, TableEntry};
use crate::knowledge::Phrase;
use crate::span::Span;
use crate::text::phrases::PhraseIndex;

/// The coding rules, resolved to concept indexes, and the link words.
#[derive(Debug, Clone)]
pub struct DiagnosisCoder {
    links: PhraseIndex<Link>,
    parents: Vec<Option<u32>>,
    /// (condition, qualifier) → (combined, whether a qualifying condition stays coded)
    combinations: FxHashMap<(u32, u32), (u32, bool)>,
    /// condition → (requirement, what it absorbs)
    code_first: FxHashMap<u32, (u32, Vec<u32>)>,
    agents: FxHashMap<u32, usize>,
    agent_rows: Vec<Agent>,
    agent_categories: Vec<String>,
    /// Qualifier words → the qualifier's number.
    qualifier_words: PhraseIndex<u32>,
    /// Phrases with a number in a range → the qualifier's number.
    numbered_qualifiers: Vec<(Phrase, u32, u32, u32)>,
    /// The words those phrases start with (`#` for a number): any other word starts none, so
    /// most tokens are refused without trying each phrase.
    numbered_first: FxHashSet<String>,
    /// condition → its refinements, in table order.
    refinements: FxHashMap<u32, Vec<Refinement>>,
    /// drug → the code of its adverse effect (into `codes`).
    adverse_effects: FxHashMap<u32, usize>,
    /// The codes of refinements and adverse effects.
    codes: Vec<TableCode>,
    /// The English words of ICD-10-CM descriptions that write a qualifier (`coding/table_phrases.tsv`).
    table_phrases: Vec<(TablePhrase, Vec<String>)>,
}

/// What a phrase of an ICD-10-CM description writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TablePhrase {
    /// A qualifier of `coding/qualifiers.tsv` (its number).
    Stated(u32),
    /// The words of another value of a stated qualifier's axis, which it replaces.
    Replaced(u32),
    /// An axis's unspecified value.
    Unspecified,
    /// The value a code of an unstated axis takes (initial encounter, closed, displaced).
    Default,
}

/// A code of the coding tables that no concept of the inventory carries.
#[derive(Debug, Clone)]
pub struct TableCode {
    /// The concept it refines, or the drug whose adverse effect it is.
    pub concept: String,
    pub icd10cm: String,
    pub label: String,
}

#[derive(Debug, Clone)]
struct Refinement {
    requires: Vec<Requirement>,
    code: usize,
    absorbs: Vec<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Requirement {
    /// A qualifier word stated with the condition.
    Word(u32),
    /// A place stated with the condition, or another condition, organism or drug of the statement.
    Concept(u32),
}

/// A condition while its statement is read.
#[derive(Debug, Clone)]
struct Condition {
    concept: u32,
    span: Span,
    role: DiagnosisRole,
    uncertain: bool,
    /// Indexes into the statement's conditions.
    due_to: Vec<usize>,
    /// Not coded: a manifestation, or consumed by a combination or a rule.
    dropped: bool,
    /// Took an organism into a combination code.
    combined_organism: bool,
    /// Qualifier words stated with it.
    words: Vec<u32>,
    /// Places stated with it.
    places: Vec<u32>,
    /// A refined code (into `DiagnosisCoder::codes`).
    code: Option<usize>,
    /// A code read from the ICD-10-CM table (its line's offset, `icd10cm::at`).
    table: Option<u32>,
}

impl Condition {
    fn new(concept: u32, span: Span, role: DiagnosisRole, uncertain: bool) -> Condition {
        Condition {
            concept,
            span,
            role,
            uncertain,
            due_to: Vec::new(),
            dropped: false,
            combined_organism: false,
            words: Vec::new(),
            places: Vec::new(),
            code: None,
            table: None,
        }
    }
}

/// A mention of the statement that is not a condition but may qualify one (an organism, a drug).
#[derive(Debug, Clone, Copy)]
struct Qualifier {
    concept: u32,
    span: Span,
    /// A drug named after a cause link ("indusă de", "agravată de").
    caused: bool,
    /// Taken into a combination code.
    consumed: bool,
}

impl DiagnosisCoder {
    /// Resolves the tables against the inventory (the knowledge checked that every id exists).
    pub fn new(coding: &Coding, concepts: &[ConceptEntry]) -> DiagnosisCoder {
        let index: FxHashMap<&str, u32> = concepts.iter().enumerate().map(|(i, c)| (c.id.as_str(), i as u32)).collect();
        let id = |name: &str| index.get(name).copied();
        let parents = concepts.iter().map(|c| c.parent.as_deref().and_then(id)).collect();
        let combinations = coding
            .combinations
            .iter()
            .filter_map(|c| Some(((id(&c.condition)?, id(&c.qualifier)?), (id(&c.combined)?, c.kept))))
            .collect();
        let code_first = coding
            .code_first
            .iter()
            .filter_map(|c| {
                Some((id(&c.condition)?, (id(&c.requires)?, c.absorbs.iter().filter_map(|a| id(a)).collect())))
            })
            .collect();
        let agents = coding.agents.iter().enumerate().filter_map(|(n, a)| Some((id(&a.organism)?, n))).collect();
        let links = PhraseIndex::new(coding.words.iter().filter_map(|(phrase, word)| match word {
            DiagnosisWord::Link(link) => Some((phrase.clone(), *link)),
            DiagnosisWord::Cue => None,
        }));
        let mut numbers: FxHashMap<&str, u32> = FxHashMap::default();
        let names =
            coding.qualifiers.iter().map(|(_, q)| q).chain(coding.numbered_qualifiers.iter().map(|(_, q, _, _)| q));
        for q in names {
            let next = numbers.len() as u32;
            numbers.entry(q.as_str()).or_insert(next);
        }
        let qualifier_words =
            PhraseIndex::new(coding.qualifiers.iter().map(|(phrase, q)| (phrase.clone(), numbers[q.as_str()])));
        let numbered_qualifiers: Vec<(Phrase, u32, u32, u32)> = coding
            .numbered_qualifiers
            .iter()
            .map(|(phrase, q, min, max)| (phrase.clone(), numbers[q.as_str()], *min, *max))
            .collect();
        let mut codes = Vec::new();
        let mut refinements: FxHashMap<u32, Vec<Refinement>> = FxHashMap::default();
        for r in &coding.refinements {
            let Some(condition) = id(&r.condition) else { continue };
            let requires: Option<Vec<Requirement>> = r
                .requires
                .iter()
                .map(|q| {
                    if let Some(&n) = numbers.get(q.as_str()) {
                        Some(Requirement::Word(n))
                    } else {
                        id(q).map(Requirement::Concept)
                    }
                })
                .collect();
            let Some(requires) = requires else { continue };
            codes.push(TableCode { concept: r.condition.clone(), icd10cm: r.icd10cm.clone(), label: r.label.clone() });
            let absorbs = r.absorbs.iter().filter_map(|a| id(a)).collect();
            refinements.entry(condition).or_default().push(Refinement { requires, code: codes.len() - 1, absorbs });
        }
        let mut adverse_effects = FxHashMap::default();
        for a in &coding.adverse_effects {
            let Some(drug) = id(&a.drug) else { continue };
            codes.push(TableCode {
                concept: format!("{}_adverse_effect", a.drug),
                icd10cm: a.icd10cm.clone(),
                label: a.label.clone(),
            });
            adverse_effects.insert(drug, codes.len() - 1);
        }
        let mut table_phrases = Vec::new();
        for phrase in &coding.table_phrases {
            let kind = match phrase.qualifier.as_str() {
                "unspecified" => TablePhrase::Unspecified,
                "default" => TablePhrase::Default,
                other => {
                    let Some(&q) = numbers.get(other) else { continue };
                    if !phrase.replaces.is_empty() {
                        table_phrases.push((TablePhrase::Replaced(q), phrase.replaces.clone()));
                    }
                    TablePhrase::Stated(q)
                }
            };
            table_phrases.push((kind, phrase.words.clone()));
        }
        DiagnosisCoder {
            table_phrases,
            links,
            parents,
            combinations,
            code_first,
            agents,
            agent_rows: coding.agents.clone(),
            agent_categories: coding.agent_categories.clone(),
            qualifier_words,
            numbered_first: numbered_qualifiers.iter().filter_map(|(phrase, ..)| phrase.first().cloned()).collect(),
            numbered_qualifiers,
            refinements,
            adverse_effects,
            codes,
        }
    }

    /// The longest qualifier phrase at token `start` (before `end`): its length and qualifier.
    fn qualifier_at(&self, doc: &Doc<'_>, start: usize, end: usize) -> Option<(usize, u32)> {
        let plain = |i: usize| doc.plain(i);
        let hash = |i: usize| doc.tokens[i].plain_hash;
        let word = self.qualifier_words.matches_hashed(hash, plain, start, end).next().map(|(len, &q)| (len, q));
        let first = if start < end { plain(start) } else { "" };
        let may_number =
            self.numbered_first.contains(first) || (self.numbered_first.contains("#") && first.parse::<u32>().is_ok());
        let numbered = may_number
            .then(|| self.numbered_qualifiers.iter())
            .into_iter()
            .flatten()
            .filter(|(phrase, _, min, max)| {
                start + phrase.len() <= end
                    && phrase.iter().enumerate().all(|(k, w)| {
                        let form = plain(start + k);
                        match w.as_str() {
                            "#" => form.parse::<u32>().is_ok_and(|n| (*min..=*max).contains(&n)),
                            _ => form == w,
                        }
                    })
            })
            .map(|(phrase, q, _, _)| (phrase.len(), *q))
            .max_by_key(|(len, _)| *len);
        match (word, numbered) {
            (Some(w), Some(n)) => Some(if n.0 > w.0 { n } else { w }),
            (w, n) => w.or(n),
        }
    }

    /// A code of the refinement and adverse-effect tables.
    pub fn code(&self, n: usize) -> &TableCode {
        &self.codes[n]
    }

    /// The ICD-10-CM code a condition is coded by now.
    fn code_of<'c>(&'c self, c: &Condition, concepts: &'c [ConceptEntry]) -> Option<&'c str> {
        if let Some(entry) = c.table.and_then(icd10cm::at) {
            return Some(entry.code);
        }
        match c.code {
            Some(n) => Some(self.codes[n].icd10cm.as_str()),
            None => {
                concepts[c.concept as usize].codes.get("icd10cm").and_then(|codes| codes.first()).map(String::as_str)
            }
        }
    }

    /// The agent row of a stated agent code.
    pub fn agent(&self, n: usize) -> &Agent {
        &self.agent_rows[n]
    }

    /// The concept and its ancestors, nearest first.
    fn lineage(&self, concept: u32) -> impl Iterator<Item = u32> + '_ {
        let mut next = Some(concept);
        let mut steps = 0;
        std::iter::from_fn(move || {
            let current = next?;
            steps += 1;
            // A cycle in the data must not hang the engine: no real hierarchy is this deep.
            next = if steps < 32 { self.parents[current as usize] } else { None };
            Some(current)
        })
    }

    fn is_a(&self, concept: u32, ancestor: u32) -> bool {
        self.lineage(concept).any(|c| c == ancestor)
    }

    /// Codes the conditions of every statement of `doc` that is not hidden.
    pub fn annotate(&self, doc: &mut Doc<'_>, concepts: &[ConceptEntry]) {
        let mut diagnoses: Vec<DocDiagnosis> = Vec::new();
        for (n, &statement) in doc.statements.iter().enumerate() {
            if doc.is_hidden(statement) {
                continue;
            }
            let first = diagnoses.is_empty();
            let coded = self.code_statement(doc, statement, concepts, first);
            let offset = diagnoses.len();
            for mut diagnosis in coded {
                // The same condition stated twice (a section and a cue sentence) is listed once.
                let seen = diagnoses.iter().any(|d| d.code == diagnosis.code);
                if seen && n > 0 {
                    continue;
                }
                diagnosis.due_to.iter_mut().for_each(|i| *i += offset);
                diagnoses.push(diagnosis);
            }
        }
        // Links to a condition that was skipped as a repeat are dropped rather than left dangling.
        let len = diagnoses.len();
        diagnoses.iter_mut().for_each(|d| d.due_to.retain(|&i| i < len));
        doc.diagnoses = diagnoses;
    }

    fn code_statement(
        &self,
        doc: &Doc<'_>,
        statement: Span,
        concepts: &[ConceptEntry],
        first_statement: bool,
    ) -> Vec<DocDiagnosis> {
        let (mut conditions, mut qualifiers) = self.read(doc, statement, concepts, first_statement);
        self.apply_code_first(&mut conditions);
        self.apply_combinations(&mut conditions, &mut qualifiers, concepts);
        self.apply_refinements(&mut conditions, &qualifiers, concepts);
        self.apply_table_refinements(&mut conditions, concepts);
        let coded_with_cause: Vec<bool> = conditions.iter().map(|c| self.code_first.contains_key(&c.concept)).collect();
        let codes: Vec<Option<String>> =
            conditions.iter().map(|c| self.code_of(c, concepts).map(str::to_owned)).collect();
        drop_symptoms_and_unspecified(&mut conditions, &coded_with_cause, &codes);
        drop_repeats(&mut conditions, &codes);

        let mut out: Vec<DocDiagnosis> = Vec::new();
        let mut position: Vec<Option<usize>> = vec![None; conditions.len()];
        for (i, c) in conditions.iter().enumerate().filter(|(_, c)| !c.dropped) {
            position[i] = Some(out.len());
            out.push(DocDiagnosis {
                span: c.span,
                code: match (c.table, c.code) {
                    (Some(offset), _) => StatedCode::Table { concept: c.concept, offset },
                    (None, code) => code.map_or(StatedCode::Concept(c.concept), StatedCode::Code),
                },
                role: c.role,
                uncertain: c.uncertain,
                due_to: Vec::new(),
            });
        }
        for (i, c) in conditions.iter().enumerate() {
            if let Some(at) = position[i] {
                out[at].due_to = c.due_to.iter().filter_map(|&j| position[j]).collect();
            }
        }
        // An organism no combination took is the agent of the conditions that remain; one that a
        // combination took is also the agent of a remaining infection whose category asks for it.
        let remaining = conditions.iter().any(|c| !c.dropped && !c.combined_organism);
        let took_organism = conditions.iter().any(|c| !c.dropped && c.combined_organism);
        let asks_for_agent = conditions.iter().zip(&codes).any(|(c, code)| {
            !c.dropped
                && !c.combined_organism
                && code
                    .as_deref()
                    .is_some_and(|code| self.agent_categories.iter().any(|cat| code.starts_with(cat.as_str())))
        });
        let wanted = remaining && (!took_organism || asks_for_agent);
        for q in qualifiers.iter().filter(|_| wanted) {
            let Some(&agent) = self.lineage(q.concept).find_map(|c| self.agents.get(&c)) else { continue };
            if !out.iter().any(|d| d.code == StatedCode::Agent(agent)) {
                out.push(DocDiagnosis {
                    span: q.span,
                    code: StatedCode::Agent(agent),
                    role: DiagnosisRole::Agent,
                    uncertain: false,
                    due_to: Vec::new(),
                });
            }
        }
        // A drug that caused a condition, in correct use (a poisoning took its drug into a
        // combination): its adverse effect follows the condition it caused (guidelines I.C.19.e.5.a).
        for q in qualifiers.iter().filter(|q| q.caused && !q.consumed) {
            let Some(&class) = self.lineage(q.concept).find_map(|c| self.adverse_effects.get(&c)) else { continue };
            // A class ("AINS") that the record names by one drug of it ("ibuprofen 400 mg") is coded
            // as that drug, when its drugs there agree on one code.
            let mut named: Vec<usize> = doc
                .mentions
                .iter()
                .enumerate()
                .filter(|&(m, mention)| {
                    mention.concept != q.concept
                        && concepts[mention.concept as usize].concept_type == ConceptType::Drug
                        && self.is_a(mention.concept, q.concept)
                        && doc.contexts.get(m).is_none_or(|a| !a.negated && !a.hypothetical)
                })
                .filter_map(|(_, mention)| {
                    self.lineage(mention.concept).find_map(|c| self.adverse_effects.get(&c)).copied()
                })
                .collect();
            named.sort_by(|a, b| self.codes[*a].icd10cm.cmp(&self.codes[*b].icd10cm));
            named.dedup_by(|a, b| self.codes[*a].icd10cm == self.codes[*b].icd10cm);
            let effect = if let [only] = named[..] { only } else { class };
            let code = StatedCode::Code(effect);
            let same = |d: &DocDiagnosis| match d.code {
                StatedCode::Code(n) => self.codes[n].icd10cm == self.codes[effect].icd10cm,
                _ => d.code == code,
            };
            if !out.is_empty() && !out.iter().any(same) {
                out.push(DocDiagnosis {
                    span: q.span,
                    code,
                    role: DiagnosisRole::Cause,
                    uncertain: false,
                    due_to: Vec::new(),
                });
            }
        }
        out
    }

    /// Reads the statement's conditions, with their roles and causal links, and its qualifiers.
    ///
    /// A qualifier word or a place belongs to the last condition of its clause before it, or, when
    /// there is none, to the next one; words inside a condition's or a place's own name count too
    /// ("lobului superior drept").
    fn read(
        &self,
        doc: &Doc<'_>,
        statement: Span,
        concepts: &[ConceptEntry],
        first_statement: bool,
    ) -> (Vec<Condition>, Vec<Qualifier>) {
        let mut conditions: Vec<Condition> = Vec::new();
        let mut qualifiers = Vec::new();
        // Groups of conditions joined without a link word: (role, members).
        let mut groups: Vec<(Option<Link>, Vec<usize>)> = Vec::new();
        let mut clause_start = 0; // the first group of the current clause
        let mut clauses = 0;
        let mut pending: Option<Link> = None;
        // The condition that qualifiers attach to, and those waiting for the next condition.
        let mut current: Option<usize> = None;
        let mut waiting = Condition::new(0, statement, DiagnosisRole::Secondary, false);
        // Drugs named after a cause link run on through "și" and commas to the next condition.
        let mut cause_run = false;

        let mentions: Vec<usize> =
            (0..doc.mentions.len()).filter(|&m| statement.contains(doc.mentions[m].span)).collect();
        let Some(first_token) = doc.tokens.iter().position(|t| t.span.start >= statement.start) else {
            return (conditions, qualifiers);
        };
        let end_token = doc.tokens.iter().rposition(|t| t.span.end <= statement.end).map_or(first_token, |i| i + 1);
        let plain = |i: usize| doc.plain(i);
        // The qualifier words inside tokens `range`.
        let words_in = |range: std::ops::Range<usize>| {
            let mut found = Vec::new();
            let mut k = range.start;
            while k < range.end {
                match self.qualifier_at(doc, k, range.end) {
                    Some((len, q)) => {
                        found.push(q);
                        k += len;
                    }
                    None => k += 1,
                }
            }
            found
        };
        let mut next_mention = 0;
        let mut i = first_token;
        while i < end_token {
            if let Some(&m) = mentions.get(next_mention).filter(|&&m| doc.mentions[m].tokens.start <= i) {
                next_mention += 1;
                let mention = &doc.mentions[m];
                let inside = mention.tokens.clone();
                i = i.max(mention.tokens.end);
                let entry = &concepts[mention.concept as usize];
                let assertion = doc.contexts.get(m).cloned().unwrap_or_default();
                // A word that only qualifies ("colecistită … flegmonoasă") is not a second condition,
                // though the inventory has a disorder by that name.
                let modifier = current.is_some()
                    && self.qualifier_at(doc, inside.start, end_token).is_some_and(|(len, _)| len >= inside.len());
                match entry.concept_type {
                    ConceptType::Disorder | ConceptType::SignSymptom if modifier => {
                        let c = current.expect("checked above");
                        conditions[c].words.extend(words_in(inside));
                    }
                    ConceptType::Disorder | ConceptType::SignSymptom => {
                        if assertion.negated || assertion.hypothetical {
                            continue;
                        }
                        cause_run = false;
                        let link = pending.take();
                        let index = conditions.len();
                        let joins = link.is_none() && groups.len() > clause_start;
                        if joins {
                            groups.last_mut().expect("a group of this clause").1.push(index);
                        } else {
                            groups.push((link, vec![index]));
                        }
                        let group = groups.len() - 1;
                        let role = match groups[group].0 {
                            None if group == clause_start && clauses == 0 && first_statement => {
                                DiagnosisRole::Principal
                            }
                            None => DiagnosisRole::Secondary,
                            Some(Link::Cause) => DiagnosisRole::Cause,
                            Some(Link::Complication) => DiagnosisRole::Complication,
                            Some(Link::Comorbidity) => DiagnosisRole::Comorbidity,
                            Some(Link::Manifestation) => DiagnosisRole::Secondary,
                        };
                        let mut condition = Condition::new(mention.concept, mention.span, role, assertion.uncertain);
                        condition.dropped = groups[group].0 == Some(Link::Manifestation);
                        condition.words = std::mem::take(&mut waiting.words);
                        condition.places = std::mem::take(&mut waiting.places);
                        condition.words.extend(words_in(inside));
                        conditions.push(condition);
                        current = Some(index);
                        // Link the new condition to the nearest earlier group that is not a
                        // manifestation: a cause explains it, a complication follows from it.
                        if !joins {
                            let head = groups[clause_start..group]
                                .iter()
                                .rev()
                                .find(|(link, _)| *link != Some(Link::Manifestation))
                                .map(|(_, members)| members.clone());
                            if let (Some(head), Some(link)) = (head, groups[group].0) {
                                link_group(&mut conditions, &head, index, link);
                            }
                        } else if let Some(link) = groups[group].0 {
                            // A coordinated member shares its group's link to the head.
                            let head = groups[clause_start..group]
                                .iter()
                                .rev()
                                .find(|(l, _)| *l != Some(Link::Manifestation))
                                .map(|(_, members)| members.clone());
                            if let Some(head) = head {
                                link_group(&mut conditions, &head, index, link);
                            }
                        }
                    }
                    ConceptType::Organism | ConceptType::Drug => {
                        let caused = pending == Some(Link::Cause) || cause_run;
                        cause_run = caused && entry.concept_type == ConceptType::Drug;
                        pending = None;
                        qualifiers.push(Qualifier {
                            concept: mention.concept,
                            span: mention.span,
                            caused,
                            consumed: false,
                        });
                    }
                    // A place qualifies a condition without taking a link word's place.
                    ConceptType::Anatomy => {
                        qualifiers.push(Qualifier {
                            concept: mention.concept,
                            span: mention.span,
                            caused: false,
                            consumed: false,
                        });
                        let target = match current {
                            Some(c) => &mut conditions[c],
                            None => &mut waiting,
                        };
                        target.places.push(mention.concept);
                        target.words.extend(words_in(inside));
                    }
                    _ => {}
                }
                continue;
            }
            let form = plain(i);
            if form == ";" || (i > first_token && doc.sentences.iter().any(|s| s.tokens.start == i)) {
                clauses += 1;
                clause_start = groups.len();
                pending = None;
                current = None;
                cause_run = false;
                waiting.words.clear();
                waiting.places.clear();
                i += 1;
                continue;
            }
            if let Some((len, q)) = self.qualifier_at(doc, i, end_token) {
                match current {
                    Some(c) => conditions[c].words.push(q),
                    None => waiting.words.push(q),
                }
                i += len;
                continue;
            }
            let hash = |k: usize| doc.tokens[k].plain_hash;
            if let Some((len, &link)) = self.links.matches_hashed(hash, plain, i, end_token).next() {
                // "indusă de tratamentul cu gliclazidă": a cause link not yet taken by what it
                // names stays the link of what follows.
                if pending != Some(Link::Cause) {
                    pending = Some(link);
                }
                cause_run = false;
                i += len;
                continue;
            }
            i += 1;
        }
        (conditions, qualifiers)
    }

    fn apply_code_first(&self, conditions: &mut Vec<Condition>) {
        for c in 0..conditions.len() {
            if conditions[c].dropped {
                continue;
            }
            let Some((requires, absorbs)) = self.code_first.get(&conditions[c].concept) else { continue };
            // The hierarchy may put the condition itself under its requirement (septic shock is a
            // sepsis): only another condition, not itself coded with a cause, fulfils it.
            let fulfilled = conditions.iter().any(|other| {
                !other.dropped && !self.code_first.contains_key(&other.concept) && self.is_a(other.concept, *requires)
            });
            if fulfilled {
                continue;
            }
            let vaguer = conditions.iter().position(|other| !other.dropped && absorbs.contains(&other.concept));
            match vaguer {
                Some(v) => conditions[v].concept = *requires,
                None => {
                    let added = conditions.len();
                    let source = &conditions[c];
                    let condition = Condition::new(*requires, source.span, DiagnosisRole::Cause, source.uncertain);
                    conditions.push(condition);
                    conditions[c].due_to.push(added);
                }
            }
        }
    }

    fn apply_combinations(
        &self,
        conditions: &mut Vec<Condition>,
        qualifiers: &mut [Qualifier],
        concepts: &[ConceptEntry],
    ) {
        for c in 0..conditions.len() {
            if conditions[c].dropped {
                continue;
            }
            let condition = conditions[c].concept;
            let find = |qualifier: u32| self.lineage(qualifier).find_map(|q| self.combinations.get(&(condition, q)));
            if let Some(q) = qualifiers.iter_mut().find(|q| find(q.concept).is_some()) {
                conditions[c].concept = find(q.concept).expect("found above").0;
                q.consumed = true;
                if concepts[q.concept as usize].concept_type == ConceptType::Organism {
                    conditions[c].combined_organism = true;
                }
                continue;
            }
            let others: Vec<usize> =
                (0..conditions.len()).filter(|&o| o != c && find(conditions[o].concept).is_some()).collect();
            let original = conditions[c].clone();
            for (n, o) in others.into_iter().enumerate() {
                let &(combined, kept) = find(conditions[o].concept).expect("found above");
                // Each further complication of the same condition is one more combined code.
                let target = if n == 0 {
                    c
                } else {
                    let mut copy = original.clone();
                    copy.due_to.clear();
                    conditions.push(copy);
                    conditions.len() - 1
                };
                conditions[target].concept = combined;
                if kept {
                    continue;
                }
                conditions[target].role = conditions[target].role.min(conditions[o].role);
                conditions[o].dropped = true;
                // Whatever pointed at the consumed condition now points at the combined one.
                for (n, condition) in conditions.iter_mut().enumerate() {
                    if n == target {
                        condition.due_to.retain(|&j| j != o);
                    } else {
                        condition.due_to.iter_mut().filter(|j| **j == o).for_each(|j| *j = target);
                    }
                }
            }
        }
    }

    /// Gives each condition the most specific refined code whose requirements hold (module doc, 4).
    fn apply_refinements(&self, conditions: &mut [Condition], qualifiers: &[Qualifier], concepts: &[ConceptEntry]) {
        for c in 0..conditions.len() {
            if conditions[c].dropped {
                continue;
            }
            let concept = conditions[c].concept;
            // Qualifiers of the condition and of broader or narrower conditions of the statement.
            let related: Vec<usize> = (0..conditions.len())
                .filter(|&o| {
                    o == c
                        || (!conditions[o].dropped
                            && (self.is_a(conditions[o].concept, concept) || self.is_a(concept, conditions[o].concept)))
                })
                .collect();
            // A row's words may also qualify a condition it absorbs ("cu peritonită localizată").
            let holds = |row: &Refinement, requirement: &Requirement| match *requirement {
                Requirement::Word(w) => conditions.iter().enumerate().any(|(o, other)| {
                    other.words.contains(&w)
                        && (related.contains(&o)
                            || (!other.dropped && row.absorbs.iter().any(|&a| self.is_a(other.concept, a))))
                }),
                Requirement::Concept(k) => {
                    related.iter().any(|&o| conditions[o].places.iter().any(|&p| self.is_a(p, k)))
                        || conditions
                            .iter()
                            .enumerate()
                            .any(|(o, other)| o != c && !other.dropped && self.is_a(other.concept, k))
                        || qualifiers.iter().any(|q| self.is_a(q.concept, k))
                }
            };
            // A broader concept's row refines a narrower one only within the narrower one's own
            // category: a diabetic hypoglycaemia (E11.649) is not refined as a hypoglycaemia (E16).
            let own = concepts[concept as usize].codes.get("icd10cm").and_then(|codes| codes.first());
            let fits = |level: u32, row: &Refinement| {
                level == concept || own.is_none_or(|own| own.get(..3) == self.codes[row.code].icd10cm.get(..3))
            };
            let best = self.lineage(concept).find_map(|level| {
                let rows = self.refinements.get(&level)?;
                // The most requirements wins; the first row of the table among equals.
                let mut best: Option<&Refinement> = None;
                for row in rows.iter().filter(|r| fits(level, r) && r.requires.iter().all(|q| holds(r, q))) {
                    if best.is_none_or(|b| row.requires.len() > b.requires.len()) {
                        best = Some(row);
                    }
                }
                best
            });
            let Some(best) = best.cloned() else { continue };
            conditions[c].code = Some(best.code);
            for o in 0..conditions.len() {
                if o != c && !conditions[o].dropped && best.absorbs.iter().any(|&a| self.is_a(conditions[o].concept, a))
                {
                    conditions[o].dropped = true;
                    for (n, condition) in conditions.iter_mut().enumerate() {
                        if n == c {
                            condition.due_to.retain(|&j| j != o);
                        } else {
                            condition.due_to.iter_mut().filter(|j| **j == o).for_each(|j| *j = c);
                        }
                    }
                }
            }
        }
    }
}

impl DiagnosisCoder {
    /// Gives each condition no refinement row covered the code of the ICD-10-CM table that its
    /// stated qualifiers select (module doc, 5).
    fn apply_table_refinements(&self, conditions: &mut [Condition], concepts: &[ConceptEntry]) {
        for c in 0..conditions.len() {
            if conditions[c].dropped || conditions[c].code.is_some() {
                continue;
            }
            let concept = conditions[c].concept;
            let Some(own) = concepts[concept as usize].codes.get("icd10cm").and_then(|codes| codes.first()) else {
                continue;
            };
            // The words of the condition and of broader or narrower conditions of the statement.
            let mut stated: Vec<u32> = conditions
                .iter()
                .enumerate()
                .filter(|&(o, other)| {
                    o == c
                        || (!other.dropped && (self.is_a(other.concept, concept) || self.is_a(concept, other.concept)))
                })
                .flat_map(|(_, other)| other.words.iter().copied())
                .collect();
            stated.sort_unstable();
            stated.dedup();
            if let Some(entry) = self.table_refinement(own, &stated) {
                conditions[c].table = Some(entry.offset);
            }
        }
    }

    /// The code of `own`'s category whose description differs from `own`'s only where it writes a
    /// stated qualifier, in place of an unspecified value or added. Under a code that is not
    /// billable (a category), a billable code below it may also add unspecified and default values.
    /// The code that writes the most stated qualifiers wins, then the one that changes fewest
    /// words; a tie between two codes keeps `own`.
    fn table_refinement(&self, own: &str, stated: &[u32]) -> Option<TableEntry> {
        let current = icd10cm::lookup(own)?;
        let open = !current.billable;
        if stated.is_empty() && !open {
            return None;
        }
        let rules = ChangeRules::new(&self.table_phrases, stated, open);
        let from = description_words(current.description);
        let removable = cover(&from, &self.table_phrases, |kind| rules.removable(kind));
        let mut best: Option<((usize, usize), TableEntry)> = None;
        let mut tied = false;
        for candidate in icd10cm::category(own.get(..3)?) {
            if !candidate.billable || candidate.code == own || (open && !candidate.code.starts_with(own)) {
                continue;
            }
            let to = description_words(candidate.description);
            if !rules.may_differ(&from, &to) {
                continue;
            }
            let Some((written, changed)) = self.differs_by_qualifiers(&from, &to, &removable, &rules) else {
                continue;
            };
            if written == 0 && !open {
                continue;
            }
            let key = (written, usize::MAX - changed);
            match &best {
                Some((k, _)) if *k > key => {}
                Some((k, _)) if *k == key => tied = true,
                _ => {
                    best = Some((key, candidate));
                    tied = false;
                }
            }
        }
        best.filter(|_| !tied).map(|(_, entry)| entry)
    }

    /// Whether the words `to` differ from `from` only by phrases this coder may change: each
    /// removed word is an unspecified value (`removable`: `from` covered by the phrases the
    /// rules remove); each added word is a stated qualifier's (or, when the rules are open, an
    /// unspecified or default value's). The number of stated qualifiers written and of words
    /// changed.
    fn differs_by_qualifiers(
        &self,
        from: &[Word],
        to: &[Word],
        removable: &[Option<Vec<TablePhrase>>],
        rules: &ChangeRules,
    ) -> Option<(usize, usize)> {
        let added = cover(to, &self.table_phrases, |kind| rules.addable(kind));
        // Longest common subsequence of the two word sequences; the words outside it changed.
        // `lcs[i * width + j]`: the longest common subsequence of `from[i..]` and `to[j..]`.
        let (n, m) = (from.len(), to.len());
        let width = m + 1;
        let mut lcs = vec![0u16; (n + 1) * width];
        for i in (0..n).rev() {
            for j in (0..m).rev() {
                lcs[i * width + j] = if from[i] == to[j] {
                    lcs[(i + 1) * width + j + 1] + 1
                } else {
                    lcs[(i + 1) * width + j].max(lcs[i * width + j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        let mut written: Vec<u32> = Vec::new();
        let mut changed = 0;
        while i < n || j < m {
            if i < n && j < m && from[i] == to[j] {
                i += 1;
                j += 1;
            } else if j < m && (i == n || lcs[i * width + j + 1] >= lcs[(i + 1) * width + j]) {
                let kinds = added[j].as_ref()?;
                written.extend(kinds.iter().filter_map(|k| match k {
                    TablePhrase::Stated(q) => Some(*q),
                    _ => None,
                }));
                changed += 1;
                j += 1;
            } else {
                let kinds = removable[i].as_ref()?;
                written.extend(kinds.iter().filter_map(|k| match k {
                    TablePhrase::Replaced(q) => Some(*q),
                    _ => None,
                }));
                changed += 1;
                i += 1;
            }
        }
        written.sort_unstable();
        written.dedup();
        Some((written.len(), changed))
    }
}

/// A word of an ICD-10-CM description, lower case.
type Word = Cow<'static, str>;

/// The words of an ICD-10-CM description ([`english_words_borrowed`]): the table refinement
/// reads every description of a category.
fn description_words(text: &'static str) -> Vec<Word> {
    english_words_borrowed(text).collect()
}

/// Which phrases of `coding/table_phrases.tsv` one table refinement may remove from its
/// condition's description or add to it, given the stated qualifiers, and the words of those
/// phrases.
struct ChangeRules<'c> {
    stated: &'c [u32],
    /// Under a category (not billable): unspecified and default values may be added.
    open: bool,
    /// The words of the phrases that may be added, and of those that may be removed: a word
    /// outside them can change between two descriptions only when the refinement fails.
    addable_words: Vec<&'c str>,
    removable_words: Vec<&'c str>,
}

impl<'c> ChangeRules<'c> {
    fn new(phrases: &'c [(TablePhrase, Vec<String>)], stated: &'c [u32], open: bool) -> ChangeRules<'c> {
        let mut rules = ChangeRules { stated, open, addable_words: Vec::new(), removable_words: Vec::new() };
        for (kind, words) in phrases {
            let words = words.iter().map(String::as_str);
            if rules.addable(*kind) {
                rules.addable_words.extend(words.clone());
            }
            if rules.removable(*kind) {
                rules.removable_words.extend(words);
            }
        }
        rules
    }

    /// Whether a phrase of this kind may be added: a stated qualifier's, or when open an
    /// unspecified or default value's.
    fn addable(&self, kind: TablePhrase) -> bool {
        match kind {
            TablePhrase::Stated(q) => self.stated.contains(&q),
            TablePhrase::Unspecified | TablePhrase::Default => self.open,
            TablePhrase::Replaced(_) => false,
        }
    }

    /// Whether a phrase of this kind may be removed: an unspecified value, or the other value of
    /// a stated qualifier's axis.
    fn removable(&self, kind: TablePhrase) -> bool {
        match kind {
            TablePhrase::Replaced(q) => self.stated.contains(&q),
            TablePhrase::Unspecified => true,
            TablePhrase::Stated(_) | TablePhrase::Default => false,
        }
    }

    /// A quick test that `to` may differ from `from` by these rules: a word of one that the
    /// other lacks lies outside every common subsequence, so it must be a word of a phrase
    /// that may be added (or removed). Most codes of a category differ by a word no rule
    /// changes (another site, another organism) and are refused here, before
    /// [`DiagnosisCoder::differs_by_qualifiers`] covers and aligns their words.
    fn may_differ(&self, from: &[Word], to: &[Word]) -> bool {
        let changes = |words: &[Word], other: &[Word], allowed: &[&str]| {
            words.iter().all(|w| other.contains(w) || allowed.contains(&w.as_ref()))
        };
        changes(to, from, &self.addable_words) && changes(from, to, &self.removable_words)
    }
}

/// For each word, the kinds of the accepted phrases that occur in `words` over it (`None`: no
/// accepted phrase covers it).
fn cover(
    words: &[Word],
    phrases: &[(TablePhrase, Vec<String>)],
    accept: impl Fn(TablePhrase) -> bool,
) -> Vec<Option<Vec<TablePhrase>>> {
    let mut covered: Vec<Option<Vec<TablePhrase>>> = vec![None; words.len()];
    for (kind, phrase) in phrases.iter().filter(|(kind, _)| accept(*kind)) {
        for start in 0..words.len() {
            let at = &words[start..];
            if at.len() >= phrase.len() && phrase.iter().zip(at).all(|(p, w)| w == p) {
                for slot in &mut covered[start..start + phrase.len()] {
                    let kinds = slot.get_or_insert_with(Vec::new);
                    if !kinds.contains(kind) {
                        kinds.push(*kind);
                    }
                }
            }
        }
    }
    covered
}

/// Records that the conditions of `head` and the new condition `new` are related by `link`.
fn link_group(conditions: &mut [Condition], head: &[usize], new: usize, link: Link) {
    match link {
        Link::Cause => head.iter().for_each(|&h| conditions[h].due_to.push(new)),
        Link::Complication => conditions[new].due_to.extend_from_slice(head),
        Link::Manifestation | Link::Comorbidity => {}
    }
}

/// ICD-10-CM coding conventions for one statement: a symptom code (R00–R69) is not coded beside
/// a definitive diagnosis, and an unspecified code (`.9`, `.x9`) not beside a specified code of
/// its category (Official Guidelines I.B.4–I.B.5 and I.A.9). A code that is coded with its cause
/// (R65.21 septic shock, `coded_with_cause`) is not a mere symptom. `codes` are the conditions'
/// codes.
fn drop_symptoms_and_unspecified(conditions: &mut [Condition], coded_with_cause: &[bool], codes: &[Option<String>]) {
    let is_symptom = |code: &str| {
        code.starts_with('R') && code.get(1..3).and_then(|n| n.parse::<u32>().ok()).is_some_and(|n| n < 70)
    };
    let definitive = conditions
        .iter()
        .zip(codes)
        .any(|(c, code)| !c.dropped && code.as_deref().is_some_and(|code| !is_symptom(code)));
    for i in 0..conditions.len() {
        let Some(mine) = codes[i].as_deref() else { continue };
        if definitive && is_symptom(mine) && !coded_with_cause[i] {
            conditions[i].dropped = true;
            continue;
        }
        let unspecified = mine.split_once('.').is_some_and(|(_, rest)| rest.starts_with('9'));
        let specified_sibling = (0..conditions.len()).any(|j| {
            j != i
                && !conditions[j].dropped
                && codes[j].as_deref().is_some_and(|other| other.get(..3) == mine.get(..3) && other != mine)
        });
        if unspecified && specified_sibling {
            conditions[i].dropped = true;
        }
    }
}

/// A concept named twice in one statement ("Sindrom Guillain-Barré … (AIDP)"), or two names that
/// came to the same code, are one condition.
fn drop_repeats(conditions: &mut [Condition], codes: &[Option<String>]) {
    for i in 0..conditions.len() {
        if conditions[i].dropped {
            continue;
        }
        let same =
            |j: usize| conditions[j].concept == conditions[i].concept || (codes[j].is_some() && codes[j] == codes[i]);
        if (0..i).any(|j| !conditions[j].dropped && same(j)) {
            conditions[i].dropped = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::knowledge::Knowledge;

    /// The quick test refuses only what the full comparison refuses, over the first codes of
    /// every 60th category of the table, for no stated qualifier, some single ones, and all.
    #[test]
    fn may_differ_refuses_only_what_differs_by_qualifiers_refuses() {
        let knowledge = Knowledge::embedded().expect("the embedded knowledge");
        let coder = DiagnosisCoder::new(&knowledge.coding, &knowledge.concepts);
        let mut qualifiers: Vec<u32> = coder
            .table_phrases
            .iter()
            .filter_map(|(kind, _)| match kind {
                TablePhrase::Stated(q) | TablePhrase::Replaced(q) => Some(*q),
                _ => None,
            })
            .collect();
        qualifiers.sort_unstable();
        qualifiers.dedup();
        let mut stated_sets: Vec<Vec<u32>> = vec![Vec::new(), qualifiers.clone()];
        stated_sets.extend(qualifiers.iter().step_by(5).map(|&q| vec![q]));
        let mut categories: Vec<&str> = icd10cm::TABLE
            .lines()
            .filter(|l| !l.starts_with('#') && !l.starts_with("code\t"))
            .filter_map(|l| l.get(..3))
            .collect();
        categories.dedup();
        let (mut refused, mut compared) = (0, 0);
        for category in categories.iter().step_by(60) {
            let codes: Vec<TableEntry> = icd10cm::category(category).take(25).collect();
            for (stated, open) in stated_sets.iter().flat_map(|s| [(s, true), (s, false)]) {
                let rules = ChangeRules::new(&coder.table_phrases, stated, open);
                for current in &codes {
                    let from = description_words(current.description);
                    let removable = cover(&from, &coder.table_phrases, |kind| rules.removable(kind));
                    for candidate in &codes {
                        let to = description_words(candidate.description);
                        let full = coder.differs_by_qualifiers(&from, &to, &removable, &rules);
                        compared += 1;
                        if !rules.may_differ(&from, &to) {
                            refused += 1;
                            assert_eq!(full, None, "{} → {} {stated:?}", current.code, candidate.code);
                        }
                    }
                }
            }
        }
        assert!(refused > compared / 2 && refused < compared, "{refused} of {compared} refused");
    }
}
