//! The stages of a pipeline as functions from named input files to named output files:
//! `ingest` (input files -> data/), `analyze` (data/observations.parquet -> tables/).
//! The pipeline runner decides when each runs; the CLI's stand-alone commands call them too.

use std::path::Path;

use polars::prelude::*;

use super::config::AnalyzeParams;
use crate::analysis::aggregate::{aggregate, weighted_sum, Aggregate, CoveragePolicy, Selection};
use crate::analysis::claims::{check_claim, ClaimRow};
use crate::analysis::route::{
    heroin_opium_rows, route_rows, transit_destination_ccf, CcfRow, RouteRow, RouteSegments,
};
use crate::analysis::series::series_of;
use crate::analysis::share::{compute_share, ShareResult};
use crate::analysis::trend::{trend_rows, Series, Window};
use crate::ingest::write::provenance_keys;
use crate::ingest::IngestError;
use crate::report::tables::{trends_frame, write_table, FrameBuilder};

/// The files the analyze stage writes: each table as .csv, .parquet and .md.
pub const ANALYZE_OUTPUTS: [&str; 21] = [
    "tables/trends.csv",
    "tables/trends.parquet",
    "tables/trends.md",
    "tables/aggregates.csv",
    "tables/aggregates.parquet",
    "tables/aggregates.md",
    "tables/shares.csv",
    "tables/shares.parquet",
    "tables/shares.md",
    "tables/share_series.csv",
    "tables/share_series.parquet",
    "tables/share_series.md",
    "tables/route.csv",
    "tables/route.parquet",
    "tables/route.md",
    "tables/route_ccf.csv",
    "tables/route_ccf.parquet",
    "tables/route_ccf.md",
    "tables/claims.csv",
    "tables/claims.parquet",
    "tables/claims.md",
];

/// What the analyze stage produced.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct AnalyzeSummary {
    pub series: usize,
    pub aggregate_series: usize,
    pub trend_rows: usize,
    pub share_rows: usize,
    pub route_rows: usize,
    pub claims: usize,
}

/// Reads the observation table lazily.
pub fn scan_observations(path: &Path) -> Result<LazyFrame, IngestError> {
    if !path.is_file() {
        return Err(IngestError::Io {
            file: path.display().to_string(),
            message: "no such observation table (run the ingest stage first)".into(),
        });
    }
    LazyFrame::scan_parquet(
        PlRefPath::new(path.to_string_lossy().as_ref()),
        ScanArgsParquet::default(),
    )
    .map_err(|e| IngestError::Unreadable {
        file: path.display().to_string(),
        message: e.to_string(),
    })
}

