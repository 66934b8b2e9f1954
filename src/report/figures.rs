//! Figures declared in the pipeline: each series is fetched from the observation table (a
//! country or an aggregate, with its coverage), a share series or a route indicator; the
//! chart is rendered by [`crate::plot`] and written beside its sidecars:
//! `figures/<slug>.png`, `.svg`, `.csv` (exactly the plotted points, with the values they
//! came from) and `.json` (title, subtitle, source, notes, alt text generated from the
//! numbers, size, run id). Same inputs, same bytes: no timestamps in any of them.

use std::collections::BTreeSet;
use std::path::Path;

use polars::prelude::*;
use serde::Serialize;

use crate::analysis::aggregate::{aggregate, CoveragePolicy, Selection};
use crate::analysis::trend::{trend_label, Window};
use crate::ingest::write::{neutralise, write_text};
use crate::ingest::IngestError;
use crate::model::Period;
use crate::plot::{
    render, ChangePoint, Chart, ChartKind, PanelY, Series, SizePreset, TrendLine, Unit,
};
use crate::report::tables::readable;
use crate::stats::{mann_kendall, pettitt, sen_slope, Alpha};

/// Where a plotted series comes from.
#[derive(Clone, Debug)]
pub enum FigureSource {
    Selection(Selection),
    /// A declared share's series (tables/share_series).
    Share(String),
    /// A route indicator (tables/route): route, drug, indicator, geo.
    Route {
        route: String,
        drug: String,
        indicator: String,
        geo: String,
    },
}

#[derive(Clone, Debug)]
pub struct FigureSeries {
    pub label: String,
    pub source: FigureSource,
}

/// A figure declared in the pipeline.
#[derive(Clone, Debug)]
pub struct FigureSpec {
    pub slug: String,
    pub kind: ChartKind,
    pub title: String,
    pub subtitle: Option<String>,
    pub y_label: String,
    pub size: SizePreset,
    pub window: Window,
    pub series: Vec<FigureSeries>,
    /// Index of the series that gets a Sen trend line.
    pub trend: Option<usize>,
    /// Index of the series that gets a Pettitt change point (drawn when p < alpha).
    pub change_point: Option<usize>,
    pub notes: Vec<String>,
    pub source: String,
    pub columns: usize,
    pub panel_y: PanelY,
}

/// The JSON sidecar of a figure.
#[derive(Serialize)]
struct Sidecar<'a> {
    slug: &'a str,
    kind: String,
    title: &'a str,
    subtitle: &'a str,
    source: &'a str,
    notes: &'a [String],
    alt_text: &'a str,
    size: SizeInfo,
    run_id: &'a str,
    y_unit: &'a str,
    series: Vec<&'a str>,
    files: [String; 3],
}

#[derive(Serialize)]
struct SizeInfo {
    preset: &'static str,
    width_px: u32,
    height_px: u32,
    dpi: f64,
}

/// Values of one series: (period, value), the members missing from an aggregate's periods,
/// and other notes.
struct Fetched {
    points: Vec<(Period, f64)>,
    unit: String,
    missing: Vec<(String, Period)>,
    notes: Vec<String>,
}

fn fail(file: &Path, e: impl std::fmt::Display) -> IngestError {
    IngestError::Unreadable {
        file: file.display().to_string(),
        message: e.to_string(),
    }
}

fn scan(path: &Path) -> Result<LazyFrame, IngestError> {
    if !path.is_file() {
        return Err(IngestError::Io {
            file: path.display().to_string(),
            message: "missing (run the analyze stage first)".into(),
        });
    }
    LazyFrame::scan_parquet(
        PlRefPath::new(path.to_string_lossy().as_ref()),
        ScanArgsParquet::default(),
    )
    .map_err(|e| fail(path, e))
}

