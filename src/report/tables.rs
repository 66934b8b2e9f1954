//! Output tables: the trends table as a polars frame, and any table written as CSV (full
//! precision, spreadsheet-safe text), Parquet (zstd, with provenance metadata) and Markdown
//! (rounded for reading, aligned).
//!
//! trends: grain one row per series x window; keys indicator, geo, drug, dimension,
//! category, freq, unit, window_start, window_end; units: slopes per year in the series'
//! unit, change/CAGR/APC/AAPC in percent, p-values 0..1; invariants: keys unique, n >= 0,
//! every null statistic explained in `notes`.

use std::path::Path;

use polars::prelude::*;

use crate::analysis::trend::{Series, TrendRow};
use crate::ingest::write::{neutralise, write_parquet, write_text};
use crate::ingest::IngestError;

/// The columns of the trends table, in order.
pub const TREND_COLUMNS: [&str; 44] = [
    "indicator",
    "geo",
    "drug",
    "dimension",
    "category",
    "freq",
    "unit",
    "window_start",
    "window_end",
    "n",
    "n_missing",
    "first_value",
    "last_value",
    "change_pct",
    "cagr_pct",
    "ols_slope",
    "ols_slope_lo",
    "ols_slope_hi",
    "ols_p",
    "ols_r2",
    "apc",
    "apc_lo",
    "apc_hi",
    "apc_p",
    "mk_s",
    "mk_var_s",
    "mk_z",
    "mk_p",
    "mk_tau",
    "mk_hr_p",
    "mk_yw_p",
    "mk_tfpw_p",
    "sen_slope",
    "sen_lo",
    "sen_hi",
    "pettitt_k",
    "pettitt_period",
    "pettitt_p",
    "jp_k",
    "jp_periods",
    "jp_apcs",
    "aapc",
    "trend",
    "notes",
];

/// Builds a frame column by column from rows of any type.
pub struct FrameBuilder<'a, T> {
    rows: &'a [T],
    columns: Vec<Column>,
}

impl<'a, T> FrameBuilder<'a, T> {
    pub fn new(rows: &'a [T]) -> Self {
        FrameBuilder {
            rows,
            columns: Vec::new(),
        }
    }

    pub fn text(mut self, name: &str, f: impl Fn(&'a T) -> Option<&'a str>) -> Self {
        let values: Vec<Option<&str>> = self.rows.iter().map(f).collect();
        self.columns.push(Column::new(name.into(), values));
        self
    }

    pub fn num(mut self, name: &str, f: impl Fn(&T) -> Option<f64>) -> Self {
        let values: Vec<Option<f64>> = self.rows.iter().map(f).collect();
        self.columns.push(Column::new(name.into(), values));
        self
    }

    pub fn int(mut self, name: &str, f: impl Fn(&T) -> Option<i64>) -> Self {
        let values: Vec<Option<i64>> = self.rows.iter().map(f).collect();
        self.columns.push(Column::new(name.into(), values));
        self
    }

    pub fn count(mut self, name: &str, f: impl Fn(&T) -> u32) -> Self {
        let values: Vec<u32> = self.rows.iter().map(f).collect();
        self.columns.push(Column::new(name.into(), values));
        self
    }

    pub fn frame(self) -> PolarsResult<DataFrame> {
        DataFrame::new(self.rows.len(), self.columns)
    }
}

/// Builds the trends table from (series index, row) pairs.
pub fn trends_frame<'a>(
    series: &'a [Series],
    rows: &'a [(usize, TrendRow)],
) -> PolarsResult<DataFrame> {
    let key = |i: &usize| -> &'a crate::analysis::trend::SeriesKey { &series[*i].key };
    FrameBuilder::new(rows)
        .text("indicator", |(i, _)| Some(key(i).indicator.as_str()))
        .text("geo", |(i, _)| Some(key(i).geo.as_str()))
        .text("drug", |(i, _)| key(i).drug.as_deref())
        .text("dimension", |(i, _)| key(i).dimension.as_deref())
        .text("category", |(i, _)| key(i).category.as_deref())
        .text("freq", |(i, _)| Some(key(i).freq.as_str()))
        .text("unit", |(i, _)| Some(key(i).unit.as_str()))
        .text("window_start", |(_, r)| r.window_start.as_deref())
        .text("window_end", |(_, r)| r.window_end.as_deref())
        .count("n", |(_, r)| r.n)
        .count("n_missing", |(_, r)| r.n_missing)
        .num("first_value", |(_, r)| r.first_value)
        .num("last_value", |(_, r)| r.last_value)
        .num("change_pct", |(_, r)| r.change_pct)
        .num("cagr_pct", |(_, r)| r.cagr_pct)
        .num("ols_slope", |(_, r)| r.ols_slope)
        .num("ols_slope_lo", |(_, r)| r.ols_slope_lo)
        .num("ols_slope_hi", |(_, r)| r.ols_slope_hi)
        .num("ols_p", |(_, r)| r.ols_p)
        .num("ols_r2", |(_, r)| r.ols_r2)
        .num("apc", |(_, r)| r.apc)
        .num("apc_lo", |(_, r)| r.apc_lo)
        .num("apc_hi", |(_, r)| r.apc_hi)
        .num("apc_p", |(_, r)| r.apc_p)
        .int("mk_s", |(_, r)| r.mk_s)
        .num("mk_var_s", |(_, r)| r.mk_var_s)
        .num("mk_z", |(_, r)| r.mk_z)
        .num("mk_p", |(_, r)| r.mk_p)
        .num("mk_tau", |(_, r)| r.mk_tau)
        .num("mk_hr_p", |(_, r)| r.mk_hr_p)
        .num("mk_yw_p", |(_, r)| r.mk_yw_p)
        .num("mk_tfpw_p", |(_, r)| r.mk_tfpw_p)
        .num("sen_slope", |(_, r)| r.sen_slope)
        .num("sen_lo", |(_, r)| r.sen_lo)
        .num("sen_hi", |(_, r)| r.sen_hi)
        .int("pettitt_k", |(_, r)| r.pettitt_k)
        .text("pettitt_period", |(_, r)| r.pettitt_period.as_deref())
        .num("pettitt_p", |(_, r)| r.pettitt_p)
        .int("jp_k", |(_, r)| r.jp_k.map(i64::from))
        .text("jp_periods", |(_, r)| r.jp_periods.as_deref())
        .text("jp_apcs", |(_, r)| r.jp_apcs.as_deref())
        .num("aapc", |(_, r)| r.aapc)
        .text("trend", |(_, r)| r.trend.as_deref())
        .text("notes", |(_, r)| Some(r.notes.as_str()))
        .frame()
}

