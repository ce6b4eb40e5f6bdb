//! Clinical scores and criteria from the extracted facts, each with its published source.
//!
//! Missing is never normal: a criterion whose input the text does not give is unknown (`met:
//! null`), the score keeps the points it can prove as `value` and the range it could reach as
//! `bounds`, and its interpretation says "indeterminate" when the missing inputs could change it.
//! Formulas are beside their code with the paper they come from.

use crate::analysis::{CharSpan, Criterion, Score};
use crate::reason::facts::{Canonical, Facts, Presence};

/// A criterion being decided: its points when met, and whether it is.
struct Item {
    criterion: Criterion,
    points: f64,
    input: &'static str,
}

/// Collects the items of one score.
struct Builder {
    name: &'static str,
    source: &'static str,
    items: Vec<Item>,
}

impl Builder {
    fn new(name: &'static str, source: &'static str) -> Builder {
        Builder { name, source, items: Vec::new() }
    }

    fn item(&mut self, name: String, points: f64, input: &'static str, met: Option<bool>, evidence: Vec<CharSpan>) {
        self.items.push(Item { criterion: Criterion { name, met, evidence }, points, input });
    }

    /// A criterion over a quantity: unknown when the quantity is missing.
    fn threshold(
        &mut self,
        name: &str,
        points: f64,
        input: &'static str,
        quantity: Option<(f64, CharSpan)>,
        test: impl Fn(f64) -> bool,
    ) {
        match quantity {
            Some((value, span)) => {
                self.item(format!("{name} ({})", trim(value)), points, input, Some(test(value)), vec![span])
            }
            None => self.item(name.to_owned(), points, input, None, Vec::new()),
        }
    }

    /// A banded criterion (a SOFA organ, a NEWS2 parameter): the points of the value's band, or
    /// unknown, then worth up to `max` points in the bounds.
    fn banded(
        &mut self,
        name: &str,
        input: &'static str,
        value: Option<(f64, CharSpan)>,
        points: fn(f64) -> f64,
        max: f64,
    ) {
        match value {
            Some((v, span)) => {
                let p = points(v);
                self.item(format!("{name} ({}): {p}", trim(v)), p, input, Some(p > 0.0), vec![span]);
            }
            None => self.item(format!("{name}: unknown"), max, input, None, Vec::new()),
        }
    }

    /// A criterion over a finding: met when present, not met when the text denies it.
    fn finding(&mut self, name: &str, points: f64, input: &'static str, presence: Presence<'_>) {
        let (met, evidence) = match presence {
            Presence::Present(e) | Presence::Possible(e) => (Some(true), vec![e.span]),
            Presence::Absent(e) => (Some(false), vec![e.span]),
            Presence::Unknown => (None, Vec::new()),
        };
        self.item(name.to_owned(), points, input, met, evidence);
    }

    /// The score with `interpret(lower, upper)` of its point range.
    fn build(self, applicable: bool, max: f64, interpret: impl Fn(f64, f64) -> String) -> Score {
        // `+ 0.0`: an empty float sum is −0.0.
        let lower: f64 =
            self.items.iter().filter(|i| i.criterion.met == Some(true)).map(|i| i.points).sum::<f64>() + 0.0;
        let unknown: f64 = self.items.iter().filter(|i| i.criterion.met.is_none()).map(|i| i.points).sum::<f64>() + 0.0;
        let mut missing: Vec<String> =
            self.items.iter().filter(|i| i.criterion.met.is_none()).map(|i| i.input.to_owned()).collect();
        missing.dedup();
        Score {
            name: self.name.to_owned(),
            value: Some(lower),
            max: Some(max),
            complete: missing.is_empty(),
            interpretation: Some(interpret(lower, lower + unknown)),
            criteria: self.items.into_iter().map(|i| i.criterion).collect(),
            bounds: Some([lower, lower + unknown]),
            missing,
            applicable,
            source: self.source.to_owned(),
        }
    }
}

/// "positive" when even the lower bound reaches `threshold`, "negative" when even the upper
/// bound stays under it, "indeterminate" otherwise.
fn at_least(threshold: f64) -> impl Fn(f64, f64) -> String {
    move |lower, upper| {
        if lower >= threshold {
            format!("positive (≥ {threshold})")
        } else if upper < threshold {
            format!("negative (< {threshold})")
        } else {
            format!("indeterminate: missing inputs could reach {threshold}")
        }
    }
}

/// A value rounded to two decimals as a criterion writes it ("38.5", "110"), formatted straight
/// into the criterion's name rather than into a string of its own first.
struct Trim(f64);

