//! What changed between two runs (two output folders, ingest folders or manifests): new and removed
//! observations, revised values (old -> new), series added or gone, and trends whose
//! direction or significance changed or whose Sen slope left the earlier confidence
//! interval. This is what a scheduled job mails to the team after a quarterly refresh.
//!
//! Observations are matched on (series, period) and trends on (series, window) with polars
//! joins (nulls in key columns match each other).

use std::path::{Path, PathBuf};

use polars::prelude::*;
use serde::Serialize;

use super::catalog::{self, Table};
use crate::analysis::trend::is_significant;
use crate::display::readable;
use crate::error::{Error, Result};
use crate::files::scan_parquet;
use crate::model::observation::SERIES_COLUMNS;

/// One observation that is new, gone or revised.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ObservationChange {
    pub series: String,
    pub period: String,
    pub old: Option<f64>,
    pub new: Option<f64>,
}

/// A trend whose reading changed.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct TrendChange {
    pub series: String,
    /// Every window with this same change (`all` and `2000-2022` on a 2000-2022 series
    /// read alike: listed once).
    pub windows: Vec<String>,
    pub change: String,
}

#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct RunDiff {
    pub run_a: String,
    pub run_b: String,
    pub new_observations: Vec<ObservationChange>,
    pub removed_observations: Vec<ObservationChange>,
    pub revised_observations: Vec<ObservationChange>,
    pub series_added: Vec<String>,
    pub series_gone: Vec<String>,
    pub trend_changes: Vec<TrendChange>,
}

/// A run or ingest folder from a folder or its manifest.json.
pub fn run_folder(path: &Path) -> PathBuf {
    if path.file_name().is_some_and(|n| n == catalog::MANIFEST) {
        path.parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    } else {
        path.to_path_buf()
    }
}

