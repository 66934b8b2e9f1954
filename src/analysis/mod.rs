//! Analyses on the observation table: pure functions from series to table rows and frames
//! (series, trends, aggregates, shares, route, claims, the series figures draw), no file IO.

pub mod aggregate;
pub mod claims;
pub mod figure;
pub mod parallel;
pub mod regional;
pub mod route;
pub mod series;
pub mod share;
pub mod tables;
pub mod trend;
