//! The report stage: the run's tables, its figures' sidecars and SVGs, the rejects and the
//! observation table's provenance -> `report.md` and `report.html`. This file reads them
//! into the typed [`ReportInput`]; `report::document` writes the documents from it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use polars::prelude::*;

use super::{floats, ints, produced, reference_inputs, texts, Context, Definition, Rows};
use crate::analysis::aggregate::{DrugSelection, Selection};
use crate::analysis::claims::{ClaimRow, Verdict};
use crate::analysis::figure::FigureSource;
use crate::error::{Error, Result};
use crate::files::{key_value_metadata, read_parquet, scan_parquet, write_bytes, write_text};
use crate::model::Reference;
use crate::pipeline::catalog::{self, FigureFile, Table};
use crate::pipeline::config::Pipeline;
use crate::report::document::{
    render, CoverageRecord, Declared, DeclaredRoute, DeclaredSeries, MemberGap, MethodParams,
    ParallelRecord, Provenance, PublishedFigure, RegionalRecord, ReportInput, RouteRecord,
    SeriesRef, ShareGap, ShareRecord, TrendRecord,
};
use crate::report::figure::{FigureSidecar, FigureSpec};
use crate::report::workbook::workbook;

pub struct Report;

/// The fixed date of the Word document (SOURCE_DATE_EPOCH for pandoc: 1980-01-01, the zip
/// format's epoch), so that the same run gives the same bytes.
const DOCX_EPOCH: &str = "315532800";

impl Definition for Report {
    fn params(&self) -> &'static [&'static str] {
        &[
            "report",
            "figures",
            "name",
            "description",
            "analyze",
            "regions",
            "routes",
        ]
    }

    fn inputs(&self, pipeline: &Pipeline, dir: &Path) -> Vec<(String, PathBuf)> {
        let mut files = vec![
            produced(dir, catalog::observations()),
            produced(dir, catalog::rejects()),
        ];
        files.extend(Table::ALL.iter().map(|t| produced(dir, t.parquet())));
        files.extend(pipeline.figures.iter().flat_map(|f| {
            [FigureFile::Png, FigureFile::Svg, FigureFile::Json]
                .map(|file| produced(dir, file.path(&f.slug)))
        }));
        files.extend(reference_inputs(pipeline));
        files
    }

    fn outputs(&self, _pipeline: &Pipeline) -> Vec<String> {
        let mut files = vec![
            catalog::REPORT_MD.to_string(),
            catalog::REPORT_HTML.to_string(),
            catalog::TABLES_XLSX.to_string(),
        ];
        if pandoc().is_some() {
            files.push(catalog::REPORT_DOCX.into());
        }
        files
    }

    fn run(&self, cx: &mut Context) -> Result<Rows> {
        let reference = &cx.pipeline.reference;
        let input = read_input(cx, reference)?;
        if let Some((_, last)) = &input.span {
            cx.warnings.extend(years_after_the_data(cx.pipeline, last));
        }
        let (md, html) = render(&input);
        write_text(&cx.dir.join(catalog::REPORT_MD), &md)?;
        write_text(&cx.dir.join(catalog::REPORT_HTML), &html)?;
        write_workbook(cx, &input)?;
        match pandoc() {
            Some(pandoc) => write_docx(cx.dir, &pandoc)?,
            None => cx.notes.push(format!(
                "{} not written: pandoc is not on PATH (install it, e.g. apt install pandoc, and run again)",
                catalog::REPORT_DOCX
            )),
        }
        Ok(Rows::from([("figures".into(), input.figures.len() as u64)]))
    }
}

/// The `pandoc` on PATH, if there is one.
fn pandoc() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("pandoc"))
        .find(|p| p.is_file())
}

/// `pandoc report.md -o report.docx` in the run folder, where the figures' PNGs are.
fn write_docx(dir: &Path, pandoc: &Path) -> Result<()> {
    let docx = dir.join(catalog::REPORT_DOCX);
    let output = Command::new(pandoc)
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", DOCX_EPOCH)
        .args([
            "--from=markdown",
            "--to=docx",
            "--resource-path=.",
            "--output",
            catalog::REPORT_DOCX,
            catalog::REPORT_MD,
        ])
        .output()
        .map_err(|e| Error::writing(&docx, e))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(Error::writing(
            &docx,
            format!("pandoc failed ({}): {}", output.status, stderr.trim()),
        ));
    }
    Ok(())
}

