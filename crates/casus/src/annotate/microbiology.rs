//! Microbiology: which organism grew from which specimen, with what result and susceptibility.
//!
//! "s-a izolat E. coli în hemoculturi și în probe din abcesele fesiere" gives two isolates (blood;
//! abscess), "hemoculturi negative" a negative culture, "sensibilă la ceftriaxonă, rezistentă la
//! ampicilină" the susceptibility of the isolates of its sentence. Specimens come from the
//! culture tests the concept stage found (each test concept names its specimen) and from
//! specimen words; results, susceptibility cues and resistance markers (ESBL, MRSA) are words of
//! `data/ro/microbiology.tsv`.
//!
//! An organism makes a record only when its sentence names a specimen or a result ("infecție cu
//! E. coli" in a diagnosis does not). A culture without an organism makes a record only with a
//! result word; its `organism` is then the culture test's concept (the contract's `organism` is a
//! concept, never null) and the record carries the test in `test` as well.

use std::ops::Range;

use crate::analysis::{EntityType, SectionKind};
use crate::doc::{Doc, DocMicrobiology};
use crate::knowledge::medication::MicrobiologyWord;
use crate::knowledge::Knowledge;
use crate::span::Span;

/// A specimen named in a sentence: its tokens, its kind, and the test mention that names it.
#[derive(Debug, Clone)]
struct Specimen {
    tokens: Range<usize>,
    kind: String,
    test: Option<usize>,
}

