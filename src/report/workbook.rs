//! `tables.xlsx`: the run's tables for a spreadsheet, one sheet each, and a notes sheet with
//! the sources and coverage (rust_xlsxwriter).
//!
//! Numbers are written as numbers, text as text: a period ("2016"), a coverage ("4/5") or
//! a statement is a string cell, which Excel never turns into a date or a number (its
//! "number stored as text" marker is switched off on text columns). Headers carry the unit
//! where the column has one ("share_1 (%)", "sen_slope (unit per year)"); shares are
//! formatted as percentages; the header row is frozen. The creation date is a constant, so
//! the same tables give the same bytes.

use polars::prelude::*;
use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, IgnoreError, Workbook, Worksheet, XlsxError,
};

/// The widest a column is made (pixels), so a notes column does not run off the screen.
const MAX_COLUMN_PX: u32 = 420;

/// How a column of the tables is shown.
enum Kind {
    /// A share (0..1), shown as a percentage.
    Share,
    /// A number with a unit named in its header.
    Number(&'static str),
    Text,
    Flag,
}

/// The kind of a column, from its name and type.
fn kind(name: &str, dtype: &DataType) -> Kind {
    if dtype == &DataType::Boolean {
        return Kind::Flag;
    }
    if !dtype.is_primitive_numeric() {
        return Kind::Text;
    }
    let unit = match name {
        "share" | "share_1" | "share_2" => return Kind::Share,
        "change_pp" => "pp",
        "sen_slope_pp" | "ols_slope_pp" => "pp per year",
        "apc" | "apc_lo" | "apc_hi" | "aapc" | "cagr_pct" => "% per year",
        "sen_slope" | "sen_lo" | "sen_hi" | "ols_slope" | "ols_slope_lo" | "ols_slope_hi" => {
            "unit per year"
        }
        n if n.ends_with("_pct") => "%",
        "value" | "first_value" | "last_value" | "part" | "whole" | "part_1" | "whole_1"
        | "part_2" | "whole_2" | "sen_intercept" => "unit",
        _ => "",
    };
    Kind::Number(unit)
}

fn header(name: &str, kind: &Kind) -> String {
    match kind {
        Kind::Share => format!("{name} (%)"),
        Kind::Number("") | Kind::Text | Kind::Flag => name.to_string(),
        Kind::Number(unit) => format!("{name} ({unit})"),
    }
}

/// The workbook's bytes: a sheet per table (in the order given), then the notes sheet of
/// (item, text) rows.
pub fn workbook(
    title: &str,
    tables: &[(&str, &DataFrame)],
    notes: &[(String, String)],
) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    // A fixed date (the zip format's epoch): the same run gives the same bytes.
    let created = ExcelDateTime::from_ymd(1980, 1, 1)?;
    book.set_properties(
        &DocProperties::new()
            .set_title(title)
            .set_comment("Written by routetrend")
            .set_creation_datetime(&created),
    );
    let bold = Format::new().set_bold();
    let percent = Format::new().set_num_format("0.0%");
    for (name, frame) in tables {
        let sheet = book.add_worksheet();
        sheet.set_name(*name)?;
        write_table(sheet, frame, &bold, &percent)?;
    }
    let sheet = book.add_worksheet();
    sheet.set_name("notes")?;
    sheet.write_string_with_format(0, 0, "item", &bold)?;
    sheet.write_string_with_format(0, 1, "text", &bold)?;
    for (i, (item, text)) in notes.iter().enumerate() {
        let row = u32::try_from(i + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
        sheet.write_string(row, 0, item)?;
        sheet.write_string(row, 1, text)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.set_autofit_max_width(MAX_COLUMN_PX * 2).autofit();
    book.save_to_buffer()
}

fn write_table(
    sheet: &mut Worksheet,
    frame: &DataFrame,
    bold: &Format,
    percent: &Format,
) -> Result<(), XlsxError> {
    let rows = u32::try_from(frame.height()).map_err(|_| XlsxError::RowColumnLimitError)?;
    for (c, column) in frame.columns().iter().enumerate() {
        let col = u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)?;
        let kind = kind(column.name(), column.dtype());
        sheet.write_string_with_format(0, col, header(column.name(), &kind), bold)?;
        match kind {
            Kind::Share | Kind::Number(_) => {
                let values = column
                    .cast(&DataType::Float64)
                    .map_err(|e| XlsxError::ParameterError(e.to_string()))?;
                let values = values
                    .f64()
                    .map_err(|e| XlsxError::ParameterError(e.to_string()))?;
                for (r, v) in values.iter().enumerate() {
                    let Some(v) = v.filter(|v| v.is_finite()) else {
                        continue;
                    };
                    let row = r as u32 + 1;
                    if matches!(kind, Kind::Share) {
                        sheet.write_number_with_format(row, col, v, percent)?;
                    } else {
                        sheet.write_number(row, col, v)?;
                    }
                }
            }
            Kind::Flag => {
                let values = column
                    .bool()
                    .map_err(|e| XlsxError::ParameterError(e.to_string()))?;
                for (r, v) in values.iter().enumerate() {
                    if let Some(v) = v {
                        sheet.write_boolean(r as u32 + 1, col, v)?;
                    }
                }
            }
            Kind::Text => {
                let values = column
                    .cast(&DataType::String)
                    .map_err(|e| XlsxError::ParameterError(e.to_string()))?;
                let values = values
                    .str()
                    .map_err(|e| XlsxError::ParameterError(e.to_string()))?;
                for (r, v) in values.iter().enumerate() {
                    if let Some(v) = v.filter(|v| !v.is_empty()) {
                        sheet.write_string(r as u32 + 1, col, v)?;
                    }
                }
                if rows > 0 {
                    sheet.ignore_error_range(1, col, rows, col, IgnoreError::NumberStoredAsText)?;
                }
            }
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.set_autofit_max_width(MAX_COLUMN_PX).autofit();
    Ok(())
}
