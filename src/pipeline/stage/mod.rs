//! The four stages of a pipeline, one file each: [`ingest`] (input files -> the observation
//! table), [`analyze`] (observations -> the analysis tables and the series every figure
//! draws), [`plot`] (those -> figures) and [`report`] (tables and figures -> report.md and
//! report.html). Each file holds its stage's parameters (the keys of the pipeline file it
//! reads), inputs, outputs and body side by side, behind one [`Definition`] trait; the
//! runner sequences them and knows none of their insides.

pub mod analyze;
pub mod ingest;
pub mod plot;
pub mod report;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::config::Pipeline;
use crate::error::Result;
use crate::ingest::Ingested;
use crate::model::Period;

/// The stages, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Ingest,
    Analyze,
    Plot,
    Report,
}

pub const STAGES: [Stage; 4] = [Stage::Ingest, Stage::Analyze, Stage::Plot, Stage::Report];

impl Stage {
    pub fn name(self) -> &'static str {
        match self {
            Stage::Ingest => "ingest",
            Stage::Analyze => "analyze",
            Stage::Plot => "plot",
            Stage::Report => "report",
        }
    }

    /// The stage's definition.
    pub fn definition(self) -> &'static dyn Definition {
        match self {
            Stage::Ingest => &ingest::Ingest,
            Stage::Analyze => &analyze::Analyze,
            Stage::Plot => &plot::Plot,
            Stage::Report => &report::Report,
        }
    }
}

/// Counts a stage reports (`rows` of its manifest entry).
pub type Rows = BTreeMap<String, u64>;

/// What a stage runs with: the pipeline, the run's folder (inputs from earlier stages are
/// read from it, outputs written to it) and what the run collects from its stages.
pub struct Context<'a> {
    pub pipeline: &'a Pipeline,
    pub dir: &'a Path,
    pub run_id: &'a str,
    /// Observations up to this period only.
    pub as_of: Option<Period>,
    /// Any rejected input row fails the run.
    pub strict: bool,
    /// Warnings for the manifest (a file's notes, observations left out by `as_of`).
    pub warnings: Vec<String>,
    /// Notes of the running stage for its manifest entry (something it left out without
    /// failing, e.g. no report.docx without pandoc).
    pub notes: Vec<String>,
    /// What ingest read, when it ran in this run.
    pub ingested: Option<Ingested>,
}

/// One stage: its parameters, inputs, outputs and body.
pub trait Definition: Sync {
    /// The keys of the pipeline file that parameterise this stage: a change to any of them
    /// makes the stage out of date.
    fn params(&self) -> &'static [&'static str];

    /// The files the stage reads: (name recorded in the manifest, path), with the outputs of
    /// earlier stages inside `dir`.
    fn inputs(&self, pipeline: &Pipeline, dir: &Path) -> Vec<(String, PathBuf)>;

    /// The files the stage writes, relative to the run folder.
    fn outputs(&self, pipeline: &Pipeline) -> Vec<String>;

    /// Runs the stage into `cx.dir`.
    fn run(&self, cx: &mut Context) -> Result<Rows>;
}

/// An earlier stage's output inside the run folder, as an input: (name, path).
fn produced(dir: &Path, name: String) -> (String, PathBuf) {
    let path = dir.join(&name);
    (name, path)
}

/// A text column of a table an earlier stage wrote.
fn texts(frame: &DataFrame, name: &str) -> PolarsResult<Vec<Option<String>>> {
    Ok(frame
        .column(name)?
        .str()?
        .iter()
        .map(|s| s.map(str::to_string))
        .collect())
}

/// A number column of a table an earlier stage wrote.
fn floats(frame: &DataFrame, name: &str) -> PolarsResult<Vec<Option<f64>>> {
    Ok(frame.column(name)?.f64()?.iter().collect())
}

/// An integer column (any integer type) of a table an earlier stage wrote.
fn ints(frame: &DataFrame, name: &str) -> PolarsResult<Vec<Option<i64>>> {
    Ok(frame
        .column(name)?
        .cast(&DataType::Int64)?
        .i64()?
        .iter()
        .collect())
}

/// The project's reference tables, as inputs (an edited alias changes the observations, an
/// edited name the tables' `geo_name`).
fn reference_inputs(pipeline: &Pipeline) -> Vec<(String, PathBuf)> {
    let mut files = Vec::new();
    if let Some(reference) = pipeline.reference_dir() {
        let mut tables: Vec<PathBuf> = std::fs::read_dir(&reference)
            .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        tables.retain(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("csv" | "toml")));
        tables.sort();
        for p in tables {
            let name = format!(
                "data/reference/{}",
                p.file_name().unwrap_or_default().to_string_lossy()
            );
            files.push((name, p));
        }
    }
    files
}
