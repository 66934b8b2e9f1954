//! How the columns of a long table become the fields of an observation: a [`RowSpec`] names,
//! for each field, the column it comes from or a fixed value. Every format (canonical, UNODC
//! export, CTS, column mapping) is a way of building a `RowSpec` from a header; one function,
//! [`SpecReader::entry`], turns a row into an observation or a reject with its reason.

// A reject carries the file, row, column, value and reason by value: it is the common path for
// bad rows, and boxing it would cost the same allocation per reject.
#![allow(clippy::result_large_err)]

use std::borrow::Cow;
use std::rc::Rc;

use crate::model::observation::{Entry, Strings};
use crate::model::reference::match_key;
use crate::model::unit::{parse_number, parse_unit, Decimal, Unit};
use crate::model::{Period, Reference};

use super::table::{Cell, RawTable};
use super::{LineItems, Reject, MISSING_VALUE};

/// Where one field's value comes from.
#[derive(Clone, Debug)]
pub enum FieldSource {
    /// The column at this index, with its header name for messages.
    Column(usize, String),
    Fixed(String),
}

impl FieldSource {
    /// Its cell in a row of `table` (by index).
    fn cell<'a>(&'a self, table: &'a RawTable, row: usize) -> Cow<'a, Cell> {
        match self {
            FieldSource::Column(column, _) => Cow::Borrowed(table.cell(row, *column)),
            FieldSource::Fixed(v) => Cow::Owned(Cell::Text(v.clone())),
        }
    }

    /// The column name for messages.
    fn name(&self) -> &str {
        match self {
            FieldSource::Column(_, name) => name,
            FieldSource::Fixed(_) => "(fixed)",
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
            let t = cell.as_text();
            let t = t.trim();
            self.missing.iter().any(|m| m.eq_ignore_ascii_case(t))
        }
    }

    /// How this spec reads the rows of `table`: each field's distinct cells are worked out
    /// once (names resolved, periods and units parsed, labels checked) and every row then
    /// looks its cells up.
    pub fn reader<'a>(&'a self, table: &'a RawTable, reference: &'a Reference) -> SpecReader<'a> {
        SpecReader {
            spec: self,
            table,
            reference,
            indicator: Memo::default(),
            geo: self.geo.iter().map(|_| Memo::default()).collect(),
            drug: Memo::default(),
            drug_groups: self.drug_groups.iter().map(|_| Memo::default()).collect(),
            dimension: Memo::default(),
            category: Memo::default(),
            qualifiers: self
                .category_qualifiers
                .iter()
                .map(|_| Memo::default())
                .collect(),
            period: Memo::default(),
            unit: Memo::default(),
            source: Memo::default(),
        }
    }
}

/// A value that is not what its field needs, with why: shared by every row of that cell.
#[derive(Debug)]
struct Refusal {
    value: String,
    reason: String,
}

type Checked<T> = Result<T, Rc<Refusal>>;

fn refused<T>(value: impl Into<String>, reason: impl Into<String>) -> Checked<T> {
    Err(Rc::new(Refusal {
        value: value.into(),
        reason: reason.into(),
    }))
}

/// A text field's cell: missing (with the cell's text, for messages), or its text as an id.
#[derive(Clone, Debug)]
enum Text {
    Missing(Rc<str>),
    Value(u32),
}

/// A drug cell: missing, its key, or a name the taxonomy lacks (then the drug group columns
/// decide, or the name as a group key).
#[derive(Clone, Debug)]
enum DrugCell {
    Missing,
    Key(u32),
    Unknown {
        name: Rc<str>,
        not_found: Rc<str>,
        as_group: Option<u32>,
    },
}

/// A geo cell: missing, its code, or a name that is none (with why).
#[derive(Clone, Debug)]
enum GeoCell {
    Missing,
    Code(u32),
    Unknown(Rc<str>, Rc<str>),
}

/// One result per distinct cell of a field's column (one slot for a fixed value), filled on
/// first use.
#[derive(Debug)]
struct Memo<T> {
    slots: Vec<Option<T>>,
}

impl<T> Default for Memo<T> {
    fn default() -> Self {
        Memo { slots: Vec::new() }
    }
}

impl<T: Clone> Memo<T> {
    fn get(
        &mut self,
        table: &RawTable,
        source: &FieldSource,
        row: usize,
        work: impl FnOnce(&Cell) -> T,
    ) -> T {
        let (slot, size) = match source {
            FieldSource::Column(column, _) => {
                (table.id(row, *column) as usize, table.distinct(*column))
            }
            FieldSource::Fixed(_) => (0, 1),
        };
        if self.slots.len() < size {
            self.slots.resize_with(size, || None);
        }
        if let Some(known) = &self.slots[slot] {
            return known.clone();
        }
        let value = work(&source.cell(table, row));
        self.slots[slot] = Some(value.clone());
        value
    }
}

