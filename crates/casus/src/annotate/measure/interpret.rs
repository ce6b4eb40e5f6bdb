//! From a value to its meaning: the unit when the text leaves it out, the value in the analyte's
//! canonical unit, and low / normal / high / critical against the reference range of the patient's
//! sex and age (`data/labs/`).

use crate::analysis::{Interpretation, Quantity, Reference, Sex};
use crate::knowledge::labs::{Analyte, Labs, RangeRow};
use crate::text::numbers::Comparator;

use super::units::convert;

/// What the patient's facts select a reference range by.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Patient {
    pub sex: Option<Sex>,
    /// Age in years.
    pub age: Option<f64>,
}

/// A value's unit and its value in the canonical unit.
#[derive(Debug, Clone, PartialEq)]
pub struct Normalized {
    /// The UCUM unit of the value as read: written, or inferred when `inferred`.
    pub unit: String,
    pub inferred: bool,
    pub quantity: Quantity,
}

/// Why a value could not be normalized.
#[derive(Debug, Clone, PartialEq)]
pub enum Unnormalized {
    /// No usual unit of the analyte makes it a value a living patient can have.
    Implausible,
    /// The written unit is outside the analyte's canonical unit's plausible range once converted.
    ImplausibleAsWritten(String),
    /// The written unit does not convert to the analyte's canonical unit.
    Unconvertible,
}

/// The value in the analyte's canonical unit: from the written UCUM unit, or, with none written,
/// from the first of the analyte's usual units in which the value is plausible (`unit_inferred`).
pub fn normalize(
    labs: &Labs,
    concept: &str,
    analyte: &Analyte,
    value: f64,
    written: Option<&str>,
) -> Result<Normalized, Unnormalized> {
    let plausible = |v: f64| analyte.plausible.0 <= v && v <= analyte.plausible.1;
    let quantity = |v: f64| Quantity { value: round(v), unit: analyte.unit.clone() };
    match written {
        Some(unit) => {
            let canonical = convert(labs, concept, value, unit, &analyte.unit).ok_or(Unnormalized::Unconvertible)?;
            if plausible(canonical) {
                Ok(Normalized { unit: unit.to_owned(), inferred: false, quantity: quantity(canonical) })
            } else {
                Err(Unnormalized::ImplausibleAsWritten(unit.to_owned()))
            }
        }
        None => analyte
            .usual_units
            .iter()
            .find_map(|unit| {
                let canonical = convert(labs, concept, value, unit, &analyte.unit).filter(|v| plausible(*v))?;
                Some(Normalized { unit: unit.clone(), inferred: true, quantity: quantity(canonical) })
            })
            .ok_or(Unnormalized::Implausible),
    }
}

/// Rounds away the noise of a conversion factor (27400 × 0.001 = 27.400000000000002).
fn round(value: f64) -> f64 {
    if value == 0.0 || !value.is_finite() {
        return value;
    }
    let digits = 10 - value.abs().log10().ceil() as i32;
    let scale = 10f64.powi(digits.clamp(0, 15));
    (value * scale).round() / scale
}

/// A reference range chosen for one patient.
#[derive(Debug, Clone, PartialEq)]
pub struct Range {
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub critical_low: Option<f64>,
    pub critical_high: Option<f64>,
    pub source: String,
}

