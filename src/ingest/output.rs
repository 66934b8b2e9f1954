//! Ingest's outputs: the observation table (zstd Parquet, sorted, with the input files'
//! provenance in its key-value metadata), optionally a Hive-partitioned copy, `rejects.csv`,
//! and the per-file summary for people and machines. Where they go is the caller's choice
//! (`pipeline::catalog`).

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::merge::Superseded;
use super::{FileSummary, Ingested, Reject};
use crate::error::{Error, Result};
use crate::files::{neutralise, provenance_keys, write_parquet, write_partitioned};
use crate::pipeline::catalog::IngestFiles;

/// Writes the observation table, the rejects, the superseded rows and, when `partitioned`,
/// the Hive-partitioned copy by indicator, where `files` says.
pub fn write_ingested(ingested: &Ingested, files: &IngestFiles, partitioned: bool) -> Result<()> {
    for dir in [files.observations.parent(), files.rejects.parent()]
        .into_iter()
        .flatten()
    {
        std::fs::create_dir_all(dir).map_err(|e| Error::writing(dir, e))?;
    }
    let mut frame = ingested
        .observations
        .to_frame()
        .map_err(Error::compute("building the observation table"))?;
    let metadata = provenance(&ingested.files);
    write_parquet(&mut frame, &files.observations, &metadata)?;
    if partitioned {
        write_partitioned(&frame, &files.dataset, &metadata)?;
    }
    write_rejects(&ingested.rejects, &files.rejects)?;
    write_superseded(&ingested.superseded, &files.superseded)
}

/// One input file as ingest read it: recorded in the observation table's metadata and in
/// the manifest.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct InputRecord {
    pub file: String,
    pub sha256: String,
    pub format: String,
    pub records: u64,
    pub kept: u64,
    pub rejected: u64,
    pub exact_duplicates: u64,
    /// Empty value cells (absent in files written before it was counted).
    #[serde(default)]
    pub missing: u64,
    /// Rows that lost to another row of their key (superseded.csv).
    #[serde(default)]
    pub superseded: u64,
    /// Rows of periods outside the input's `periods`.
    #[serde(default)]
    pub outside_periods: u64,
}

impl From<&FileSummary> for InputRecord {
    fn from(f: &FileSummary) -> Self {
        InputRecord {
            file: f.file.clone(),
            sha256: f.sha256.clone(),
            format: f.format.clone(),
            records: f.records,
            kept: f.kept,
            rejected: f.rejected,
            exact_duplicates: f.exact_duplicates,
            missing: f.missing,
            superseded: f.superseded,
            outside_periods: f.outside_periods,
        }
    }
}

/// The key-value metadata written into every observation Parquet file.
pub fn provenance(files: &[FileSummary]) -> Vec<(String, String)> {
    let inputs: Vec<serde_json::Value> = files
        .iter()
        .map(|f| {
            serde_json::json!({
                "file": f.file, "sha256": f.sha256, "format": f.format,
                "records": f.records, "kept": f.kept, "rejected": f.rejected,
                "exact_duplicates": f.exact_duplicates, "missing": f.missing,
                "superseded": f.superseded, "outside_periods": f.outside_periods,
            })
        })
        .collect();
    let mut keys = provenance_keys("observations");
    keys.push((
        "routetrend.inputs".into(),
        serde_json::Value::Array(inputs).to_string(),
    ));
    keys
}

/// Writes `rejects.csv`: file, sheet, row, column, value, reason (header always present).
pub fn write_rejects(rejects: &[Reject], path: &Path) -> Result<()> {
    let tmp = path.with_extension("csv.tmp");
    let mut writer = csv::Writer::from_path(&tmp).map_err(|e| Error::writing(&tmp, e))?;
    let fail = |e: csv::Error| Error::writing(&tmp, e);
    writer
        .write_record(["file", "sheet", "row", "column", "value", "reason"])
        .map_err(fail)?;
    for r in rejects {
        let row = r.row.to_string();
        let sheet = r.sheet.as_deref().unwrap_or("");
        writer
            .write_record([
                neutralise(&r.file),
                neutralise(sheet),
                row,
                neutralise(&r.column),
                neutralise(&r.value),
                neutralise(&r.reason),
            ])
            .map_err(fail)?;
    }
    writer.flush().map_err(|e| Error::writing(&tmp, e))?;
    drop(writer);
    std::fs::rename(&tmp, path).map_err(|e| Error::writing(path, e))
}

/// Writes `superseded.csv`: file, sheet, row, key, value, kept_value, kept_source, why
/// (header always present).
pub fn write_superseded(rows: &[Superseded], path: &Path) -> Result<()> {
    let tmp = path.with_extension("csv.tmp");
    let mut writer = csv::Writer::from_path(&tmp).map_err(|e| Error::writing(&tmp, e))?;
    let fail = |e: csv::Error| Error::writing(&tmp, e);
    writer
        .write_record([
            "file",
            "sheet",
            "row",
            "key",
            "value",
            "kept_value",
            "kept_source",
            "why",
        ])
        .map_err(fail)?;
    for r in rows {
        writer
            .write_record([
                neutralise(&r.file),
                neutralise(r.sheet.as_deref().unwrap_or("")),
                r.row.to_string(),
                neutralise(&r.key),
                r.value.to_string(),
                r.kept_value.to_string(),
                neutralise(&r.kept_source),
                neutralise(&r.why),
            ])
            .map_err(fail)?;
    }
    writer.flush().map_err(|e| Error::writing(&tmp, e))?;
    drop(writer);
    std::fs::rename(&tmp, path).map_err(|e| Error::writing(path, e))
}

/// The per-file summary as a text table for the terminal.
pub fn summary_text(ingested: &Ingested) -> String {
    let mut out = String::from(
        "file\tformat\trecords\tkept\trejected\tduplicates\tmissing\tsuperseded\toutside_periods\tline_items_summed\tobservations\n",
    );
    for f in &ingested.files {
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
            f.file,
            f.format,
            f.records,
            f.kept,
            f.rejected,
            f.exact_duplicates,
            f.missing,
            f.superseded,
            f.outside_periods,
            f.line_items_summed,
            f.observations
        ));
        for w in &f.warnings {
            out.push_str(&format!("  note: {w}\n"));
        }
    }
    let rejected = ingested.errors().count();
    out.push_str(&format!(
        "total: {} observations, {rejected} rejected records, {} missing values, {} superseded rows\n",
        ingested.observations.len(),
        ingested.rejects.len() - rejected,
        ingested.superseded.len()
    ));
    out
}

/// The per-file summary as JSON (`--json`).
pub fn summary_json(ingested: &Ingested) -> serde_json::Value {
    serde_json::json!({
        "files": ingested.files,
        "observations": ingested.observations.len(),
        "rejected": ingested.errors().count(),
        "missing": ingested.rejects.len() - ingested.errors().count(),
        "superseded": ingested.superseded.len(),
    })
}