fn points_of(frame: &DataFrame, value: &str) -> PolarsResult<Vec<(Period, f64)>> {
    let periods = frame.column("period")?.str()?.clone();
    let values = frame.column(value)?.f64()?.clone();
    Ok(periods
        .iter()
        .zip(values.iter())
        .filter_map(|(p, v)| Some((Period::parse(p?).ok()?, v?)))
        .collect())
}

/// Rows of a table (with an `x` column) inside a window.
fn within(window: Window) -> Expr {
    let start = window
        .start
        .map_or(lit(true), |s| col("x").gt_eq(lit(s.x())));
    let end = window
        .end
        .map_or(lit(true), |e| col("x").lt_eq(lit(e.last_x())));
    start.and(end)
}

fn fetch(
    source: &FigureSource,
    label: &str,
    dir: &Path,
    window: Window,
) -> Result<Fetched, IngestError> {
    match source {
        FigureSource::Selection(selection) => {
            let observations = dir.join("data/observations.parquet");
            let aggregates = aggregate(
                scan(&observations)?,
                selection,
                CoveragePolicy::Flag,
                window,
            )
            .map_err(|e| fail(&observations, e))?;
            let Some(a) = aggregates.into_iter().next() else {
                return Ok(Fetched {
                    points: Vec::new(),
                    unit: String::new(),
                    missing: Vec::new(),
                    notes: Vec::new(),
                });
            };
            let missing = a
                .series
                .periods
                .iter()
                .zip(&a.series.coverage)
                .flat_map(|(p, c)| c.missing.iter().map(move |m| (m.clone(), *p)))
                .collect();
            let points = a
                .series
                .periods
                .iter()
                .copied()
                .zip(a.series.values.iter().copied())
                .collect();
            Ok(Fetched {
                points,
                unit: a.series.key.unit,
                missing,
                notes: Vec::new(),
            })
        }
        FigureSource::Share(id) => {
            let path = dir.join("tables/share_series.parquet");
            let frame = scan(&path)?
                .filter(col("share_id").eq(lit(id.clone())).and(within(window)))
                .collect()
                .map_err(|e| fail(&path, e))?;
            let points = points_of(&frame, "share").map_err(|e| fail(&path, e))?;
            Ok(Fetched {
                points,
                unit: "share".into(),
                missing: Vec::new(),
                notes: Vec::new(),
            })
        }
        FigureSource::Route {
            route,
            drug,
            indicator,
            geo,
        } => {
            let path = dir.join("tables/route.parquet");
            let predicate = col("route")
                .eq(lit(route.clone()))
                .and(col("drug").eq(lit(drug.clone())))
                .and(col("indicator").eq(lit(indicator.clone())))
                .and(col("geo").eq(lit(geo.clone())))
                .and(within(window));
            let frame = scan(&path)?
                .filter(predicate)
                .collect()
                .map_err(|e| fail(&path, e))?;
            let unit = frame
                .column("unit")
                .ok()
                .and_then(|c| c.str().ok()?.get(0).map(str::to_string))
                .unwrap_or_default();
            let mut notes = Vec::new();
            if let Ok(missing) = frame
                .column("missing_members")
                .and_then(|c| c.str().cloned())
            {
                let periods = frame
                    .column("period")
                    .and_then(|c| c.str().cloned())
                    .map_err(|e| fail(&path, e))?;
                let gaps: Vec<String> = periods
                    .iter()
                    .zip(missing.iter())
                    .filter(|(_, m)| m.is_some_and(|m| !m.is_empty()))
                    .map(|(p, m)| format!("{} ({} missing)", p.unwrap_or(""), m.unwrap_or("")))
                    .collect();
                if let (Some(first), Some(last)) = (gaps.first(), gaps.last()) {
                    notes.push(format!(
                        "{label}: incomplete transit coverage in {} period(s), {first} to {last}",
                        gaps.len()
                    ));
                }
            }
            let points = points_of(&frame, "value").map_err(|e| fail(&path, e))?;
            Ok(Fetched {
                points,
                unit,
                missing: Vec::new(),
                notes,
            })
        }
    }
}