/// The range for the patient among an analyte's rows. A row applies when its sex is either or the
/// patient's and the patient's age is in it; with no stated age the patient is taken as an adult
/// (a row open to the top of life). With no stated sex and rows for each, the two are joined: the
/// widest normal range, so that only a value abnormal for either sex is flagged.
pub fn select(rows: &[RangeRow], patient: Patient) -> Option<Range> {
    let age_fits = |row: &RangeRow| match patient.age {
        Some(age) => row.age_from.is_none_or(|from| from <= age) && row.age_to.is_none_or(|to| age < to),
        None => row.age_to.is_none(),
    };
    let fitting: Vec<&RangeRow> = rows
        .iter()
        .filter(|row| age_fits(row))
        .filter(|row| row.sex.is_none() || patient.sex.is_none() || row.sex == patient.sex)
        .collect();
    // A row for the patient's own sex wins over one for either.
    let chosen: Vec<&RangeRow> = match patient.sex {
        Some(sex) if fitting.iter().any(|row| row.sex == Some(sex)) => {
            fitting.into_iter().filter(|row| row.sex == Some(sex)).take(1).collect()
        }
        Some(_) => fitting.into_iter().take(1).collect(),
        None if fitting.iter().any(|row| row.sex.is_none()) => {
            fitting.into_iter().filter(|row| row.sex.is_none()).take(1).collect()
        }
        None => fitting,
    };
    let first = chosen.first()?;
    let join = |pick: fn(&RangeRow) -> Option<f64>, widest: fn(f64, f64) -> f64| {
        chosen.iter().map(|row| pick(row)).reduce(|a, b| Some(widest(a?, b?))).flatten()
    };
    let mut sources: Vec<&str> = chosen.iter().map(|row| row.source.as_str()).collect();
    sources.dedup();
    Some(Range {
        low: join(|r| r.low, f64::min),
        high: join(|r| r.high, f64::max),
        critical_low: join(|r| r.critical_low, f64::min),
        critical_high: join(|r| r.critical_high, f64::max),
        source: if chosen.len() == 1 { first.source.clone() } else { sources.join(" / ") },
    })
}

impl Range {
    /// The range as the contract writes it.
    pub fn reference(&self, unit: &str) -> Reference {
        Reference { low: self.low, high: self.high, unit: unit.to_owned(), source: self.source.clone() }
    }

    /// Where one exact value falls. A critical limit is reached at the limit itself.
    pub fn classify(&self, value: f64) -> Interpretation {
        if self.critical_low.is_some_and(|limit| value <= limit) {
            Interpretation::CriticalLow
        } else if self.critical_high.is_some_and(|limit| value >= limit) {
            Interpretation::CriticalHigh
        } else if self.low.is_some_and(|limit| value < limit) {
            Interpretation::Low
        } else if self.high.is_some_and(|limit| value > limit) {
            Interpretation::High
        } else {
            Interpretation::Normal
        }
    }

