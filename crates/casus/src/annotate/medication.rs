//! Medications: for each drug the patient takes, was given or is to be given, what its clause
//! says about route, dose, frequency, duration, time relative to presentation and status.
//!
//! The clause of a drug runs from its mention to the next drug mention of its sentence, cut at
//! the first `,` or `;` (a list of prescriptions is a list of clauses). Coordinated drugs share
//! what is said once: in "ceftriaxonă și cloxacilină iv" the first drug's clause holds only
//! coordinating words, so it takes the route, time and duration of the last drug of the chain
//! (never its dose or frequency, which are said per drug). A route written before the drugs and
//! tied to them by a link word applies forward ("administrarea intramusculară de diclofenac și
//! dexametazonă"); a drug class followed by its members takes their route ("antibioterapie
//! empirică cu ceftriaxonă și cloxacilină iv").
//!
//! Status: a negated drug ("nu s-a administrat albumină", "fără tratament cu X") is kept with
//! `not_given` rather than dropped, so the reader sees what was withheld; a drug in the past
//! ("cu 10 zile înainte", historical context) is `prior`; otherwise the nearest cue of
//! `data/ro/medication.tsv` in its clause, then in its sentence ("s-a administrat" given, "la
//! externare" planned, "oprit" stopped, "în tratament cu" prior); otherwise its section decides
//! (history: prior; diagnosis or no section: none; elsewhere: given). Drugs named in a susceptibility result
//! ("sensibilă la ceftriaxonă", claimed by the microbiology stage) and drugs of someone else than
//! the patient are not medications.
//!
//! Normal forms: frequency `N/d`, `N/wk`, `every N h` (or `d`, `wk`, `min`), `as needed`; dose
//! `{value, unit}` in UCUM; duration and time ISO 8601 (`P6W`, `-P10D`, `P0D`).

use std::ops::Range;

use rustc_hash::FxHashSet;

use crate::analysis::{EntityType, Experiencer, SectionKind};
use crate::annotate::time::TimeReader;
use crate::doc::{Doc, DocMedication, Stems};
use crate::knowledge::medication::{MedicationStatus, MedicationWords, TimeUnit};
use crate::knowledge::Knowledge;
use crate::span::Span;
use crate::text::numbers;
use crate::text::tokenize::{number_prefix, TokenKind};

/// What one drug's clause says.
#[derive(Debug, Clone, Default)]
struct Clause {
    route: Option<&'static str>,
    dose: Option<(f64, String)>,
    frequency: Option<String>,
    duration: Option<String>,
    time: Option<String>,
    evidence: Vec<Span>,
    /// The clause holds only coordinating words: the drug shares what the next one says.
    bare: bool,
    /// The clause ends with a member word before the next drug ("antibioterapie cu …").
    introduces_members: bool,
}

/// The context of one document the readers share.
struct Reader<'a, 'd, 't> {
    doc: &'d Doc<'t>,
    keys: &'a Stems,
    words: &'a MedicationWords,
    time: TimeReader<'a, 'd, 't>,
}