/// tables.xlsx: every analysis table, and a notes sheet with the sources and coverage.
fn write_workbook(cx: &Context, input: &ReportInput) -> Result<()> {
    let mut frames = Vec::new();
    for t in Table::ALL {
        frames.push((t.name(), read_parquet(&cx.dir.join(t.parquet()), MISSING)?));
    }
    let tables: Vec<(&str, &DataFrame)> = frames.iter().map(|(n, f)| (*n, f)).collect();
    let mut notes = vec![
        ("title".to_string(), input.title.clone()),
        ("pipeline".to_string(), input.pipeline.clone()),
        ("run".to_string(), input.run_id.clone()),
        (
            "as of".to_string(),
            input.as_of.clone().unwrap_or_else(|| "all data".into()),
        ),
        (
            "units".to_string(),
            "Each row's unit is in its unit column; '(unit per year)' is that unit per year; shares are formatted as percentages of the whole; 'pp' are percentage points.".into(),
        ),
    ];
    let sources = &cx.pipeline.report.input_sources;
    for i in &input.provenance.inputs {
        let source = sources
            .iter()
            .find(|(file, _)| i.file.ends_with(file.as_str()))
            .map_or_else(|| cx.pipeline.report.source.clone(), |(_, s)| s.clone());
        notes.push((
            format!("source: {}", i.file),
            format!(
                "{source} (sha256 {}; {} records, {} kept, {} rejected)",
                i.sha256, i.records, i.kept, i.rejected
            ),
        ));
    }
    notes.push((
        "rejected rows".into(),
        format!(
            "{} (data/rejects.csv gives file, row, column, value and reason)",
            input.provenance.rejected
        ),
    ));
    for c in &input.coverage {
        notes.push((
            format!(
                "coverage: {} {}",
                input.geo_name(&c.geo),
                c.drug
                    .as_deref()
                    .map_or_else(String::new, |d| input.drug_name(d))
            ),
            format!(
                "seizures {}-{}: {} years observed, {} missing inside the span",
                c.first,
                c.last,
                c.observed,
                c.missing_inside()
            ),
        ));
    }
    let path = cx.dir.join(catalog::TABLES_XLSX);
    let bytes = workbook(&input.title, &tables, &notes).map_err(|e| Error::writing(&path, e))?;
    write_bytes(&path, &bytes)
}

const MISSING: &str = "missing (run the stages before report first)";

