//! How the columns of a long table become the fields of an observation: a [`RowSpec`] names,
//! for each field, the column it comes from or a fixed value. Every format (canonical, UNODC
//! export, CTS, column mapping) is a way of building a `RowSpec` from a header; one function,
//! [`RowSpec::observation`], turns a row into an observation or a reject with its reason.

// A reject carries the file, row, column, value and reason by value: it is the common path for
// bad rows, and boxing it would cost the same allocation per reject.
#![allow(clippy::result_large_err)]

use crate::model::reference::match_key;
use crate::model::unit::{parse_number, parse_unit, Decimal};
use crate::model::{Observation, Period, Reference};

use super::table::{Cell, RawRow};
use super::{LineItems, Reject, MISSING_VALUE};

/// Where one field's value comes from.
#[derive(Clone, Debug)]
pub enum FieldSource {
    /// The column at this index, with its header name for messages.
    Column(usize, String),
    Fixed(String),
}

impl FieldSource {
    fn cell(&self, row: &RawRow) -> (String, Cell) {
        match self {
            FieldSource::Column(i, name) => (
                name.clone(),
                row.cells.get(*i).cloned().unwrap_or(Cell::Empty),
            ),
            FieldSource::Fixed(v) => ("(fixed)".to_string(), Cell::Text(v.clone())),
        }
    }
}

/// How to read each observation field from a row of a long table.
#[derive(Clone, Debug)]
pub struct RowSpec {
    pub indicator: FieldSource,
    /// Columns tried in order: the first non-missing one names the country or region.
    pub geo: Vec<FieldSource>,
    pub drug: Option<FieldSource>,
    /// Drug group columns (e.g. DrugSubGroup, DrugGroup) whose fallback drug is used when
    /// the drug name is not in the taxonomy.
    pub drug_groups: Vec<FieldSource>,
    pub dimension: Option<FieldSource>,
    pub category: Option<FieldSource>,
    /// Further breakdown columns (CTS Sex, Age): a value other than "Total" is appended to
    /// the category as `; name=value`.
    pub category_qualifiers: Vec<FieldSource>,
    pub period: FieldSource,
    pub value: FieldSource,
    pub unit: FieldSource,
    pub source: FieldSource,
    /// Strings that mean "no value" (compared after trimming, case-insensitive).
    pub missing: Vec<String>,
    pub decimal: Decimal,
    pub line_items: LineItems,
    /// Text fields such as the indicator are made snake_case (CTS "Drug trafficking" ->
    /// `drug_trafficking`).
    pub slug_indicator: bool,
}

/// Makes a free-text label into a key: lower case, runs of other characters as one `_`.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.trim().to_lowercase().chars() {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_string()
}

impl RowSpec {
    fn is_missing(&self, cell: &Cell) -> bool {
        cell.is_empty() || {
            let t = cell.text();
            let t = t.trim();
            self.missing.iter().any(|m| m.eq_ignore_ascii_case(t))
        }
    }