/// "seizures RUS heroin" (+ dimension and category when present) for each row of a frame
/// with the series columns.
fn series_labels(frame: &DataFrame) -> PolarsResult<Vec<String>> {
    let columns: Vec<&StringChunked> = SERIES_COLUMNS[..5]
        .iter()
        .map(|c| frame.column(c).and_then(|c| c.str()))
        .collect::<PolarsResult<_>>()?;
    Ok((0..frame.height())
        .map(|i| {
            columns
                .iter()
                .filter_map(|c| c.get(i))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect())
}

fn full_join(a: LazyFrame, b: LazyFrame, keys: &[&str]) -> LazyFrame {
    let on: Vec<Expr> = keys.iter().map(|k| col(*k)).collect();
    let mut args = JoinArgs::new(JoinType::Full)
        .with_coalesce(JoinCoalesce::CoalesceColumns)
        .with_suffix(Some("_b".into()));
    args.nulls_equal = true;
    a.join(b, on.clone(), on, args)
}

fn strings(frame: &DataFrame, name: &str) -> PolarsResult<Vec<String>> {
    Ok(frame
        .column(name)?
        .str()?
        .iter()
        .map(|s| s.unwrap_or("").to_string())
        .collect())
}

fn floats(frame: &DataFrame, name: &str) -> PolarsResult<Vec<Option<f64>>> {
    Ok(frame.column(name)?.f64()?.iter().collect())
}

/// Compares two run folders.
pub fn diff_runs(a: &Path, b: &Path) -> Result<RunDiff> {
    let (a, b) = (run_folder(a), run_folder(b));
    let context = format!("comparing {} and {}", a.display(), b.display());
    let fail = |e: PolarsError| Error::Compute {
        context: context.clone(),
        source: e,
    };
    let mut diff = RunDiff {
        run_a: a.display().to_string(),
        run_b: b.display().to_string(),
        ..RunDiff::default()
    };
    let observations = |dir: &Path| -> Result<LazyFrame> {
        let mut keep: Vec<Expr> = SERIES_COLUMNS.iter().map(|c| col(*c)).collect();
        keep.extend([col("period"), col("x"), col("value")]);
        let path = catalog::observation_table(dir);
        Ok(scan_parquet(
            &path,
            "no observation table: expected a run folder (data/observations.parquet), an ingest folder (observations.parquet) or the file itself",
        )?
        .select(keep))
    };
    let mut keys: Vec<&str> = SERIES_COLUMNS.to_vec();
    keys.push("period");
    let joined = full_join(observations(&a)?, observations(&b)?, &keys)
        .with_column(col("x").fill_null(col("x_b")).alias("x"))
        .filter(
            col("value")
                .is_null()
                .or(col("value_b").is_null())
                .or(col("value").neq(col("value_b"))),
        );
    let changes = crate::model::observation::sort_by_series(joined)
        .collect()
        .map_err(fail)?;
    let (series, periods) = (
        series_labels(&changes).map_err(fail)?,
        strings(&changes, "period").map_err(fail)?,
    );
    let (old, new) = (
        floats(&changes, "value").map_err(fail)?,
        floats(&changes, "value_b").map_err(fail)?,
    );
    for i in 0..changes.height() {
        let change = ObservationChange {
            series: series[i].clone(),
            period: periods[i].clone(),
            old: old[i],
            new: new[i],
        };
        match (old[i], new[i]) {
            (None, Some(_)) => diff.new_observations.push(change),
            (Some(_), None) => diff.removed_observations.push(change),
            _ => diff.revised_observations.push(change),
        }
    }

    let series_of = |dir: &Path| -> Result<LazyFrame> {
        let keys: Vec<Expr> = SERIES_COLUMNS.iter().map(|c| col(*c)).collect();
        Ok(observations(dir)?
            .select(keys)
            .unique_stable(None, UniqueKeepStrategy::First))
    };
    let anti = |x: LazyFrame, y: LazyFrame| -> Result<Vec<String>> {
        let on: Vec<Expr> = SERIES_COLUMNS.iter().map(|c| col(*c)).collect();
        let mut args = JoinArgs::new(JoinType::Anti);
        args.nulls_equal = true;
        let order = SortMultipleOptions::default().with_nulls_last(false);
        let frame = x
            .join(y, on.clone(), on, args)
            .sort(SERIES_COLUMNS, order)
            .collect()
            .map_err(fail)?;
        series_labels(&frame).map_err(fail)
    };
    diff.series_added = anti(series_of(&b)?, series_of(&a)?)?;
    diff.series_gone = anti(series_of(&a)?, series_of(&b)?)?;
    diff.trend_changes = trend_changes(&a, &b)?;
    Ok(diff)
}

/// Trends matched by series and window start (a window's end moves with new data when it is
/// "all"); reports direction flips, gained or lost significance, and a Sen slope outside the
/// earlier run's confidence interval.
fn trend_changes(a: &Path, b: &Path) -> Result<Vec<TrendChange>> {
    let (pa, pb) = (
        a.join(Table::Trends.parquet()),
        b.join(Table::Trends.parquet()),
    );
    if !pa.is_file() || !pb.is_file() {
        return Ok(Vec::new());
    }
    let trends = |p: &Path| -> Result<LazyFrame> {
        let mut keep: Vec<Expr> = SERIES_COLUMNS.iter().map(|c| col(*c)).collect();
        keep.extend(
            [
                "window_start",
                "window_end",
                "trend",
                "mk_p",
                "sen_slope",
                "sen_lo",
                "sen_hi",
            ]
            .map(col),
        );
        Ok(scan_parquet(p, "no trends table")?.select(keep))
    };
    let (ta, tb) = (trends(&pa)?, trends(&pb)?);
    compare_trends(ta, tb).map_err(Error::compute(format!(
        "comparing {} and {}",
        pa.display(),
        pb.display()
    )))
}

fn compare_trends(ta: LazyFrame, tb: LazyFrame) -> PolarsResult<Vec<TrendChange>> {
    let mut keys: Vec<&str> = SERIES_COLUMNS.to_vec();
    keys.push("window_start");
    let on: Vec<Expr> = keys.iter().map(|k| col(*k)).collect();
    let mut args = JoinArgs::new(JoinType::Inner).with_suffix(Some("_b".into()));
    args.nulls_equal = true;
    let joined = ta.join(tb, on.clone(), on, args).collect()?;
    let text = |n: &str| strings(&joined, n);
    let series = series_labels(&joined)?;
    let (start, end_a, end_b) = (
        text("window_start")?,
        text("window_end")?,
        text("window_end_b")?,
    );
    let (trend_a, trend_b) = (text("trend")?, text("trend_b")?);
    let (p_a, p_b) = (floats(&joined, "mk_p")?, floats(&joined, "mk_p_b")?);
    let (lo, hi, slope_b) = (
        floats(&joined, "sen_lo")?,
        floats(&joined, "sen_hi")?,
        floats(&joined, "sen_slope_b")?,
    );
    let unit = text("unit")?;
    let mut out: Vec<TrendChange> = Vec::new();
    for i in 0..joined.height() {
        let window = if end_a[i] == end_b[i] {
            format!("{}-{}", start[i], end_a[i])
        } else {
            format!("{}-{} -> {}-{}", start[i], end_a[i], start[i], end_b[i])
        };
        let mut push = |change: String| match out
            .iter_mut()
            .find(|c| c.series == series[i] && c.change == change)
        {
            Some(same) => same.windows.push(window.clone()),
            None => out.push(TrendChange {
                series: series[i].clone(),
                windows: vec![window.clone()],
                change,
            }),
        };
        if trend_a[i] != trend_b[i] && !trend_a[i].is_empty() && !trend_b[i].is_empty() {
            let p = |v: Option<f64>| v.map_or("-".into(), readable);
            let (a, b) = (trend_a[i].as_str(), trend_b[i].as_str());
            let what = match (is_significant(a), is_significant(b)) {
                (false, true) => "gained significance",
                (true, false) => "lost significance",
                (true, true) => "direction flipped",
                (false, false) => "label changed",
            };
            push(format!(
                "{what}: {} -> {} (MK p {} -> {})",
                trend_a[i],
                trend_b[i],
                p(p_a[i]),
                p(p_b[i])
            ));
        }
        if let (Some(l), Some(h), Some(s)) = (lo[i], hi[i], slope_b[i]) {
            if s < l || s > h {
                let u = &unit[i];
                push(format!(
                    "Sen slope {} {u} per year is outside the earlier confidence interval [{}, {}] {u} per year",
                    readable(s),
                    readable(l),
                    readable(h)
                ));
            }
        }
    }
    // One block per series.
    out.sort_by(|a, b| a.series.cmp(&b.series));
    Ok(out)
}

/// The diff as Markdown, for a mail or a report.
pub fn markdown(diff: &RunDiff) -> String {
    use crate::display::markdown_escape as esc;
    let value = |v: Option<f64>| v.map_or("-".to_string(), readable);
    let mut out = format!(
        "# Changes from {} to {}\n\n",
        esc(&diff.run_a),
        esc(&diff.run_b)
    );
    let sections = [
        ("New observations", &diff.new_observations),
        ("Revised observations", &diff.revised_observations),
        ("Removed observations", &diff.removed_observations),
    ];
    for (title, rows) in sections {
        out.push_str(&format!("## {title} ({})\n\n", rows.len()));
        if !rows.is_empty() {
            out.push_str("| series | period | old | new |\n|---|---|---|---|\n");
            for r in rows {
                out.push_str(&format!(
                    "| {} | {} | {} | {} |\n",
                    esc(&r.series),
                    r.period,
                    value(r.old),
                    value(r.new)
                ));
            }
            out.push('\n');
        }
    }
    for (title, rows) in [
        ("Series added", &diff.series_added),
        ("Series gone", &diff.series_gone),
    ] {
        out.push_str(&format!("## {title} ({})\n\n", rows.len()));
        for r in rows {
            out.push_str(&format!("- {}\n", esc(r)));
        }
        if !rows.is_empty() {
            out.push('\n');
        }
    }
    out.push_str(&format!(
        "## Trend changes ({})\n\n",
        diff.trend_changes.len()
    ));
    if !diff.trend_changes.is_empty() {
        out.push_str("| series | windows | change |\n|---|---|---|\n");
        for t in &diff.trend_changes {
            out.push_str(&format!(
                "| {} | {} | {} |\n",
                esc(&t.series),
                t.windows.join(", "),
                esc(&t.change)
            ));
        }
    }
    out
}
