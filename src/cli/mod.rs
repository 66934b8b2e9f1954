//! The command line: one module per subcommand, each with its clap `Args` and a short
//! `run()` that calls the library. Exit codes are documented in the README.

pub mod analyze;
pub mod diff;
pub mod ingest;
pub mod init;
pub mod plot;
pub mod run;
pub mod status;
pub mod synth;
pub mod validate;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::error::Error;
use crate::ingest::mapping::Mapping;
use crate::ingest::merge::Merge;
use crate::ingest::{Format, IngestOptions, InputFile, LineItems, Missing};
use crate::model::unit::Decimal;
use crate::model::Reference;
use crate::pipeline::config::{input_id, unique_id};
use crate::pipeline::project::Confinement;

/// Exit codes for people and schedulers (README "Exit codes").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// The work was done.
    Done = 0,
    /// Something failed (an output could not be written, an internal error).
    Failed = 1,
    /// Bad input or configuration: unreadable file, unknown format, missing column, bad
    /// pipeline/mapping key, or rejected rows under `--strict`.
    BadInput = 2,
    /// Another run holds the output folder's lock.
    Locked = 3,
    /// Nothing to do: every stage was already up to date.
    UpToDate = 4,
}

/// A failure with the exit code it maps to.
#[derive(Parser, Debug)]
#[command(
    name = "routetrend",
    version,
    about = "Drug-route trend analysis: seizure series to Parquet, trends, figures and reports"
)]
pub struct Cli {
    /// Only errors on stderr.
    #[arg(long, global = true)]
    pub quiet: bool,
    /// Log format on stderr: `text` for people, `json` (one object per line) for collectors.
    #[arg(long, global = true, value_enum, default_value = "text")]
    pub log_format: LogFormat,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the pipeline (default pipelines/northern_route.toml).
    Run(run::RunArgs),
    /// Start a project on your own files: inputs copied, a pipeline that runs at once.
    Init(init::InitArgs),
    /// Ingest input files into DIR/observations.parquet and DIR/rejects.csv.
    Ingest(ingest::IngestArgs),
    /// Check input files like ingest does, writing nothing.
    Validate(validate::ValidateArgs),
    /// The trends table of an observation table.
    Analyze(analyze::AnalyzeArgs),
    /// What is up to date, what would run, and why.
    Status(status::StatusArgs),
    /// What changed between two runs: observations, series, trends.
    Diff(diff::DiffArgs),
    /// Draw one chart of any series of an observation table, without a pipeline.
    Plot(plot::PlotArgs),
    /// Write synthetic seizure records (seeded) for benchmarks and tests.
    Synth(synth::SynthArgs),
}

/// Options shared by `ingest` and `validate`: how to read the inputs.
#[derive(Args, Debug, Clone)]
pub struct ReadArgs {
    /// Input files (CSV or xlsx).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Force the input format instead of detecting it from the header.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// A column-mapping TOML for any other CSV layout (see data/mappings/).
    #[arg(long)]
    pub mapping: Option<PathBuf>,
    /// The sheet to read in a workbook (default: the first).
    #[arg(long)]
    pub sheet: Option<String>,
    /// The files write decimal commas (`12,5`).
    #[arg(long)]
    pub decimal_comma: bool,
    /// Several rows for one key in one file: `sum` them as line items or `reject` them
    /// (default: per format; the UNODC export sums).
    #[arg(long)]
    pub line_items: Option<String>,
    /// Indicator for wide tables without an indicator column.
    #[arg(long)]
    pub indicator: Option<String>,
    /// Unit for wide tables without a unit column.
    #[arg(long)]
    pub unit: Option<String>,
    /// Folder of reference tables (default: ./data/reference if present, else built-in).
    #[arg(long)]
    pub reference: Option<PathBuf>,
    /// An empty value cell is `count` (a missing value, listed, not an error; default) or
    /// `reject` (a rejected record).
    #[arg(long)]
    pub missing: Option<String>,
    /// Where two files give one key different values, the file that wins, by id (its file
    /// stem), first listed first: `--prefer unodc_drug_seizures_2018_2022,arq_seizures_1970_2020`.
    #[arg(long, value_delimiter = ',')]
    pub prefer: Vec<String>,
    /// Relative difference under which two files' values are one figure (default 0.005).
    #[arg(long)]
    pub tolerance: Option<f64>,
    /// Any rejected or superseded row is an error (exit 2); missing values are not.
    #[arg(long)]
    pub strict: bool,
    /// Print the summary as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

impl ReadArgs {
    pub fn options(&self) -> Result<IngestOptions, Error> {
        let bad = Error::Usage;
        let mapping = self.mapping.as_deref().map(Mapping::load).transpose()?;
        if self.format == Some(Format::Mapping) && mapping.is_none() {
            return Err(bad(
                "--format mapping needs --mapping FILE.toml (see data/mappings/)".into(),
            ));
        }
        let line_items = self
            .line_items
            .as_deref()
            .map(LineItems::parse)
            .transpose()
            .map_err(|e| bad(format!("--line-items {e}")))?;
        let missing = self
            .missing
            .as_deref()
            .map(Missing::parse)
            .transpose()
            .map_err(|e| bad(format!("--missing {e}")))?
            .unwrap_or_default();
        if let Some(u) = &self.unit {
            crate::model::unit::parse_unit(u).map_err(|e| bad(format!("--unit: {e}")))?;
        }
        Ok(IngestOptions {
            format: self.format,
            mapping,
            decimal: if self.decimal_comma {
                Decimal::Comma
            } else {
                Decimal::Point
            },
            line_items,
            sheet: self.sheet.clone(),
            indicator: self.indicator.clone(),
            unit: self.unit.clone(),
            missing,
            ..IngestOptions::default()
        })
    }

