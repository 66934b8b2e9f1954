//! The UNODC crime and criminal-justice (CTS) export: preamble rows, then
//! `Iso3_code | Country | Region | Subregion | Indicator | Dimension | Category | Sex | Age |
//! Year | Unit of measurement | VALUE | Source` (GLOTIP files say `txtVALUE`), CSV or xlsx.
//!
//! `Indicator` becomes a snake_case indicator key ("Persons arrested" -> `persons_arrested`);
//! `Dimension` and `Category` are kept as printed. Sex and Age, when not "Total", are folded
//! into the category as `Category; sex=Female; age=Adult` so that no two rows of one series
//! collide. Units: "Counts" -> `count`, "Rate per 100,000 population" -> `rate_per_100k`.

use super::spec::{FieldSource, Header, RowSpec};
use super::{IngestOptions, LineItems};

pub const REQUIRED: [&str; 13] = [
    "Iso3_code",
    "Country",
    "Region",
    "Subregion",
    "Indicator",
    "Dimension",
    "Category",
    "Sex",
    "Age",
    "Year",
    "Unit of measurement",
    "VALUE",
    "Source",
];

/// The columns this reader uses and cannot do without (`VALUE` may be `txtVALUE`).
pub const REQUIRED_USED: [&str; 4] = ["Iso3_code", "Indicator", "Year", "Unit of measurement"];

pub fn matches(header: &Header) -> bool {
    header.has_all(&["Iso3_code", "Indicator", "Year", "Unit of measurement"])
        && (header.find("VALUE").is_some() || header.find("txtVALUE").is_some())
}

pub fn spec(header: &Header, options: &IngestOptions) -> RowSpec {
    let required = |name: &str| {
        header
            .column(name)
            .unwrap_or(FieldSource::Fixed(String::new()))
    };
    let value = header.column("VALUE").or_else(|| header.column("txtVALUE"));
    RowSpec {
        indicator: required("Indicator"),
        geo: vec![required("Iso3_code"), required("Country")],
        drug: None,
        drug_groups: Vec::new(),
        dimension: header.column("Dimension"),
        category: header.column("Category"),
        category_qualifiers: ["Sex", "Age"]
            .iter()
            .filter_map(|c| header.column(c))
            .collect(),
        period: required("Year"),
        value: value.unwrap_or(FieldSource::Fixed(String::new())),
        unit: required("Unit of measurement"),
        source: header
            .column("Source")
            .unwrap_or(FieldSource::Fixed("UNODC CTS".into())),
        missing: vec!["..".into(), "NA".into()],
        decimal: options.decimal,
        line_items: options.line_items.unwrap_or(LineItems::Reject),
        slug_indicator: true,
    }
}
