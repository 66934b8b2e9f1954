//! Observation tables as inputs: an `observations.parquet` written by `ingest` or by a run,
//! read back as it is, lineage included (`source`, `source_file`, `source_row`,
//! `source_rows` name the rows of the files it was first read from). Its rows then go
//! through the key checks and the merge with the pipeline's other inputs like any input's.

// A reject carries its file, row, column, value and reason by value, as in `spec`.
#![allow(clippy::result_large_err)]

use std::io::Read;
use std::path::Path;

use polars::prelude::*;

use super::{InputFile, Reject};
use crate::error::{Error, InputError};
use crate::model::observation::COLUMNS;
use crate::model::reference::Reference;
use crate::model::unit::Unit;
use crate::model::{Observation, Period};

/// Whether the file is Parquet (its first four bytes are `PAR1`).
pub fn is_observation_table(path: &Path) -> bool {
    let mut magic = [0u8; 4];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok_and(|()| &magic == b"PAR1")
}

/// Every row of the table as an observation, or as a reject naming its row (1-based, as
/// in the Parquet file's row order), column and value. Geo codes and drug keys must be
/// those of `reference` (a table of another project may use a region this one lacks).
pub fn read_observations(
    input: &InputFile,
    reference: &Reference,
) -> Result<Vec<Result<Observation, Reject>>, Error> {
    let unreadable = |message: String| InputError::Unreadable {
        file: input.name.clone(),
        message,
    };
    let file = std::fs::File::open(&input.path).map_err(|e| InputError::Io {
        file: input.name.clone(),
        message: e.to_string(),
    })?;
    let frame = ParquetReader::new(file)
        .finish()
        .map_err(|e| unreadable(format!("not a readable Parquet file: {e}")))?;
    let found: Vec<String> = frame
        .get_column_names()
        .iter()
        .map(|c| c.to_string())
        .collect();
    if let Some(missing) = COLUMNS.iter().find(|c| !found.iter().any(|f| f == *c)) {
        return Err(InputError::MissingColumn {
            file: input.name.clone(),
            format: "observations".into(),
            missing: missing.to_string(),
            expected: format!(
                "an observation table written by routetrend ({})",
                COLUMNS.join(", ")
            ),
            found: found.join(", "),
        }
        .into());
    }
    let strings = |name: &str| -> Result<Vec<Option<String>>, Error> {
        let column = frame
            .column(name)
            .and_then(|c| c.cast(&DataType::String))
            .map_err(|e| unreadable(format!("column '{name}': {e}")))?;
        let values = column
            .str()
            .map_err(|e| unreadable(format!("column '{name}': {e}")))?
            .iter()
            .map(|v| v.map(str::to_string))
            .collect();
        Ok(values)
    };
    let [indicator, geo, drug, dimension, category, period, value, unit, source, source_file, source_row, source_rows] =
        [
            "indicator",
            "geo",
            "drug",
            "dimension",
            "category",
            "period",
            "value",
            "unit",
            "source",
            "source_file",
            "source_row",
            "source_rows",
        ]
        .map(strings);
    let (indicator, geo, drug, dimension, category) =
        (indicator?, geo?, drug?, dimension?, category?);
    let (period, value, unit, source) = (period?, value?, unit?, source?);
    let (source_file, source_row, source_rows) = (source_file?, source_row?, source_rows?);
    let mut out = Vec::with_capacity(frame.height());
    for i in 0..frame.height() {
        let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let reject = |column: &str, value: &Option<String>, reason: String| Reject {
            file: input.name.clone(),
            sheet: None,
            row,
            column: column.into(),
            value: value.clone().unwrap_or_default(),
            reason,
            missing: false,
        };
        let parsed = (|| {
            let required = |column: &str, v: &Option<String>| {
                v.clone().filter(|t| !t.is_empty()).ok_or_else(|| {
                    reject(
                        column,
                        v,
                        format!("empty {column}: every observation has one"),
                    )
                })
            };
            let p = Period::parse(period[i].as_deref().unwrap_or(""))
                .map_err(|e| reject("period", &period[i], e))?;
            let v = value[i]
                .as_deref()
                .and_then(|t| t.parse::<f64>().ok())
                .filter(|v| v.is_finite())
                .ok_or_else(|| reject("value", &value[i], "expected a finite number".into()))?;
            let u = unit[i]
                .as_deref()
                .and_then(Unit::from_code)
                .ok_or_else(|| {
                    let codes: Vec<&str> = Unit::ALL.iter().map(|u| u.code()).collect();
                    reject(
                        "unit",
                        &unit[i],
                        format!("expected a unit code: {}", codes.join(", ")),
                    )
                })?;
            let first_row = source_row[i]
                .as_deref()
                .and_then(|t| t.parse::<u32>().ok())
                .ok_or_else(|| {
                    reject("source_row", &source_row[i], "expected a row number".into())
                })?;
            let g = required("geo", &geo[i])?;
            if !reference.country_names.contains_key(&g) && reference.region(&g).is_none() {
                return Err(reject(
                    "geo",
                    &geo[i],
                    "not a country code of countries.csv or a region code of regions.csv or of this pipeline's [[regions]]".into(),
                ));
            }
            if let Some(d) = drug[i].as_deref().filter(|d| reference.drug(d).is_none()) {
                return Err(reject(
                    "drug",
                    &drug[i],
                    format!("'{d}' is not a drug key of drugs.csv"),
                ));
            }
            Ok(Observation {
                indicator: required("indicator", &indicator[i])?,
                geo: g,
                drug: drug[i].clone(),
                dimension: dimension[i].clone(),
                category: category[i].clone(),
                period: p,
                value: v,
                unit: u,
                source: source[i].clone().unwrap_or_default(),
                source_file: required("source_file", &source_file[i])?,
                source_row: first_row,
                source_rows: source_rows[i]
                    .clone()
                    .unwrap_or_else(|| first_row.to_string()),
            })
        })();
        out.push(parsed);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::IngestOptions;

    #[test]
    fn unknown_geo_codes_and_drug_keys_are_rejected_naming_row_and_column() {
        let text = |v: [&str; 3]| Column::new("c".into(), v.to_vec());
        let mut frame = DataFrame::new(
            3,
            vec![
                text(["seizures"; 3]).with_name("indicator".into()),
                text(["KAZ", "BLK", "KAZ"]).with_name("geo".into()),
                text(["heroin", "heroin", "heroine"]).with_name("drug".into()),
                Column::full_null("dimension".into(), 3, &DataType::String),
                Column::full_null("category".into(), 3, &DataType::String),
                text(["2016"; 3]).with_name("period".into()),
                text(["A"; 3]).with_name("freq".into()),
                Column::new("x".into(), [2016.0; 3]),
                Column::new("value".into(), [1.5, 2.0, 3.0]),
                text(["kg"; 3]).with_name("unit".into()),
                text(["s"; 3]).with_name("source".into()),
                text(["a.csv"; 3]).with_name("source_file".into()),
                Column::new("source_row".into(), [2u32, 3, 4]),
                text(["2", "3", "4"]).with_name("source_rows".into()),
            ],
        )
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("observations.parquet");
        ParquetWriter::new(std::fs::File::create(&path).unwrap())
            .finish(&mut frame)
            .unwrap();
        assert!(is_observation_table(&path));
        let input = InputFile {
            id: "t".into(),
            name: "t.parquet".into(),
            path,
            options: IngestOptions::default(),
        };
        let reference = Reference::load(None).unwrap();
        let rows = read_observations(&input, &reference).unwrap();
        let kept = rows[0].as_ref().unwrap();
        assert_eq!(
            (kept.geo.as_str(), kept.value, kept.source_rows.as_str()),
            ("KAZ", 1.5, "2")
        );
        let geo = rows[1].as_ref().unwrap_err();
        assert_eq!(
            (geo.row, geo.column.as_str(), geo.value.as_str()),
            (2, "geo", "BLK")
        );
        assert!(geo.reason.contains("[[regions]]"), "{}", geo.reason);
        let drug = rows[2].as_ref().unwrap_err();
        assert_eq!((drug.row, drug.column.as_str()), (3, "drug"));
        assert!(
            drug.reason.contains("'heroine' is not a drug key"),
            "{}",
            drug.reason
        );
    }
}
