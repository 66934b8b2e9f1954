//! Raw tables: the cells of a CSV file or a spreadsheet sheet, with their row numbers, before
//! any meaning is given to them.
//!
//! CSV: UTF-8 with or without BOM, CRLF or LF, `,` `;` or tab delimiter (sniffed from the first
//! non-empty line), quoted fields. Row numbers are line numbers in the file, so a user can
//! open the file at the row an error names. A row that is not valid UTF-8 or has the wrong
//! number of fields is kept as a [`RawRow`] with a problem, to be rejected with its reason.
//! xlsx/xls/ods: one sheet through calamine; row numbers are the sheet's row numbers.

use std::collections::BTreeMap;
use std::path::Path;

use calamine::{open_workbook_auto_from_rs, Data, DataRef, Reader, Sheets, Xlsx};

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
        match self {
            Cell::Empty => String::new(),
            Cell::Text(t) | Cell::Date(t) | Cell::Error(t) => t.clone(),
            Cell::Number(v) => format!("{v}"),
        }
    }

    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }
}

/// A data row: its 1-based row number in the file and its cells, or why it could not be read.
/// (A CSV row with more or fewer fields than the header is flagged once the header is known.)
#[derive(Clone, Debug)]
pub struct RawRow {
    pub row: u32,
    pub cells: Vec<Cell>,
    /// A row-level reading problem (invalid UTF-8).
    pub problem: Option<String>,
}

/// The rows of one file or sheet, in order; the header is found later by the format.
#[derive(Debug)]
pub struct RawTable {
    pub file: String,
    pub sheet: Option<String>,
    pub rows: Vec<RawRow>,
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

/// Reads CSV bytes. Binary content (NUL bytes) and over-long lines are file-level errors.
pub fn read_csv_bytes(bytes: &[u8], display: &str) -> Result<RawTable, InputError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.contains(&0) {
        return Err(InputError::Unreadable {
            file: display.to_string(),
            message: NUL_BYTES.into(),
        });
    }
    if let Some((line, _)) = bytes
        .split(|&b| b == b'\n')
        .enumerate()
        .find(|(_, l)| l.len() > MAX_LINE_BYTES)
    {
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
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(bytes);
    let mut rows = Vec::new();
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
                let mut problem = None;
                let cells = record
                    .iter()
                    .enumerate()
                    .map(|(i, field)| match std::str::from_utf8(field) {
                        Ok(s) if s.trim().is_empty() => Cell::Empty,
                        Ok(s) => Cell::Text(s.to_string()),
                        Err(_) => {
                            problem.get_or_insert(format!("field {} is not valid UTF-8", i + 1));
                            Cell::Text(String::from_utf8_lossy(field).into_owned())
                        }
                    })
                    .collect::<Vec<_>>();
                rows.push(RawRow {
                    row,
                    cells,
                    problem,
                });
            }
            Err(e) => {
                return Err(InputError::Unreadable {
                    file: display.to_string(),
                    message: format!("CSV error: {e}"),
                })
            }
        }
    }
    Ok(RawTable {
        file: display.to_string(),
        sheet: None,
        rows,
    })
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
        return Ok(RawTable {
            file: display.to_string(),
            rows: xlsx_rows(xlsx, &name, display)?,
            sheet: Some(name),
        });
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
    let mut rows = Vec::new();
    for (i, cells) in range.rows().enumerate() {
        let mut row: Vec<Cell> = vec![Cell::Empty; first_col];
        row.extend(cells.iter().cloned().map(cell_of));
        if row.iter().all(Cell::is_empty) {
            continue;
        }
        let number = first_row as u64 + i as u64 + 1;
        rows.push(RawRow {
            row: u32::try_from(number).unwrap_or(u32::MAX),
            cells: row,
            problem: None,
        });
    }
    Ok(RawTable {
        file: display.to_string(),
        sheet: Some(name),
        rows,
    })
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
) -> Result<Vec<RawRow>, InputError> {
    let unreadable = |message: String| InputError::Unreadable {
        file: display.to_string(),
        message,
    };
    let failed = |e: calamine::XlsxError| unreadable(format!("sheet '{name}' cannot be read: {e}"));
    let mut reader = match xlsx.worksheet_cells_reader(name) {
        Ok(reader) => reader,
        Err(calamine::XlsxError::NotAWorksheet(_)) => return Ok(Vec::new()),
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
    Ok(cells
        .into_iter()
        .map(|(row, (width, row_cells))| {
            let mut out = vec![Cell::Empty; width];
            for (col, value) in row_cells {
                out[col as usize] = value;
            }
            RawRow {
                row: row.saturating_add(1),
                cells: out,
                problem: None,
            }
        })
        .collect())
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
        assert_eq!(t.rows.len(), 2);
        assert_eq!(
            t.rows[0].cells,
            vec![Cell::Text("a".into()), Cell::Text("b".into())]
        );
        assert_eq!(t.rows[1].row, 3);
        assert_eq!(t.rows[1].cells[1], Cell::Text("2;3".into()));
    }

    #[test]
    fn flags_bad_rows_without_failing_the_file() {
        let t = read_csv_bytes(b"a,b\n1,2,3\n\xff,4\n", "f.csv").unwrap();
        assert_eq!(t.rows[1].cells.len(), 3);
        assert!(t.rows[2].problem.as_deref().unwrap().contains("UTF-8"));
        assert!(read_csv_bytes(b"\x00\x01PK", "f.csv").is_err());
    }
}
