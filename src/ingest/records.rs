//! Individual seizure records: one row per seizure event (`date, country, drug, quantity,
//! unit`, optional `route, origin, destination, mode`), as in the UNODC Individual Drug
//! Seizures collection and national case data. They are aggregated into the observation
//! table: per country, drug and year (and quarter), the total weight (`seizures`, kg), the
//! number of events (`seizure_events`, count) and the median seizure size
//! (`median_seizure`, kg).
//!
//! One polars query on the streaming engine reads the file once. The date, country, drug
//! and unit columns are read as categoricals, so each distinct text is parsed and looked up
//! once, not once a record, and the records are grouped by those codes, keeping each
//! record's row number and weight (12 bytes a record). Decoding the few thousand distinct
//! texts and filing each group's weights under its series then happens here, in Rust.
//!
//! Every record ends in an aggregate or in the rejects with its reason (date not a real
//! YYYY-MM-DD date, unknown country or drug, quantity not a finite number, unknown unit,
//! negative); row numbers assume one record per line (header = row 1). Names are matched
//! as everywhere else (`match_key`: trimmed, spaces collapsed, lower case) against the
//! reference. An aggregate's lineage is its source text ("N seizure records of FILE"), not a
//! list of rows. Totals and medians are taken over sorted weights, so the output bytes do not
//! depend on the order in which the streaming engine met the records.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use polars::prelude::*;
use rayon::prelude::*;

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

/// The columns read as categoricals: decoded once per distinct text.
const CODED: [&str; 4] = ["date", "country", "drug", "unit"];

/// Unknown names get the closest known names in their reason, for the first this many
/// distinct unknown names (in text order, countries first); after that (a hostile or badly
/// mapped file) the plain reason, to keep the search bounded.
const SUGGESTED_NAMES: usize = 200;

const BAD_DATE: &str = "date is not a date YYYY-MM-DD";
const BAD_QUANTITY: &str = "quantity is not a finite number";
const BAD_UNIT: &str = "unknown unit: expected g, kg or t";
const NEGATIVE: &str = "negative quantity";

/// The year and quarter of a `YYYY-MM-DD` date (years 1900-2100).
fn year_quarter(text: &str) -> Option<(i32, u8)> {
    let text = text.trim();
    let date = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    let well_formed = text.len() == 10 && (1900..=2100).contains(&chrono::Datelike::year(&date));
    well_formed.then(|| {
        let month = chrono::Datelike::month(&date) as u8;
        (chrono::Datelike::year(&date), (month - 1) / 3 + 1)
    })
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
    dates: HashMap<Option<u32>, Option<(i32, u8)>>,
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
        [dates, countries, drugs, units]: [&UInt32Chunked; 4],
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
            dates: distinct(mapping, dates)
                .into_iter()
                .map(|(code, text)| (code, year_quarter(text)))
                .collect(),
            geos,
            drugs,
            units: distinct(mapping, units)
                .into_iter()
                .map(|(code, text)| (code, unit_factor(text)))
                .collect(),
        }
    }
}

/// The records grouped by their coded texts: per group the codes of `date`, `country`,
/// `drug` and `unit`, and lists of the row numbers, the quantities as numbers (null where
/// not a number) and the texts of the quantities that are not a finite number >= 0.
fn grouped(path: &Path) -> PolarsResult<(DataFrame, Arc<CategoricalMapping>)> {
    let categories = Categories::random("routetrend-records".into(), CategoricalPhysical::U32);
    // The codes' texts: held here, the categoricals only keep a weak reference.
    let mapping = categories.mapping();
    let coded = DataType::from_categories(categories);
    let schema: Schema = CODED
        .iter()
        .map(|c| Field::new((*c).into(), coded.clone()))
        .collect();
    let problem = col("amount")
        .is_finite()
        .and(col("amount").gt_eq(lit(0.0)))
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
        .with_column(col("quantity").cast(DataType::Float64).alias("amount"))
        .group_by(CODED.map(|c| col(c).to_physical()))
        .agg([
            col("row").implode(false),
            col("amount").implode(false),
            col("quantity")
                .filter(problem)
                .implode(false)
                .alias("problem"),
        ])
        .with_streaming(true)
        .collect()?;
    Ok((groups, mapping))
}

