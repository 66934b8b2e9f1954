//! The crate's one error type: a variant per kind of failure, each keeping its cause
//! (`#[source]`), context added by each layer ([`Error::context`]: "stage analyze: reading
//! tables/trends.parquet: ..."), and the exit code decided here and nowhere else
//! ([`Error::exit_code`]): bad input or configuration 2, another run holding the lock 3,
//! an internal or I/O failure 1.
//!
//! Not here: rejected input *rows* (they are data, written to `rejects.csv` with their
//! reasons, see [`crate::ingest::Reject`]) and statistics a series cannot support (they are
//! table cells with a reason, see [`crate::stats::Unavailable`]).

use std::path::{Path, PathBuf};

use polars::prelude::PolarsError;

use crate::model::reference::ReferenceError;

/// The cause of an [`Error::Io`]: an `io::Error`, a CSV or a Parquet writer's error.
pub type Cause = Box<dyn std::error::Error + Send + Sync + 'static>;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A value of the pipeline file, a mapping or the command line (exit 2).
    #[error("{file}: key '{key}': {message}")]
    Config {
        file: String,
        key: String,
        message: String,
    },
    /// A command-line value or a request that cannot be carried out as asked (exit 2).
    #[error("{0}")]
    Usage(String),
    /// An input file that cannot be ingested at all (exit 2).
    #[error(transparent)]
    Input(#[from] InputError),
    /// The reference tables (exit 2).
    #[error(transparent)]
    Reference(#[from] ReferenceError),
    /// `--strict` and a rejected input record (exit 2).
    #[error("{0}")]
    Strict(String),
    /// Inputs give one key different values and nothing says which wins (exit 2).
    #[error("{0}")]
    Conflict(String),
    /// Another run holds the output folder's lock (exit 3).
    #[error("{0}")]
    Locked(String),
    /// Reading or writing a file that routetrend itself owns (exit 1).
    #[error("{action} {}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: Cause,
    },
    /// A computation failed inside routetrend, e.g. polars on a table a previous stage wrote
    /// (exit 1).
    #[error("{context}")]
    Compute {
        context: String,
        #[source]
        source: PolarsError,
    },
    /// Where an inner error happened, added by an outer layer.
    #[error("{context}")]
    Context {
        context: String,
        #[source]
        source: Box<Error>,
    },
}

/// A whole-file problem with an input: the file cannot be ingested at all.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("{file}: cannot read: {message}")]
    Io { file: String, message: String },
    #[error("{file}: {message}")]
    Unreadable { file: String, message: String },
    #[error("{file}: unknown format: no header row in the first {rows} rows matches a known format (first row: '{first_row}'). Expected one of: {expected}. Use --format, or --mapping for other layouts")]
    UnknownFormat {
        file: String,
        rows: usize,
        first_row: String,
        expected: String,
    },
    #[error(
        "{file}: {format} format: missing column '{missing}'; expected {expected}; found: {found}"
    )]
    MissingColumn {
        file: String,
        format: String,
        missing: String,
        expected: String,
        found: String,
    },
}

impl Error {
    /// The process exit code for this error (README "Exit codes").
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Config { .. }
            | Error::Usage(_)
            | Error::Input(_)
            | Error::Reference(_)
            | Error::Strict(_)
            | Error::Conflict(_) => 2,
            Error::Locked(_) => 3,
            Error::Io { .. } | Error::Compute { .. } => 1,
            Error::Context { source, .. } => source.exit_code(),
        }
    }

    /// This error, inside `context` ("stage analyze", "reading x.parquet").
    pub fn context(self, context: impl Into<String>) -> Error {
        Error::Context {
            context: context.into(),
            source: Box::new(self),
        }
    }

    /// Reading `path` failed.
    pub fn reading(path: &Path, source: impl Into<Cause>) -> Error {
        Error::Io {
            action: "reading",
            path: path.to_path_buf(),
            source: source.into(),
        }
    }

    /// Writing `path` failed.
    pub fn writing(path: &Path, source: impl Into<Cause>) -> Error {
        Error::Io {
            action: "writing",
            path: path.to_path_buf(),
            source: source.into(),
        }
    }

    /// polars failed while doing `context`.
    pub fn compute(context: impl Into<String>) -> impl FnOnce(PolarsError) -> Error {
        let context = context.into();
        move |source| Error::Compute { context, source }
    }

    /// The whole cause chain on one line: "stage plot: reading tables/trends.parquet: ...".
    pub fn chain(&self) -> String {
        let mut text = self.to_string();
        let mut cause = std::error::Error::source(self);
        while let Some(e) = cause {
            text.push_str(": ");
            text.push_str(&e.to_string());
            cause = e.source();
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_the_kind_through_context() {
        let config = Error::Config {
            file: "p.toml".into(),
            key: "analyze.alpha".into(),
            message: "'2': expected a number in (0, 1)".into(),
        };
        assert_eq!(config.context("loading p.toml").exit_code(), 2);
        let io = Error::writing(Path::new("out/x.csv"), std::io::Error::other("disk full"));
        assert_eq!(io.exit_code(), 1);
        let compute =
            Error::compute("reading tables/trends.parquet")(PolarsError::NoData("empty".into()));
        assert_eq!(compute.context("stage plot").exit_code(), 1);
        assert_eq!(Error::Locked("held".into()).exit_code(), 3);
    }

    #[test]
    fn chain_names_every_layer_once() {
        let e = Error::writing(Path::new("out/x.csv"), std::io::Error::other("disk full"))
            .context("stage analyze");
        assert_eq!(e.chain(), "stage analyze: writing out/x.csv: disk full");
        let input: Error = InputError::Unreadable {
            file: "a.csv".into(),
            message: "row 3: bad".into(),
        }
        .into();
        assert_eq!(input.chain(), "a.csv: row 3: bad");
    }
}