    /// Turns one data row into an observation, or a reject naming the column, value and reason.
    pub fn observation(
        &self,
        row: &RawRow,
        file: &str,
        sheet: Option<&str>,
        reference: &Reference,
    ) -> Result<Observation, Reject> {
        let reject = |column: &str, value: &str, reason: String| Reject {
            file: file.to_string(),
            sheet: sheet.map(str::to_string),
            row: row.row,
            column: column.to_string(),
            value: value.to_string(),
            reason,
            missing: false,
        };
        if let Some(problem) = &row.problem {
            let text: Vec<String> = row.cells.iter().map(Cell::text).collect();
            return Err(reject("", &text.join("|"), problem.clone()));
        }
        let text_field = |source: &FieldSource, required: bool| -> Result<Option<String>, Reject> {
            let (column, cell) = source.cell(row);
            if self.is_missing(&cell) {
                return if required {
                    Err(reject(
                        &column,
                        &cell.text(),
                        format!("missing required field '{column}'"),
                    ))
                } else {
                    Ok(None)
                };
            }
            match cell {
                Cell::Error(e) => Err(reject(&column, &e, format!("error cell {e}"))),
                c => Ok(Some(c.text().trim().to_string())),
            }
        };

        // A label names a series: NFKC-normalised, and refused with an invisible character.
        let label_field =
            |source: &FieldSource, required: bool| -> Result<Option<String>, Reject> {
                text_field(source, required)?
                    .map(|text| label(&text).map_err(|why| reject(&source.cell(row).0, &text, why)))
                    .transpose()
            };
        let indicator = label_field(&self.indicator, true)?.unwrap_or_default();
        let indicator = if self.slug_indicator {
            slug(&indicator)
        } else {
            indicator
        };

        let mut geo = None;
        let mut geo_error = None;
        for source in &self.geo {
            let (column, cell) = source.cell(row);
            if self.is_missing(&cell) {
                continue;
            }
            match reference.resolve_geo(&cell.text()) {
                Ok(code) => {
                    geo = Some(code.to_string());
                    break;
                }
                Err(reason) => {
                    geo_error.get_or_insert((column, cell.text(), reason));
                }
            }
        }
        let geo = match (geo, geo_error) {
            (Some(g), _) => g,
            (None, Some((column, value, reason))) => return Err(reject(&column, &value, reason)),
            (None, None) => {
                let fallback = FieldSource::Fixed(String::new());
                let (column, cell) = self.geo.first().unwrap_or(&fallback).cell(row);
                return Err(reject(
                    &column,
                    &cell.text(),
                    format!("missing required field '{column}'"),
                ));
            }
        };

        let drug = match &self.drug {
            None => None,
            Some(source) => match text_field(source, false)? {
                None => None,
                Some(name) => Some(
                    self.resolve_drug(&name, row, reference)
                        .map_err(|reason| reject(&source.cell(row).0, &name, reason))?,
                ),
            },
        };
        let dimension = self
            .dimension
            .as_ref()
            .map(|s| label_field(s, false))
            .transpose()?
            .flatten();
        let mut category = self
            .category
            .as_ref()
            .map(|s| label_field(s, false))
            .transpose()?
            .flatten();
        for source in &self.category_qualifiers {
            if let Some(v) =
                label_field(source, false)?.filter(|v| !v.eq_ignore_ascii_case("total"))
            {
                let name = source.cell(row).0.to_lowercase();
                let base = category.take().unwrap_or_else(|| "Total".to_string());
                category = Some(format!("{base}; {name}={v}"));
            }
        }

        let (period_column, period_cell) = self.period.cell(row);
        let period = match &period_cell {
            Cell::Date(d) => {
                return Err(reject(
                    &period_column,
                    d,
                    "a date where a year or quarter belongs".into(),
                ))
            }
            c if self.is_missing(c) => {
                return Err(reject(
                    &period_column,
                    "",
                    format!("missing required field '{period_column}'"),
                ))
            }
            c => Period::parse(&c.text()).map_err(|r| reject(&period_column, &c.text(), r))?,
        };

        let unit_text = text_field(&self.unit, true)?.unwrap_or_default();
        let (unit, factor) =
            parse_unit(&unit_text).map_err(|r| reject(&self.unit.cell(row).0, &unit_text, r))?;

        let (value_column, value_cell) = self.value.cell(row);
        let raw = match &value_cell {
            c if self.is_missing(c) => {
                return Err(reject(&value_column, &c.text(), MISSING_VALUE.into()))
            }
            Cell::Number(v) => *v,
            Cell::Error(e) => return Err(reject(&value_column, e, format!("error cell {e}"))),
            Cell::Date(d) => {
                return Err(reject(
                    &value_column,
                    d,
                    "a date where a number belongs".into(),
                ))
            }
            c => parse_number(&c.text(), self.decimal)
                .map_err(|r| reject(&value_column, &c.text(), r))?
                .unwrap_or(f64::NAN),
        };
        let value = raw * factor;
        if !value.is_finite() {
            return Err(reject(
                &value_column,
                &value_cell.text(),
                "not a finite number".into(),
            ));
        }
        if value < 0.0 {
            return Err(reject(
                &value_column,
                &value_cell.text(),
                "negative value: seizures and counts cannot be negative".into(),
            ));
        }

        let source = text_field(&self.source, false)?.unwrap_or_else(|| file.to_string());
        Ok(Observation {
            indicator,
            geo,
            drug,
            dimension,
            category,
            period,
            value,
            unit,
            source,
            source_file: file.to_string(),
            source_row: row.row,
            source_rows: row.row.to_string(),
        })
    }

