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
//! 4. symptom codes (R00–R69) are dropped beside a definitive diagnosis, and an unspecified code
//!    beside a specified one of the same category;
//! 5. an organism that no combination took is coded as the agent (B96.20) when a condition it
//!    may have caused remains.

use rustc_hash::FxHashMap;

use crate::doc::{DiagnosisRole, Doc, DocDiagnosis, StatedCode};
use crate::knowledge::coding::{Agent, Coding, DiagnosisWord, Link};
use crate::knowledge::concepts::{ConceptEntry, ConceptType};
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
}

/// A mention of the statement that is not a condition but may qualify one (an organism, a drug).
#[derive(Debug, Clone, Copy)]
struct Qualifier {
    concept: u32,
    span: Span,
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
        DiagnosisCoder {
            links,
            parents,
            combinations,
            code_first,
            agents,
            agent_rows: coding.agents.clone(),
            agent_categories: coding.agent_categories.clone(),
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
        let (conditions, qualifiers) = self.read(doc, statement, concepts, first_statement);
        let mut conditions = conditions;
        self.apply_code_first(&mut conditions);
        self.apply_combinations(&mut conditions, &qualifiers, concepts);
        let coded_with_cause: Vec<bool> = conditions.iter().map(|c| self.code_first.contains_key(&c.concept)).collect();
        drop_symptoms_and_unspecified(&mut conditions, &coded_with_cause, concepts);
        drop_repeats(&mut conditions);

        let mut out: Vec<DocDiagnosis> = Vec::new();
        let mut position: Vec<Option<usize>> = vec![None; conditions.len()];
        for (i, c) in conditions.iter().enumerate().filter(|(_, c)| !c.dropped) {
            position[i] = Some(out.len());
            out.push(DocDiagnosis {
                span: c.span,
                code: StatedCode::Concept(c.concept),
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
        let asks_for_agent = conditions.iter().any(|c| {
            !c.dropped && !c.combined_organism && {
                let codes = concepts[c.concept as usize].codes.get("icd10cm");
                codes
                    .into_iter()
                    .flatten()
                    .any(|code| self.agent_categories.iter().any(|cat| code.starts_with(cat.as_str())))
            }
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
        out
    }

    /// Reads the statement's conditions, with their roles and causal links, and its qualifiers.
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

        let mentions: Vec<usize> =
            (0..doc.mentions.len()).filter(|&m| statement.contains(doc.mentions[m].span)).collect();
        let Some(first_token) = doc.tokens.iter().position(|t| t.span.start >= statement.start) else {
            return (conditions, qualifiers);
        };
        let end_token = doc.tokens.iter().rposition(|t| t.span.end <= statement.end).map_or(first_token, |i| i + 1);
        let plain = |i: usize| doc.plain(i);
        let mut next_mention = 0;
        let mut i = first_token;
        while i < end_token {
            if let Some(&m) = mentions.get(next_mention).filter(|&&m| doc.mentions[m].tokens.start <= i) {
                next_mention += 1;
                let mention = &doc.mentions[m];
                i = i.max(mention.tokens.end);
                let entry = &concepts[mention.concept as usize];
                let assertion = doc.contexts.get(m).cloned().unwrap_or_default();
                match entry.concept_type {
                    ConceptType::Disorder | ConceptType::SignSymptom => {
                        if assertion.negated || assertion.hypothetical {
                            continue;
                        }
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
                        conditions.push(Condition {
                            concept: mention.concept,
                            span: mention.span,
                            role,
                            uncertain: assertion.uncertain,
                            due_to: Vec::new(),
                            dropped: groups[group].0 == Some(Link::Manifestation),
                            combined_organism: false,
                        });
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
                        pending = None;
                        qualifiers.push(Qualifier { concept: mention.concept, span: mention.span });
                    }
                    // A place qualifies a condition without taking a link word's place.
                    ConceptType::Anatomy => qualifiers.push(Qualifier { concept: mention.concept, span: mention.span }),
                    _ => {}
                }
                continue;
            }
            let form = plain(i);
            if form == ";" || (i > first_token && doc.sentences.iter().any(|s| s.tokens.start == i)) {
                clauses += 1;
                clause_start = groups.len();
                pending = None;
                i += 1;
                continue;
            }
            if let Some((len, &link)) = self.links.matches_at(plain, i, end_token).next() {
                pending = Some(link);
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
                    let condition = Condition {
                        concept: *requires,
                        span: source.span,
                        role: DiagnosisRole::Cause,
                        uncertain: source.uncertain,
                        due_to: Vec::new(),
                        dropped: false,
                        combined_organism: false,
                    };
                    conditions.push(condition);
                    conditions[c].due_to.push(added);
                }
            }
        }
    }

    fn apply_combinations(&self, conditions: &mut [Condition], qualifiers: &[Qualifier], concepts: &[ConceptEntry]) {
        for c in 0..conditions.len() {
            if conditions[c].dropped {
                continue;
            }
            let condition = conditions[c].concept;
            let find = |qualifier: u32| self.lineage(qualifier).find_map(|q| self.combinations.get(&(condition, q)));
            if let Some(q) = qualifiers.iter().find(|q| find(q.concept).is_some()) {
                conditions[c].concept = find(q.concept).expect("found above").0;
                if concepts[q.concept as usize].concept_type == ConceptType::Organism {
                    conditions[c].combined_organism = true;
                }
                continue;
            }
            let other = (0..conditions.len()).find(|&o| o != c && find(conditions[o].concept).is_some());
            if let Some(o) = other {
                let &(combined, kept) = find(conditions[o].concept).expect("found above");
                conditions[c].concept = combined;
                if kept {
                    continue;
                }
                conditions[c].role = conditions[c].role.min(conditions[o].role);
                conditions[o].dropped = true;
                // Whatever pointed at the consumed condition now points at the combined one.
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
/// (R65.21 septic shock, `coded_with_cause`) is not a mere symptom.
fn drop_symptoms_and_unspecified(conditions: &mut [Condition], coded_with_cause: &[bool], concepts: &[ConceptEntry]) {
    let code =
        |c: &Condition| concepts[c.concept as usize].codes.get("icd10cm").and_then(|codes| codes.first()).cloned();
    let is_symptom = |code: &str| {
        code.starts_with('R') && code.get(1..3).and_then(|n| n.parse::<u32>().ok()).is_some_and(|n| n < 70)
    };
    let definitive = conditions.iter().any(|c| !c.dropped && code(c).is_some_and(|code| !is_symptom(&code)));
    let codes: Vec<Option<String>> = conditions.iter().map(code).collect();
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

/// A concept named twice in one statement ("Sindrom Guillain-Barré … (AIDP)") is one condition.
fn drop_repeats(conditions: &mut [Condition]) {
    for i in 0..conditions.len() {
        if conditions[i].dropped {
            continue;
        }
        if (0..i).any(|j| !conditions[j].dropped && conditions[j].concept == conditions[i].concept) {
            conditions[i].dropped = true;
        }
    }
}
