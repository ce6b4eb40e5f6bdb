//! Measuring casus against gold-annotated cases (see `corpus/` and `ANNOTATION.md`).
//!
//! ```no_run
//! let engine = casus::Engine::new()?;
//! let cases = casus::eval::load_dir(std::path::Path::new("corpus/dev"))?;
//! let report = casus::eval::evaluate(&engine, &cases);
//! print!("{}", report.to_text());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! - [`brat`] reads and writes the standoff files, [`gold`] loads and checks a gold directory;
//! - [`compare()`] counts one analysis against one case, [`Report::from_counts`] sums and scores;
//! - [`metrics`] holds the counts, the scores and the Wilson intervals;
//! - [`simonero`] scores entity recognition on the SiMoNERo corpus (CoNLL-U), a different genre
//!   with different span conventions, compared by overlap only.
//!
//! Every proportion carries its `n` and a Wilson 95 % interval: with a few dozen gold cases the
//! interval is wide, and a change of a few points is often noise.

pub mod brat;
mod compare;
pub mod floors;
pub mod gold;
mod matching;
pub mod metrics;
mod offsets;
mod report;
pub mod simonero;
mod table;

pub use compare::{
    blind_rank, category, compare, type_name, Attributes, BlindOutcome, CaseCounts, MeasurementCounts, ENTITY_TYPES,
};
pub use gold::{load_case, load_dir, GoldCase, GoldError};
pub use report::{
    AssertionScores, CaseError, DiagnosisReport, DifferentialReport, EntityReport, MeasurementReport, MedicationReport,
    NormalizationReport, Report, TypeScores,
};

use crate::engine::{Engine, Options};

/// Runs the engine on every case and scores the results.
pub fn evaluate(engine: &Engine, cases: &[GoldCase]) -> Report {
    Report::from_counts(&evaluate_cases(engine, cases))
}

/// The counts of every case, in order (for per-case output; [`Report::from_counts`] scores them).
pub fn evaluate_cases(engine: &Engine, cases: &[GoldCase]) -> Vec<CaseCounts> {
    cases.iter().map(|case| evaluate_case(engine, case)).collect()
}

/// Runs the engine on one case: the whole text with default options, and, when the case has a
/// `blind_text_end`, the text up to there with `blind: true` for the differential.
///
/// An engine error is recorded in the counts and the case's gold counts as missed, so a failing
/// case lowers the scores instead of vanishing from them.
pub fn evaluate_case(engine: &Engine, case: &GoldCase) -> CaseCounts {
    let mut counts = match engine.analyze(&case.text, &Options::default()) {
        Ok(analysis) => compare(&analysis, case),
        Err(err) => {
            let mut counts = compare::compare_parts(&[], &[], &[], &[], case);
            counts.errors.push(format!("analysis failed: {err}"));
            counts
        }
    };
    if let Some(end) = case.dx.blind_text_end {
        let blind = Options { blind: true, ..Options::default() };
        let rank = match engine.analyze(offsets::prefix(&case.text, end), &blind) {
            Ok(analysis) => blind_rank(&analysis.differential, &case.dx),
            Err(err) => {
                counts.errors.push(format!("blind analysis failed: {err}"));
                None
            }
        };
        counts.blind = Some(BlindOutcome { rank });
    }
    counts
}
