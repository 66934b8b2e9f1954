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
    annual_percent_change, cagr, correction_applies, fit_joinpoint, hamed_rao, linear_trend,
    mann_kendall, mann_kendall_min_p, nci_max_joinpoints, pettitt, relative_change_percent,
    seasonal_mann_kendall, sen_slope, trend_free_prewhitening, yue_wang, Alpha, JoinpointOptions,
    Trend, Unavailable, CORRECTION_MIN_N,
};

/// The `trend` label of a series too short for its test to reach alpha at all.
pub const TOO_SHORT: &str = "too short";

/// Whether a `trend` label says the test found a trend ("increasing", "decreasing"), as
/// opposed to "no trend", "too short" or none.
pub fn is_significant(label: &str) -> bool {
    matches!(label, "increasing" | "decreasing")
}

/// The largest K that `JoinpointLimit::Nci` gives: NCI's recommendation reaches 7 from 37
/// observations, but the exhaustive search grows as n^K/K! (a 40-point series takes about
/// 33 times longer at K = 7 than at K = 4, and K = 4 15 times longer than K = 2:
/// BENCHMARKS.md), so the default stops at 4, which
/// is NCI's recommendation up to 26 observations. A number in `max_joinpoints` goes to 9.
pub const NCI_LIMIT_CAP: usize = 4;

/// The most joinpoints a series' fit considers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JoinpointLimit {
    /// NCI Joinpoint's recommendation for the series' number of observations
    /// ([`nci_max_joinpoints`]), at most [`NCI_LIMIT_CAP`]: the default.
    Nci,
    /// At most this many, whatever the length.
    AtMost(usize),
}

impl JoinpointLimit {
    /// K for a window of `n` observations (before the spacing rules lower it further).
    pub fn for_n(self, n: usize) -> usize {
        match self {
            JoinpointLimit::Nci => nci_max_joinpoints(n).min(NCI_LIMIT_CAP),
            JoinpointLimit::AtMost(k) => k,
        }
    }
}

/// Choices of the trend analysis (pipeline `[analyze]`, documented defaults).
#[derive(Clone, Debug)]
pub struct TrendOptions {
    pub alpha: Alpha,
    /// Spacing rules and selection of the joinpoint fit; its `max_joinpoints` is set per
    /// window from `joinpoint_limit`.
    pub joinpoint: JoinpointOptions,
    pub joinpoint_limit: JoinpointLimit,
    /// Label the trend from the Hamed-Rao corrected test instead of the original MK test.
    pub label_from_hamed_rao: bool,
    pub windows: Vec<Window>,
}

