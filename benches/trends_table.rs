//! Criterion benchmark of the whole trends table: `analysis::trend::trend_rows` (every
//! method, joinpoint included, one window `all`) on 10,000 and 100,000 in-memory series of
//! 40 annual points, i.e. the scale of every country x drug x indicator of the world's
//! seizure data, with at most 2 joinpoints (the numbers before NCI's limit became the
//! default); with the default options (NCI's limit, capped at 4 joinpoints) on 10,000
//! series; and with NCI's uncapped 7 joinpoints for 40 observations on 1,000 series, the
//! cost the cap avoids. Throughput is reported in series per second.
//!
//! The 10,000-series table is also timed on a one-thread rayon pool, so that the ratio of
//! the two shows whether the analysis really runs across all cores (DESIGN.md
//! "Performance": parallel analysis across series). Reading the observation table and
//! grouping it into series is not included: `benches/run_benchmarks.sh` times that through
//! `routetrend analyze`. Numbers and the machine are in BENCHMARKS.md.
//!
//! Run: `cargo bench --bench trends_table`. Under `cargo test --benches` (no `--bench` flag,
//! unoptimised build) criterion runs each routine once as a smoke test, on 100 series only.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use routetrend::analysis::series::{Series, SeriesKey};
use routetrend::analysis::trend::{trend_rows, JoinpointLimit, TrendOptions};
use routetrend::ingest::synth::SplitMix64;
use routetrend::model::Period;

/// Annual points per series: 1983-2022, the span of the longest UNODC series.
const POINTS: usize = 40;
const FIRST_YEAR: i32 = 1983;

/// Seed of the series generator: fixed, so every run measures the same table.
const SEED: u64 = 0x7AB1_E000_0040;

/// `count` seizure-like series: each with its own level (10 kg to 10 t), growth (-10 % to
/// +10 % a year) and AR(1) log noise, a one-in-twenty chance of a record year, rounded to
/// 0.1 kg; keys spread over geos and drugs like the observation table's.
fn world_of_series(count: usize) -> Vec<Series> {
    const DRUGS: [&str; 8] = [
        "heroin",
        "opium",
        "morphine",
        "cannabis_herb",
        "cannabis_resin",
        "cocaine",
        "methamphetamine",
        "amphetamine",
    ];
    let mut rng = SplitMix64(SEED);
    let periods: Vec<Period> = (0..POINTS)
        .map(|i| Period::year(FIRST_YEAR + i as i32))
        .collect();
    (0..count)
        .map(|s| {
            let level = 10f64.powf(1.0 + 3.0 * rng.uniform());
            let growth = -0.1 + 0.2 * rng.uniform();
            let mut noise = 0.0;
            let values = (0..POINTS)
                .map(|i| {
                    noise = 0.5 * noise + 0.35 * rng.normal();
                    let spike = if rng.uniform() < 0.05 { 3.0 } else { 1.0 };
                    let kg = spike * level * (growth * i as f64 + noise).exp();
                    ((kg * 10.0).round() / 10.0).max(0.1)
                })
                .collect();
            Series {
                key: SeriesKey {
                    indicator: "seizures".into(),
                    geo: format!("G{:05}", s / DRUGS.len()),
                    drug: Some(DRUGS[s % DRUGS.len()].into()),
                    dimension: None,
                    category: None,
                    freq: routetrend::model::Freq::Annual,
                    unit: routetrend::model::Unit::Kg,
                },
                periods: periods.clone(),
                values,
                // Countries' own series: no aggregate coverage to describe.
                coverage: Vec::new(),
            }
        })
        .collect()
}

/// Table sizes benchmarked: the full sizes under `cargo bench`, a smoke-test size under
/// `cargo test --benches`, where a debug build would take minutes over 100,000 series.
fn table_sizes() -> &'static [usize] {
    if std::env::args().any(|a| a == "--bench") {
        &[10_000, 100_000]
    } else {
        &[100]
    }
}

fn bench_trends_table(c: &mut Criterion) {
    let options = TrendOptions {
        joinpoint_limit: JoinpointLimit::AtMost(2),
        ..TrendOptions::default()
    };
    let sizes = table_sizes();
    let mut group = c.benchmark_group("trend_rows");
    // A 100,000-series table takes seconds: few samples, each timed once.
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));

    for &count in sizes {
        let series = world_of_series(count);
        group.throughput(Throughput::Elements(count as u64));
        group.measurement_time(Duration::from_secs(if count > 10_000 { 30 } else { 10 }));
        group.bench_with_input(
            BenchmarkId::new("all_threads", count),
            &series,
            |b, series| b.iter(|| trend_rows(black_box(series), &options)),
        );
    }

    let series = world_of_series(sizes[0]);
    let one_thread = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a one-thread rayon pool");
    group.throughput(Throughput::Elements(series.len() as u64));
    group.measurement_time(Duration::from_secs(20));
    group.bench_with_input(
        BenchmarkId::new("one_thread", series.len()),
        &series,
        |b, series| b.iter(|| one_thread.install(|| trend_rows(black_box(series), &options))),
    );

    // The default options: NCI's maximum of joinpoints for the series' length, capped at 4.
    let series = world_of_series(sizes[0]);
    let nci = TrendOptions::default();
    group.throughput(Throughput::Elements(series.len() as u64));
    group.measurement_time(Duration::from_secs(20));
    group.bench_with_input(
        BenchmarkId::new("nci_capped", series.len()),
        &series,
        |b, series| b.iter(|| trend_rows(black_box(series), &nci)),
    );
    // NCI's recommendation uncapped: 7 joinpoints for 40 observations.
    let seven = TrendOptions {
        joinpoint_limit: JoinpointLimit::AtMost(7),
        ..TrendOptions::default()
    };
    let series = world_of_series(sizes[0] / 10);
    group.throughput(Throughput::Elements(series.len() as u64));
    group.measurement_time(Duration::from_secs(60));
    group.bench_with_input(
        BenchmarkId::new("nci_seven", series.len()),
        &series,
        |b, series| b.iter(|| trend_rows(black_box(series), &seven)),
    );
    group.finish();
}

criterion_group!(benches, bench_trends_table);
criterion_main!(benches);