    /// A drug name resolves to its key; failing that, a drug group column resolves to the
    /// group's fallback drug (UNODC files name new substances under known groups).
    fn resolve_drug(
        &self,
        name: &str,
        row: &RawRow,
        reference: &Reference,
    ) -> Result<String, String> {
        let not_found = match reference.resolve_drug(name) {
            Ok(key) => return Ok(key.to_string()),
            Err(reason) => reason,
        };
        for group_source in &self.drug_groups {
            let (_, cell) = group_source.cell(row);
            if let Ok(group) = reference.resolve_group(&cell.text()) {
                if let Some(g) = reference.group(group) {
                    return Ok(g.fallback_drug.clone());
                }
            }
        }
        // A drug group key or name is accepted as the drug of an aggregate figure.
        reference
            .resolve_group(name)
            .map(str::to_string)
            .map_err(|_| not_found)
    }
}

/// Format characters (Unicode General_Category Cf, Unicode 16.0): invisible, they would make
/// `seizures` and `seizures` + U+200B two series. Zero-width and joiner characters, bidi
/// embeddings, overrides and isolates, the BOM, word joiners, invisible operators,
/// interlinear annotations, tag characters and the Arabic and Syriac marks.
fn is_format_char(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{0600}'..='\u{0605}' | '\u{061C}' | '\u{06DD}' | '\u{070F}'
        | '\u{0890}'..='\u{0891}' | '\u{08E2}' | '\u{180E}' | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}'
        | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}' | '\u{110BD}' | '\u{110CD}'
        | '\u{13430}'..='\u{1343F}' | '\u{1BCA0}'..='\u{1BCA3}' | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0001}' | '\u{E0020}'..='\u{E007F}')
}

/// A series label (indicator, dimension, category) as one text per meaning: NFKC-normalised
/// (full-width `ｓｅｉｚｕｒｅｓ` is `seizures`, `ﬁ` is `fi`), and refused with the reason when
/// it holds a control or format character (zero-width, bidi control), which would otherwise
/// make a new series that looks like an existing one.
pub fn label(text: &str) -> Result<String, String> {
    use unicode_normalization::UnicodeNormalization;
    if let Some(c) = text.chars().find(|c| c.is_control() || is_format_char(*c)) {
        return Err(format!(
            "contains the invisible character U+{:04X}: remove it (it would make a separate series that looks like another)",
            c as u32
        ));
    }
    Ok(text.nfkc().collect())
}

/// Finds columns by name in a header row (names folded as for reference data).
pub struct Header {
    names: Vec<String>,
    folded: Vec<String>,
}

impl Header {
    pub fn new(cells: &[Cell]) -> Header {
        let names: Vec<String> = cells.iter().map(|c| c.text().trim().to_string()).collect();
        let folded = names.iter().map(|n| match_key(n)).collect();
        Header { names, folded }
    }

    pub fn find(&self, name: &str) -> Option<usize> {
        let want = match_key(name);
        self.folded.iter().position(|f| *f == want)
    }

    /// The first two columns whose names fold to the same key (`value` and ` Value `), if
    /// any; empty names are not compared.
    pub fn duplicate(&self) -> Option<(usize, usize)> {
        let mut seen = std::collections::HashMap::new();
        for (i, key) in self.folded.iter().enumerate() {
            if key.is_empty() {
                continue;
            }
            if let Some(&first) = seen.get(key.as_str()) {
                return Some((first, i));
            }
            seen.insert(key.as_str(), i);
        }
        None
    }

    pub fn has_all(&self, names: &[&str]) -> bool {
        names.iter().all(|n| self.find(n).is_some())
    }

    pub fn column(&self, name: &str) -> Option<FieldSource> {
        self.find(name)
            .map(|i| FieldSource::Column(i, self.names[i].clone()))
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }
}
