//! Properties every `routetrend::stats` method must have whatever the input:
//! invariances the statistics promise (adding a constant, negating the
//! series, exact lines), agreement of the O(n log n) and O(n^2) Mann-Kendall
//! scores, and — on hostile random series (gaps, zeros, constants, one
//! point, NaN, infinities, extreme magnitudes) — no panic and no non-finite
//! field in any result.

use crate::tolerances::Tolerance;
use proptest::prelude::*;
use routetrend::stats::{self, Alpha, JoinpointOptions, Proportion, Unavailable};

/// Exact lines fitted by OLS: cancellation in centred sums of years near
/// 2000 leaves ~1e-12 relative.
const EXACT_LINE: Tolerance = Tolerance {
    abs: 1e-9,
    rel: 1e-9,
};

/// Values that are exact in binary (multiples of 1/4, |v| < 2^20), so that
/// adding an integer constant or negating is exact and ties are preserved.
fn exact_value() -> impl Strategy<Value = f64> {
    (-4_000_000i32..4_000_000).prop_map(|v| f64::from(v) / 4.0)
}

fn exact_series() -> impl Strategy<Value = Vec<f64>> {
    prop_oneof![
        prop::collection::vec(exact_value(), 0..80),
        // heavy ties
        prop::collection::vec((0i32..4).prop_map(f64::from), 0..80),
    ]
}

/// Strictly increasing years with gaps and quarterly steps.
fn years(n: usize) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(prop_oneof![Just(0.25), Just(1.0), Just(2.0), Just(3.0)], n).prop_map(
        |steps| {
            let mut x = 1990.0;
            steps
                .into_iter()
                .map(|step| {
                    x += step;
                    x
                })
                .collect()
        },
    )
}

/// Anything a caller might pass by mistake.
fn hostile_value() -> impl Strategy<Value = f64> {
    prop_oneof![
        6 => -1e6f64..1e6,
        3 => 0.001f64..1e5,
        2 => (0i32..4).prop_map(f64::from),
        1 => Just(0.0),
        1 => Just(-0.0),
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(f64::NEG_INFINITY),
        1 => Just(1e300),
        1 => Just(-1e300),
        1 => Just(1e-300),
        1 => Just(5e-324),
        1 => Just(f64::MAX),
    ]
}

fn hostile_series() -> impl Strategy<Value = (Vec<f64>, Vec<f64>)> {
    let values = prop_oneof![
        4 => prop::collection::vec(hostile_value(), 0..45),
        1 => (hostile_value(), 0usize..30).prop_map(|(v, n)| vec![v; n]),
        1 => prop::collection::vec(0.5f64..2.0, 0..45),
    ];
    values.prop_flat_map(|y| {
        let n = y.len();
        let x = prop_oneof![
            6 => years(n).boxed(),
            1 => prop::collection::vec(hostile_value(), n).boxed(),
            1 => Just(vec![2000.0; n]).boxed(),
            1 => years(n + 1).boxed(), // length mismatch
        ];
        (x, Just(y))
    })
}

fn finite(fields: &[f64]) -> bool {
    fields.iter().all(|v| v.is_finite())
}

fn finite_opt(fields: &[Option<f64>]) -> bool {
    fields.iter().all(|v| v.is_none_or(f64::is_finite))
}

