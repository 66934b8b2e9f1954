//! Ingest: input files in their many formats -> the observation table and its rejects.
//!
//! Each reader (one module per format) says how a header's columns become observation fields
//! ([`spec::RowSpec`]); this module finds the header, applies the spec to every row, checks
//! key uniqueness across rows and files, and accounts for every row: each ends in the table
//! (alone, or summed with its line items) or in the rejects with file, row, column, value and
//! reason. `records read = kept + rejected + exact duplicates + missing`, per file.

pub mod canonical;
pub mod cts;
pub mod mapping;
pub mod merge;
pub mod observations;
pub mod output;
pub mod records;
pub mod spec;
pub mod synth;
pub mod table;
pub mod unodc_export;
pub mod wide;

use std::borrow::Cow;

use sha2::{Digest, Sha256};

use crate::analysis::series::Window;
use crate::error::{Error, InputError};
use crate::model::observation::{Entry, EntryKey, ObservationTable};
use crate::model::unit::Decimal;
use crate::model::{Observation, Reference};

use mapping::Mapping;
use merge::{resolve_keys, Conflict, InputRule, Merge, Record, Superseded};
use spec::{Header, RowSpec};
use table::{read_table, Cell, RawTable};

/// How many leading rows are searched for the header (titles and preambles come first).
const HEADER_SEARCH_ROWS: usize = 20;

/// What to do with several rows for one (series, period) in one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineItems {
    /// Parts of one reported figure: summed into one observation, every row in the lineage.
    Sum,
    /// Equal values are exact duplicates (kept once); different values reject every row.
    Reject,
}

impl LineItems {
    pub fn parse(text: &str) -> Result<LineItems, String> {
        match text {
            "sum" => Ok(LineItems::Sum),
            "reject" => Ok(LineItems::Reject),
            other => Err(format!("'{other}': expected \"sum\" or \"reject\"")),
        }
    }
}

/// The input formats routetrend reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Canonical,
    UnodcExport,
    Cts,
    Wide,
    Mapping,
    Records,
    /// An observation table (Parquet) written by `ingest` or a run.
    Observations,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Canonical => "canonical",
            Format::UnodcExport => "unodc_export",
            Format::Cts => "cts",
            Format::Wide => "wide",
            Format::Mapping => "mapping",
            Format::Records => "records",
            Format::Observations => "observations",
        }
    }

    fn expected_header(self) -> String {
        match self {
            Format::Canonical => canonical::REQUIRED.join(","),
            Format::UnodcExport => unodc_export::REQUIRED.join(" | "),
            Format::Cts => cts::REQUIRED.join(" | "),
            Format::Wide => "geo (or country) then one column per year (2015, 2016, ...)".into(),
            Format::Mapping => "the columns named in the mapping file".into(),
            Format::Records => records::REQUIRED.join(","),
            Format::Observations => "a Parquet observation table written by routetrend".into(),
        }
    }

    /// Columns the format cannot do without (checked once its header row is found).
    fn required(self) -> &'static [&'static str] {
        match self {
            Format::Canonical => &canonical::REQUIRED,
            Format::UnodcExport => &unodc_export::REQUIRED,
            Format::Cts => &cts::REQUIRED_USED,
            Format::Records => &records::REQUIRED,
            Format::Wide | Format::Mapping | Format::Observations => &[],
        }
    }

    fn matches(self, header: &Header, mapping: Option<&Mapping>) -> bool {
        match self {
            Format::Canonical => canonical::matches(header),
            Format::UnodcExport => unodc_export::matches(header),
            Format::Cts => cts::matches(header),
            Format::Wide => wide::matches(header),
            Format::Mapping => mapping.is_some_and(|m| header.has_all(&m.columns())),
            Format::Records => header.has_all(&records::REQUIRED),
            Format::Observations => false,
        }
    }
}

/// Options of one ingest.
#[derive(Clone, Debug, Default)]
pub struct IngestOptions {
    /// Force a format instead of detecting it from the header.
    pub format: Option<Format>,
    pub mapping: Option<Mapping>,
    pub decimal: Decimal,
    /// Override the format's line-item policy.
    pub line_items: Option<LineItems>,
    pub sheet: Option<String>,
    /// Fixed indicator and unit for wide tables without those columns.
    pub indicator: Option<String>,
    pub unit: Option<String>,
    /// What an empty value cell is.
    pub missing: Missing,
    /// Only these periods are taken from the input; the others are counted as outside the
    /// input's periods (default: every period).
    pub periods: Window,
    /// What several rows of one key with different values are.
    pub conflict: Conflict,
}

