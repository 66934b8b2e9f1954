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
pub mod output;
pub mod records;
pub mod spec;
pub mod synth;
pub mod table;
pub mod unodc_export;
pub mod wide;

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

use crate::error::{Error, InputError};
use crate::model::unit::{decimal_sum, Decimal};
use crate::model::{Observation, ObservationKey, Reference};

use mapping::Mapping;
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
        }
    }

    /// Columns the format cannot do without (checked once its header row is found).
    fn required(self) -> &'static [&'static str] {
        match self {
            Format::Canonical => &canonical::REQUIRED,
            Format::UnodcExport => &unodc_export::REQUIRED,
            Format::Cts => &cts::REQUIRED_USED,
            Format::Records => &records::REQUIRED,
            Format::Wide | Format::Mapping => &[],
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

/// Per-file accounting: `records = kept + rejected + exact_duplicates + missing`.
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
    /// Kept records that were summed into another record's observation.
    pub line_items_summed: u64,
    /// Observations this file contributed.
    pub observations: u64,
    pub warnings: Vec<String>,
}

/// The result of ingesting a set of files.
#[derive(Debug, Default)]
pub struct Ingested {
    pub observations: Vec<Observation>,
    /// Every record that did not become an observation, missing values included.
    pub rejects: Vec<Reject>,
    pub files: Vec<FileSummary>,
}

impl Ingested {
    /// The rejected records, missing values not counted: what `--strict` refuses.
    pub fn errors(&self) -> impl Iterator<Item = &Reject> {
        self.rejects.iter().filter(|r| !r.missing)
    }
}

/// One input file with how to read it.
#[derive(Clone, Debug)]
pub struct InputFile {
    /// The path as given (recorded in lineage and messages).
    pub name: String,
    pub path: std::path::PathBuf,
    pub options: IngestOptions,
}

/// One parsed record before key checks.
struct Record {
    file_index: usize,
    observation: Observation,
    line_items: LineItems,
    sheet: Option<String>,
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
    let mut chunk = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut chunk).map_err(io)?;
        if n == 0 {
            return Ok(bytes);
        }
        if csv && chunk[..n].contains(&0) {
            return Err(InputError::Unreadable {
                file: input.name.clone(),
                message: table::NUL_BYTES.into(),
            });
        }
        if bytes.len() as u64 + n as u64 > MAX_TABLE_BYTES {
            return Err(InputError::Unreadable {
                file: input.name.clone(),
                message: format!("grew beyond {} MiB while read", MAX_TABLE_BYTES >> 20),
            });
        }
        bytes.extend_from_slice(&chunk[..n]);
    }
}

/// Ingests files in order. A whole-file problem stops with an error naming the file; row
/// problems become rejects.
pub fn ingest_files(inputs: &[InputFile], reference: &Reference) -> Result<Ingested, Error> {
    for input in inputs {
        check_regular(&input.path, &input.name)?;
    }
    // Seizure records are aggregated by a streaming query, never read whole into memory.
    let (records, tables): (Vec<&InputFile>, Vec<&InputFile>) = inputs.iter().partition(|i| {
        i.options.format == Some(Format::Records)
            || (i.options.format.is_none()
                && i.options.mapping.is_none()
                && records::is_records(&i.path))
    });
    let mut contents = Vec::with_capacity(tables.len());
    for input in &tables {
        contents.push(read_table_file(input)?);
    }
    let sources: Vec<(&InputFile, &[u8])> = tables
        .iter()
        .copied()
        .zip(contents.iter().map(Vec::as_slice))
        .collect();
    let mut ingested = ingest_bytes(&sources, reference)?;
    for input in records {
        let (observations, rejects, summary) =
            records::ingest_records(&input.path, &input.name, reference, input.options.missing)?;
        ingested.observations.extend(observations);
        ingested.rejects.extend(rejects);
        ingested.files.push(summary);
    }
    Ok(ingested)
}

