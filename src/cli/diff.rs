//! `routetrend diff A B`: what changed between two observation tables (run folders, ingest
//! folders, their manifest.json or the Parquet files themselves), as Markdown or `--json`.

use std::path::PathBuf;

use clap::Args;

use super::{out, outln, Exit};
use crate::error::Error;
use crate::pipeline::diff::{diff_runs, markdown};

#[derive(Args, Debug)]
pub struct DiffArgs {
    /// The earlier run: a run or ingest folder, its manifest.json or an observations.parquet.
    pub run_a: PathBuf,
    /// The later run.
    pub run_b: PathBuf,
    /// Print JSON instead of Markdown.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: DiffArgs, _quiet: bool) -> Result<Exit, Error> {
    let diff = diff_runs(&args.run_a, &args.run_b)?;
    if args.json {
        outln(&serde_json::to_string_pretty(&diff).unwrap_or_default())?;
    } else {
        out(&markdown(&diff))?;
    }
    Ok(Exit::Done)
}
