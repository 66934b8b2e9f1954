//! `routetrend validate FILE...`: the checks of ingest, writing nothing. Prints the summary
//! and every reject; exits 2 when a row was rejected or a file could not be read.

use clap::Args;

use super::ingest::report;
use super::{outln, Exit, ReadArgs};
use crate::error::Error;
use crate::ingest::ingest_files;

#[derive(Args, Debug)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub read: ReadArgs,
}

pub fn run(args: ValidateArgs, quiet: bool) -> Result<Exit, Error> {
    let reference = args.read.reference()?;
    let ingested = {
        let inputs = args.read.inputs()?;
        ingest_files(&inputs, &reference, &args.read.merge(&inputs)?)?
    };
    report(&ingested, args.read.json, quiet)?;
    if !args.read.json && !quiet {
        for r in &ingested.rejects {
            let what = if r.missing { "missing" } else { "reject" };
            outln(&format!(
                "{what}: {} row {} column '{}' value '{}': {}",
                r.file, r.row, r.column, r.value, r.reason
            ))?;
        }
    }
    // Missing values are listed (for lineage), not errors.
    Ok(if ingested.errors().next().is_none() {
        Exit::Done
    } else {
        Exit::BadInput
    })
}
