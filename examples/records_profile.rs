//! Where the records ingest spends its time (development aid): the steps of its query, each
//! on its own, then the whole reader. `cargo run --release --example records_profile -- FILE`
use std::time::Instant;

use polars::prelude::*;
use routetrend::ingest::records::ingest_records;
use routetrend::model::Reference;

fn main() -> PolarsResult<()> {
    let path = std::env::args().nth(1).expect("FILE");
    let categories = Categories::random("profile".into(), CategoricalPhysical::U32);
    let _mapping = categories.mapping();
    let coded = DataType::from_categories(categories);
    let schema: Schema = ["date", "country", "drug", "unit"]
        .iter()
        .map(|c| Field::new((*c).into(), coded.clone()))
        .collect();
    let schema = Arc::new(schema);
    let scan = |categoricals: bool, rows: bool| {
        let mut reader = LazyCsvReader::new(PlRefPath::new(path.as_str()))
            .with_has_header(true)
            .with_infer_schema_length(Some(0));
        if categoricals {
            reader = reader.with_dtype_overwrite(Some(schema.clone()));
        }
        if rows {
            reader = reader.with_row_index(Some(RowIndex {
                name: "row".into(),
                offset: 2,
            }));
        }
        reader.finish()
    };
    let keys = || ["date", "country", "drug", "unit"].map(|c| col(c).to_physical());
    let amount = || col("quantity").cast(DataType::Float64).alias("amount");
    // The best of three runs: this machine's timings vary by 20% from run to run.
    let time = |label: &str, query: LazyFrame| -> PolarsResult<()> {
        let mut best = f64::INFINITY;
        let mut rows = 0;
        for _ in 0..3 {
            let start = Instant::now();
            rows = query.clone().with_streaming(true).collect()?.height();
            best = best.min(start.elapsed().as_secs_f64());
        }
        println!("{label:<48} {best:.2} s ({rows} rows)");
        Ok(())
    };
    time("read all columns as text", scan(false, false)?)?;
    time(
        "read, four columns as categoricals",
        scan(true, false)?.select([
            col("date"),
            col("country"),
            col("drug"),
            col("unit"),
            col("quantity"),
        ]),
    )?;
    time(
        "... grouped by the codes (count)",
        scan(true, false)?.group_by(keys()).agg([len()]),
    )?;
    time(
        "... with the quantities as numbers, listed",
        scan(true, false)?
            .with_column(amount())
            .group_by(keys())
            .agg([col("amount").implode(false)]),
    )?;
    time(
        "... and the row numbers, listed",
        scan(true, true)?
            .with_column(amount())
            .group_by(keys())
            .agg([col("amount").implode(false), col("row").implode(false)]),
    )?;
    let problem = col("amount")
        .is_finite()
        .and(col("amount").gt_eq(lit(0.0)))
        .fill_null(lit(false))
        .not();
    time(
        "... and the texts of the other quantities",
        scan(true, true)?
            .with_column(amount())
            .group_by(keys())
            .agg([
                col("amount").implode(false),
                col("row").implode(false),
                col("quantity").filter(problem).implode(false),
            ]),
    )?;
    let reference = Reference::load(None).expect("reference");
    let start = Instant::now();
    let (observations, rejects, _) =
        ingest_records(path.as_ref(), "records", &reference).expect("records");
    println!(
        "{:<48} {:.2} s ({} observations, {} rejects)",
        "the whole reader (hash, query, decode, medians)",
        start.elapsed().as_secs_f64(),
        observations.len(),
        rejects.len()
    );
    Ok(())
}
