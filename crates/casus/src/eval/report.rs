//! The scores of one evaluation run, computed from the summed counts of its cases.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::compare::{type_name, Attributes, CaseCounts, MeasurementCounts, ENTITY_TYPES};
use super::metrics::{Accuracy, Confusion, Prf, Proportion, Scores};
use super::table::{self, Row};

/// The scores of one run over a set of gold cases (`casus eval --format json` prints it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// How many cases were evaluated.
    pub cases: usize,
    /// Cases the engine failed on; their gold counts as missed.
    pub errors: Vec<CaseError>,
    pub entities: EntityReport,
    /// On entity pairs matched by overlap: accuracy, and P/R/F1 with "the attribute holds" as the
    /// positive class (accuracy alone rewards never negating when most findings are affirmed).
    pub assertions: Attributes<AssertionScores>,
    pub measurements: MeasurementReport,
    pub normalization: NormalizationReport,
    pub medications: MedicationReport,
    pub diagnoses: DiagnosisReport,
    pub differential: DifferentialReport,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MedicationReport {
    /// Routes of drug mentions matched by overlap against the gold `route=` notes.
    pub route: Scores,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseError {
    pub case: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntityReport {
    /// Same type, same start and end.
    pub strict: TypeScores,
    /// Same type, overlapping spans.
    pub overlapping: TypeScores,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TypeScores {
    /// Over all types (summed counts).
    pub micro: Scores,
    /// By contract type name; every type is present.
    pub per_type: BTreeMap<String, Scores>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AssertionScores {
    pub accuracy: Proportion,
    pub scores: Scores,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeasurementReport {
    /// Gold `Vital`/`Lab` mentions found (overlapping span).
    pub detection: Scores,
    /// Among found measurements with a gold value: value and unit both right.
    pub value_unit: Proportion,
    pub value: Proportion,
    pub unit: Proportion,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NormalizationReport {
    /// Gold codes of matched mentions that the prediction carries, over all systems.
    pub all: Proportion,
    pub per_system: BTreeMap<String, Proportion>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiagnosisReport {
    /// Stated diagnoses against the final diagnosis, at full ICD-10-CM code.
    pub code: Scores,
    /// At 3-character category (accepted categories included).
    pub category: Scores,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DifferentialReport {
    /// Cases with a blind text.
    pub n: usize,
    pub hit_at_1: Proportion,
    pub hit_at_3: Proportion,
    pub hit_at_5: Proportion,
    /// Mean reciprocal rank (0 for a case whose diagnosis is not in the list).
    pub mrr: f64,
}

impl Report {
    /// Sums the counts of the cases and scores them.
    pub fn from_counts(counts: &[CaseCounts]) -> Report {
        let mut strict: BTreeMap<String, Prf> = BTreeMap::new();
        let mut overlapping: BTreeMap<String, Prf> = BTreeMap::new();
        let mut assertions = Attributes::<Confusion>::default();
        let mut measurements = MeasurementCounts::default();
        let mut normalization: BTreeMap<String, Accuracy> = BTreeMap::new();
        let (mut code, mut category) = (Prf::default(), Prf::default());
        let mut route = Prf::default();
        let mut errors = Vec::new();
        for case in counts {
            add_all(&mut strict, &case.strict);
            add_all(&mut overlapping, &case.overlapping);
            assertions.add(&case.assertions);
            measurements.add(&case.measurements);
            add_all(&mut normalization, &case.normalization);
            route += case.medication_route;
            code += case.diagnosis_code;
            category += case.diagnosis_category;
            errors.extend(
                case.errors.iter().map(|message| CaseError { case: case.name.clone(), message: message.clone() }),
            );
        }
        let all_codes = normalization.values().fold(Accuracy::default(), |mut all, a| {
            all += *a;
            all
        });
        Report {
            cases: counts.len(),
            errors,
            entities: EntityReport { strict: type_scores(&strict), overlapping: type_scores(&overlapping) },
            assertions: assertions.map(|c| AssertionScores { accuracy: c.accuracy().into(), scores: c.prf().into() }),
            measurements: MeasurementReport {
                detection: measurements.detection.into(),
                value_unit: measurements.value_unit.into(),
                value: measurements.value.into(),
                unit: measurements.unit.into(),
            },
            normalization: NormalizationReport {
                all: all_codes.into(),
                per_system: normalization.into_iter().map(|(system, a)| (system, a.into())).collect(),
            },
            medications: MedicationReport { route: route.into() },
            diagnoses: DiagnosisReport { code: code.into(), category: category.into() },
            differential: differential(counts),
        }
    }

    /// The report as a table a person reads at a glance.
    pub fn to_text(&self) -> String {
        let mut rows = Vec::new();
        for (title, scores) in [
            ("entities, strict span", &self.entities.strict),
            ("entities, overlapping span", &self.entities.overlapping),
        ] {
            rows.push(Row::heading(title));
            for entity_type in ENTITY_TYPES {
                let name = type_name(entity_type);
                if let Some(s) = scores.per_type.get(name) {
                    rows.push(Row::detection(name, s));
                }
            }
            rows.push(Row::detection("micro", &scores.micro));
        }
        rows.push(Row::heading("assertions (overlapping matches; P/R/F1 of the attribute holding)"));
        for (name, a) in self.assertions.named() {
            rows.push(Row::accuracy_and_scores(name, &a.accuracy, &a.scores));
        }
        rows.push(Row::heading("measurements"));
        rows.push(Row::detection("found (overlapping span)", &self.measurements.detection));
        rows.push(Row::accuracy("value and unit", &self.measurements.value_unit));
        rows.push(Row::accuracy("value", &self.measurements.value));
        rows.push(Row::accuracy("unit", &self.measurements.unit));
        rows.push(Row::heading("normalization (gold codes of matched mentions)"));
        rows.push(Row::accuracy("all systems", &self.normalization.all));
        for (system, p) in &self.normalization.per_system {
            rows.push(Row::accuracy(system, p));
        }
        rows.push(Row::heading("medications (drug mentions matched by overlap)"));
        rows.push(Row::detection("route", &self.medications.route));
        rows.push(Row::heading("stated diagnoses, ICD-10-CM"));
        rows.push(Row::detection("full code", &self.diagnoses.code));
        rows.push(Row::detection("category (3 characters)", &self.diagnoses.category));
        let d = &self.differential;
        rows.push(Row::heading("blind differential, category level"));
        rows.push(Row::accuracy("hit@1", &d.hit_at_1));
        rows.push(Row::accuracy("hit@3", &d.hit_at_3));
        rows.push(Row::accuracy("hit@5", &d.hit_at_5));
        rows.push(Row::mean("MRR", d.mrr, d.n));

        let mut out = format!("{} cases, {} errors\n\n", self.cases, self.errors.len());
        out.push_str(&table::render(&rows));
        out.push('\n');
        out.push_str(table::LEGEND);
        out.push('\n');
        if !self.errors.is_empty() {
            out.push_str("\nerrors:\n");
            for error in &self.errors {
                out.push_str(&format!("  {}: {}\n", error.case, error.message));
            }
        }
        out
    }
}

fn add_all<T: Copy + Default + std::ops::AddAssign>(total: &mut BTreeMap<String, T>, part: &BTreeMap<String, T>) {
    for (key, value) in part {
        *total.entry(key.clone()).or_default() += *value;
    }
}

fn type_scores(per_type: &BTreeMap<String, Prf>) -> TypeScores {
    let mut all: BTreeMap<String, Scores> = BTreeMap::new();
    for entity_type in ENTITY_TYPES {
        let name = type_name(entity_type);
        all.insert(name.to_owned(), per_type.get(name).copied().unwrap_or_default().into());
    }
    TypeScores { micro: per_type.values().copied().sum::<Prf>().into(), per_type: all }
}

fn differential(counts: &[CaseCounts]) -> DifferentialReport {
    let ranks: Vec<Option<usize>> = counts.iter().filter_map(|c| c.blind).map(|b| b.rank).collect();
    let n = ranks.len();
    let hits = |k: usize| Proportion::new(ranks.iter().filter(|r| r.is_some_and(|r| r <= k)).count(), n);
    let reciprocal = ranks.iter().flatten().fold(0.0, |sum, &r| sum + 1.0 / r.max(1) as f64);
    DifferentialReport {
        n,
        hit_at_1: hits(1),
        hit_at_3: hits(3),
        hit_at_5: hits(5),
        mrr: if n == 0 { 0.0 } else { reciprocal / n as f64 },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::compare::BlindOutcome;

    #[test]
    fn an_empty_run_scores_zero_everywhere_and_says_n_is_zero() {
        let report = Report::from_counts(&[]);
        assert_eq!(report.entities.strict.micro.f1, 0.0);
        assert_eq!(report.entities.strict.per_type.len(), 7);
        assert_eq!(report.differential.mrr, 0.0);
        assert_eq!(report.differential.hit_at_1.ci95, [0.0, 1.0]);
        let text = report.to_text();
        assert!(text.starts_with("0 cases, 0 errors\n"), "{text}");
        assert!(!text.contains("NaN"), "{text}");
    }

    #[test]
    fn the_differential_averages_reciprocal_ranks_over_blind_cases_only() {
        let case = |rank: Option<Option<usize>>| CaseCounts {
            blind: rank.map(|rank| BlindOutcome { rank }),
            ..CaseCounts::empty("c")
        };
        let counts = [case(Some(Some(1))), case(Some(Some(4))), case(Some(None)), case(None)];
        let d = Report::from_counts(&counts).differential;
        assert_eq!(d.n, 3);
        assert_eq!((d.hit_at_1.successes, d.hit_at_3.successes, d.hit_at_5.successes), (1, 1, 2));
        assert!((d.mrr - (1.0 + 0.25) / 3.0).abs() < 1e-12);
    }
}
