//! The canonical long CSV: `indicator,geo,drug,dimension,category,period,value,unit,source`,
//! one row per observation. `geo` and `drug` take codes, names or aliases; `period` is `2016`
//! or `2017Q1`; `unit` is any unit that converts (g, kg, t, count, share, percent...).
//! `drug`, `dimension`, `category` and `source` may be absent.

use super::spec::{FieldSource, Header, RowSpec};
use super::{IngestOptions, LineItems};

pub const REQUIRED: [&str; 5] = ["indicator", "geo", "period", "value", "unit"];

pub fn matches(header: &Header) -> bool {
    header.has_all(&REQUIRED)
}

pub fn spec(header: &Header, options: &IngestOptions) -> RowSpec {
    let column = |name: &str| header.column(name);
    let required = |name: &str| column(name).unwrap_or(FieldSource::Fixed(String::new()));
    RowSpec {
        indicator: required("indicator"),
        geo: vec![required("geo")],
        drug: column("drug"),
        drug_groups: Vec::new(),
        dimension: column("dimension"),
        category: column("category"),
        category_qualifiers: Vec::new(),
        period: required("period"),
        value: required("value"),
        unit: required("unit"),
        source: column("source").unwrap_or(FieldSource::Fixed(String::new())),
        missing: Vec::new(),
        decimal: options.decimal,
        line_items: options.line_items.unwrap_or(LineItems::Reject),
        slug_indicator: false,
    }
}
