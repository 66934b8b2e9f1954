//! The observation table: one row per (series, period), the grain of everything downstream.
//!
//! Columns and types are those of DESIGN.md "The observation table", plus one lineage
//! column, `source_rows`, that lists every input row behind an observation when line items
//! were summed into it (the UNODC export has several rows for one key). The table is built
//! here from [`Entry`]s, ids into one dictionary of texts ([`ObservationTable`]), and sorted
//! by series then time; reading and writing files is ingest's job.

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

    pub fn push(&mut self, o: &Observation) {
        let entry = self.entry_of(o);
        self.entries.push(entry);
    }

    /// The input rows behind an entry, `;`-joined.
    pub fn source_rows(&self, e: &Entry) -> String {
        match e.source_rows {
            Some(id) => self.strings.get(id).to_string(),
            None => e.source_row.to_string(),
        }
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
            source_rows: self.source_rows(e),
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = Observation> + '_ {
        self.entries.iter().map(|e| self.observation(e))
    }

    /// Builds the observation table, sorted by series (nulls first) then x: one column at
    /// a time from the entries, the texts read from the dictionary.
    pub fn to_frame(&self) -> PolarsResult<DataFrame> {
        let entries = &self.entries;
        let strings = &self.strings;
        let text = |f: fn(&Entry) -> u32| -> Column {
            StringChunked::from_iter_values("".into(), entries.iter().map(|e| strings.get(f(e))))
                .into_column()
        };
        let optional = |f: fn(&Entry) -> Option<u32>| -> Column {
            StringChunked::from_iter(entries.iter().map(|e| f(e).map(|id| strings.get(id))))
                .into_column()
        };
        let fixed = |f: fn(&Entry) -> &'static str| -> Column {
            StringChunked::from_iter_values("".into(), entries.iter().map(f)).into_column()
        };
        let periods = StringChunked::from_iter_values(
            "".into(),
            entries.iter().map(|e| e.period.to_string()),
        );
        let source_rows =
            StringChunked::from_iter_values("".into(), entries.iter().map(|e| self.source_rows(e)));
        let columns = vec![
            text(|e| e.indicator).with_name("indicator".into()),
            text(|e| e.geo).with_name("geo".into()),
            optional(|e| e.drug).with_name("drug".into()),
            optional(|e| e.dimension).with_name("dimension".into()),
            optional(|e| e.category).with_name("category".into()),
            periods.into_column().with_name("period".into()),
            fixed(|e| e.period.freq().code()).with_name("freq".into()),
            Column::new(
                "x".into(),
                entries.iter().map(|e| e.period.x()).collect::<Vec<f64>>(),
            ),
            Column::new(
                "value".into(),
                entries.iter().map(|e| e.value).collect::<Vec<f64>>(),
            ),
            fixed(|e| e.unit.code()).with_name("unit".into()),
            text(|e| e.source).with_name("source".into()),
            text(|e| e.source_file).with_name("source_file".into()),
            Column::new(
                "source_row".into(),
                entries.iter().map(|e| e.source_row).collect::<Vec<u32>>(),
            ),
            source_rows.into_column().with_name("source_rows".into()),
        ];
        let frame = DataFrame::new_infer_height(columns)?;
        sort_by_series(frame.lazy()).collect()
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
