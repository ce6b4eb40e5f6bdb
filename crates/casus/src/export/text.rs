//! A readable terminal summary of an analysis.

use std::fmt::Write;

use crate::analysis::{
    AgeUnit, Analysis, Entity, EntityType, Experiencer, Interpretation, Measurement, Medication, Microbiology,
    Quantity, Reference, Sex,
};

/// Renders the summary. `text` is the analysed document (for quoting titles and evidence).
pub fn render(analysis: &Analysis, text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let quote = |span: crate::analysis::CharSpan| -> String { chars[span.start..span.end].iter().collect() };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "casus {} · language {}{}",
        analysis.casus_version,
        analysis.language,
        if analysis.blind { " · blind" } else { "" }
    );

    let _ = writeln!(out, "\nPatient");
    let sex = match analysis.patient.sex {
        Some(Sex::Male) => "male",
        Some(Sex::Female) => "female",
        None => "sex not stated",
    };
    let age = match &analysis.patient.age {
        Some(age) => {
            let unit = match (age.unit, age.value) {
                (AgeUnit::Year, 1) => "year",
                (AgeUnit::Year, _) => "years",
                (AgeUnit::Month, 1) => "month",
                (AgeUnit::Month, _) => "months",
                (AgeUnit::Week, 1) => "week",
                (AgeUnit::Week, _) => "weeks",
                (AgeUnit::Day, 1) => "day",
                (AgeUnit::Day, _) => "days",
            };
            format!("{} {unit} (\"{}\")", age.value, quote(age.span))
        }
        None => "age not stated".to_owned(),
    };
    let _ = writeln!(out, "  {age}, {sex}");

    let _ = writeln!(out, "\nSections ({} sentences)", analysis.sentences.len());
    for section in &analysis.sections {
        let indent = if section.level == 2 { "    " } else { "  " };
        let title = section.title.as_deref().unwrap_or("(opening)");
        let label = section.system.as_deref().unwrap_or(section.kind.as_str());
        let _ = writeln!(out, "{indent}{label:<14} {title:<40} [{}, {})", section.span.start, section.span.end);
    }

    let _ = writeln!(out, "\nMentions (\"no …\" negated, \"…?\" uncertain, [history], [family])");
    for entity_type in EntityType::ALL {
        let items: Vec<String> =
            analysis.entities.iter().filter(|e| e.entity_type == entity_type).map(describe).collect();
        if !items.is_empty() {
            let _ = writeln!(out, "  {:<13} {}", entity_type.as_str(), items.join("; "));
        }
    }

    if !analysis.measurements.is_empty() {
        let _ = writeln!(out, "\nMeasurements (value in the canonical unit, flag, reference range)");
        for measurement in &analysis.measurements {
            let _ = writeln!(out, "  {:<28} {}", measurement.text, measured(measurement));
        }
    }

    if !analysis.medications.is_empty() {
        let _ = writeln!(out, "\nMedications");
        for medication in &analysis.medications {
            let _ = writeln!(out, "  {}", describe_medication(analysis, medication));
        }
    }

    if !analysis.microbiology.is_empty() {
        let _ = writeln!(out, "\nMicrobiology");
        for record in &analysis.microbiology {
            let _ = writeln!(out, "  {}", describe_microbiology(record));
        }
    }
    timeline(&mut out, analysis, &quote);
    reasoning(&mut out, analysis);

    if !analysis.warnings.is_empty() {
        let _ = writeln!(out, "\nWarnings");
        for warning in &analysis.warnings {
            let _ = writeln!(out, "  {}: {}", warning.kind, warning.message);
        }
    }
    out
}

/// The dated events, oldest first, each with what the text dates there and the words that do.
fn timeline(out: &mut String, analysis: &Analysis, quote: &impl Fn(crate::analysis::CharSpan) -> String) {
    if analysis.timeline.iter().all(|e| e.entities.is_empty() && e.medications.is_empty()) {
        return;
    }
    let _ = writeln!(out, "\nTimeline (day 0: presentation)");
    let entity_text = |id: &String| analysis.entities.iter().find(|e| &e.id == id).map(|e| e.text.clone());
    let drug_text = |id: &String| {
        let medication = analysis.medications.iter().find(|m| &m.id == id)?;
        entity_text(&medication.entity)
    };
    for event in &analysis.timeline {
        let what: Vec<String> = event
            .entities
            .iter()
            .filter_map(entity_text)
            .chain(event.medications.iter().filter_map(drug_text))
            .collect();
        let when = format!("{}{}", if event.approximate { "~" } else { "" }, relative_time(&event.start));
        let said: Vec<String> = event.spans.iter().map(|&s| format!("\"{}\"", quote(s))).collect();
        let said = if said.is_empty() { String::new() } else { format!(" ({})", said.join(", ")) };
        let what = if what.is_empty() { "-".to_owned() } else { what.join("; ") };
        let _ = writeln!(out, "  {when:<22} {what}{said}");
    }
}

