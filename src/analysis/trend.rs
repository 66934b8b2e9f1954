//! The trends table: for every series and window, one row of trend statistics (change, CAGR,
//! OLS, APC, Mann-Kendall and its autocorrelation-corrected variants, Sen, Pettitt,
//! joinpoint) with a plain-language `trend` label and `notes` giving the reason for every
//! null. Pure: series in, rows out; reading and writing tables is report's job.
//!
//! Grain: one row per (series, window). Keys: the series columns plus `window_start`,
//! `window_end`. Slopes are per year in the series' unit; `*_lo`/`*_hi` are the (1 - alpha)
//! bounds. A window without any observation still gets a row, with every statistic null and
//! the note "no observations in the window".

use std::collections::BTreeMap;

use rayon::prelude::*;

use super::series::{Coverage, Series, Window};
use crate::model::{Freq, Period};
use crate::stats::{
    annual_percent_change, cagr, fit_joinpoint, hamed_rao, linear_trend, mann_kendall, pettitt,
    relative_change_percent, sen_slope, trend_free_prewhitening, yue_wang, Alpha, JoinpointOptions,
    Trend, Unavailable,
};

/// Choices of the trend analysis (pipeline `[analyze]`, documented defaults).
#[derive(Clone, Debug)]
pub struct TrendOptions {
    pub alpha: Alpha,
    pub joinpoint: JoinpointOptions,
    /// Label the trend from the Hamed-Rao corrected test instead of the original MK test.
    pub label_from_hamed_rao: bool,
    pub windows: Vec<Window>,
}

impl Default for TrendOptions {
    fn default() -> Self {
        TrendOptions {
            alpha: Alpha::FIVE_PERCENT,
            joinpoint: JoinpointOptions::default(),
            label_from_hamed_rao: false,
            windows: vec![Window::default()],
        }
    }
}

/// One row of the trends table.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TrendRow {
    pub window_start: Option<String>,
    pub window_end: Option<String>,
    pub n: u32,
    pub n_missing: u32,
    pub first_value: Option<f64>,
    pub last_value: Option<f64>,
    pub change_pct: Option<f64>,
    pub cagr_pct: Option<f64>,
    pub ols_slope: Option<f64>,
    pub ols_slope_lo: Option<f64>,
    pub ols_slope_hi: Option<f64>,
    pub ols_p: Option<f64>,
    pub ols_r2: Option<f64>,
    pub apc: Option<f64>,
    pub apc_lo: Option<f64>,
    pub apc_hi: Option<f64>,
    pub apc_p: Option<f64>,
    pub mk_s: Option<i64>,
    pub mk_var_s: Option<f64>,
    pub mk_z: Option<f64>,
    pub mk_p: Option<f64>,
    pub mk_tau: Option<f64>,
    pub mk_hr_p: Option<f64>,
    pub mk_yw_p: Option<f64>,
    pub mk_tfpw_p: Option<f64>,
    pub sen_slope: Option<f64>,
    pub sen_lo: Option<f64>,
    pub sen_hi: Option<f64>,
    /// The line's intercept (Conover: median(y) - slope * median(x)), so that a chart draws the
    /// table's line.
    pub sen_intercept: Option<f64>,
    pub pettitt_k: Option<i64>,
    pub pettitt_period: Option<String>,
    pub pettitt_p: Option<f64>,
    pub jp_k: Option<u32>,
    pub jp_periods: Option<String>,
    pub jp_apcs: Option<String>,
    pub aapc: Option<f64>,
    pub trend: Option<String>,
    pub notes: String,
}

/// Collects "cannot compute" reasons by method, so that notes read
/// "apc, joinpoint: non-positive value; ols, apc: fewer than 3 observations".
#[derive(Default)]
struct Notes {
    reasons: BTreeMap<String, Vec<&'static str>>,
    extra: Vec<String>,
}

impl Notes {
    fn keep<T>(&mut self, method: &'static str, result: Result<T, Unavailable>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.reasons.entry(e.to_string()).or_default().push(method);
                None
            }
        }
    }

    fn text(self) -> String {
        let mut parts: Vec<String> = self
            .reasons
            .into_iter()
            .map(|(reason, methods)| format!("{}: {reason}", methods.join(", ")))
            .collect();
        parts.extend(self.extra);
        parts.join("; ")
    }
}

