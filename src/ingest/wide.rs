//! Wide tables as people type them: one row per country (and drug), one column per year or
//! quarter (`2015`, `2016`, `2017Q1`...), CSV or xlsx.
//!
//! Identifier columns: `geo` (or `country`, `iso3`), optional `drug`, `indicator`, `unit`,
//! `dimension`, `category`, `source`. A file without an `indicator` or `unit` column needs
//! `--indicator` / `--unit`. Each non-empty period cell is one record; an empty cell is a gap,
//! not a zero. Columns that are neither identifiers nor periods (e.g. `notes`) are ignored
//! and listed in the file's warnings.

use crate::model::Period;

use super::spec::{FieldSource, Header, RowSpec};
use super::{IngestOptions, LineItems};
use crate::error::{Error, InputError};

const GEO_NAMES: [&str; 4] = ["geo", "country", "iso3", "country_iso3"];
const ID_NAMES: [&str; 10] = [
    "geo",
    "country",
    "iso3",
    "country_iso3",
    "drug",
    "indicator",
    "unit",
    "dimension",
    "category",
    "source",
];

/// Period columns of a header: (index, period text).
pub fn period_columns(header: &Header) -> Vec<(usize, String)> {
    header
        .names()
        .iter()
        .enumerate()
        .filter(|(_, name)| Period::parse(name).is_ok())
        .map(|(i, name)| (i, name.clone()))
        .collect()
}

pub fn matches(header: &Header) -> bool {
    GEO_NAMES.iter().any(|g| header.find(g).is_some()) && !period_columns(header).is_empty()
}

/// Columns that are neither identifiers nor periods.
pub fn ignored_columns(header: &Header) -> Vec<String> {
    let periods = period_columns(header);
    header
        .names()
        .iter()
        .enumerate()
        .filter(|(i, name)| {
            !name.is_empty()
                && !periods.iter().any(|(p, _)| p == i)
                && !ID_NAMES.iter().any(|id| header.find(id) == Some(*i))
        })
        .map(|(_, n)| n.clone())
        .collect()
}

/// One spec per period column: the same identifiers, that column's value and period.
pub fn specs(header: &Header, options: &IngestOptions, file: &str) -> Result<Vec<RowSpec>, Error> {
    let geo: Vec<FieldSource> = GEO_NAMES.iter().filter_map(|g| header.column(g)).collect();
    let fixed_or = |name: &str, fixed: &Option<String>| -> Result<FieldSource, Error> {
        header
            .column(name)
            .or_else(|| fixed.clone().map(FieldSource::Fixed))
            .ok_or_else(|| {
                InputError::MissingColumn {
                    file: file.to_string(),
                    format: "wide".into(),
                    missing: name.to_string(),
                    expected: format!("a '{name}' column, or --{name} on the command line"),
                    found: header.names().join(", "),
                }
                .into()
            })
    };
    let indicator = fixed_or("indicator", &options.indicator)?;
    let unit = fixed_or("unit", &options.unit)?;
    Ok(period_columns(header)
        .into_iter()
        .map(|(i, name)| RowSpec {
            indicator: indicator.clone(),
            geo: geo.clone(),
            drug: header.column("drug"),
            drug_groups: Vec::new(),
            dimension: header.column("dimension"),
            category: header.column("category"),
            category_qualifiers: Vec::new(),
            period: FieldSource::Fixed(name.clone()),
            value: FieldSource::Column(i, name),
            unit: unit.clone(),
            source: header
                .column("source")
                .unwrap_or(FieldSource::Fixed(String::new())),
            missing: Vec::new(),
            decimal: options.decimal,
            line_items: options.line_items.unwrap_or(LineItems::Reject),
            slug_indicator: false,
        })
        .collect())
}