fn read_input(cx: &Context, reference: &Reference) -> Result<ReportInput> {
    let dir = cx.dir;
    let table = |t: Table| {
        let path = dir.join(t.parquet());
        read_parquet(&path, MISSING).map(|frame| (frame, path))
    };
    let reading = |path: &Path| Error::compute(format!("reading {}", path.display()));
    let observations_path = dir.join(catalog::observations());
    let mut figures = Vec::new();
    // Route maps open the figures (a report on a route starts with its map).
    let (maps, charts): (Vec<&FigureSpec>, Vec<&FigureSpec>) =
        cx.pipeline.figures.iter().partition(|f| f.map.is_some());
    for f in maps.into_iter().chain(charts) {
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
    let (trends_frame, trends_path) = table(Table::Trends)?;
    let (regional_frame, regional_path) = table(Table::RegionalTrends)?;
    let (parallel_frame, parallel_path) = table(Table::Parallel)?;
    let (shares_frame, shares_path) = table(Table::Shares)?;
    let (route_frame, route_path) = table(Table::Route)?;
    let (claims_frame, claims_path) = table(Table::Claims)?;
    let (aggregates_frame, aggregates_path) = table(Table::Aggregates)?;
    let (share_series_frame, share_series_path) = table(Table::ShareSeries)?;
    let p = cx.pipeline;
    let options = &p.analyze.trends;
    let declared = declared(p, reference);
    Ok(ReportInput {
        // The report is written in the first language (English: `languages` says so).
        language: p.first_language(),
        title: p.report.title.clone(),
        subtitle: p.report.subtitle.clone(),
        intro: p.report.intro.clone(),
        outro: p.report.outro.clone(),
        sections: p.report.sections.clone(),
        highlight: p.report.highlight.clone(),
        description: p.description.clone(),
        pipeline: p.name.clone(),
        run_id: cx.run_id.to_string(),
        as_of: cx.as_of.map(|p| p.to_string()),
        methods: MethodParams {
            alpha: options.alpha.get(),
            hamed_rao: options.label_from_hamed_rao,
            joinpoint_limit: options.joinpoint_limit,
            permutations: match options.joinpoint.selection {
                crate::stats::JoinpointSelection::Permutation { permutations, .. } => {
                    Some(permutations)
                }
                crate::stats::JoinpointSelection::Bic => None,
            },
        },
        declared,
        geo_names: geo_names(reference),
        drug_names: drug_names(reference),
        trends: trends(&trends_frame).map_err(reading(&trends_path))?,
        regional: regional(&regional_frame).map_err(reading(&regional_path))?,
        parallel: parallel(&parallel_frame).map_err(reading(&parallel_path))?,
        shares: shares(&shares_frame).map_err(reading(&shares_path))?,
        route: route(&route_frame).map_err(reading(&route_path))?,
        claims: claims(&claims_frame).map_err(reading(&claims_path))?,
        member_gaps: member_gaps(&aggregates_frame).map_err(reading(&aggregates_path))?,
        share_gaps: share_gaps(&share_series_frame).map_err(reading(&share_series_path))?,
        coverage: coverage(&observations_path)?,
        span: span(&observations_path)?,
        figures,
        provenance: Provenance {
            rejected,
            ..provenance(&observations_path)?
        },
    })
}

/// What the pipeline declares, for the findings and the report's scope.
fn declared(p: &Pipeline, reference: &Reference) -> Declared {
    let a = &p.analyze;
    let as_series = |about: &str, s: &Selection| DeclaredSeries {
        about: about.to_string(),
        key: SeriesRef {
            indicator: s.indicator.clone(),
            geo: s.geo.clone(),
            drug: s.drug.label().map(str::to_string),
            dimension: s.dimension.clone(),
            category: s.category.clone(),
        },
    };
    let mut series: Vec<DeclaredSeries> = a
        .aggregates
        .iter()
        .map(|ag| as_series(&ag.selection.geo, &ag.selection))
        .collect();
    let mut selections: Vec<&Selection> = a.aggregates.iter().map(|ag| &ag.selection).collect();
    for f in &p.figures {
        for s in &f.series {
            if let FigureSource::Selection(sel) = &s.source {
                // A map's countries are told by its alt text, not a finding each.
                if f.map.is_none() {
                    series.push(as_series(&f.slug, sel));
                }
                selections.push(sel);
            }
        }
    }
    selections.extend(a.shares.iter().flat_map(|s| [&s.part, &s.whole]));
    selections.extend(a.claims.iter().flat_map(|c| c.check.selections()));
    selections.extend(a.parallel.iter().flat_map(|p| [&p.a, &p.b]));
    let mut geos = BTreeSet::new();
    let mut drugs = BTreeSet::new();
    let mut all_drugs = false;
    for s in &selections {
        geos.insert(s.geo.clone());
        geos.extend(s.members.iter().cloned());
        if let DrugSelection::Keys { label, keys } = &s.drug {
            all_drugs |= label == "all_drugs";
            drugs.insert(label.clone());
            drugs.extend(keys.iter().cloned());
        }
    }
    geos.extend(a.shares.iter().map(|s| s.def.id.clone()));
    let names = |codes: &[String]| codes.iter().map(|c| reference.geo_name(c)).collect();
    let mut routes = Vec::new();
    for r in &a.routes {
        geos.extend(
            r.origin
                .iter()
                .chain(&r.transit)
                .chain(&r.destination)
                .cloned(),
        );
        geos.insert(format!("route:{}:destination/transit", r.id));
        for (_, d) in &r.drugs {
            if let DrugSelection::Keys { label, keys } = d {
                drugs.insert(label.clone());
                drugs.extend(keys.iter().cloned());
            }
        }
        routes.push(DeclaredRoute {
            id: r.id.clone(),
            name: reference
                .route(&r.id)
                .map_or_else(|| r.id.clone(), |route| route.name.clone()),
            transit: names(&r.transit),
            destination: names(&r.destination),
            drugs: r
                .drugs
                .iter()
                .filter_map(|(_, d)| d.label().map(str::to_string))
                .collect(),
        });
    }
    let nothing = selections.is_empty() && routes.is_empty();
    Declared {
        series,
        routes,
        drugs: (!nothing && !all_drugs && !drugs.is_empty()).then_some(drugs),
        geos: (!nothing).then_some(geos),
    }
}

/// Every place the reference names, by code.
fn geo_names(reference: &Reference) -> BTreeMap<String, String> {
    let mut names: BTreeMap<String, String> = reference
        .country_names
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    names.extend(
        reference
            .regions
            .iter()
            .map(|r| (r.code.clone(), r.name.clone())),
    );
    names
}

/// Drug and group names for running text ([`Reference::running_drug_name`]).
fn drug_names(reference: &Reference) -> BTreeMap<String, String> {
    let keys = reference
        .drugs
        .iter()
        .map(|d| &d.key)
        .chain(reference.groups.iter().map(|g| &g.key));
    let mut names: BTreeMap<String, String> = keys
        .filter_map(|k| Some((k.clone(), reference.running_drug_name(k)?)))
        .collect();
    names.insert("all_drugs".into(), "all drugs".into());
    names
}

fn text(frame: &DataFrame, name: &str) -> PolarsResult<Vec<String>> {
    Ok(texts(frame, name)?
        .into_iter()
        .map(Option::unwrap_or_default)
        .collect())
}

/// The series columns of each row of a table.
fn series_refs(frame: &DataFrame) -> PolarsResult<Vec<SeriesRef>> {
    let [indicator, geo] = ["indicator", "geo"].map(|c| text(frame, c));
    let (indicator, geo) = (indicator?, geo?);
    let [drug, dimension, category] = ["drug", "dimension", "category"].map(|c| texts(frame, c));
    let (drug, dimension, category) = (drug?, dimension?, category?);
    Ok((0..frame.height())
        .map(|i| SeriesRef {
            indicator: indicator[i].clone(),
            geo: geo[i].clone(),
            drug: drug[i].clone(),
            dimension: dimension[i].clone(),
            category: category[i].clone(),
        })
        .collect())
}

fn count(v: Option<i64>) -> u32 {
    v.and_then(|n| u32::try_from(n).ok()).unwrap_or(0)
}

fn trends(frame: &DataFrame) -> PolarsResult<Vec<TrendRecord>> {
    let keys = series_refs(frame)?;
    let [geo_name, unit, notes] = ["geo_name", "unit", "notes"].map(|c| text(frame, c));
    let (geo_name, unit, notes) = (geo_name?, unit?, notes?);
    let [start, end, trend] = ["window_start", "window_end", "trend"].map(|c| texts(frame, c));
    let (start, end, trend) = (start?, end?, trend?);
    let [mk_p, hr_p, tau, sen, apc] =
        ["mk_p", "mk_hr_p", "mk_tau", "sen_slope", "apc"].map(|c| floats(frame, c));
    let (mk_p, hr_p, tau, sen, apc) = (mk_p?, hr_p?, tau?, sen?, apc?);
    let (n, n_missing) = (ints(frame, "n")?, ints(frame, "n_missing")?);
    Ok(keys
        .into_iter()
        .enumerate()
        .map(|(i, key)| TrendRecord {
            key,
            geo_name: geo_name[i].clone(),
            unit: unit[i].clone(),
            window_start: start[i].clone(),
            window_end: end[i].clone(),
            n: count(n[i]),
            n_missing: count(n_missing[i]),
            trend: trend[i].clone(),
            mk_p: mk_p[i],
            hr_p: hr_p[i],
            tau: tau[i],
            sen_slope: sen[i],
            apc: apc[i],
            notes: notes[i].clone(),
        })
        .collect())
}

fn parallel(frame: &DataFrame) -> PolarsResult<Vec<ParallelRecord>> {
    let [id, indicator, a_geo, b_geo] =
        ["id", "indicator", "a_geo", "b_geo"].map(|c| text(frame, c));
    let (id, indicator, a_geo, b_geo) = (id?, indicator?, a_geo?, b_geo?);
    let [a_drug, b_drug, start, end, verdict] =
        ["a_drug", "b_drug", "window_start", "window_end", "verdict"].map(|c| texts(frame, c));
    let (a_drug, b_drug, start, end, verdict) = (a_drug?, b_drug?, start?, end?, verdict?);
    let [f, p] = ["f", "p"].map(|c| floats(frame, c));
    let (f, p) = (f?, p?);
    let [k, df1, df2] = ["k", "df1", "df2"].map(|c| ints(frame, c));
    let (k, df1, df2) = (k?, df1?, df2?);
    Ok((0..frame.height())
        .map(|i| ParallelRecord {
            id: id[i].clone(),
            indicator: indicator[i].clone(),
            a_geo: a_geo[i].clone(),
            a_drug: a_drug[i].clone(),
            b_geo: b_geo[i].clone(),
            b_drug: b_drug[i].clone(),
            window_start: start[i].clone(),
            window_end: end[i].clone(),
            k: k[i],
            f: f[i],
            df1: df1[i],
            df2: df2[i],
            p: p[i],
            verdict: verdict[i].clone(),
        })
        .collect())
}

fn regional(frame: &DataFrame) -> PolarsResult<Vec<RegionalRecord>> {
    let keys = series_refs(frame)?;
    let unit = text(frame, "unit")?;
    let [start, end, trend] = ["window_start", "window_end", "trend"].map(|c| texts(frame, c));
    let (start, end, trend) = (start?, end?, trend?);
    let [p, slope, cmk_p] = ["p", "slope", "cmk_p"].map(|c| floats(frame, c));
    let (p, slope, cmk_p) = (p?, slope?, cmk_p?);
    let [members, tested, periods] =
        ["members", "members_tested", "cmk_periods"].map(|c| ints(frame, c));
    let (members, tested, periods) = (members?, tested?, periods?);
    Ok(keys
        .into_iter()
        .enumerate()
        .map(|(i, key)| RegionalRecord {
            key,
            unit: unit[i].clone(),
            window_start: start[i].clone(),
            window_end: end[i].clone(),
            members: count(members[i]),
            members_tested: count(tested[i]),
            p: p[i],
            slope: slope[i],
            trend: trend[i].clone(),
            cmk_periods: count(periods[i]),
            cmk_p: cmk_p[i],
        })
        .collect())
}

fn shares(frame: &DataFrame) -> PolarsResult<Vec<ShareRecord>> {
    let [id, title, p1, p2, coverage] =
        ["share_id", "title", "period_1", "period_2", "coverage"].map(|c| text(frame, c));
    let (id, title, p1, p2, coverage) = (id?, title?, p1?, p2?, coverage?);
    let [trend, start, end] = ["trend", "window_start", "window_end"].map(|c| texts(frame, c));
    let (trend, start, end) = (trend?, start?, end?);
    let [s1, s2, pp, rel, z_p, mk_p, sen_pp] = [
        "share_1",
        "share_2",
        "change_pp",
        "change_rel_pct",
        "z_p",
        "mk_p",
        "sen_slope_pp",
    ]
    .map(|c| floats(frame, c));
    let (s1, s2, pp, rel, z_p, mk_p, sen_pp) = (s1?, s2?, pp?, rel?, z_p?, mk_p?, sen_pp?);
    Ok((0..frame.height())
        .map(|i| ShareRecord {
            share_id: id[i].clone(),
            title: title[i].clone(),
            period_1: p1[i].clone(),
            period_2: p2[i].clone(),
            share_1: s1[i],
            share_2: s2[i],
            change_pp: pp[i],
            change_rel_pct: rel[i],
            z_p: z_p[i],
            window_start: start[i].clone(),
            window_end: end[i].clone(),
            trend: trend[i].clone(),
            mk_p: mk_p[i],
            sen_slope_pp: sen_pp[i],
            coverage: coverage[i].clone(),
        })
        .collect())
}

/// The aggregates' periods in which members are missing.
fn member_gaps(frame: &DataFrame) -> PolarsResult<Vec<MemberGap>> {
    let keys = series_refs(frame)?;
    let [period, missing] = ["period", "missing_members"].map(|c| text(frame, c));
    let (period, missing) = (period?, missing?);
    Ok(keys
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !missing[*i].is_empty())
        .map(|(i, key)| MemberGap {
            key,
            period: period[i].clone(),
            missing: missing[i].clone(),
        })
        .collect())
}

