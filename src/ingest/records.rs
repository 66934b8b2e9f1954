//! Individual seizure records: one row per seizure event (`date, country, drug, quantity,
//! unit`, optional `route, origin, destination, mode`), as in the UNODC Individual Drug
//! Seizures collection and national case data. They are aggregated into the observation
//! table: per country, drug and year (and quarter), the total weight (`seizures`, kg), the
//! number of events (`seizure_events`, count) and the median seizure size
//! (`median_seizure`, kg).
//!
//! One polars query on the streaming engine reads the file once and groups the records by
//! country, drug and unit (read as categoricals, so that each distinct name is looked up
//! once, not once a record) and by the year and quarter of their date (parsed by polars),
//! keeping each record's row number and weight (12 bytes a record) and the text of each date
//! or quantity that did not parse. The groups are as many as series times quarters, however
//! many records or distinct dates there are. Resolving the names against the reference and
//! filing each group's weights under its series then happens here, in Rust.
//!
//! Every record ends in an aggregate or in the rejects with its reason (date not a real
//! YYYY-MM-DD date, unknown country or drug, quantity not a finite number, unknown unit,
//! negative), an empty quantity being a missing value as in every other format (counted in
//! `missing` unless `missing = "reject"`); row numbers assume one record per line (header = row 1). Names are matched
//! as everywhere else (`match_key`: trimmed, spaces collapsed, lower case) against the
//! reference. An aggregate's lineage is its source text ("N seizure records of FILE"), not a
//! list of rows. Totals ([`decimal_sum`]) and medians are taken over sorted weights, so the
//! output bytes do not depend on the order in which the streaming engine met the records.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use polars::prelude::*;
use rayon::prelude::*;

use super::spec::Header;
use super::table::Cell;
use super::{FileSummary, Missing, Reject, MISSING_VALUE};
use crate::error::{Error, InputError};
use crate::model::observation::{Entry, ObservationTable};
use crate::model::unit::decimal_sum;
use crate::model::{Period, Reference, Unit};

/// The columns a records file must have.
pub const REQUIRED: [&str; 5] = ["date", "country", "drug", "quantity", "unit"];

/// Whether the first line of a file is a records header (checked without reading the file).
pub fn is_records(path: &Path) -> bool {
    header(path).is_some_and(|h| required(&h).is_ok())
}

/// The names of the first line as polars reads them (without quotes).
fn header(path: &Path) -> Option<Vec<String>> {
    let file = std::fs::File::open(path).ok()?;
    let mut line = String::new();
    BufReader::new(file.take(64 * 1024))
        .read_line(&mut line)
        .ok()?;
    let line = line
        .trim_start_matches('\u{feff}')
        .trim_end_matches(['\r', '\n']);
    Some(
        line.split(',')
            .map(|c| c.trim_matches('"').to_string())
            .collect(),
    )
}

/// The file's names of the `REQUIRED` columns, in that order, found as every reader finds
/// its columns (`Header`: `Date` or ` date ` for `date`), or the first one missing.
fn required(header: &[String]) -> Result<[&str; 5], &'static str> {
    let cells: Vec<Cell> = header.iter().map(|name| Cell::Text(name.clone())).collect();
    let found = Header::new(&cells);
    let mut names = [""; 5];
    for (name, wanted) in names.iter_mut().zip(REQUIRED) {
        *name = &header[found.find(wanted).ok_or(wanted)?];
    }
    Ok(names)
}

/// The columns read as categoricals: decoded once per distinct text.
const CODED: [&str; 3] = ["country", "drug", "unit"];

/// Years outside this range are taken for typing errors.
const YEARS: (i32, i32) = (1900, 2100);

/// The largest quantity whose weight in kg stays finite whatever its unit (t: x 1000).
const MAX_QUANTITY: f64 = f64::MAX / 1000.0;

/// Unknown names get the closest known names in their reason, for the first this many
/// distinct unknown names (in text order, countries first); after that (a hostile or badly
/// mapped file) the plain reason, to keep the search bounded.
const SUGGESTED_NAMES: usize = 200;

const BAD_DATE: &str = "date is not a date YYYY-MM-DD";
const BAD_QUANTITY: &str = "quantity is not a finite number";
const BAD_UNIT: &str = "unknown unit: expected g, kg or t";
const NEGATIVE: &str = "negative quantity";
const TOO_SMALL: &str =
    "quantity is too small for a 64-bit float (nonzero, below 2.2e-308 in magnitude): not a real figure";

