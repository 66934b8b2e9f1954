//! Individual seizure records: one row per seizure event (`date, country, drug, quantity,
//! unit`, optional `route, origin, destination, mode`), as in the UNODC Individual Drug
//! Seizures collection and national case data. They are aggregated into the observation
//! table by a polars lazy query run on the streaming engine, so memory stays bounded by the
//! number of series, not of records: per country, drug and year (and quarter), the total
//! weight (`seizures`, kg), the number of events (`seizure_events`, count) and the median
//! seizure size (`median_seizure`, kg).
//!
//! Every record ends in an aggregate or in the rejects with its reason (date not
//! YYYY-MM-DD, unknown country or drug, quantity not a number, unknown unit, negative);
//! row numbers assume one record per line (header = row 1). Names are matched lower-cased
//! and trimmed against the reference aliases. An aggregate's lineage is its source text
//! ("N records of FILE"), not a list of rows.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use polars::prelude::*;

use super::{FileSummary, IngestError, Reject};
use crate::model::{Observation, Period, Reference, Unit};

/// The columns a records file must have.
pub const REQUIRED: [&str; 5] = ["date", "country", "drug", "quantity", "unit"];

/// Whether the first line of a file is a records header (checked without reading the file).
pub fn is_records(path: &Path) -> bool {
    header(path).is_some_and(|h| REQUIRED.iter().all(|c| h.iter().any(|x| x == c)))
}

fn header(path: &Path) -> Option<Vec<String>> {
    let file = std::fs::File::open(path).ok()?;
    let mut line = String::new();
    BufReader::new(file.take(64 * 1024))
        .read_line(&mut line)
        .ok()?;
    let line = line.trim_start_matches('\u{feff}').trim_end();
    Some(
        line.split(',')
            .map(|c| c.trim().trim_matches('"').to_lowercase())
            .collect(),
    )
}

fn alias_frame(pairs: Vec<(String, String)>, key: &str, value: &str) -> PolarsResult<LazyFrame> {
    let (k, v): (Vec<String>, Vec<String>) = pairs.into_iter().unzip();
    Ok(DataFrame::new_infer_height(vec![
        Column::new(key.into(), k),
        Column::new(value.into(), v),
    ])?
    .lazy())
}

fn folded(column: &str) -> Expr {
    col(column)
        .str()
        .strip_chars(lit(NULL))
        .str()
        .to_lowercase()
}

