//! The observation table: one row per (series, period), the grain of everything downstream.
//!
//! Columns and types are those of DESIGN.md "The observation table", plus one lineage
//! column, `source_rows`, that lists every input row behind an observation when line items
//! were summed into it (the UNODC export has several rows for one key). The table is built
//! here from [`Entry`]s, ids into one dictionary of texts ([`ObservationTable`]), and sorted
//! by series then time; reading and writing files is ingest's job.

use polars::prelude::*;
use polars_arrow::array::MutableBinaryViewArray;
use rayon::prelude::*;

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

/// Texts held once: the dictionary behind the text columns of an [`ObservationTable`] (ids
/// in the order first seen).
#[derive(Clone, Debug, Default)]
pub struct Strings {
    texts: Vec<Box<str>>,
    ids: std::collections::HashMap<Box<str>, u32, foldhash::fast::FixedState>,
}

impl Strings {
    /// The id of a text, added when new.
    pub fn id(&mut self, text: &str) -> u32 {
        if let Some(&id) = self.ids.get(text) {
            return id;
        }
        // Fewer than 2^32 texts: a table file is at most 1 GiB, and seizure records are
        // summed into series before their texts come here.
        let id = u32::try_from(self.texts.len()).unwrap_or(u32::MAX);
        self.texts.push(text.into());
        self.ids.insert(text.into(), id);
        id
    }

    pub fn get(&self, id: u32) -> &str {
        &self.texts[id as usize]
    }

    /// Each id's place in the byte order of the texts: comparing ranks compares texts.
    pub fn ranks(&self) -> Vec<u32> {
        let mut order: Vec<u32> = (0..self.texts.len() as u32).collect();
        order.sort_unstable_by(|a, b| self.get(*a).cmp(self.get(*b)));
        let mut ranks = vec![0u32; order.len()];
        for (rank, id) in order.into_iter().enumerate() {
            ranks[id as usize] = rank as u32;
        }
        ranks
    }
}

/// One observation as ids into its table's [`Strings`]: 64 bytes, nothing on the heap.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Entry {
    pub indicator: u32,
    pub geo: u32,
    pub drug: Option<u32>,
    pub dimension: Option<u32>,
    pub category: Option<u32>,
    pub period: Period,
    pub value: f64,
    pub unit: Unit,
    pub source: u32,
    pub source_file: u32,
    pub source_row: u32,
    /// Every input row behind it, when that is not just `source_row` (line items summed, or
    /// the lineage of an observation table read as input).
    pub source_rows: Option<u32>,
}

/// The key of an [`Entry`]: its series and period as ids.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EntryKey {
    pub indicator: u32,
    pub geo: u32,
    pub drug: Option<u32>,
    pub dimension: Option<u32>,
    pub category: Option<u32>,
    pub unit: Unit,
    pub period: Period,
}

impl Entry {
    /// The input rows behind it, `;`-joined.
    pub fn source_rows(&self, strings: &Strings) -> String {
        let mut text = String::new();
        self.write_source_rows(strings, &mut text);
        text
    }

    /// Appends [`Entry::source_rows`] to `out`.
    pub fn write_source_rows(&self, strings: &Strings, out: &mut String) {
        match self.source_rows {
            Some(id) => out.push_str(strings.get(id)),
            None => write_display(out, &self.source_row),
        }
    }

    pub fn key(&self) -> EntryKey {
        EntryKey {
            indicator: self.indicator,
            geo: self.geo,
            drug: self.drug,
            dimension: self.dimension,
            category: self.category,
            unit: self.unit,
            period: self.period,
        }
    }
}

impl EntryKey {
    /// A sort key that orders as [`ObservationKey`] does, given the texts' [`Strings::ranks`].
    pub fn ranked(&self, ranks: &[u32]) -> RankedKey {
        let rank = |id: u32| ranks[id as usize];
        (
            rank(self.indicator),
            rank(self.geo),
            self.drug.map(rank),
            self.dimension.map(rank),
            self.category.map(rank),
            self.unit,
            self.period,
        )
    }

    /// The key with its texts.
    pub fn resolve(&self, strings: &Strings) -> ObservationKey {
        let text = |id: u32| strings.get(id).to_string();
        ObservationKey {
            indicator: text(self.indicator),
            geo: text(self.geo),
            drug: self.drug.map(text),
            dimension: self.dimension.map(text),
            category: self.category.map(text),
            unit: self.unit,
            period: self.period,
        }
    }
}

/// [`EntryKey::ranked`].
pub type RankedKey = (
    u32,
    u32,
    Option<u32>,
    Option<u32>,
    Option<u32>,
    Unit,
    Period,
);

