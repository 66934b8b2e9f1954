//! The report stage: the run's tables, its figures' sidecars and SVGs, the rejects and the
//! observation table's provenance -> `report.md` and `report.html`. This file reads them
//! into the typed [`ReportInput`]; `report::document` writes the documents from it.

use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::{floats, ints, produced, texts, Context, Definition, Rows};
use crate::analysis::claims::{ClaimRow, Verdict};
use crate::error::{Error, Result};
use crate::files::{key_value_metadata, read_parquet, scan_parquet, write_text};
use crate::pipeline::catalog::{self, FigureFile, Table};
use crate::pipeline::config::Pipeline;
use crate::report::document::{
    render, CoverageRecord, Provenance, PublishedFigure, ReportInput, RouteRecord, ShareRecord,
    TrendRecord,
};
use crate::report::figure::FigureSidecar;

pub struct Report;

/// The tables the report reads.
const TABLES: [Table; 4] = [Table::Trends, Table::Shares, Table::Route, Table::Claims];

impl Definition for Report {
    fn params(&self) -> &'static [&'static str] {
        &["report", "figures", "name", "description"]
    }

    fn inputs(&self, pipeline: &Pipeline, dir: &Path) -> Vec<(String, PathBuf)> {
        let mut files = vec![
            produced(dir, catalog::observations()),
            produced(dir, catalog::rejects()),
        ];
        files.extend(TABLES.iter().map(|t| produced(dir, t.parquet())));
        files.extend(pipeline.figures.iter().flat_map(|f| {
            [FigureFile::Svg, FigureFile::Json].map(|file| produced(dir, file.path(&f.slug)))
        }));
        files
    }

    fn outputs(&self, _pipeline: &Pipeline) -> Vec<String> {
        vec![catalog::REPORT_MD.into(), catalog::REPORT_HTML.into()]
    }

    fn run(&self, cx: &mut Context) -> Result<Rows> {
        let input = read_input(cx)?;
        let (md, html) = render(&input);
        write_text(&cx.dir.join(catalog::REPORT_MD), &md)?;
        write_text(&cx.dir.join(catalog::REPORT_HTML), &html)?;
        Ok(Rows::from([("figures".into(), input.figures.len() as u64)]))
    }
}

const MISSING: &str = "missing (run the stages before report first)";

fn read_input(cx: &Context) -> Result<ReportInput> {
    let dir = cx.dir;
    let table = |t: Table| read_parquet(&dir.join(t.parquet()), MISSING);
    let observations_path = dir.join(catalog::observations());
    let reading = |path: &Path| Error::compute(format!("reading {}", path.display()));
    let trends_path = dir.join(Table::Trends.parquet());
    let mut figures = Vec::new();
    for f in &cx.pipeline.figures {
        let json_path = dir.join(FigureFile::Json.path(&f.slug));
        let json =
            std::fs::read_to_string(&json_path).map_err(|e| Error::reading(&json_path, e))?;
        let sidecar: FigureSidecar =
            serde_json::from_str(&json).map_err(|e| Error::reading(&json_path, e))?;
        let svg_path = dir.join(FigureFile::Svg.path(&f.slug));
        let svg = std::fs::read_to_string(&svg_path).map_err(|e| Error::reading(&svg_path, e))?;
        figures.push(PublishedFigure { sidecar, svg });
    }
    let rejects_path = dir.join(catalog::rejects());
    let rejected = std::fs::read_to_string(&rejects_path)
        .map(|t| t.lines().count().saturating_sub(1))
        .map_err(|e| Error::reading(&rejects_path, e))?;
    let shares_path = dir.join(Table::Shares.parquet());
    let route_path = dir.join(Table::Route.parquet());
    let claims_path = dir.join(Table::Claims.parquet());
    Ok(ReportInput {
        title: cx.pipeline.report.title.clone(),
        description: cx.pipeline.description.clone(),
        pipeline: cx.pipeline.name.clone(),
        run_id: cx.run_id.to_string(),
        as_of: cx.as_of.map(|p| p.to_string()),
        trends: trends(&table(Table::Trends)?).map_err(reading(&trends_path))?,
        shares: shares(&table(Table::Shares)?).map_err(reading(&shares_path))?,
        route: route(&table(Table::Route)?).map_err(reading(&route_path))?,
        claims: claims(&table(Table::Claims)?).map_err(reading(&claims_path))?,
        coverage: coverage(&observations_path)?,
        figures,
        provenance: Provenance {
            rejected,
            ..provenance(&observations_path)?
        },
    })
}

fn text(frame: &DataFrame, name: &str) -> PolarsResult<Vec<String>> {
    Ok(texts(frame, name)?
        .into_iter()
        .map(Option::unwrap_or_default)
        .collect())
}

fn trends(frame: &DataFrame) -> PolarsResult<Vec<TrendRecord>> {
    let (indicator, geo, geo_name, unit, notes) = (
        text(frame, "indicator")?,
        text(frame, "geo")?,
        text(frame, "geo_name")?,
        text(frame, "unit")?,
        text(frame, "notes")?,
    );
    let (drug, category, start, end, trend) = (
        texts(frame, "drug")?,
        texts(frame, "category")?,
        texts(frame, "window_start")?,
        texts(frame, "window_end")?,
        texts(frame, "trend")?,
    );
    let (mk_p, sen, apc) = (
        floats(frame, "mk_p")?,
        floats(frame, "sen_slope")?,
        floats(frame, "apc")?,
    );
    let n = ints(frame, "n")?;
    Ok((0..frame.height())
        .map(|i| TrendRecord {
            indicator: indicator[i].clone(),
            geo: geo[i].clone(),
            geo_name: geo_name[i].clone(),
            drug: drug[i].clone(),
            category: category[i].clone(),
            unit: unit[i].clone(),
            window_start: start[i].clone(),
            window_end: end[i].clone(),
            n: n[i].and_then(|n| u32::try_from(n).ok()).unwrap_or(0),
            trend: trend[i].clone(),
            mk_p: mk_p[i],
            sen_slope: sen[i],
            apc: apc[i],
            notes: notes[i].clone(),
        })
        .collect())
}