impl std::fmt::Display for Trim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let rounded = (self.0 * 100.0).round() / 100.0;
        write!(f, "{rounded}")
    }
}

fn trim(value: f64) -> Trim {
    Trim(value)
}

/// A formula's result: its value when every input is known, otherwise the inputs it lacks. None
/// when the text gives none of its inputs: such a score is not reported ([`compute`]), and is not
/// written out only to be dropped.
fn formula(
    name: &str,
    source: &str,
    value: Option<f64>,
    inputs: Vec<(&str, Option<CharSpan>)>,
    interpretation: impl Fn(f64) -> String,
) -> Option<Score> {
    if inputs.iter().all(|(_, span)| span.is_none()) {
        return None;
    }
    let missing: Vec<String> = inputs.iter().filter(|(_, s)| s.is_none()).map(|(n, _)| (*n).to_owned()).collect();
    let criteria = inputs
        .iter()
        .map(|(n, s)| Criterion { name: (*n).to_owned(), met: s.map(|_| true), evidence: s.iter().copied().collect() })
        .collect();
    let value = value.map(|v| (v * 100.0).round() / 100.0);
    Some(Score {
        name: name.to_owned(),
        value,
        max: None,
        complete: missing.is_empty(),
        criteria,
        interpretation: value.map(interpretation),
        bounds: None,
        missing,
        applicable: true,
        source: source.to_owned(),
    })
}

/// Every score that applies to the patient and has at least one known input.
pub fn compute(facts: &Facts<'_>) -> Vec<Score> {
    // SOFA once: Sepsis-3 sepsis reads its bounds.
    let sofa = sofa(facts);
    let sepsis = sepsis(facts, &sofa);
    // The scores meant for one condition only are not built for a case without it.
    let mut scores: Vec<Score> = [
        mean_arterial_pressure(facts),
        shock_index(facts),
        Some(sirs(facts)),
        Some(qsofa(facts)),
        Some(sofa),
        Some(septic_shock(facts)),
        Some(sepsis),
        Some(news2(facts)),
        curb65(facts),
        cha2ds2_vasc(facts),
        wells_pe(facts),
        wells_dvt(facts),
        egfr(facts),
        anion_gap(facts),
        corrected_calcium(facts),
    ]
    .into_iter()
    .flatten()
    .collect();
    scores.extend(kdigo_aki(facts));
    scores.extend(gcs(facts));
    scores.retain(|s| s.applicable && s.criteria.iter().any(|c| c.met.is_some()));
    scores
}

/// The facts the differential reads from the scores (`score:<name>` in data/differential), with
/// their evidence: only what is proven, never what missing inputs might make true.
pub fn flags(scores: &[Score]) -> Vec<(&'static str, Vec<CharSpan>)> {
    let evidence =
        |s: &Score| s.criteria.iter().filter(|c| c.met == Some(true)).flat_map(|c| c.evidence.clone()).collect();
    let mut out = Vec::new();
    for s in scores {
        let lower = s.bounds.map(|b| b[0]).or(s.value.filter(|_| s.complete));
        let Some(lower) = lower else { continue };
        let mut flag = |name: &'static str, proven: bool| {
            if proven {
                out.push((name, evidence(s)));
            }
        };
        match s.name.as_str() {
            "sirs" => flag("sirs", lower >= 2.0),
            "qsofa" => flag("qsofa", lower >= 2.0),
            "sepsis3_septic_shock" => flag("septic_shock", lower >= 2.0),
            "shock_index" => flag("shock_index_high", lower >= 1.0),
            "mean_arterial_pressure" => flag("map_low", lower < 65.0),
            "news2" => {
                flag("news2_high", lower >= 7.0);
                flag("news2_medium", lower >= 5.0);
            }
            "curb65" => flag("curb65_high", lower >= 3.0),
            "glasgow_coma_scale" => flag("gcs_low", lower <= 8.0),
            "egfr_ckd_epi_2021" => flag("egfr_low", lower < 60.0),
            "anion_gap" => flag("anion_gap_high", lower > 12.0),
            "kdigo_aki" => flag("aki", lower >= 1.0),
            "wells_pe" => flag("wells_pe_likely", lower > 4.0),
            "wells_dvt" => flag("wells_dvt_likely", lower >= 2.0),
            _ => {}
        }
    }
    out
}

/// MAP = (SBP + 2 × DBP) / 3, the standard estimate at normal heart rates.
fn mean_arterial_pressure(facts: &Facts<'_>) -> Option<Score> {
    let bp = facts.blood_pressure();
    formula(
        "mean_arterial_pressure",
        "MAP = (SBP + 2 DBP) / 3; < 65 mmHg is the Sepsis-3 vasopressor target (Singer et al., JAMA 2016)",
        bp.map(|(s, d, _)| (s + 2.0 * d) / 3.0),
        vec![("blood pressure", bp.map(|b| b.2))],
        |v| if v < 65.0 { "low (< 65 mmHg)".to_owned() } else { "normal (≥ 65 mmHg)".to_owned() },
    )
}

