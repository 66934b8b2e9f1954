//! Reports: the published figure (its chart, texts and sidecar) and the report documents,
//! built from typed inputs that the plot and report stages read from a run.

pub mod document;
pub mod figure;
