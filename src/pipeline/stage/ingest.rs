//! The ingest stage: the pipeline's `[[inputs]]` (and its project's reference tables) ->
//! `data/observations.parquet` and `data/rejects.csv`. With `--as-of`, observations after
//! that period are left out and counted; with `--strict`, any rejected record fails the run.

use std::path::{Path, PathBuf};

use super::{reference_inputs, Context, Definition, Rows};
use crate::error::{Error, Result};
use crate::ingest::output::write_ingested;
use crate::ingest::{ingest_files, Ingested};
use crate::pipeline::catalog::{self, IngestFiles};
use crate::pipeline::config::Pipeline;

pub struct Ingest;

impl Definition for Ingest {
    fn params(&self) -> &'static [&'static str] {
        &["inputs", "merge", "regions"]
    }

    /// The input files, then the reference tables that ingest reads (an edited alias
    /// changes the observations).
    fn inputs(&self, pipeline: &Pipeline, _dir: &Path) -> Vec<(String, PathBuf)> {
        let mut files: Vec<(String, PathBuf)> = pipeline
            .inputs
            .iter()
            .map(|i| (i.name.clone(), i.path.clone()))
            .collect();
        files.extend(reference_inputs(pipeline));
        files
    }

    fn outputs(&self, _pipeline: &Pipeline) -> Vec<String> {
        vec![
            catalog::observations(),
            catalog::rejects(),
            catalog::superseded(),
        ]
    }

    fn run(&self, cx: &mut Context) -> Result<Rows> {
        let reference = &cx.pipeline.reference;
        let mut result = ingest_files(&cx.pipeline.inputs, reference, &cx.pipeline.merge)?;
        if cx.strict && result.lost_rows() {
            return Err(strict_failure(&result, "nothing published"));
        }
        let mut rows = Rows::new();
        if let Some(as_of) = cx.as_of {
            let before = result.observations.len();
            result
                .observations
                .entries
                .retain(|o| o.period.last_x() <= as_of.last_x());
            let dropped = before - result.observations.len();
            rows.insert("after_as_of".into(), dropped as u64);
            if dropped > 0 {
                cx.warnings.push(format!(
                    "--as-of {as_of}: {dropped} observation(s) after {as_of} left out"
                ));
            }
        }
        write_ingested(&result, &IngestFiles::in_run(cx.dir), false)?;
        rows.insert("observations".into(), result.observations.len() as u64);
        let rejected = result.errors().count();
        rows.insert("rejected".into(), rejected as u64);
        rows.insert("missing".into(), (result.rejects.len() - rejected) as u64);
        rows.insert("superseded".into(), result.superseded.len() as u64);
        let outside: u64 = result.files.iter().map(|f| f.outside_periods).sum();
        rows.insert("outside_periods".into(), outside);
        if rejected > 0 {
            cx.warnings.push(format!(
                "{rejected} input row(s) rejected: {} lists each with its reason",
                catalog::rejects()
            ));
        }
        if !result.superseded.is_empty() {
            cx.warnings.push(format!(
                "{} input row(s) superseded by another row of their key: {} lists each with the value kept",
                result.superseded.len(),
                catalog::superseded()
            ));
        }
        for f in &result.files {
            cx.warnings
                .extend(f.warnings.iter().map(|w| format!("{}: {w}", f.file)));
        }
        cx.ingested = Some(result);
        Ok(rows)
    }
}

/// `--strict` with rejected or superseded rows: the error naming the first five of each
/// (`outcome` says what was not written).
pub fn strict_failure(ingested: &Ingested, outcome: &str) -> Error {
    let first: Vec<String> = ingested
        .errors()
        .take(5)
        .map(|r| {
            format!(
                "{} row {} column '{}' value '{}': {}",
                r.file, r.row, r.column, r.value, r.reason
            )
        })
        .chain(ingested.superseded.iter().take(5).map(|s| {
            format!(
                "{} row {} ({} {}) superseded by {} ({}): {}",
                s.file, s.row, s.key, s.value, s.kept_source, s.kept_value, s.why
            )
        }))
        .collect();
    let superseded = match ingested.superseded.len() {
        0 => String::new(),
        n => format!(" and {n} superseded"),
    };
    Error::Strict(format!(
        "--strict: {} rejected{superseded} record(s), {outcome}; first: {}",
        ingested.errors().count(),
        first.join("; ")
    ))
}
