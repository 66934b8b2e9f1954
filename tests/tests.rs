//! The integration tests, one binary (each binary links polars: one link instead of
//! 14). Each module is a file beside this one; they run the real `routetrend` binary
//! in temporary folders (see `common`) and share no process state.

mod common;
#[path = "reference/tolerances.rs"]
#[allow(dead_code)]
mod tolerances;

mod bad_inputs;
mod config_errors;
mod figures;
mod fuzz_corpus;
mod ingest;
mod ingest_golden;
mod interop;
mod languages;
mod map;
mod northern_route;
mod pipeline;
mod plot_render;
mod records;
mod report;
mod run;
mod safety;
mod sources;
mod stats_properties;
mod stats_reference;
mod trends;
