//! Raw tables: the cells of a CSV file or a spreadsheet sheet, with their row numbers, before
//! any meaning is given to them, each column's distinct cells held once ([`RawTable`]): CSV
//! records are read as borrowed byte fields and only a value not seen before in its column
//! becomes a string. A CSV file of a mebibyte or more is read in pieces on every core, cut
//! after line ends outside quoted fields, into the same table a read from the top gives.
//!
//! CSV: UTF-8 with or without BOM, CRLF or LF, `,` `;` or tab delimiter (sniffed from the first
//! non-empty line), quoted fields. Row numbers are line numbers in the file, so a user can
//! open the file at the row an error names. A row that is not valid UTF-8 or has the wrong
//! number of fields is kept with its problem ([`RawTable::problem`]; the field count is
//! checked once the header is known), to be rejected with its reason.
//! xlsx/xls/ods: one sheet through calamine; row numbers are the sheet's row numbers.

use std::collections::BTreeMap;
use std::path::Path;

use calamine::{open_workbook_auto_from_rs, Data, DataRef, Reader, Sheets, Xlsx};
use rayon::prelude::*;

use super::Reject;
use crate::error::InputError;

/// One cell as read, keeping what a spreadsheet says about its type.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    /// A date or time cell, shown as the spreadsheet would.
    Date(String),
    /// An error cell such as `#DIV/0!`.
    Error(String),
}

impl Cell {
    /// The cell as text, as a user would see it (numbers in shortest round-trip form).
    pub fn text(&self) -> String {
        self.as_text().into_owned()
    }

    /// [`Cell::text`] without a copy where the cell holds text.
    pub fn as_text(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Cell::Empty => "".into(),
            Cell::Text(t) | Cell::Date(t) | Cell::Error(t) => t.as_str().into(),
            Cell::Number(v) => format!("{v}").into(),
        }
    }

    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }

    /// The cell's type and content as bytes, equal for equal cells (numbers by their bits):
    /// a text cell's UTF-8, any other cell's content after `0xFF` and its type (bytes that no
    /// text holds).
    fn key(&self) -> std::borrow::Cow<'_, [u8]> {
        let (tag, content): (u8, &[u8]) = match self {
            Cell::Text(t) => return t.as_bytes().into(),
            Cell::Empty => (0, b""),
            Cell::Number(v) => {
                return [0xFF, 2]
                    .into_iter()
                    .chain(v.to_bits().to_le_bytes())
                    .collect()
            }
            Cell::Date(t) => (3, t.as_bytes()),
            Cell::Error(t) => (4, t.as_bytes()),
        };
        [&[0xFF, tag][..], content].concat().into()
    }
}

/// The rows of one file or sheet, in order (the header is found later by the format), with
/// their cells dictionary-encoded: each column holds its distinct cells once (as polars'
/// categoricals and Arrow's dictionary arrays do), and a row is the ids of its cells in their
/// columns' dictionaries. A column of 380,000 rows naming 200 countries holds 200 texts, and
/// a format resolves each of them once. Row numbers are the file's (1-based, header counted).
#[derive(Debug, Default)]
pub struct RawTable {
    pub file: String,
    pub sheet: Option<String>,
    rows: Vec<RowStart>,
    /// Every row's cell ids, row after row (`rows` says where each begins).
    ids: Vec<u32>,
    /// Each column's distinct cells; id 0 is always [`Cell::Empty`].
    columns: Vec<Vec<Cell>>,
    /// Rows that could not be read as they are (invalid UTF-8), by row index.
    problems: BTreeMap<usize, String>,
}

#[derive(Clone, Copy, Debug)]
struct RowStart {
    number: u32,
    /// Where the row's ids begin in `ids`.
    start: usize,
}

/// A table being read, with each column's index of its cells.
struct Reading {
    table: RawTable,
    index: Vec<ColumnIndex>,
}