fn shares(frame: &DataFrame) -> PolarsResult<Vec<ShareRecord>> {
    let (title, p1, p2, coverage) = (
        text(frame, "title")?,
        text(frame, "period_1")?,
        text(frame, "period_2")?,
        text(frame, "coverage")?,
    );
    let trend = texts(frame, "trend")?;
    let [s1, s2, pp, rel, z_p, mk_p] = [
        "share_1",
        "share_2",
        "change_pp",
        "change_rel_pct",
        "z_p",
        "mk_p",
    ]
    .map(|c| floats(frame, c));
    let (s1, s2, pp, rel, z_p, mk_p) = (s1?, s2?, pp?, rel?, z_p?, mk_p?);
    Ok((0..frame.height())
        .map(|i| ShareRecord {
            title: title[i].clone(),
            period_1: p1[i].clone(),
            period_2: p2[i].clone(),
            share_1: s1[i],
            share_2: s2[i],
            change_pp: pp[i],
            change_rel_pct: rel[i],
            z_p: z_p[i],
            trend: trend[i].clone(),
            mk_p: mk_p[i],
            coverage: coverage[i].clone(),
        })
        .collect())
}

fn route(frame: &DataFrame) -> PolarsResult<Vec<RouteRecord>> {
    let [route, drug, indicator, period, missing] =
        ["route", "drug", "indicator", "period", "missing_members"].map(|c| text(frame, c));
    let (route, drug, indicator, period, missing) = (route?, drug?, indicator?, period?, missing?);
    let value = floats(frame, "value")?;
    let (reporting, total) = (
        ints(frame, "members_reporting")?,
        ints(frame, "members_total")?,
    );
    Ok((0..frame.height())
        .map(|i| RouteRecord {
            route: route[i].clone(),
            drug: drug[i].clone(),
            indicator: indicator[i].clone(),
            period: period[i].clone(),
            value: value[i],
            members_reporting: reporting[i],
            members_total: total[i],
            missing_members: missing[i].clone(),
        })
        .collect())
}

fn claims(frame: &DataFrame) -> PolarsResult<Vec<ClaimRow>> {
    let [id, statement, stated, computed, coverage, verdict, why] = [
        "id",
        "statement",
        "stated",
        "computed",
        "coverage",
        "verdict",
        "why",
    ]
    .map(|c| text(frame, c));
    let (id, statement, stated, computed, coverage, verdict, why) = (
        id?, statement?, stated?, computed?, coverage?, verdict?, why?,
    );
    (0..frame.height())
        .map(|i| {
            let verdict = Verdict::ALL
                .into_iter()
                .find(|v| v.code() == verdict[i])
                .ok_or_else(|| polars_err!(ComputeError: "verdict '{}' is not one routetrend writes", verdict[i]))?;
            Ok(ClaimRow {
            id: id[i].clone(),
            statement: statement[i].clone(),
            stated: stated[i].clone(),
            computed: computed[i].clone(),
            coverage: coverage[i].clone(),
            verdict,
            why: why[i].clone(),
        })
        })
        .collect()
}

/// Annual seizure series by geo and drug: first and last year, years observed.
fn coverage(observations: &Path) -> Result<Vec<CoverageRecord>> {
    let frame = scan_parquet(observations, MISSING)?
        .filter(
            col("indicator")
                .eq(lit("seizures"))
                .and(col("freq").eq(lit("A"))),
        )
        .group_by([col("geo"), col("drug")])
        .agg([
            col("x").min().alias("first"),
            col("x").max().alias("last"),
            col("x").count().alias("n"),
        ])
        .sort(["geo", "drug"], SortMultipleOptions::default())
        .collect()
        .map_err(Error::compute(format!(
            "reading {}",
            observations.display()
        )))?;
    let read = || -> PolarsResult<Vec<CoverageRecord>> {
        let (geo, drug) = (text(&frame, "geo")?, texts(&frame, "drug")?);
        let (first, last, n) = (
            floats(&frame, "first")?,
            floats(&frame, "last")?,
            ints(&frame, "n")?,
        );
        Ok((0..frame.height())
            .map(|i| CoverageRecord {
                geo: geo[i].clone(),
                drug: drug[i].clone(),
                first: first[i].unwrap_or(0.0) as i32,
                last: last[i].unwrap_or(0.0) as i32,
                observed: n[i].and_then(|n| u32::try_from(n).ok()).unwrap_or(0),
            })
            .collect())
    };
    read().map_err(Error::compute(format!(
        "reading {}",
        observations.display()
    )))
}

/// The inputs and tool recorded in the observation table's key-value metadata.
fn provenance(observations: &Path) -> Result<Provenance> {
    let mut provenance = Provenance::default();
    for (key, value) in key_value_metadata(observations)? {
        let value = value.unwrap_or_default();
        if key == "routetrend.inputs" {
            provenance.inputs =
                serde_json::from_str(&value).map_err(|e| Error::reading(observations, e))?;
        } else if key == "routetrend.tool" {
            provenance.tool = Some(value);
        }
    }
    Ok(provenance)
}
