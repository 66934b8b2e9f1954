//! `routetrend run [PIPELINE]`: runs a pipeline (default `pipelines/northern_route.toml`).
//! Today it runs the ingest stage into `<output>/data/`.

use std::path::PathBuf;

use clap::Args;

use super::ingest::{report, strict_failure};
use super::{Exit, Failure};
use crate::ingest::ingest_files;
use crate::ingest::output::write_ingested;
use crate::model::Reference;
use crate::pipeline::config::Pipeline;

#[derive(Args, Debug)]
pub struct RunArgs {
    /// The pipeline file.
    #[arg(default_value = "pipelines/northern_route.toml")]
    pub pipeline: PathBuf,
    /// Any rejected row is an error (exit 2).
    #[arg(long)]
    pub strict: bool,
    /// Print the summary as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: RunArgs, quiet: bool) -> Result<Exit, Failure> {
    let pipeline = Pipeline::load(&args.pipeline)?;
    let reference = Reference::load_default(
        Some(&pipeline.root.join("data/reference"))
            .filter(|d| d.is_dir())
            .map(|d| d.as_path()),
    )?;
    let ingested = ingest_files(&pipeline.inputs, &reference)?;
    report(&ingested, args.json, quiet);
    if args.strict && !ingested.rejects.is_empty() {
        return Err(strict_failure(&ingested));
    }
    let data_dir = pipeline.output.join("data");
    write_ingested(&ingested, &data_dir, false)?;
    if !quiet && !args.json {
        eprintln!("wrote {}", data_dir.display());
    }
    Ok(Exit::Done)
}
