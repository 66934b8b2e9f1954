//! The stages of a pipeline as functions from named input files to named output files:
//! `ingest` (input files -> data/), `analyze` (data/observations.parquet -> tables/).
//! The pipeline runner decides when each runs; the CLI's stand-alone commands call them too.

use std::path::Path;

use polars::prelude::*;

use crate::analysis::series::{series_of, SeriesFilter};
use crate::analysis::trend::{trend_rows, TrendOptions};
use crate::ingest::write::provenance_keys;
use crate::ingest::IngestError;
use crate::report::tables::{trends_frame, write_table};

/// What the analyze stage produced.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AnalyzeSummary {
    pub series: usize,
    pub trend_rows: usize,
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

/// The analyze stage: the trends table of every selected series into `tables_dir`.
pub fn analyze(
    observations: &Path,
    tables_dir: &Path,
    filter: &SeriesFilter,
    options: &TrendOptions,
) -> Result<AnalyzeSummary, IngestError> {
    let unreadable = |e: PolarsError| IngestError::Unreadable {
        file: observations.display().to_string(),
        message: e.to_string(),
    };
    let series = series_of(scan_observations(observations)?, filter).map_err(unreadable)?;
    let rows = trend_rows(&series, options);
    let mut frame = trends_frame(&series, &rows).map_err(unreadable)?;
    write_table(
        &mut frame,
        tables_dir,
        "trends",
        "Trends by series and window",
        &provenance_keys("trends"),
    )?;
    Ok(AnalyzeSummary {
        series: series.len(),
        trend_rows: rows.len(),
    })
}