/// One column's cells by their bytes ([`Cell::key`]: a CSV field's text), while the table is
/// read: a hash table of ids, whose keys are the cells themselves (no text held twice).
#[derive(Default)]
struct ColumnIndex {
    ids: hashbrown::HashTable<u32>,
    /// The id of the cell last looked up (0: none yet): a long table repeats most cells of
    /// the row above (its series), and these are found without hashing.
    last: u32,
}

fn hash_of(key: &[u8]) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::default().hash_one(key)
}

impl Reading {
    fn new(file: &str, sheet: Option<String>) -> Reading {
        Reading {
            table: RawTable {
                file: file.to_string(),
                sheet,
                ..RawTable::default()
            },
            index: Vec::new(),
        }
    }

    /// Starts the next row; its cells follow.
    fn start_row(&mut self, number: u32) {
        self.table.rows.push(RowStart {
            number,
            start: self.table.ids.len(),
        });
    }

    /// The column of the current row's next cell.
    fn next_column(&self) -> usize {
        self.table.ids.len() - self.table.rows.last().map_or(0, |r| r.start)
    }

    /// Adds the current row's next cell: `key` is its [`Cell::key`], and `cell` makes it
    /// the first time it is seen in its column.
    fn push(&mut self, key: &[u8], cell: impl FnOnce() -> Cell) {
        let column = self.next_column();
        let id = match self.find(column, key) {
            Ok(id) => id,
            Err(hash) => self.insert(column, hash, cell()),
        };
        self.table.ids.push(id);
    }

    fn push_empty(&mut self) {
        self.table.ids.push(0);
    }

    /// Adds a spreadsheet cell.
    fn push_cell(&mut self, cell: Cell) {
        if cell.is_empty() {
            return self.push_empty();
        }
        let id = self.add(self.next_column(), cell);
        self.table.ids.push(id);
    }

    /// The id of a cell in its column, the cell added when new.
    fn add(&mut self, column: usize, cell: Cell) -> u32 {
        let found = self.find(column, &cell.key());
        match found {
            Ok(id) => id,
            Err(hash) => self.insert(column, hash, cell),
        }
    }

    /// The id of the cell with these bytes in its column, or the bytes' hash.
    fn find(&mut self, column: usize, key: &[u8]) -> Result<u32, u64> {
        if self.index.len() <= column {
            self.index.resize_with(column + 1, ColumnIndex::default);
            self.table
                .columns
                .resize_with(column + 1, || vec![Cell::Empty]);
        }
        let (index, cells) = (&mut self.index[column], &self.table.columns[column]);
        if index.last != 0 && *cells[index.last as usize].key() == *key {
            return Ok(index.last);
        }
        let hash = hash_of(key);
        let found = index
            .ids
            .find(hash, |&id| *cells[id as usize].key() == *key);
        let id = *found.ok_or(hash)?;
        index.last = id;
        Ok(id)
    }

    /// Adds a cell not in its column (`hash`: of its bytes); returns its id.
    fn insert(&mut self, column: usize, hash: u64, cell: Cell) -> u32 {
        let cells = &mut self.table.columns[column];
        let id = u32::try_from(cells.len()).unwrap_or(u32::MAX);
        cells.push(cell);
        let cells = &self.table.columns[column];
        let rehash = |&id: &u32| hash_of(&cells[id as usize].key());
        let index = &mut self.index[column];
        index.ids.insert_unique(hash, id, rehash);
        index.last = id;
        id
    }

