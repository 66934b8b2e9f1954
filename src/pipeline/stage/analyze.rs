//! The analyze stage: `data/observations.parquet` -> the analysis tables (trends,
//! aggregates, shares, share_series, route, route_ccf, claims; each as CSV, Parquet and
//! Markdown) and `tables/figure_series.parquet`, the series every declared figure draws.
//! Everything a figure shows is computed here, once: the plot stage only draws it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::{produced, reference_inputs, Context, Definition, Rows};
use crate::analysis::aggregate::{
    aggregate, weighted_sum, Aggregate, CoveragePolicy, DrugSelection, Selection,
};
use crate::analysis::claims::{check_claim, ClaimRow};
use crate::analysis::figure::{self, Computed, Drawn};
use crate::analysis::parallel::{parallel_row, ParallelRow};
use crate::analysis::regional::regional_rows;
use crate::analysis::route::{
    heroin_opium_rows, route_rows, transit_destination_ccf, RouteSegments,
};
use crate::analysis::series::{series_of, Series, Window};
use crate::analysis::share::{compute_share, ShareResult};
use crate::analysis::tables::{
    aggregates_frame, ccf_frame, claims_frame, parallel_frame, regional_frame, route_frame,
    share_series_frame, shares_frame, trends_frame, FrameBuilder,
};
use crate::analysis::trend::{trend_row, trend_rows, TrendOptions, TrendRow};
use crate::error::{Error, Result};
use crate::files::{provenance_keys, scan_parquet, write_parquet, write_table};
use crate::model::{Reference, Unit};
use crate::pipeline::catalog::{self, Table};
use crate::pipeline::config::{AnalyzeParams, Pipeline};
use crate::report::figure::FigureSpec;

pub struct Analyze;

impl Definition for Analyze {
    /// What figures draw is a parameter too (analyze computes their series), not how they
    /// look.
    fn params(&self) -> &'static [&'static str] {
        &[
            "analyze",
            "regions",
            "aggregates",
            "shares",
            "routes",
            "claims",
            "parallel",
            "figures[slug,series,window,trend,change_point]",
        ]
    }

    fn inputs(&self, pipeline: &Pipeline, dir: &Path) -> Vec<(String, PathBuf)> {
        let mut files = vec![produced(dir, catalog::observations())];
        files.extend(reference_inputs(pipeline));
        files
    }

    fn outputs(&self, pipeline: &Pipeline) -> Vec<String> {
        let mut files: Vec<String> = Table::ALL
            .iter()
            .flat_map(|t| catalog::TABLE_FORMATS.map(|f| t.path(f)))
            .collect();
        if !pipeline.figures.is_empty() {
            files.push(catalog::figure_series());
        }
        files
    }

    fn run(&self, cx: &mut Context) -> Result<Rows> {
        let summary = analyze(
            &cx.dir.join(catalog::observations()),
            &catalog::tables_dir(cx.dir),
            &cx.pipeline.analyze,
            &cx.pipeline.figures,
            &cx.pipeline.reference,
        )?;
        Ok(Rows::from([
            ("series".into(), summary.series as u64),
            ("aggregate_series".into(), summary.aggregate_series as u64),
            ("trend_rows".into(), summary.trend_rows as u64),
            ("figure_trend_rows".into(), summary.figure_trend_rows as u64),
            ("share_rows".into(), summary.share_rows as u64),
            ("route_rows".into(), summary.route_rows as u64),
            ("claims".into(), summary.claims as u64),
        ]))
    }
}

/// What the analyze stage produced.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct AnalyzeSummary {
    pub series: usize,
    pub aggregate_series: usize,
    pub trend_rows: usize,
    pub share_rows: usize,
    pub route_rows: usize,
    pub claims: usize,
    /// Trend rows added for figures' series and windows that no other row covers.
    pub figure_trend_rows: usize,
}

