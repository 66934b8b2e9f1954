//! Pipeline files, read in two steps (STYLE.md): the TOML into raw structs that refuse
//! unknown keys, then validated into a [`Pipeline`] with paths resolved. Every error names
//! the file and the key.
//!
//! Paths in a pipeline are relative to its `root`, itself relative to the pipeline file
//! (`root = ".."` for a file in `pipelines/`). Each stage's parameters are a subtree of the
//! file (`inputs`, `analyze`, ...), hashed for the up-to-date checks.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::analysis::series::SeriesFilter;
use crate::analysis::trend::{TrendOptions, Window};
use crate::ingest::mapping::Mapping;
use crate::ingest::{Format, IngestError, IngestOptions, InputFile, LineItems};
use crate::stats::{Alpha, JoinpointOptions};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPipeline {
    name: String,
    #[serde(default)]
    description: String,
    root: Option<String>,
    output: String,
    #[serde(default)]
    inputs: Vec<RawInput>,
    #[serde(default)]
    analyze: RawAnalyze,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInput {
    file: String,
    format: Option<String>,
    mapping: Option<String>,
    sheet: Option<String>,
    line_items: Option<String>,
    #[serde(default)]
    description: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAnalyze {
    alpha: Option<f64>,
    trend_label: Option<String>,
    max_joinpoints: Option<usize>,
    windows: Option<Vec<String>>,
    #[serde(default)]
    indicators: Vec<String>,
    #[serde(default)]
    geos: Vec<String>,
    #[serde(default)]
    drugs: Vec<String>,
}

/// The analyze stage's parameters.
#[derive(Debug, Clone)]
pub struct AnalyzeParams {
    pub filter: SeriesFilter,
    pub trends: TrendOptions,
}

/// A validated pipeline.
#[derive(Debug, Clone)]
pub struct Pipeline {
    pub file: PathBuf,
    pub name: String,
    pub description: String,
    pub root: PathBuf,
    pub output: PathBuf,
    pub inputs: Vec<InputFile>,
    pub analyze: AnalyzeParams,
    /// The file's text as parsed TOML, for hashing each stage's parameter subtree.
    pub document: toml::Table,
}

fn config_error(file: &Path, key: &str, message: impl Into<String>) -> IngestError {
    IngestError::Config {
        file: file.display().to_string(),
        key: key.into(),
        message: message.into(),
    }
}

impl Pipeline {
    pub fn load(path: &Path) -> Result<Pipeline, IngestError> {
        let text = std::fs::read_to_string(path).map_err(|e| IngestError::Io {
            file: path.display().to_string(),
            message: e.to_string(),
        })?;
        let raw: RawPipeline =
            toml::from_str(&text).map_err(|e| config_error(path, "", e.message()))?;
        let document: toml::Table =
            toml::from_str(&text).map_err(|e| config_error(path, "", e.message()))?;
        let base = path.parent().unwrap_or(Path::new("."));
        let root = lexical_normal(&base.join(raw.root.as_deref().unwrap_or(".")));
        if raw.inputs.is_empty() {
            return Err(config_error(
                path,
                "inputs",
                "the pipeline has no [[inputs]]",
            ));
        }
        let mut inputs = Vec::new();
        for (i, input) in raw.inputs.into_iter().enumerate() {
            inputs.push(validate_input(path, &root, i, input)?);
        }
        Ok(Pipeline {
            file: path.to_path_buf(),
            name: raw.name,
            description: raw.description,
            output: lexical_normal(&root.join(&raw.output)),
            root,
            inputs,
            analyze: validate_analyze(path, raw.analyze)?,
            document,
        })
    }

    /// The parameter subtree of a stage, as JSON (stable key order), for hashing.
    pub fn params(&self, keys: &[&str]) -> serde_json::Value {
        let mut out = serde_json::Map::new();
        for key in keys {
            if let Some(v) = self.document.get(*key) {
                out.insert(
                    (*key).to_string(),
                    serde_json::to_value(v).unwrap_or_default(),
                );
            }
        }
        serde_json::Value::Object(out)
    }
}

fn validate_input(
    path: &Path,
    root: &Path,
    i: usize,
    input: RawInput,
) -> Result<InputFile, IngestError> {
    let key = |k: &str| format!("inputs[{i}].{k}");
    let format = match input.format.as_deref() {
        None => None,
        Some(f) => Some(
            <Format as clap::ValueEnum>::from_str(f, false).map_err(|_| {
                config_error(
                    path,
                    &key("format"),
                    format!("'{f}': expected canonical, unodc-export, cts, wide or mapping"),
                )
            })?,
        ),
    };
    let mapping = input
        .mapping
        .as_deref()
        .map(|m| Mapping::load(&root.join(m)))
        .transpose()?;
    let line_items = input
        .line_items
        .as_deref()
        .map(LineItems::parse)
        .transpose()
        .map_err(|e| config_error(path, &key("line_items"), e))?;
    let _ = input.description; // documentation for the reader of the pipeline file
    Ok(InputFile {
        path: lexical_normal(&root.join(&input.file)),
        name: input.file,
        options: IngestOptions {
            format,
            mapping,
            line_items,
            sheet: input.sheet,
            ..IngestOptions::default()
        },
    })
}

fn validate_analyze(path: &Path, raw: RawAnalyze) -> Result<AnalyzeParams, IngestError> {
    let defaults = TrendOptions::default();
    let alpha = match raw.alpha {
        None => defaults.alpha,
        Some(a) => Alpha::new(a).ok_or_else(|| {
            config_error(
                path,
                "analyze.alpha",
                format!("{a}: expected a number strictly between 0 and 1"),
            )
        })?,
    };
    let label_from_hamed_rao = match raw.trend_label.as_deref() {
        None | Some("mk") => false,
        Some("hamed_rao") => true,
        Some(other) => {
            return Err(config_error(
                path,
                "analyze.trend_label",
                format!("'{other}': expected \"mk\" or \"hamed_rao\""),
            ))
        }
    };
    let windows = match raw.windows {
        None => defaults.windows,
        Some(ws) if ws.is_empty() => {
            return Err(config_error(
                path,
                "analyze.windows",
                "give at least one window, e.g. [\"all\"]",
            ))
        }
        Some(ws) => ws
            .iter()
            .map(|w| Window::parse(w))
            .collect::<Result<_, _>>()
            .map_err(|e| config_error(path, "analyze.windows", e))?,
    };
    let joinpoint = JoinpointOptions {
        max_joinpoints: raw
            .max_joinpoints
            .unwrap_or(defaults.joinpoint.max_joinpoints),
        ..defaults.joinpoint
    };
    Ok(AnalyzeParams {
        filter: SeriesFilter {
            indicators: raw.indicators,
            geos: raw.geos,
            drugs: raw.drugs,
        },
        trends: TrendOptions {
            alpha,
            joinpoint,
            label_from_hamed_rao,
            windows,
        },
    })
}

/// `a/b/../c` -> `a/c` and `pipelines/..` -> `.`, without touching the file system.
pub fn lexical_normal(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out: Vec<Component> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    if out.is_empty() {
        PathBuf::from(".")
    } else {
        out.iter().collect()
    }
}
