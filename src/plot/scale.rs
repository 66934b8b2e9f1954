//! Axis arithmetic: display units by magnitude, "nice" value ticks, annual and quarterly
//! time ticks (number formatting is `crate::display`). Pure functions, no drawing.

use crate::i18n::Texts;
use crate::model::{Period, Unit};

/// Weights at or above this many kilograms are shown in tonnes.
pub(crate) const TONNES_FROM_KG: f64 = 10_000.0;

/// How values are shown on the y axis.
#[derive(Debug, Clone, PartialEq)]
pub struct DisplayUnit {
    /// Input values are divided by this (share areas normalise instead).
    pub divisor: f64,
    /// Unit label for the axis title and `RenderInfo::y_unit`: "kg", "t", "%", "count", ...
    pub label: String,
    /// Tick labels get a "%" suffix and the axis title no unit.
    pub percent: bool,
}

impl DisplayUnit {
    /// The unit's label for people in the language of `texts` ("kg", "кг"; "%" and an
    /// index's "2010 = 100" as they are).
    pub fn text(&self, texts: &Texts) -> String {
        let code = self.label.as_str();
        texts
            .find(&format!("unit-{code}"))
            .unwrap_or_else(|| code.to_string())
    }
}

/// Picks the display unit for values whose largest magnitude is `max_abs` (input unit).
pub(crate) fn display_unit(unit: Unit, max_abs: f64) -> DisplayUnit {
    match unit {
        Unit::Kg if max_abs >= TONNES_FROM_KG => DisplayUnit {
            divisor: 1000.0,
            label: "t".into(),
            percent: false,
        },
        Unit::Kg => DisplayUnit {
            divisor: 1.0,
            label: "kg".into(),
            percent: false,
        },
        Unit::Count => DisplayUnit {
            divisor: 1.0,
            label: "count".into(),
            percent: false,
        },
        Unit::Share => DisplayUnit {
            divisor: 0.01,
            label: "%".into(),
            percent: true,
        },
        other => DisplayUnit {
            divisor: 1.0,
            label: other.code().into(),
            percent: false,
        },
    }
}

/// The unit for a 100 % share area, whatever the input unit.
pub(crate) fn percent_unit() -> DisplayUnit {
    DisplayUnit {
        divisor: 1.0,
        label: "%".into(),
        percent: true,
    }
}

/// Value ticks for an axis.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Ticks {
    pub lo: f64,
    pub hi: f64,
    pub values: Vec<f64>,
    /// Decimals that show every tick exactly.
    pub decimals: usize,
    /// The values are base-10 logarithms (a log axis): each is labelled 10^value.
    pub log: bool,
}

/// Ticks at 1, 2, 2.5 or 5 x 10^k covering `[min, max]` with at most `max_ticks` intervals.
/// The axis ends on ticks. A flat or empty range is widened so there is always an interval.
pub(crate) fn nice_ticks(min: f64, max: f64, max_intervals: usize) -> Ticks {
    let max_intervals = max_intervals.max(2) as f64;
    let (mut min, mut max) = (min.min(max), max.max(min));
    if max - min <= f64::EPSILON * max.abs().max(1.0) {
        if max == 0.0 {
            max = 1.0;
        } else if max > 0.0 {
            min = min.min(0.0);
            max *= 1.0 + 1e-9;
        } else {
            max = 0.0;
        }
    }
    let raw = (max - min) / max_intervals;
    let mut exp = raw.log10().floor() as i32;
    let (step, mantissa) = loop {
        let base = 10f64.powi(exp);
        let found = [1.0, 2.0, 2.5, 5.0]
            .into_iter()
            .map(|m| (m * base, m))
            .find(|(s, _)| ((max / s).ceil() - (min / s).floor()) <= max_intervals);
        if let Some(f) = found {
            break f;
        }
        exp += 1;
    };
    // 2.5 x 10^exp needs one decimal more than 1, 2 or 5 x 10^exp.
    let decimals = if mantissa == 2.5 { 1 - exp } else { -exp }.max(0) as usize;
    let first = (min / step).floor() as i64;
    let last = (max / step).ceil() as i64;
    let round = |v: f64| {
        let p = 10f64.powi(decimals as i32 + 1);
        let r = (v * p).round() / p;
        if r == 0.0 {
            0.0
        } else {
            r
        }
    };
    let values: Vec<f64> = (first..=last).map(|i| round(i as f64 * step)).collect();
    Ticks {
        lo: values[0],
        hi: values[values.len() - 1],
        values,
        decimals,
        log: false,
    }
}