/// The analyze stage: aggregates, trends (countries and aggregates), shares, route
/// indicators and claims into `tables_dir`.
pub fn analyze(
    observations: &Path,
    tables_dir: &Path,
    params: &AnalyzeParams,
    figures: &[FigureSpec],
    reference: &Reference,
) -> Result<AnalyzeSummary> {
    let reading = format!("reading {}", observations.display());
    let fail = |e: PolarsError| Error::Compute {
        context: reading.clone(),
        source: e,
    };
    let scan = scan_parquet(
        observations,
        "no such observation table (run the ingest stage first)",
    )?
    .cache();
    let sum = |s: &Selection, policy: CoveragePolicy| -> Result<Vec<Aggregate>> {
        aggregate(scan.clone(), s, policy, Window::default()).map_err(fail)
    };
    let mut series = series_of(scan.clone(), &params.filter).map_err(fail)?;
    let country_series = series.len();

    let mut aggregates = Vec::new();
    for a in &params.aggregates {
        aggregates.extend(sum(&a.selection, a.policy)?);
    }
    series.extend(aggregates.iter().map(|a| a.series.clone()));
    let mut rows = trend_rows(&series, &params.trends);
    let mut summary = AnalyzeSummary {
        series: country_series,
        aggregate_series: aggregates.len(),
        ..AnalyzeSummary::default()
    };
    let building = |table: Table| {
        let context = format!("building the {} table", table.name());
        move |e: PolarsError| Error::Compute { context, source: e }
    };
    let write = |table: Table, frame: PolarsResult<DataFrame>| -> Result<()> {
        let path = |format: &str| tables_dir.join(table.file_name(format));
        write_table(
            &mut frame.map_err(building(table))?,
            &path("csv"),
            &path("parquet"),
            &path("md"),
            table.title(),
            &provenance_keys(table.name()),
        )
    };
    write(Table::Aggregates, aggregates_frame(&aggregates, reference))?;
    let mut parallel = Vec::new();
    for p in &params.parallel {
        let (a, b) = (
            sum(&p.a, CoveragePolicy::Flag)?,
            sum(&p.b, CoveragePolicy::Flag)?,
        );
        match (a.first(), b.first()) {
            (Some(a), Some(b)) => parallel.push(parallel_row(
                &p.id,
                &a.series,
                &b.series,
                p.window,
                &params.trends,
            )),
            _ => parallel.push(ParallelRow {
                id: p.id.clone(),
                notes: "no observations for one of the two series".into(),
                ..ParallelRow::default()
            }),
        }
    }
    write(Table::Parallel, parallel_frame(&parallel))?;
    let regional = regional_rows(&aggregates, &params.trends);
    write(
        Table::RegionalTrends,
        regional_frame(&aggregates, &regional, reference),
    )?;

    let mut shares = Vec::new();
    for s in &params.shares {
        let (part, whole) = (sum(&s.part, s.policy)?, sum(&s.whole, s.policy)?);
        match (part.first(), whole.first()) {
            (Some(p), Some(w)) => shares.push(compute_share(&s.def, p, w, &params.trends)),
            _ => shares.push(ShareResult {
                id: s.def.id.clone(),
                points: Vec::new(),
                rows: Vec::new(),
            }),
        }
    }
    summary.share_rows = shares.iter().map(|s| s.rows.len()).sum();
    write(Table::Shares, shares_frame(&shares))?;
    write(Table::ShareSeries, share_series_frame(&shares))?;

    let (mut route, mut ccf) = (Vec::new(), Vec::new());
    for r in &params.routes {
        let mut by_drug = Vec::new();
        for (label, drug) in &r.drugs {
            let segment = |geo: &str, members: &[String]| -> Result<Option<Aggregate>> {
                let s = Selection {
                    geo: format!("{}:{geo}", r.id),
                    members: members.to_vec(),
                    drug: drug.clone(),
                    indicator: "seizures".into(),
                    dimension: None,
                    category: None,
                };
                Ok(sum(&s, r.policy)?
                    .into_iter()
                    .find(|a| a.series.key.unit == Unit::Kg))
            };
            let (o, t, d) = (
                segment("origin", &r.origin)?,
                segment("transit", &r.transit)?,
                segment("destination", &r.destination)?,
            );
            route.extend(route_rows(&RouteSegments {
                route: &r.id,
                drug: label,
                origin: o.as_ref(),
                transit: t.as_ref(),
                destination: d.as_ref(),
            }));
            if let (Some(t), Some(d)) = (&t, &d) {
                ccf.extend(transit_destination_ccf(&r.id, label, t, d, r.max_lag));
            }
            by_drug.push((label.clone(), [o, t, d]));
        }
        if !r.heroin_equivalent.is_empty() {
            let mut segments: [Option<Aggregate>; 3] = [None, None, None];
            for (i, (geo, members)) in [
                ("origin", &r.origin),
                ("transit", &r.transit),
                ("destination", &r.destination),
            ]
            .into_iter()
            .enumerate()
            {
                let mut parts = Vec::new();
                for (drug, factor) in &r.heroin_equivalent {
                    let s = Selection {
                        geo: format!("{}:{geo}", r.id),
                        members: members.clone(),
                        drug: DrugSelection::Keys {
                            label: drug.clone(),
                            keys: vec![drug.clone()],
                        },
                        indicator: "seizures".into(),
                        dimension: None,
                        category: None,
                    };
                    if let Some(a) = sum(&s, r.policy)?
                        .into_iter()
                        .find(|a| a.series.key.unit == Unit::Kg)
                    {
                        parts.push((*factor, a));
                    }
                }
                let refs: Vec<(f64, &Aggregate)> = parts.iter().map(|(f, a)| (*f, a)).collect();
                segments[i] = weighted_sum(&refs, "heroin_equivalent");
            }
            let [o, t, d] = &segments;
            route.extend(route_rows(&RouteSegments {
                route: &r.id,
                drug: "heroin_equivalent",
                origin: o.as_ref(),
                transit: t.as_ref(),
                destination: d.as_ref(),
            }));
            if let (Some(t), Some(d)) = (t, d) {
                ccf.extend(transit_destination_ccf(
                    &r.id,
                    "heroin_equivalent",
                    t,
                    d,
                    r.max_lag,
                ));
            }
        }
        let find = |k: &str| by_drug.iter().find(|(l, _)| l == k).map(|(_, s)| s);
        if let (Some(heroin), Some(opium)) = (find("heroin"), find("opium")) {
            for (i, segment) in ["origin", "transit", "destination"].iter().enumerate() {
                if let (Some(h), Some(o)) = (&heroin[i], &opium[i]) {
                    route.extend(heroin_opium_rows(&r.id, segment, h, o));
                }
            }
        }
    }
    summary.route_rows = route.len();
    write(Table::Route, route_frame(&route, reference))?;
    write(Table::RouteCcf, ccf_frame(&ccf))?;

    // Each claim's series, summed before the claims are checked, so that a failure is an
    // error of the run and never a claim's verdict.
    let mut claimed: Vec<(&Selection, Option<Aggregate>)> = Vec::new();
    for selection in params.claims.iter().flat_map(|c| c.check.selections()) {
        let first = sum(selection, CoveragePolicy::Flag)?.into_iter().next();
        claimed.push((selection, first));
    }
    let fetch = |s: &Selection| -> Result<Option<Aggregate>, String> {
        Ok(claimed
            .iter()
            .find(|(c, _)| std::ptr::eq(*c, s))
            .and_then(|(_, a)| a.clone()))
    };
    let claims: Vec<ClaimRow> = params
        .claims
        .iter()
        .map(|c| check_claim(c, &fetch, &shares, &params.trends))
        .collect();
    summary.claims = claims.len();
    write(Table::Claims, claims_frame(&claims))?;

    // What each share and route sums, for the lineage of the figures that draw them.
    let mut lineage: BTreeMap<String, Vec<Selection>> = BTreeMap::new();
    for s in &params.shares {
        lineage.insert(
            format!("share:{}", s.def.id),
            vec![s.part.clone(), s.whole.clone()],
        );
    }
    for r in &params.routes {
        let members: Vec<String> = [&r.origin, &r.transit, &r.destination]
            .into_iter()
            .flatten()
            .cloned()
            .collect();
        let drugs = r
            .drugs
            .iter()
            .map(|(_, d)| d.clone())
            .chain(
                r.heroin_equivalent
                    .iter()
                    .map(|(drug, _)| DrugSelection::Keys {
                        label: drug.clone(),
                        keys: vec![drug.clone()],
                    }),
            );
        let selections = drugs
            .map(|drug| Selection {
                geo: r.id.clone(),
                members: members.clone(),
                drug,
                indicator: "seizures".into(),
                dimension: None,
                category: None,
            })
            .collect();
        lineage.insert(format!("route:{}", r.id), selections);
    }
    let computed = Computed {
        observations: scan.clone(),
        series: &series,
        shares: &shares,
        route: &route,
        lineage: &lineage,
    };
    let mut drawn = Vec::with_capacity(figures.len());
    for figure in figures {
        let mut series = Vec::with_capacity(figure.series.len());
        for s in &figure.series {
            series.push(figure::drawn(s, &computed).map_err(fail)?);
        }
        drawn.push(series);
    }
    let figure_rows = figure_trend_rows(figures, &drawn, &mut series, &mut rows, &params.trends);
    summary.figure_trend_rows = figure_rows;
    summary.trend_rows = rows.len();
    write(Table::Trends, trends_frame(&series, &rows, reference))?;
    if figures.is_empty() {
        return Ok(summary);
    }
    let path = tables_dir.join(catalog::FIGURE_SERIES_FILE);
    let mut frame = figure_series_frame(figures, &drawn)
        .map_err(Error::compute(format!("building {}", path.display())))?;
    write_parquet(&mut frame, &path, &provenance_keys("figure_series"))?;
    Ok(summary)
}