    /// Appends the rows of a piece read from the lines that follow this one's, with `lines`
    /// lines above them: their cells join this table's columns, new ones in the order the
    /// piece met them.
    fn append(&mut self, piece: Reading, lines: u32) {
        let rows = piece.table;
        // Each of the piece's columns: the ids here of its cells (by their ids there).
        let ids: Vec<Vec<u32>> = (rows.columns.into_iter().enumerate())
            .map(|(column, cells)| {
                let mut cells = cells.into_iter();
                let empty = cells.next().map(|_| 0);
                let added: Vec<u32> = cells.map(|cell| self.add(column, cell)).collect();
                empty.into_iter().chain(added).collect()
            })
            .collect();
        let first = self.table.rows.len();
        for (row, start) in rows.rows.iter().enumerate() {
            let end = rows.rows.get(row + 1).map_or(rows.ids.len(), |r| r.start);
            self.start_row(start.number.saturating_add(lines));
            let cells = rows.ids[start.start..end].iter().enumerate();
            // A column without a value in the piece holds only empty cells (id 0).
            let cells = cells.map(|(c, &id)| ids.get(c).map_or(id, |m| m[id as usize]));
            self.table.ids.extend(cells);
        }
        let problems = rows.problems.into_iter().map(|(row, p)| (first + row, p));
        self.table.problems.extend(problems);
    }

    /// The table, without what only reading needed.
    fn finish(self) -> RawTable {
        let mut table = self.table;
        table.ids.shrink_to_fit();
        table
    }
}

impl RawTable {
    /// Rows read (blank lines not counted).
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The row's number in the file (1-based).
    pub fn row_number(&self, row: usize) -> u32 {
        self.rows[row].number
    }

    fn row_ids(&self, row: usize) -> &[u32] {
        let start = self.rows[row].start;
        let end = self.rows.get(row + 1).map_or(self.ids.len(), |r| r.start);
        &self.ids[start..end]
    }

    /// The number of cells of the row (a CSV row's fields).
    pub fn width(&self, row: usize) -> usize {
        self.row_ids(row).len()
    }

    /// The id of a cell in its column's dictionary (0, empty, beyond the row's end).
    pub fn id(&self, row: usize, column: usize) -> u32 {
        self.row_ids(row).get(column).copied().unwrap_or(0)
    }

    /// The cell of a column with this id.
    pub fn value(&self, column: usize, id: u32) -> &Cell {
        self.columns
            .get(column)
            .and_then(|c| c.get(id as usize))
            .unwrap_or(&Cell::Empty)
    }

    /// How many distinct cells the column holds (the empty cell included).
    pub fn distinct(&self, column: usize) -> usize {
        self.columns.get(column).map_or(1, Vec::len)
    }

    pub fn cell(&self, row: usize, column: usize) -> &Cell {
        self.value(column, self.id(row, column))
    }

    /// The row's cells in order.
    pub fn cells(&self, row: usize) -> impl Iterator<Item = &Cell> + '_ {
        self.row_ids(row)
            .iter()
            .enumerate()
            .map(move |(column, &id)| self.value(column, id))
    }

    /// A reject of one of its rows (by index), naming the column, value and reason.
    pub fn reject(&self, row: usize, column: &str, value: &str, reason: String) -> Reject {
        Reject {
            file: self.file.clone(),
            sheet: self.sheet.clone(),
            row: self.row_number(row),
            column: column.to_string(),
            value: value.to_string(),
            reason,
            missing: false,
        }
    }

    /// Why the row could not be read as it is (a field that is not valid UTF-8).
    pub fn problem(&self, row: usize) -> Option<&str> {
        self.problems.get(&row).map(String::as_str)
    }
}

/// Spreadsheet extensions read through calamine.
pub fn is_spreadsheet(path: &Path) -> bool {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    matches!(ext.as_str(), "xlsx" | "xlsm" | "xls" | "xlsb" | "ods")
}

/// Reads a file's bytes as a spreadsheet (first sheet unless `sheet` is given) or as CSV.
pub fn read_table(
    bytes: &[u8],
    spreadsheet: bool,
    display: &str,
    sheet: Option<&str>,
) -> Result<RawTable, InputError> {
    if spreadsheet {
        // calamine is third-party code parsing hostile bytes: a panic in it is a file that
        // cannot be read, not a crash.
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            read_sheet(bytes, display, sheet)
        }))
        .unwrap_or_else(|payload| {
            let why = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(InputError::Unreadable {
                file: display.to_string(),
                message: format!("not a readable spreadsheet (the xlsx reader failed: {why})"),
            })
        })
    } else {
        read_csv_bytes(bytes, display)
    }
}