/// An input row (or wide-table cell) that did not become an observation, and why.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Reject {
    pub file: String,
    pub sheet: Option<String>,
    pub row: u32,
    pub column: String,
    pub value: String,
    pub reason: String,
    /// An empty value cell counted as missing (not an error), listed for lineage.
    #[serde(skip)]
    pub missing: bool,
}

/// The reason of a value cell that is empty (or one of the file's missing markers).
pub const MISSING_VALUE: &str = "missing value";

/// What an empty value cell is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Missing {
    /// A missing value: counted in the summary's `missing`, listed in rejects.csv with
    /// reason "missing value", and no error under `--strict` (the default: real exports
    /// have empty cells).
    #[default]
    Count,
    /// A rejected record like any other.
    Reject,
}

impl Missing {
    pub fn parse(text: &str) -> Result<Missing, String> {
        match text {
            "count" => Ok(Missing::Count),
            "reject" => Ok(Missing::Reject),
            other => Err(format!("'{other}': expected \"count\" or \"reject\"")),
        }
    }
}

/// Per-file accounting: `records = kept + rejected + exact_duplicates + missing +
/// superseded + outside_periods`.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct FileSummary {
    pub file: String,
    pub sheet: Option<String>,
    pub format: String,
    pub sha256: String,
    /// Data rows read (long formats), or non-empty period cells (wide tables).
    pub records: u64,
    pub kept: u64,
    pub rejected: u64,
    pub exact_duplicates: u64,
    /// Records whose value cell is empty: listed in rejects.csv, not errors.
    pub missing: u64,
    /// Records that lost to another row of their key (`[merge] prefer`, the tolerance, or
    /// `conflict = "last"`): listed in superseded.csv.
    pub superseded: u64,
    /// Records of periods outside the input's `periods`: counted, not read further.
    pub outside_periods: u64,
    /// Kept records that were summed into another record's observation.
    pub line_items_summed: u64,
    /// Observations this file contributed.
    pub observations: u64,
    pub warnings: Vec<String>,
}

impl FileSummary {
    /// Every record's bucket added up: equals `records` for every file read.
    pub fn accounted(&self) -> u64 {
        self.kept
            + self.rejected
            + self.exact_duplicates
            + self.missing
            + self.superseded
            + self.outside_periods
    }
}

/// The result of ingesting a set of files.
#[derive(Debug, Default)]
pub struct Ingested {
    pub observations: ObservationTable,
    /// Every record that did not become an observation, missing values included.
    pub rejects: Vec<Reject>,
    /// Rows whose key kept another row's value.
    pub superseded: Vec<Superseded>,
    pub files: Vec<FileSummary>,
}

impl Ingested {
    /// Every observation, one struct each (for tests and small paths).
    pub fn observations(&self) -> impl Iterator<Item = Observation> + '_ {
        self.observations.iter()
    }

    /// The rejected records, missing values not counted.
    pub fn errors(&self) -> impl Iterator<Item = &Reject> {
        self.rejects.iter().filter(|r| !r.missing)
    }

    /// Whether rows were rejected or superseded: what `--strict` refuses.
    pub fn lost_rows(&self) -> bool {
        self.errors().next().is_some() || !self.superseded.is_empty()
    }
}

/// One input file with how to read it.
#[derive(Clone, Debug)]
pub struct InputFile {
    /// The input's id, named by `[merge] prefer` and in messages (default: the file stem).
    pub id: String,
    /// The path as given (recorded in lineage and messages).
    pub name: String,
    pub path: std::path::PathBuf,
    pub options: IngestOptions,
}

/// The largest table file (CSV or spreadsheet) read: tables are read whole, so a bigger file
/// is refused before any of it is read. Seizure records files stream and have no limit.
pub const MAX_TABLE_BYTES: u64 = 1024 * 1024 * 1024;

