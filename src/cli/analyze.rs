//! `routetrend analyze OBSERVATIONS.parquet --out DIR`: the trends table of every series
//! (optionally filtered, over the given windows) to DIR/trends.{csv,parquet,md}.

use std::path::PathBuf;

use clap::Args;

use super::{outln, Exit};
use crate::analysis::series::SeriesFilter;
use crate::analysis::series::Window;
use crate::analysis::trend::{JoinpointLimit, TrendOptions};
use crate::error::Error;
use crate::pipeline::catalog::Table;
use crate::pipeline::config::AnalyzeParams;
use crate::pipeline::stage::analyze::analyze;
use crate::stats::{Alpha, JoinpointOptions};

#[derive(Args, Debug)]
pub struct AnalyzeArgs {
    /// The observation table (observations.parquet from ingest).
    pub observations: PathBuf,
    /// Output folder for trends.csv, trends.parquet, trends.md.
    #[arg(long, short)]
    pub out: PathBuf,
    /// Significance level of tests and confidence intervals (1 - alpha).
    #[arg(long, default_value_t = 0.05)]
    pub alpha: f64,
    /// Windows: `all`, `2010-2016`, `2017Q1-2019Q4`, `2010-`; repeat for several.
    #[arg(long = "window", default_value = "all")]
    pub windows: Vec<String>,
    /// Label trends from the Hamed-Rao corrected MK test instead of the original.
    #[arg(long)]
    pub hamed_rao: bool,
    /// Largest number of joinpoints considered (default: NCI's maximum for each series'
    /// number of observations).
    #[arg(long)]
    pub max_joinpoints: Option<usize>,
    /// Only these indicators (repeatable).
    #[arg(long = "indicator")]
    pub indicators: Vec<String>,
    /// Only these geo codes (repeatable).
    #[arg(long = "geo")]
    pub geos: Vec<String>,
    /// Only these drugs (repeatable).
    #[arg(long = "drug")]
    pub drugs: Vec<String>,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: AnalyzeArgs, quiet: bool) -> Result<Exit, Error> {
    let bad = Error::Usage;
    let alpha = Alpha::new(args.alpha).ok_or_else(|| {
        bad(format!(
            "--alpha {}: expected a number in [1e-10, 1)",
            args.alpha
        ))
    })?;
    let windows = args
        .windows
        .iter()
        .map(|w| Window::parse(w))
        .collect::<Result<Vec<_>, _>>()
        .map_err(bad)?;
    let options = TrendOptions {
        alpha,
        joinpoint: JoinpointOptions::default(),
        joinpoint_limit: args
            .max_joinpoints
            .map_or(JoinpointLimit::Nci, JoinpointLimit::AtMost),
        label_from_hamed_rao: args.hamed_rao,
        windows,
    };
    let filter = SeriesFilter {
        indicators: args.indicators,
        geos: args.geos,
        drugs: args.drugs,
    };
    let params = AnalyzeParams {
        filter,
        trends: options,
        aggregates: Vec::new(),
        shares: Vec::new(),
        routes: Vec::new(),
        claims: Vec::new(),
        parallel: Vec::new(),
    };
    let reference = crate::model::Reference::load_default(None)?;
    let summary = analyze(&args.observations, &args.out, &params, &[], &reference)?;
    if args.json {
        outln(&serde_json::to_string(&summary).unwrap_or_default())?;
    } else if !quiet {
        outln(&format!(
            "{} series, {} trend rows -> {}",
            summary.series,
            summary.trend_rows,
            args.out.join(Table::Trends.file_name("md")).display()
        ))?;
    }
    Ok(Exit::Done)
}