/// One note for all aggregates of a figure: which members are missing in which years, e.g.
/// "Totals cover the members that report; missing: TKM 2017-2022; KAZ 2015".
fn coverage_note(fetched: &[Fetched]) -> Option<String> {
    let mut by_member: std::collections::BTreeMap<&str, BTreeSet<(i64, Period)>> =
        Default::default();
    for (m, p) in fetched.iter().flat_map(|f| &f.missing) {
        by_member
            .entry(m)
            .or_default()
            .insert(((p.x() * 4.0).round() as i64, *p));
    }
    let parts: Vec<String> = by_member
        .iter()
        .map(|(member, periods)| {
            let mut runs: Vec<(Period, Period)> = Vec::new();
            for (_, p) in periods {
                match runs.last_mut() {
                    Some((_, end))
                        if p.quarter.is_none()
                            && end.quarter.is_none()
                            && p.year == end.year + 1 =>
                    {
                        *end = *p
                    }
                    _ => runs.push((*p, *p)),
                }
            }
            let years: Vec<String> = runs
                .iter()
                .map(|(a, b)| {
                    if a == b {
                        a.to_string()
                    } else {
                        format!("{a}-{b}")
                    }
                })
                .collect();
            format!("{member} {}", years.join(", "))
        })
        .collect();
    (!parts.is_empty()).then(|| {
        format!(
            "Totals cover the members that report; not reported for some series: {}",
            parts.join("; ")
        )
    })
}

fn plot_unit(unit: &str) -> Unit {
    match unit {
        "kg" => Unit::Kilograms,
        "count" => Unit::Count,
        "share" => Unit::Share,
        other => Unit::Other(other.to_string()),
    }
}

fn kind_name(kind: ChartKind) -> &'static str {
    match kind {
        ChartKind::Line => "Line chart",
        ChartKind::StackedArea => "Stacked area chart",
        ChartKind::ShareArea => "100% stacked area chart",
        ChartKind::GroupedBars => "Grouped bar chart",
        ChartKind::SmallMultiples => "Small-multiple line charts",
    }
}

/// A slope per year: shares in percentage points.
fn show_slope(v: f64, unit: &str) -> String {
    if unit == "share" {
        format!("{:.2} pp", 100.0 * v)
    } else {
        show(v, unit)
    }
}

fn show(v: f64, unit: &str) -> String {
    match unit {
        "kg" if v.abs() >= 10_000.0 => format!("{} t", readable(v / 1000.0)),
        "kg" => format!("{} kg", readable(v)),
        "share" => format!("{:.1}%", 100.0 * v),
        "count" => readable(v),
        other => format!("{} {other}", readable(v)),
    }
}

