//! Reports: the published figure (its chart, texts and sidecar), the report documents and
//! their findings, and the tables workbook, built from typed inputs that the plot and
//! report stages read from a run.

pub mod document;
pub mod figure;
pub mod findings;
pub mod map;
pub mod workbook;