/// The analyze stage: aggregates, trends (countries and aggregates), shares, route
/// indicators and claims into `tables_dir`.
pub fn analyze(
    observations: &Path,
    tables_dir: &Path,
    params: &AnalyzeParams,
) -> Result<AnalyzeSummary, IngestError> {
    let fail = |e: PolarsError| IngestError::Unreadable {
        file: observations.display().to_string(),
        message: e.to_string(),
    };
    let scan = scan_observations(observations)?.cache();
    let sum = |s: &Selection, policy: CoveragePolicy| -> Result<Vec<Aggregate>, IngestError> {
        aggregate(scan.clone(), s, policy, Window::default()).map_err(fail)
    };
    let mut series = series_of(scan.clone(), &params.filter).map_err(fail)?;
    let country_series = series.len();

    let mut aggregates = Vec::new();
    for a in &params.aggregates {
        aggregates.extend(sum(&a.selection, a.policy)?);
    }
    series.extend(aggregates.iter().map(|a| a.series.clone()));
    let rows = trend_rows(&series, &params.trends);
    let mut summary = AnalyzeSummary {
        series: country_series,
        aggregate_series: aggregates.len(),
        trend_rows: rows.len(),
        ..AnalyzeSummary::default()
    };
    let write =
        |name: &str, title: &str, frame: PolarsResult<DataFrame>| -> Result<(), IngestError> {
            write_table(
                &mut frame.map_err(fail)?,
                tables_dir,
                name,
                title,
                &provenance_keys(name),
            )
        };
    write(
        "trends",
        "Trends by series and window",
        trends_frame(&series, &rows),
    )?;
    write(
        "aggregates",
        "Aggregates with coverage",
        aggregates_frame(&aggregates),
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
    write("shares", "Share changes", shares_frame(&shares))?;
    write("share_series", "Share series", share_series_frame(&shares))?;

    let (mut route, mut ccf) = (Vec::new(), Vec::new());
    for r in &params.routes {
        let mut by_drug = Vec::new();
        for (label, drug) in &r.drugs {
            let segment =
                |geo: &str, members: &[String]| -> Result<Option<Aggregate>, IngestError> {
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
                        .find(|a| a.series.key.unit == "kg"))
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
                        drug: crate::analysis::aggregate::DrugSelection::Keys {
                            label: drug.clone(),
                            keys: vec![drug.clone()],
                        },
                        indicator: "seizures".into(),
                        dimension: None,
                        category: None,
                    };
                    if let Some(a) = sum(&s, r.policy)?
                        .into_iter()
                        .find(|a| a.series.key.unit == "kg")
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
    write("route", "Route indicators", route_frame(&route))?;
    write(
        "route_ccf",
        "Transit-destination cross-correlation (first differences)",
        ccf_frame(&ccf),
    )?;

    let fetch = |s: &Selection| -> Result<Option<Aggregate>, String> {
        aggregate(scan.clone(), s, CoveragePolicy::Flag, Window::default())
            .map(|a| a.into_iter().next())
            .map_err(|e| e.to_string())
    };
    let claims: Vec<ClaimRow> = params
        .claims
        .iter()
        .map(|c| check_claim(c, &fetch, &shares, &params.trends))
        .collect();
    summary.claims = claims.len();
    write(
        "claims",
        "Claims checked against the data",
        claims_frame(&claims),
    )?;
    Ok(summary)
}

/// aggregates: one row per aggregate series x period; keys geo, drug, indicator, dimension,
/// category, freq, unit, period.
fn aggregates_frame(aggregates: &[Aggregate]) -> PolarsResult<DataFrame> {
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
        .text("indicator", |&j| Some(rows[j].0.key.indicator.as_str()))
        .text("geo", |&j| Some(rows[j].0.key.geo.as_str()))
        .text("drug", |&j| rows[j].0.key.drug.as_deref())
        .text("dimension", |&j| rows[j].0.key.dimension.as_deref())
        .text("category", |&j| rows[j].0.key.category.as_deref())
        .text("freq", |&j| Some(rows[j].0.key.freq.as_str()))
        .text("unit", |&j| Some(rows[j].0.key.unit.as_str()))
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

fn shares_frame(shares: &[ShareResult]) -> PolarsResult<DataFrame> {
    let rows: Vec<_> = shares.iter().flat_map(|s| s.rows.iter()).collect();
    FrameBuilder::new(&rows)
        .text("share_id", |r| Some(r.share_id.as_str()))
        .text("title", |r| Some(r.title.as_str()))
        .text("unit", |r| Some(r.unit.as_str()))
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

fn share_series_frame(shares: &[ShareResult]) -> PolarsResult<DataFrame> {
    let rows: Vec<(
        &str,
        &crate::analysis::share::SharePoint,
        String,
        String,
        String,
    )> = shares
        .iter()
        .flat_map(|s| {
            s.points.iter().map(move |p| {
                let text = |c: &Option<crate::analysis::aggregate::Coverage>| {
                    c.as_ref().map_or(String::new(), |c| c.text())
                };
                (
                    s.id.as_str(),
                    p,
                    p.period.to_string(),
                    text(&p.part_coverage),
                    text(&p.whole_coverage),
                )
            })
        })
        .collect();
    FrameBuilder::new(&rows)
        .text("share_id", |r| Some(r.0))
        .text("period", |r| Some(r.2.as_str()))
        .num("x", |r| Some(r.1.period.x()))
        .num("part", |r| Some(r.1.part))
        .num("whole", |r| Some(r.1.whole))
        .num("share", |r| Some(r.1.share))
        .text("part_coverage", |r| Some(r.3.as_str()))
        .text("whole_coverage", |r| Some(r.4.as_str()))
        .frame()
}

fn route_frame(rows: &[RouteRow]) -> PolarsResult<DataFrame> {
    let periods: Vec<String> = rows.iter().map(|r| r.period.to_string()).collect();
    let indexed: Vec<usize> = (0..rows.len()).collect();
    FrameBuilder::new(&indexed)
        .text("route", |&i| Some(rows[i].route.as_str()))
        .text("drug", |&i| Some(rows[i].drug.as_str()))
        .text("indicator", |&i| Some(rows[i].indicator.as_str()))
        .text("geo", |&i| Some(rows[i].geo.as_str()))
        .text("period", |&i| Some(periods[i].as_str()))
        .num("x", |&i| Some(rows[i].period.x()))
        .num("value", |&i| Some(rows[i].value))
        .text("unit", |&i| Some(rows[i].unit.as_str()))
        .int("members_reporting", |&i| {
            rows[i].members_reporting.map(i64::from)
        })
        .int("members_total", |&i| rows[i].members_total.map(i64::from))
        .text("missing_members", |&i| {
            Some(rows[i].missing_members.as_str())
        })
        .frame()
}

fn ccf_frame(rows: &[CcfRow]) -> PolarsResult<DataFrame> {
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

fn claims_frame(rows: &[ClaimRow]) -> PolarsResult<DataFrame> {
    FrameBuilder::new(rows)
        .text("id", |r| Some(r.id.as_str()))
        .text("statement", |r| Some(r.statement.as_str()))
        .text("stated", |r| Some(r.stated.as_str()))
        .text("computed", |r| Some(r.computed.as_str()))
        .text("coverage", |r| Some(r.coverage.as_str()))
        .text("verdict", |r| Some(r.verdict.as_str()))
        .text("why", |r| Some(r.why.as_str()))
        .frame()
}
