//! `routetrend run [PIPELINE]`: runs what is out of date (default
//! `pipelines/northern_route.toml`), under the output folder's lock, publishing atomically.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::ingest::report;
use super::{confinement, outln, Exit};
use crate::error::Error;
use crate::model::Period;
use crate::pipeline::config::Pipeline;
use crate::pipeline::runner::{plan, run as run_pipeline, RunOptions, StageCheck};
use crate::pipeline::stage::Stage;

#[derive(Args, Debug)]
pub struct RunArgs {
    /// The pipeline file.
    #[arg(default_value = "pipelines/northern_route.toml")]
    pub pipeline: PathBuf,
    /// Allow inputs, mappings, reference tables and the output folder outside the project
    /// folder (the folder holding pipelines/, else the current folder).
    #[arg(long)]
    pub allow_outside: bool,
    /// Run only this stage (its inputs must exist).
    #[arg(long, value_enum, conflicts_with = "from")]
    pub stage: Option<Stage>,
    /// Run this stage and the ones after it.
    #[arg(long, value_enum)]
    pub from: Option<Stage>,
    /// Run the selected stages even when up to date.
    #[arg(long)]
    pub force: bool,
    /// Print what would run and why, and do nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Use the observations up to this period only (`2017Q2`, `2015`): reproduces a past
    /// quarter, into `<output>@P` unless `--out` says where (the current outputs are kept).
    #[arg(long)]
    pub as_of: Option<String>,
    /// Write this run's outputs into DIR instead of the pipeline's `output` (its lock and
    /// staging folder beside it).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Seconds to wait for another run holding the lock before giving up (exit 3).
    #[arg(long, default_value_t = 0)]
    pub wait: u64,
    /// Any rejected input row fails the run (exit 2).
    #[arg(long)]
    pub strict: bool,
    /// Print the ingest summary (or the dry-run plan) as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

pub fn options(args: &RunArgs) -> Result<RunOptions, Error> {
    let as_of = args
        .as_of
        .as_deref()
        .map(Period::parse)
        .transpose()
        .map_err(|e| Error::Usage(format!("--as-of: {e}")))?;
    Ok(RunOptions {
        stage: args.stage,
        from: args.from,
        force: args.force,
        as_of,
        wait: Duration::from_secs(args.wait),
        strict: args.strict,
    })
}

pub fn run(args: RunArgs, quiet: bool) -> Result<Exit, Error> {
    let confinement = confinement(args.allow_outside);
    let mut pipeline = Pipeline::load(&args.pipeline, confinement)?;
    let options = options(&args)?;
    let output = match (&args.out, options.as_of) {
        (Some(dir), _) => Some(dir.clone()),
        (None, Some(as_of)) => Some(pipeline.as_of_output(as_of)),
        (None, None) => None,
    };
    if let Some(dir) = output {
        pipeline = pipeline.at(&dir, confinement)?;
    }
    if args.dry_run {
        // Exits as `run` would: 4 when nothing would run.
        let checks = plan(&pipeline, &options);
        if args.json {
            outln(&serde_json::to_string_pretty(&checks).unwrap_or_default())?;
        } else {
            for c in &checks {
                outln(&format!("{}: {}", c.stage.name(), c.verdict()))?;
            }
        }
        return Ok(if checks.iter().any(StageCheck::runs) {
            Exit::Done
        } else {
            Exit::UpToDate
        });
    }
    let outcome = run_pipeline(&pipeline, &options)?;
    if outcome.up_to_date {
        return Ok(Exit::UpToDate);
    }
    if let Some(ingested) = &outcome.ingested {
        report(ingested, args.json, quiet)?;
    }
    for s in &outcome.manifest.stages {
        tracing::info!(stage = %s.name, status = %s.status, reason = %s.reason, duration_ms = s.duration_ms, "stage");
    }
    // The last line says whether anything was left out or stood in for data.
    let warnings = &outcome.manifest.warnings;
    if warnings.is_empty() {
        tracing::info!(run_id = %outcome.manifest.run_id, output = %pipeline.output.display(), "published");
    } else {
        tracing::warn!(
            run_id = %outcome.manifest.run_id,
            output = %pipeline.output.display(),
            "published with {} warning(s) (manifest.json \"warnings\"): {}",
            warnings.len(),
            warnings.join("; ")
        );
    }
    Ok(Exit::Done)
}