fn write_error(path: &Path, e: impl std::fmt::Display) -> IngestError {
    IngestError::Write {
        file: path.display().to_string(),
        message: e.to_string(),
    }
}

/// Writes `<dir>/<name>.csv`, `.parquet` and `.md`.
pub fn write_table(
    frame: &mut DataFrame,
    dir: &Path,
    name: &str,
    title: &str,
    metadata: &[(String, String)],
) -> Result<(), IngestError> {
    std::fs::create_dir_all(dir).map_err(|e| write_error(dir, e))?;
    write_parquet(frame, &dir.join(format!("{name}.parquet")), metadata)?;
    write_text(&dir.join(format!("{name}.csv")), &csv_text(frame))?;
    write_text(&dir.join(format!("{name}.md")), &markdown(frame, title))
}

/// A cell as text: full precision for numbers (shortest round-trip), empty for null.
fn cell(value: AnyValue) -> String {
    match value {
        AnyValue::Null => String::new(),
        AnyValue::String(s) => s.to_string(),
        AnyValue::StringOwned(s) => s.to_string(),
        AnyValue::Float64(v) => format!("{v}"),
        other => other.to_string(),
    }
}

/// CSV with full precision; text cells that a spreadsheet would execute are neutralised.
pub fn csv_text(frame: &DataFrame) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let names: Vec<&str> = frame
        .get_column_names()
        .iter()
        .map(|s| s.as_str())
        .collect();
    let _ = writer.write_record(&names);
    let columns = frame.columns();
    for i in 0..frame.height() {
        let record: Vec<String> = columns
            .iter()
            .map(|c| {
                let text = cell(c.get(i).unwrap_or(AnyValue::Null));
                if c.dtype() == &DataType::String {
                    neutralise(&text)
                } else {
                    text
                }
            })
            .collect();
        let _ = writer.write_record(&record);
    }
    String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// A number rounded for reading: thousands separators above 1,000, else 3 significant digits.
pub fn readable(v: f64) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    let a = v.abs();
    if a >= 1000.0 {
        let digits = format!("{:.0}", a);
        let mut grouped = String::new();
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(ch);
        }
        format!("{}{grouped}", if v < 0.0 { "-" } else { "" })
    } else if a >= 1.0 || a == 0.0 {
        format!("{v:.2}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string()
    } else if a >= 1e-4 {
        let decimals = (-a.log10().floor()) as usize + 2;
        format!("{v:.decimals$}")
    } else {
        format!("{v:.2e}")
    }
}

/// Escapes text for a Markdown table cell: pipes, HTML tags and line breaks made inert
/// (`<` and `&` are enough to stop a tag or entity; `>` inside a cell is plain text).
pub fn markdown_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
}

/// A Markdown table, numbers rounded, columns padded to align.
pub fn markdown(frame: &DataFrame, title: &str) -> String {
    let names: Vec<String> = frame
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    let columns = frame.columns();
    let mut rows: Vec<Vec<String>> = vec![names.clone()];
    for i in 0..frame.height() {
        rows.push(
            columns
                .iter()
                .map(|c| match c.get(i).unwrap_or(AnyValue::Null) {
                    AnyValue::Float64(v) => readable(v),
                    other => markdown_escape(&cell(other)),
                })
                .collect(),
        );
    }
    let widths: Vec<usize> = (0..names.len())
        .map(|j| {
            rows.iter()
                .map(|r| r[j].chars().count())
                .max()
                .unwrap_or(3)
                .max(3)
        })
        .collect();
    let line = |r: &Vec<String>| {
        let cells: Vec<String> = r
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        format!("| {} |\n", cells.join(" | "))
    };
    let mut out = format!("# {title}\n\n");
    out.push_str(&line(&rows[0]));
    out.push_str(&format!(
        "|{}|\n",
        widths
            .iter()
            .map(|w| "-".repeat(w + 2))
            .collect::<Vec<_>>()
            .join("|")
    ));
    for r in &rows[1..] {
        out.push_str(&line(r));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readable_numbers() {
        assert_eq!(readable(3226.8), "3,227");
        assert_eq!(readable(-1234567.0), "-1,234,567");
        assert_eq!(readable(12.3456), "12.35");
        assert_eq!(readable(0.0123456), "0.0123");
        assert_eq!(readable(0.000012), "1.20e-5");
        assert_eq!(readable(2.0), "2");
    }

    #[test]
    fn markdown_cells_are_inert() {
        assert_eq!(markdown_escape("a|<script>"), "a\\|&lt;script>");
    }
}
