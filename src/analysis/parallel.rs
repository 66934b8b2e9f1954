//! The parallel table: for each `[[parallel]]` pair, whether two series' joinpoint trends
//! are parallel over a window (Kim et al. 2004, approximate F test; see
//! [`crate::stats::joinpoint_parallelism`]). Pure: series in, rows out.
//!
//! Grain: one row per declared pair; key `id`.

use super::series::{Series, Window};
use super::trend::TrendOptions;
use crate::stats::{joinpoint_parallelism, JoinpointOptions};

/// One row of the parallel table.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ParallelRow {
    pub id: String,
    pub a_geo: String,
    pub a_drug: Option<String>,
    pub b_geo: String,
    pub b_drug: Option<String>,
    pub indicator: String,
    pub unit: String,
    pub window_start: Option<String>,
    pub window_end: Option<String>,
    /// Periods where both series have a positive value.
    pub n: u32,
    pub k: Option<u32>,
    pub sse_separate: Option<f64>,
    pub sse_parallel: Option<f64>,
    pub f: Option<f64>,
    pub df1: Option<u32>,
    pub df2: Option<u32>,
    pub p: Option<f64>,
    /// "parallel" or "not parallel" at the pipeline's alpha.
    pub verdict: Option<String>,
    pub notes: String,
}

/// The parallelism test of `a` and `b` on the periods of `window` where both have a value.
pub fn parallel_row(
    id: &str,
    a: &Series,
    b: &Series,
    window: Window,
    options: &TrendOptions,
) -> ParallelRow {
    let mut x = Vec::new();
    let (mut ya, mut yb) = (Vec::new(), Vec::new());
    let mut periods = Vec::new();
    for (p, va) in a.periods.iter().zip(&a.values) {
        if !window.contains(p) {
            continue;
        }
        if let Some(i) = b.periods.iter().position(|q| q == p) {
            periods.push(*p);
            x.push(p.x());
            ya.push(*va);
            yb.push(b.values[i]);
        }
    }
    let (window_start, window_end) = window.bounds(&periods);
    let mut row = ParallelRow {
        id: id.to_string(),
        a_geo: a.key.geo.clone(),
        a_drug: a.key.drug.clone(),
        b_geo: b.key.geo.clone(),
        b_drug: b.key.drug.clone(),
        indicator: a.key.indicator.clone(),
        unit: a.key.unit.code().to_string(),
        window_start,
        window_end,
        n: x.len() as u32,
        ..ParallelRow::default()
    };
    if a.key.unit != b.key.unit {
        row.notes = format!(
            "the series have different units ({} and {})",
            a.key.unit.code(),
            b.key.unit.code()
        );
        return row;
    }
    let joinpoint = JoinpointOptions {
        max_joinpoints: options.joinpoint_limit.for_n(x.len()),
        alpha: options.alpha,
        ..options.joinpoint
    };
    match joinpoint_parallelism(&x, &ya, &yb, &joinpoint) {
        Ok(t) => {
            row.k = Some(t.k as u32);
            row.sse_separate = Some(t.sse_separate);
            row.sse_parallel = Some(t.sse_parallel);
            row.f = Some(t.f);
            row.df1 = Some(t.df1 as u32);
            row.df2 = Some(t.df2 as u32);
            row.p = Some(t.p);
            row.verdict = Some(
                if t.parallel {
                    "parallel"
                } else {
                    "not parallel"
                }
                .into(),
            );
            row.notes = format!(
                "approximate F test of Kim et al. (2004) with {} joinpoint(s), the larger of the two series' own choices",
                t.k
            );
        }
        Err(e) => row.notes = format!("parallelism: {e}"),
    }
    row
}