/// Renders one figure and writes its four files into `figures_dir`.
pub fn make_figure(
    spec: &FigureSpec,
    dir: &Path,
    figures_dir: &Path,
    run_id: &str,
    alpha: Alpha,
) -> Result<(), IngestError> {
    let mut fetched = Vec::new();
    for s in &spec.series {
        fetched.push(fetch(&s.source, &s.label, dir, spec.window)?);
    }
    let units: BTreeSet<&str> = fetched
        .iter()
        .filter(|f| !f.points.is_empty())
        .map(|f| f.unit.as_str())
        .collect();
    if units.len() > 1 {
        return Err(IngestError::Config {
            file: format!("figure {}", spec.slug),
            key: "series".into(),
            message: format!(
                "series in different units ({}): one figure, one unit",
                units.iter().copied().collect::<Vec<_>>().join(", ")
            ),
        });
    }
    let unit = units.into_iter().next().unwrap_or("count").to_string();
    // A common annual/quarterly grid, so that a missing period is an explicit gap.
    let grid: BTreeSet<(i64, Period)> = fetched
        .iter()
        .flat_map(|f| {
            f.points
                .iter()
                .map(|(p, _)| ((p.x() * 4.0).round() as i64, *p))
        })
        .collect();
    let span: Vec<Period> = match (grid.first(), grid.last()) {
        (Some((_, a)), Some((_, b))) if a.quarter.is_none() && b.quarter.is_none() => {
            (a.year..=b.year).map(Period::year).collect()
        }
        _ => grid.iter().map(|(_, p)| *p).collect(),
    };
    let series: Vec<Series> = spec
        .series
        .iter()
        .zip(&fetched)
        .map(|(s, f)| {
            let points = span
                .iter()
                .map(|p| {
                    (
                        p.x(),
                        f.points.iter().find(|(q, _)| q == p).map(|(_, v)| *v),
                    )
                })
                .collect();
            Series::new(s.label.clone(), points)
        })
        .collect();
    let mut notes: Vec<String> = fetched.iter().flat_map(|f| f.notes.clone()).collect();
    notes.extend(coverage_note(&fetched));
    notes.extend(spec.notes.iter().cloned());

    // Trend line (Sen) and change point (Pettitt) on the chosen series, with the same
    // conventions as the trends table.
    let xy = |i: usize| -> (Vec<f64>, Vec<f64>, Vec<Period>) {
        let f = &fetched[i];
        (
            f.points.iter().map(|(p, _)| p.x()).collect(),
            f.points.iter().map(|(_, v)| *v).collect(),
            f.points.iter().map(|(p, _)| *p).collect(),
        )
    };
    let mut trend = None;
    if let Some(i) = spec.trend {
        let (x, y, _) = xy(i);
        if let (Ok(sen), Some(x0), Some(x1)) = (sen_slope(&x, &y, alpha), x.first(), x.last()) {
            let at = |x: f64| sen.intercept + sen.slope * x;
            trend = Some(TrendLine {
                series: i,
                start: (*x0, at(*x0)),
                end: (*x1, at(*x1)),
                label: format!("Sen slope {} per year", show_slope(sen.slope, &unit)),
            });
        }
    }
    let mut change_point = None;
    if let Some(i) = spec.change_point {
        let (_, y, periods) = xy(i);
        if let Ok(p) = pettitt(&y) {
            if p.p < alpha.get() {
                if let Some(period) = periods.get(p.last_before_change) {
                    change_point = Some(ChangePoint {
                        series: i,
                        x: period.x(),
                        label: format!("change after {period} (Pettitt p = {})", readable(p.p)),
                    });
                }
            } else {
                notes.push(format!(
                    "{}: no significant change point (Pettitt p = {})",
                    spec.series[i].label,
                    readable(p.p)
                ));
            }
        }
    }
    let period_text = match (span.first(), span.last()) {
        (Some(a), Some(b)) => format!("{a}-{b}"),
        _ => String::new(),
    };
    let unit_text = match unit.as_str() {
        "kg" => "kg",
        "share" => "%",
        other => other,
    };
    let labels: Vec<&str> = spec.series.iter().map(|s| s.label.as_str()).collect();
    let subtitle = spec.subtitle.clone().unwrap_or_else(|| {
        format!(
            "{} ({unit_text}), {}, {period_text}",
            spec.y_label,
            labels.join(", ")
        )
    });
    let alt_text = alt_text(spec, &fetched, &unit, &period_text, alpha);
    let chart = Chart {
        kind: spec.kind,
        title: spec.title.clone(),
        subtitle: subtitle.clone(),
        source: spec.source.clone(),
        notes: notes.clone(),
        y_label: spec.y_label.clone(),
        unit: plot_unit(&unit),
        series,
        trend,
        change_point,
        panel_y: spec.panel_y,
        columns: spec.columns,
        size: spec.size,
        alt_text: Some(alt_text.clone()),
    };
    std::fs::create_dir_all(figures_dir).map_err(|e| fail(figures_dir, e))?;
    let path = |ext: &str| figures_dir.join(format!("{}.{ext}", spec.slug));
    let info = render(&chart, &path("png"), &path("svg")).map_err(|e| IngestError::Write {
        file: path("png").display().to_string(),
        message: e.to_string(),
    })?;

    // The plotted points, with the value each came from.
    let mut csv = String::from("series,period,x,y,y_base,display_unit,value,unit\n");
    for (s, f) in info.series.iter().zip(&fetched) {
        for p in &s.points {
            let Some(y) = p.y else { continue };
            let value = f
                .points
                .iter()
                .find(|(q, _)| (q.x() - p.x).abs() < 1e-9)
                .map(|(_, v)| *v);
            let field = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v}"));
            csv.push_str(&format!(
                "{},{},{},{},{},{},{},{}\n",
                csv_field(&s.name),
                p.period,
                p.x,
                y,
                field(p.y_base),
                info.y_unit,
                field(value),
                unit
            ));
        }
    }
    write_text(&path("csv"), &csv)?;
    let sidecar = Sidecar {
        slug: &spec.slug,
        kind: kind_name(spec.kind).to_string(),
        title: &spec.title,
        subtitle: &subtitle,
        source: &spec.source,
        notes: &notes,
        alt_text: &alt_text,
        size: SizeInfo {
            preset: spec.size.name(),
            width_px: info.width,
            height_px: info.height,
            dpi: info.dpi,
        },
        run_id,
        y_unit: &info.y_unit,
        series: labels,
        files: [
            format!("{}.png", spec.slug),
            format!("{}.svg", spec.slug),
            format!("{}.csv", spec.slug),
        ],
    };
    write_text(
        &path("json"),
        &(serde_json::to_string_pretty(&sidecar).unwrap_or_default() + "\n"),
    )
}