/// The longest line a CSV may have: a longer one is a file-level error, so that a file of one
/// gigabyte-long line is refused after a scan instead of being parsed into memory.
pub const MAX_LINE_BYTES: usize = 16 * 1024 * 1024;

/// The largest total uncompressed size of a workbook's parts: beyond it the workbook is
/// refused before anything is inflated (a zip bomb), rather than exhausting memory.
pub const MAX_UNZIPPED_BYTES: u64 = 512 * 1024 * 1024;

/// Why a CSV with NUL bytes is refused.
pub const NUL_BYTES: &str = "it contains NUL bytes: not a text CSV file";

/// Below this size a CSV file is read on one thread: splitting it would cost more than
/// it saves.
const PARALLEL_CSV_BYTES: usize = 1 << 20;

/// Reads CSV bytes. Binary content (NUL bytes) and over-long lines are file-level errors.
pub fn read_csv_bytes(bytes: &[u8], display: &str) -> Result<RawTable, InputError> {
    let parts = if bytes.len() < PARALLEL_CSV_BYTES {
        1
    } else {
        rayon::current_num_threads()
    };
    read_csv_parts(bytes, display, parts)
}

/// [`read_csv_bytes`] in up to `parts` pieces read in parallel: the file is cut after line
/// ends outside quoted fields, each piece is read into a table of its own, and the tables
/// are joined in order, each piece's new cells added to its columns in the order a read from
/// the top would have added them: the table is the same, ids included, however many pieces
/// it was read in.
fn read_csv_parts(bytes: &[u8], display: &str, parts: usize) -> Result<RawTable, InputError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if memchr::memchr(0, bytes).is_some() {
        return Err(InputError::Unreadable {
            file: display.to_string(),
            message: NUL_BYTES.into(),
        });
    }
    let mut start = 0;
    let too_long = memchr::memchr_iter(b'\n', bytes)
        .chain([bytes.len()])
        .position(|end| std::mem::replace(&mut start, end + 1) + MAX_LINE_BYTES < end);
    if let Some(line) = too_long {
        return Err(InputError::Unreadable {
            file: display.to_string(),
            message: format!(
                "line {} is longer than {} MiB: not a table of seizure figures",
                line + 1,
                MAX_LINE_BYTES >> 20
            ),
        });
    }
    let delimiter = sniff_delimiter(bytes);
    let cuts = line_cuts(bytes, parts, delimiter);
    let pieces: Vec<(Reading, u32)> = cuts
        .par_windows(2)
        .map(|w| read_csv_piece(&bytes[w[0]..w[1]], delimiter, display))
        .collect::<Result<_, _>>()?;
    let mut pieces = pieces.into_iter();
    let (mut table, mut lines) = pieces
        .next()
        .unwrap_or_else(|| (Reading::new(display, None), 0));
    for (piece, piece_lines) in pieces {
        table.append(piece, lines);
        lines = lines.saturating_add(piece_lines);
    }
    Ok(table.finish())
}

/// Where to cut CSV bytes into up to `parts` pieces of about equal size, each after a line
/// end outside quoted fields (where the csv reader starts a new record): the offsets of the
/// pieces' starts, then the end.
fn line_cuts(bytes: &[u8], parts: usize, delimiter: u8) -> Vec<usize> {
    let mut cuts = vec![0];
    let mut quotes = Quotes {
        bytes,
        delimiter,
        at: 0,
        open: false,
    };
    for k in 1..parts {
        let mut from = (bytes.len() / parts * k).max(cuts[cuts.len() - 1]);
        let cut = loop {
            let Some(newline) = memchr::memchr(b'\n', &bytes[from..]).map(|i| from + i) else {
                break None;
            };
            if !quotes.inside(newline) {
                break Some(newline + 1);
            }
            from = newline + 1;
        };
        match cut {
            Some(cut) if cut < bytes.len() => cuts.push(cut),
            _ => break,
        }
    }
    cuts.push(bytes.len());
    cuts
}

