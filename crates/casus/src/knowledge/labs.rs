//! The laboratory tables of `data/labs/`: analytes with their canonical unit and plausible range,
//! reference ranges by sex and age, unit conversions, and panels (a blood pressure's parts, a
//! leukocyte differential). Formats in `data/README.md`.
//!
//! Concept ids are checked against the inventory once it is loaded ([`Labs::check`]), and every
//! reference range must be written in its analyte's canonical unit, so that interpretation never
//! compares values in two units.

use rustc_hash::FxHashMap;

use crate::analysis::Sex;
use crate::error::KnowledgeError;
use crate::knowledge::tsv::Table;

/// One measured analyte or vital sign.
#[derive(Debug, Clone, PartialEq)]
pub struct Analyte {
    /// The UCUM unit values are normalized to and reference ranges are written in.
    pub unit: String,
    /// The physically possible values, in `unit`.
    pub plausible: (f64, f64),
    /// The units it is usually reported in, most usual first (UCUM): the candidates of unit inference.
    pub usual_units: Vec<String>,
}

/// One reference range row.
#[derive(Debug, Clone, PartialEq)]
pub struct RangeRow {
    /// `None`: either sex.
    pub sex: Option<Sex>,
    /// Age in years, from (inclusive) to (exclusive).
    pub age_from: Option<f64>,
    pub age_to: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub critical_low: Option<f64>,
    pub critical_high: Option<f64>,
    pub source: String,
}

/// A conversion: a value in `from` times `factor` is the value in `to`.
#[derive(Debug, Clone, PartialEq)]
pub struct Conversion {
    pub from: String,
    pub to: String,
    pub factor: f64,
}

/// How the members of a panel relate to its measurement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PanelKind {
    /// The panel's value is written as a ratio of its members, in order ("80/50").
    Ratio,
    /// Members measured after the panel in the same sentence belong to it ("neutrofile 22%").
    Differential,
    /// The panel is a finding, not a measurement, and a value written right after it is a value
    /// of the first member whose units it is written in ("ritm sinusal, 110/min": the rate of the
    /// rhythm is a heart rate; "proteinurie 3,2 g/24 h": a 24-hour urine protein), and a grade
    /// the result of the member measured by no number ("proteinurie 3+": the test strip's).
    Finding,
}

/// The laboratory knowledge.
#[derive(Debug, Clone, Default)]
pub struct Labs {
    /// By concept id.
    pub analytes: FxHashMap<String, Analyte>,
    /// By concept id, in file order.
    pub ranges: FxHashMap<String, Vec<RangeRow>>,
    /// Conversions that hold for every analyte.
    pub generic: Vec<Conversion>,
    /// Conversions of one analyte, by concept id.
    pub specific: FxHashMap<String, Vec<Conversion>>,
    /// By panel concept id: its kind and member concept ids, in order.
    pub panels: FxHashMap<String, (PanelKind, Vec<String>)>,
}

/// A number cell, or `None` when empty.
fn number(table: &Table<'_>, row: &crate::knowledge::tsv::Row<'_>, cell: &str) -> Result<Option<f64>, KnowledgeError> {
    if cell.is_empty() {
        return Ok(None);
    }
    match cell.parse::<f64>() {
        Ok(n) if n.is_finite() => Ok(Some(n)),
        _ => Err(table.error(row, format!("{cell:?} is not a number"))),
    }
}