fn csv_field(text: &str) -> String {
    let t = neutralise(text);
    if t.contains([',', '"', '\n']) {
        format!("\"{}\"", t.replace('"', "\"\""))
    } else {
        t
    }
}

/// Alt text from the numbers: kind, what is shown, period, each series' first and last
/// value, and the main series' Mann-Kendall trend with its p-value and Sen slope.
fn alt_text(
    spec: &FigureSpec,
    fetched: &[Fetched],
    unit: &str,
    period: &str,
    alpha: Alpha,
) -> String {
    let mut text = format!(
        "{} of {}, {period}.",
        kind_name(spec.kind),
        spec.title.trim_end_matches('.')
    );
    for (s, f) in spec.series.iter().zip(fetched).take(6) {
        match (f.points.first(), f.points.last()) {
            (Some((p0, v0)), Some((p1, v1))) if p0 != p1 => {
                let verb = if v1 < v0 {
                    "fell"
                } else if v1 > v0 {
                    "rose"
                } else {
                    "stayed"
                };
                text.push_str(&format!(
                    " {}: {verb} from {} in {p0} to {} in {p1}.",
                    s.label,
                    show(*v0, unit),
                    show(*v1, unit)
                ));
            }
            (Some((p0, v0)), _) => {
                text.push_str(&format!(" {}: {} in {p0} only.", s.label, show(*v0, unit)))
            }
            _ => text.push_str(&format!(" {}: no data.", s.label)),
        }
    }
    let main = spec.trend.or(spec.change_point).unwrap_or(0);
    if let Some(f) = fetched.get(main) {
        let (x, y): (Vec<f64>, Vec<f64>) = f.points.iter().map(|(p, v)| (p.x(), *v)).unzip();
        if let (Ok(mk), Ok(sen)) = (mann_kendall(&y, alpha), sen_slope(&x, &y, alpha)) {
            text.push_str(&format!(
                " Trend of {}: {} (Mann-Kendall p = {}, n = {}), Sen slope {} per year.",
                spec.series[main].label,
                trend_label(mk.trend),
                readable(mk.p),
                mk.n,
                show_slope(sen.slope, unit)
            ));
        }
    }
    if fetched.iter().any(|f| !f.missing.is_empty()) {
        text.push_str(" Some totals cover fewer members in some years (see notes).");
    }
    text
}
