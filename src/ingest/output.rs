//! Ingest's outputs in a folder: `observations.parquet`, `rejects.csv`, optionally the
//! Hive-partitioned `observations/` dataset, and the per-file summary for people and machines.

use std::path::Path;

use super::write::{provenance, write_parquet, write_partitioned, write_rejects};
use super::{IngestError, Ingested};
use crate::model::observation::to_frame;

/// Writes the observation table and rejects into `dir` (created if needed).
pub fn write_ingested(
    ingested: &Ingested,
    dir: &Path,
    partitioned: bool,
) -> Result<(), IngestError> {
    let fail = |e: &dyn std::fmt::Display| IngestError::Write {
        file: dir.display().to_string(),
        message: e.to_string(),
    };
    std::fs::create_dir_all(dir).map_err(|e| fail(&e))?;
    let mut frame = to_frame(&ingested.observations).map_err(|e| fail(&e))?;
    let metadata = provenance(&ingested.files);
    write_parquet(&mut frame, &dir.join("observations.parquet"), &metadata)?;
    if partitioned {
        write_partitioned(&frame, &dir.join("observations"), &metadata)?;
    }
    write_rejects(&ingested.rejects, &dir.join("rejects.csv"))
}

/// The per-file summary as a text table for the terminal.
pub fn summary_text(ingested: &Ingested) -> String {
    let mut out = String::from(
        "file\tformat\trecords\tkept\trejected\tduplicates\tline_items_summed\tobservations\n",
    );
    for f in &ingested.files {
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
            f.file,
            f.format,
            f.records,
            f.kept,
            f.rejected,
            f.exact_duplicates,
            f.line_items_summed,
            f.observations
        ));
        for w in &f.warnings {
            out.push_str(&format!("  note: {w}\n"));
        }
    }
    out.push_str(&format!(
        "total: {} observations, {} rejected records\n",
        ingested.observations.len(),
        ingested.rejects.len()
    ));
    out
}

/// The per-file summary as JSON (`--json`).
pub fn summary_json(ingested: &Ingested) -> serde_json::Value {
    serde_json::json!({
        "files": ingested.files,
        "observations": ingested.observations.len(),
        "rejected": ingested.rejects.len(),
    })
}