/// Shock index = heart rate / systolic pressure (Allgöwer and Burri, 1967); ≥ 1.0 is abnormal.
fn shock_index(facts: &Facts<'_>) -> Option<Score> {
    let bp = facts.blood_pressure();
    let hr = facts.quantity("heart_rate", Canonical::PerMinute);
    let value = match (hr, bp) {
        (Some((h, _)), Some((s, _, _))) if s > 0.0 => Some(h / s),
        _ => None,
    };
    formula(
        "shock_index",
        "heart rate / systolic pressure (Allgöwer and Burri, Dtsch Med Wochenschr 1967); ≥ 1.0 abnormal",
        value,
        vec![("heart rate", hr.map(|h| h.1)), ("blood pressure", bp.map(|b| b.2))],
        |v| if v >= 1.0 { "elevated (≥ 1.0)".to_owned() } else { "normal (< 1.0)".to_owned() },
    )
}

/// SIRS: ≥ 2 of temperature > 38 or < 36 °C, heart rate > 90/min, respiratory rate > 20/min,
/// leukocytes > 12 or < 4 × 10³/µL (Bone et al., ACCP/SCCM consensus, Chest 1992;101:1644).
fn sirs(facts: &Facts<'_>) -> Score {
    let mut b = Builder::new("sirs", "ACCP/SCCM consensus (Bone et al., Chest 1992;101:1644-55)");
    let temperature = facts.quantity("body_temperature", Canonical::Celsius);
    b.threshold("temperature > 38 °C or < 36 °C", 1.0, "temperature", temperature, |t| !(36.0..=38.0).contains(&t));
    b.threshold("heart rate > 90/min", 1.0, "heart rate", facts.quantity("heart_rate", Canonical::PerMinute), |h| {
        h > 90.0
    });
    b.threshold(
        "respiratory rate > 20/min",
        1.0,
        "respiratory rate",
        facts.quantity("respiratory_rate", Canonical::PerMinute),
        |r| r > 20.0,
    );
    b.threshold(
        "leukocytes > 12 or < 4 × 10³/µL",
        1.0,
        "leukocyte count",
        facts.quantity("leukocyte_count", Canonical::ThousandsPerMicroliter),
        |w| !(4.0..=12.0).contains(&w),
    );
    b.build(true, 4.0, at_least(2.0))
}

/// qSOFA: respiratory rate ≥ 22/min, altered mentation, systolic pressure ≤ 100 mmHg
/// (Seymour et al., JAMA 2016;315:762); ≥ 2 flags a likely poor outcome of infection.
fn qsofa(facts: &Facts<'_>) -> Score {
    let mut b = Builder::new("qsofa", "Seymour et al., JAMA 2016;315:762-74 (Sepsis-3)");
    b.threshold(
        "respiratory rate ≥ 22/min",
        1.0,
        "respiratory rate",
        facts.quantity("respiratory_rate", Canonical::PerMinute),
        |r| r >= 22.0,
    );
    altered_mentation(&mut b, facts, 1.0);
    b.threshold(
        "systolic pressure ≤ 100 mmHg",
        1.0,
        "blood pressure",
        facts.blood_pressure().map(|(s, _, span)| (s, span)),
        |s| s <= 100.0,
    );
    b.build(true, 3.0, at_least(2.0))
}

/// Altered mentation from GCS < 15 when measured, else from a mention (or its denial).
fn altered_mentation(b: &mut Builder, facts: &Facts<'_>, points: f64) {
    if let Some(gcs) = facts.quantity("glasgow_coma_score", Canonical::Plain) {
        b.threshold("altered mentation (GCS < 15)", points, "mentation", Some(gcs), |g| g < 15.0);
    } else {
        b.finding("altered mentation", points, "mentation", facts.presence("altered_mental_status"));
    }
}