/// An ISO 8601 duration from presentation in words: `-P2W` "2 weeks before", `P0D` "presentation".
fn relative_time(iso: &str) -> String {
    let (past, body) = match iso.strip_prefix('-') {
        Some(body) => (true, body),
        None => (false, iso),
    };
    let body = body.trim_start_matches('P');
    let (clock, body) = match body.strip_prefix('T') {
        Some(body) => (true, body),
        None => (false, body),
    };
    let Some(designator) = body.chars().last() else { return iso.to_owned() };
    let amount = &body[..body.len() - designator.len_utf8()];
    if amount.parse::<f64>().is_ok_and(|v| v == 0.0) {
        return "presentation".to_owned();
    }
    let unit = match (clock, designator) {
        (true, 'M') => "min",
        (true, 'H') => "h",
        (false, 'D') => "d",
        (false, 'W') => "wk",
        (false, 'M') => "mo",
        (false, 'Y') => "y",
        _ => return iso.to_owned(),
    };
    format!("{amount} {unit} {}", if past { "before" } else { "after" })
}

/// One medication: the drug as written, then what is known of its use, in a fixed order.
fn describe_medication(analysis: &Analysis, medication: &Medication) -> String {
    let drug = analysis.entities.iter().find(|e| e.id == medication.entity).map_or("?", |e| e.text.as_str());
    let dose = medication.dose.as_ref().map(|d| format!("{} {}", d.value, d.unit));
    let parts: Vec<String> = [
        medication.route.clone(),
        dose,
        medication.frequency.clone(),
        medication.duration.as_ref().map(|d| format!("for {d}")),
        medication.time.as_ref().map(|t| format!("at {t}")),
        medication.status.clone(),
    ]
    .into_iter()
    .flatten()
    .collect();
    if parts.is_empty() {
        drug.to_owned()
    } else {
        format!("{drug:<24} {}", parts.join(" · "))
    }
}

/// One culture or isolate: organism, specimen, result and susceptibility.
fn describe_microbiology(record: &Microbiology) -> String {
    let mut text = format!(
        "{} · {} · {}",
        record.organism.label,
        record.specimen.as_deref().unwrap_or("specimen not stated"),
        record.result
    );
    if !record.susceptibility.is_empty() {
        let results: Vec<String> =
            record.susceptibility.iter().map(|s| format!("{} {}", s.result, s.drug.label)).collect();
        text.push_str(&format!(" ({})", results.join(", ")));
    }
    text
}

/// One mention as a reader wants it: its text with its context marked.
fn describe(entity: &Entity) -> String {
    let a = &entity.assertion;
    let mut text = if a.negated { format!("no {}", entity.text) } else { entity.text.clone() };
    if a.uncertain {
        text.push('?');
    }
    if a.historical {
        text.push_str(" [history]");
    }
    if a.hypothetical {
        text.push_str(" [if]");
    }
    if a.experiencer != Experiencer::Patient {
        text.push_str(" [family]");
    }
    text
}

