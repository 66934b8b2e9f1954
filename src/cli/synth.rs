//! `routetrend synth --records N --out FILE`: realistic synthetic seizure records (seeded) for
//! benchmarks and tests; see `ingest::synth` for what is planted.

use std::path::PathBuf;

use clap::Args;

use super::Exit;
use crate::error::Error;
use crate::ingest::synth::write_records;

#[derive(Args, Debug)]
pub struct SynthArgs {
    /// Number of records.
    #[arg(long, default_value_t = 1_000_000)]
    pub records: u64,
    /// Output CSV file.
    #[arg(long, short)]
    pub out: PathBuf,
    /// Seed: the same seed gives the same file.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[arg(long, default_value_t = 2000)]
    pub start: i32,
    #[arg(long, default_value_t = 2022)]
    pub end: i32,
    /// More country-drug series besides the planted ones (random levels and trends), for
    /// benchmarks with many series: each gives six series in the trends table.
    #[arg(long, default_value_t = 0)]
    pub extra_series: usize,
}

pub fn run(args: SynthArgs, _quiet: bool) -> Result<Exit, Error> {
    let years = (args.start, args.end);
    write_records(&args.out, args.records, args.seed, years, args.extra_series)
        .map_err(|e| Error::writing(&args.out, e))?;
    Ok(Exit::Done)
}
