//! Criterion benchmark of the records reader, `ingest::records::ingest_records`, against
//! polars' own CSV reader on the same file (every column read as text into a DataFrame), on
//! 1,000,000 records made by `routetrend synth` (seed 1). Throughput is in records a second;
//! the ratio of the two medians is the "close to polars' own reader" of BENCHMARKS.md.
//! Ten million records and the whole chain to figures: `benches/records/chain.sh`.
//!
//! Run: `cargo bench --bench records`. Under `cargo test --benches` (no `--bench` flag,
//! unoptimised build) criterion runs each routine once as a smoke test, on 2,000 records.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use polars::prelude::*;
use routetrend::ingest::records::ingest_records;
use routetrend::ingest::synth::write_records;
use routetrend::ingest::Missing;
use routetrend::model::Reference;

fn records() -> u64 {
    if std::env::args().any(|a| a == "--bench") {
        1_000_000
    } else {
        2_000
    }
}

fn bench_records(c: &mut Criterion) {
    let count = records();
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("records.csv");
    write_records(&path, count, 1, (2000, 2022), 0).expect("synthetic records");
    let reference = Reference::load(None).expect("the built-in reference");

    let mut group = c.benchmark_group("records");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(10));
    group.throughput(Throughput::Elements(count));
    group.bench_with_input(
        BenchmarkId::new("ingest_records", count),
        &path,
        |b, path| {
            b.iter(|| {
                ingest_records(black_box(path), "records.csv", &reference, Missing::Count)
                    .expect("records")
            })
        },
    );
    group.bench_with_input(BenchmarkId::new("polars_read", count), &path, |b, path| {
        b.iter(|| {
            LazyCsvReader::new(PlRefPath::new(path.to_string_lossy().as_ref()))
                .with_has_header(true)
                .with_infer_schema_length(Some(0))
                .finish()
                .and_then(|frame| frame.with_streaming(true).collect())
                .expect("read")
        })
    });
    group.finish();
}

criterion_group!(benches, bench_records);
criterion_main!(benches);
