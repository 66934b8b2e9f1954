//! `routetrend ingest FILE... --out DIR`: input files to DIR/observations.parquet and
//! DIR/rejects.csv, with a per-file summary.

use std::path::PathBuf;

use clap::Args;

use super::{out, outln, Exit, ReadArgs};
use crate::error::Error;
use crate::ingest::output::{summary_json, summary_text, write_ingested};
use crate::ingest::{ingest_files, Ingested};
use crate::pipeline::catalog::IngestFiles;
use crate::pipeline::stage::ingest::strict_failure;

#[derive(Args, Debug)]
pub struct IngestArgs {
    #[command(flatten)]
    pub read: ReadArgs,
    /// Output folder.
    #[arg(long, short)]
    pub out: PathBuf,
    /// Also write a Hive-partitioned dataset by indicator (DIR/observations/indicator=.../).
    #[arg(long)]
    pub partitioned: bool,
}

pub fn run(args: IngestArgs, quiet: bool) -> Result<Exit, Error> {
    let reference = args.read.reference()?;
    let ingested = {
        let inputs = args.read.inputs()?;
        ingest_files(&inputs, &reference, &args.read.merge(&inputs)?)?
    };
    report(&ingested, args.read.json, quiet)?;
    if args.read.strict && ingested.lost_rows() {
        return Err(strict_failure(&ingested, "nothing written"));
    }
    write_ingested(
        &ingested,
        &IngestFiles::in_folder(&args.out),
        args.partitioned,
    )?;
    Ok(Exit::Done)
}

/// Prints the summary: JSON on stdout with `--json`, else the text table (unless quiet).
pub fn report(ingested: &Ingested, json: bool, quiet: bool) -> Result<(), Error> {
    if json {
        outln(&summary_json(ingested).to_string())
    } else if !quiet {
        out(&summary_text(ingested))
    } else {
        Ok(())
    }
}
