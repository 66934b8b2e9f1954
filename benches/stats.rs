//! Criterion benchmarks of every method in `routetrend::stats`, one series at a time, at
//! n = 20 (a typical annual series), 40 (the series length of the `trends_table` bench, so
//! the two can be compared) and 200 (a long quarterly series), so that the cost of one
//! trends-table row can be read off method by method. Not a correctness check: the
//! results are only checked to be `Ok`, once and untimed, so that no bench measures an
//! early-return error path. Numbers and the machine they came from are in BENCHMARKS.md.
//!
//! Run: `cargo bench --bench stats` (shorter: `-- --warm-up-time 1 --measurement-time 3`).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use routetrend::ingest::synth::SplitMix64;
use routetrend::stats::{
    annual_percent_change, cochran_armitage, cross_correlation, fit_joinpoint, hamed_rao,
    linear_trend, mann_kendall, pettitt, sen_slope, trend_free_prewhitening, two_proportion_z_test,
    yue_wang, Alpha, JoinpointOptions, Proportion,
};

/// Series lengths benchmarked.
const LENGTHS: [usize; 3] = [20, 40, 200];

/// Seed of the series generator: fixed, so every run measures the same numbers.
const SEED: u64 = 0x5EED_2017_0002;

/// A seizure-like series of `n` annual values in kg: about 500 kg at the start, growing
/// 4 % a year on a log scale, with AR(1) noise (phi 0.5, sd 0.35: a good year tends to be
/// followed by another) and a one-in-twenty chance of a record seizure tripling the year's
/// total; rounded to 0.1 kg as reports give them. Always positive, so every method applies.
fn seizure_series(n: usize, rng: &mut SplitMix64) -> (Vec<f64>, Vec<f64>) {
    let x: Vec<f64> = (0..n).map(|i| 1990.0 + i as f64).collect();
    let mut noise = 0.0;
    let values = (0..n)
        .map(|i| {
            noise = 0.5 * noise + 0.35 * rng.normal();
            let spike = if rng.uniform() < 0.05 { 3.0 } else { 1.0 };
            let kg = spike * 500.0 * (0.04 * i as f64 + noise).exp();
            ((kg * 10.0).round() / 10.0).max(0.1)
        })
        .collect();
    (x, values)
}

/// A second series that follows `leader` one period later, with its own noise: the input
/// cross-correlation is meant for (upstream and downstream seizures on a route).
fn follower(leader: &[f64], rng: &mut SplitMix64) -> Vec<f64> {
    (0..leader.len())
        .map(|i| leader[i.saturating_sub(1)] * (0.3 * rng.normal()).exp())
        .collect()
}

/// Cases per period (about 1,000) and how many of them involve the drug, the share rising
/// from 10 % to 30 % over the series with binomial-like noise.
fn case_counts(n: usize, rng: &mut SplitMix64) -> (Vec<u64>, Vec<u64>) {
    let totals: Vec<u64> = (0..n)
        .map(|_| (1000.0 * (0.2 * rng.normal()).exp()).round().max(1.0) as u64)
        .collect();
    let counts = totals
        .iter()
        .enumerate()
        .map(|(i, &total)| {
            let share = 0.1 + 0.2 * i as f64 / (n - 1) as f64;
            let mean = share * total as f64;
            let sd = (mean * (1.0 - share)).sqrt();
            ((mean + sd * rng.normal()).round().clamp(0.0, total as f64)) as u64
        })
        .collect();
    (counts, totals)
}

