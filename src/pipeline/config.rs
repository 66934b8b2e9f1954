//! Pipeline files, read in two steps (STYLE.md): the TOML into raw structs that refuse
//! unknown keys, then validated into a [`Pipeline`] with paths resolved. Every error names
//! the file and the key.
//!
//! Paths in a pipeline are relative to its `root`, itself relative to the pipeline file
//! (`root = ".."` for a file in `pipelines/`).

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::ingest::mapping::Mapping;
use crate::ingest::{Format, IngestError, IngestOptions, InputFile, LineItems};

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

/// A validated pipeline.
#[derive(Debug, Clone)]
pub struct Pipeline {
    pub file: PathBuf,
    pub name: String,
    pub description: String,
    pub root: PathBuf,
    pub output: PathBuf,
    pub inputs: Vec<InputFile>,
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
            let key = |k: &str| format!("inputs[{i}].{k}");
            let format = match input.format.as_deref() {
                None => None,
                Some(f) => Some(
                    <Format as clap::ValueEnum>::from_str(f, false).map_err(|_| {
                        config_error(
                            path,
                            &key("format"),
                            format!(
                                "'{f}': expected canonical, unodc-export, cts, wide or mapping"
                            ),
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
            let _ = input.description;
            inputs.push(InputFile {
                path: root.join(&input.file),
                name: input.file.clone(),
                options: IngestOptions {
                    format,
                    mapping,
                    line_items,
                    sheet: input.sheet,
                    ..IngestOptions::default()
                },
            });
        }
        Ok(Pipeline {
            file: path.to_path_buf(),
            name: raw.name,
            description: raw.description,
            output: lexical_normal(&root.join(&raw.output)),
            root,
            inputs,
        })
    }
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