/// A [`RowSpec`] reading the rows of one table ([`RowSpec::reader`]).
pub struct SpecReader<'a> {
    spec: &'a RowSpec,
    table: &'a RawTable,
    reference: &'a Reference,
    indicator: Memo<Checked<Text>>,
    geo: Vec<Memo<GeoCell>>,
    drug: Memo<Checked<DrugCell>>,
    drug_groups: Vec<Memo<Option<u32>>>,
    dimension: Memo<Checked<Text>>,
    category: Memo<Checked<Text>>,
    qualifiers: Vec<Memo<Checked<Text>>>,
    period: Memo<Checked<Period>>,
    unit: Memo<Checked<(Unit, f64)>>,
    source: Memo<Checked<Text>>,
}

impl SpecReader<'_> {
    /// Turns one data row (by index) into an entry, or a reject naming the column, value and
    /// reason: the first failing check, in the order indicator, geo, drug, dimension,
    /// category, its qualifiers, period, unit, value, source. `problem` is a reading problem
    /// of the row (rejected whole); `file` is the file's id in `strings`.
    pub fn entry(
        &mut self,
        row: usize,
        problem: Option<&str>,
        file: u32,
        strings: &mut Strings,
    ) -> Result<Entry, Reject> {
        let (spec, table, reference) = (self.spec, self.table, self.reference);
        let reject =
            |column: &str, value: &str, reason: String| table.reject(row, column, value, reason);
        let refusal = |source: &FieldSource, r: Rc<Refusal>| {
            reject(source.name(), &r.value, r.reason.clone())
        };
        if let Some(problem) = problem {
            let text: Vec<String> = table.cells(row).map(Cell::text).collect();
            return Err(reject("", &text.join("|"), problem.to_string()));
        }
        // A text field: missing, an error cell (refused), or its trimmed text; `label`
        // says whether it names a series (NFKC, no invisible characters).
        let text = |cell: &Cell, label_it: bool, strings: &mut Strings| -> Checked<Text> {
            if spec.is_missing(cell) {
                return Ok(Text::Missing(cell.text().into()));
            }
            if let Cell::Error(e) = cell {
                return refused(e, format!("error cell {e}"));
            }
            let trimmed = cell.as_text();
            let trimmed = trimmed.trim();
            if !label_it {
                return Ok(Text::Value(strings.id(trimmed)));
            }
            match label(trimmed) {
                Ok(l) => Ok(Text::Value(strings.id(&l))),
                Err(why) => refused(trimmed, why),
            }
        };
        let required = |source: &FieldSource, t: Checked<Text>| -> Result<u32, Reject> {
            match t.map_err(|r| refusal(source, r))? {
                Text::Value(id) => Ok(id),
                Text::Missing(value) => Err(reject(
                    source.name(),
                    &value,
                    format!("missing required field '{}'", source.name()),
                )),
            }
        };
        let optional = |source: &FieldSource, t: Checked<Text>| -> Result<Option<u32>, Reject> {
            match t.map_err(|r| refusal(source, r))? {
                Text::Value(id) => Ok(Some(id)),
                Text::Missing(_) => Ok(None),
            }
        };

        let slug_it = spec.slug_indicator;
        let indicator = self.indicator.get(table, &spec.indicator, row, |cell| {
            let t = text(cell, true, strings)?;
            Ok(match t {
                Text::Value(id) if slug_it => Text::Value(strings.id(&slug(strings.get(id)))),
                other => other,
            })
        });
        let indicator = required(&spec.indicator, indicator)?;

        let mut geo = None;
        let mut geo_error = None;
        for (source, memo) in spec.geo.iter().zip(&mut self.geo) {
            let resolved = memo.get(table, source, row, |cell| {
                if spec.is_missing(cell) {
                    return GeoCell::Missing;
                }
                let name = cell.text();
                match reference.resolve_geo(&name) {
                    Ok(code) => GeoCell::Code(strings.id(code)),
                    Err(reason) => GeoCell::Unknown(name.into(), reason.into()),
                }
            });
            match resolved {
                GeoCell::Missing => continue,
                GeoCell::Code(code) => {
                    geo = Some(code);
                    break;
                }
                GeoCell::Unknown(value, reason) => {
                    geo_error.get_or_insert((source.name(), value, reason));
                }
            }
        }
        let geo = match (geo, geo_error) {
            (Some(g), _) => g,
            (None, Some((column, value, reason))) => {
                return Err(reject(column, &value, reason.to_string()))
            }
            (None, None) => {
                let (column, value) = match spec.geo.first() {
                    Some(source) => (source.name(), source.cell(table, row).text()),
                    None => ("(fixed)", String::new()),
                };
                return Err(reject(
                    column,
                    &value,
                    format!("missing required field '{column}'"),
                ));
            }
        };

        let drug = match &spec.drug {
            None => None,
            Some(source) => {
                let cell = self.drug.get(table, source, row, |cell| {
                    let Text::Value(id) = text(cell, false, strings)? else {
                        return Ok(DrugCell::Missing);
                    };
                    let name = strings.get(id).to_string();
                    Ok(match reference.resolve_drug(&name) {
                        Ok(key) => DrugCell::Key(strings.id(key)),
                        Err(not_found) => DrugCell::Unknown {
                            // A drug group key or name is accepted as the drug of an
                            // aggregate figure, when no group column names a known group.
                            as_group: reference.resolve_group(&name).ok().map(|g| strings.id(g)),
                            name: name.into(),
                            not_found: not_found.into(),
                        },
                    })
                });
                match cell.map_err(|r| refusal(source, r))? {
                    DrugCell::Missing => None,
                    DrugCell::Key(key) => Some(key),
                    DrugCell::Unknown {
                        name,
                        not_found,
                        as_group,
                    } => {
                        // UNODC files name new substances under known groups: the first
                        // group column naming a group gives its fallback drug.
                        let mut fallback = None;
                        for (group_source, memo) in
                            spec.drug_groups.iter().zip(&mut self.drug_groups)
                        {
                            fallback = memo.get(table, group_source, row, |cell| {
                                let group = reference.resolve_group(&cell.text()).ok()?;
                                let g = reference.group(group)?;
                                Some(strings.id(&g.fallback_drug))
                            });
                            if fallback.is_some() {
                                break;
                            }
                        }
                        match fallback.or(as_group) {
                            Some(key) => Some(key),
                            None => {
                                return Err(reject(source.name(), &name, not_found.to_string()))
                            }
                        }
                    }
                }
            }
        };
        let dimension = match &spec.dimension {
            None => None,
            Some(source) => {
                let t = self
                    .dimension
                    .get(table, source, row, |cell| text(cell, true, strings));
                optional(source, t)?
            }
        };
        let mut category = match &spec.category {
            None => None,
            Some(source) => {
                let t = self
                    .category
                    .get(table, source, row, |cell| text(cell, true, strings));
                optional(source, t)?
            }
        };
        for (source, memo) in spec.category_qualifiers.iter().zip(&mut self.qualifiers) {
            let t = memo.get(table, source, row, |cell| text(cell, true, strings));
            if let Some(v) = optional(source, t)? {
                let v = strings.get(v);
                if v.eq_ignore_ascii_case("total") {
                    continue;
                }
                let name = source.name().to_lowercase();
                let base = category.map_or("Total", |c| strings.get(c));
                let qualified = format!("{base}; {name}={v}");
                category = Some(strings.id(&qualified));
            }
        }

        let period_column = spec.period.name();
        let period = self
            .period
            .get(table, &spec.period, row, |cell| match cell {
                Cell::Date(d) => refused(d, "a date where a year or quarter belongs"),
                c if spec.is_missing(c) => {
                    refused("", format!("missing required field '{period_column}'"))
                }
                c => {
                    let t = c.as_text();
                    Period::parse(&t).or_else(|r| refused(t.as_ref(), r))
                }
            });
        let period = period.map_err(|r| refusal(&spec.period, r))?;

        let unit = self.unit.get(table, &spec.unit, row, |cell| {
            let Text::Value(id) = text(cell, false, strings)? else {
                return refused(
                    cell.text(),
                    format!("missing required field '{}'", spec.unit.name()),
                );
            };
            let unit_text = strings.get(id);
            parse_unit(unit_text).or_else(|r| refused(unit_text, r))
        });
        let (unit, factor) = unit.map_err(|r| refusal(&spec.unit, r))?;

        let value_column = spec.value.name();
        let value_cell = spec.value.cell(table, row);
        let raw = match value_cell.as_ref() {
            c if spec.is_missing(c) => {
                return Err(reject(value_column, &c.text(), MISSING_VALUE.into()))
            }
            Cell::Number(v) => *v,
            Cell::Error(e) => return Err(reject(value_column, e, format!("error cell {e}"))),
            Cell::Date(d) => {
                return Err(reject(
                    value_column,
                    d,
                    "a date where a number belongs".into(),
                ))
            }
            c => {
                let t = c.as_text();
                parse_number(&t, spec.decimal)
                    .map_err(|r| reject(value_column, &t, r))?
                    .unwrap_or(f64::NAN)
            }
        };
        let value = raw * factor;
        if !value.is_finite() {
            return Err(reject(
                value_column,
                &value_cell.text(),
                "not a finite number".into(),
            ));
        }
        if value < 0.0 {
            return Err(reject(
                value_column,
                &value_cell.text(),
                "negative value: seizures and counts cannot be negative".into(),
            ));
        }

        let source = self
            .source
            .get(table, &spec.source, row, |cell| text(cell, false, strings));
        let source = optional(&spec.source, source)?.unwrap_or(file);
        Ok(Entry {
            indicator,
            geo,
            drug,
            dimension,
            category,
            period,
            value,
            unit,
            source,
            source_file: file,
            source_row: table.row_number(row),
            source_rows: None,
        })
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
