//! Reports: output tables (CSV, Markdown, Parquet); later report.md/html and figure sidecars.

pub mod document;
pub mod figures;
pub mod tables;
