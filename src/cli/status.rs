//! `routetrend status [PIPELINE]`: for each stage, whether it is up to date and, if not,
//! why (which input, parameter or tool version changed, which output is missing).

use std::path::PathBuf;

use clap::Args;

use super::{confinement, outln, Exit};
use crate::error::Error;
use crate::pipeline::config::Pipeline;
use crate::pipeline::runner::{plan, RunOptions};

#[derive(Args, Debug)]
pub struct StatusArgs {
    /// The pipeline file.
    #[arg(default_value = "pipelines/northern_route.toml")]
    pub pipeline: PathBuf,
    /// Allow inputs, mappings, reference tables and the output folder outside the project
    /// folder (the folder holding pipelines/, else the current folder).
    #[arg(long)]
    pub allow_outside: bool,
    /// Print the status as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: StatusArgs, _quiet: bool) -> Result<Exit, Error> {
    let pipeline = Pipeline::load(&args.pipeline, confinement(args.allow_outside))?;
    let checks = plan(&pipeline, &RunOptions::default());
    if args.json {
        outln(&serde_json::to_string_pretty(&checks).unwrap_or_default())?;
    } else {
        for c in &checks {
            let text = match (&c.reason, c.after) {
                (Some(r), _) => format!("out of date: {r}"),
                (None, Some(up)) => format!("runs if {} changes its outputs", up.name()),
                (None, None) => "up to date".into(),
            };
            outln(&format!("{}: {text}", c.stage.name()))?;
        }
    }
    Ok(Exit::Done)
}
