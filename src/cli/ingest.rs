//! `routetrend ingest FILE... --out DIR`: input files to DIR/observations.parquet and
//! DIR/rejects.csv, with a per-file summary.

use std::path::PathBuf;

use clap::Args;

use super::{Exit, Failure, ReadArgs};
use crate::ingest::output::{summary_json, summary_text, write_ingested};
use crate::ingest::{ingest_files, Ingested};

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

pub fn run(args: IngestArgs, quiet: bool) -> Result<Exit, Failure> {
    let reference = args.read.reference()?;
    let ingested = ingest_files(&args.read.inputs()?, &reference)?;
    report(&ingested, args.read.json, quiet);
    if args.read.strict && !ingested.rejects.is_empty() {
        return Err(strict_failure(&ingested));
    }
    write_ingested(&ingested, &args.out, args.partitioned)?;
    Ok(Exit::Done)
}

/// Prints the summary: JSON on stdout with `--json`, else the text table (unless quiet).
pub fn report(ingested: &Ingested, json: bool, quiet: bool) {
    if json {
        println!("{}", summary_json(ingested));
    } else if !quiet {
        print!("{}", summary_text(ingested));
    }
}

/// `--strict` with rejects: exit 2, naming the first rejects.
pub fn strict_failure(ingested: &Ingested) -> Failure {
    let first: Vec<String> = ingested
        .rejects
        .iter()
        .take(5)
        .map(|r| {
            format!(
                "{} row {} column '{}' value '{}': {}",
                r.file, r.row, r.column, r.value, r.reason
            )
        })
        .collect();
    Failure {
        exit: Exit::BadInput,
        message: format!(
            "--strict: {} rejected record(s), nothing written; first: {}",
            ingested.rejects.len(),
            first.join("; ")
        ),
    }
}