/// Ticks of a log axis over `[min, max]` (base-10 logarithms of positive values): at 1, 2
/// and 5 x 10^k when they fit in `max_intervals`, else at the powers of ten, else at every
/// other power. The axis ends on ticks; `decimals` shows the smallest tick exactly.
pub(crate) fn log_ticks(min: f64, max: f64, max_intervals: usize) -> Ticks {
    let (first, mut last) = (min.floor() as i32, max.ceil() as i32);
    if last <= first {
        last = first + 1;
    }
    // Every m x 10^k from 10^first up to 10^last (each at or above 10^first by construction).
    let with = |mantissas: &[f64], every: i32| -> Vec<f64> {
        let mut values = Vec::new();
        let mut k = first;
        while k <= last {
            for m in mantissas {
                let v = m.log10() + f64::from(k);
                if v <= f64::from(last) + 1e-9 {
                    values.push(v);
                }
            }
            k += every;
        }
        values
    };
    // The candidates, densest first; tick sets end on a power of ten.
    let candidates = [with(&[1.0, 2.0, 5.0], 1), with(&[1.0], 1), with(&[1.0], 2)];
    let values = candidates
        .iter()
        .find(|v| v.len() <= max_intervals.max(2) + 1)
        .cloned()
        .unwrap_or_else(|| candidates[2].clone());
    let smallest = values.first().copied().unwrap_or(0.0);
    Ticks {
        lo: values[0].min(f64::from(first)),
        hi: values[values.len() - 1].max(max),
        decimals: if smallest < 0.0 {
            (-smallest.floor()) as usize
        } else {
            0
        },
        values,
        log: true,
    }
}

/// "2016" for annual x, "2017Q2" for 2017.25 on a quarterly axis.
pub(crate) fn period_label(x: f64, quarterly: bool) -> String {
    let year = (x + 1e-9).floor();
    if !quarterly {
        if (x - year).abs() < 1e-6 {
            return format!("{year:.0}");
        }
        return format!("{x}");
    }
    let q = ((x - year) * 4.0).round() as i64 + 1;
    if (x - year - (q - 1) as f64 / 4.0).abs() < 1e-6 {
        format!("{year:.0}Q{q}")
    } else {
        format!("{x}")
    }
}

/// Major (labelled) and minor ticks of a time axis.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TimeTicks {
    pub major: Vec<(f64, String)>,
    pub minor: Vec<f64>,
}

/// Time ticks over the data range `[first, last]` (years). Annual axes tick whole years every
/// 1, 2, 5, 10 ... years; quarterly axes every 1, 2, 4 ... quarters (Q1s once a label no
/// longer fits each quarter), labelled as `texts` writes a quarter ("2017 Q1", "I кв. 2017").
/// `px_per_year` and `label_px` (the widest label plus spacing) decide how crowded is too
/// crowded. Periods between labels get minor ticks when there is room for them.
pub(crate) fn time_ticks(
    first: f64,
    last: f64,
    quarterly: bool,
    px_per_year: f64,
    label_px: f64,
    texts: &Texts,
) -> TimeTicks {
    let period_label = |x: f64, quarterly: bool| tick_period(x, quarterly, texts);
    let (unit, steps): (f64, &[i64]) = if quarterly {
        (0.25, &[1, 2, 4, 8, 12, 20, 40, 80, 200, 400])
    } else {
        (1.0, &[1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000])
    };
    let px_per_unit = px_per_year * unit;
    let step = steps
        .iter()
        .copied()
        .find(|s| *s as f64 * px_per_unit >= label_px)
        .unwrap_or(steps[steps.len() - 1]);
    let i0 = (first / unit - 1e-6).ceil() as i64;
    let i1 = (last / unit + 1e-6).floor() as i64;
    let mut major = Vec::new();
    let mut minor = Vec::new();
    let minor_room = px_per_unit >= 6.0;
    for i in i0..=i1 {
        let x = i as f64 * unit;
        if i.rem_euclid(step) == 0 {
            major.push((x, period_label(x, quarterly)));
        } else if minor_room {
            minor.push(x);
        }
    }
    if major.is_empty() && i0 <= i1 {
        // A range shorter than one step: label its first period rather than nothing.
        let x = i0 as f64 * unit;
        minor.retain(|m| (m - x).abs() > 1e-9);
        major.push((x, period_label(x, quarterly)));
    }
    TimeTicks { major, minor }
}

