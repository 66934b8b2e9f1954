//! `manifest.json`: what a run did, for people, schedulers and the next run's up-to-date
//! checks. Schema `routetrend.manifest/1`:
//!
//! - `schema`, `run_id` (content-derived: the same pipeline, inputs, tool version and as-of
//!   give the same id), `tool_version`, `pipeline` (`file`, `name`, `sha256`), `as_of`;
//! - `started_at`, `finished_at` (UTC, RFC 3339): the only timestamps of a run's outputs;
//! - `stages`: one entry per stage with `name`, `status` (`ran`, `up_to_date`, `not_run`),
//!   `reason`, `duration_ms`, `inputs` (path -> sha256), `params` (subtree -> sha256), `outputs`
//!   (path -> sha256), `rows` (counts the stage reports), `notes` (what the stage could not
//!   do without failing, e.g. no `report.docx` when pandoc is not installed);
//! - `inputs`: rows read/kept/rejected per input file; `warnings`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::ingest::output::InputRecord;

pub const SCHEMA: &str = "routetrend.manifest/1";

/// What a stage did in a run.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum StageStatus {
    /// It ran in this run.
    Ran,
    /// It was up to date: its outputs are carried over from an earlier run.
    UpToDate,
    /// It has never run (not selected, and no earlier run).
    #[default]
    NotRun,
}

impl std::fmt::Display for StageStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            StageStatus::Ran => "ran",
            StageStatus::UpToDate => "up_to_date",
            StageStatus::NotRun => "not_run",
        })
    }
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct StageRecord {
    pub name: String,
    pub status: StageStatus,
    pub reason: String,
    pub duration_ms: u64,
    pub inputs: BTreeMap<String, String>,
    /// sha256 of each parameter subtree of the pipeline file that the stage reads.
    pub params: BTreeMap<String, String>,
    pub tool_version: String,
    pub outputs: BTreeMap<String, String>,
    pub rows: BTreeMap<String, u64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct PipelineRef {
    pub file: String,
    pub name: String,
    pub sha256: String,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub schema: String,
    pub run_id: String,
    pub tool_version: String,
    pub pipeline: PipelineRef,
    pub as_of: Option<String>,
    pub started_at: String,
    pub finished_at: String,
    pub stages: Vec<StageRecord>,
    pub inputs: Vec<InputRecord>,
    pub warnings: Vec<String>,
}

impl Manifest {
    /// Reads a manifest; `None` if there is none or it is not ours (then every stage runs).
    pub fn read(path: &Path) -> Option<Manifest> {
        let text = std::fs::read_to_string(path).ok()?;
        let manifest: Manifest = serde_json::from_str(&text).ok()?;
        (manifest.schema == SCHEMA).then_some(manifest)
    }

    pub fn stage(&self, name: &str) -> Option<&StageRecord> {
        self.stages.iter().find(|s| s.name == name)
    }
}

/// UTC now as RFC 3339 (`2026-11-30T00:23:00Z`), without a date-time dependency.
pub fn utc_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rest) = ((secs / 86_400) as i64, secs % 86_400);
    // Civil date from days since 1970-01-01 (H. Hinnant, "chrono-Compatible Low-Level Date
    // Algorithms", days_from_civil inverse).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        (rest % 3600) / 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn utc_now_looks_like_rfc3339() {
        let now = super::utc_now();
        assert_eq!(now.len(), 20, "{now}");
        assert!(now.starts_with("20") && now.ends_with('Z'), "{now}");
    }
}