/// The stated diagnosis, the scores with what they miss, and the differential with its reasons.
fn reasoning(out: &mut String, analysis: &Analysis) {
    if !analysis.diagnoses.is_empty() {
        let _ = writeln!(out, "\nStated diagnosis (ICD-10-CM)");
        for d in &analysis.diagnoses {
            let codes = d.concept.codes.get("icd10cm").map(|c| c.join(", ")).unwrap_or_default();
            let due_to =
                if d.due_to.is_empty() { String::new() } else { format!(" ← due to {}", d.due_to.join(", ")) };
            let certainty = if d.certainty == "confirmed" { "" } else { " (uncertain)" };
            let _ = writeln!(out, "  {} {:<8} {:<13} {}{certainty}{due_to}", d.id, codes, d.role, d.concept.label);
        }
    }
    if !analysis.scores.is_empty() {
        let _ = writeln!(out, "\nScores (unknown criteria are never counted as normal)");
        for s in &analysis.scores {
            let value = match (s.value, s.bounds) {
                (Some(v), Some([low, high])) if low != high => format!("{v} (could be {low}–{high})"),
                (Some(v), _) => format!("{v}"),
                (None, _) => "not computable".to_owned(),
            };
            let _ = write!(out, "  {:<24} {value:<22} {}", s.name, s.interpretation.as_deref().unwrap_or(""));
            if !s.missing.is_empty() {
                let _ = write!(out, " · missing: {}", s.missing.join(", "));
            }
            let _ = writeln!(out);
        }
    }
    if !analysis.differential.is_empty() {
        let _ = writeln!(out, "\nDifferential (from the findings only; ! = can't miss)");
        for h in &analysis.differential {
            let codes = h.concept.codes.get("icd10cm").map(|c| c.join(", ")).unwrap_or_default();
            let flag = if h.cant_miss { "!" } else { " " };
            let _ = writeln!(out, "  {:>2}{flag} {:<7.2} {:<8} {}", h.rank, h.score, codes, h.concept.label);
            let strongest = |findings: &[crate::analysis::Finding]| {
                let mut sorted: Vec<&crate::analysis::Finding> = findings.iter().collect();
                sorted.sort_by(|a, b| b.weight.abs().total_cmp(&a.weight.abs()));
                sorted.iter().take(4).map(|f| f.finding.as_str()).collect::<Vec<_>>().join("; ")
            };
            if !h.supporting.is_empty() {
                let _ = writeln!(out, "        for: {}", strongest(&h.supporting));
            }
            let against: Vec<_> = h.against.iter().filter(|f| !f.finding.starts_with("unexplained")).cloned().collect();
            if !against.is_empty() {
                let _ = writeln!(out, "        against: {}", strongest(&against));
            }
            if !h.next_tests.is_empty() {
                let _ = writeln!(out, "        would separate: {}", h.next_tests.join("; "));
            }
        }
    }
}

/// A measurement's value, normalized, with its flag and range: `27.4 10*3/uL HIGH [4.5–11]`.
fn measured(m: &Measurement) -> String {
    if let Some(components) = &m.components {
        let parts: Vec<String> = components
            .iter()
            .map(|c| {
                let quantity = c
                    .normalized
                    .clone()
                    .unwrap_or(Quantity { value: c.value, unit: c.unit.clone().unwrap_or_default() });
                format!(
                    "{} {}",
                    c.concept.label.to_lowercase(),
                    flagged(&quantity, c.interpretation, c.reference.as_ref())
                )
            })
            .collect();
        let inferred = if m.unit_inferred { " (unit inferred)" } else { "" };
        return format!("{}{inferred}", parts.join(" · "));
    }
    if let Some(result) = &m.result {
        return result.clone();
    }
    let comparator = m.comparator.as_deref().unwrap_or("");
    let mut line = match (&m.normalized, m.value) {
        (Some(quantity), _) => {
            let shown = Quantity { value: quantity.value, unit: quantity.unit.clone() };
            format!("{comparator}{}", flagged(&shown, m.interpretation, m.reference.as_ref()))
        }
        (None, Some(value)) => format!("{comparator}{value} {}", m.unit.as_deref().unwrap_or("")).trim_end().to_owned(),
        (None, None) => m.unit.clone().unwrap_or_default(),
    };
    if m.unit_inferred {
        line.push_str(&format!(" (unit {} inferred)", m.unit.as_deref().unwrap_or("")));
    }
    if let Some(parent) = &m.parent {
        line.push_str(&format!(" (part of {parent})"));
    }
    line
}

/// A quantity with its interpretation in capitals when abnormal and its reference range.
fn flagged(quantity: &Quantity, interpretation: Option<Interpretation>, reference: Option<&Reference>) -> String {
    let flag = match interpretation {
        Some(Interpretation::CriticalLow) => " CRITICAL LOW",
        Some(Interpretation::Low) => " LOW",
        Some(Interpretation::Normal) => " normal",
        Some(Interpretation::High) => " HIGH",
        Some(Interpretation::CriticalHigh) => " CRITICAL HIGH",
        None => "",
    };
    let range = reference.map_or(String::new(), |r| {
        let bound = |b: Option<f64>| b.map_or(String::new(), |v| v.to_string());
        format!(" [{}–{} {}]", bound(r.low), bound(r.high), r.unit)
    });
    format!("{} {}{flag}{range}", quantity.value, quantity.unit)
}
