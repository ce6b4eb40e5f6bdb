//! When each finding happened, relative to presentation (day 0).
//!
//! Every time expression of a sentence is read once (`annotate::time`); each finding then takes
//! the nearest expression of its clause, the stretch of its sentence between two boundary
//! words of `data/ro/time.tsv` ("iar", "dar", "ulterior", ";"). Commas do not end a clause,
//! because case reports put the time between commas in the middle of what it dates ("pentru
//! simptome, de aproximativ două săptămâni de evoluție, de dureri abdominale și lombare").
//!
//! An onset written right after a finding ("DZ tip 2 de 10 ani") is said of that finding and
//! those coordinated with it ("febră și tuse de 3 zile") only. Otherwise an expression belongs
//! to the past of its nearest finding: in "HTA, dislipidemie, durere toracică de 2 ore" the
//! onset is the chest pain's, so it dates the present illness and not the known conditions
//! (historical mentions in ConText's sense) of the same clause, while in "HTA de 20 de ani" it
//! is the hypertension's and dates the history.
//!
//! Dates ("12.03.2023", "5 martie 2023") are counted from the date of presentation, the first
//! date of the first sentence that says the patient presented or was admitted; without one a
//! date dates nothing, since the timeline is relative to presentation.
//!
//! What is dated: findings, procedures, tests and organisms. Drugs are dated by their own
//! clause (`annotate::medication`), anatomy is not an event. The expression that states the
//! patient's age ("bărbat de 47 de ani") dates nothing, and the history section does not read
//! times after presentation. A finding without an expression stays undated: the text did not
//! say when, and guessing from the section would be wrong as often as right.

use std::ops::Range;

use crate::analysis::{AgeUnit, EntityType, SectionKind};
use crate::annotate::time::{Date, TimeExpression, TimeReader};
use crate::doc::Doc;
use crate::knowledge::medication::TimeWord;
use crate::knowledge::Knowledge;
use crate::text::sentences::Sentence;

/// Reads the time expressions of `doc` and dates its mentions (run after patient and concepts).
pub fn annotate(doc: &mut Doc<'_>, knowledge: &Knowledge) {
    let reader = TimeReader::scanning(doc, &knowledge.time_words, &knowledge.number_words);
    // Both passes below (the date of presentation, then every sentence's expressions) try the
    // readers only where one may start: a few tokens in ten.
    let starts: Vec<bool> = (0..doc.tokens.len()).map(|i| reader.may_start(i)).collect();
    let presentation = presentation_date(doc, &reader, &starts);

    let mut times = Vec::new();
    let mut mention_times = vec![None; doc.mentions.len()];
    let mut next_mention = 0;
    for sentence in &doc.sentences {
        let mentions_start = next_mention;
        while next_mention < doc.mentions.len() && doc.mentions[next_mention].tokens.start < sentence.tokens.end {
            next_mention += 1;
        }
        if doc.is_hidden(sentence.span) {
            continue;
        }
        let (found, boundaries) = read_sentence(&reader, &starts, sentence, presentation);
        if found.is_empty() {
            continue;
        }
        let datable: Vec<usize> = (mentions_start..next_mention)
            .filter(|&m| {
                let entity_type = knowledge.concepts[doc.mentions[m].concept as usize].concept_type.entity_type();
                !matches!(entity_type, EntityType::Anatomy | EntityType::Drug)
            })
            .collect();
        for (m, n) in bind(doc, knowledge, &found, &boundaries, &datable) {
            mention_times[m] = Some(times.len() + n);
        }
        times.extend(found);
    }
    doc.times = times;
    doc.mention_times = mention_times;
}

/// The time expressions of a sentence that may date its findings, and its clause boundaries
/// (the tokens that start a boundary phrase). `starts` says where a reader may find something
/// ([`TimeReader::may_start`] per token).
fn read_sentence(
    reader: &TimeReader<'_, '_, '_>,
    starts: &[bool],
    sentence: &Sentence,
    presentation: Option<Date>,
) -> (Vec<TimeExpression>, Vec<usize>) {
    let doc = reader.doc;
    let age_years = doc.patient.age.filter(|&(_, unit, _)| unit == AgeUnit::Year).map(|(value, _, _)| value);
    let age_span = doc.patient.age.map(|(_, _, span)| span);
    let history = doc.section_at(sentence.span.start) == Some(SectionKind::History);
    let end = sentence.tokens.end;
    let mut found = Vec::new();
    let mut boundaries = Vec::new();
    let mut i = sentence.tokens.start;
    while i < end {
        if !starts[i] {
            i += 1;
        } else if let Some((len, _)) = reader.phrase_at(i, end, |w| *w == TimeWord::Boundary) {
            boundaries.push(i);
            i += len;
        } else if let Some((date, tokens)) = reader.date_at(i, end) {
            i = tokens.end;
            if let Some(expression) = presentation.and_then(|p| dated_from(p, date, tokens)) {
                found.push(expression);
            }
        } else if let Some(expression) = reader.expression_at(i, end, age_years) {
            i = expression.tokens.end;
            let span = expression.span(doc);
            let states_age = age_span.is_some_and(|age| age.start < span.end && span.start < age.end);
            let unread = states_age || (expression.forward && history);
            if !unread {
                found.push(expression);
            }
        } else {
            i += 1;
        }
    }
    (found, boundaries)
}

