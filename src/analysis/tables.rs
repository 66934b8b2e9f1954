//! The analysis tables as polars frames, one builder per table: trends, aggregates,
//! shares, share_series, route, route_ccf and claims. Pure: rows in, a frame out; where the
//! tables are written is the analyze stage's business (`pipeline::stage::analyze`).
//!
//! trends: grain one row per series x window; keys indicator, geo, drug, dimension,
//! category, freq, unit, window_start, window_end; units: slopes per year in the series'
//! unit, change/CAGR/APC/AAPC in percent, p-values 0..1; invariants: keys unique, n >= 0,
//! every null statistic explained in `notes`.
//!
//! aggregates: one row per aggregate series x period; keys geo, drug, indicator, dimension,
//! category, freq, unit, period.

use polars::prelude::*;

use super::aggregate::Aggregate;
use super::claims::ClaimRow;
use super::parallel::ParallelRow;
use super::regional::RegionalRow;
use super::route::{CcfRow, RouteRow};
use super::series::{Series, SeriesKey};
use super::share::{SharePoint, ShareResult};
use super::trend::TrendRow;
use crate::model::Reference;

/// The columns of the trends table, in order.
pub const TREND_COLUMNS: [&str; 55] = [
    "indicator",
    "geo",
    "geo_name",
    "drug",
    "dimension",
    "category",
    "freq",
    "unit",
    "window_start",
    "window_end",
    "n",
    "n_missing",
    "first_value",
    "last_value",
    "change_pct",
    "cagr_pct",
    "ols_slope",
    "ols_slope_lo",
    "ols_slope_hi",
    "ols_p",
    "ols_r2",
    "apc",
    "apc_lo",
    "apc_hi",
    "apc_p",
    "mk_s",
    "mk_var_s",
    "mk_z",
    "mk_p",
    "mk_tau",
    "mk_hr_p",
    "mk_yw_p",
    "mk_tfpw_p",
    "smk_s",
    "smk_var_s",
    "smk_z",
    "smk_p",
    "smk_slope",
    "sen_slope",
    "sen_lo",
    "sen_hi",
    "sen_intercept",
    "pettitt_k",
    "pettitt_period",
    "pettitt_p",
    "jp_k",
    "jp_periods",
    "jp_apcs",
    "jp_apc_lo",
    "jp_apc_hi",
    "aapc",
    "aapc_lo",
    "aapc_hi",
    "trend",
    "notes",
];

/// Builds a frame column by column from rows of any type.
pub struct FrameBuilder<'a, T> {
    rows: &'a [T],
    columns: Vec<Column>,
}

impl<'a, T> FrameBuilder<'a, T> {
    pub fn new(rows: &'a [T]) -> Self {
        FrameBuilder {
            rows,
            columns: Vec::new(),
        }
    }