/// Runs every series method and checks each result is a reason or fully
/// finite. Returns a description of the first offending method, if any.
fn check_every_method(x: &[f64], y: &[f64], alpha: Alpha) -> Result<(), String> {
    fn ok_or<T>(
        method: &str,
        r: &Result<T, Unavailable>,
        good: impl Fn(&T) -> bool,
    ) -> Result<(), String> {
        match r {
            Ok(value) if !good(value) => Err(format!("{method}: non-finite field")),
            _ => Ok(()),
        }
    }
    let block = |r: &stats::BlockKendall| {
        finite(&[r.var_s, r.z, r.p, r.tau, r.slope]) && (0.0..=1.0).contains(&r.p)
    };
    ok_or(
        "seasonal_mann_kendall",
        &stats::seasonal_mann_kendall(x, y, alpha),
        block,
    )?;
    let half = y.len() / 2;
    if x.len() == y.len() {
        let members = [(&x[..half], &y[..half]), (&x[half..], &y[half..])];
        ok_or(
            "regional_kendall",
            &stats::regional_kendall(&members, alpha),
            block,
        )?;
        let rows: Vec<Vec<f64>> = (0..half).map(|i| vec![y[i], y[half + i]]).collect();
        ok_or(
            "correlated_regional_kendall",
            &stats::correlated_regional_kendall(&rows, alpha),
            |r| finite(&[r.var_s, r.z, r.p]) && r.var_s > 0.0,
        )?;
    }
    ok_or("mann_kendall", &stats::mann_kendall(y, alpha), |r| {
        finite(&[r.var_s, r.z, r.p]) && finite_opt(&[r.tau_b]) && (0.0..=1.0).contains(&r.p)
    })?;
    ok_or("hamed_rao", &stats::hamed_rao(y, alpha), |r| {
        finite(&[
            r.var_s,
            r.n_over_n_star,
            r.var_s_corrected,
            r.z,
            r.p,
            r.sen_slope_per_step,
        ]) && r.n_over_n_star > 0.0
    })?;
    ok_or("yue_wang", &stats::yue_wang(y, alpha), |r| {
        finite(&[
            r.var_s,
            r.lag1_autocorrelation,
            r.n_over_n_star,
            r.var_s_corrected,
            r.z,
            r.p,
        ])
    })?;
    ok_or(
        "trend_free_prewhitening",
        &stats::trend_free_prewhitening(y, alpha),
        |r| {
            finite(&[
                r.lag1_autocorrelation,
                r.var_s,
                r.z,
                r.p,
                r.sen_slope_per_step,
            ])
        },
    )?;
    ok_or("sen_slope", &stats::sen_slope(x, y, alpha), |r| {
        finite(&[r.slope, r.intercept]) && finite_opt(&[r.ci_lower, r.ci_upper])
    })?;
    ok_or("linear_trend", &stats::linear_trend(x, y, alpha), |r| {
        finite(&[
            r.slope,
            r.intercept,
            r.slope_se,
            r.ci_lower,
            r.ci_upper,
            r.p,
            r.r_squared,
        ])
    })?;
    ok_or(
        "annual_percent_change",
        &stats::annual_percent_change(x, y, alpha),
        |r| {
            finite(&[
                r.apc,
                r.ci_lower,
                r.ci_upper,
                r.p,
                r.log_slope,
                r.log_slope_se,
            ])
        },
    )?;
    ok_or(
        "joinpoint",
        &stats::fit_joinpoint(x, y, &JoinpointOptions::default()),
        |r| {
            finite(&[r.aapc])
                && r.segments.len() == r.joinpoints.len() + 1
                && r.segments
                    .iter()
                    .all(|s| finite(&[s.start_x, s.end_x, s.log_slope, s.apc]))
                && r.models.iter().all(|m| finite(&[m.sse, m.bic]))
        },
    )?;
    ok_or("pettitt", &stats::pettitt(y), |r| {
        finite(&[r.p]) && r.last_before_change < r.n
    })?;
    if let (Some(&first), Some(&last)) = (y.first(), y.last()) {
        let (x0, x1) = (
            x.first().copied().unwrap_or(0.0),
            x.last().copied().unwrap_or(0.0),
        );
        ok_or("cagr", &stats::cagr(x0, first, x1, last), |r| {
            finite(&[r.rate, r.years])
        })?;
        ok_or("share_change", &stats::share_change(first, last), |r| {
            finite(&[r.percentage_points]) && r.relative_percent.unwrap_or(0.0).is_finite()
        })?;
        ok_or("share", &stats::share(first, last), |r| r.is_finite())?;
    }
    if x.len() == y.len() {
        for max_lag in [0, 1, 3] {
            ok_or(
                "cross_correlation",
                &stats::cross_correlation(x, y, max_lag),
                |r| {
                    finite(&[r.band_95])
                        && r.lags
                            .iter()
                            .all(|l| l.r.is_finite() && l.r.abs() <= 1.0 + 1e-12)
                },
            )?;
        }
    }
    Ok(())
}