/// Which expression of `found` dates each finding of `datable` (mention indexes of one sentence,
/// in text order), as (mention, index into `found`) pairs; the rules are the module's.
fn bind(
    doc: &Doc<'_>,
    knowledge: &Knowledge,
    found: &[TimeExpression],
    boundaries: &[usize],
    datable: &[usize],
) -> Vec<(usize, usize)> {
    let keys = doc.stems();
    let clause = |token: usize| boundaries.partition_point(|&b| b <= token);
    let historical = |m: usize| doc.contexts.get(m).is_some_and(|a| a.historical);
    // The tokens between a mention and an expression, if they are apart.
    let gap = |tokens: &Range<usize>, e: &TimeExpression| {
        if e.tokens.end <= tokens.start {
            Some(e.tokens.end..tokens.start)
        } else if tokens.end <= e.tokens.start {
            Some(tokens.end..e.tokens.start)
        } else {
            None
        }
    };
    // For each expression, the findings of its clause it could date, with their distance.
    let mut reach: Vec<Vec<(usize, usize)>> = found
        .iter()
        .map(|e| {
            datable
                .iter()
                .filter(|&&m| clause(doc.mentions[m].tokens.start) == clause(e.tokens.start))
                .filter_map(|&m| gap(&doc.mentions[m].tokens, e).map(|g| (m, g.len())))
                .collect()
        })
        .collect();
    // Whether the nearest finding of each expression is a historical one.
    let owner: Vec<Option<bool>> =
        reach.iter().map(|r| r.iter().min_by_key(|&&(_, gap)| gap).map(|&(m, _)| historical(m))).collect();
    // An onset right after a finding is said of it and of the findings coordinated with it
    // ("febră și tuse de 3 zile"), not of the rest of its clause ("DZ de 10 ani, obezitate").
    let coordination = &knowledge.medication_words.coord;
    for (n, e) in found.iter().enumerate() {
        if e.duration.is_none() {
            continue;
        }
        let Some(last) = datable.iter().rposition(|&m| doc.mentions[m].tokens.end == e.tokens.start) else {
            continue;
        };
        let mut first = last;
        while first > 0 {
            let (before, after) = (&doc.mentions[datable[first - 1]].tokens, &doc.mentions[datable[first]].tokens);
            let coordinated =
                before.end < after.start && (before.end..after.start).all(|i| coordination.contains(&keys[i]));
            if !coordinated {
                break;
            }
            first -= 1;
        }
        let said_of = &datable[first..=last];
        reach[n].retain(|(m, _)| said_of.contains(m));
    }
    datable
        .iter()
        .filter_map(|&m| {
            let nearest = reach
                .iter()
                .enumerate()
                .filter(|&(n, _)| owner[n] == Some(historical(m)))
                .filter_map(|(n, r)| r.iter().find(|&&(other, _)| other == m).map(|&(_, gap)| (n, gap)))
                .min_by_key(|&(_, gap)| gap);
            nearest.map(|(n, _)| (m, n))
        })
        .collect()
}

/// The date of presentation: the first date of the first sentence that says the patient
/// presented or was admitted ("internat pe 12.03.2023"). `starts` as for [`read_sentence`].
fn presentation_date(doc: &Doc<'_>, reader: &TimeReader<'_, '_, '_>, starts: &[bool]) -> Option<Date> {
    doc.sentences.iter().filter(|s| !doc.is_hidden(s.span)).find_map(|sentence| {
        let end = sentence.tokens.end;
        let mut candidates = sentence.tokens.clone().filter(|&i| starts[i]);
        let presents = candidates.clone().any(|i| reader.presents_at(i, end));
        presents.then(|| candidates.find_map(|i| reader.date_at(i, end)).map(|(date, _)| date)).flatten()
    })
}

/// A date as a time from presentation, in days; approximate when only its month is written.
fn dated_from(presentation: Date, date: Date, tokens: Range<usize>) -> Option<TimeExpression> {
    let days = date.days() - presentation.days();
    let start = if days < 0 { format!("-P{}D", -days) } else { format!("P{days}D") };
    let approximate = date.day.is_none() || presentation.day.is_none();
    Some(TimeExpression { tokens, start, day: days as f64, duration: None, approximate, forward: false })
}

#[cfg(test)]
mod tests {
    use crate::{Engine, Options};

    /// The time of each dated entity of `text`, as (entity text, start, duration, approximate).
    fn dated(text: &str) -> Vec<(String, String, Option<String>, bool)> {
        let analysis = Engine::new().unwrap().analyze(text, &Options::default()).unwrap();
        analysis
            .entities
            .into_iter()
            .filter_map(|e| e.timing.map(|t| (e.text, t.start, t.duration, t.approximate)))
            .collect()
    }