/// Refuses an input that is not a regular file (a FIFO, device or folder would hang or fail
/// the run), before anything reads it.
pub fn check_regular(path: &std::path::Path, display: &str) -> Result<(), InputError> {
    let meta = std::fs::metadata(path).map_err(|e| InputError::Io {
        file: display.to_string(),
        message: e.to_string(),
    })?;
    if meta.is_file() {
        Ok(())
    } else {
        Err(InputError::Unreadable {
            file: display.to_string(),
            message: format!(
                "not a regular file (a {}): inputs must be files",
                if meta.is_dir() {
                    "folder"
                } else {
                    "FIFO, socket or device"
                }
            ),
        })
    }
}

/// Reads a table file whole, within [`MAX_TABLE_BYTES`]; a CSV is refused at its first NUL
/// byte (binary content) while it is read, not after.
fn read_table_file(input: &InputFile) -> Result<Vec<u8>, InputError> {
    use std::io::Read;
    let io = |e: std::io::Error| InputError::Io {
        file: input.name.clone(),
        message: e.to_string(),
    };
    let size = std::fs::metadata(&input.path).map_err(io)?.len();
    if size > MAX_TABLE_BYTES {
        return Err(InputError::Unreadable {
            file: input.name.clone(),
            message: format!(
                "{size} bytes: a table file may have at most {} MiB (seizure records files, format records, stream and have no limit)",
                MAX_TABLE_BYTES >> 20
            ),
        });
    }
    let csv = !table::is_spreadsheet(&input.path);
    let mut file = std::fs::File::open(&input.path).map_err(io)?;
    let mut bytes = Vec::with_capacity(size as usize);
    loop {
        // A mebibyte at a time, straight into the buffer.
        let start = bytes.len();
        let n = (&mut file)
            .take(1 << 20)
            .read_to_end(&mut bytes)
            .map_err(io)?;
        if n == 0 {
            return Ok(bytes);
        }
        if csv && memchr::memchr(0, &bytes[start..]).is_some() {
            return Err(InputError::Unreadable {
                file: input.name.clone(),
                message: table::NUL_BYTES.into(),
            });
        }
        if bytes.len() as u64 > MAX_TABLE_BYTES {
            return Err(InputError::Unreadable {
                file: input.name.clone(),
                message: format!("grew beyond {} MiB while read", MAX_TABLE_BYTES >> 20),
            });
        }
    }
}

/// Ingests files in order. A whole-file problem stops with an error naming the file; row
/// problems become rejects.
pub fn ingest_files(
    inputs: &[InputFile],
    reference: &Reference,
    merge: &Merge,
) -> Result<Ingested, Error> {
    for input in inputs {
        check_regular(&input.path, &input.name)?;
    }
    // Observation tables (Parquet) are read as they are; seizure records are aggregated by
    // a streaming query, never read whole into memory.
    let detected = |i: &InputFile, format: Format, is: fn(&std::path::Path) -> bool| {
        i.options.format == Some(format)
            || (i.options.format.is_none() && i.options.mapping.is_none() && is(&i.path))
    };
    let (records, rest): (Vec<&InputFile>, Vec<&InputFile>) = inputs
        .iter()
        .partition(|i| detected(i, Format::Records, records::is_records));
    // Every other input in the order given (the merge ranks unlisted inputs by it).
    let mut sources: Vec<(&InputFile, Source)> = Vec::with_capacity(rest.len());
    for input in rest {
        let source = if detected(
            input,
            Format::Observations,
            observations::is_observation_table,
        ) {
            let sha256 = sha256_file(&input.path).map_err(|e| InputError::Io {
                file: input.name.clone(),
                message: e.to_string(),
            })?;
            Source::Observations(observations::read_observations(input, reference)?, sha256)
        } else {
            Source::Table(Cow::Owned(read_table_file(input)?), Some(&input.path))
        };
        sources.push((input, source));
    }
    let mut ingested = ingest_sources(sources, reference, merge)?;
    // Seizure records are summed into observations on their own: their keys must be new
    // (the keys before them are gathered only when there are records to check them).
    let mut seen: std::collections::HashSet<EntryKey, foldhash::fast::FixedState> =
        if records.is_empty() {
            Default::default()
        } else {
            ingested
                .observations
                .entries
                .iter()
                .map(|e| e.key())
                .collect()
        };
    let mut records = records.into_iter().peekable();
    while let Some(input) = records.next() {
        // A period filter, a conflict rule or a rank would leave the per-record accounting
        // without a home.
        let refused = if input.options.periods != Window::default() {
            Some("periods")
        } else if input.options.conflict != Conflict::Reject {
            Some("conflict")
        } else if merge.prefer.contains(&input.id) {
            Some("[merge] prefer")
        } else {
            None
        };
        if let Some(what) = refused {
            return Err(Error::Usage(format!(
                "{}: {what} cannot be given for seizure records (format records), which are aggregated on their own: filter the observations with the pipeline's windows instead",
                input.name
            )));
        }
        let (observations, rejects, summary) =
            records::ingest_records(&input.path, &input.name, reference, input.options.missing)?;
        let table = &mut ingested.observations;
        let entries = table.entries_of(&observations);
        let shared: Vec<String> = entries
            .iter()
            .map(|e| e.key())
            .filter(|k| seen.contains(k))
            .map(|k| merge::key_text(&k.resolve(&table.strings)))
            .collect();
        if let Some(first) = shared.first() {
            return Err(Error::Conflict(format!(
                "{}: {} key(s) of these seizure records are also given by another input (first: {first}): records are aggregated on their own, not merged with other inputs; take those places and periods from one input only",
                input.name,
                shared.len()
            )));
        }
        if records.peek().is_some() {
            seen.extend(entries.iter().map(|e| e.key()));
        }
        table.entries.extend(entries);
        ingested.rejects.extend(rejects);
        ingested.files.push(summary);
    }
    // The summaries in the order the inputs were given.
    ingested
        .files
        .sort_by_key(|f| inputs.iter().position(|i| i.name == f.file));
    Ok(ingested)
}