proptest! {
    // No regression files: integration tests have no lib.rs beside them for
    // proptest to write next to; a failure prints the minimal input instead.
    #![proptest_config(ProptestConfig {
        cases: 400,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn no_method_panics_or_returns_non_finite_fields(
        (x, y) in hostile_series(),
        alpha in prop_oneof![Just(0.05), Just(0.1), Just(1e-10), Just(0.999)],
    ) {
        let alpha = Alpha::new(alpha).unwrap_or_default();
        if let Err(problem) = check_every_method(&x, &y, alpha) {
            prop_assert!(false, "{problem} for x = {x:?}, y = {y:?}");
        }
    }

    #[test]
    fn proportion_tests_never_panic(
        counts in prop::collection::vec(prop_oneof![0u64..50, Just(u64::MAX), Just(0)], 0..8),
        totals in prop::collection::vec(prop_oneof![0u64..60, Just(u64::MAX), Just(1)], 0..8),
        x in prop::collection::vec(hostile_value(), 0..8),
    ) {
        if counts.len() >= 2 && totals.len() >= 2 {
            let first = Proportion { count: counts[0], total: totals[0] };
            let second = Proportion { count: counts[1], total: totals[1] };
            if let Ok(r) = stats::two_proportion_z_test(first, second) {
                prop_assert!(finite(&[r.p1, r.p2, r.pooled, r.z, r.p]));
            }
        }
        let n = counts.len().min(totals.len()).min(x.len());
        if let Ok(r) = stats::cochran_armitage(&x[..n], &counts[..n], &totals[..n]) {
            prop_assert!(finite(&[r.pooled, r.z, r.chi_squared, r.p]));
        }
        if x.len() != counts.len() || x.len() != totals.len() {
            prop_assert_eq!(
                stats::cochran_armitage(&x, &counts, &totals).err(),
                Some(Unavailable::LengthMismatch)
            );
        }
    }

    #[test]
    fn distribution_helpers_never_panic(p in hostile_value(), df in hostile_value(), t in hostile_value()) {
        for value in [
            stats::t_quantile(p, df),
            stats::t_two_sided_p(t, df),
            stats::normal_quantile(p),
            stats::normal_sf(t),
            stats::normal_two_sided_p(t),
        ]
        .into_iter()
        .flatten()
        {
            prop_assert!(!value.is_nan());
        }
        if let Some(p) = stats::t_two_sided_p(t, df) {
            prop_assert!((0.0..=1.0).contains(&p));
        }
    }

    #[test]
    fn mann_kendall_and_sen_are_invariant_to_adding_a_constant(
        y in exact_series(),
        c in -1_000_000i32..1_000_000,
    ) {
        let shifted: Vec<f64> = y.iter().map(|v| v + f64::from(c)).collect();
        let alpha = Alpha::FIVE_PERCENT;
        prop_assert_eq!(stats::mann_kendall(&y, alpha), stats::mann_kendall(&shifted, alpha));
        prop_assert_eq!(stats::pettitt(&y), stats::pettitt(&shifted));
        let x: Vec<f64> = (0..y.len()).map(|i| 2000.0 + i as f64).collect();
        let (a, b) = (stats::sen_slope(&x, &y, alpha), stats::sen_slope(&x, &shifted, alpha));
        match (a, b) {
            (Ok(a), Ok(b)) => {
                prop_assert_eq!(a.slope, b.slope);
                prop_assert_eq!((a.ci_lower, a.ci_upper), (b.ci_lower, b.ci_upper));
                // median(y) + c - slope * median(x) rounds differently from
                // (median(y) - slope * median(x)) + c: a few ulps of the terms.
                let scale = a.intercept.abs() + a.slope.abs() * 2100.0 + f64::from(c).abs();
                prop_assert!((a.intercept + f64::from(c) - b.intercept).abs() <= 1e-12 * scale);
            }
            (a, b) => prop_assert_eq!(a.err(), b.err()),
        }
    }

    #[test]
    fn s_z_and_sen_slope_flip_sign_when_the_series_is_negated(y in exact_series()) {
        let negated: Vec<f64> = y.iter().map(|v| -v).collect();
        let alpha = Alpha::FIVE_PERCENT;
        if let (Ok(a), Ok(b)) = (stats::mann_kendall(&y, alpha), stats::mann_kendall(&negated, alpha)) {
            prop_assert_eq!(a.s, -b.s);
            prop_assert_eq!(a.z, -b.z);
            prop_assert_eq!(a.p, b.p);
            prop_assert_eq!(a.tau_b.map(|t| -t), b.tau_b);
        }
        let x: Vec<f64> = (0..y.len()).map(|i| 2000.0 + 0.25 * i as f64).collect();
        if let (Ok(a), Ok(b)) = (stats::sen_slope(&x, &y, alpha), stats::sen_slope(&x, &negated, alpha)) {
            prop_assert_eq!(a.slope, -b.slope);
            prop_assert_eq!(a.ci_lower.map(|v| -v), b.ci_upper);
        }
    }

    #[test]
    fn merge_sort_score_agrees_with_the_pairwise_count(y in exact_series()) {
        // mann_kendall switches to the O(n log n) merge sort above 20 values
        // (series here run to 80); count S here by the definition.
        let mut s = 0i64;
        for i in 0..y.len() {
            for j in i + 1..y.len() {
                s += i64::from(y[j] > y[i]) - i64::from(y[j] < y[i]);
            }
        }
        if let Ok(mk) = stats::mann_kendall(&y, Alpha::FIVE_PERCENT) {
            prop_assert_eq!(mk.s, s);
        }
    }

    #[test]
    fn ols_is_exact_on_lines(
        x in (3usize..60).prop_flat_map(years),
        a in -1e4f64..1e4,
        b in -100f64..100.0,
    ) {
        prop_assume!(b.abs() > 1e-3);
        let y: Vec<f64> = x.iter().map(|&t| a + b * (t - 2000.0)).collect();
        let fit = stats::linear_trend(&x, &y, Alpha::FIVE_PERCENT).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(EXACT_LINE.accepts(fit.slope, b), "slope {} vs {}", fit.slope, b);
        prop_assert!(EXACT_LINE.accepts(fit.intercept, a - 2000.0 * b), "intercept {}", fit.intercept);
        prop_assert!(EXACT_LINE.accepts(fit.r_squared, 1.0));
        prop_assert!(fit.slope_se <= 1e-9 * b.abs());
        prop_assert!(fit.p < 1e-6 || x.len() == 3);
    }

    #[test]
    fn apc_is_exact_on_exponentials_and_joinpoint_finds_no_joinpoint(
        x in (3usize..40).prop_flat_map(years),
        rate in -0.5f64..0.5,
    ) {
        let y: Vec<f64> = x.iter().map(|&t| 1000.0 * (rate * (t - 2000.0)).exp()).collect();
        let apc = stats::annual_percent_change(&x, &y, Alpha::FIVE_PERCENT);
        if rate.abs() > 1e-6 {
            let apc = apc.map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert!(EXACT_LINE.accepts(apc.apc, 100.0 * rate.exp_m1()), "{} vs {}", apc.apc, rate);
        }
        let fit = stats::fit_joinpoint(&x, &y, &JoinpointOptions::default())
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(fit.joinpoints.is_empty(), "joinpoints {:?} on an exact exponential", fit.joinpoints);
        prop_assert!(EXACT_LINE.accepts(fit.aapc, 100.0 * rate.exp_m1()));
    }

    #[test]
    fn joinpoint_recovers_an_exact_piecewise_series(
        n in 12usize..30,
        split in 0.3f64..0.7,
        slopes in (-0.3f64..0.3, -0.3f64..0.3),
    ) {
        prop_assume!((slopes.0 - slopes.1).abs() > 0.05);
        let x: Vec<f64> = (0..n).map(|i| 2000.0 + i as f64).collect();
        let at = ((n as f64 * split) as usize).clamp(3, n - 4);
        let tau = x[at];
        let y: Vec<f64> = x
            .iter()
            .map(|&t| (4.0 + slopes.0 * (t - 2000.0) + (slopes.1 - slopes.0) * (t - tau).max(0.0)).exp())
            .collect();
        let fit = stats::fit_joinpoint(&x, &y, &JoinpointOptions::default())
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&fit.joinpoints, &vec![tau]);
        prop_assert!(EXACT_LINE.accepts(fit.segments[0].log_slope, slopes.0));
        prop_assert!(EXACT_LINE.accepts(fit.segments[1].log_slope, slopes.1));
    }

    #[test]
    fn apc_is_invariant_to_the_unit_of_the_values(
        (x, y) in (3usize..30).prop_flat_map(|n| (years(n), prop::collection::vec(0.1f64..1e4, n))),
    ) {
        let in_tonnes: Vec<f64> = y.iter().map(|v| v / 1000.0).collect();
        if let (Ok(a), Ok(b)) = (
            stats::annual_percent_change(&x, &y, Alpha::FIVE_PERCENT),
            stats::annual_percent_change(&x, &in_tonnes, Alpha::FIVE_PERCENT),
        ) {
            prop_assert!(EXACT_LINE.accepts(a.apc, b.apc));
        }
    }
}

