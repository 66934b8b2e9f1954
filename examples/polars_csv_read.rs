//! Baseline for the records benchmark: how fast polars' own CSV reader reads a file (all
//! columns as text, as the records reader does), so that ingest throughput can be reported
//! as a ratio to it. `cargo run --release --example polars_csv_read -- FILE`
use std::time::Instant;

use polars::prelude::*;

fn main() -> PolarsResult<()> {
    let path = std::env::args()
        .nth(1)
        .expect("usage: polars_csv_read FILE");
    let start = Instant::now();
    let frame = LazyCsvReader::new(PlRefPath::new(path.as_str()))
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .finish()?
        .with_streaming(true)
        .collect()?;
    println!(
        "{} rows in {:.3} s",
        frame.height(),
        start.elapsed().as_secs_f64()
    );
    Ok(())
}