/// Finds the cultures and isolates of `doc`.
pub fn annotate(doc: &mut Doc<'_>, knowledge: &Knowledge) {
    let words = &knowledge.microbiology_words;
    let entity_type = |m: usize| knowledge.concepts[doc.mentions[m].concept as usize].concept_type.entity_type();
    let mut records = Vec::new();
    for sentence in &doc.sentences {
        // A diagnosis names infections, not culture results ("abcese datorate infecției cu E. coli").
        if doc.is_hidden(sentence.span) || doc.section_at(sentence.span.start) == Some(SectionKind::Diagnosis) {
            continue;
        }
        // Mentions are in text order: the sentence's are one run of them.
        let first = doc.mentions.partition_point(|m| m.tokens.start < sentence.tokens.start);
        let last = doc.mentions.partition_point(|m| m.tokens.start < sentence.tokens.end);
        let mentions: Vec<usize> = (first..last).collect();
        let inside_test = |i: usize| {
            mentions.iter().any(|&m| {
                doc.mentions[m].tokens.contains(&i)
                    && words.test_specimens.contains_key(&knowledge.concepts[doc.mentions[m].concept as usize].id)
            })
        };
        let mut specimens: Vec<Specimen> = Vec::new();
        let mut results: Vec<(usize, String)> = Vec::new();
        let mut cues: Vec<(usize, usize, MicrobiologyWord)> = Vec::new();
        for &m in &mentions {
            let id = &knowledge.concepts[doc.mentions[m].concept as usize].id;
            if let Some(kind) = words.test_specimens.get(id) {
                specimens.push(Specimen { tokens: doc.mentions[m].tokens.clone(), kind: kind.clone(), test: Some(m) });
            }
        }
        let mut i = sentence.tokens.start;
        while i < sentence.tokens.end {
            let found = doc.stem_phrases(&words.phrases, i, sentence.tokens.end).next();
            let Some((len, word)) = found else {
                i += 1;
                continue;
            };
            match word {
                MicrobiologyWord::Specimen(kind) if !inside_test(i) => {
                    specimens.push(Specimen { tokens: i..i + len, kind: kind.clone(), test: None })
                }
                MicrobiologyWord::Result(result) => results.push((i, result.clone())),
                MicrobiologyWord::Susceptibility(_) | MicrobiologyWord::Marker(..) => cues.push((i, len, word.clone())),
                MicrobiologyWord::Specimen(_) => {}
            }
            i += len;
        }
        specimens.sort_by_key(|s| s.tokens.start);
        let organisms: Vec<usize> =
            mentions.iter().copied().filter(|&m| entity_type(m) == EntityType::Organism).collect();

        // Susceptibility: each cue applies to the drugs after it, up to the next cue.
        let mut susceptibility = Vec::new();
        let mut tested_drugs = Vec::new();
        for (n, (at, len, word)) in cues.iter().enumerate() {
            match word {
                MicrobiologyWord::Susceptibility(result) => {
                    let until = cues.get(n + 1).map_or(sentence.tokens.end, |c| c.0);
                    for &m in &mentions {
                        let start = doc.mentions[m].tokens.start;
                        if entity_type(m) == EntityType::Drug && start >= at + len && start < until {
                            susceptibility.push((doc.mentions[m].concept, result.clone()));
                            tested_drugs.push(m);
                        }
                    }
                }
                MicrobiologyWord::Marker(result, concept) => {
                    // Markers are rare: a scan of the inventory costs less than indexing it per document.
                    if let Some(index) = knowledge.concepts.iter().position(|c| c.id == *concept) {
                        susceptibility.push((index as u32, result.clone()));
                    }
                }
                _ => {}
            }
        }

        let token_span =
            |tokens: &Range<usize>| Span::new(doc.tokens[tokens.start].span.start, doc.tokens[tokens.end - 1].span.end);
        if organisms.is_empty() {
            // Cultures without an organism: a result word after the test, in its sentence.
            for specimen in specimens.iter().filter(|s| s.test.is_some()) {
                let Some((at, result)) = results.iter().find(|(at, _)| *at >= specimen.tokens.end) else { continue };
                let span = token_span(&(specimen.tokens.start..at + 1));
                records.push(DocMicrobiology {
                    organism: None,
                    test: specimen.test,
                    specimen: Some(specimen.kind.clone()),
                    result: result.clone(),
                    span,
                    susceptibility: Vec::new(),
                    tested_drugs: Vec::new(),
                });
            }
            continue;
        }
        let is_break = |i: usize| matches!(doc.token_text(i), "," | ";");
        // The clause of an organism: between the commas or semicolons around it.
        let clause_of = |tokens: &Range<usize>| {
            let start = (sentence.tokens.start..tokens.start)
                .rev()
                .find(|&i| is_break(i))
                .map_or(sentence.tokens.start, |i| i + 1);
            let end = (tokens.end..sentence.tokens.end).find(|&i| is_break(i)).unwrap_or(sentence.tokens.end);
            start..end
        };
        let sentence_start = records.len();
        for &organism in &organisms {
            let clause = clause_of(&doc.mentions[organism].tokens);
            let specimens: Vec<&Specimen> = specimens.iter().filter(|s| clause.contains(&s.tokens.start)).collect();
            let positive_cue = results.iter().any(|(at, r)| r == "positive" && clause.contains(at));
            let negated = doc.contexts.get(organism).is_some_and(|a| a.negated);
            if specimens.is_empty() && !positive_cue && !negated {
                continue;
            }
            if specimens.is_empty() && negated && results.is_empty() {
                continue;
            }
            let result = if negated { "negative" } else { "positive" };
            let org_tokens = doc.mentions[organism].tokens.clone();
            let mut kinds_seen: Vec<&str> = Vec::new();
            let chosen: Vec<Option<&Specimen>> = if specimens.is_empty() {
                vec![None]
            } else {
                specimens
                    .iter()
                    .copied()
                    .filter(|s| {
                        let new = !kinds_seen.contains(&s.kind.as_str());
                        kinds_seen.push(&s.kind);
                        new
                    })
                    .map(Some)
                    .collect()
            };
            for specimen in chosen {
                // The same organism named twice ("virusul sincițial respirator (VSR)") is one isolate.
                let concept = doc.mentions[organism].concept;
                let kind = specimen.map(|s| s.kind.as_str());
                let seen = records[sentence_start..].iter().any(|r: &DocMicrobiology| {
                    r.organism.is_some_and(|o| doc.mentions[o].concept == concept) && r.specimen.as_deref() == kind
                });
                if seen {
                    continue;
                }
                let (start, end) = match specimen {
                    Some(s) => (org_tokens.start.min(s.tokens.start), org_tokens.end.max(s.tokens.end)),
                    None => (org_tokens.start, org_tokens.end),
                };
                records.push(DocMicrobiology {
                    organism: Some(organism),
                    test: specimen.and_then(|s| s.test),
                    specimen: specimen.map(|s| s.kind.clone()),
                    result: result.to_owned(),
                    span: token_span(&(start..end)),
                    susceptibility: susceptibility.clone(),
                    tested_drugs: tested_drugs.clone(),
                });
            }
        }
        if organisms.iter().all(|&o| !records.iter().any(|r| r.organism == Some(o))) && !tested_drugs.is_empty() {
            // Susceptibility named without a record still marks its drugs as tested, not given.
            records.push(DocMicrobiology {
                organism: Some(organisms[0]),
                test: None,
                specimen: None,
                result: "positive".to_owned(),
                span: token_span(&doc.mentions[organisms[0]].tokens),
                susceptibility,
                tested_drugs,
            });
        }
    }
    doc.microbiology = records;
}