/// The share series' periods in which the part or the whole misses members.
fn share_gaps(frame: &DataFrame) -> PolarsResult<Vec<ShareGap>> {
    let [id, period, part, whole] = [
        "share_id",
        "period",
        "part_missing_members",
        "whole_missing_members",
    ]
    .map(|c| text(frame, c));
    let (id, period, part, whole) = (id?, period?, part?, whole?);
    Ok((0..frame.height())
        .filter_map(|i| {
            let mut members: Vec<&str> = part[i].split_whitespace().collect();
            members.extend(whole[i].split_whitespace());
            members.sort_unstable();
            members.dedup();
            (!members.is_empty()).then(|| ShareGap {
                share_id: id[i].clone(),
                period: period[i].clone(),
                missing: members.join(" "),
            })
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

/// The pipeline's own texts (description, report title and subtitle, figure titles and
/// subtitles) that name a year after the data's last period `last`: a warning each. The
/// texts are the writer's, and a run `--as-of` an earlier period keeps them.
fn years_after_the_data(p: &Pipeline, last: &str) -> Vec<String> {
    let Ok(last_period) = crate::model::Period::parse(last) else {
        return Vec::new();
    };
    let last_year = u32::try_from(last_period.year).unwrap_or(0);
    let mut texts: Vec<(String, &str)> = vec![("report.title".into(), p.report.title.as_str())];
    texts.extend(
        p.report
            .subtitle
            .as_deref()
            .map(|t| ("report.subtitle".into(), t)),
    );
    texts.push(("description".into(), p.description.as_str()));
    for (i, f) in p.figures.iter().enumerate() {
        texts.push((format!("figures[{i}].title"), f.title.as_str()));
        texts.extend(
            f.subtitle
                .as_deref()
                .map(|t| (format!("figures[{i}].subtitle"), t)),
        );
    }
    texts
        .into_iter()
        .filter_map(|(key, text)| {
            let later: Vec<u32> = years(text).into_iter().filter(|y| *y > last_year).collect();
            let year = later.iter().max()?;
            Some(format!(
                "{key} names {year}, after the data's last period ({last}): \"{text}\""
            ))
        })
        .collect()
}

/// The four-digit years 1900-2199 in a text ("2000-2022" -> 2000, 2022; not 12016).
fn years(text: &str) -> Vec<u32> {
    text.split(|c: char| !c.is_ascii_digit())
        .filter(|t| t.len() == 4)
        .filter_map(|t| t.parse::<u32>().ok())
        .filter(|y| (1900..2200).contains(y))
        .collect()
}

/// The first and last period of the observation table (by time).
fn span(observations: &Path) -> Result<Option<(String, String)>> {
    let frame = scan_parquet(observations, MISSING)?
        .select([
            col("period")
                .sort_by([col("x")], SortMultipleOptions::default())
                .first()
                .alias("first"),
            col("period")
                .sort_by([col("x")], SortMultipleOptions::default())
                .last()
                .alias("last"),
        ])
        .collect()
        .map_err(Error::compute(format!(
            "reading {}",
            observations.display()
        )))?;
    let read = || -> PolarsResult<Option<(String, String)>> {
        let (first, last) = (texts(&frame, "first")?, texts(&frame, "last")?);
        Ok(first
            .first()
            .cloned()
            .flatten()
            .zip(last.first().cloned().flatten()))
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

#[cfg(test)]
mod tests {
    use super::years;

    #[test]
    fn years_are_four_digit_numbers_of_a_text() {
        assert_eq!(years("Seizures, 2000-2022 (2017Q2)"), [2000, 2022, 2017]);
        assert_eq!(years("12016 tonnes, 250 kg, 1850"), Vec::<u32>::new());
    }
}