/// SOFA, one item per organ system, each 0–4 (Vincent et al., Intensive Care Med 1996;22:707).
/// An organ whose input is missing contributes 0–4 to the bounds.
fn sofa(facts: &Facts<'_>) -> Score {
    let mut b = Builder::new("sofa", "Vincent et al., Intensive Care Med 1996;22:707-10");
    // Each organ is one criterion whose "points" are its sub-score; met = sub-score > 0.
    let mut organ = |name: &str, input: &'static str, value: Option<(f64, CharSpan)>, points: fn(f64) -> f64| {
        b.banded(name, input, value, points, 4.0)
    };
    organ("respiration (PaO2/FiO2)", "PaO2/FiO2", facts.quantity("pao2_fio2_ratio", Canonical::Plain), |r| match r {
        r if r < 100.0 => 4.0,
        r if r < 200.0 => 3.0,
        r if r < 300.0 => 2.0,
        r if r < 400.0 => 1.0,
        _ => 0.0,
    });
    organ(
        "coagulation (platelets)",
        "platelet count",
        facts.quantity("platelet_count", Canonical::ThousandsPerMicroliter),
        |p| match p {
            p if p < 20.0 => 4.0,
            p if p < 50.0 => 3.0,
            p if p < 100.0 => 2.0,
            p if p < 150.0 => 1.0,
            _ => 0.0,
        },
    );
    organ("liver (bilirubin)", "bilirubin", facts.quantity("total_bilirubin", Canonical::BilirubinMgDl), |x| match x {
        x if x >= 12.0 => 4.0,
        x if x >= 6.0 => 3.0,
        x if x >= 2.0 => 2.0,
        x if x >= 1.2 => 1.0,
        _ => 0.0,
    });
    organ("central nervous system (GCS)", "GCS", facts.quantity("glasgow_coma_score", Canonical::Plain), |g| match g {
        g if g < 6.0 => 4.0,
        g if g < 10.0 => 3.0,
        g if g < 13.0 => 2.0,
        g if g < 15.0 => 1.0,
        _ => 0.0,
    });
    organ(
        "renal (creatinine)",
        "creatinine",
        facts.quantity("serum_creatinine", Canonical::CreatinineMgDl),
        |c| match c {
            c if c >= 5.0 => 4.0,
            c if c >= 3.5 => 3.0,
            c if c >= 2.0 => 2.0,
            c if c >= 1.2 => 1.0,
            _ => 0.0,
        },
    );
    // Cardiovascular: any vasopressor (dose unwritten) scores at least 2 — dopamine ≤ 5 or any
    // dobutamine is 2, more is 3–4 — so it bounds the item at 2–4; else MAP < 70 scores 1.
    let bp = facts.blood_pressure();
    match (facts.any_present(&["vasopressor"]), bp) {
        (Some(drug), _) => {
            let name = "cardiovascular: vasopressor, dose not given (2–4)".to_owned();
            b.item(name, 2.0, "vasopressor dose", Some(true), vec![drug.span]);
            b.item("cardiovascular: vasopressor dose".to_owned(), 2.0, "vasopressor dose", None, Vec::new());
        }
        (None, Some((s, d, span))) => {
            let map = (s + 2.0 * d) / 3.0;
            let p = if map < 70.0 { 1.0 } else { 0.0 };
            b.item(format!("cardiovascular: MAP {} mmHg", trim(map)), p, "blood pressure", Some(p > 0.0), vec![span]);
        }
        (None, None) => b.item("cardiovascular: unknown".to_owned(), 4.0, "blood pressure", None, Vec::new()),
    }
    b.build(true, 24.0, at_least(2.0))
}

/// Sepsis-3 septic shock: infection, vasopressors to hold MAP ≥ 65 mmHg, and lactate > 2 mmol/L
/// despite fluids (Singer et al., JAMA 2016;315:801). Criteria count; all three make it.
fn septic_shock(facts: &Facts<'_>) -> Score {
    let mut b = Builder::new("sepsis3_septic_shock", "Singer et al., JAMA 2016;315:801-10 (Sepsis-3)");
    b.finding("suspected or documented infection", 1.0, "infection", infection(facts));
    b.finding("vasopressor requirement", 1.0, "vasopressor", facts.presence("vasopressor"));
    b.threshold("lactate > 2 mmol/L", 1.0, "lactate", facts.quantity("serum_lactate", Canonical::LactateMmolL), |l| {
        l > 2.0
    });
    let applicable = b.items.iter().any(|i| i.input == "infection" && i.criterion.met == Some(true));
    b.build(applicable, 3.0, |lower, upper| {
        if lower >= 3.0 {
            "met".to_owned()
        } else if upper < 3.0 {
            "not met".to_owned()
        } else if lower >= 2.0 {
            "likely: one criterion unknown".to_owned()
        } else {
            "indeterminate".to_owned()
        }
    })
}

/// A suspected or documented infection: a mention of one, of a sepsis, an abscess or a pneumonia.
fn infection<'a>(facts: &Facts<'a>) -> Presence<'a> {
    match facts.any_present(&["infection", "sepsis", "abscess", "pneumonia", "bacteremia"]) {
        Some(e) => Presence::Present(e),
        None => Presence::Unknown,
    }
}