#[test]
fn one_point_and_empty_series_are_reasons_for_every_method() {
    let alpha = Alpha::FIVE_PERCENT;
    for (x, y) in [(vec![], vec![]), (vec![2000.0], vec![5.0])] {
        assert!(matches!(
            stats::mann_kendall(&y, alpha),
            Err(Unavailable::TooFewObservations { .. })
        ));
        assert!(stats::hamed_rao(&y, alpha).is_err());
        assert!(stats::yue_wang(&y, alpha).is_err());
        assert!(stats::trend_free_prewhitening(&y, alpha).is_err());
        assert!(stats::sen_slope(&x, &y, alpha).is_err());
        assert!(stats::linear_trend(&x, &y, alpha).is_err());
        assert!(stats::annual_percent_change(&x, &y, alpha).is_err());
        assert!(stats::fit_joinpoint(&x, &y, &JoinpointOptions::default()).is_err());
        assert!(stats::pettitt(&y).is_err());
        assert!(stats::cross_correlation(&y, &y, 0).is_err());
    }
}

#[test]
fn nan_anywhere_is_the_non_finite_reason() {
    let x = [2000.0, 2001.0, 2002.0, 2003.0, 2004.0];
    let y = [1.0, 2.0, f64::NAN, 4.0, 5.0];
    let alpha = Alpha::FIVE_PERCENT;
    assert_eq!(
        stats::mann_kendall(&y, alpha).err(),
        Some(Unavailable::NonFinite)
    );
    assert_eq!(
        stats::sen_slope(&x, &y, alpha).err(),
        Some(Unavailable::NonFinite)
    );
    assert_eq!(
        stats::linear_trend(&x, &y, alpha).err(),
        Some(Unavailable::NonFinite)
    );
    assert_eq!(
        stats::fit_joinpoint(&x, &y, &JoinpointOptions::default()).err(),
        Some(Unavailable::NonFinite)
    );
    assert_eq!(stats::pettitt(&y).err(), Some(Unavailable::NonFinite));
    assert_eq!(
        stats::cagr(2000.0, f64::NAN, 2001.0, 1.0).err(),
        Some(Unavailable::NonFinite)
    );
    assert_eq!(Unavailable::NonFinite.to_string(), "non-finite value");
}