impl Labs {
    /// Parses the four tables.
    pub fn parse(
        analytes: (&str, &str),
        ranges: (&str, &str),
        conversions: (&str, &str),
        panels: (&str, &str),
    ) -> Result<Labs, KnowledgeError> {
        let mut labs = Labs::default();

        let table = Table::parse(
            analytes.0,
            analytes.1,
            &["concept", "unit", "plausible_low", "plausible_high", "usual_units", "source"],
        )?;
        for row in &table.rows {
            let low = number(&table, row, row.cells[2])?.ok_or_else(|| table.error(row, "plausible_low is empty"))?;
            let high = number(&table, row, row.cells[3])?.ok_or_else(|| table.error(row, "plausible_high is empty"))?;
            if low > high {
                return Err(table.error(row, "plausible_low is above plausible_high"));
            }
            let usual_units: Vec<String> =
                row.cells[4].split('|').map(str::trim).filter(|u| !u.is_empty()).map(str::to_owned).collect();
            if usual_units.is_empty() {
                return Err(table.error(row, "no usual unit"));
            }
            let analyte = Analyte { unit: row.cells[1].to_owned(), plausible: (low, high), usual_units };
            if labs.analytes.insert(row.cells[0].to_owned(), analyte).is_some() {
                return Err(table.error(row, format!("analyte {:?} is listed twice", row.cells[0])));
            }
        }

        let table = Table::parse(
            ranges.0,
            ranges.1,
            &["concept", "sex", "age_from", "age_to", "low", "high", "critical_low", "critical_high", "unit", "source"],
        )?;
        for row in &table.rows {
            let concept = row.cells[0];
            let analyte = labs
                .analytes
                .get(concept)
                .ok_or_else(|| table.error(row, format!("{concept:?} is not in {}", analytes.0)))?;
            if row.cells[8] != analyte.unit {
                return Err(table.error(
                    row,
                    format!("unit {:?} is not the canonical unit {:?} of {concept}", row.cells[8], analyte.unit),
                ));
            }
            let sex = match row.cells[1] {
                "any" => None,
                "male" => Some(Sex::Male),
                "female" => Some(Sex::Female),
                other => return Err(table.error(row, format!("sex must be any, male or female, not {other:?}"))),
            };
            let range = RangeRow {
                sex,
                age_from: number(&table, row, row.cells[2])?,
                age_to: number(&table, row, row.cells[3])?,
                low: number(&table, row, row.cells[4])?,
                high: number(&table, row, row.cells[5])?,
                critical_low: number(&table, row, row.cells[6])?,
                critical_high: number(&table, row, row.cells[7])?,
                source: row.cells[9].to_owned(),
            };
            if range.low.is_none() && range.high.is_none() {
                return Err(table.error(row, "a range needs a low or a high limit"));
            }
            if range.source.trim().is_empty() {
                return Err(table.error(row, "a range needs its source"));
            }
            labs.ranges.entry(concept.to_owned()).or_default().push(range);
        }

        let table = Table::parse(conversions.0, conversions.1, &["concept", "from", "to", "factor", "source"])?;
        for row in &table.rows {
            let factor = number(&table, row, row.cells[3])?
                .filter(|f| *f > 0.0)
                .ok_or_else(|| table.error(row, "factor must be a positive number"))?;
            let conversion = Conversion { from: row.cells[1].to_owned(), to: row.cells[2].to_owned(), factor };
            match row.cells[0] {
                "*" => labs.generic.push(conversion),
                concept => labs.specific.entry(concept.to_owned()).or_default().push(conversion),
            }
        }

        let table = Table::parse(panels.0, panels.1, &["panel", "kind", "members", "source"])?;
        for row in &table.rows {
            let kind = match row.cells[1] {
                "ratio" => PanelKind::Ratio,
                "differential" => PanelKind::Differential,
                "finding" => PanelKind::Finding,
                other => {
                    return Err(table.error(row, format!("kind must be ratio, differential or finding, not {other:?}")))
                }
            };
            let members: Vec<String> = row.cells[2].split('|').map(str::trim).map(str::to_owned).collect();
            if kind == PanelKind::Ratio && members.len() != 2 {
                return Err(table.error(row, "a ratio panel has two members"));
            }
            if kind == PanelKind::Finding && members.iter().any(String::is_empty) {
                return Err(table.error(row, "a finding panel lists its members"));
            }
            labs.panels.insert(row.cells[0].to_owned(), (kind, members));
        }
        Ok(labs)
    }

    /// Every concept id the tables name is in the inventory.
    pub fn check(&self, has_concept: impl Fn(&str) -> bool) -> Result<(), KnowledgeError> {
        let missing = |file: &str, id: &str| KnowledgeError {
            file: file.to_owned(),
            line: 0,
            message: format!("concept {id:?} is not in the inventory"),
        };
        let mut ids: Vec<(&str, &str)> = self.analytes.keys().map(|id| ("labs/analytes.tsv", id.as_str())).collect();
        ids.extend(self.specific.keys().map(|id| ("labs/conversions.tsv", id.as_str())));
        for (panel, (_, members)) in &self.panels {
            ids.push(("labs/panels.tsv", panel.as_str()));
            ids.extend(members.iter().map(|m| ("labs/panels.tsv", m.as_str())));
        }
        ids.sort_unstable();
        match ids.into_iter().find(|(_, id)| !has_concept(id)) {
            Some((file, id)) => Err(missing(file, id)),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ANALYTES: &str =
        "concept\tunit\tplausible_low\tplausible_high\tusual_units\tsource\nx\tmg/dL\t0\t10\tmg/dL\t-\n";
    const CONVERSIONS: &str = "concept\tfrom\tto\tfactor\tsource\n";
    const PANELS: &str = "panel\tkind\tmembers\tsource\n";
    const RANGE_HEADER: &str = "concept\tsex\tage_from\tage_to\tlow\thigh\tcritical_low\tcritical_high\tunit\tsource\n";

    fn parse_ranges(rows: &str) -> Result<Labs, KnowledgeError> {
        let ranges = format!("{RANGE_HEADER}{rows}");
        Labs::parse(("a", ANALYTES), ("r", &ranges), ("c", CONVERSIONS), ("p", PANELS))
    }

    #[test]
    fn a_range_in_another_unit_than_its_analyte_is_refused() {
        let err = parse_ranges("x\tany\t\t\t1\t2\t\t\tmmol/L\tsome book\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("canonical unit"), "{}", err.message);
    }

    #[test]
    fn a_range_needs_a_limit_and_a_source() {
        assert!(parse_ranges("x\tany\t\t\t\t\t\t\tmg/dL\tbook\n").is_err());
        assert!(parse_ranges("x\tany\t\t\t1\t2\t\t\tmg/dL\t \n").is_err());
        let labs = parse_ranges("x\tmale\t18\t\t1\t2\t0.5\t\tmg/dL\tbook\n").unwrap();
        let row = &labs.ranges["x"][0];
        assert_eq!(
            (row.sex, row.age_from, row.age_to, row.critical_low),
            (Some(Sex::Male), Some(18.0), None, Some(0.5))
        );
    }
}