/// Sepsis-3 sepsis: a suspected infection with an acute rise of SOFA by ≥ 2 points (Singer et al.,
/// JAMA 2016;315:801). Without a baseline the SOFA is taken as the rise (baseline 0, as Sepsis-3
/// assumes for a patient without known organ dysfunction). `sofa` is the case's SOFA.
fn sepsis(facts: &Facts<'_>, sofa: &Score) -> Score {
    let mut b = Builder::new("sepsis3_sepsis", "Singer et al., JAMA 2016;315:801-10 (Sepsis-3)");
    b.finding("suspected or documented infection", 1.0, "infection", infection(facts));
    let [low, high] = sofa.bounds.unwrap_or([0.0, 24.0]);
    let met = if low >= 2.0 {
        Some(true)
    } else if high < 2.0 {
        Some(false)
    } else {
        None
    };
    let evidence = sofa.criteria.iter().filter(|c| c.met == Some(true)).flat_map(|c| c.evidence.clone()).collect();
    b.item(format!("SOFA ≥ 2 ({low}–{high})"), 1.0, "SOFA inputs", met, evidence);
    let applicable = b.items[0].criterion.met == Some(true);
    b.build(applicable, 2.0, |lower, upper| {
        if lower >= 2.0 {
            "met".to_owned()
        } else if upper < 2.0 {
            "not met".to_owned()
        } else {
            "indeterminate".to_owned()
        }
    })
}

/// NEWS2 with SpO2 scale 1 (Royal College of Physicians, National Early Warning Score 2, 2017).
fn news2(facts: &Facts<'_>) -> Score {
    let mut b = Builder::new("news2", "Royal College of Physicians, NEWS2, 2017 (SpO2 scale 1)");
    let mut banded = |name: &str, input: &'static str, value: Option<(f64, CharSpan)>, points: fn(f64) -> f64| {
        b.banded(name, input, value, points, 3.0)
    };
    banded(
        "respiratory rate",
        "respiratory rate",
        facts.quantity("respiratory_rate", Canonical::PerMinute),
        |r| match r {
            r if r <= 8.0 => 3.0,
            r if r <= 11.0 => 1.0,
            r if r <= 20.0 => 0.0,
            r if r <= 24.0 => 2.0,
            _ => 3.0,
        },
    );
    banded("SpO2", "oxygen saturation", facts.quantity("oxygen_saturation_pulse_oximetry", Canonical::Percent), |s| {
        match s {
            s if s <= 91.0 => 3.0,
            s if s <= 93.0 => 2.0,
            s if s <= 95.0 => 1.0,
            _ => 0.0,
        }
    });
    banded("systolic pressure", "blood pressure", facts.blood_pressure().map(|(s, _, span)| (s, span)), |s| match s {
        s if s <= 90.0 => 3.0,
        s if s <= 100.0 => 2.0,
        s if s <= 110.0 => 1.0,
        s if s <= 219.0 => 0.0,
        _ => 3.0,
    });
    banded("pulse", "heart rate", facts.quantity("heart_rate", Canonical::PerMinute), |h| match h {
        h if h <= 40.0 => 3.0,
        h if h <= 50.0 => 1.0,
        h if h <= 90.0 => 0.0,
        h if h <= 110.0 => 1.0,
        h if h <= 130.0 => 2.0,
        _ => 3.0,
    });
    banded("temperature", "temperature", facts.quantity("body_temperature", Canonical::Celsius), |t| match t {
        t if t <= 35.0 => 3.0,
        t if t <= 36.0 => 1.0,
        t if t <= 38.0 => 0.0,
        t if t <= 39.0 => 1.0,
        _ => 2.0,
    });
    // Supplemental oxygen scores 2; consciousness other than alert (new confusion included) 3.
    b.finding("supplemental oxygen", 2.0, "oxygen therapy", facts.presence("oxygen_therapy"));
    altered_mentation(&mut b, facts, 3.0);
    b.build(true, 20.0, |lower, upper| {
        let band = |v: f64| match v {
            v if v >= 7.0 => "high",
            v if v >= 5.0 => "medium",
            _ => "low",
        };
        if band(lower) == band(upper) {
            format!("{} clinical risk", band(lower))
        } else {
            format!("indeterminate: {}–{} risk", band(lower), band(upper))
        }
    })
}

