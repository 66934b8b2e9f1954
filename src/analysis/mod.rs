//! Analyses on the observation table: pure functions from series to table rows, no file IO.

pub mod series;
pub mod trend;
