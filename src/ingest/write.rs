//! Writing ingest's outputs: `observations.parquet` (zstd, sorted, with provenance key-value
//! metadata), an optional Hive-partitioned dataset by indicator, and `rejects.csv`.
//!
//! Files are written to a temporary name and renamed, so a reader never sees half a file.
//! Nothing time-dependent goes into them: the same inputs give byte-identical files.

use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use polars::prelude::*;

use super::{FileSummary, IngestError, Reject};
use crate::model::observation::SCHEMA_VERSION;

/// The key-value metadata of every output table: tool, schema version and table name.
pub fn provenance_keys(table: &str) -> Vec<(String, String)> {
    vec![
        (
            "routetrend.tool".into(),
            format!("routetrend {}", env!("CARGO_PKG_VERSION")),
        ),
        ("routetrend.schema_version".into(), SCHEMA_VERSION.into()),
        ("routetrend.table".into(), table.into()),
    ]
}

/// The key-value metadata written into every observation Parquet file.
pub fn provenance(files: &[FileSummary]) -> Vec<(String, String)> {
    let inputs: Vec<serde_json::Value> = files
        .iter()
        .map(|f| {
            serde_json::json!({
                "file": f.file, "sha256": f.sha256, "format": f.format,
                "records": f.records, "kept": f.kept, "rejected": f.rejected,
                "exact_duplicates": f.exact_duplicates,
            })
        })
        .collect();
    vec![
        (
            "routetrend.tool".into(),
            format!("routetrend {}", env!("CARGO_PKG_VERSION")),
        ),
        ("routetrend.schema_version".into(), SCHEMA_VERSION.into()),
        ("routetrend.table".into(), "observations".into()),
        (
            "routetrend.inputs".into(),
            serde_json::Value::Array(inputs).to_string(),
        ),
    ]
}

fn write_error(path: &Path, e: impl std::fmt::Display) -> IngestError {
    IngestError::Write {
        file: path.display().to_string(),
        message: e.to_string(),
    }
}

/// Writes a frame as one zstd Parquet file with the given key-value metadata, atomically.
pub fn write_parquet(
    frame: &mut DataFrame,
    path: &Path,
    metadata: &[(String, String)],
) -> Result<(), IngestError> {
    let tmp = path.with_extension("parquet.tmp");
    let file = File::create(&tmp).map_err(|e| write_error(&tmp, e))?;
    let kv = KeyValueMetadata::from_static(metadata.to_vec());
    ParquetWriter::new(file)
        .with_compression(ParquetCompression::Zstd(None))
        .with_statistics(StatisticsOptions::full())
        .with_key_value_metadata(Some(kv))
        .finish(frame)
        .map_err(|e| write_error(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| write_error(path, e))
}

/// Writes a Hive-partitioned dataset `dir/indicator=<value>/00000000.parquet`.
pub fn write_partitioned(
    frame: &DataFrame,
    dir: &Path,
    metadata: &[(String, String)],
) -> Result<(), IngestError> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|e| write_error(dir, e))?;
    }
    let kv = KeyValueMetadata::from_static(metadata.to_vec());
    let destination = SinkDestination::Partitioned {
        base_path: PlRefPath::new(dir.to_string_lossy().as_ref()),
        file_path_provider: None,
        partition_strategy: PartitionStrategy::Keyed {
            keys: vec![col("indicator")],
            include_keys: false,
            keys_pre_grouped: false,
        },
        max_rows_per_file: IdxSize::MAX,
        approximate_bytes_per_file: u64::MAX,
    };
    let options = ParquetWriteOptions {
        key_value_metadata: Some(kv),
        ..Default::default()
    };
    frame
        .clone()
        .lazy()
        .sink(
            destination,
            FileWriteFormat::Parquet(Arc::new(options)),
            UnifiedSinkArgs {
                mkdir: true,
                maintain_order: true,
                ..Default::default()
            },
        )
        .and_then(|lf| lf.collect())
        .map_err(|e| write_error(dir, e))?;
    Ok(())
}

/// Writes `rejects.csv`: file, sheet, row, column, value, reason (header always present).
pub fn write_rejects(rejects: &[Reject], path: &Path) -> Result<(), IngestError> {
    let tmp = path.with_extension("csv.tmp");
    let mut writer = csv::Writer::from_path(&tmp).map_err(|e| write_error(&tmp, e))?;
    let fail = |e: csv::Error| write_error(&tmp, e);
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
    writer.flush().map_err(|e| write_error(&tmp, e))?;
    drop(writer);
    std::fs::rename(&tmp, path).map_err(|e| write_error(path, e))
}

/// A cell a spreadsheet would execute (leading `=`, `+`, `-`, `@`) is prefixed with `'`, as
/// report writers open CSVs in Excel; numbers such as `-3` stay as they are.
pub fn neutralise(text: &str) -> String {
    let risky = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && text.parse::<f64>().is_err() {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// Writes text atomically (used for small JSON and Markdown outputs).
pub fn write_text(path: &Path, text: &str) -> Result<(), IngestError> {
    let tmp = path.with_extension("tmp");
    let mut f = File::create(&tmp).map_err(|e| write_error(&tmp, e))?;
    f.write_all(text.as_bytes())
        .map_err(|e| write_error(&tmp, e))?;
    drop(f);
    std::fs::rename(&tmp, path).map_err(|e| write_error(path, e))
}