/// CURB-65 for community-acquired pneumonia (Lim et al., Thorax 2003;58:377).
fn curb65(facts: &Facts<'_>) -> Option<Score> {
    facts.any_present(&["pneumonia"])?;
    let mut b = Builder::new("curb65", "Lim et al., Thorax 2003;58:377-82");
    b.finding("confusion", 1.0, "mentation", facts.presence("confusion"));
    b.threshold(
        "urea > 7 mmol/L",
        1.0,
        "urea",
        facts
            .quantity("serum_urea", Canonical::UreaMmolL)
            .or_else(|| facts.quantity("blood_urea_nitrogen", Canonical::UreaMmolL)),
        |u| u > 7.0,
    );
    b.threshold(
        "respiratory rate ≥ 30/min",
        1.0,
        "respiratory rate",
        facts.quantity("respiratory_rate", Canonical::PerMinute),
        |r| r >= 30.0,
    );
    let bp = facts.blood_pressure();
    b.threshold(
        "SBP < 90 or DBP ≤ 60 mmHg",
        1.0,
        "blood pressure",
        bp.map(|(s, d, span)| (if s < 90.0 || d <= 60.0 { 1.0 } else { 0.0 }, span)),
        |x| x > 0.0,
    );
    age_item(&mut b, facts, "age ≥ 65", 1.0, |a| a >= 65.0);
    Some(b.build(true, 5.0, at_least(3.0)))
}

fn age_item(b: &mut Builder, facts: &Facts<'_>, name: &str, points: f64, test: impl Fn(f64) -> bool) {
    let age = facts.analysis.patient.age.as_ref().map(|a| {
        let years = match a.unit {
            crate::analysis::AgeUnit::Year => a.value as f64,
            crate::analysis::AgeUnit::Month => a.value as f64 / 12.0,
            crate::analysis::AgeUnit::Week => a.value as f64 / 52.0,
            crate::analysis::AgeUnit::Day => a.value as f64 / 365.0,
        };
        (years, a.span)
    });
    b.threshold(name, points, "age", age, test);
}

/// CHA2DS2-VASc for atrial fibrillation (Lip et al., Chest 2010;137:263).
fn cha2ds2_vasc(facts: &Facts<'_>) -> Option<Score> {
    facts.any_present(&["atrial_fibrillation"])?;
    let mut b = Builder::new("cha2ds2_vasc", "Lip et al., Chest 2010;137:263-72");
    b.finding("congestive heart failure", 1.0, "heart failure", facts.presence("heart_failure"));
    b.finding("hypertension", 1.0, "hypertension", facts.presence("essential_hypertension"));
    age_item(&mut b, facts, "age ≥ 75", 2.0, |a| a >= 75.0);
    b.finding("diabetes", 1.0, "diabetes", facts.presence("diabetes_mellitus"));
    b.finding("stroke, TIA or thromboembolism", 2.0, "prior stroke", facts.presence("stroke"));
    b.finding("vascular disease", 1.0, "vascular disease", facts.presence("myocardial_infarction"));
    age_item(&mut b, facts, "age 65–74", 1.0, |a| (65.0..75.0).contains(&a));
    let female = facts.analysis.patient.sex.map(|s| s == crate::analysis::Sex::Female);
    let span = facts.analysis.patient.sex_span;
    b.item("female sex".to_owned(), 1.0, "sex", female, span.into_iter().collect());
    Some(b.build(true, 9.0, at_least(2.0)))
}

/// Wells score for pulmonary embolism (Wells et al., Thromb Haemost 2000;83:416); > 4 likely.
fn wells_pe(facts: &Facts<'_>) -> Option<Score> {
    facts.any_present(&["pulmonary_embolism"])?;
    let mut b = Builder::new("wells_pe", "Wells et al., Thromb Haemost 2000;83:416-20");
    b.finding("clinical signs of DVT", 3.0, "DVT signs", facts.presence("deep_vein_thrombosis"));
    b.threshold("heart rate > 100/min", 1.5, "heart rate", facts.quantity("heart_rate", Canonical::PerMinute), |h| {
        h > 100.0
    });
    b.finding("haemoptysis", 1.0, "haemoptysis", facts.presence("hemoptysis"));
    b.finding("malignancy", 1.0, "malignancy", facts.presence("malignant_neoplasm"));
    Some(b.build(true, 12.5, |lower, upper| {
        if lower > 4.0 {
            "PE likely (> 4)".to_owned()
        } else if upper <= 4.0 {
            "PE unlikely (≤ 4)".to_owned()
        } else {
            "indeterminate: 'PE most likely' and immobilisation, prior DVT/PE not assessed".to_owned()
        }
    }))
}