    /// Where a value falls, when the text bounds it with a comparator (`<0,5`, `>100`): the
    /// interpretation shared by every value it allows between the analyte's plausible limits, or
    /// `None` when they fall in different classes (`<0,5` against a normal range up to 0,15).
    pub fn interpret(
        &self,
        value: f64,
        comparator: Option<Comparator>,
        plausible: (f64, f64),
    ) -> Option<Interpretation> {
        let (from, to) = match comparator {
            None => return Some(self.classify(value)),
            Some(Comparator::Less | Comparator::LessOrEqual) => (plausible.0.min(value), value),
            Some(Comparator::Greater | Comparator::GreaterOrEqual) => (value, plausible.1.max(value)),
        };
        let (a, b) = (self.classify(from), self.classify(to));
        (a == b).then_some(a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::knowledge::Knowledge;

    fn range(labs: &Labs, concept: &str, sex: Option<Sex>, age: Option<f64>) -> Range {
        select(&labs.ranges[concept], Patient { sex, age }).unwrap()
    }

    #[test]
    fn the_range_follows_sex_and_age() {
        let knowledge = Knowledge::embedded().unwrap();
        let labs = &knowledge.labs;
        let man = range(labs, "hemoglobin", Some(Sex::Male), Some(47.0));
        let woman = range(labs, "hemoglobin", Some(Sex::Female), Some(47.0));
        assert!(man.low > woman.low, "{man:?} {woman:?}");
        // 12,5 g/dL is anaemia in a man, not in a woman.
        assert_eq!(man.classify(12.5), Interpretation::Low);
        assert_eq!(woman.classify(12.5), Interpretation::Normal);
        // A creatinine of 0,9 mg/dL is normal in an adult man, high in a 4-year-old.
        assert_eq!(range(labs, "serum_creatinine", Some(Sex::Male), Some(47.0)).classify(0.9), Interpretation::Normal);
        assert_eq!(range(labs, "serum_creatinine", None, Some(4.0)).classify(0.9), Interpretation::High);
        // A heart rate of 150/min is normal for an infant, critical for an adult.
        assert_eq!(range(labs, "heart_rate", None, Some(0.5)).classify(150.0), Interpretation::Normal);
        assert_eq!(range(labs, "heart_rate", None, Some(30.0)).classify(150.0), Interpretation::CriticalHigh);
        // Adult-only rows give a child nothing.
        assert_eq!(select(&labs.ranges["serum_ldh"], Patient { sex: None, age: Some(5.0) }), None);
    }

    #[test]
    fn an_unknown_sex_joins_both_ranges_and_an_unknown_age_is_adult() {
        let knowledge = Knowledge::embedded().unwrap();
        let labs = &knowledge.labs;
        let either = range(labs, "hemoglobin", None, None);
        assert_eq!(either.classify(12.5), Interpretation::Normal);
        assert_eq!(either.classify(11.0), Interpretation::Low);
        assert!(either.source.contains("Harrison"));
        assert_eq!(range(labs, "heart_rate", None, None).classify(109.0), Interpretation::High);
    }

    #[test]
    fn critical_limits_are_reached_at_the_limit() {
        let knowledge = Knowledge::embedded().unwrap();
        let potassium = range(&knowledge.labs, "serum_potassium", None, Some(60.0));
        assert_eq!(potassium.classify(6.2), Interpretation::CriticalHigh);
        assert_eq!(potassium.classify(5.5), Interpretation::High);
        assert_eq!(potassium.classify(2.8), Interpretation::CriticalLow);
        assert_eq!(potassium.classify(4.0), Interpretation::Normal);
    }

    #[test]
    fn comparators_interpret_only_what_every_allowed_value_shares() {
        let knowledge = Knowledge::embedded().unwrap();
        let labs = &knowledge.labs;
        let pct = range(labs, "procalcitonin", None, None);
        let plausible = labs.analytes["procalcitonin"].plausible;
        assert_eq!(pct.interpret(0.05, Some(Comparator::Less), plausible), Some(Interpretation::Normal));
        assert_eq!(pct.interpret(0.5, Some(Comparator::Less), plausible), None);
        assert_eq!(pct.interpret(100.0, Some(Comparator::Greater), plausible), Some(Interpretation::High));
    }

    #[test]
    fn units_are_inferred_from_the_plausible_range() {
        let knowledge = Knowledge::embedded().unwrap();
        let labs = &knowledge.labs;
        let infer = |concept: &str, value: f64| {
            normalize(labs, concept, &labs.analytes[concept], value, None).map(|n| (n.unit, n.quantity.value))
        };
        assert_eq!(infer("serum_creatinine", 0.80), Ok(("mg/dL".to_owned(), 0.8)));
        assert_eq!(infer("serum_creatinine", 88.0), Ok(("umol/L".to_owned(), 0.9952499435)));
        assert_eq!(infer("c_reactive_protein", 115.0), Ok(("mg/L".to_owned(), 115.0)));
        assert_eq!(infer("serum_ldh", 313.0), Ok(("U/L".to_owned(), 313.0)));
        assert_eq!(infer("procalcitonin", 0.84), Ok(("ng/mL".to_owned(), 0.84)));
        assert_eq!(infer("serum_glucose", 5.4), Ok(("mmol/L".to_owned(), 97.2864)));
        assert_eq!(infer("platelet_count", 245000.0), Ok(("/mm3".to_owned(), 245.0)));
        assert_eq!(infer("serum_potassium", 45.0), Err(Unnormalized::Implausible));
        let written = normalize(labs, "hemoglobin", &labs.analytes["hemoglobin"], 99.0, Some("g/dL"));
        assert_eq!(written, Err(Unnormalized::ImplausibleAsWritten("g/dL".to_owned())));
    }
}