/// Finds the medications of `doc` (run after context and microbiology).
pub fn annotate(doc: &mut Doc<'_>, knowledge: &Knowledge) {
    let keys = doc.stems();
    let reader = Reader {
        doc,
        keys,
        words: &knowledge.medication_words,
        time: TimeReader::new(doc, &knowledge.time_words, &knowledge.number_words),
    };
    let tested: FxHashSet<usize> = doc.microbiology.iter().flat_map(|m| m.tested_drugs.iter().copied()).collect();
    let drugs: Vec<usize> = (0..doc.mentions.len())
        .filter(|&m| {
            let mention = &doc.mentions[m];
            knowledge.concepts[mention.concept as usize].concept_type.entity_type() == EntityType::Drug
                && !doc.is_hidden(mention.span)
                && !tested.contains(&m)
                && doc.contexts.get(m).is_none_or(|a| a.experiencer == Experiencer::Patient)
        })
        .collect();
    let mut medications = Vec::new();
    for sentence in &doc.sentences {
        let group: Vec<usize> =
            drugs.iter().copied().filter(|&m| sentence.tokens.contains(&doc.mentions[m].tokens.start)).collect();
        let clauses: Vec<Clause> = group
            .iter()
            .enumerate()
            .map(|(k, &m)| {
                let own = doc.mentions[m].tokens.clone();
                let next = group.get(k + 1).map_or(sentence.tokens.end, |&n| doc.mentions[n].tokens.start);
                reader.clause(own.clone(), own.end..next.max(own.end))
            })
            .collect();
        for (k, &m) in group.iter().enumerate() {
            let mut clause = clauses[k].clone();
            // Coordination: share the route, time and duration of the chain's last drug.
            // Only what is said after the chain, not a dose block of its last drug ("ser fiziologic
            // și acid zoledronic 4 mg iv": the route belongs to the acid's prescription).
            let last = (k..group.len()).find(|&j| !clauses[j].bare).unwrap_or(group.len() - 1);
            if last != k && clauses[last].dose.is_none() {
                let shared = &clauses[last];
                clause.route = clause.route.or(shared.route);
                clause.time = clause.time.clone().or_else(|| shared.time.clone());
                clause.duration = clause.duration.clone().or_else(|| shared.duration.clone());
                clause.evidence.extend(shared.evidence.iter().copied());
            }
            // A class before its members: "antibioterapie cu ceftriaxonă … iv".
            if clause.route.is_none() && clause.introduces_members && k + 1 < group.len() {
                let members = (k + 1..group.len()).find(|&j| !clauses[j].bare).unwrap_or(group.len() - 1);
                clause.route = clauses[k + 1].route.or(clauses[members].route);
            }
            // A route written before the chain: "administrarea intramusculară de diclofenac și …".
            if clause.route.is_none() {
                let first = (0..=k).rev().take_while(|&j| j == k || clauses[j].bare).last().unwrap_or(k);
                // The floor: the end of the previous drug's clause (a route there is its own).
                let floor = match first.checked_sub(1) {
                    Some(previous) => {
                        let from = doc.mentions[group[previous]].tokens.end;
                        let to = doc.mentions[group[first]].tokens.start;
                        (from..to).rev().find(|&i| matches!(doc.token_text(i), "," | ";")).map_or(to, |i| i + 1)
                    }
                    None => sentence.tokens.start,
                };
                if let Some((route, span)) = reader.route_before(doc.mentions[group[first]].tokens.start, floor) {
                    clause.route = Some(route);
                    clause.evidence.push(span);
                }
            }
            let (status, cue) = reader.status(m, &clause, sentence.tokens.clone());
            clause.evidence.extend(cue);
            clause.evidence.sort_by_key(|s| (s.start, s.end));
            clause.evidence.dedup();
            medications.push(DocMedication {
                mention: m,
                route: clause.route,
                dose: clause.dose,
                frequency: clause.frequency,
                duration: clause.duration,
                time: clause.time,
                status,
                evidence: clause.evidence,
            });
        }
    }
    doc.medications = medications;
}