/// Wells score for deep vein thrombosis (Wells et al., NEJM 2003;349:1227); ≥ 2 likely. Criteria
/// the text rarely states (calf swelling > 3 cm, collateral veins, an alternative diagnosis as
/// likely, −2) stay unknown and widen the bounds.
fn wells_dvt(facts: &Facts<'_>) -> Option<Score> {
    facts.any_present(&["deep_vein_thrombosis"])?;
    let mut b = Builder::new("wells_dvt", "Wells et al., NEJM 2003;349:1227-35");
    b.finding("active cancer", 1.0, "malignancy", facts.presence("malignant_neoplasm"));
    b.finding("paralysis or recent immobilisation of the leg", 1.0, "paralysis", facts.presence("paralysis"));
    b.finding("bedridden ≥ 3 days or recent major surgery", 1.0, "immobilisation", facts.presence("bed_rest"));
    b.finding("localised tenderness along the deep veins", 1.0, "calf tenderness", facts.presence("calf_pain"));
    b.finding("entire leg swollen", 1.0, "leg swelling", facts.presence("lower_limb_edema"));
    b.item("calf swelling > 3 cm".to_owned(), 1.0, "calf circumference", None, Vec::new());
    b.finding("pitting oedema of the symptomatic leg", 1.0, "pitting oedema", facts.presence("pitting_edema"));
    b.item("collateral superficial veins".to_owned(), 1.0, "collateral veins", None, Vec::new());
    let prior_dvt = match facts.presence("deep_vein_thrombosis") {
        Presence::Present(e) if e.assertion.historical => Presence::Present(e),
        _ => Presence::Unknown,
    };
    b.finding("previously documented DVT", 1.0, "prior DVT", prior_dvt);
    // The −2 for an alternative diagnosis at least as likely is never assumed: the bounds' low
    // end does not subtract it, so the interpretation says when it could change the answer.
    Some(b.build(true, 9.0, |lower, upper| {
        if lower - 2.0 >= 2.0 {
            "DVT likely (≥ 2)".to_owned()
        } else if upper < 2.0 {
            "DVT unlikely (< 2)".to_owned()
        } else {
            "indeterminate: unknown criteria or an alternative diagnosis could change it".to_owned()
        }
    }))
}

/// eGFR by the race-free CKD-EPI 2021 creatinine equation (Inker et al., NEJM 2021;385:1737):
/// 142 × min(Scr/κ, 1)^α × max(Scr/κ, 1)^−1.200 × 0.9938^age × 1.012 (female), with κ 0.7 (F) /
/// 0.9 (M) and α −0.241 (F) / −0.302 (M). Adults only.
fn egfr(facts: &Facts<'_>) -> Option<Score> {
    let creatinine = facts.quantity("serum_creatinine", Canonical::CreatinineMgDl);
    let age = facts.analysis.patient.age.as_ref().filter(|a| a.unit == crate::analysis::AgeUnit::Year);
    let sex = facts.analysis.patient.sex;
    let value = match (creatinine, age, sex) {
        (Some((scr, _)), Some(age), Some(sex)) if age.value >= 18 && scr > 0.0 => {
            let female = sex == crate::analysis::Sex::Female;
            let (kappa, alpha) = if female { (0.7, -0.241) } else { (0.9, -0.302) };
            let ratio: f64 = scr / kappa;
            let mut egfr =
                142.0 * ratio.min(1.0).powf(alpha) * ratio.max(1.0).powf(-1.200) * 0.9938f64.powf(age.value as f64);
            if female {
                egfr *= 1.012;
            }
            Some(egfr)
        }
        _ => None,
    };
    formula(
        "egfr_ckd_epi_2021",
        "CKD-EPI 2021 creatinine equation (Inker et al., NEJM 2021;385:1737-49), mL/min/1.73 m²",
        value,
        vec![
            ("creatinine", creatinine.map(|c| c.1)),
            ("age (adult, years)", age.map(|a| a.span)),
            ("sex", facts.analysis.patient.sex_span),
        ],
        |v| {
            let stage = match v {
                v if v >= 90.0 => "G1",
                v if v >= 60.0 => "G2",
                v if v >= 45.0 => "G3a",
                v if v >= 30.0 => "G3b",
                v if v >= 15.0 => "G4",
                _ => "G5",
            };
            format!("KDIGO {stage}")
        },
    )
}

