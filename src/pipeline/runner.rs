//! Running a pipeline: which stages are out of date and why, then running them into a
//! staging folder under the output folder's lock, and publishing the result atomically with
//! its manifest.
//!
//! A stage is up to date when its input files' hashes, its parameter subtree of the pipeline
//! file, the tool version and its output files' hashes all match the last manifest. The
//! check is made stage by stage as the run proceeds, so a stage whose upstream re-ran but
//! produced identical files is still skipped.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use tracing::{info, warn};

use super::catalog;
use super::config::Pipeline;
use super::lock::acquire;
use super::manifest::{utc_now, Manifest, PipelineRef, StageRecord, StageStatus, SCHEMA};
use super::publish::{self, Staging};
use super::stage::{Context, Stage, STAGES};
use crate::error::{Error, Result};
use crate::files::write_text;
use crate::ingest::output::InputRecord;
use crate::ingest::{sha256_hex, Ingested};
use crate::model::Period;

pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");

/// How a run was asked for.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Run only this stage (its inputs must exist).
    pub stage: Option<Stage>,
    /// Run this stage and the ones after it.
    pub from: Option<Stage>,
    /// Run selected stages even when up to date.
    pub force: bool,
    /// Observations up to this period only.
    pub as_of: Option<Period>,
    /// How long to wait for another run's lock.
    pub wait: Duration,
    /// Any rejected input row fails the run.
    pub strict: bool,
}

impl RunOptions {
    fn selected(&self, stage: Stage) -> bool {
        match (self.stage, self.from) {
            (Some(s), _) => s == stage,
            (None, Some(f)) => stage >= f,
            (None, None) => true,
        }
    }
}

/// A stage's verdict before running.
#[derive(Clone, Debug)]
pub struct StageCheck {
    pub stage: Stage,
    pub selected: bool,
    /// `None`: up to date; otherwise why it must run.
    pub reason: Option<String>,
    /// Up to date itself, but after this stage, which will run: it runs again if that
    /// stage's outputs change.
    pub after: Option<Stage>,
    pub inputs: BTreeMap<String, String>,
    pub params: BTreeMap<String, String>,
}

impl StageCheck {
    /// What will happen to the stage, in words: "would run: input x changed", "up to date",
    /// "runs if ingest changes its outputs", "not selected".
    pub fn verdict(&self) -> String {
        match (&self.reason, self.after, self.selected) {
            (_, _, false) => "not selected".into(),
            (Some(r), _, true) => format!("would run: {r}"),
            (None, Some(up), true) => format!("runs if {} changes its outputs", up.name()),
            (None, None, true) => "up to date".into(),
        }
    }

    /// Whether the stage runs for certain.
    pub fn runs(&self) -> bool {
        self.selected && self.reason.is_some()
    }
}

/// The JSON of `status --json` and `run --dry-run --json`: `verdict` is one of
/// `would_run`, `up_to_date`, `runs_if_upstream_changes`, `not_selected`; `reason` says why
/// in words.
impl serde::Serialize for StageCheck {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(serde::Serialize)]
        struct View {
            stage: Stage,
            selected: bool,
            verdict: &'static str,
            reason: String,
            after: Option<Stage>,
        }
        let verdict = match (&self.reason, self.after, self.selected) {
            (_, _, false) => "not_selected",
            (Some(_), _, true) => "would_run",
            (None, Some(_), true) => "runs_if_upstream_changes",
            (None, None, true) => "up_to_date",
        };
        View {
            stage: self.stage,
            selected: self.selected,
            verdict,
            reason: self.verdict(),
            after: self.after,
        }
        .serialize(serializer)
    }
}

/// The result of a run.
#[derive(Debug)]
pub struct RunOutcome {
    pub manifest: Manifest,
    /// True when nothing was out of date (nothing ran, outputs untouched).
    pub up_to_date: bool,
    pub ingested: Option<Ingested>,
}

fn sha256_json(value: &serde_json::Value) -> String {
    sha256_hex(value.to_string().as_bytes())
}

/// The hash of each parameter subtree of a stage (`[analyze]`, `[[shares]]`, ..., and
/// `as_of` for ingest), so that a reason can name the one that changed.
fn stage_params(
    stage: Stage,
    pipeline: &Pipeline,
    as_of: Option<Period>,
) -> BTreeMap<String, String> {
    let mut hashes: BTreeMap<String, String> = stage
        .definition()
        .params()
        .iter()
        .map(|k| (k.to_string(), sha256_json(&pipeline.params(&[k]))))
        .collect();
    if stage == Stage::Ingest {
        hashes.insert(
            "as_of".into(),
            sha256_json(&serde_json::json!(as_of.map(|p| p.to_string()))),
        );
    }
    hashes
}

/// The file's hash, streamed; `None` for a missing file or one that is not a regular file
/// (a FIFO is never opened: reading it would wait for a writer).
fn hash_file(path: &Path) -> Option<String> {
    std::fs::metadata(path)
        .ok()
        .filter(std::fs::Metadata::is_file)
        .and_then(|_| crate::ingest::sha256_file(path).ok())
}

