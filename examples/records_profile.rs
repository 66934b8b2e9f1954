//! Where the records ingest spends its time (development aid): polars reading the file, the
//! reader's grouping query alone, then the whole reader (hash, query, names, medians); the
//! best of three runs each, as timings on a shared virtual machine vary by 20% from run to
//! run. `cargo run --release --example records_profile -- FILE` (a file with the header
//! `routetrend synth` writes).
use std::time::Instant;

use polars::prelude::*;
use routetrend::ingest::records::{grouped, ingest_records};
use routetrend::ingest::Missing;
use routetrend::model::Reference;

fn best_of_three<T>(label: &str, mut step: impl FnMut() -> T, describe: impl Fn(&T) -> String) {
    let mut best = f64::INFINITY;
    let mut last = None;
    for _ in 0..3 {
        let start = Instant::now();
        last = Some(step());
        best = best.min(start.elapsed().as_secs_f64());
    }
    let described = last.as_ref().map(describe).unwrap_or_default();
    println!("{label:<44} {best:.2} s ({described})");
}

fn main() {
    let path = std::env::args().nth(1).expect("FILE");
    let path = std::path::Path::new(&path);
    best_of_three(
        "polars reads every column as text",
        || {
            LazyCsvReader::new(PlRefPath::new(path.to_string_lossy().as_ref()))
                .with_has_header(true)
                .with_infer_schema_length(Some(0))
                .finish()
                .and_then(|f| f.with_streaming(true).collect())
                .expect("read")
        },
        |frame| format!("{} rows", frame.height()),
    );
    best_of_three(
        "the reader's query (grouped)",
        || grouped(path, ["date", "country", "drug", "quantity", "unit"]).expect("query"),
        |(groups, _)| format!("{} groups", groups.height()),
    );
    let reference = Reference::load(None).expect("reference");
    best_of_three(
        "the whole reader (ingest_records)",
        || ingest_records(path, "records", &reference, Missing::Count).expect("records"),
        |(observations, rejects, _)| {
            format!(
                "{} observations, {} rejects",
                observations.len(),
                rejects.len()
            )
        },
    );
}