/// Anion gap = Na − (Cl + HCO3), reference 8–12 mmol/L (without potassium).
fn anion_gap(facts: &Facts<'_>) -> Option<Score> {
    let na = facts.quantity("serum_sodium", Canonical::MmolL);
    let cl = facts.quantity("serum_chloride", Canonical::MmolL);
    let hco3 = facts
        .quantity("serum_bicarbonate", Canonical::MmolL)
        .or_else(|| facts.quantity("arterial_bicarbonate", Canonical::MmolL));
    let value = match (na, cl, hco3) {
        (Some(n), Some(c), Some(h)) => Some(n.0 - c.0 - h.0),
        _ => None,
    };
    formula(
        "anion_gap",
        "Na − (Cl + HCO3), reference 8–12 mmol/L (Emmett and Narins, Medicine 1977;56:38)",
        value,
        vec![("sodium", na.map(|x| x.1)), ("chloride", cl.map(|x| x.1)), ("bicarbonate", hco3.map(|x| x.1))],
        |v| if v > 12.0 { "high (> 12 mmol/L)".to_owned() } else { "normal (≤ 12 mmol/L)".to_owned() },
    )
}

/// Calcium corrected for albumin = Ca + 0.8 × (4.0 − albumin) in mg/dL and g/dL
/// (Payne et al., BMJ 1973;4:643).
fn corrected_calcium(facts: &Facts<'_>) -> Option<Score> {
    let ca = facts.quantity("serum_calcium", Canonical::CalciumMgDl);
    let albumin = facts.quantity("serum_albumin", Canonical::AlbuminGDl);
    let value = match (ca, albumin) {
        (Some(c), Some(a)) => Some(c.0 + 0.8 * (4.0 - a.0)),
        _ => None,
    };
    formula(
        "corrected_calcium",
        "Ca + 0.8 × (4.0 − albumin), mg/dL (Payne et al., BMJ 1973;4:643-6)",
        value,
        vec![("calcium", ca.map(|x| x.1)), ("albumin", albumin.map(|x| x.1))],
        |v| match v {
            v if v > 10.5 => "high (> 10.5 mg/dL)".to_owned(),
            v if v < 8.5 => "low (< 8.5 mg/dL)".to_owned(),
            _ => "normal".to_owned(),
        },
    )
}

/// KDIGO AKI stage from the lowest and highest creatinine of the text (KDIGO Clinical Practice
/// Guideline for AKI, Kidney Int Suppl 2012;2:1): stage 1 ≥ 1.5× or +0.3 mg/dL, 2 ≥ 2×, 3 ≥ 3×
/// or ≥ 4.0 mg/dL. Only when the text gives two values (a baseline exists).
fn kdigo_aki(facts: &Facts<'_>) -> Option<Score> {
    let values = facts.quantities("serum_creatinine", Canonical::CreatinineMgDl);
    if values.len() < 2 {
        return None;
    }
    let (low, high) = values.iter().fold((values[0], values[0]), |(lo, hi), &v| {
        (if v.0 < lo.0 { v } else { lo }, if v.0 > hi.0 { v } else { hi })
    });
    let ratio = high.0 / low.0.max(0.01);
    let stage = if ratio >= 3.0 || (high.0 >= 4.0 && high.0 - low.0 >= 0.3) {
        3.0
    } else if ratio >= 2.0 {
        2.0
    } else if ratio >= 1.5 || high.0 - low.0 >= 0.3 {
        1.0
    } else {
        0.0
    };
    let criterion = Criterion {
        name: format!("creatinine {} → {} mg/dL", trim(low.0), trim(high.0)),
        met: Some(stage > 0.0),
        evidence: vec![low.1, high.1],
    };
    Some(Score {
        name: "kdigo_aki".to_owned(),
        value: Some(stage),
        max: Some(3.0),
        complete: false,
        criteria: vec![criterion],
        interpretation: Some(if stage > 0.0 {
            format!("AKI stage {stage}")
        } else {
            "no AKI by creatinine".to_owned()
        }),
        bounds: Some([stage, 3.0_f64.max(stage)]),
        missing: vec!["urine output".to_owned(), "timing of the values".to_owned()],
        applicable: true,
        source: "KDIGO Clinical Practice Guideline for Acute Kidney Injury, Kidney Int Suppl 2012;2:1-138".to_owned(),
    })
}

/// The Glasgow Coma Scale when the text gives it (Teasdale and Jennett, Lancet 1974;2:81).
fn gcs(facts: &Facts<'_>) -> Option<Score> {
    let (value, span) = facts.quantity("glasgow_coma_score", Canonical::Plain)?;
    formula(
        "glasgow_coma_scale",
        "Teasdale and Jennett, Lancet 1974;2:81-4; ≤ 8 severe, 9–12 moderate, 13–15 mild",
        Some(value),
        vec![("GCS", Some(span))],
        |v| match v {
            v if v <= 8.0 => "severe (≤ 8)".to_owned(),
            v if v <= 12.0 => "moderate (9–12)".to_owned(),
            _ => "mild or normal (13–15)".to_owned(),
        },
    )
}