fn bench_stats(c: &mut Criterion) {
    let alpha = Alpha::FIVE_PERCENT;
    let default_joinpoint = JoinpointOptions::default();
    let joinpoint_k3 = JoinpointOptions {
        max_joinpoints: 3,
        ..JoinpointOptions::default()
    };
    let mut rng = SplitMix64(SEED);

    for n in LENGTHS {
        let (x, y) = seizure_series(n, &mut rng);
        let downstream = follower(&y, &mut rng);
        let max_lag = n / 5;
        let (counts, totals) = case_counts(n, &mut rng);

        // Untimed: every bench below must measure a computed result, not an error return.
        mann_kendall(&y, alpha).expect("mann_kendall on the bench series");
        hamed_rao(&y, alpha).expect("hamed_rao on the bench series");
        yue_wang(&y, alpha).expect("yue_wang on the bench series");
        trend_free_prewhitening(&y, alpha).expect("tfpw on the bench series");
        sen_slope(&x, &y, alpha).expect("sen_slope on the bench series");
        linear_trend(&x, &y, alpha).expect("linear_trend on the bench series");
        annual_percent_change(&x, &y, alpha).expect("apc on the bench series");
        fit_joinpoint(&x, &y, &default_joinpoint).expect("joinpoint on the bench series");
        fit_joinpoint(&x, &y, &joinpoint_k3).expect("joinpoint K=3 on the bench series");
        pettitt(&y).expect("pettitt on the bench series");
        cross_correlation(&y, &downstream, max_lag).expect("ccf on the bench series");
        cochran_armitage(&x, &counts, &totals).expect("cochran_armitage on the bench counts");

        let id = BenchmarkId::from_parameter(n);
        c.benchmark_group("mann_kendall")
            .bench_with_input(id.clone(), &y, |b, y| {
                b.iter(|| mann_kendall(black_box(y), alpha))
            });
        c.benchmark_group("hamed_rao")
            .bench_with_input(id.clone(), &y, |b, y| {
                b.iter(|| hamed_rao(black_box(y), alpha))
            });
        c.benchmark_group("yue_wang")
            .bench_with_input(id.clone(), &y, |b, y| {
                b.iter(|| yue_wang(black_box(y), alpha))
            });
        c.benchmark_group("trend_free_prewhitening")
            .bench_with_input(id.clone(), &y, |b, y| {
                b.iter(|| trend_free_prewhitening(black_box(y), alpha))
            });
        c.benchmark_group("sen_slope")
            .bench_function(id.clone(), |b| {
                b.iter(|| sen_slope(black_box(&x), black_box(&y), alpha))
            });
        c.benchmark_group("linear_trend")
            .bench_function(id.clone(), |b| {
                b.iter(|| linear_trend(black_box(&x), black_box(&y), alpha))
            });
        c.benchmark_group("annual_percent_change")
            .bench_function(id.clone(), |b| {
                b.iter(|| annual_percent_change(black_box(&x), black_box(&y), alpha))
            });
        // JoinpointOptions::default() is max_joinpoints 2 (the pipeline default); K = 3
        // shows how the exhaustive grid search grows (about n^K candidate sets).
        c.benchmark_group("fit_joinpoint/default_k2")
            .bench_function(id.clone(), |b| {
                b.iter(|| fit_joinpoint(black_box(&x), black_box(&y), &default_joinpoint))
            });
        c.benchmark_group("fit_joinpoint/k3")
            .bench_function(id.clone(), |b| {
                b.iter(|| fit_joinpoint(black_box(&x), black_box(&y), &joinpoint_k3))
            });
        c.benchmark_group("pettitt")
            .bench_with_input(id.clone(), &y, |b, y| b.iter(|| pettitt(black_box(y))));
        c.benchmark_group("cross_correlation")
            .bench_function(id.clone(), |b| {
                b.iter(|| cross_correlation(black_box(&y), black_box(&downstream), max_lag))
            });
        c.benchmark_group("cochran_armitage")
            .bench_function(id.clone(), |b| {
                b.iter(|| cochran_armitage(black_box(&x), black_box(&counts), black_box(&totals)))
            });
    }

    // Two proportions, whatever the series length: one size is enough.
    let first = Proportion {
        count: 120,
        total: 1000,
    };
    let second = Proportion {
        count: 165,
        total: 1100,
    };
    two_proportion_z_test(first, second).expect("two_proportion_z_test on the bench counts");
    c.bench_function("two_proportion_z_test", |b| {
        b.iter(|| two_proportion_z_test(black_box(first), black_box(second)))
    });
}

criterion_group!(benches, bench_stats);
criterion_main!(benches);