/// What tells a file's content has not changed without reading it: its size, modification
/// time and inode.
type Stamp = (u64, Option<std::time::SystemTime>, u64);

fn stamp(path: &std::path::Path) -> Option<Stamp> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.len(), meta.modified().ok(), meta.ino()))
}

/// The hashes of the files read in this process, with their stamps when hashed.
static HASHES: std::sync::Mutex<std::collections::BTreeMap<std::path::PathBuf, (Stamp, String)>> =
    std::sync::Mutex::new(std::collections::BTreeMap::new());

fn known_hash(path: &std::path::Path, now: Stamp) -> Option<String> {
    let hashes = HASHES.lock().ok()?;
    hashes
        .get(path)
        .filter(|(then, _)| *then == now)
        .map(|(_, hash)| hash.clone())
}

fn remember_hash(path: &std::path::Path, stamp: Stamp, hash: &str) {
    if let Ok(mut hashes) = HASHES.lock() {
        hashes.insert(path.to_path_buf(), (stamp, hash.to_string()));
    }
}

/// Hex SHA-256 of a file, read in blocks (records files can be gigabytes). A file hashed
/// before in this process and unchanged since (same size, modification time and inode) is
/// not read again: a run checks its inputs before and after each stage, and ingest records
/// the hash of the bytes it read, so each input is hashed once.
pub fn sha256_file(path: &std::path::Path) -> std::io::Result<String> {
    use std::io::Read;
    let before = stamp(path);
    if let Some(hash) = before.and_then(|s| known_hash(path, s)) {
        return Ok(hash);
    }
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    let hash = hex(&hasher.finalize());
    // Remembered only when the file did not change while it was read.
    if let Some(s) = before.filter(|s| stamp(path) == Some(*s)) {
        remember_hash(path, s, &hash);
    }
    Ok(hash)
}

/// The hash of `bytes`, just read whole from `path`: the one known for the file when it
/// has not changed since it was hashed and has as many bytes, else computed.
fn sha256_read(path: &std::path::Path, bytes: &[u8]) -> String {
    let now = stamp(path).filter(|s| s.0 == bytes.len() as u64);
    if let Some(hash) = now.and_then(|s| known_hash(path, s)) {
        return hash;
    }
    let hash = sha256_hex(bytes);
    if let Some(s) = now {
        remember_hash(path, s, &hash);
    }
    hash
}