impl Default for TrendOptions {
    fn default() -> Self {
        TrendOptions {
            alpha: Alpha::FIVE_PERCENT,
            joinpoint: JoinpointOptions::default(),
            joinpoint_limit: JoinpointLimit::Nci,
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
    /// Seasonal Mann-Kendall (sub-annual series only): S, Var(S), Z, p and the seasonal Sen
    /// slope per year.
    pub smk_s: Option<i64>,
    pub smk_var_s: Option<f64>,
    pub smk_z: Option<f64>,
    pub smk_p: Option<f64>,
    pub smk_slope: Option<f64>,
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
    /// The (1 - alpha) bounds of each segment's APC, as lists like `jp_apcs`.
    pub jp_apc_lo: Option<String>,
    pub jp_apc_hi: Option<String>,
    pub aapc: Option<f64>,
    pub aapc_lo: Option<f64>,
    pub aapc_hi: Option<f64>,
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

/// Numbers as a bracketed list, "[12.7, -16.5]": it parses as JSON, and no cell starts with
/// a sign that a spreadsheet would take for a formula. No "-0"; a missing number is `null`.
fn number_list(values: impl Iterator<Item = f64>) -> String {
    let items: Vec<String> = values
        .map(|v| {
            if v.is_finite() {
                (v + 0.0).to_string()
            } else {
                "null".to_string()
            }
        })
        .collect();
    format!("[{}]", items.join(", "))
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
    match linear_trend(&x, &values, alpha) {
        // A constant series has a well-defined slope, 0, but no test (t = 0/0).
        Err(Unavailable::ConstantValues) => {
            row.ols_slope = Some(0.0);
            row.ols_slope_lo = Some(0.0);
            row.ols_slope_hi = Some(0.0);
            notes
                .extra
                .push("ols: constant series (slope 0, no p or R^2)".into());
        }
        result => {
            if let Some(ols) = notes.keep("ols", result) {
                row.ols_slope = Some(ols.slope);
                row.ols_slope_lo = Some(ols.ci_lower);
                row.ols_slope_hi = Some(ols.ci_upper);
                row.ols_p = Some(ols.p);
                row.ols_r2 = Some(ols.r_squared);
            }
        }
    }
    match annual_percent_change(&x, &values, alpha) {
        // A constant positive series changes by 0 % a year, with no test.
        Err(Unavailable::ConstantValues) => {
            row.apc = Some(0.0);
            row.apc_lo = Some(0.0);
            row.apc_hi = Some(0.0);
            notes
                .extra
                .push("apc: constant series (0 % per year, no p)".into());
        }
        result => {
            if let Some(apc) = notes.keep("apc", result) {
                row.apc = Some(apc.apc);
                row.apc_lo = Some(apc.ci_lower);
                row.apc_hi = Some(apc.ci_upper);
                row.apc_p = Some(apc.p);
            }
        }
    }
    let mk = notes.keep("mk", mann_kendall(&values, alpha));
    if let Some(mk) = &mk {
        row.mk_s = Some(mk.s);
        row.mk_var_s = Some(mk.var_s);
        row.mk_z = Some(mk.z);
        row.mk_p = Some(mk.p);
        row.mk_tau = mk.tau_b;
    }
    // The corrected tests only where their corrections can be trusted (`correction_applies`).
    let hr = notes.keep(
        "mk_hr",
        hamed_rao(&values, alpha)
            .and_then(|h| correction_applies(h.n, Some(h.n_over_n_star)).map(|()| h)),
    );
    row.mk_hr_p = hr.as_ref().map(|h| h.p);
    row.mk_yw_p = notes
        .keep(
            "mk_yw",
            yue_wang(&values, alpha)
                .and_then(|y| correction_applies(y.n, Some(y.n_over_n_star)).map(|()| y)),
        )
        .map(|y| y.p);
    row.mk_tfpw_p = notes
        .keep(
            "mk_tfpw",
            trend_free_prewhitening(&values, alpha)
                .and_then(|t| correction_applies(t.n, None).map(|()| t)),
        )
        .map(|t| t.p);
    if freq == Freq::Annual {
        notes.extra.push(ANNUAL_NO_SEASONS.into());
    } else if let Some(smk) = notes.keep("smk", seasonal_mann_kendall(&x, &values, alpha)) {
        row.smk_s = Some(smk.s);
        row.smk_var_s = Some(smk.var_s);
        row.smk_z = Some(smk.z);
        row.smk_p = Some(smk.p);
        row.smk_slope = Some(smk.slope);
    }
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
    let joinpoint = JoinpointOptions {
        max_joinpoints: options.joinpoint_limit.for_n(values.len()),
        alpha,
        ..options.joinpoint
    };
    if let Some(jp) = notes.keep("joinpoint", fit_joinpoint(&x, &values, &joinpoint)) {
        row.jp_k = u32::try_from(jp.joinpoints.len()).ok();
        let label = |jx: f64| {
            periods
                .iter()
                .find(|p| p.x() == jx)
                .map_or_else(|| jx.to_string(), Period::to_string)
        };
        row.jp_periods = Some(joined(jp.joinpoints.iter().map(|&j| label(j))));
        row.jp_apcs = Some(number_list(jp.segments.iter().map(|s| s.apc)));
        if jp.interval_df.is_some() {
            row.jp_apc_lo = Some(number_list(
                jp.segments.iter().map(|s| s.apc_lo.unwrap_or(f64::NAN)),
            ));
            row.jp_apc_hi = Some(number_list(
                jp.segments.iter().map(|s| s.apc_hi.unwrap_or(f64::NAN)),
            ));
        } else {
            notes
                .extra
                .push("joinpoint: no residual degrees of freedom for intervals".into());
        }
        row.aapc = Some(jp.aapc);
        row.aapc_lo = jp.aapc_lo;
        row.aapc_hi = jp.aapc_hi;
        notes
            .extra
            .push(joinpoint_note(&jp, options.joinpoint_limit, values.len()));
    }
    // "too short" where the labelling test cannot reach alpha with this many values, rather
    // than a "no trend" the data could never have contradicted.
    let reachable = mann_kendall_min_p(values.len()).is_some_and(|p| p < alpha.get());
    let hr_too_short = options.label_from_hamed_rao && values.len() < CORRECTION_MIN_N;
    row.trend = if values.len() >= 3 && (!reachable || hr_too_short) {
        notes
            .extra
            .push(too_short_note(values.len(), alpha, hr_too_short));
        Some(TOO_SHORT.to_string())
    } else {
        let label = if options.label_from_hamed_rao {
            hr.map(|h| h.trend)
        } else {
            mk.map(|m| m.trend)
        };
        label.map(|t| trend_label(t).to_string())
    };
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

/// What the joinpoint fit considered and how it chose: "joinpoint: up to 4 joinpoints (NCI's
/// maximum for 23 observations), chosen by BIC".
fn joinpoint_note(jp: &crate::stats::Joinpoint, limit: JoinpointLimit, n: usize) -> String {
    let k = jp.max_joinpoints_considered;
    let lowered = if k < limit.for_n(n) {
        ", lowered by the spacing rules"
    } else {
        ""
    };
    let plural = if k == 1 { "" } else { "s" };
    let limit = match limit {
        JoinpointLimit::Nci if nci_max_joinpoints(n) > NCI_LIMIT_CAP => format!(
            "{k} joinpoint{plural} (NCI's maximum for {n} observations is {}, capped at {NCI_LIMIT_CAP}{lowered})",
            nci_max_joinpoints(n)
        ),
        JoinpointLimit::Nci => {
            format!("{k} joinpoint{plural} (NCI's maximum for {n} observations{lowered})")
        }
        JoinpointLimit::AtMost(most) => {
            format!("{k} joinpoint{plural} (max_joinpoints = {most}{lowered})")
        }
    };
    let chosen = if jp.tests.is_empty() {
        "chosen by BIC".to_string()
    } else {
        let tests: Vec<String> = jp
            .tests
            .iter()
            .map(|t| {
                format!(
                    "{} vs {}: p = {} (level {})",
                    t.k_null,
                    t.k_alt,
                    crate::display::readable(t.p),
                    crate::display::readable(t.level)
                )
            })
            .collect();
        format!("chosen by permutation tests ({})", tests.join(", "))
    };
    format!("{JOINPOINT_NOTE}{limit}, {chosen}")
}

/// The note of an annual row's null seasonal Mann-Kendall columns.
pub const ANNUAL_NO_SEASONS: &str = "smk: annual series (no seasons)";

/// The start of the note that says how the joinpoint fit chose ([`joinpoint_note`]).
const JOINPOINT_NOTE: &str = "joinpoint: up to ";

/// A row's notes for a summary that shows neither the seasonal nor the joinpoint columns
/// (the shares table, the report): without [`ANNUAL_NO_SEASONS`] and the joinpoint note.
pub fn summary_notes(notes: &str) -> String {
    notes
        .split("; ")
        .filter(|n| *n != ANNUAL_NO_SEASONS && !n.starts_with(JOINPOINT_NOTE))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Why a row is labelled [`TOO_SHORT`].
fn too_short_note(n: usize, alpha: Alpha, hamed_rao: bool) -> String {
    if hamed_rao {
        format!(
            "trend: too short, the Hamed-Rao test that labels it needs {CORRECTION_MIN_N} observations (n = {n})"
        )
    } else {
        format!(
            "trend: too short, with {n} observations the Mann-Kendall p cannot be below {} (smallest possible p {})",
            alpha.get(),
            crate::display::readable(mann_kendall_min_p(n).unwrap_or(1.0))
        )
    }
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
            !row.notes.split("; ").any(|n| n.starts_with("mk:")),
            "{}",
            row.notes
        );
    }
}