pub fn trend_label(trend: Trend) -> &'static str {
    match trend {
        Trend::Increasing => "increasing",
        Trend::Decreasing => "decreasing",
        Trend::NoTrend => "no trend",
    }
}

/// The number of periods of `freq` from `start` to `end`, both included.
fn periods_spanned(start: Period, end: Period, freq: Freq) -> u32 {
    let span = match freq {
        Freq::Annual => i64::from(end.year) - i64::from(start.year) + 1,
        Freq::Quarterly => {
            let q = |p: Period| i64::from(p.year) * 4 + i64::from(p.quarter.unwrap_or(1)) - 1;
            q(end) - q(start) + 1
        }
    };
    u32::try_from(span.max(0)).unwrap_or(u32::MAX)
}

fn joined(values: impl Iterator<Item = String>) -> String {
    values.collect::<Vec<_>>().join(";")
}

/// The trend statistics of one series over one window.
pub fn trend_row(series: &Series, window: Window, options: &TrendOptions) -> TrendRow {
    let (mut periods, mut values, mut coverage) = (Vec::new(), Vec::new(), Vec::new());
    for (i, (p, v)) in series.periods.iter().zip(&series.values).enumerate() {
        if window.contains(p) {
            periods.push(*p);
            values.push(*v);
            if let Some(c) = series.coverage.get(i) {
                coverage.push(c);
            }
        }
    }
    let x: Vec<f64> = periods.iter().map(|p| p.x()).collect();
    let (window_start, window_end) = window.bounds(&periods);
    let mut row = TrendRow {
        window_start,
        window_end,
        n: u32::try_from(values.len()).unwrap_or(u32::MAX),
        ..TrendRow::default()
    };
    let (Some(&first_p), Some(&last_p)) = (periods.first(), periods.last()) else {
        row.notes = "no observations in the window".into();
        return row;
    };
    let freq = first_p.freq();
    let span = periods_spanned(
        window.start.unwrap_or(first_p),
        window.end.unwrap_or(last_p),
        freq,
    );
    row.n_missing = span.saturating_sub(row.n);
    let (first, last) = (values[0], values[values.len() - 1]);
    row.first_value = Some(first);
    row.last_value = Some(last);

    let mut notes = Notes::default();
    let alpha = options.alpha;
    row.change_pct = notes.keep(
        "change",
        if values.len() < 2 {
            Err(Unavailable::TooFewObservations { needed: 2 })
        } else {
            relative_change_percent(first, last)
        },
    );
    row.cagr_pct = notes
        .keep("cagr", cagr(first_p.x(), first, last_p.x(), last))
        .map(|g| 100.0 * g.rate);
    if row.change_pct.is_some() {
        notes.extra.extend(base_effect_note(first, &values));
    }
    if let Some(ols) = notes.keep("ols", linear_trend(&x, &values, alpha)) {
        row.ols_slope = Some(ols.slope);
        row.ols_slope_lo = Some(ols.ci_lower);
        row.ols_slope_hi = Some(ols.ci_upper);
        row.ols_p = Some(ols.p);
        row.ols_r2 = Some(ols.r_squared);
    }
    if let Some(apc) = notes.keep("apc", annual_percent_change(&x, &values, alpha)) {
        row.apc = Some(apc.apc);
        row.apc_lo = Some(apc.ci_lower);
        row.apc_hi = Some(apc.ci_upper);
        row.apc_p = Some(apc.p);
    }
    let mk = notes.keep("mk", mann_kendall(&values, alpha));
    if let Some(mk) = &mk {
        row.mk_s = Some(mk.s);
        row.mk_var_s = Some(mk.var_s);
        row.mk_z = Some(mk.z);
        row.mk_p = Some(mk.p);
        row.mk_tau = mk.tau_b;
    }
    let hr = notes.keep("mk_hr", hamed_rao(&values, alpha));
    row.mk_hr_p = hr.as_ref().map(|h| h.p);
    row.mk_yw_p = notes.keep("mk_yw", yue_wang(&values, alpha)).map(|y| y.p);
    row.mk_tfpw_p = notes
        .keep("mk_tfpw", trend_free_prewhitening(&values, alpha))
        .map(|t| t.p);
    if let Some(sen) = notes.keep("sen", sen_slope(&x, &values, alpha)) {
        row.sen_slope = Some(sen.slope);
        row.sen_lo = sen.ci_lower;
        row.sen_hi = sen.ci_upper;
        row.sen_intercept = Some(sen.intercept);
        if sen.ci_lower.is_none() || sen.ci_upper.is_none() {
            notes
                .extra
                .push("sen: confidence bound outside the ranked slopes (too few pairs)".into());
        }
    }
    if let Some(p) = notes.keep("pettitt", pettitt(&values)) {
        row.pettitt_k = Some(p.k_statistic);
        row.pettitt_period = periods.get(p.last_before_change).map(Period::to_string);
        row.pettitt_p = Some(p.p);
    }
    if let Some(jp) = notes.keep("joinpoint", fit_joinpoint(&x, &values, &options.joinpoint)) {
        row.jp_k = u32::try_from(jp.joinpoints.len()).ok();
        let label = |jx: f64| {
            periods
                .iter()
                .find(|p| p.x() == jx)
                .map_or_else(|| jx.to_string(), Period::to_string)
        };
        row.jp_periods = Some(joined(jp.joinpoints.iter().map(|&j| label(j))));
        row.jp_apcs = Some(joined(jp.segments.iter().map(|s| s.apc.to_string())));
        row.aapc = Some(jp.aapc);
    }
    let label = if options.label_from_hamed_rao {
        hr.map(|h| h.trend)
    } else {
        mk.map(|m| m.trend)
    };
    row.trend = label.map(|t| trend_label(t).to_string());
    if row.n_missing > 0 {
        notes
            .extra
            .push(format!("{} period(s) missing in the window", row.n_missing));
    }
    if let Some(note) = coverage_note(&periods, &coverage) {
        notes.extra.push(note);
    }
    row.notes = notes.text();
    row
}