/// Reads a records file into observations (annual and quarterly aggregates) and rejects.
pub fn ingest_records(
    path: &Path,
    name: &str,
    reference: &Reference,
) -> Result<(Vec<Observation>, Vec<Reject>, FileSummary), IngestError> {
    let fail = |e: PolarsError| IngestError::Unreadable {
        file: name.to_string(),
        message: e.to_string(),
    };
    let found = header(path).unwrap_or_default();
    if let Some(missing) = REQUIRED.iter().find(|c| !found.iter().any(|x| x == *c)) {
        return Err(IngestError::MissingColumn {
            file: name.into(),
            format: "records".into(),
            missing: missing.to_string(),
            expected: REQUIRED.join(","),
            found: found.join(","),
        });
    }
    let bytes_hash = super::sha256_file(path).map_err(|e| IngestError::Io {
        file: name.into(),
        message: e.to_string(),
    })?;
    let geo_aliases = alias_frame(reference.geo_aliases(), "country_key", "geo").map_err(fail)?;
    let drug_aliases =
        alias_frame(reference.drug_aliases(), "drug_key", "drug_id").map_err(fail)?;
    // The same query twice: with row numbers for the rejects, without them (cheaper for the
    // streaming engine) for the aggregates.
    let prepared = |row_numbers: bool| -> Result<LazyFrame, IngestError> {
        let mut reader = LazyCsvReader::new(PlRefPath::new(path.to_string_lossy().as_ref()))
            .with_has_header(true)
            .with_infer_schema_length(Some(0));
        if row_numbers {
            reader = reader.with_row_index(Some(RowIndex {
                name: "row".into(),
                offset: 2,
            }));
        }
        Ok(reader
            .finish()
            .map_err(fail)?
            .with_columns([
                folded("country").alias("country_key"),
                folded("drug").alias("drug_key"),
                col("date").str().strip_chars(lit(NULL)).alias("date_text"),
            ])
            .join(
                geo_aliases.clone(),
                [col("country_key")],
                [col("country_key")],
                JoinArgs::new(JoinType::Left),
            )
            .join(
                drug_aliases.clone(),
                [col("drug_key")],
                [col("drug_key")],
                JoinArgs::new(JoinType::Left),
            )
            .with_columns([
                col("date_text")
                    .str()
                    .slice(lit(0), lit(4))
                    .cast(DataType::Int32)
                    .alias("year"),
                col("date_text")
                    .str()
                    .slice(lit(5), lit(2))
                    .cast(DataType::Int32)
                    .alias("month"),
                col("quantity")
                    .str()
                    .strip_chars(lit(NULL))
                    .cast(DataType::Float64)
                    .alias("amount"),
                when(folded("unit").eq(lit("kg")))
                    .then(lit(1.0))
                    .when(folded("unit").eq(lit("g")))
                    .then(lit(0.001))
                    .when(folded("unit").eq(lit("t")))
                    .then(lit(1000.0))
                    .otherwise(lit(NULL).cast(DataType::Float64))
                    .alias("factor"),
            ])
            .with_column((col("amount") * col("factor")).alias("kg"))
            .with_column(
                when(
                    col("date_text")
                        .str()
                        .len_bytes()
                        .neq(lit(10))
                        .or(col("date_text").str().slice(lit(4), lit(1)).neq(lit("-")))
                        .or(col("date_text").str().slice(lit(7), lit(1)).neq(lit("-")))
                        .or(col("year").is_null())
                        .or(col("month").is_null())
                        .or(col("year").lt(lit(1900)))
                        .or(col("year").gt(lit(2100)))
                        .or(col("month").lt(lit(1)))
                        .or(col("month").gt(lit(12))),
                )
                .then(lit("date is not a date YYYY-MM-DD"))
                .when(col("geo").is_null())
                .then(lit(
                    "unknown country (add it to data/reference/countries.csv)",
                ))
                .when(col("drug_id").is_null())
                .then(lit("unknown drug (add it to data/reference/drugs.csv)"))
                .when(col("amount").is_null().or(col("amount").is_finite().not()))
                .then(lit("quantity is not a finite number"))
                .when(col("factor").is_null())
                .then(lit("unknown unit: expected g, kg or t"))
                .when(col("kg").lt(lit(0.0)))
                .then(lit("negative quantity"))
                .otherwise(lit(NULL).cast(DataType::String))
                .alias("reason"),
            ))
    };
    // Each output is its own streaming query over the file (no cached copy of all records).
    let rejected = prepared(true)?
        .filter(col("reason").is_not_null())
        .select([
            col("row"),
            col("date"),
            col("country"),
            col("drug"),
            col("quantity"),
            col("unit"),
            col("reason"),
        ])
        .sort(["row"], SortMultipleOptions::default())
        .with_streaming(true)
        .collect()
        .map_err(fail)?;
    let kept = prepared(false)?.filter(col("reason").is_null()).select([
        col("geo"),
        col("drug_id"),
        col("year"),
        ((col("month") - lit(1)) / lit(3) + lit(1)).alias("quarter"),
        col("kg"),
    ]);
    // One streaming pass groups the records by quarter, keeping each quarter's weights (8
    // bytes a record). Totals and medians are then taken over sorted values, so that the
    // result does not depend on the order in which the streaming engine met the records:
    // same file, same bytes.
    let quarters = kept
        .group_by([col("geo"), col("drug_id"), col("year"), col("quarter")])
        .agg([col("kg").implode(false).alias("values")])
        .with_streaming(true)
        .collect()
        .map_err(fail)?;
    type Key = (String, String, i32, Option<u8>);
    let mut groups: std::collections::BTreeMap<Key, Vec<f64>> = std::collections::BTreeMap::new();
    {
        let text = |c: &str| {
            quarters
                .column(c)
                .and_then(|c| c.str().cloned())
                .map_err(fail)
        };
        let int = |c: &str| {
            quarters
                .column(c)
                .and_then(|c| c.cast(&DataType::Int64))
                .and_then(|c| c.i64().cloned())
                .map_err(fail)
        };
        let (geo, drug, year, quarter) = (
            text("geo")?,
            text("drug_id")?,
            int("year")?,
            int("quarter")?,
        );
        let values = quarters
            .column("values")
            .and_then(|c| c.list().cloned())
            .map_err(fail)?;
        for i in 0..quarters.height() {
            let (Some(g), Some(d), Some(y), Some(q)) =
                (geo.get(i), drug.get(i), year.get(i), quarter.get(i))
            else {
                continue;
            };
            let list = values.get_as_series(i).unwrap_or_default();
            let kg: Vec<f64> = list.f64().map_err(fail)?.iter().flatten().collect();
            let y = y as i32;
            groups
                .entry((g.into(), d.into(), y, None))
                .or_default()
                .extend(&kg);
            groups
                .entry((g.into(), d.into(), y, Some(q as u8)))
                .or_default()
                .extend(kg);
        }
    }
    let mut observations = Vec::new();
    let mut kept_records: u64 = 0;
    for ((g, d, year, quarter), mut kg) in groups {
        kg.sort_by(f64::total_cmp);
        let n = kg.len();
        if quarter.is_none() {
            kept_records += n as u64;
        }
        let total: f64 = kg.iter().sum();
        let median = if n % 2 == 1 {
            kg[n / 2]
        } else {
            (kg[n / 2 - 1] + kg[n / 2]) / 2.0
        };
        let source = format!("{n} seizure records of {name}");
        let observation = |indicator: &str, value: f64, unit: Unit| Observation {
            indicator: indicator.into(),
            geo: g.clone(),
            drug: Some(d.clone()),
            dimension: None,
            category: None,
            period: Period { year, quarter },
            value,
            unit,
            source: source.clone(),
            source_file: name.into(),
            source_row: 0,
            source_rows: String::new(),
        };
        observations.push(observation("seizures", total, Unit::Kg));
        observations.push(observation("seizure_events", n as f64, Unit::Count));
        observations.push(observation("median_seizure", median, Unit::Kg));
    }

    let mut rejects = Vec::with_capacity(rejected.height());
    let text = |c: &str| {
        rejected
            .column(c)
            .and_then(|c| c.str().cloned())
            .map_err(fail)
    };
    let rows = rejected
        .column("row")
        .and_then(|c| c.cast(&DataType::UInt32))
        .and_then(|c| c.u32().cloned())
        .map_err(fail)?;
    let (dates, countries, drugs, quantities, units, reasons) = (
        text("date")?,
        text("country")?,
        text("drug")?,
        text("quantity")?,
        text("unit")?,
        text("reason")?,
    );
    for i in 0..rejected.height() {
        let reason = reasons.get(i).unwrap_or("");
        let (column, value) = match reason {
            r if r.starts_with("date") => ("date", dates.get(i)),
            r if r.contains("country") => ("country", countries.get(i)),
            r if r.contains("drug") => ("drug", drugs.get(i)),
            r if r.contains("unit") => ("unit", units.get(i)),
            _ => ("quantity", quantities.get(i)),
        };
        rejects.push(Reject {
            file: name.into(),
            sheet: None,
            row: rows.get(i).unwrap_or(0),
            column: column.into(),
            value: value.unwrap_or("").into(),
            reason: reason.into(),
        });
    }
    let summary = FileSummary {
        file: name.into(),
        sheet: None,
        format: "records".into(),
        sha256: bytes_hash,
        records: kept_records + rejects.len() as u64,
        kept: kept_records,
        rejected: rejects.len() as u64,
        exact_duplicates: 0,
        line_items_summed: kept_records.saturating_sub(
            observations
                .iter()
                .filter(|o| o.indicator == "seizures" && o.period.quarter.is_none())
                .count() as u64,
        ),
        observations: observations.len() as u64,
        warnings: Vec::new(),
    };
    Ok((observations, rejects, summary))
}