/// The year and quarter of a `YYYY-MM-DD` date in `YEARS`, read as polars reads it (a month
/// or day may have one digit), white space around it allowed.
fn year_quarter(text: &str) -> Option<(i32, u8)> {
    use chrono::Datelike;
    let date = chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()?;
    let in_range = (YEARS.0..=YEARS.1).contains(&date.year());
    in_range.then(|| (date.year(), (date.month() as u8 - 1) / 3 + 1))
}

/// Kilograms per unit.
fn unit_factor(text: &str) -> Option<f64> {
    match crate::model::reference::match_key(text).as_str() {
        "kg" => Some(1.0),
        "g" => Some(0.001),
        "t" => Some(1000.0),
        _ => None,
    }
}

/// The text of a code ("" for an empty field).
fn text(mapping: &CategoricalMapping, code: Option<u32>) -> &str {
    code.and_then(|c| mapping.cat_to_str(c)).unwrap_or("")
}

/// The distinct codes of a column with their texts, in text order.
fn distinct<'m>(
    mapping: &'m CategoricalMapping,
    codes: &UInt32Chunked,
) -> Vec<(Option<u32>, &'m str)> {
    let mut codes: Vec<(Option<u32>, &str)> = codes.iter().map(|c| (c, text(mapping, c))).collect();
    codes.sort_by_key(|(_, text)| *text);
    codes.dedup();
    codes
}

/// What each distinct text of the coded columns means, worked out once.
struct Meanings<'a> {
    geos: HashMap<Option<u32>, Result<&'a str, String>>,
    drugs: HashMap<Option<u32>, Result<&'a str, String>>,
    units: HashMap<Option<u32>, Option<f64>>,
}

impl<'a> Meanings<'a> {
    /// Names are resolved in text order, countries first: which unknown names get suggestions
    /// does not depend on the order in which the groups came.
    fn new(
        mapping: &CategoricalMapping,
        reference: &'a Reference,
        [countries, drugs, units]: [&UInt32Chunked; 3],
    ) -> Self {
        let mut unknown_names = 0;
        let mut names = |codes: &UInt32Chunked,
                         resolve: fn(&'a Reference, &str) -> Result<&'a str, String>,
                         what: &str,
                         table: &str| {
            let mut meanings = HashMap::new();
            for (code, text) in distinct(mapping, codes) {
                let name = if text.trim().is_empty() {
                    Err(format!("{what} is empty"))
                } else {
                    resolve(reference, text).map_err(|suggested| {
                        unknown_names += 1;
                        if unknown_names <= SUGGESTED_NAMES {
                            suggested
                        } else {
                            format!(
                                "unknown {what} '{}' (add it to data/reference/{table})",
                                text.trim()
                            )
                        }
                    })
                };
                meanings.insert(code, name);
            }
            meanings
        };
        let geos = names(
            countries,
            Reference::resolve_geo,
            "country",
            "countries.csv",
        );
        let drugs = names(drugs, Reference::resolve_drug, "drug", "drugs.csv");
        Meanings {
            geos,
            drugs,
            units: distinct(mapping, units)
                .into_iter()
                .map(|(code, text)| (code, unit_factor(text)))
                .collect(),
        }
    }
}

/// The records grouped by country, drug and unit (codes) and year and quarter (null where
/// the date did not parse or is out of range), with lists of their row numbers, quantities
/// (null where not a number), the texts of those dates and the texts of the quantities that
/// are not a finite number from 0 to `MAX_QUANTITY`. `names` are the file's names of the `REQUIRED` columns.
/// Public for `examples/records_profile.rs`.
pub fn grouped(
    path: &Path,
    names: [&str; 5],
) -> PolarsResult<(DataFrame, Arc<CategoricalMapping>)> {
    let categories = Categories::random("routetrend-records".into(), CategoricalPhysical::U32);
    // The codes' texts: held here, the categoricals only keep a weak reference.
    let mapping = categories.mapping();
    let coded = DataType::from_categories(categories);
    let schema: Schema = REQUIRED
        .iter()
        .zip(names)
        .filter(|(column, _)| CODED.contains(column))
        .map(|(_, name)| Field::new(name.into(), coded.clone()))
        .collect();
    let day = col("date").str().to_date(StrptimeOptions {
        format: Some("%Y-%m-%d".into()),
        strict: false,
        exact: true,
        cache: false,
    });
    let year = || col("day").dt().year();
    let in_range = year().gt_eq(lit(YEARS.0)).and(year().lt_eq(lit(YEARS.1)));
    let amount_problem = col("amount")
        .is_finite()
        .and(col("amount").gt_eq(lit(0.0)))
        .and(
            col("amount")
                .eq(lit(0.0))
                .or(col("amount").gt_eq(lit(f64::MIN_POSITIVE))),
        )
        .and(col("amount").lt_eq(lit(MAX_QUANTITY)))
        .fill_null(lit(false))
        .not();
    let groups = LazyCsvReader::new(PlRefPath::new(path.to_string_lossy().as_ref()))
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .with_dtype_overwrite(Some(Arc::new(schema)))
        .with_row_index(Some(RowIndex {
            name: "row".into(),
            offset: 2,
        }))
        .finish()?
        .rename(names, REQUIRED, true)
        .with_columns([
            day.alias("day"),
            col("quantity").cast(DataType::Float64).alias("amount"),
        ])
        .with_column(
            when(in_range)
                .then(col("day"))
                .otherwise(lit(NULL))
                .alias("day"),
        )
        .group_by([
            col("country").to_physical(),
            col("drug").to_physical(),
            col("unit").to_physical(),
            col("day").dt().year().alias("year"),
            col("day").dt().quarter().alias("quarter"),
        ])
        .agg([
            col("row").implode(false),
            col("amount").implode(false),
            col("date")
                .filter(col("day").is_null())
                .implode(false)
                .alias("bad_date"),
            col("quantity")
                .filter(amount_problem)
                .implode(false)
                .alias("bad_quantity"),
        ])
        .with_streaming(true)
        .collect()?;
    Ok((groups, mapping))
}

/// The first record with more fields than the header, as (row, fields, header fields): polars
/// refuses such a file without saying where.
fn first_long_row(path: &Path) -> Option<(u64, usize, usize)> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .ok()?;
    let expected = reader.byte_headers().ok()?.len();
    reader
        .byte_records()
        .map_while(Result::ok)
        .find(|record| record.len() > expected)
        .map(|record| {
            let row = record.position().map_or(0, |p| p.line());
            (row, record.len(), expected)
        })
}

