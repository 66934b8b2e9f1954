//! Any other CSV or sheet, through a column mapping declared in a small TOML file: which
//! column is the country, drug, period, value, unit (or a fixed unit), which strings mean
//! missing (e.g. `NULL`), the decimal separator and what to do with line items.
//!
//! Read in two steps (STYLE.md): the TOML into [`RawMapping`] with unknown keys refused, then
//! validated into a [`Mapping`]; every error names the file, the key and what is allowed.
//! `data/mappings/arq_seizures.toml` is a commented example.

use std::path::Path;

use serde::Deserialize;

use crate::model::unit::{parse_unit, Decimal};

use super::spec::{FieldSource, Header, RowSpec};
use super::LineItems;
use crate::error::{Error, InputError};
use crate::files::parse_toml;

/// One column name, or several tried in order (`geo = ["ISO Code", "country"]`).
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum Columns {
    One(String),
    Many(Vec<String>),
}

impl Columns {
    fn names(&self) -> Vec<String> {
        match self {
            Columns::One(c) => vec![c.clone()],
            Columns::Many(cs) => cs.clone(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMapping {
    pub description: Option<String>,
    pub indicator: Option<String>,
    pub unit: Option<String>,
    pub source: Option<String>,
    #[serde(default)]
    pub missing: Vec<String>,
    pub decimal: Option<String>,
    pub line_items: Option<String>,
    pub sheet: Option<String>,
    pub columns: RawColumns,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawColumns {
    pub geo: Columns,
    pub drug: Option<String>,
    pub drug_group: Option<Columns>,
    pub period: String,
    pub value: String,
    pub unit: Option<String>,
    pub indicator: Option<String>,
    pub dimension: Option<String>,
    pub category: Option<String>,
    pub source: Option<String>,
}

/// A validated column mapping.
#[derive(Clone, Debug)]
pub struct Mapping {
    pub file: String,
    pub indicator: Result<String, String>,
    pub unit: Result<String, String>,
    pub source: Option<String>,
    pub source_column: Option<String>,
    pub missing: Vec<String>,
    pub decimal: Decimal,
    pub line_items: LineItems,
    pub sheet: Option<String>,
    pub geo: Vec<String>,
    pub drug: Option<String>,
    pub drug_groups: Vec<String>,
    pub period: String,
    pub value: String,
    pub dimension: Option<String>,
    pub category: Option<String>,
}

impl Mapping {
    pub fn load(path: &Path) -> Result<Mapping, Error> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| InputError::Io {
            file: file.clone(),
            message: e.to_string(),
        })?;
        Mapping::parse(&text, &file)
    }

    pub fn parse(text: &str, file: &str) -> Result<Mapping, Error> {
        let bad = |key: &str, message: String| Error::Config {
            file: file.to_string(),
            key: key.to_string(),
            message,
        };
        let raw: RawMapping = parse_toml(text, file)?;
        let c = raw.columns;
        let one_of =
            |key: &str, fixed: Option<String>, column: Option<String>| match (fixed, column) {
                (Some(f), None) => Ok(Ok(f)),
                (None, Some(c)) => Ok(Err(c)),
                (Some(_), Some(_)) => Err(bad(
                    key,
                    format!("give either {key} = \"...\" or columns.{key}, not both"),
                )),
                (None, None) => Err(bad(
                    key,
                    format!(
                        "missing: give a fixed {key} = \"...\" or the column with columns.{key}"
                    ),
                )),
            };
        let indicator = one_of("indicator", raw.indicator, c.indicator)?;
        let unit = one_of("unit", raw.unit, c.unit)?;
        if let Ok(u) = &unit {
            parse_unit(u).map_err(|e| bad("unit", e))?;
        }
        let decimal = match raw.decimal.as_deref() {
            None | Some(".") => Decimal::Point,
            Some(",") => Decimal::Comma,
            Some(other) => {
                return Err(bad(
                    "decimal",
                    format!("'{other}': expected \".\" or \",\""),
                ))
            }
        };
        let line_items = match raw.line_items.as_deref() {
            None => LineItems::Reject,
            Some(s) => LineItems::parse(s).map_err(|e| bad("line_items", e))?,
        };
        let geo = c.geo.names();
        if geo.is_empty() {
            return Err(bad("columns.geo", "give at least one column".into()));
        }
        let _ = raw.description;
        Ok(Mapping {
            file: file.to_string(),
            indicator,
            unit,
            source: raw.source,
            source_column: c.source,
            missing: raw.missing,
            decimal,
            line_items,
            sheet: raw.sheet,
            geo,
            drug: c.drug,
            drug_groups: c.drug_group.map(|g| g.names()).unwrap_or_default(),
            period: c.period,
            value: c.value,
            dimension: c.dimension,
            category: c.category,
        })
    }

    /// Every column the mapping names (the header row must have them all).
    pub fn columns(&self) -> Vec<&str> {
        let mut all: Vec<&str> = self.geo.iter().map(String::as_str).collect();
        all.extend(self.drug_groups.iter().map(String::as_str));
        all.extend([self.period.as_str(), self.value.as_str()]);
        for c in [
            &self.drug,
            &self.dimension,
            &self.category,
            &self.source_column,
        ]
        .into_iter()
        .flatten()
        {
            all.push(c);
        }
        if let Err(c) = &self.indicator {
            all.push(c);
        }
        if let Err(c) = &self.unit {
            all.push(c);
        }
        all
    }

    pub fn spec(&self, header: &Header) -> RowSpec {
        let column = |name: &str| {
            header
                .column(name)
                .unwrap_or(FieldSource::Fixed(String::new()))
        };
        let fixed_or_column = |v: &Result<String, String>| match v {
            Ok(fixed) => FieldSource::Fixed(fixed.clone()),
            Err(col) => column(col),
        };
        let source = match (&self.source_column, &self.source) {
            (Some(c), _) => column(c),
            (None, Some(s)) => FieldSource::Fixed(s.clone()),
            (None, None) => FieldSource::Fixed(String::new()),
        };
        RowSpec {
            indicator: fixed_or_column(&self.indicator),
            geo: self.geo.iter().map(|g| column(g)).collect(),
            drug: self.drug.as_deref().map(column),
            drug_groups: self.drug_groups.iter().map(|g| column(g)).collect(),
            dimension: self.dimension.as_deref().map(column),
            category: self.category.as_deref().map(column),
            category_qualifiers: Vec::new(),
            period: column(&self.period),
            value: column(&self.value),
            unit: fixed_or_column(&self.unit),
            source,
            missing: self.missing.clone(),
            decimal: self.decimal,
            line_items: self.line_items,
            slug_indicator: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_and_bad_values_name_the_key() {
        let base = "[columns]\ngeo = \"c\"\nperiod = \"y\"\nvalue = \"v\"\n";
        let e = Mapping::parse(
            &format!("indicator = \"seizures\"\nunit = \"kg\"\ncolour = 1\n{base}"),
            "m.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("m.toml") && e.contains("colour"), "{e}");
        let e = Mapping::parse(
            &format!("indicator = \"s\"\nunit = \"lb\"\n{base}"),
            "m.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("unit") && e.contains("accepted units"), "{e}");
        let e = Mapping::parse(&format!("unit = \"kg\"\n{base}"), "m.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("indicator"), "{e}");
        let m = Mapping::parse(
            &format!("indicator = \"s\"\nunit = \"kg\"\nline_items = \"sum\"\n{base}"),
            "m.toml",
        )
        .unwrap();
        assert_eq!(m.line_items, LineItems::Sum);
    }
}