/// The observations of an ingest as [`Entry`]s over one dictionary of texts: what readers
/// hand to the table writer ([`ObservationTable::to_frame`]) without a string per cell.
#[derive(Clone, Debug, Default)]
pub struct ObservationTable {
    pub strings: Strings,
    pub entries: Vec<Entry>,
}

impl ObservationTable {
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// An observation as an entry of this table (its texts added to the dictionary).
    pub fn entry_of(&mut self, o: &Observation) -> Entry {
        let s = &mut self.strings;
        let source_rows = (o.source_rows != o.source_row.to_string()).then(|| s.id(&o.source_rows));
        Entry {
            indicator: s.id(&o.indicator),
            geo: s.id(&o.geo),
            drug: o.drug.as_deref().map(|t| s.id(t)),
            dimension: o.dimension.as_deref().map(|t| s.id(t)),
            category: o.category.as_deref().map(|t| s.id(t)),
            period: o.period,
            value: o.value,
            unit: o.unit,
            source: s.id(&o.source),
            source_file: s.id(&o.source_file),
            source_row: o.source_row,
            source_rows,
        }
    }

    /// Another table's entries with ids of this table's dictionary (its texts added).
    pub fn entries_of(&mut self, other: &ObservationTable) -> Vec<Entry> {
        let ids: Vec<u32> = other
            .strings
            .texts
            .iter()
            .map(|t| self.strings.id(t))
            .collect();
        let id = |i: u32| ids[i as usize];
        other
            .entries
            .iter()
            .map(|e| Entry {
                indicator: id(e.indicator),
                geo: id(e.geo),
                drug: e.drug.map(id),
                dimension: e.dimension.map(id),
                category: e.category.map(id),
                source: id(e.source),
                source_file: id(e.source_file),
                source_rows: e.source_rows.map(id),
                ..*e
            })
            .collect()
    }

    pub fn push(&mut self, o: &Observation) {
        let entry = self.entry_of(o);
        self.entries.push(entry);
    }

    /// An entry as an observation with its own strings (for tests and small paths).
    pub fn observation(&self, e: &Entry) -> Observation {
        let text = |id: u32| self.strings.get(id).to_string();
        Observation {
            indicator: text(e.indicator),
            geo: text(e.geo),
            drug: e.drug.map(text),
            dimension: e.dimension.map(text),
            category: e.category.map(text),
            period: e.period,
            value: e.value,
            unit: e.unit,
            source: text(e.source),
            source_file: text(e.source_file),
            source_row: e.source_row,
            source_rows: e.source_rows(&self.strings),
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = Observation> + '_ {
        self.entries.iter().map(|e| self.observation(e))
    }

    /// The entries in the table's order: by series (nulls first), then x, as
    /// [`sort_by_series`] orders a frame (texts in byte order, ties in entry order).
    fn sorted(&self) -> Vec<&Entry> {
        let ranks = self.strings.ranks();
        let rank = |id: u32| ranks[id as usize];
        let series = |e: &Entry| {
            (
                rank(e.indicator),
                rank(e.geo),
                e.drug.map(rank),
                e.dimension.map(rank),
                e.category.map(rank),
                e.period.freq().code(),
                e.unit.code(),
            )
        };
        let mut sorted: Vec<&Entry> = self.entries.iter().collect();
        sorted.par_sort_by(|a, b| {
            series(a)
                .cmp(&series(b))
                .then(a.period.x().total_cmp(&b.period.x()))
        });
        sorted
    }

    /// Builds the observation table, sorted by series (nulls first) then x: each column
    /// from the entries in order (the columns in parallel), the texts read from the
    /// dictionary.
    pub fn to_frame(&self) -> PolarsResult<DataFrame> {
        let entries = self.sorted();
        let strings = &self.strings;
        // Every text once, in one buffer: a text column is views into it (16 bytes a row),
        // its texts not copied row by row.
        let texts = MutableBinaryViewArray::<str>::from_values_iter(strings.texts.iter()).freeze();
        let view = |name: &str, f: &dyn Fn(&Entry) -> Option<u32>| -> Column {
            let mut column = MutableBinaryViewArray::<str>::with_capacity(entries.len());
            for e in &entries {
                match f(e) {
                    Some(id) => column.push_view(texts.views()[id as usize], texts.data_buffers()),
                    None => column.push_null(),
                }
            }
            StringChunked::with_chunk(name.into(), column.freeze()).into_column()
        };
        let text = |name: &str, f: fn(&Entry) -> u32| view(name, &|e| Some(f(e)));
        let fixed = |name: &str, f: fn(&Entry) -> &'static str| -> Column {
            StringChunked::from_iter_values(name.into(), entries.iter().map(|e| f(e))).into_column()
        };
        // A text written per entry, through one buffer (no string allocated per row).
        let written = |name: &str, write: &dyn Fn(&Entry, &mut String)| -> Column {
            let mut column = StringChunkedBuilder::new(name.into(), entries.len());
            let mut buffer = String::new();
            for e in &entries {
                buffer.clear();
                write(e, &mut buffer);
                column.append_value(&buffer);
            }
            column.finish().into_column()
        };
        type Build<'a> = Box<dyn Fn() -> Column + Send + Sync + 'a>;
        let builds: Vec<Build> = vec![
            Box::new(|| text("indicator", |e| e.indicator)),
            Box::new(|| text("geo", |e| e.geo)),
            Box::new(|| view("drug", &|e| e.drug)),
            Box::new(|| view("dimension", &|e| e.dimension)),
            Box::new(|| view("category", &|e| e.category)),
            Box::new(|| written("period", &|e, out| write_display(out, &e.period))),
            Box::new(|| fixed("freq", |e| e.period.freq().code())),
            Box::new(|| {
                let x: Vec<f64> = entries.iter().map(|e| e.period.x()).collect();
                Column::new("x".into(), x)
            }),
            Box::new(|| {
                let value: Vec<f64> = entries.iter().map(|e| e.value).collect();
                Column::new("value".into(), value)
            }),
            Box::new(|| fixed("unit", |e| e.unit.code())),
            Box::new(|| text("source", |e| e.source)),
            Box::new(|| text("source_file", |e| e.source_file)),
            Box::new(|| {
                let row: Vec<u32> = entries.iter().map(|e| e.source_row).collect();
                Column::new("source_row".into(), row)
            }),
            Box::new(|| written("source_rows", &|e, out| e.write_source_rows(strings, out))),
        ];
        let columns: Vec<Column> = builds.par_iter().map(|build| build()).collect();
        DataFrame::new_infer_height(columns)
    }
}

