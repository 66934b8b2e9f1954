//! `routetrend init DIR --input FILE...`: a project folder that runs at once on the user's
//! own files (see `pipeline::init`).

use std::path::PathBuf;

use clap::Args;

use super::{outln, Exit};
use crate::error::Error;
use crate::pipeline::init::init;

#[derive(Args, Debug)]
pub struct InitArgs {
    /// The project folder to write (new, or without pipelines/ and data/).
    pub dir: PathBuf,
    /// The input files (CSV, xlsx or an observations.parquet), copied into DIR/data/raw/.
    #[arg(long = "input", required = true, num_args = 1..)]
    pub inputs: Vec<PathBuf>,
    /// The pipeline's name and output folder (default: the folder's name).
    #[arg(long)]
    pub name: Option<String>,
}

pub fn run(args: InitArgs, quiet: bool) -> Result<Exit, Error> {
    let outcome = init(&args.dir, &args.inputs, args.name.as_deref())?;
    if !quiet {
        for i in &outcome.inputs {
            let via = i
                .mapping
                .as_deref()
                .map(|m| format!(" through {m}"))
                .unwrap_or_default();
            outln(&format!(
                "{}: {} ({}{via}), id {}",
                i.original,
                i.file,
                i.format.name(),
                i.id
            ))?;
        }
        for note in &outcome.notes {
            outln(&format!("note: {note}"))?;
        }
        outln(&format!(
            "wrote {} and {}: {} observations, {} superseded rows",
            outcome.pipeline.display(),
            outcome.readme.display(),
            outcome.observations,
            outcome.superseded
        ))?;
        outln(&format!(
            "next: cd {} && routetrend run {}",
            args.dir.display(),
            outcome
                .pipeline
                .strip_prefix(&args.dir)
                .unwrap_or(&outcome.pipeline)
                .display()
        ))?;
    }
    Ok(Exit::Done)
}