/// Ingests files already in memory (the fuzz targets call this directly).
pub fn ingest_bytes(
    sources: &[(&InputFile, &[u8])],
    reference: &Reference,
    merge: &Merge,
) -> Result<Ingested, Error> {
    let sources = sources
        .iter()
        .map(|(input, bytes)| {
            let source = Source::Table(Cow::Borrowed(*bytes), None);
            (*input, source)
        })
        .collect();
    ingest_sources(sources, reference, merge)
}

/// An input ready to ingest: a table file's bytes (and the file they were read from, whose
/// hash may be known), or an observation table's rows and hash.
enum Source<'a> {
    Table(Cow<'a, [u8]>, Option<&'a std::path::Path>),
    Observations(Vec<Result<Observation, Reject>>, String),
}

/// Table files in memory and observation tables already read, in input order -> one
/// observation per key.
fn ingest_sources(
    sources: Vec<(&InputFile, Source)>,
    reference: &Reference,
    merge: &Merge,
) -> Result<Ingested, Error> {
    let mut out = Ingested::default();
    let mut records = Vec::new();
    let mut rules: Vec<InputRule> = Vec::new();
    for (file_index, (input, source)) in sources.into_iter().enumerate() {
        let summary = match source {
            Source::Table(bytes, path) => {
                let table = (input, bytes.as_ref(), path);
                read_table_source(file_index, table, reference, &mut records, &mut out)?
            }
            Source::Observations(rows, sha256) => {
                read_observation_source(file_index, input, rows, sha256, &mut records, &mut out)
            }
        };
        out.files.push(summary);
        rules.push(InputRule::of(input));
    }
    resolve_keys(records, &rules, merge, &mut out)?;
    Ok(out)
}

/// One table file's rows: records to merge, rejects and missing values into `out`, rows
/// outside the input's periods counted. Returns the file's summary so far.
fn read_table_source(
    file_index: usize,
    (input, bytes, path): (&InputFile, &[u8], Option<&std::path::Path>),
    reference: &Reference,
    records: &mut Vec<Record>,
    out: &mut Ingested,
) -> Result<FileSummary, Error> {
    let (display, options) = (&input.name, &input.options);
    let sheet = options
        .sheet
        .as_deref()
        .or(options.mapping.as_ref().and_then(|m| m.sheet.as_deref()));
    let spreadsheet = table::is_spreadsheet(&input.path);
    // The bytes are hashed while they are read.
    let (sha256, table) = rayon::join(
        || path.map_or_else(|| sha256_hex(bytes), |path| sha256_read(path, bytes)),
        || read_table(bytes, spreadsheet, display, sheet),
    );
    let table = table?;
    let mut summary = FileSummary {
        file: display.clone(),
        sheet: table.sheet.clone(),
        sha256,
        ..FileSummary::default()
    };
    let layout = layout(&table, options, &mut summary)?;
    let file = out.observations.strings.id(display);
    let mut readers: Vec<_> = layout
        .specs
        .iter()
        .map(|spec| (spec.reader(&table, reference), spec.line_items))
        .collect();
    let header = layout.header.names();
    let wide = layout.format == Format::Wide;
    let mut sums = false;
    records.reserve(table.len().saturating_sub(layout.first_row));
    let mut route = |result: Result<Entry, Reject>,
                     line_items: LineItems,
                     summary: &mut FileSummary,
                     out: &mut Ingested| {
        match result {
            Ok(entry) => {
                sums |= line_items == LineItems::Sum;
                if options.periods.contains(&entry.period) {
                    records.push(Record::new(file_index, entry.source_row, entry, line_items));
                } else {
                    summary.outside_periods += 1;
                }
            }
            Err(mut reject) => {
                reject.missing =
                    reject.reason == MISSING_VALUE && options.missing == Missing::Count;
                if reject.missing {
                    summary.missing += 1;
                } else {
                    summary.rejected += 1;
                }
                out.rejects.push(reject);
            }
        }
    };
    for row in layout.first_row..table.len() {
        let width = table.width(row);
        let problem = match table.problem(row) {
            Some(p) => Some(Cow::Borrowed(p)),
            None if table.sheet.is_none() && width != header.len() => Some(Cow::Owned(format!(
                "expected {} fields as in the header, found {width}",
                header.len()
            ))),
            None => None,
        };
        let repeats_header = width == header.len()
            && table
                .cells(row)
                .zip(header)
                .all(|(cell, name)| cell.as_text().trim() == name);
        if repeats_header {
            let value = header.join("|");
            let reason = "the header repeated inside the data".into();
            let reject = table.reject(row, "", &value, reason);
            summary.records += 1;
            route(Err(reject), LineItems::Reject, &mut summary, out);
            continue;
        }
        if wide && problem.is_none() {
            for (i, name, why) in &layout.impossible_periods {
                let cell = table.cell(row, *i);
                if cell.is_empty() {
                    continue;
                }
                summary.records += 1;
                let reason = format!("column '{name}' is not a period ({why})");
                let reject = table.reject(row, name, &cell.as_text(), reason);
                route(Err(reject), LineItems::Reject, &mut summary, out);
            }
        }
        for (spec, (reader, line_items)) in layout.specs.iter().zip(&mut readers) {
            if wide && problem.is_none() {
                if let spec::FieldSource::Column(i, _) = &spec.value {
                    if table.cell(row, *i).is_empty() {
                        continue; // an empty period cell in a wide table is a gap
                    }
                }
            }
            summary.records += 1;
            let result = reader.entry(row, problem.as_deref(), file, &mut out.observations.strings);
            route(result, *line_items, &mut summary, out);
            if problem.is_some() {
                break; // one reject for an unreadable row, not one per period column
            }
        }
    }
    if options.conflict == Conflict::Last && sums {
        return Err(Error::Usage(format!(
            "{display}: conflict = \"last\" keeps one row of a key, but this file's format ({}) sums the line items of a key: give the input line_items = \"reject\" as well",
            summary.format
        )));
    }
    Ok(summary)
}