/// A first value below this share of the series' median makes `change_pct` and
/// `cagr_pct` a base effect rather than a trend (Kazakhstan heroin from 0.026 kg in 1994:
/// +4,430,619 %).
pub const BASE_EFFECT_SHARE: f64 = 0.01;

/// Flags an extreme base effect: a positive first value below [`BASE_EFFECT_SHARE`] of the
/// median of the window's values (Mann-Kendall and Sen, rank-based, are not affected).
fn base_effect_note(first: f64, values: &[f64]) -> Option<String> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    if n < 3 {
        return None;
    }
    let median = if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    };
    (first > 0.0 && median > 0.0 && first < BASE_EFFECT_SHARE * median).then(|| {
        format!(
            "change, cagr: base effect, the first value ({}) is below {}% of the median ({})",
            crate::display::readable(first),
            100.0 * BASE_EFFECT_SHARE,
            crate::display::readable(median)
        )
    })
}

/// For an aggregate, says which members are missing in which periods, and warns when the
/// coverage changes inside the window: a member that stops reporting is not a fall.
pub fn coverage_note(periods: &[Period], coverage: &[&Coverage]) -> Option<String> {
    if coverage.iter().all(|c| c.complete()) {
        return None;
    }
    // Runs of consecutive periods with the same missing members.
    let mut runs: Vec<(String, Period, Period)> = Vec::new();
    for (p, c) in periods.iter().zip(coverage) {
        if c.complete() {
            continue;
        }
        let missing = c.missing.join(" ");
        match runs.last_mut() {
            Some((m, _, end)) if *m == missing => *end = *p,
            _ => runs.push((missing, *p, *p)),
        }
    }
    let described: Vec<String> = runs
        .iter()
        .map(|(m, a, b)| {
            if a == b {
                format!("{m} missing {a}")
            } else {
                format!("{m} missing {a}-{b}")
            }
        })
        .collect();
    let changes = coverage.windows(2).any(|w| w[0].missing != w[1].missing);
    Some(if changes {
        format!(
            "coverage changes in the window ({}): part of any change may be missing data, not seizures",
            described.join("; ")
        )
    } else {
        format!("incomplete coverage ({})", described.join("; "))
    })
}