    pub fn text(mut self, name: &str, f: impl Fn(&'a T) -> Option<&'a str>) -> Self {
        let values: Vec<Option<&str>> = self.rows.iter().map(f).collect();
        self.columns.push(Column::new(name.into(), values));
        self
    }

    /// A text column computed beforehand, one value per row.
    pub fn owned_text(mut self, name: &str, values: Vec<String>) -> Self {
        self.columns.push(Column::new(name.into(), values));
        self
    }

    pub fn num(mut self, name: &str, f: impl Fn(&T) -> Option<f64>) -> Self {
        let values: Vec<Option<f64>> = self.rows.iter().map(f).collect();
        self.columns.push(Column::new(name.into(), values));
        self
    }

    pub fn int(mut self, name: &str, f: impl Fn(&T) -> Option<i64>) -> Self {
        let values: Vec<Option<i64>> = self.rows.iter().map(f).collect();
        self.columns.push(Column::new(name.into(), values));
        self
    }

    pub fn count(mut self, name: &str, f: impl Fn(&T) -> u32) -> Self {
        let values: Vec<u32> = self.rows.iter().map(f).collect();
        self.columns.push(Column::new(name.into(), values));
        self
    }

    /// The series key's columns of each row: indicator, geo, geo_name (from `reference`),
    /// drug, dimension, category, freq, unit.
    pub fn series_key(self, key: impl Fn(&'a T) -> &'a SeriesKey, reference: &Reference) -> Self {
        let names = self
            .rows
            .iter()
            .map(|r| reference.geo_name(&key(r).geo))
            .collect();
        self.text("indicator", |r| Some(key(r).indicator.as_str()))
            .text("geo", |r| Some(key(r).geo.as_str()))
            .owned_text("geo_name", names)
            .text("drug", |r| key(r).drug.as_deref())
            .text("dimension", |r| key(r).dimension.as_deref())
            .text("category", |r| key(r).category.as_deref())
            .text("freq", |r| Some(key(r).freq.code()))
            .text("unit", |r| Some(key(r).unit.code()))
    }

    pub fn frame(self) -> PolarsResult<DataFrame> {
        DataFrame::new(self.rows.len(), self.columns)
    }
}

/// Builds the trends table from (series index, row) pairs.
pub fn trends_frame<'a>(
    series: &'a [Series],
    rows: &'a [(usize, TrendRow)],
    reference: &Reference,
) -> PolarsResult<DataFrame> {
    FrameBuilder::new(rows)
        .series_key(|(i, _)| &series[*i].key, reference)
        .text("window_start", |(_, r)| r.window_start.as_deref())
        .text("window_end", |(_, r)| r.window_end.as_deref())
        .count("n", |(_, r)| r.n)
        .count("n_missing", |(_, r)| r.n_missing)
        .num("first_value", |(_, r)| r.first_value)
        .num("last_value", |(_, r)| r.last_value)
        .num("change_pct", |(_, r)| r.change_pct)
        .num("cagr_pct", |(_, r)| r.cagr_pct)
        .num("ols_slope", |(_, r)| r.ols_slope)
        .num("ols_slope_lo", |(_, r)| r.ols_slope_lo)
        .num("ols_slope_hi", |(_, r)| r.ols_slope_hi)
        .num("ols_p", |(_, r)| r.ols_p)
        .num("ols_r2", |(_, r)| r.ols_r2)
        .num("apc", |(_, r)| r.apc)
        .num("apc_lo", |(_, r)| r.apc_lo)
        .num("apc_hi", |(_, r)| r.apc_hi)
        .num("apc_p", |(_, r)| r.apc_p)
        .int("mk_s", |(_, r)| r.mk_s)
        .num("mk_var_s", |(_, r)| r.mk_var_s)
        .num("mk_z", |(_, r)| r.mk_z)
        .num("mk_p", |(_, r)| r.mk_p)
        .num("mk_tau", |(_, r)| r.mk_tau)
        .num("mk_hr_p", |(_, r)| r.mk_hr_p)
        .num("mk_yw_p", |(_, r)| r.mk_yw_p)
        .num("mk_tfpw_p", |(_, r)| r.mk_tfpw_p)
        .int("smk_s", |(_, r)| r.smk_s)
        .num("smk_var_s", |(_, r)| r.smk_var_s)
        .num("smk_z", |(_, r)| r.smk_z)
        .num("smk_p", |(_, r)| r.smk_p)
        .num("smk_slope", |(_, r)| r.smk_slope)
        .num("sen_slope", |(_, r)| r.sen_slope)
        .num("sen_lo", |(_, r)| r.sen_lo)
        .num("sen_hi", |(_, r)| r.sen_hi)
        .num("sen_intercept", |(_, r)| r.sen_intercept)
        .int("pettitt_k", |(_, r)| r.pettitt_k)
        .text("pettitt_period", |(_, r)| r.pettitt_period.as_deref())
        .num("pettitt_p", |(_, r)| r.pettitt_p)
        .int("jp_k", |(_, r)| r.jp_k.map(i64::from))
        .text("jp_periods", |(_, r)| r.jp_periods.as_deref())
        .text("jp_apcs", |(_, r)| r.jp_apcs.as_deref())
        .text("jp_apc_lo", |(_, r)| r.jp_apc_lo.as_deref())
        .text("jp_apc_hi", |(_, r)| r.jp_apc_hi.as_deref())
        .num("aapc", |(_, r)| r.aapc)
        .num("aapc_lo", |(_, r)| r.aapc_lo)
        .num("aapc_hi", |(_, r)| r.aapc_hi)
        .text("trend", |(_, r)| r.trend.as_deref())
        .text("notes", |(_, r)| Some(r.notes.as_str()))
        .frame()
}

/// The parallel table.
pub fn parallel_frame(rows: &[ParallelRow]) -> PolarsResult<DataFrame> {
    FrameBuilder::new(rows)
        .text("id", |r| Some(r.id.as_str()))
        .text("indicator", |r| Some(r.indicator.as_str()))
        .text("unit", |r| Some(r.unit.as_str()))
        .text("a_geo", |r| Some(r.a_geo.as_str()))
        .text("a_drug", |r| r.a_drug.as_deref())
        .text("b_geo", |r| Some(r.b_geo.as_str()))
        .text("b_drug", |r| r.b_drug.as_deref())
        .text("window_start", |r| r.window_start.as_deref())
        .text("window_end", |r| r.window_end.as_deref())
        .count("n", |r| r.n)
        .int("k", |r| r.k.map(i64::from))
        .num("sse_separate", |r| r.sse_separate)
        .num("sse_parallel", |r| r.sse_parallel)
        .num("f", |r| r.f)
        .int("df1", |r| r.df1.map(i64::from))
        .int("df2", |r| r.df2.map(i64::from))
        .num("p", |r| r.p)
        .text("verdict", |r| r.verdict.as_deref())
        .text("notes", |r| Some(r.notes.as_str()))
        .frame()
}

/// The regional trends table.
pub fn regional_frame(
    aggregates: &[Aggregate],
    rows: &[RegionalRow],
    reference: &Reference,
) -> PolarsResult<DataFrame> {
    FrameBuilder::new(rows)
        .series_key(|r| &aggregates[r.aggregate].series.key, reference)
        .text("window_start", |r| r.window_start.as_deref())
        .text("window_end", |r| r.window_end.as_deref())
        .count("members", |r| r.members)
        .count("members_tested", |r| r.members_tested)
        .int("s", |r| r.s)
        .num("var_s", |r| r.var_s)
        .num("z", |r| r.z)
        .num("p", |r| r.p)
        .num("slope", |r| r.slope)
        .text("trend", |r| r.trend.as_deref())
        .count("cmk_periods", |r| r.cmk_periods)
        .int("cmk_s", |r| r.cmk_s)
        .num("cmk_var_s", |r| r.cmk_var_s)
        .num("cmk_z", |r| r.cmk_z)
        .num("cmk_p", |r| r.cmk_p)
        .text("cmk_trend", |r| r.cmk_trend.as_deref())
        .text("notes", |r| Some(r.notes.as_str()))
        .frame()
}

/// The aggregates table.
pub fn aggregates_frame(
    aggregates: &[Aggregate],
    reference: &Reference,
) -> PolarsResult<DataFrame> {
    let rows: Vec<(&Series, usize, &[String])> = aggregates
        .iter()
        .flat_map(|a| (0..a.series.periods.len()).map(move |i| (&a.series, i, a.notes.as_slice())))
        .collect();
    let periods: Vec<String> = rows
        .iter()
        .map(|(s, i, _)| s.periods[*i].to_string())
        .collect();
    let missing: Vec<String> = rows
        .iter()
        .map(|(s, i, _)| s.coverage[*i].missing.join(" "))
        .collect();
    let notes: Vec<String> = rows.iter().map(|(_, _, n)| n.join("; ")).collect();
    let indexed: Vec<usize> = (0..rows.len()).collect();
    FrameBuilder::new(&indexed)
        .series_key(|&j| &rows[j].0.key, reference)
        .text("period", |&j| Some(periods[j].as_str()))
        .num("x", |&j| Some(rows[j].0.periods[rows[j].1].x()))
        .num("value", |&j| Some(rows[j].0.values[rows[j].1]))
        .count("members_reporting", |&j| {
            rows[j].0.coverage[rows[j].1].reporting
        })
        .count("members_total", |&j| rows[j].0.coverage[rows[j].1].total)
        .text("missing_members", |&j| Some(missing[j].as_str()))
        .text("notes", |&j| Some(notes[j].as_str()))
        .frame()
}

pub fn shares_frame(shares: &[ShareResult]) -> PolarsResult<DataFrame> {
    let rows: Vec<_> = shares.iter().flat_map(|s| s.rows.iter()).collect();
    FrameBuilder::new(&rows)
        .text("share_id", |r| Some(r.share_id.as_str()))
        .text("title", |r| Some(r.title.as_str()))
        .text("unit", |r| Some(r.unit.code()))
        .text("period_1", |r| Some(r.period_1.as_str()))
        .text("period_2", |r| Some(r.period_2.as_str()))
        .num("part_1", |r| r.part_1)
        .num("whole_1", |r| r.whole_1)
        .num("share_1", |r| r.share_1)
        .num("part_2", |r| r.part_2)
        .num("whole_2", |r| r.whole_2)
        .num("share_2", |r| r.share_2)
        .num("change_pp", |r| r.change_pp)
        .num("change_rel_pct", |r| r.change_rel_pct)
        .num("z", |r| r.z)
        .num("z_p", |r| r.z_p)
        .text("window_start", |r| r.window_start.as_deref())
        .text("window_end", |r| r.window_end.as_deref())
        .count("n_periods", |r| r.n_periods)
        .num("ca_z", |r| r.ca_z)
        .num("ca_p", |r| r.ca_p)
        .text("trend", |r| r.trend.as_deref())
        .num("mk_p", |r| r.mk_p)
        .num("sen_slope_pp", |r| r.sen_slope_pp)
        .num("ols_slope_pp", |r| r.ols_slope_pp)
        .text("coverage", |r| Some(r.coverage.as_str()))
        .text("notes", |r| Some(r.notes.as_str()))
        .frame()
}

/// share_series: one row per share x period; coverage of part and whole as numbers
/// (`members_reporting` of `members_total`, a text "5/5" becomes a date in Excel) with the
/// missing members' codes.
pub fn share_series_frame(shares: &[ShareResult]) -> PolarsResult<DataFrame> {
    let rows: Vec<(&str, &SharePoint, String, String, String)> = shares
        .iter()
        .flat_map(|s| {
            s.points.iter().map(move |p| {
                let missing = |c: &Option<super::series::Coverage>| {
                    c.as_ref().map_or(String::new(), |c| c.missing.join(" "))
                };
                (
                    s.id.as_str(),
                    p,
                    p.period.to_string(),
                    missing(&p.part_coverage),
                    missing(&p.whole_coverage),
                )
            })
        })
        .collect();
    let reporting =
        |c: &Option<super::series::Coverage>| c.as_ref().map(|c| i64::from(c.reporting));
    let total = |c: &Option<super::series::Coverage>| c.as_ref().map(|c| i64::from(c.total));
    FrameBuilder::new(&rows)
        .text("share_id", |r| Some(r.0))
        .text("period", |r| Some(r.2.as_str()))
        .num("x", |r| Some(r.1.period.x()))
        .num("part", |r| Some(r.1.part))
        .num("whole", |r| Some(r.1.whole))
        .num("share", |r| Some(r.1.share))
        .int("part_members_reporting", |r| reporting(&r.1.part_coverage))
        .int("part_members_total", |r| total(&r.1.part_coverage))
        .text("part_missing_members", |r| Some(r.3.as_str()))
        .int("whole_members_reporting", |r| {
            reporting(&r.1.whole_coverage)
        })
        .int("whole_members_total", |r| total(&r.1.whole_coverage))
        .text("whole_missing_members", |r| Some(r.4.as_str()))
        .frame()
}

/// route: `geo_name` is a member's name, or the route and segment ("Northern Route: transit").
pub fn route_frame(rows: &[RouteRow], reference: &Reference) -> PolarsResult<DataFrame> {
    let periods: Vec<String> = rows.iter().map(|r| r.period.to_string()).collect();
    let indexed: Vec<usize> = (0..rows.len()).collect();
    FrameBuilder::new(&indexed)
        .text("route", |&i| Some(rows[i].route.as_str()))
        .text("drug", |&i| Some(rows[i].drug.as_str()))
        .text("indicator", |&i| Some(rows[i].indicator.as_str()))
        .text("geo", |&i| Some(rows[i].geo.as_str()))
        .owned_text(
            "geo_name",
            rows.iter()
                .map(|r| match reference.geo_name(&r.geo) {
                    name if name.is_empty() => {
                        reference.geo_name(&format!("route:{}:{}", r.route, r.geo))
                    }
                    name => name,
                })
                .collect(),
        )
        .text("period", |&i| Some(periods[i].as_str()))
        .num("x", |&i| Some(rows[i].period.x()))
        .num("value", |&i| Some(rows[i].value))
        .text("unit", |&i| Some(rows[i].unit.code()))
        .int("members_reporting", |&i| {
            rows[i].members_reporting.map(i64::from)
        })
        .int("members_total", |&i| rows[i].members_total.map(i64::from))
        .text("missing_members", |&i| {
            Some(rows[i].missing_members.as_str())
        })
        .frame()
}

pub fn ccf_frame(rows: &[CcfRow]) -> PolarsResult<DataFrame> {
    FrameBuilder::new(rows)
        .text("route", |r| Some(r.route.as_str()))
        .text("drug", |r| Some(r.drug.as_str()))
        .int("lag", |r| Some(r.lag))
        .num("r", |r| r.r)
        .num("band_95", |r| r.band)
        .text("significant", |r| {
            r.significant.map(|s| if s { "yes" } else { "no" })
        })
        .count("n", |r| r.n)
        .text("span", |r| Some(r.span.as_str()))
        .text("notes", |r| Some(r.notes.as_str()))
        .frame()
}

pub fn claims_frame(rows: &[ClaimRow]) -> PolarsResult<DataFrame> {
    FrameBuilder::new(rows)
        .text("id", |r| Some(r.id.as_str()))
        .text("statement", |r| Some(r.statement.as_str()))
        .text("stated", |r| Some(r.stated.as_str()))
        .text("computed", |r| Some(r.computed.as_str()))
        .text("coverage", |r| Some(r.coverage.as_str()))
        .text("verdict", |r| Some(r.verdict.code()))
        .text("why", |r| Some(r.why.as_str()))
        .frame()
}