/// A time tick's label: the year, or the quarter in the language of `texts`.
fn tick_period(x: f64, quarterly: bool, texts: &Texts) -> String {
    let year = (x + 1e-9).floor();
    let q = ((x - year) * 4.0).round() as i64 + 1;
    let on_quarter = (x - year - (q - 1) as f64 / 4.0).abs() < 1e-6;
    match (quarterly, on_quarter, u8::try_from(q)) {
        (true, true, Ok(q)) => texts.period(Period {
            year: year as i32,
            quarter: Some(q),
        }),
        _ => period_label(x, quarterly),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_ticks_are_round_values_over_the_decades() {
        // 3 kg to 40,000 kg: powers of ten (1-2-5 would be too many).
        let t = log_ticks(3f64.log10(), 40_000f64.log10(), 5);
        let shown: Vec<f64> = t.values.iter().map(|v| (10f64.powf(*v)).round()).collect();
        assert_eq!(shown, [1.0, 10.0, 100.0, 1_000.0, 10_000.0, 100_000.0]);
        assert!(t.log);
        // One decade: 1, 2, 5 steps.
        let t = log_ticks(20f64.log10(), 90f64.log10(), 6);
        let shown: Vec<f64> = t.values.iter().map(|v| (10f64.powf(*v)).round()).collect();
        assert_eq!(shown, [10.0, 20.0, 50.0, 100.0]);
    }

    #[test]
    fn nice_ticks_start_at_zero_and_cover_the_maximum() {
        let t = nice_ticks(0.0, 3227.0, 6);
        assert_eq!(t.values, vec![0.0, 1000.0, 2000.0, 3000.0, 4000.0]);
        assert_eq!(t.decimals, 0);
        let t = nice_ticks(0.0, 100.0, 6);
        assert_eq!(t.values, vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
        let t = nice_ticks(0.0, 0.9, 5);
        assert_eq!(t.hi, 1.0);
        assert_eq!(t.decimals, 1);
        let t = nice_ticks(0.0, 0.0, 5);
        assert_eq!((t.lo, t.hi), (0.0, 1.0));
        let t = nice_ticks(0.0, 9.0, 4);
        assert_eq!(t.values, vec![0.0, 2.5, 5.0, 7.5, 10.0]);
        assert_eq!(t.decimals, 1);
    }

    #[test]
    fn units_switch_to_tonnes_at_ten_thousand_kg() {
        assert_eq!(display_unit(Unit::Kg, 9_999.0).label, "kg");
        let t = display_unit(Unit::Kg, 10_000.0);
        assert_eq!((t.label.as_str(), t.divisor), ("t", 1000.0));
        assert!(display_unit(Unit::Share, 0.5).percent);
    }

    #[test]
    fn period_labels() {
        assert_eq!(period_label(2016.0, false), "2016");
        assert_eq!(period_label(2017.0, true), "2017Q1");
        assert_eq!(period_label(2017.25, true), "2017Q2");
        assert_eq!(period_label(2017.75, true), "2017Q4");
    }

    #[test]
    fn annual_ticks_thin_out_when_crowded() {
        let t = time_ticks(
            2000.0,
            2022.0,
            false,
            100.0,
            80.0,
            Texts::of(crate::i18n::Language::En),
        );
        assert_eq!(t.major.len(), 23);
        let t = time_ticks(
            2000.0,
            2022.0,
            false,
            30.0,
            80.0,
            Texts::of(crate::i18n::Language::En),
        );
        let xs: Vec<f64> = t.major.iter().map(|m| m.0).collect();
        assert_eq!(xs, vec![2000.0, 2005.0, 2010.0, 2015.0, 2020.0]);
        assert_eq!(t.minor.len(), 18);
    }

    #[test]
    fn quarterly_ticks_fall_back_to_first_quarters() {
        use crate::i18n::Language;
        let ticks = |language| time_ticks(2016.0, 2018.75, true, 100.0, 90.0, Texts::of(language));
        let t = ticks(Language::En);
        let labels: Vec<&str> = t.major.iter().map(|m| m.1.as_str()).collect();
        assert_eq!(labels, vec!["2016 Q1", "2017 Q1", "2018 Q1"]);
        assert_eq!(t.minor.len(), 9);
        assert_eq!(ticks(Language::Ru).major[1].1, "I\u{a0}кв.\u{a0}2017");
    }
}