/// Adds to the trends table the row of every series whose statistics a figure shows (its
/// trend line, change point or alt text) over the figure's window, unless the table already
/// has it; returns how many were added. A figure's series that is not in the table yet is
/// added to `series`.
fn figure_trend_rows(
    figures: &[FigureSpec],
    drawn: &[Vec<Drawn>],
    series: &mut Vec<Series>,
    rows: &mut Vec<(usize, TrendRow)>,
    options: &TrendOptions,
) -> usize {
    let before = rows.len();
    for (figure, drawn) in figures.iter().zip(drawn) {
        for i in figure.stats_series() {
            let Some(s) = drawn.get(i).and_then(|d| d.series.as_ref()) else {
                continue;
            };
            let bounds = figure.window.bounds(&s.within(figure.window).periods);
            let index = match series.iter().position(|t| t.key == s.key) {
                Some(j) => j,
                None => {
                    series.push(s.clone());
                    series.len() - 1
                }
            };
            let present = rows.iter().any(|(j, r)| {
                *j == index && (r.window_start.clone(), r.window_end.clone()) == bounds
            });
            if !present {
                rows.push((index, trend_row(&series[index], figure.window, options)));
            }
        }
    }
    rows.len() - before
}

/// The series every figure draws, inside its window: one row per figure, series and
/// period, with the series' key (to find its trends row) and each period's coverage.
fn figure_series_frame(figures: &[FigureSpec], drawn: &[Vec<Drawn>]) -> PolarsResult<DataFrame> {
    struct Point<'a> {
        figure: &'a str,
        index: u32,
        label: &'a str,
        kind: &'static str,
        series: Series,
        at: usize,
        source_files: String,
    }
    let mut points = Vec::new();
    for (figure, drawn) in figures.iter().zip(drawn) {
        for (i, (declared, d)) in figure.series.iter().zip(drawn).enumerate() {
            let Some(s) = &d.series else { continue };
            let inside = s.within(figure.window);
            for at in 0..inside.periods.len() {
                points.push(Point {
                    figure: &figure.slug,
                    index: i as u32,
                    label: &declared.label,
                    kind: d.kind.code(),
                    series: inside.clone(),
                    at,
                    source_files: d.source_files.join(";"),
                });
            }
        }
    }
    let periods: Vec<String> = points
        .iter()
        .map(|p| p.series.periods[p.at].to_string())
        .collect();
    let missing: Vec<String> = points
        .iter()
        .map(|p| {
            p.series
                .coverage
                .get(p.at)
                .map_or(String::new(), |c| c.missing.join(" "))
        })
        .collect();
    let indexed: Vec<usize> = (0..points.len()).collect();
    let key = |j: usize| &points[j].series.key;
    let coverage = |j: usize| points[j].series.coverage.get(points[j].at);
    FrameBuilder::new(&indexed)
        .text("figure", |&j| Some(points[j].figure))
        .count("series", |&j| points[j].index)
        .text("label", |&j| Some(points[j].label))
        .text("source", |&j| Some(points[j].kind))
        .text("indicator", |&j| Some(key(j).indicator.as_str()))
        .text("geo", |&j| Some(key(j).geo.as_str()))
        .text("drug", |&j| key(j).drug.as_deref())
        .text("dimension", |&j| key(j).dimension.as_deref())
        .text("category", |&j| key(j).category.as_deref())
        .text("freq", |&j| Some(key(j).freq.code()))
        .text("unit", |&j| Some(key(j).unit.code()))
        .text("period", |&j| Some(periods[j].as_str()))
        .num("x", |&j| Some(points[j].series.periods[points[j].at].x()))
        .num("value", |&j| Some(points[j].series.values[points[j].at]))
        .int("members_reporting", |&j| {
            coverage(j).map(|c| i64::from(c.reporting))
        })
        .int("members_total", |&j| {
            coverage(j).map(|c| i64::from(c.total))
        })
        .text("missing_members", |&j| Some(missing[j].as_str()))
        .text("source_files", |&j| Some(points[j].source_files.as_str()))
        .frame()
}
