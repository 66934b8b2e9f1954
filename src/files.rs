//! Files every stage writes and reads: text written atomically, zstd Parquet with
//! routetrend's key-value metadata, a Hive-partitioned dataset, and an output table as CSV
//! (full precision, spreadsheet-safe text), Parquet and Markdown (rounded for reading); and
//! the one way a Parquet table is read back.
//!
//! Files are written to a temporary name and renamed, so a reader never sees half a file.
//! Nothing time-dependent goes into them: the same inputs give byte-identical files. Not
//! here: where each file lives (`pipeline::catalog`) and what goes into it.

use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use polars::prelude::*;

use crate::display::{markdown_cell, readable};
use crate::error::{Error, InputError, Result};
use crate::model::observation::SCHEMA_VERSION;

/// Reads a Parquet table lazily; `missing` says which stage writes it when it is absent.
pub fn scan_parquet(path: &Path, missing: &str) -> Result<LazyFrame> {
    if !path.is_file() {
        return Err(InputError::Io {
            file: path.display().to_string(),
            message: missing.into(),
        }
        .into());
    }
    LazyFrame::scan_parquet(
        PlRefPath::new(path.to_string_lossy().as_ref()),
        ScanArgsParquet::default(),
    )
    .map_err(Error::compute(format!("reading {}", path.display())))
}

/// Reads a whole Parquet table.
pub fn read_parquet(path: &Path, missing: &str) -> Result<DataFrame> {
    scan_parquet(path, missing)?
        .collect()
        .map_err(Error::compute(format!("reading {}", path.display())))
}

/// The key-value metadata of a Parquet file.
pub fn key_value_metadata(path: &Path) -> Result<Vec<(String, Option<String>)>> {
    let file = File::open(path).map_err(|e| Error::reading(path, e))?;
    let metadata = ParquetReader::new(file)
        .get_metadata()
        .map_err(Error::compute(format!("reading {}", path.display())))?
        .clone();
    Ok(metadata
        .key_value_metadata()
        .iter()
        .flatten()
        .map(|kv| (kv.key.clone(), kv.value.clone()))
        .collect())
}

/// The key-value metadata of every output table: tool, schema version and table name.
pub fn provenance_keys(table: &str) -> Vec<(String, String)> {
    vec![
        (
            "routetrend.tool".into(),
            format!("routetrend {}", env!("CARGO_PKG_VERSION")),
        ),
        ("routetrend.schema_version".into(), SCHEMA_VERSION.into()),
        ("routetrend.table".into(), table.into()),
    ]
}

/// Writes a frame as one zstd Parquet file with the given key-value metadata, atomically.
pub fn write_parquet(
    frame: &mut DataFrame,
    path: &Path,
    metadata: &[(String, String)],
) -> Result<()> {
    let tmp = path.with_extension("parquet.tmp");
    let destination = SinkDestination::File {
        target: SinkTarget::Path(PlRefPath::new(tmp.to_string_lossy().as_ref())),
    };
    sink_parquet(frame, destination, metadata).map_err(|e| Error::writing(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::writing(path, e))
}

/// Writes a Hive-partitioned dataset `dir/indicator=<value>/00000000.parquet`.
pub fn write_partitioned(
    frame: &DataFrame,
    dir: &Path,
    metadata: &[(String, String)],
) -> Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|e| Error::writing(dir, e))?;
    }
    let destination = SinkDestination::Partitioned {
        base_path: PlRefPath::new(dir.to_string_lossy().as_ref()),
        file_path_provider: None,
        partition_strategy: PartitionStrategy::Keyed {
            keys: vec![col("indicator")],
            include_keys: false,
            keys_pre_grouped: false,
        },
        max_rows_per_file: IdxSize::MAX,
        approximate_bytes_per_file: u64::MAX,
    };
    sink_parquet(frame, destination, metadata).map_err(|e| Error::writing(dir, e))
}

/// Every Parquet file routetrend writes: zstd, full statistics, rows in order, the given
/// key-value metadata, and strings as plain (large) UTF-8, polars' oldest compatibility
/// level, not Arrow's newer `string_view`, which pyarrow < 16, R arrow and Spark 3 cannot
/// read.
fn sink_parquet(
    frame: &DataFrame,
    destination: SinkDestination,
    metadata: &[(String, String)],
) -> PolarsResult<()> {
    let options = ParquetWriteOptions {
        compression: ParquetCompression::Zstd(None),
        statistics: StatisticsOptions::full(),
        key_value_metadata: Some(KeyValueMetadata::from_static(metadata.to_vec())),
        compat_level: Some(CompatLevel::oldest()),
        ..Default::default()
    };
    frame
        .clone()
        .lazy()
        .sink(
            destination,
            FileWriteFormat::Parquet(Arc::new(options)),
            UnifiedSinkArgs {
                mkdir: true,
                maintain_order: true,
                ..Default::default()
            },
        )?
        .collect()?;
    Ok(())
}

/// A cell a spreadsheet would execute (leading `=`, `+`, `-`, `@`) is prefixed with `'`, as
/// report writers open CSVs in Excel; numbers such as `-3` stay as they are.
pub fn neutralise(text: &str) -> String {
    let risky = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && text.parse::<f64>().is_err() {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// Writes text atomically (used for small JSON and Markdown outputs).
pub fn write_text(path: &Path, text: &str) -> Result<()> {
    write_bytes(path, text.as_bytes())
}

/// Writes bytes atomically: to a temporary file beside `path`, then renamed over it.
pub fn write_bytes(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("tmp");
    let mut f = File::create(&tmp).map_err(|e| Error::writing(&tmp, e))?;
    f.write_all(bytes).map_err(|e| Error::writing(&tmp, e))?;
    drop(f);
    std::fs::rename(&tmp, path).map_err(|e| Error::writing(path, e))
}

/// Writes a table as CSV, Parquet (with `metadata`) and Markdown (under `title`).
pub fn write_table(
    frame: &mut DataFrame,
    csv: &Path,
    parquet: &Path,
    markdown_file: &Path,
    title: &str,
    metadata: &[(String, String)],
) -> Result<()> {
    if let Some(dir) = parquet.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::writing(dir, e))?;
    }
    write_parquet(frame, parquet, metadata)?;
    write_text(csv, &csv_text(frame))?;
    write_text(markdown_file, &markdown(frame, title))
}