/// Checks one stage against the previous manifest, reading inputs and outputs in `dir`.
pub fn check_stage(
    stage: Stage,
    pipeline: &Pipeline,
    dir: &Path,
    previous: Option<&Manifest>,
    options: &RunOptions,
) -> StageCheck {
    let inputs: BTreeMap<String, String> = stage
        .definition()
        .inputs(pipeline, dir)
        .into_iter()
        .map(|(name, path)| {
            let hash = hash_file(&path).unwrap_or_else(|| "missing".into());
            (name, hash)
        })
        .collect();
    let params = stage_params(stage, pipeline, options.as_of);
    let reason = stage_reason(stage, pipeline, dir, previous, &inputs, &params);
    StageCheck {
        stage,
        selected: options.selected(stage),
        reason,
        after: None,
        inputs,
        params,
    }
}

fn stage_reason(
    stage: Stage,
    pipeline: &Pipeline,
    dir: &Path,
    previous: Option<&Manifest>,
    inputs: &BTreeMap<String, String>,
    params: &BTreeMap<String, String>,
) -> Option<String> {
    let Some(last) = previous
        .and_then(|m| m.stage(stage.name()))
        .filter(|s| s.status != StageStatus::NotRun)
    else {
        return Some("never run".into());
    };
    if last.tool_version != TOOL_VERSION {
        return Some(format!(
            "tool version changed ({} -> {TOOL_VERSION})",
            last.tool_version
        ));
    }
    for (name, hash) in inputs {
        match last.inputs.get(name) {
            None => return Some(format!("input {name} added")),
            Some(old) if old != hash => return Some(format!("input {name} changed")),
            _ => {}
        }
    }
    if let Some(gone) = last.inputs.keys().find(|k| !inputs.contains_key(*k)) {
        return Some(format!("input {gone} removed"));
    }
    let changed: Vec<&str> = params
        .iter()
        .filter(|(k, v)| last.params.get(*k) != Some(*v))
        .map(|(k, _)| k.as_str())
        .collect();
    if !changed.is_empty() {
        return Some(format!("parameters changed ([{}])", changed.join("], [")));
    }
    for output in stage.definition().outputs(pipeline) {
        match (hash_file(&dir.join(&output)), last.outputs.get(&output)) {
            (None, _) => return Some(format!("output {output} missing")),
            (Some(now), Some(then)) if &now != then => {
                return Some(format!("output {output} modified"))
            }
            _ => {}
        }
    }
    None
}

/// Checks every stage against the published outputs, as `status` and `--dry-run` report:
/// a stage after one that will run is reported as waiting on it.
pub fn plan(pipeline: &Pipeline, options: &RunOptions) -> Vec<StageCheck> {
    let previous = Manifest::read(&pipeline.output.join(catalog::MANIFEST));
    let mut checks: Vec<StageCheck> = Vec::new();
    for stage in STAGES {
        let mut check = check_stage(
            stage,
            pipeline,
            &pipeline.output,
            previous.as_ref(),
            options,
        );
        if options.force && check.selected {
            check.reason = Some("--force".into());
        }
        if check.reason.is_none() {
            check.after = checks.iter().find(|c| c.runs()).map(|c| c.stage);
        }
        checks.push(check);
    }
    checks
}

/// Runs a pipeline: lock, recover, stage by stage into staging, manifest, publish.
pub fn run(pipeline: &Pipeline, options: &RunOptions) -> Result<RunOutcome> {
    let output = &pipeline.output;
    let lock = acquire(output, options.wait)?;
    if let Some(pid) = lock.took_over_from {
        warn!(lock = %super::lock::lock_path(output).display(), pid, "took over a stale lock left by a dead process");
    }
    publish::recover(output)?;
    let previous = Manifest::read(&output.join(catalog::MANIFEST));
    let started_at = utc_now();

    // Nothing to do? Decide before copying anything.
    let checks = plan(pipeline, options);
    if !checks.iter().any(StageCheck::runs) {
        info!(pipeline = %pipeline.name, "everything is up to date");
        return Ok(RunOutcome {
            manifest: previous.unwrap_or_default(),
            up_to_date: true,
            ingested: None,
        });
    }
    if let Some(stage) = options.stage {
        for (name, path) in stage.definition().inputs(pipeline, output) {
            if !path.exists() {
                return Err(Error::Usage(format!(
                    "{name}: input of stage {} does not exist: run the stages before it first",
                    stage.name()
                )));
            }
        }
    }

    // Any error from here on (a full disk included) drops the staging folder with it.
    let staging = Staging::begin(output)?;
    let outcome = run_stages(
        pipeline,
        options,
        staging.path(),
        previous.as_ref(),
        started_at,
    )?;
    let text = serde_json::to_string_pretty(&outcome.manifest).unwrap_or_default() + "\n";
    write_text(&staging.path().join(catalog::MANIFEST), &text)?;
    super::test_hook("before-commit")
        .map_err(|e| Error::writing(&staging.path().join(catalog::MANIFEST), e))?;
    staging.commit()?;
    drop(lock);
    Ok(outcome)
}