/// Hex SHA-256 of a file, read in blocks (records files can be gigabytes).
pub fn sha256_file(path: &std::path::Path) -> std::io::Result<String> {
    use std::io::Read;
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
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Ingests files already in memory (the fuzz targets call this directly).
pub fn ingest_bytes(
    sources: &[(&InputFile, &[u8])],
    reference: &Reference,
) -> Result<Ingested, Error> {
    let mut out = Ingested::default();
    let mut records = Vec::new();
    for (file_index, (input, bytes)) in sources.iter().enumerate() {
        let (display, options) = (&input.name, &input.options);
        let sheet = options
            .sheet
            .as_deref()
            .or(options.mapping.as_ref().and_then(|m| m.sheet.as_deref()));
        let spreadsheet = table::is_spreadsheet(&input.path);
        let table = read_table(bytes, spreadsheet, display, sheet)?;
        let mut summary = FileSummary {
            file: display.clone(),
            sheet: table.sheet.clone(),
            sha256: sha256_hex(bytes),
            ..FileSummary::default()
        };
        let parsed = parse_table(&table, options, reference, &mut summary)?;
        for result in parsed {
            match result {
                Ok((observation, line_items)) => records.push(Record {
                    file_index,
                    observation,
                    line_items,
                    sheet: table.sheet.clone(),
                }),
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
        }
        out.files.push(summary);
    }
    resolve_keys(records, &mut out);
    Ok(out)
}

/// Finds the header row and format, then turns every data row into an observation or reject.
#[allow(clippy::type_complexity)]
fn parse_table(
    table: &RawTable,
    options: &IngestOptions,
    reference: &Reference,
    summary: &mut FileSummary,
) -> Result<Vec<Result<(Observation, LineItems), Reject>>, Error> {
    let (header_index, format) = find_header(table, options)?;
    summary.format = format.name().to_string();
    let header = Header::new(&table.rows[header_index].cells);
    if let Some((first, second)) = header.duplicate() {
        let name = &header.names()[first];
        return Err(InputError::Unreadable {
            file: table.file.clone(),
            message: format!(
                "header row {}: columns {} and {} are both '{name}' (as '{}'): which one holds the data is ambiguous; rename or remove one",
                table.rows[header_index].row,
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
    let title = table.rows[..header_index].first().map(|r| {
        let pieces: Vec<String> = r
            .cells
            .iter()
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
        Format::Records => {
            return Err(Error::Config {
                file: table.file.clone(),
                key: "--format records".into(),
                message: "seizure records are aggregated from a file on disk, not from memory"
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
            table.rows[header_index].row
        ));
    }
    let impossible_periods = match format {
        Format::Wide => wide::impossible_period_columns(&header),
        _ => Vec::new(),
    };
    let header_text: Vec<String> = header.names().to_vec();
    let mut parsed = Vec::new();
    for row in &table.rows[header_index + 1..] {
        let mut row = std::borrow::Cow::Borrowed(row);
        if table.sheet.is_none() && row.problem.is_none() && row.cells.len() != header_text.len() {
            let problem = format!(
                "expected {} fields as in the header, found {}",
                header_text.len(),
                row.cells.len()
            );
            row.to_mut().problem = Some(problem);
        }
        let row = row.as_ref();
        let cells: Vec<String> = row
            .cells
            .iter()
            .map(|c| c.text().trim().to_string())
            .collect();
        if cells == header_text {
            parsed.push(Err(Reject {
                file: table.file.clone(),
                sheet: table.sheet.clone(),
                row: row.row,
                column: String::new(),
                value: cells.join("|"),
                reason: "the header repeated inside the data".into(),
                missing: false,
            }));
            summary.records += 1;
            continue;
        }
        if format == Format::Wide && row.problem.is_none() {
            for (i, name, why) in &impossible_periods {
                let Some(cell) = row.cells.get(*i).filter(|c| !c.is_empty()) else {
                    continue;
                };
                summary.records += 1;
                parsed.push(Err(Reject {
                    file: table.file.clone(),
                    sheet: table.sheet.clone(),
                    row: row.row,
                    column: name.clone(),
                    value: cell.text(),
                    reason: format!("column '{name}' is not a period ({why})"),
                    missing: false,
                }));
            }
        }
        for spec in &specs {
            if format == Format::Wide && row.problem.is_none() {
                if let spec::FieldSource::Column(i, _) = &spec.value {
                    if row.cells.get(*i).is_none_or(Cell::is_empty) {
                        continue; // an empty period cell in a wide table is a gap
                    }
                }
            }
            summary.records += 1;
            parsed.push(
                spec.observation(row, &table.file, table.sheet.as_deref(), reference)
                    .map(|o| (o, spec.line_items)),
            );
            if row.problem.is_some() {
                break; // one reject for an unreadable row, not one per period column
            }
        }
    }
    Ok(parsed)
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
    for (i, row) in table.rows.iter().take(HEADER_SEARCH_ROWS).enumerate() {
        let header = Header::new(&row.cells);
        if let Some(f) = formats
            .iter()
            .find(|f| f.matches(&header, options.mapping.as_ref()))
        {
            return Ok((i, *f));
        }
    }
    let first_row = table
        .rows
        .first()
        .map(|r| r.cells.iter().map(Cell::text).collect::<Vec<_>>().join(","))
        .unwrap_or_else(|| "(the file has no rows)".into());
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

/// Key checks across all records, in input order: line items of one file are summed where
/// their format says so; otherwise equal values are exact duplicates and different values
/// reject every row of the key, each reject naming the others.
fn resolve_keys(records: Vec<Record>, out: &mut Ingested) {
    let mut groups: BTreeMap<ObservationKey, Vec<Record>> = BTreeMap::new();
    for record in records {
        groups
            .entry(record.observation.key())
            .or_default()
            .push(record);
    }
    for (_, group) in groups {
        let mut merged: Vec<Record> = Vec::new();
        for record in group {
            let line_item_of = merged
                .iter_mut()
                .find(|m| m.file_index == record.file_index && record.line_items == LineItems::Sum);
            match line_item_of {
                Some(m) => {
                    m.observation.value =
                        decimal_sum(&[m.observation.value, record.observation.value]);
                    m.observation.source_rows.push(';');
                    m.observation
                        .source_rows
                        .push_str(&record.observation.source_row.to_string());
                }
                None => merged.push(record),
            }
        }
        let rows = |r: &Record| r.observation.source_rows.split(';').count() as u64;
        let first_value = merged[0].observation.value;
        if merged.iter().all(|r| r.observation.value == first_value) {
            let mut rest = merged.into_iter();
            if let Some(mut keep) = rest.next() {
                let summary = &mut out.files[keep.file_index];
                summary.kept += rows(&keep);
                summary.line_items_summed += rows(&keep) - 1;
                summary.observations += 1;
                // A duplicate that cites another source keeps its citation in the lineage.
                let mut cited = vec![keep.observation.source.clone()];
                for dup in rest {
                    out.files[dup.file_index].exact_duplicates += rows(&dup);
                    let o = &dup.observation;
                    if !cited.contains(&o.source) {
                        keep.observation.source.push_str(&format!(
                            " | also {} row {}: {}",
                            o.source_file, o.source_rows, o.source
                        ));
                        cited.push(o.source.clone());
                    }
                }
                out.observations.push(keep.observation);
            }
            continue;
        }
        let places: Vec<String> = merged
            .iter()
            .map(|r| {
                format!(
                    "{} row {} ({})",
                    r.observation.source_file, r.observation.source_rows, r.observation.value
                )
            })
            .collect();
        for record in merged {
            let o = &record.observation;
            let others: Vec<&String> = places
                .iter()
                .filter(|p| !p.starts_with(&format!("{} row {} ", o.source_file, o.source_rows)))
                .collect();
            let reason = format!(
                "duplicate key ({} {} {} {}) with a different value in {}",
                o.indicator,
                o.geo,
                o.drug.as_deref().unwrap_or("-"),
                o.period,
                others
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            let summary = &mut out.files[record.file_index];
            for row in o.source_rows.split(';') {
                summary.rejected += 1;
                out.rejects.push(Reject {
                    file: o.source_file.clone(),
                    sheet: record.sheet.clone(),
                    row: row.parse().unwrap_or(o.source_row),
                    column: "value".into(),
                    value: o.value.to_string(),
                    reason: reason.clone(),
                    missing: false,
                });
            }
        }
    }
}

/// Hex SHA-256 of a file's bytes, for lineage and up-to-date checks.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