/// One observation table's rows, as [`read_table_source`] does for a table file.
fn read_observation_source(
    file_index: usize,
    input: &InputFile,
    rows: Vec<Result<Observation, Reject>>,
    sha256: String,
    records: &mut Vec<Record>,
    out: &mut Ingested,
) -> FileSummary {
    let mut summary = FileSummary {
        file: input.name.clone(),
        format: Format::Observations.name().into(),
        sha256,
        records: rows.len() as u64,
        ..FileSummary::default()
    };
    for (i, row) in rows.into_iter().enumerate() {
        match row {
            Ok(o) if !input.options.periods.contains(&o.period) => summary.outside_periods += 1,
            Ok(observation) => {
                let entry = out.observations.entry_of(&observation);
                let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
                records.push(Record::new(file_index, row, entry, LineItems::Reject));
            }
            Err(reject) => {
                summary.rejected += 1;
                out.rejects.push(reject);
            }
        }
    }
    summary
}

/// How a table's rows are read: found from its header.
struct Layout {
    format: Format,
    header: Header,
    /// The first data row (after the header).
    first_row: usize,
    specs: Vec<RowSpec>,
    /// Wide tables: columns written as periods that are none (index, name, why).
    impossible_periods: Vec<(usize, String, String)>,
}

/// Finds the header row and format, and how each data row becomes an observation.
fn layout(
    table: &RawTable,
    options: &IngestOptions,
    summary: &mut FileSummary,
) -> Result<Layout, Error> {
    let (header_index, format) = find_header(table, options)?;
    summary.format = format.name().to_string();
    let header_cells: Vec<Cell> = table.cells(header_index).cloned().collect();
    let header = Header::new(&header_cells);
    if let Some((first, second)) = header.duplicate() {
        let name = &header.names()[first];
        return Err(InputError::Unreadable {
            file: table.file.clone(),
            message: format!(
                "header row {}: columns {} and {} are both '{name}' (as '{}'): which one holds the data is ambiguous; rename or remove one",
                table.row_number(header_index),
                first + 1,
                second + 1,
                header.names()[second]
            ),
        }
        .into());
    }
    if let Some(missing) = format.required().iter().find(|c| header.find(c).is_none()) {
        return Err(InputError::MissingColumn {
            file: table.file.clone(),
            format: format.name().into(),
            missing: missing.to_string(),
            expected: format.expected_header(),
            found: header.names().join(", "),
        }
        .into());
    }
    // A CSV splits an unquoted title at its commas: join the pieces back.
    let title = (header_index > 0).then(|| {
        let pieces: Vec<String> = table
            .cells(0)
            .filter(|c| !c.is_empty())
            .map(Cell::text)
            .collect();
        pieces.join(",").trim().to_string()
    });
    let specs: Vec<RowSpec> = match format {
        Format::Canonical => vec![canonical::spec(&header, options)],
        Format::UnodcExport => vec![unodc_export::spec(&header, options, title.as_deref())],
        Format::Cts => vec![cts::spec(&header, options)],
        Format::Mapping => match &options.mapping {
            Some(m) => vec![m.spec(&header)],
            None => {
                return Err(Error::Config {
                    file: table.file.clone(),
                    key: "--format mapping".into(),
                    message: "the mapping format needs --mapping FILE.toml".into(),
                })
            }
        },
        Format::Records | Format::Observations => {
            return Err(Error::Config {
                file: table.file.clone(),
                key: format!("--format {}", format.name()),
                message: "seizure records and observation tables are read from a file on disk, not from memory"
                    .into(),
            })
        }
        Format::Wide => {
            let ignored = wide::ignored_columns(&header);
            if !ignored.is_empty() {
                summary
                    .warnings
                    .push(format!("columns ignored: {}", ignored.join(", ")));
            }
            wide::specs(&header, options, &table.file)?
        }
    };
    if header_index > 0 {
        summary.warnings.push(format!(
            "header found on row {}; {header_index} row(s) above it skipped as title/preamble",
            table.row_number(header_index)
        ));
    }
    let impossible_periods = match format {
        Format::Wide => wide::impossible_period_columns(&header),
        _ => Vec::new(),
    };
    Ok(Layout {
        format,
        header,
        first_row: header_index + 1,
        specs,
        impossible_periods,
    })
}

