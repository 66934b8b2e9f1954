//! The UNODC data-portal drug-seizure export (World Drug Report annex "Drug seizures,
//! 2018-2022", sheet `Export`): a title row, then
//! `Region | SubRegion | Country | DrugGroup | DrugSubGroup | DrugName | Reference year |
//! Kilograms | msCode`, one row per country, drug name and year.
//!
//! Line items: the export has several rows for one (country, DrugName, year), e.g. Kenya
//! heroin 2019 as 41, 0 and 1 kg, or three substances reported under "Other precursors".
//! They are parts of one reported quantity, so by default they are summed into one
//! observation whose `source_rows` lists every row (override with `line_items = "reject"`).
//! A DrugName missing from the taxonomy falls under its DrugSubGroup or DrugGroup's fallback
//! drug. An empty Kilograms cell is rejected as a missing value.

use super::spec::{FieldSource, Header, RowSpec};
use super::{IngestOptions, LineItems};

pub const REQUIRED: [&str; 9] = [
    "Region",
    "SubRegion",
    "Country",
    "DrugGroup",
    "DrugSubGroup",
    "DrugName",
    "Reference year",
    "Kilograms",
    "msCode",
];

pub fn matches(header: &Header) -> bool {
    header.has_all(&["DrugName", "Reference year", "Kilograms"])
}

/// `title` is the workbook's title row (e.g. "Drug seizures, 2018-2022"), kept in `source`.
pub fn spec(header: &Header, options: &IngestOptions, title: Option<&str>) -> RowSpec {
    let required = |name: &str| {
        header
            .column(name)
            .unwrap_or(FieldSource::Fixed(String::new()))
    };
    let source = match title {
        Some(t) => format!("UNODC data portal export \"{t}\""),
        None => "UNODC data portal drug seizures export".to_string(),
    };
    RowSpec {
        indicator: FieldSource::Fixed("seizures".into()),
        geo: vec![required("msCode"), required("Country")],
        drug: Some(required("DrugName")),
        drug_groups: vec![required("DrugSubGroup"), required("DrugGroup")],
        dimension: None,
        category: None,
        category_qualifiers: Vec::new(),
        period: required("Reference year"),
        value: required("Kilograms"),
        unit: FieldSource::Fixed("kg".into()),
        source: FieldSource::Fixed(source),
        missing: Vec::new(),
        decimal: options.decimal,
        line_items: options.line_items.unwrap_or(LineItems::Sum),
        slug_indicator: false,
    }
}
