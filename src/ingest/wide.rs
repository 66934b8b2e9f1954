//! Wide tables as people type them: one row per country (and drug), one column per year or
//! quarter (`2015`, `2016`, `2017Q1`...), CSV or xlsx.
//!
//! Identifier columns: `geo` (or `country`, `iso3`), optional `drug`, `indicator`, `unit`,
//! `dimension`, `category`, `source`. A file without an `indicator` or `unit` column needs
//! `--indicator` / `--unit`. Each non-empty period cell is one record; an empty cell is a gap,
//! not a zero. A column written as a period that is none (`2016Q5`, `20016`, `1899`) is no
//! silent loss: each of its non-empty cells is a reject naming the column and why. Columns
//! that are neither identifiers nor periods (e.g. `notes`) are ignored and listed in the
//! file's warnings.

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

/// Whether a column name is written as a period would be: digits (`2016`, `20016`, `1899`),
/// optionally a quarter (`2016Q5`).
fn looks_like_period(name: &str) -> bool {
    let upper = name.trim().to_ascii_uppercase();
    let (year, quarter) = upper.split_once('Q').unwrap_or((&upper, "0"));
    let digits = |t: &str| !t.trim().is_empty() && t.trim().bytes().all(|b| b.is_ascii_digit());
    digits(year.trim_end_matches([' ', '-'])) && digits(quarter)
}

/// Columns written as periods that are no period (`2016Q5`, `20016`, `1899`): (index, name,
/// why). Their non-empty cells are rejected one by one with the reason, never dropped.
pub fn impossible_period_columns(header: &Header) -> Vec<(usize, String, String)> {
    header
        .names()
        .iter()
        .enumerate()
        .filter(|(_, name)| looks_like_period(name))
        .filter_map(|(i, name)| Period::parse(name).err().map(|why| (i, name.clone(), why)))
        .collect()
}

pub fn matches(header: &Header) -> bool {
    GEO_NAMES.iter().any(|g| header.find(g).is_some()) && !period_columns(header).is_empty()
}

/// Columns that are neither identifiers nor periods nor written as periods. Linear in the
/// number of columns (a header of 160,000 columns is read in one pass).
pub fn ignored_columns(header: &Header) -> Vec<String> {
    let mut taken = vec![false; header.names().len()];
    let periods = period_columns(header).into_iter().map(|(i, _)| i);
    let impossible = impossible_period_columns(header)
        .into_iter()
        .map(|(i, ..)| i);
    let ids = ID_NAMES.iter().filter_map(|id| header.find(id));
    for i in periods.chain(impossible).chain(ids) {
        taken[i] = true;
    }
    header
        .names()
        .iter()
        .zip(taken)
        .filter(|(name, taken)| !name.is_empty() && !taken)
        .map(|(n, _)| n.clone())
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
    // Found once, not once per period column (a header may have 100,000 of them).
    let (drug, dimension, category) = (
        header.column("drug"),
        header.column("dimension"),
        header.column("category"),
    );
    let source = header
        .column("source")
        .unwrap_or(FieldSource::Fixed(String::new()));
    Ok(period_columns(header)
        .into_iter()
        .map(|(i, name)| RowSpec {
            indicator: indicator.clone(),
            geo: geo.clone(),
            drug: drug.clone(),
            drug_groups: Vec::new(),
            dimension: dimension.clone(),
            category: category.clone(),
            category_qualifiers: Vec::new(),
            period: FieldSource::Fixed(name.clone()),
            value: FieldSource::Column(i, name),
            unit: unit.clone(),
            source: source.clone(),
            missing: Vec::new(),
            decimal: options.decimal,
            line_items: options.line_items.unwrap_or(LineItems::Reject),
            slug_indicator: false,
        })
        .collect())
}