/// Follows the quoted fields of CSV bytes from the start, as the csv reader reads them (a
/// quote opens a field only at the field's start, `""` inside one is a quote, and a quote
/// elsewhere is text), jumping from quote to quote.
struct Quotes<'a> {
    bytes: &'a [u8],
    delimiter: u8,
    /// Where the bytes have been followed to.
    at: usize,
    /// Whether `at` is inside a quoted field.
    open: bool,
}

impl Quotes<'_> {
    /// Whether the byte at `end` (a line end, at or after the last one asked about) is
    /// inside a quoted field.
    fn inside(&mut self, end: usize) -> bool {
        while let Some(quote) = memchr::memchr(b'"', &self.bytes[self.at..end]) {
            let quote = self.at + quote;
            self.at = quote + 1;
            if self.open {
                if self.bytes.get(quote + 1) == Some(&b'"') {
                    self.at += 1; // `""`: a quote inside the field
                } else {
                    self.open = false;
                }
            } else {
                let before = quote.checked_sub(1).map(|i| self.bytes[i]);
                self.open =
                    before.is_none_or(|b| matches!(b, b'\n' | b'\r') || b == self.delimiter);
            }
        }
        self.at = self.at.max(end);
        self.open
    }
}

/// Reads whole lines of a CSV file as a table with line numbers counted from the piece's
/// start, and the number of lines the piece holds.
fn read_csv_piece(
    bytes: &[u8],
    delimiter: u8,
    display: &str,
) -> Result<(Reading, u32), InputError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(bytes);
    let mut table = Reading::new(display, None);
    let mut record = csv::ByteRecord::new();
    let mut lines = LineCounter::default();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let start = record.position().map_or(0, |p| p.byte());
                let row = lines.line_of(bytes, start);
                if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
                    continue; // a blank line (or one of delimiters only) is not a row
                }
                table.start_row(row);
                let mut problem = None;
                for (i, field) in record.iter().enumerate() {
                    if field.iter().all(u8::is_ascii_whitespace) {
                        table.push_empty();
                        continue;
                    }
                    match std::str::from_utf8(field) {
                        Ok(s) if s.trim().is_empty() => table.push_empty(),
                        Ok(s) => table.push(field, || Cell::Text(s.to_string())),
                        Err(_) => {
                            problem.get_or_insert(format!("field {} is not valid UTF-8", i + 1));
                            let text = String::from_utf8_lossy(field).into_owned();
                            table.push_cell(Cell::Text(text));
                        }
                    }
                }
                if let Some(problem) = problem {
                    let row = table.table.rows.len() - 1;
                    table.table.problems.insert(row, problem);
                }
            }
            Err(e) => {
                return Err(InputError::Unreadable {
                    file: display.to_string(),
                    message: format!("CSV error: {e}"),
                })
            }
        }
    }
    let newlines = memchr::memchr_iter(b'\n', bytes).count();
    Ok((table, u32::try_from(newlines).unwrap_or(u32::MAX)))
}

/// Line numbers of byte offsets, counted incrementally as records are read in order.
#[derive(Default)]
struct LineCounter {
    byte: usize,
    line: u32,
}

impl LineCounter {
    /// The 1-based line on which the record starting at or after `start` begins: the csv
    /// reader reports the end of the previous record, before line ends and blank lines.
    fn line_of(&mut self, bytes: &[u8], start: u64) -> u32 {
        let mut start = usize::try_from(start)
            .unwrap_or(bytes.len())
            .min(bytes.len());
        while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        let newlines = bytes[self.byte.min(start)..start]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.line = self
            .line
            .saturating_add(u32::try_from(newlines).unwrap_or(u32::MAX));
        self.byte = start;
        self.line + 1
    }
}