fn run_stages(
    pipeline: &Pipeline,
    options: &RunOptions,
    staging: &Path,
    previous: Option<&Manifest>,
    started_at: String,
) -> Result<RunOutcome> {
    let mut stages = Vec::new();
    let pipeline_sha = hash_file(&pipeline.file).unwrap_or_default();
    let ingest_inputs = check_stage(Stage::Ingest, pipeline, staging, previous, options).inputs;
    let run_id = run_id(&pipeline_sha, &ingest_inputs, options.as_of);
    let mut cx = Context {
        pipeline,
        dir: staging,
        run_id: &run_id,
        as_of: options.as_of,
        strict: options.strict,
        warnings: Vec::new(),
        notes: Vec::new(),
        ingested: None,
    };
    // The pipeline file relative to its project folder, however the command named it.
    let absolute = |p: &Path| std::path::absolute(p).map(|p| super::project::lexical_normal(&p));
    let file = match (absolute(&pipeline.file), absolute(&pipeline.root)) {
        (Ok(f), Ok(root)) => f.strip_prefix(&root).map(Path::to_path_buf).unwrap_or(f),
        _ => pipeline.file.clone(),
    };
    let file = file.to_string_lossy().replace('\\', "/");
    if let Some(other) = previous.filter(|m| !m.pipeline.file.is_empty() && m.pipeline.file != file)
    {
        cx.warnings.push(format!(
            "{} was written by {} (pipeline '{}'); this run of {file} replaced it: give each pipeline its own `output`",
            pipeline.output.display(),
            other.pipeline.file,
            other.pipeline.name
        ));
    }
    for stage in STAGES {
        let check = check_stage(stage, pipeline, staging, previous, options);
        let carried = previous.and_then(|m| m.stage(stage.name())).cloned();
        let must_run = check.selected && (options.force || check.reason.is_some());
        if !must_run {
            let mut record = carried.unwrap_or_else(|| StageRecord {
                name: stage.name().into(),
                status: StageStatus::NotRun,
                reason: "not selected".into(),
                ..StageRecord::default()
            });
            if record.status != StageStatus::NotRun {
                record.status = StageStatus::UpToDate;
                record.reason = if check.selected {
                    "up to date".into()
                } else {
                    "not selected".into()
                };
                record.duration_ms = 0;
            }
            stages.push(record);
            continue;
        }
        let reason = if options.force {
            "--force".to_string()
        } else {
            check.reason.clone().unwrap_or_default()
        };
        info!(stage = stage.name(), reason = %reason, "running");
        let start = Instant::now();
        let rows = stage
            .definition()
            .run(&mut cx)
            .map_err(|e| e.context(format!("stage {}", stage.name())))?;
        let point = format!("after-stage:{}", stage.name());
        super::test_hook(&point).map_err(|e| Error::writing(staging, e).context(point))?;
        // Inputs as read by this run (an upstream stage may have just rewritten them).
        let check = check_stage(stage, pipeline, staging, previous, options);
        let outputs = stage
            .definition()
            .outputs(pipeline)
            .into_iter()
            .map(|o| {
                let hash = hash_file(&staging.join(&o)).unwrap_or_else(|| "missing".into());
                (o, hash)
            })
            .collect();
        stages.push(StageRecord {
            name: stage.name().into(),
            status: StageStatus::Ran,
            reason,
            duration_ms: u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX),
            inputs: check.inputs,
            params: check.params,
            tool_version: TOOL_VERSION.into(),
            outputs,
            rows,
            notes: std::mem::take(&mut cx.notes),
        });
    }
    let inputs: Vec<InputRecord> = match &cx.ingested {
        Some(ingested) => ingested.files.iter().map(InputRecord::from).collect(),
        None => previous.map(|m| m.inputs.clone()).unwrap_or_default(),
    };
    let (warnings, ingested) = (cx.warnings, cx.ingested);
    let manifest = Manifest {
        schema: SCHEMA.into(),
        run_id,
        tool_version: TOOL_VERSION.into(),
        pipeline: PipelineRef {
            file,
            name: pipeline.name.clone(),
            sha256: pipeline_sha,
        },
        as_of: options.as_of.map(|p| p.to_string()),
        started_at,
        finished_at: utc_now(),
        stages,
        inputs,
        warnings,
    };
    Ok(RunOutcome {
        manifest,
        up_to_date: false,
        ingested,
    })
}

/// A run id derived from what determines the outputs (pipeline, inputs, tool, as-of), so
/// that identical runs carry identical ids inside their (byte-identical) outputs.
fn run_id(pipeline_sha: &str, inputs: &BTreeMap<String, String>, as_of: Option<Period>) -> String {
    let mut hasher = Sha256::new();
    hasher.update(TOOL_VERSION.as_bytes());
    hasher.update(pipeline_sha.as_bytes());
    for (file, sha) in inputs {
        hasher.update(file.as_bytes());
        hasher.update(sha.as_bytes());
    }
    hasher.update(as_of.map(|p| p.to_string()).unwrap_or_default().as_bytes());
    hasher
        .finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}