#[cfg(test)]
mod tests {
    use crate::{Engine, Options};

    /// (organism or test id, specimen, result, susceptibility) of one record.
    type Record = (String, Option<String>, String, Vec<(String, String)>);

    fn records(text: &str) -> Vec<Record> {
        let engine = Engine::new().unwrap();
        let analysis = engine.analyze(text, &Options::default()).unwrap();
        analysis
            .microbiology
            .iter()
            .map(|m| {
                let s = m.susceptibility.iter().map(|s| (s.drug.id.clone(), s.result.clone())).collect();
                (m.organism.id.clone(), m.specimen.clone(), m.result.clone(), s)
            })
            .collect()
    }

    fn owned(
        organism: &str,
        specimen: Option<&str>,
        result: &str,
    ) -> (String, Option<String>, String, Vec<(String, String)>) {
        (organism.to_owned(), specimen.map(str::to_owned), result.to_owned(), Vec::new())
    }

    #[test]
    fn one_organism_from_two_specimens_is_two_isolates() {
        assert_eq!(
            records("A fost izolat E. coli în hemoculturi și în probe din abcesele fesiere."),
            vec![
                owned("escherichia_coli", Some("blood"), "positive"),
                owned("escherichia_coli", Some("abscess"), "positive")
            ]
        );
    }

    #[test]
    fn negative_cultures_name_their_test() {
        assert_eq!(records("Hemoculturile au fost negative."), vec![owned("blood_culture", Some("blood"), "negative")]);
        assert_eq!(records("Uroculturi sterile."), vec![owned("urine_culture", Some("urine"), "negative")]);
    }

    #[test]
    fn an_organism_without_specimen_or_result_is_not_a_culture() {
        assert!(records("Diagnostic: sepsis datorat infecției cu E. coli.").is_empty());
    }

    #[test]
    fn susceptibility_lists_follow_their_cue() {
        let found = records(
            "Urocultura: Escherichia coli, sensibilă la ceftriaxonă și ciprofloxacină, rezistentă la ampicilină.",
        );
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].0.as_str(), found[0].1.as_deref()), ("escherichia_coli", Some("urine")));
        let s: Vec<(&str, &str)> = found[0].3.iter().map(|(d, r)| (d.as_str(), r.as_str())).collect();
        assert_eq!(
            s,
            vec![("ceftriaxone", "susceptible"), ("ciprofloxacin", "susceptible"), ("ampicillin", "resistant")]
        );
    }

    #[test]
    fn resistance_markers_are_susceptibility_results() {
        let found = records("În hemoculturi s-a izolat Klebsiella pneumoniae ESBL.");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].3, vec![("third_generation_cephalosporin".to_owned(), "resistant".to_owned())]);
    }
}
