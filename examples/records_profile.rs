//! Where the records ingest spends its time (development aid): each step of the query on
//! its own. `cargo run --release --example records_profile -- FILE`
use std::time::Instant;

use polars::prelude::*;
use routetrend::model::Reference;

fn main() -> PolarsResult<()> {
    let path = std::env::args().nth(1).expect("FILE");
    let reference = Reference::load(None).expect("reference");
    let scan = || {
        LazyCsvReader::new(PlRefPath::new(path.as_str()))
            .with_has_header(true)
            .with_infer_schema_length(Some(0))
            .finish()
    };
    let fold = |c: &str| col(c).str().strip_chars(lit(NULL)).str().to_lowercase();
    let table = |pairs: Vec<(String, String)>, k: &str, v: &str| {
        let (a, b): (Vec<String>, Vec<String>) = pairs.into_iter().unzip();
        DataFrame::new_infer_height(vec![Column::new(k.into(), a), Column::new(v.into(), b)])
            .unwrap()
            .lazy()
    };
    let t = Instant::now();
    let n = scan()?.select([len()]).with_streaming(true).collect()?;
    println!(
        "scan+count {:.2}s {:?}",
        t.elapsed().as_secs_f64(),
        n.height()
    );
    let t = Instant::now();
    scan()?
        .select([fold("country").alias("c"), fold("drug").alias("d")])
        .group_by([col("c"), col("d")])
        .agg([len()])
        .with_streaming(true)
        .collect()?;
    println!("fold+group {:.2}s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    scan()?
        .with_columns([
            fold("country").alias("country_key"),
            fold("drug").alias("drug_key"),
        ])
        .join(
            table(reference.geo_aliases(), "country_key", "geo"),
            [col("country_key")],
            [col("country_key")],
            JoinArgs::new(JoinType::Left),
        )
        .join(
            table(reference.drug_aliases(), "drug_key", "drug_id"),
            [col("drug_key")],
            [col("drug_key")],
            JoinArgs::new(JoinType::Left),
        )
        .group_by([col("geo"), col("drug_id")])
        .agg([len()])
        .with_streaming(true)
        .collect()?;
    println!("fold+joins+group {:.2}s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    scan()?
        .with_columns([
            col("quantity").cast(DataType::Float64).alias("q"),
            col("date")
                .str()
                .slice(lit(0), lit(4))
                .cast(DataType::Int32)
                .alias("y"),
        ])
        .group_by([col("country"), col("drug"), col("y")])
        .agg([
            col("q").sum().alias("s"),
            len(),
            col("q").median().alias("m"),
        ])
        .with_streaming(true)
        .collect()?;
    println!(
        "parse+group(sum,len,median) {:.2}s",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    scan()?
        .with_columns([
            col("quantity").cast(DataType::Float64).alias("q"),
            col("date")
                .str()
                .slice(lit(0), lit(4))
                .cast(DataType::Int32)
                .alias("y"),
        ])
        .group_by([col("country"), col("drug"), col("y")])
        .agg([col("q").sum().alias("s"), len()])
        .with_streaming(true)
        .collect()?;
    println!("parse+group(sum,len) {:.2}s", t.elapsed().as_secs_f64());
    Ok(())
}