/// A list column flattened: its values in group order and the length of each group's list.
fn flattened(groups: &DataFrame, name: &str) -> PolarsResult<(Series, Vec<usize>)> {
    let (values, offsets) = groups
        .column(name)?
        .list()?
        .explode_and_offsets(ExplodeOptions {
            empty_as_null: false,
            keep_nulls: false,
        })?;
    Ok((values, offsets.lengths().collect()))
}

/// The next `n` texts of a flattened text list: one group's list.
fn next_texts<'a>(
    texts: &mut impl Iterator<Item = Option<&'a str>>,
    n: usize,
) -> std::vec::IntoIter<&'a str> {
    let group: Vec<&str> = texts.take(n).map(|t| t.unwrap_or("")).collect();
    group.into_iter()
}

/// A series-year: geo, drug, year.
type SeriesYear<'a> = (&'a str, &'a str, i32);

/// Each series-year's weights (kg) by quarter (hashed while they are filed, then sorted).
type Filed<'a> =
    std::collections::HashMap<SeriesYear<'a>, BTreeMap<u8, Vec<f64>>, foldhash::fast::FixedState>;

/// The weights of one quarter of a series-year, created empty on first use.
fn weights_of<'m, 'a>(
    filed: &'m mut Filed<'a>,
    series_year: SeriesYear<'a>,
    quarter: u8,
) -> &'m mut Vec<f64> {
    filed
        .entry(series_year)
        .or_default()
        .entry(quarter)
        .or_default()
}