impl Reader<'_, '_, '_> {
    fn span(&self, tokens: Range<usize>) -> Span {
        Span::new(self.doc.tokens[tokens.start].span.start, self.doc.tokens[tokens.end - 1].span.end)
    }

    fn key(&self, i: usize) -> &str {
        &self.keys[i]
    }

    /// Reads the drug's own tokens (for a route inside its name: "imunoglobuline intravenoase")
    /// and its clause.
    fn clause(&self, own: Range<usize>, window: Range<usize>) -> Clause {
        let doc = self.doc;
        let words = self.words;
        let mut clause = Clause {
            bare: window.clone().all(|i| words.coord.contains(self.key(i)) || doc.token_text(i) == "("),
            ..Clause::default()
        };
        let end = window.clone().find(|&i| matches!(doc.token_text(i), "," | ";")).unwrap_or(window.end);
        clause.introduces_members =
            end == window.end && window.end > window.start && words.members.contains(self.key(window.end - 1));
        for i in own.clone() {
            if let Some((len, route)) = self.doc.stem_phrases(&words.routes, i, own.end).next() {
                clause.route = Some(route);
                clause.evidence.push(self.span(i..i + len));
                break;
            }
        }
        let mut i = window.start;
        while i < end {
            if clause.time.is_none() {
                if let Some((iso, tokens)) = self.time.relative_at(i, end) {
                    clause.time = Some(iso);
                    clause.evidence.push(self.span(tokens.clone()));
                    i = tokens.end;
                    continue;
                }
            }
            if clause.duration.is_none() {
                if let Some((iso, tokens)) = self.time.duration_at(i, end) {
                    clause.duration = Some(iso);
                    clause.evidence.push(self.span(tokens.clone()));
                    i = tokens.end;
                    continue;
                }
            }
            if clause.frequency.is_none() {
                if let Some((frequency, after)) = self.frequency_at(i, end) {
                    clause.frequency = Some(frequency);
                    clause.evidence.push(self.span(i..after));
                    i = after;
                    continue;
                }
            }
            if clause.route.is_none() {
                if let Some((len, route)) = self.doc.stem_phrases(&words.routes, i, end).next() {
                    clause.route = Some(route);
                    clause.evidence.push(self.span(i..i + len));
                    i += len;
                    continue;
                }
                // A route with its period glued on: "s.c./zi", "i.v./zi".
                if let Some((route, period)) = self.glued_route(i) {
                    clause.route = Some(route);
                    clause.frequency = clause.frequency.take().or(period);
                    clause.evidence.push(self.span(i..i + 1));
                    i += 1;
                    continue;
                }
            }
            if clause.dose.is_none() {
                if let Some((dose, after)) = self.dose_at(i, end) {
                    clause.dose = Some(dose);
                    clause.evidence.push(self.span(i..after));
                    i = after;
                    continue;
                }
            }
            i += 1;
        }
        clause
    }

    /// A route token with a period glued after a slash ("s.c./zi": subcutaneous, once a day).
    fn glued_route(&self, at: usize) -> Option<(&'static str, Option<String>)> {
        let (route, period) = self.doc.plain(at).split_once('/')?;
        let key = crate::text::stem::stem(route);
        let (_, found) = self.words.routes.matches_at(|_| key.as_ref(), 0, 1).next()?;
        let period = format!("/{period}");
        let per = self.words.per.matches_at(|_| period.as_str(), 0, 1).next().map(|(_, unit)| format!("1/{unit}"));
        Some((found, per))
    }

    /// A dose at token `at`: a number and a dose unit ("40 mg", "0,4 g/kg/zi", "5.000 UI"), or a
    /// quantity with its unit attached ("40mg").
    fn dose_at(&self, at: usize, end: usize) -> Option<((f64, String), usize)> {
        let doc = self.doc;
        let token = doc.tokens[at];
        let form = doc.token_text(at);
        match token.kind {
            TokenKind::Number => {
                let value = numbers::parse(form, doc.convention)?.value;
                let unit_at = at + 1;
                if unit_at >= end {
                    return None;
                }
                let unit = self.words.dose_units.get(doc.plain(unit_at).trim_end_matches('.'))?;
                Some(((value, unit.clone()), unit_at + 1))
            }
            TokenKind::Quantity => {
                let value = numbers::parse(form, doc.convention)?.value;
                let plain = doc.plain(at);
                let unit = self.words.dose_units.get(&plain[number_prefix(plain)..])?;
                Some(((value, unit.clone()), at + 1))
            }
            _ => None,
        }
    }

    /// A count at token `at` in digits or words.
    fn count_at(&self, at: usize, end: usize) -> Option<(f64, usize)> {
        if at >= end {
            return None;
        }
        let doc = self.doc;
        if doc.tokens[at].kind == TokenKind::Number {
            return Some((numbers::parse(doc.token_text(at), doc.convention)?.value, at + 1));
        }
        let forms: Vec<&str> = (at..end.min(at + 3)).map(|i| doc.plain(i)).collect();
        let (value, used) = numbers::parse_words(&forms, self.time.numbers)?;
        Some((value, at + used))
    }

    /// The period after a count of times: "pe zi", "/zi", or a `/zi` glued to the count's token.
    fn per_at(&self, at: usize, end: usize) -> Option<(String, usize)> {
        let (len, unit) = self.doc.stem_phrases(&self.words.per, at, end).next()?;
        Some((unit.clone(), at + len))
    }

    /// A frequency at token `at`: a fixed phrase ("la nevoie", "zilnic"), "de 3 ori pe zi",
    /// "x 2/zi", "x3/zi", "la 8 ore", "la fiecare 6 ore", "1-0-1".
    fn frequency_at(&self, at: usize, end: usize) -> Option<(String, usize)> {
        let doc = self.doc;
        let words = self.words;
        if let Some((len, normal)) = self.doc.stem_phrases(&words.fixed, at, end).next() {
            return Some((normal.clone(), at + len));
        }
        // "1-0-1": doses morning-noon-evening.
        let form = doc.token_text(at);
        let parts: Vec<&str> = form.split('-').collect();
        if parts.len() == 3
            && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && p.len() == 1)
        {
            let count: u32 = parts.iter().filter(|p| **p != "0").count() as u32;
            return (count > 0).then(|| (format!("{count}/d"), at + 1));
        }
        // "x3/zi", "x 2/zi", "2x/zi": a count glued to a period.
        let glued = |form: &str| -> Option<(f64, String)> {
            let rest = form.trim_start_matches(['x', 'X', '×']);
            let digits = number_prefix(rest);
            let count: f64 = rest[..digits].parse().ok()?;
            let period = rest[digits..].trim_start_matches(['x', 'X', '×']);
            let (_, unit) = words.per.matches_at(|_| period, 0, 1).next()?;
            Some((count, unit.clone()))
        };
        let plain = doc.plain(at);
        if plain.starts_with(['x', '×']) || plain.bytes().next().is_some_and(|b| b.is_ascii_digit()) {
            if let Some((count, unit)) = glued(plain) {
                return Some((format!("{count}/{unit}"), at + 1));
            }
        }
        // "de 3 ori pe zi", "x 2/zi", "de două ori/zi".
        let mut i = at;
        if doc.plain(i) == "de" {
            i += 1;
        }
        if words.times.contains(self.key(i.min(end.saturating_sub(1)))) && i < end {
            // "x 2 pe zi" / "x 2/zi"
            if let Some((count, after)) = self.count_at(i + 1, end) {
                if let Some((unit, after)) = self.per_at(after, end) {
                    return Some((format!("{count}/{unit}"), after));
                }
            }
            if let Some(next) = (i + 1 < end).then(|| doc.plain(i + 1)) {
                if let Some((count, unit)) = glued(next) {
                    return Some((format!("{count}/{unit}"), i + 2));
                }
            }
        }
        if let Some((count, after)) = self.count_at(i, end).filter(|_| i > at || doc.plain(at) != "de") {
            if after < end && words.times.contains(self.key(after)) {
                if let Some((unit, after)) = self.per_at(after + 1, end) {
                    return Some((format!("{count}/{unit}"), after));
                }
            }
            // "ori/zi" written as one token.
            if let Some((times, period)) = (after < end).then(|| doc.plain(after).split_once('/')).flatten() {
                let period = format!("/{period}");
                let per = words.per.matches_at(|_| period.as_str(), 0, 1).next();
                if let (true, Some((_, unit))) = (words.times.contains(times), per) {
                    return Some((format!("{count}/{unit}"), after + 1));
                }
            }
        }
        // "la 8 ore", "la fiecare 6 ore".
        let mut i = at;
        while i < end && words.every.contains(self.key(i)) {
            i += 1;
        }
        if i > at {
            let (amount, after) = self.time.amount_at(i, end)?;
            let unit = match amount.unit {
                TimeUnit::Minute => "min",
                TimeUnit::Hour => "h",
                TimeUnit::Day => "d",
                TimeUnit::Week => "wk",
                TimeUnit::Month => "mo",
                TimeUnit::Year => "a",
            };
            return Some((format!("every {} {unit}", amount.value), after));
        }
        None
    }

    /// A route written before token `first`, tied to it by link words only:
    /// "administrarea intramusculară de", "tromboliză i.v. cu".
    fn route_before(&self, first: usize, floor: usize) -> Option<(&'static str, Span)> {
        let mut end = first;
        while end > floor && self.words.links.contains(self.key(end - 1)) {
            end -= 1;
        }
        if end == first {
            return None;
        }
        (end.saturating_sub(3).max(floor)..end).find_map(|start| {
            self.doc
                .stem_phrases(&self.words.routes, start, end)
                .find(|(len, _)| start + len == end)
                .map(|(_, route)| (*route, self.span(start..end)))
        })
    }

    /// The status of drug mention `m` and the words it was read from.
    fn status(&self, m: usize, clause: &Clause, sentence: Range<usize>) -> (Option<MedicationStatus>, Option<Span>) {
        let doc = self.doc;
        let assertion = doc.contexts.get(m).cloned().unwrap_or_default();
        if assertion.negated {
            return (Some(MedicationStatus::NotGiven), None);
        }
        if clause.time.as_deref().is_some_and(|t| t.starts_with('-')) || assertion.historical {
            return (Some(MedicationStatus::Prior), None);
        }
        let mention = &doc.mentions[m];
        // Cues outside any drug mention, nearest first; the drug's own clause first.
        let inside_drug = |i: usize| doc.mentions[m].tokens.contains(&i);
        let mut cues: Vec<(usize, usize, MedicationStatus)> = Vec::new();
        let mut i = sentence.start;
        while i < sentence.end {
            if inside_drug(i) {
                i += 1;
                continue;
            }
            match self.doc.stem_phrases(&self.words.status, i, sentence.end).next() {
                Some((len, status)) => {
                    cues.push((i, len, *status));
                    i += len;
                }
                None => i += 1,
            }
        }
        let is_break = |i: usize| matches!(doc.token_text(i), "," | ";");
        let same_clause = |at: usize| {
            let (lo, hi) =
                if at < mention.tokens.start { (at, mention.tokens.start) } else { (mention.tokens.end, at) };
            !(lo..hi).any(is_break)
        };
        let distance =
            |at: usize| if at < mention.tokens.start { mention.tokens.start - at } else { at - mention.tokens.end + 1 };
        let best = cues
            .iter()
            .filter(|(at, _, _)| same_clause(*at))
            .min_by_key(|(at, _, _)| distance(*at))
            .or_else(|| cues.iter().filter(|(at, _, _)| *at < mention.tokens.start).max_by_key(|(at, _, _)| *at));
        if let Some((at, len, status)) = best {
            return (Some(*status), Some(self.span(*at..at + len)));
        }
        let status = match doc.section_at(mention.span.start) {
            Some(SectionKind::History) => Some(MedicationStatus::Prior),
            // A diagnosis names drugs as causes; text outside any section says nothing of use.
            Some(SectionKind::Diagnosis) | None => None,
            Some(_) => Some(MedicationStatus::Given),
        };
        (status, None)
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::Medication;
    use crate::{Engine, Options};

    /// (drug text, route, dose, frequency, duration, time, status) of each medication of `text`.
    type Row =
        (String, Option<String>, Option<(f64, String)>, Option<String>, Option<String>, Option<String>, Option<String>);

    fn read(text: &str) -> Vec<Row> {
        let engine = Engine::new().unwrap();
        let analysis = engine.analyze(text, &Options::default()).unwrap();
        analysis
            .medications
            .iter()
            .map(|m: &Medication| {
                let entity = analysis.entities.iter().find(|e| e.id == m.entity).unwrap();
                (
                    entity.text.clone(),
                    m.route.clone(),
                    m.dose.as_ref().map(|d| (d.value, d.unit.clone())),
                    m.frequency.clone(),
                    m.duration.clone(),
                    m.time.clone(),
                    m.status.clone(),
                )
            })
            .collect()
    }

    fn route_of(rows: &[Row], drug: &str) -> Option<String> {
        rows.iter().find(|r| r.0 == drug).and_then(|r| r.1.clone())
    }

    #[test]
    fn coordinated_drugs_share_a_route_and_time_said_once() {
        let rows = read("Bărbat de 47 de ani. El a raportat administrarea intramusculară de diclofenac și dexametazonă cu 10 zile înainte.");
        assert_eq!(rows.len(), 2);
        for row in &rows {
            assert_eq!(row.1.as_deref(), Some("intramuscular"), "{row:?}");
            assert_eq!(row.5.as_deref(), Some("-P10D"), "{row:?}");
            assert_eq!(row.6.as_deref(), Some("prior"), "{row:?}");
        }
        let rows = read("Tratament: ceftriaxonă și cloxacilină iv.");
        assert_eq!(route_of(&rows, "ceftriaxonă").as_deref(), Some("intravenous"));
        assert_eq!(route_of(&rows, "cloxacilină").as_deref(), Some("intravenous"));
    }

    #[test]
    fn a_drug_class_takes_the_route_of_its_members() {
        let rows = read("Evoluție bună cu antibioterapie empirică cu ceftriaxonă și cloxacilină iv.");
        assert_eq!(route_of(&rows, "antibioterapie").as_deref(), Some("intravenous"), "{rows:?}");
    }

    #[test]
    fn reads_dose_frequency_and_duration() {
        let rows =
            read("Tratament: ceftriaxonă 2 g i.v. la 12 ore timp de 7 zile, amoxicilină 1 g p.o. de 3 ori pe zi.");
        assert_eq!(rows[0].1.as_deref(), Some("intravenous"));
        assert_eq!(rows[0].2, Some((2.0, "g".to_owned())));
        assert_eq!(rows[0].3.as_deref(), Some("every 12 h"));
        assert_eq!(rows[0].4.as_deref(), Some("P7D"));
        assert_eq!(rows[0].6.as_deref(), Some("given"));
        assert_eq!(rows[1].1.as_deref(), Some("oral"));
        assert_eq!(rows[1].3.as_deref(), Some("3/d"));
    }

    #[test]
    fn frequencies_have_one_normal_form() {
        let frequency = |text: &str| read(text).first().and_then(|r| r.3.clone());
        assert_eq!(frequency("Tratament: metformin 1000 mg x 2/zi.").as_deref(), Some("2/d"));
        assert_eq!(frequency("Tratament: metformin 1000 mg de două ori pe zi.").as_deref(), Some("2/d"));
        assert_eq!(frequency("Tratament: bisoprolol 5 mg 1-0-1.").as_deref(), Some("2/d"));
        assert_eq!(frequency("Tratament: paracetamol 1 g la nevoie.").as_deref(), Some("as needed"));
        assert_eq!(frequency("Tratament: apixaban 5 mg de 2 ori/zi.").as_deref(), Some("2/d"));
    }

    #[test]
    fn a_route_with_its_period_glued_on_gives_both() {
        let rows = read("Tratament: enoxaparină 40 mg s.c./zi, pantoprazol 40 mg i.v./zi.");
        assert_eq!((rows[0].1.as_deref(), rows[0].3.as_deref()), (Some("subcutaneous"), Some("1/d")));
        assert_eq!((rows[1].1.as_deref(), rows[1].2.clone()), (Some("intravenous"), Some((40.0, "mg".to_owned()))));
    }

    #[test]
    fn a_route_belongs_to_its_own_prescription() {
        // "p.o." closes naproxen's prescription; omeprazole, joined by "cu", has no route of its own.
        let rows = read("Tratament: naproxen 500 mg de 2 ori pe zi p.o. cu omeprazol 20 mg/zi.");
        assert_eq!(route_of(&rows, "naproxen").as_deref(), Some("oral"));
        assert_eq!(route_of(&rows, "omeprazol"), None);
        // A dose block after the last coordinated drug is that drug's own.
        let rows = read("Tratament: hidratare cu ser fiziologic și acid zoledronic 4 mg iv.");
        assert_eq!(route_of(&rows, "acid zoledronic").as_deref(), Some("intravenous"));
        assert_eq!(route_of(&rows, "ser fiziologic"), None);
    }

    #[test]
    fn doses_are_in_ucum() {
        let dose = |text: &str| read(text).first().and_then(|r| r.2.clone());
        assert_eq!(dose("Tratament: heparină 5.000 UI i.v."), Some((5000.0, "[iU]".to_owned())));
        assert_eq!(dose("Tratament: octreotid 50 µg s.c."), Some((50.0, "ug".to_owned())));
        assert_eq!(dose("Tratament: metilprednisolon 0,4 g/kg/zi."), Some((0.4, "g/kg/d".to_owned())));
    }

    #[test]
    fn status_comes_from_cues_negation_and_section() {
        let status = |text: &str, drug: &str| read(text).into_iter().find(|r| r.0 == drug).and_then(|r| r.6);
        assert_eq!(status("Nu s-a administrat heparină intravenos.", "heparină").as_deref(), Some("not_given"));
        assert_eq!(status("Gliclazidul și metforminul au fost oprite.", "metforminul").as_deref(), Some("stopped"));
        assert_eq!(status("La externare: aspirină 75 mg/zi.", "aspirină").as_deref(), Some("planned"));
        assert_eq!(status("HTA în tratament cronic cu amlodipină 5 mg/zi.", "amlodipină").as_deref(), Some("prior"));
    }

    #[test]
    fn drugs_tested_against_an_isolate_are_not_medications() {
        let rows = read("Urocultura: Escherichia coli sensibilă la ceftriaxonă. Tratament: ciprofloxacină 500 mg p.o.");
        assert_eq!(rows.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(), vec!["ciprofloxacină"]);
    }
}