/// Picks `,`, `;` or tab: whichever occurs most, outside quotes, in the first non-empty line.
fn sniff_delimiter(bytes: &[u8]) -> u8 {
    let first = bytes
        .split(|&b| b == b'\n')
        .find(|line| line.iter().any(|b| !b.is_ascii_whitespace()))
        .unwrap_or(b"");
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for &b in first {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let candidates = [b',', b';', b'\t'];
    let best = (0..3)
        .max_by_key(|&i| (counts[i], usize::from(i == 0)))
        .unwrap_or(0);
    candidates[best]
}

/// The largest sheet accepted, in cells (an xlsx row counts as wide as its last cell): beyond
/// it a file is refused rather than exhausting memory (a real UNODC export is ~100,000 cells,
/// a hundredth of the limit).
pub const MAX_SHEET_CELLS: usize = 10_000_000;

/// Sums the uncompressed sizes a zipped workbook declares, refusing it above
/// [`MAX_UNZIPPED_BYTES`] (the zip reader never inflates more than an entry declares).
fn check_unzipped_size(bytes: &[u8], display: &str) -> Result<(), InputError> {
    if !bytes.starts_with(b"PK") {
        return Ok(()); // .xls and .ods-in-CFB are not zip archives
    }
    let unreadable = |message: String| InputError::Unreadable {
        file: display.to_string(),
        message,
    };
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| unreadable(format!("not a readable spreadsheet (zip): {e}")))?;
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive
            .by_index_raw(i)
            .map_err(|e| unreadable(format!("not a readable spreadsheet (zip): {e}")))?;
        total = total.saturating_add(entry.size());
        if total > MAX_UNZIPPED_BYTES {
            return Err(unreadable(format!(
                "the workbook would inflate to more than {} MiB (a zip bomb?): refused",
                MAX_UNZIPPED_BYTES >> 20
            )));
        }
    }
    Ok(())
}

fn read_sheet(bytes: &[u8], display: &str, sheet: Option<&str>) -> Result<RawTable, InputError> {
    check_unzipped_size(bytes, display)?;
    let unreadable = |message: String| InputError::Unreadable {
        file: display.to_string(),
        message,
    };
    let mut workbook = open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e| unreadable(format!("not a readable spreadsheet: {e}")))?;
    let names = workbook.sheet_names().to_vec();
    let name = match sheet {
        Some(s) => names
            .iter()
            .find(|n| n.as_str() == s)
            .cloned()
            .ok_or_else(|| unreadable(format!("no sheet '{s}'; sheets: {}", names.join(", "))))?,
        None => names
            .first()
            .cloned()
            .ok_or_else(|| unreadable("the workbook has no sheet".into()))?,
    };
    if let Sheets::Xlsx(xlsx) = &mut workbook {
        return xlsx_rows(xlsx, &name, display);
    }
    let range = workbook
        .worksheet_range(&name)
        .map_err(|e| unreadable(format!("sheet '{name}' cannot be read: {e}")))?;
    let (height, width) = range.get_size();
    if height.saturating_mul(width) > MAX_SHEET_CELLS {
        return Err(unreadable(format!(
            "sheet '{name}' spans {height} rows x {width} columns, more than {MAX_SHEET_CELLS} cells"
        )));
    }
    let first_row = range.start().map_or(0, |(r, _)| r);
    let first_col = range.start().map_or(0, |(_, c)| c) as usize;
    let mut table = Reading::new(display, Some(name));
    for (i, cells) in range.rows().enumerate() {
        let cells: Vec<Cell> = cells.iter().cloned().map(cell_of).collect();
        if cells.iter().all(Cell::is_empty) {
            continue;
        }
        let number = first_row as u64 + i as u64 + 1;
        table.start_row(u32::try_from(number).unwrap_or(u32::MAX));
        for _ in 0..first_col {
            table.push_empty();
        }
        for cell in cells {
            table.push_cell(cell);
        }
    }
    Ok(table.finish())
}