/// Reads a records file into observations (annual and quarterly aggregates) and rejects.
pub fn ingest_records(
    path: &Path,
    name: &str,
    reference: &Reference,
    missing: Missing,
) -> Result<(ObservationTable, Vec<Reject>, FileSummary), Error> {
    let fail = |e: PolarsError| InputError::Unreadable {
        file: name.to_string(),
        message: e.to_string(),
    };
    let found = header(path).unwrap_or_default();
    let names = required(&found).map_err(|missing| InputError::MissingColumn {
        file: name.into(),
        format: "records".into(),
        missing: missing.to_string(),
        expected: REQUIRED.join(","),
        found: found.join(","),
    })?;
    // The file's hash is taken while the query runs (both read the file; the query leaves
    // part of the second core idle).
    let (bytes_hash, grouped) = std::thread::scope(|scope| {
        let hash = scope.spawn(|| super::sha256_file(path));
        let grouped = grouped(path, names);
        (hash.join(), grouped)
    });
    let bytes_hash = bytes_hash
        .unwrap_or_else(|_| Err(std::io::Error::other("the hashing thread failed")))
        .map_err(|e| InputError::Io {
            file: name.into(),
            message: e.to_string(),
        })?;
    let (groups, mapping) = grouped.map_err(|e| match first_long_row(path) {
        Some((row, fields, expected)) => InputError::Unreadable {
            file: name.into(),
            message: format!(
                "row {row} has {fields} fields, the header {expected} (a comma in an unquoted \
                 value?); fix or quote it"
            ),
        },
        None => fail(e),
    })?;
    let column = |c: &str| groups.column(c).map_err(fail);
    let code = |c: &str| column(c)?.u32().cloned().map_err(fail);
    let (countries, drugs, units) = (code("country")?, code("drug")?, code("unit")?);
    let years = column("year")?.i32().cloned().map_err(fail)?;
    let quarters = column("quarter")?.i8().cloned().map_err(fail)?;
    let meanings = Meanings::new(&mapping, reference, [&countries, &drugs, &units]);
    let list = |c: &str| flattened(&groups, c).map_err(fail);
    let ((rows, sizes), (amounts, _)) = (list("row")?, list("amount")?);
    let ((bad_dates, bad_date_sizes), (bad_quantities, bad_quantity_sizes)) =
        (list("bad_date")?, list("bad_quantity")?);
    let mut rows = rows.idx().map_err(fail)?.iter();
    let mut amounts = amounts.f64().map_err(fail)?.iter();
    let mut bad_dates = bad_dates.str().map_err(fail)?.iter();
    let mut bad_quantities = bad_quantities.str().map_err(fail)?.iter();

    let mut filed = Filed::default();
    let mut rejects = Vec::new();
    let mut records: u64 = 0;
    for i in 0..groups.height() {
        let (country, drug, unit) = (countries.get(i), drugs.get(i), units.get(i));
        let unknown = || Err(String::new());
        let geo = meanings.geos.get(&country).cloned().unwrap_or_else(unknown);
        let drug_key = meanings.drugs.get(&drug).cloned().unwrap_or_else(unknown);
        let factor = meanings.units.get(&unit).copied().flatten();
        // Null where the date did not parse: then each record's date text is read here.
        let date_key = years
            .get(i)
            .zip(quarters.get(i))
            .map(|(year, quarter)| (year, quarter as u8));
        let mut date_texts = next_texts(&mut bad_dates, bad_date_sizes[i]);
        let mut quantity_texts = next_texts(&mut bad_quantities, bad_quantity_sizes[i]);
        let mut weights = Vec::with_capacity(sizes[i]);
        records += sizes[i] as u64;
        for (row, amount) in rows.by_ref().zip(amounts.by_ref()).take(sizes[i]) {
            let (date, when) = match date_key {
                Some(key) => ("", Some(key)),
                None => {
                    let text = date_texts.next().unwrap_or("");
                    (text, year_quarter(text))
                }
            };
            // polars' cast does not trim white space: a padded quantity is read here.
            // One rule with the tables (`unit::parse_number`): a zero is +0, a nonzero
            // quantity below the smallest normal f64 is no figure.
            let amount = amount.map(|a| if a == 0.0 { 0.0 } else { a });
            let (amount, quantity) = match amount {
                Some(a) if a == 0.0 || (f64::MIN_POSITIVE..=MAX_QUANTITY).contains(&a) => {
                    (Some(a), "")
                }
                _ => {
                    let text = quantity_texts.next().unwrap_or("");
                    (amount.or_else(|| text.trim().parse().ok()), text)
                }
            };
            let (column, value, reason) = match (
                when,
                &geo,
                &drug_key,
                amount.filter(|a| a.is_finite()),
                factor,
            ) {
                (None, ..) => ("date", date, BAD_DATE),
                (_, Err(reason), ..) => ("country", text(&mapping, country), reason.as_str()),
                (_, _, Err(reason), ..) => ("drug", text(&mapping, drug), reason.as_str()),
                (.., None, _) if quantity.trim().is_empty() => ("quantity", "", MISSING_VALUE),
                (.., None, _) => ("quantity", quantity, BAD_QUANTITY),
                (.., Some(_), None) => ("unit", text(&mapping, unit), BAD_UNIT),
                (.., Some(a), Some(_)) if a != 0.0 && a.abs() < f64::MIN_POSITIVE => {
                    ("quantity", quantity, TOO_SMALL)
                }
                (.., Some(a), Some(_)) if a < 0.0 => ("quantity", quantity, NEGATIVE),
                (.., Some(a), Some(f)) if !(a * f).is_finite() => {
                    ("quantity", quantity, BAD_QUANTITY)
                }
                (Some((year, quarter)), Ok(geo), Ok(drug), Some(a), Some(f)) => {
                    if date_key.is_some() {
                        weights.push(a * f);
                    } else {
                        weights_of(&mut filed, (geo, drug, year), quarter).push(a * f);
                    }
                    continue;
                }
            };
            rejects.push(Reject {
                file: name.into(),
                sheet: None,
                row: row.unwrap_or(0),
                column: column.into(),
                value: value.into(),
                reason: reason.into(),
                missing: reason == MISSING_VALUE && missing == Missing::Count,
            });
        }
        if let (Some((year, quarter)), Ok(geo), Ok(drug), false) =
            (date_key, geo, drug_key, weights.is_empty())
        {
            weights_of(&mut filed, (geo, drug, year), quarter).append(&mut weights);
        }
    }
    rejects.sort_by_key(|r| r.row);
    let kept = records - rejects.len() as u64;
    let missing_values = rejects.iter().filter(|r| r.missing).count() as u64;
    let annual_series = filed.len() as u64;
    let mut filed: Vec<_> = filed.into_iter().collect();
    filed.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let summed: Vec<Summed> = filed
        .into_par_iter()
        .flat_map_iter(|(series_year, quarters)| summarize(series_year, quarters))
        .collect();
    let observations = observation_table(&summed, name);
    let summary = FileSummary {
        file: name.into(),
        sheet: None,
        format: "records".into(),
        sha256: bytes_hash,
        records,
        kept,
        rejected: rejects.len() as u64 - missing_values,
        exact_duplicates: 0,
        line_items_summed: kept.saturating_sub(annual_series),
        observations: observations.len() as u64,
        warnings: Vec::new(),
        missing: missing_values,
        ..FileSummary::default()
    };
    Ok((observations, rejects, summary))
}
/// What one series-period's records sum to: the year's, or one quarter's.
struct Summed<'a> {
    geo: &'a str,
    drug: &'a str,
    period: Period,
    events: usize,
    total: f64,
    median: f64,
}