    fn starts(text: &str) -> Vec<(String, String)> {
        dated(text).into_iter().map(|(text, start, _, _)| (text, start)).collect()
    }

    fn pair(text: &str, start: &str) -> (String, String) {
        (text.to_owned(), start.to_owned())
    }

    #[test]
    fn an_onset_dates_the_findings_of_its_clause_and_says_how_long_they_lasted() {
        let found = dated("Pacientul prezintă febră și tuse de aproximativ două săptămâni de evoluție.");
        assert!(found.contains(&("febră".into(), "-P2W".into(), Some("P2W".into()), true)), "{found:?}");
        assert!(found.contains(&("tuse".into(), "-P2W".into(), Some("P2W".into()), true)), "{found:?}");
    }

    #[test]
    fn an_exact_onset_is_not_approximate() {
        let found = dated("Acuză cefalee de 3 zile.");
        assert_eq!(found, vec![("cefalee".into(), "-P3D".into(), Some("P3D".into()), false)]);
    }

    #[test]
    fn a_boundary_word_ends_the_clause_a_time_governs() {
        let found = starts("Febră de 3 zile, iar tusea a apărut ulterior.");
        assert_eq!(found, vec![pair("Febră", "-P3D")]);
    }

    #[test]
    fn each_finding_takes_the_nearest_time_of_its_clause() {
        let found = starts("Cefalee de 2 ani și febră cu 3 zile înainte de internare.");
        assert!(found.contains(&pair("Cefalee", "-P2Y")), "{found:?}");
        assert!(found.contains(&pair("febră", "-P3D")), "{found:?}");
    }

    #[test]
    fn a_known_condition_is_not_dated_by_the_onset_of_the_present_illness() {
        let found = starts("Pacient cunoscut cu HTA, care se prezintă pentru durere toracică de 2 ore.");
        assert_eq!(found, vec![pair("durere toracică", "-PT2H")]);
        let own = starts("Bărbat de 60 de ani, cunoscut cu HTA de 20 de ani.");
        assert_eq!(own, vec![pair("HTA", "-P20Y")]);
    }

    #[test]
    fn an_onset_after_a_finding_dates_it_and_its_coordinates_only() {
        let found = starts("Cunoscută cu DZ tip 2 de 10 ani, obezitate și HTA, se prezintă pentru febră.");
        assert_eq!(found, vec![pair("DZ tip 2", "-P10Y")]);
        let both = starts("Prezintă febră, frisoane și tuse de 2 zile.");
        assert_eq!(both, vec![pair("febră", "-P2D"), pair("frisoane", "-P2D"), pair("tuse", "-P2D")]);
    }

    #[test]
    fn dates_are_counted_from_the_date_of_presentation() {
        let found = starts(
            "Pe 02.03.2023 a avut febră. Pacientul a fost internat pe 12.03.2023 cu dispnee. \
             Pe 15 martie 2023 s-a efectuat bronhoscopie.",
        );
        assert!(found.contains(&pair("febră", "-P10D")), "{found:?}");
        assert!(found.contains(&pair("dispnee", "P0D")), "{found:?}");
        assert!(found.contains(&pair("bronhoscopie", "P3D")), "{found:?}");
    }

    #[test]
    fn without_a_date_of_presentation_a_date_dates_nothing() {
        assert!(starts("Pe 02.03.2023 a avut febră.").is_empty());
    }

    #[test]
    fn a_gestational_age_is_not_an_onset() {
        assert!(starts("Gravidă, sarcină de 33 de săptămâni, cu preeclampsie.").is_empty());
    }

    #[test]
    fn the_age_of_the_patient_dates_nothing() {
        assert!(starts("Bărbat de 47 de ani cu febră.").is_empty());
        assert!(starts("Pacientă în vârstă de 62 de ani, cu dispnee.").is_empty());
    }

    #[test]
    fn an_age_at_onset_is_counted_back_from_the_patients_age() {
        let found = starts("Bărbat de 47 de ani, cu diabet zaharat diagnosticat la vârsta de 30 de ani.");
        assert!(found.iter().any(|(_, start)| start == "-P17Y"), "{found:?}");
    }

    #[test]
    fn times_after_presentation_are_read_in_the_course_but_not_in_the_history() {
        let course = starts("Evoluție: după 3 zile a apărut febră.");
        assert_eq!(course, vec![pair("febră", "P3D")]);
        let history = starts("Antecedente: după 3 zile a apărut febră.");
        assert!(history.is_empty(), "{history:?}");
    }

    #[test]
    fn a_dosing_interval_is_not_a_time_after_presentation() {
        assert!(starts("S-a administrat paracetamol la 8 ore pentru febră.").is_empty());
    }

    #[test]
    fn an_anchor_dates_its_sentence_at_presentation() {
        let found = starts("La internare, pacientul era febril, cu tahicardie.");
        assert!(found.iter().all(|(_, start)| start == "P0D") && !found.is_empty(), "{found:?}");
    }
}