/// Every series over every window, in parallel across series; rows in series order, then
/// window order. Two windows that resolve to the same bounds for a series (e.g. `all` and
/// `2000-2022` on a 2000-2022 series) give one row, so keys stay unique.
pub fn trend_rows(series: &[Series], options: &TrendOptions) -> Vec<(usize, TrendRow)> {
    series
        .par_iter()
        .enumerate()
        .flat_map_iter(|(i, s)| {
            let mut rows: Vec<TrendRow> = Vec::with_capacity(options.windows.len());
            for w in &options.windows {
                let row = trend_row(s, *w, options);
                if !rows.iter().any(|r| {
                    (&r.window_start, &r.window_end) == (&row.window_start, &row.window_end)
                }) {
                    rows.push(row);
                }
            }
            rows.into_iter().map(move |r| (i, r))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::series::SeriesKey;

    fn series(values: &[(i32, f64)]) -> Series {
        Series {
            key: SeriesKey {
                indicator: "seizures".into(),
                geo: "RUS".into(),
                drug: Some("heroin".into()),
                dimension: None,
                category: None,
                freq: crate::model::Freq::Annual,
                unit: crate::model::Unit::Kg,
            },
            periods: values.iter().map(|(y, _)| Period::year(*y)).collect(),
            values: values.iter().map(|(_, v)| *v).collect(),
            coverage: Vec::new(),
        }
    }

    #[test]
    fn counts_missing_periods_and_explains_nulls() {
        let s = series(&[(2010, 5.0), (2012, 0.0), (2013, 4.0)]);
        let row = trend_row(&s, Window::default(), &TrendOptions::default());
        assert_eq!((row.n, row.n_missing), (3, 1));
        assert_eq!(row.window_start.as_deref(), Some("2010"));
        assert!(row.apc.is_none());
        assert!(row.notes.contains("non-positive value"), "{}", row.notes);
        assert!(row.notes.contains("1 period(s) missing"), "{}", row.notes);
        assert_eq!(row.change_pct, Some(-20.0));
    }

    #[test]
    fn an_extreme_base_effect_is_flagged() {
        // Kazakhstan heroin from 0.026 kg (1994): the change is a base effect.
        let s = series(&[(1994, 0.026), (1995, 150.0), (1996, 400.0), (1997, 1152.0)]);
        let row = trend_row(&s, Window::default(), &TrendOptions::default());
        assert!(row.change_pct.unwrap() > 4_000_000.0);
        assert!(
            row.notes
                .contains("change, cagr: base effect, the first value (0.0260) is below 1% of the median (275)"),
            "{}",
            row.notes
        );
        let ordinary = series(&[(1994, 100.0), (1995, 150.0), (1996, 400.0)]);
        let row = trend_row(&ordinary, Window::default(), &TrendOptions::default());
        assert!(!row.notes.contains("base effect"), "{}", row.notes);
    }

    #[test]
    fn a_window_without_data_gets_a_row_with_a_reason() {
        let s = series(&[(2010, 5.0), (2011, 6.0)]);
        let w = Window {
            start: Some(Period::year(2015)),
            end: Some(Period::year(2016)),
        };
        let row = trend_row(&s, w, &TrendOptions::default());
        assert_eq!(row.n, 0);
        assert_eq!(row.notes, "no observations in the window");
        assert_eq!(row.window_start.as_deref(), Some("2015"));
    }

    #[test]
    fn monotone_series_is_increasing() {
        let s = series(
            &(2000..2010)
                .map(|y| (y, f64::from(y - 1990)))
                .collect::<Vec<_>>(),
        );
        let row = trend_row(&s, Window::default(), &TrendOptions::default());
        assert_eq!(row.trend.as_deref(), Some("increasing"));
        assert_eq!(row.sen_slope, Some(1.0));
        assert!(
            row.notes.is_empty() || !row.notes.contains("mk:"),
            "{}",
            row.notes
        );
    }
}