fn find_header(table: &RawTable, options: &IngestOptions) -> Result<(usize, Format), Error> {
    let formats: Vec<Format> = match (options.format, &options.mapping) {
        (Some(f), _) => vec![f],
        (None, Some(_)) => vec![Format::Mapping],
        (None, None) => vec![
            Format::UnodcExport,
            Format::Cts,
            Format::Canonical,
            Format::Wide,
        ],
    };
    for i in 0..table.len().min(HEADER_SEARCH_ROWS) {
        let cells: Vec<Cell> = table.cells(i).cloned().collect();
        let header = Header::new(&cells);
        if let Some(f) = formats
            .iter()
            .find(|f| f.matches(&header, options.mapping.as_ref()))
        {
            return Ok((i, *f));
        }
    }
    let first_row = if table.is_empty() {
        "(the file has no rows)".into()
    } else {
        table.cells(0).map(Cell::text).collect::<Vec<_>>().join(",")
    };
    if let [format] = formats.as_slice() {
        let wanted = match (format, &options.mapping) {
            (Format::Mapping, Some(m)) => m.columns().join(", "),
            _ => format.expected_header(),
        };
        return Err(InputError::MissingColumn {
            file: table.file.clone(),
            format: format.name().into(),
            missing: "(header row)".into(),
            expected: format!("a header row with {wanted} in the first {HEADER_SEARCH_ROWS} rows"),
            found: first_row,
        }
        .into());
    }
    let expected = formats
        .iter()
        .map(|f| format!("{} ({})", f.name(), f.expected_header()))
        .collect::<Vec<_>>()
        .join("; ");
    Err(InputError::UnknownFormat {
        file: table.file.clone(),
        rows: HEADER_SEARCH_ROWS,
        first_row,
        expected,
    }
    .into())
}

/// Hex SHA-256 of a file's bytes, for lineage and up-to-date checks.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_hashed_again_only_when_it_changed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("input.csv");
        std::fs::write(&path, b"a,b\n1,2\n").unwrap();
        let first = sha256_file(&path).unwrap();
        assert_eq!(first, sha256_hex(b"a,b\n1,2\n"));
        // The bytes read for ingest give the hash already known.
        assert_eq!(sha256_read(&path, b"a,b\n1,2\n"), first);
        // Another size is another content, whatever the clock's resolution.
        std::fs::write(&path, b"a,b\n1,23\n").unwrap();
        assert_eq!(sha256_file(&path).unwrap(), sha256_hex(b"a,b\n1,23\n"));
        // Bytes that are not the file's (fewer of them) are hashed as they are.
        assert_eq!(sha256_read(&path, b"a,b\n"), sha256_hex(b"a,b\n"));
    }
}
