//! The observation table: one row per (series, period), the grain of everything downstream.
//!
//! Columns and types are those of DESIGN.md "The observation table", plus one lineage
//! column, `source_rows`, that lists every input row behind an observation when line items
//! were summed into it (the UNODC export has several rows for one key). The table is built
//! here from plain [`Observation`]s and sorted by series then time; reading and writing
//! files is ingest's job.

use polars::prelude::*;

use super::period::Period;
use super::unit::Unit;

/// Bumped when a column is added, removed or changes meaning.
pub const SCHEMA_VERSION: &str = "1";

/// The columns that identify a series, in sort order.
pub const SERIES_COLUMNS: [&str; 7] = [
    "indicator",
    "geo",
    "drug",
    "dimension",
    "category",
    "freq",
    "unit",
];

/// Every column of the table, in order.
pub const COLUMNS: [&str; 14] = [
    "indicator",
    "geo",
    "drug",
    "dimension",
    "category",
    "period",
    "freq",
    "x",
    "value",
    "unit",
    "source",
    "source_file",
    "source_row",
    "source_rows",
];

/// One observation with its lineage.
#[derive(Clone, Debug, PartialEq)]
pub struct Observation {
    pub indicator: String,
    pub geo: String,
    pub drug: Option<String>,
    pub dimension: Option<String>,
    pub category: Option<String>,
    pub period: Period,
    pub value: f64,
    pub unit: Unit,
    pub source: String,
    pub source_file: String,
    /// The first input row (1-based, header counted).
    pub source_row: u32,
    /// Every input row summed into this observation, `;`-joined (one row: just that row).
    pub source_rows: String,
}

impl Observation {
    /// The key that must be unique in the table: series and period.
    pub fn key(&self) -> ObservationKey {
        ObservationKey {
            indicator: self.indicator.clone(),
            geo: self.geo.clone(),
            drug: self.drug.clone(),
            dimension: self.dimension.clone(),
            category: self.category.clone(),
            unit: self.unit,
            period: self.period,
        }
    }
}

/// (series, period): unique in the observation table.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObservationKey {
    pub indicator: String,
    pub geo: String,
    pub drug: Option<String>,
    pub dimension: Option<String>,
    pub category: Option<String>,
    pub unit: Unit,
    pub period: Period,
}

/// Builds the observation table, sorted by series (nulls first) then x.
pub fn to_frame(observations: &[Observation]) -> PolarsResult<DataFrame> {
    let text = |f: fn(&Observation) -> &str| -> Vec<&str> { observations.iter().map(f).collect() };
    let optional = |f: fn(&Observation) -> Option<&str>| -> Vec<Option<&str>> {
        observations.iter().map(f).collect()
    };
    let periods: Vec<String> = observations.iter().map(|o| o.period.to_string()).collect();
    let columns = vec![
        Column::new("indicator".into(), text(|o| &o.indicator)),
        Column::new("geo".into(), text(|o| &o.geo)),
        Column::new("drug".into(), optional(|o| o.drug.as_deref())),
        Column::new("dimension".into(), optional(|o| o.dimension.as_deref())),
        Column::new("category".into(), optional(|o| o.category.as_deref())),
        Column::new("period".into(), periods),
        Column::new("freq".into(), text(|o| o.period.freq().code())),
        Column::new(
            "x".into(),
            observations
                .iter()
                .map(|o| o.period.x())
                .collect::<Vec<f64>>(),
        ),
        Column::new(
            "value".into(),
            observations.iter().map(|o| o.value).collect::<Vec<f64>>(),
        ),
        Column::new("unit".into(), text(|o| o.unit.code())),
        Column::new("source".into(), text(|o| &o.source)),
        Column::new("source_file".into(), text(|o| &o.source_file)),
        Column::new(
            "source_row".into(),
            observations
                .iter()
                .map(|o| o.source_row)
                .collect::<Vec<u32>>(),
        ),
        Column::new("source_rows".into(), text(|o| &o.source_rows)),
    ];
    let frame = DataFrame::new_infer_height(columns)?;
    sort_by_series(frame.lazy()).collect()
}

/// Sorts a frame with the observation columns by series, then time.
pub fn sort_by_series(frame: LazyFrame) -> LazyFrame {
    let mut by: Vec<PlSmallStr> = SERIES_COLUMNS
        .iter()
        .map(|c| PlSmallStr::from(*c))
        .collect();
    by.push("x".into());
    frame.sort(
        by,
        SortMultipleOptions::default()
            .with_nulls_last(false)
            .with_maintain_order(true),
    )
}