    pub fn reference(&self) -> Result<Reference, Error> {
        Ok(Reference::load_default(self.reference.as_deref())?)
    }

    /// The input files, named as given, all read with these options; each one's id is its
    /// file stem (`-2`, `-3`, ... after a stem seen before).
    pub fn inputs(&self) -> Result<Vec<InputFile>, Error> {
        let options = self.options()?;
        let mut inputs: Vec<InputFile> = Vec::new();
        for p in &self.files {
            let taken: Vec<&str> = inputs.iter().map(|i| i.id.as_str()).collect();
            let id = unique_id(&input_id(p), &taken);
            inputs.push(InputFile {
                id,
                name: display_path(p),
                path: p.clone(),
                options: options.clone(),
            });
        }
        Ok(inputs)
    }

    /// `--prefer` and `--tolerance` as the merge rule of these inputs.
    pub fn merge(&self, inputs: &[InputFile]) -> Result<Merge, Error> {
        let ids: Vec<&str> = inputs.iter().map(|i| i.id.as_str()).collect();
        Merge::check_prefer(&self.prefer, &ids)
            .map_err(|(_, e)| Error::Usage(format!("--prefer {e} (ids: file stems)")))?;
        let tolerance = Merge::check_tolerance(self.tolerance)
            .map_err(|e| Error::Usage(format!("--tolerance {e}")))?;
        Ok(Merge {
            prefer: self.prefer.clone(),
            tolerance,
        })
    }
}

/// Writes `text` to stdout. A closed stdout (`routetrend diff A B | head`) is a normal end,
/// as in ripgrep: the process exits 0 without a message. Any other failure is an error.
pub fn out(text: &str) -> Result<(), Error> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(e) => Err(Error::writing(std::path::Path::new("(standard output)"), e)),
    }
}

/// [`out`] with a newline.
/// `--allow-outside` as the confinement of a pipeline's paths.
pub fn confinement(allow_outside: bool) -> Confinement {
    if allow_outside {
        Confinement::AllowOutside
    } else {
        Confinement::Project
    }
}

pub fn outln(text: &str) -> Result<(), Error> {
    out(&format!("{text}\n"))
}

/// A path as recorded in lineage: as given, with `/` separators.
pub fn display_path(path: &std::path::Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// Logs go to stderr; `--quiet` keeps errors only.
fn init_logging(format: LogFormat, quiet: bool) {
    let level = if quiet {
        tracing::Level::ERROR
    } else {
        tracing::Level::INFO
    };
    let builder = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(level)
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    let _ = match format {
        LogFormat::Text => builder.without_time().try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

/// Runs the parsed command line and returns the exit code; an error is logged with its
/// whole cause chain.
pub fn main(cli: Cli) -> u8 {
    init_logging(cli.log_format, cli.quiet);
    let result = match cli.command {
        Command::Run(args) => run::run(args, cli.quiet),
        Command::Init(args) => init::run(args, cli.quiet),
        Command::Ingest(args) => ingest::run(args, cli.quiet),
        Command::Validate(args) => validate::run(args, cli.quiet),
        Command::Analyze(args) => analyze::run(args, cli.quiet),
        Command::Status(args) => status::run(args, cli.quiet),
        Command::Diff(args) => diff::run(args, cli.quiet),
        Command::Plot(args) => plot::run(args, cli.quiet),
        Command::Synth(args) => synth::run(args, cli.quiet),
    };
    match result {
        Ok(exit) => exit as u8,
        Err(error) => {
            let code = error.exit_code();
            tracing::error!(exit = code, "{}", error.chain());
            code
        }
    }
}