/// The sums of one series-year: the year's, then each quarter's with records.
fn summarize<'a>(
    (geo, drug, year): SeriesYear<'a>,
    quarters: BTreeMap<u8, Vec<f64>>,
) -> Vec<Summed<'a>> {
    let mut quarters: Vec<(u8, Vec<f64>)> = quarters.into_iter().collect();
    for (_, kg) in &mut quarters {
        kg.sort_by(f64::total_cmp);
    }
    // Sorted runs: the sort of their concatenation is a merge.
    let mut year_kg: Vec<f64> = quarters
        .iter()
        .flat_map(|(_, kg)| kg.iter().copied())
        .collect();
    year_kg.sort_by(f64::total_cmp);
    let periods = std::iter::once((None, &year_kg))
        .chain(quarters.iter().map(|(quarter, kg)| (Some(*quarter), kg)));
    periods
        .map(|(quarter, kg)| {
            let n = kg.len();
            let median = if n % 2 == 1 {
                kg[n / 2]
            } else {
                (kg[n / 2 - 1] + kg[n / 2]) / 2.0
            };
            Summed {
                geo,
                drug,
                period: Period { year, quarter },
                events: n,
                total: decimal_sum(kg),
                median,
            }
        })
        .collect()
}

/// The observations of the sums: total, events and median of each series-period, as entries
/// of one table (no string per observation).
fn observation_table(summed: &[Summed], name: &str) -> ObservationTable {
    let mut table = ObservationTable::default();
    let strings = &mut table.strings;
    let file = strings.id(name);
    let no_rows = strings.id("");
    let indicators = [
        (strings.id("seizures"), Unit::Kg),
        (strings.id("seizure_events"), Unit::Count),
        (strings.id("median_seizure"), Unit::Kg),
    ];
    let mut sources: HashMap<usize, u32> = HashMap::new();
    table.entries.reserve(3 * summed.len());
    for s in summed {
        let (geo, drug) = (strings.id(s.geo), strings.id(s.drug));
        let source = *sources
            .entry(s.events)
            .or_insert_with(|| strings.id(&format!("{} seizure records of {name}", s.events)));
        for ((indicator, unit), value) in
            indicators
                .into_iter()
                .zip([s.total, s.events as f64, s.median])
        {
            table.entries.push(Entry {
                indicator,
                geo,
                drug: Some(drug),
                dimension: None,
                category: None,
                period: s.period,
                value,
                unit,
                source,
                source_file: file,
                source_row: 0,
                source_rows: Some(no_rows),
            });
        }
    }
    table
}