/// The most text an xlsx sheet's cells may hold in all: a shared string is stored once but
/// becomes a cell's text as often as cells refer to it, so a 14 KB workbook could otherwise
/// ask for gigabytes.
pub const MAX_SHEET_TEXT_BYTES: usize = 256 * 1024 * 1024;

/// The rows of an xlsx sheet, read cell by cell (calamine's cell reader): only the cells
/// that exist are held, so a sheet whose used range spans A1:XFD1048576 with two cells costs
/// two cells. Refused (before any of it is materialised) beyond [`MAX_SHEET_CELLS`] cells,
/// counting each row as wide as its last cell, or [`MAX_SHEET_TEXT_BYTES`] of cell text.
fn xlsx_rows<RS: std::io::Read + std::io::Seek>(
    xlsx: &mut Xlsx<RS>,
    name: &str,
    display: &str,
) -> Result<RawTable, InputError> {
    let unreadable = |message: String| InputError::Unreadable {
        file: display.to_string(),
        message,
    };
    let failed = |e: calamine::XlsxError| unreadable(format!("sheet '{name}' cannot be read: {e}"));
    let mut reader = match xlsx.worksheet_cells_reader(name) {
        Ok(reader) => reader,
        Err(calamine::XlsxError::NotAWorksheet(_)) => {
            return Ok(Reading::new(display, Some(name.to_string())).finish())
        }
        Err(e) => return Err(failed(e)),
    };
    // Per row (0-based): its width so far and its cells; rows come in sheet order.
    let mut cells: BTreeMap<u32, (usize, Vec<(u32, Cell)>)> = BTreeMap::new();
    let (mut width_total, mut text_total) = (0usize, 0usize);
    while let Some(cell) = reader.next_cell().map_err(failed)? {
        let (row, col) = cell.get_position();
        let text_len = match cell.get_value() {
            DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.len(),
            DataRef::SharedString(s) => s.len(),
            _ => 0,
        };
        text_total = text_total.saturating_add(text_len);
        if text_total > MAX_SHEET_TEXT_BYTES {
            return Err(unreadable(format!(
                "sheet '{name}': its cells hold more than {} MiB of text (row {}): refused",
                MAX_SHEET_TEXT_BYTES >> 20,
                row + 1
            )));
        }
        let value = cell_of(Data::from(cell.get_value().clone()));
        if value.is_empty() {
            continue;
        }
        let (width, row_cells) = cells.entry(row).or_default();
        let wider = (col as usize + 1).saturating_sub(*width);
        width_total = width_total.saturating_add(wider);
        *width = (*width).max(col as usize + 1);
        if width_total > MAX_SHEET_CELLS {
            return Err(unreadable(format!(
                "sheet '{name}': its rows span more than {MAX_SHEET_CELLS} cells (row {}, column {}): refused",
                row + 1,
                col + 1
            )));
        }
        row_cells.push((col, value));
    }
    let mut table = Reading::new(display, Some(name.to_string()));
    for (row, (width, row_cells)) in cells {
        table.start_row(row.saturating_add(1));
        let mut out = vec![Cell::Empty; width];
        for (col, value) in row_cells {
            out[col as usize] = value;
        }
        for cell in out {
            table.push_cell(cell);
        }
    }
    Ok(table.finish())
}