/// Appends a value's `Display` text to a string.
fn write_display(out: &mut String, value: &impl std::fmt::Display) {
    use std::fmt::Write;
    // Writing into a String cannot fail.
    let _ = write!(out, "{value}");
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

#[cfg(test)]
mod tests {
    use super::*;

    fn observation(
        key: (&str, &str, Option<&str>, Option<&str>),
        period: &str,
        unit: Unit,
    ) -> Observation {
        let (indicator, geo, drug, category) = (key.0, key.1, key.2, key.3);
        Observation {
            indicator: indicator.into(),
            geo: geo.into(),
            drug: drug.map(str::to_string),
            dimension: category.map(|_| "stage".to_string()),
            category: category.map(str::to_string),
            period: Period::parse(period).unwrap(),
            value: 1.0,
            unit,
            source: "s".into(),
            source_file: "f.csv".into(),
            source_row: 2,
            source_rows: "2".into(),
        }
    }

    #[test]
    fn the_table_comes_in_the_order_polars_sorts_it() {
        // Nulls, quarters beside years, units and texts whose first-seen order is not
        // their byte order (`Z` < `a`, `é` after `z`).
        let mut table = ObservationTable::default();
        for (key, period, unit) in [
            (("seizures", "KAZ", Some("opium"), None), "2017", Unit::Kg),
            (("seizures", "KAZ", None, None), "2016", Unit::Kg),
            (
                ("seizures", "KAZ", Some("heroin"), Some("border")),
                "2016",
                Unit::Kg,
            ),
            (
                ("seizures", "KAZ", Some("heroin"), None),
                "2016Q2",
                Unit::Kg,
            ),
            (
                ("seizures", "KAZ", Some("heroin"), None),
                "2016",
                Unit::Count,
            ),
            (("seizures", "KAZ", Some("heroin"), None), "2015", Unit::Kg),
            (("seizures", "AFG", Some("é"), None), "2016", Unit::Kg),
            (("seizures", "AFG", Some("z"), None), "2016", Unit::Kg),
            (("Zeta", "TJK", Some("heroin"), None), "2016Q1", Unit::Kg),
            (
                ("seizures", "KAZ", Some("heroin"), Some("inland")),
                "2016",
                Unit::Kg,
            ),
        ] {
            table.push(&observation(key, period, unit));
        }
        let frame = table.to_frame().unwrap();
        let sorted = sort_by_series(frame.clone().lazy()).collect().unwrap();
        assert!(frame.equals_missing(&sorted), "{frame}\n{sorted}");
        assert_eq!(frame.height(), 10);
    }
}