/// A cell as text: full precision for numbers (shortest round-trip), empty for null.
fn cell(value: AnyValue) -> String {
    match value {
        AnyValue::Null => String::new(),
        AnyValue::String(s) => s.to_string(),
        AnyValue::StringOwned(s) => s.to_string(),
        // Negative zero is written 0: "-0" reads as a sign where there is none.
        AnyValue::Float64(v) => format!("{}", v + 0.0),
        other => other.to_string(),
    }
}

/// CSV with full precision; text cells that a spreadsheet would execute are neutralised.
pub fn csv_text(frame: &DataFrame) -> String {
    let names: Vec<&str> = frame
        .get_column_names()
        .iter()
        .map(|s| s.as_str())
        .collect();
    let columns = frame.columns();
    let rows = (0..frame.height()).map(|i| {
        columns
            .iter()
            .map(|c| cell(c.get(i).unwrap_or(AnyValue::Null)))
            .collect()
    });
    csv_string(&names, rows)
}

/// CSV text through the csv crate (quoted where a field needs it: commas, quotes, CR or LF),
/// every field [`neutralise`]d, so that no cell starts a formula or a new row in a
/// spreadsheet.
pub fn csv_string(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record(header);
    for row in rows {
        let _ = writer.write_record(row.iter().map(|field| neutralise(field)));
    }
    String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
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
                    other => markdown_cell(&cell(other)),
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

/// Parses a TOML configuration file (a pipeline, a mapping) into `T`. An unknown key or a
/// bad value names the file, the full key path (`analyze.trend_label`,
/// `figures[2].series[0].geo`), what was found, what is allowed and, for a misspelt key,
/// the closest allowed one.
pub fn parse_toml<T: serde::de::DeserializeOwned>(text: &str, file: &str) -> Result<T> {
    let deserializer = toml::Deserializer::new(text);
    serde_path_to_error::deserialize(deserializer).map_err(|e| {
        let path = toml_path(e.path());
        let inner = e.into_inner();
        let message = inner.message().to_string();
        // A syntax error has no path: say where it is instead.
        let (key, message) = match (path.is_empty(), inner.span()) {
            (true, Some(span)) => {
                let line = text[..span.start.min(text.len())].lines().count().max(1);
                (format!("(line {line})"), message)
            }
            _ => (path, unknown_key_hint(&message)),
        };
        Error::Config {
            file: file.to_string(),
            key,
            message,
        }
    })
}

/// `a.b[2].c` from serde's path (which writes sequence indices as `.2`).
fn toml_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Segment::Unknown => {}
        }
    }
    out
}

/// serde's "unknown field `trned`, expected one of `alpha`, `trend_label`" becomes
/// "unknown key 'trned'; allowed: alpha, trend_label; did you mean 'trend_label'?".
fn unknown_key_hint(message: &str) -> String {
    let Some(rest) = message.strip_prefix("unknown field `") else {
        return message.to_string();
    };
    let Some((found, rest)) = rest.split_once('`') else {
        return message.to_string();
    };
    let allowed: Vec<&str> = rest.split('`').skip(1).step_by(2).collect();
    if allowed.is_empty() {
        return format!("unknown key '{found}'");
    }
    // Closest by edits (a swap of two letters is one), within a third of the key's length.
    let closest = allowed
        .iter()
        .map(|a| (strsim::damerau_levenshtein(found, a), *a))
        .filter(|(edits, _)| *edits <= (found.chars().count() / 3).max(1))
        .min_by_key(|(edits, _)| *edits)
        .map(|(_, a)| format!("; did you mean '{a}'?"))
        .unwrap_or_default();
    format!(
        "unknown key '{found}'; allowed: {}{closest}",
        allowed.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Analyze {
        alpha: Option<f64>,
        trend_label: Option<String>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Doc {
        analyze: Option<Analyze>,
        figures: Option<Vec<Analyze>>,
    }

    fn message(text: &str) -> String {
        parse_toml::<Doc>(text, "p.toml").unwrap_err().to_string()
    }

    #[test]
    fn an_unknown_key_names_its_path_the_allowed_keys_and_the_closest() {
        assert_eq!(
            message("[analyze]\ntrned_label = \"mk\"\n"),
            "p.toml: key 'analyze.trned_label': unknown key 'trned_label'; allowed: alpha, trend_label; did you mean 'trend_label'?"
        );
        assert_eq!(
            message("[[figures]]\nalpha = 0.1\n[[figures]]\nzzz = 1\n"),
            "p.toml: key 'figures[1].zzz': unknown key 'zzz'; allowed: alpha, trend_label"
        );
    }

    #[test]
    fn a_bad_value_names_its_path_and_what_was_expected() {
        assert_eq!(
            message("[analyze]\nalpha = \"x\"\n"),
            "p.toml: key 'analyze.alpha': invalid type: string \"x\", expected f64"
        );
    }

    #[test]
    fn a_syntax_error_names_its_line() {
        let m = message("[analyze]\nalpha = 0.1\n[analyze\n");
        assert!(m.starts_with("p.toml: key '(line 3)': "), "{m}");
    }
}