fn cell_of(data: Data) -> Cell {
    match data {
        Data::Empty => Cell::Empty,
        Data::String(s) if s.trim().is_empty() => Cell::Empty,
        Data::String(s) => Cell::Text(s),
        Data::Float(f) => Cell::Number(f),
        Data::Int(i) => Cell::Number(i as f64),
        Data::Bool(b) => Cell::Text(b.to_string()),
        Data::DateTime(d) => Cell::Date(
            d.as_datetime()
                .map_or_else(|| d.as_f64().to_string(), |t| t.to_string()),
        ),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Date(s),
        Data::Error(e) => Cell::Error(format!("{e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_bom_crlf_semicolons_and_skips_blank_lines() {
        let t = read_csv_bytes(b"\xEF\xBB\xBFa;b\r\n\r\n1;\"2;3\"\r\n", "f.csv").unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!(
            t.cells(0).cloned().collect::<Vec<_>>(),
            vec![Cell::Text("a".into()), Cell::Text("b".into())]
        );
        assert_eq!(t.row_number(1), 3);
        assert_eq!(t.cell(1, 1), &Cell::Text("2;3".into()));
    }

    #[test]
    fn flags_bad_rows_without_failing_the_file() {
        let t = read_csv_bytes(b"a,b\n1,2,3\n\xff,4\n", "f.csv").unwrap();
        assert_eq!(t.width(1), 3);
        assert!(t.problem(2).unwrap().contains("UTF-8"));
        assert!(read_csv_bytes(b"\x00\x01PK", "f.csv").is_err());
    }

    #[test]
    fn each_column_holds_its_distinct_cells_once() {
        let t = read_csv_bytes(b"geo,value\nKAZ,1\nKAZ,2\n,3\nTJK,1\n", "f.csv").unwrap();
        // The empty cell, geo, KAZ, TJK; the empty cell and 4 values.
        assert_eq!((t.distinct(0), t.distinct(1)), (4, 5));
        assert_eq!(t.id(1, 0), t.id(2, 0));
        assert_eq!(t.id(3, 0), 0);
        assert_eq!(t.cell(4, 0), &Cell::Text("TJK".into()));
        assert_eq!(t.cell(4, 5), &Cell::Empty);
    }

    #[test]
    fn a_file_read_in_pieces_is_the_same_table() {
        // Ragged rows, an invalid byte, blank lines, CRLF, cells only a later piece has, a
        // last column whose cells are all empty, quoted fields across lines, `""` and quotes
        // that are text; every CSV file of the test data and of the CSV fuzz corpora; and
        // random files of those bytes.
        let mut files = vec![
            b"geo,value,note\n1,2,3\n\xff,4\n\n\nKAZ,1\r\nKAZ,\r\n,,\nTJK,2\nKAZ,1,,\nUZB,3,x,\n"
                .to_vec(),
            b"\"geo\",\"note\"\nKAZ,\"a\n\nb\"\nTJK,\"x\"\"\n,\"\"\ny\"\nUZB,5\"\n\"\n".to_vec(),
            b"a,b\nx\"y,\"p\nq\"z\nr\"\n1,2\n\"open\n3,4\n".to_vec(),
        ];
        assert_eq!(
            line_cuts(&files[0], 3, b',').len(),
            4,
            "the file is cut in three"
        );
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        let (data, corpus) = (repo.join("tests/data"), repo.join("fuzz/corpus"));
        let dirs = [data.clone(), data.join("bad"), data.join("public")];
        let corpora = ["ingest_csv", "ingest_mapped_csv", "ingest_records"].map(|c| corpus.join(c));
        for dir in dirs.into_iter().chain(corpora) {
            let mut paths: Vec<_> = std::fs::read_dir(dir)
                .unwrap()
                .flatten()
                .map(|e| e.path())
                .collect();
            paths.sort();
            // The fuzz corpora's files have no extension.
            let csv = paths
                .into_iter()
                .filter(|p| p.is_file() && p.extension().is_none_or(|e| e == "csv"));
            files.extend(csv.map(|p| std::fs::read(p).unwrap()));
        }
        let mut seed = 1u64;
        for _ in 0..3000 {
            let file: Vec<u8> = (0..60)
                .map(|_| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    b"ab,\"\"\n\n\r;"[(seed >> 33) as usize % 9]
                })
                .collect();
            files.push(file);
        }
        for bytes in &files {
            let whole = format!("{:?}", read_csv_parts(bytes, "f.csv", 1));
            for parts in 2..=7 {
                let pieces = format!("{:?}", read_csv_parts(bytes, "f.csv", parts));
                let start = String::from_utf8_lossy(&bytes[..bytes.len().min(60)]);
                assert!(pieces == whole, "{parts} pieces of {start:?}");
            }
        }
    }
}
