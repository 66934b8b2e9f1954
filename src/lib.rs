//! routetrend: a batch pipeline for drug-route trend analysis.
//!
//! Seizure and offence series (country x drug x year or quarter) are ingested from the
//! formats researchers download into one observation table in Parquet ([`ingest`],
//! [`model`]), analysed with the statistical conventions of STATISTICS.md ([`stats`],
//! [`analysis`]) and published as tables, figures and reports ([`plot`], [`report`]) by the
//! stages of a [`pipeline`]. Below them all: the crate's one [`error`] type, [`display`]
//! (numbers and escaping for people) and [`files`] (the writers and readers every stage
//! uses). Layers: cli -> pipeline -> {ingest, analysis, plot, report} -> {stats, model,
//! display, files, error}. `main.rs` only dispatches to [`cli`].

// Library code never unwraps, expects or panics: bad input is an error or a reject with its
// reason (tests may unwrap).
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod analysis;
pub mod cli;
pub mod display;
pub mod error;
pub mod files;
pub mod i18n;
pub mod ingest;
pub mod model;
pub mod pipeline;
pub mod plot;
pub mod report;
pub mod stats;