/// A series-year: geo, drug, year.
type SeriesYear<'a> = (&'a str, &'a str, i32);

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
    // The file's hash is taken while the query runs (both read the file; the query leaves
    // part of the second core idle).
    let (bytes_hash, grouped) = std::thread::scope(|scope| {
        let hash = scope.spawn(|| super::sha256_file(path));
        let grouped = grouped(path);
        (hash.join(), grouped)
    });
    let bytes_hash = bytes_hash
        .unwrap_or_else(|_| Err(std::io::Error::other("the hashing thread failed")))
        .map_err(|e| IngestError::Io {
            file: name.into(),
            message: e.to_string(),
        })?;
    let (groups, mapping) = grouped.map_err(fail)?;
    let code = |c: &str| {
        groups
            .column(c)
            .and_then(|c| c.u32().cloned())
            .map_err(fail)
    };
    let list = |c: &str| {
        groups
            .column(c)
            .and_then(|c| c.list().cloned())
            .map_err(fail)
    };
    let (dates, countries, drugs, units) = (
        code("date")?,
        code("country")?,
        code("drug")?,
        code("unit")?,
    );
    let (rows, amounts, problems) = (list("row")?, list("amount")?, list("problem")?);
    let meanings = Meanings::new(&mapping, reference, [&dates, &countries, &drugs, &units]);
    // Each series-year's weights by quarter.
    let mut years: BTreeMap<SeriesYear, BTreeMap<u8, Vec<f64>>> = BTreeMap::new();
    let mut rejects = Vec::new();
    let mut records: u64 = 0;
    for i in 0..groups.height() {
        let (date, country, drug, unit) =
            (dates.get(i), countries.get(i), drugs.get(i), units.get(i));
        let element = |c: &ListChunked| c.get_as_series(i).unwrap_or_default();
        let (row_list, amount_list, problem_list) =
            (element(&rows), element(&amounts), element(&problems));
        let (row_list, amount_list, problem_list) = (
            row_list.idx().map_err(fail)?,
            amount_list.f64().map_err(fail)?,
            problem_list.str().map_err(fail)?,
        );
        records += row_list.len() as u64;
        // The first failing check of the group's texts decides for all its records.
        let unknown = || Err(String::new());
        let shared = match (
            meanings.dates.get(&date).copied().flatten(),
            meanings.geos.get(&country).cloned().unwrap_or_else(unknown),
            meanings.drugs.get(&drug).cloned().unwrap_or_else(unknown),
        ) {
            (None, _, _) => Err(("date", date, BAD_DATE.to_string())),
            (_, Err(reason), _) => Err(("country", country, reason)),
            (_, _, Err(reason)) => Err(("drug", drug, reason)),
            (Some((year, quarter)), Ok(geo), Ok(drug)) => Ok(((geo, drug, year), quarter)),
        };
        let factor = meanings.units.get(&unit).copied().flatten();
        let mut problem_texts = problem_list.iter();
        let mut weights = Vec::with_capacity(row_list.len());
        for (row, amount) in row_list.iter().zip(amount_list.iter()) {
            // polars' cast does not trim white space; the text of every quantity that is not
            // a finite number >= 0 was kept, so a padded one is read here.
            let (amount, quantity) = match amount {
                Some(a) if a.is_finite() && a >= 0.0 => (Some(a), ""),
                _ => {
                    let quantity = problem_texts.next().flatten().unwrap_or("");
                    (amount.or_else(|| quantity.trim().parse().ok()), quantity)
                }
            };
            let (column, value, reason) = match (&shared, amount.filter(|a| a.is_finite()), factor)
            {
                (Err((column, code, reason)), _, _) => {
                    (*column, text(&mapping, *code), reason.as_str())
                }
                (Ok(_), None, _) => ("quantity", quantity, BAD_QUANTITY),
                (Ok(_), Some(_), None) => ("unit", text(&mapping, unit), BAD_UNIT),
                (Ok(_), Some(a), Some(_)) if a < 0.0 => ("quantity", quantity, NEGATIVE),
                (Ok(_), Some(a), Some(f)) => {
                    weights.push(a * f);
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
            });
        }
        if let (Ok((series_year, quarter)), false) = (shared, weights.is_empty()) {
            years
                .entry(series_year)
                .or_default()
                .entry(quarter)
                .or_default()
                .append(&mut weights);
        }
    }
    rejects.sort_by_key(|r| r.row);
    let kept = records - rejects.len() as u64;
    let annual_series = years.len() as u64;
    let observations: Vec<Observation> = years
        .into_par_iter()
        .flat_map_iter(|(series_year, quarters)| summarize(series_year, quarters, name))
        .collect();
    let summary = FileSummary {
        file: name.into(),
        sheet: None,
        format: "records".into(),
        sha256: bytes_hash,
        records,
        kept,
        rejected: rejects.len() as u64,
        exact_duplicates: 0,
        line_items_summed: kept.saturating_sub(annual_series),
        observations: observations.len() as u64,
        warnings: Vec::new(),
    };
    Ok((observations, rejects, summary))
}

/// The observations of one series-year: total, events and median for the year, then for each
/// quarter with records.
fn summarize(
    (geo, drug, year): SeriesYear,
    quarters: BTreeMap<u8, Vec<f64>>,
    name: &str,
) -> Vec<Observation> {
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
    let mut observations = Vec::with_capacity(3 * (quarters.len() + 1));
    for (quarter, kg) in periods {
        let n = kg.len();
        let total: f64 = kg.iter().sum();
        let median = if n % 2 == 1 {
            kg[n / 2]
        } else {
            (kg[n / 2 - 1] + kg[n / 2]) / 2.0
        };
        let source = format!("{n} seizure records of {name}");
        for (indicator, value, unit) in [
            ("seizures", total, Unit::Kg),
            ("seizure_events", n as f64, Unit::Count),
            ("median_seizure", median, Unit::Kg),
        ] {
            observations.push(Observation {
                indicator: indicator.into(),
                geo: geo.into(),
                drug: Some(drug.into()),
                dimension: None,
                category: None,
                period: Period { year, quarter },
                value,
                unit,
                source: source.clone(),
                source_file: name.into(),
                source_row: 0,
                source_rows: String::new(),
            });
        }
    }
    observations
}
