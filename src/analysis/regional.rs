//! The regional trends table: for every aggregate and window, whether its members trend
//! together, by the regional Kendall test on the members' own series (Helsel & Frans 2006)
//! and by its covariance-corrected form on the periods where every member reports
//! (Libiseller & Grimvall 2002). A falling regional total can be one member stopping; the
//! regional test asks the members one by one. Pure: aggregates in, rows out.
//!
//! Grain: one row per (aggregate series, window); keys: the aggregate's series columns plus
//! `window_start`, `window_end`.

use super::aggregate::Aggregate;
use super::series::Window;
use super::trend::{trend_label, TrendOptions};
use crate::stats::{correlated_regional_kendall, regional_kendall, Unavailable};

/// One row of the regional trends table.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RegionalRow {
    /// Index of the aggregate the row tests.
    pub aggregate: usize,
    pub window_start: Option<String>,
    pub window_end: Option<String>,
    /// Members of the aggregate, and those with 2 or more values in the window.
    pub members: u32,
    pub members_tested: u32,
    pub s: Option<i64>,
    pub var_s: Option<f64>,
    pub z: Option<f64>,
    pub p: Option<f64>,
    /// Median of the members' within-series pairwise slopes, per year.
    pub slope: Option<f64>,
    pub trend: Option<String>,
    /// The covariance-corrected test: periods where every member reports, S, Var(S), Z, p.
    pub cmk_periods: u32,
    pub cmk_s: Option<i64>,
    pub cmk_var_s: Option<f64>,
    pub cmk_z: Option<f64>,
    pub cmk_p: Option<f64>,
    pub cmk_trend: Option<String>,
    pub notes: String,
}

/// The regional tests of one aggregate over one window.
pub fn regional_row(
    index: usize,
    aggregate: &Aggregate,
    window: Window,
    options: &TrendOptions,
) -> RegionalRow {
    let series = &aggregate.series;
    let inside: Vec<usize> = (0..series.periods.len())
        .filter(|&i| window.contains(&series.periods[i]))
        .collect();
    let periods: Vec<_> = inside.iter().map(|&i| series.periods[i]).collect();
    let (window_start, window_end) = window.bounds(&periods);
    let members = &aggregate.members;
    let mut row = RegionalRow {
        aggregate: index,
        window_start,
        window_end,
        members: members.len() as u32,
        ..RegionalRow::default()
    };
    let mut notes = Vec::new();
    // Each member's series in the window: (x, value) where it reports.
    let by_member: Vec<(Vec<f64>, Vec<f64>)> = members
        .iter()
        .map(|m| {
            inside
                .iter()
                .filter_map(|&i| {
                    let value = aggregate.by_member.get(i)?.get(m)?;
                    Some((series.periods[i].x(), *value))
                })
                .unzip()
        })
        .collect();
    row.members_tested = by_member.iter().filter(|(x, _)| x.len() >= 2).count() as u32;
    if row.members_tested < row.members {
        let short: Vec<&str> = members
            .iter()
            .zip(&by_member)
            .filter(|(_, (x, _))| x.len() < 2)
            .map(|(m, _)| m.as_str())
            .collect();
        notes.push(format!(
            "not tested (fewer than 2 values in the window): {}",
            short.join(" ")
        ));
    }
    let blocks: Vec<(&[f64], &[f64])> = by_member
        .iter()
        .map(|(x, y)| (x.as_slice(), y.as_slice()))
        .collect();
    match regional_kendall(&blocks, options.alpha) {
        Ok(r) => {
            row.s = Some(r.s);
            row.var_s = Some(r.var_s);
            row.z = Some(r.z);
            row.p = Some(r.p);
            row.slope = Some(r.slope);
            row.trend = Some(trend_label(r.trend).to_string());
        }
        Err(e) => notes.push(format!("regional: {e}")),
    }
    // Complete rows: the periods where every member reports.
    let complete: Vec<Vec<f64>> = inside
        .iter()
        .filter_map(|&i| {
            let values = aggregate.by_member.get(i)?;
            members.iter().map(|m| values.get(m).copied()).collect()
        })
        .collect();
    row.cmk_periods = complete.len() as u32;
    match correlated_regional_kendall(&complete, options.alpha) {
        Ok(c) => {
            row.cmk_s = Some(c.s);
            row.cmk_var_s = Some(c.var_s);
            row.cmk_z = Some(c.z);
            row.cmk_p = Some(c.p);
            row.cmk_trend = Some(trend_label(c.trend).to_string());
        }
        Err(Unavailable::TooFewObservations { .. }) => notes.push(format!(
            "cmk: fewer than 3 periods in which every member reports ({})",
            complete.len()
        )),
        Err(e) => notes.push(format!("cmk: {e}")),
    }
    row.notes = notes.join("; ");
    row
}

/// Every aggregate over every window; two windows with the same bounds give one row.
pub fn regional_rows(aggregates: &[Aggregate], options: &TrendOptions) -> Vec<RegionalRow> {
    let mut rows: Vec<RegionalRow> = Vec::new();
    for (i, a) in aggregates.iter().enumerate() {
        let first = rows.len();
        for w in &options.windows {
            let row = regional_row(i, a, *w, options);
            let repeated = rows[first..]
                .iter()
                .any(|r| (&r.window_start, &r.window_end) == (&row.window_start, &row.window_end));
            if !repeated {
                rows.push(row);
            }
        }
    }
    rows
}
