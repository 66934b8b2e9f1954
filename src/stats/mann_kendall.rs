//! The original Mann-Kendall trend test (Mann 1945, Kendall 1975) on values in
//! time order, with Kendall's tau-b. Only order matters, so no `x` is taken:
//! gaps in time do not change the test. The score S is computed in
//! O(n log n) by a merge sort that counts concordant and discordant pairs
//! (ties included); short series use the direct O(n^2) double loop, which is
//! faster there. The autocorrelation-corrected variants live in
//! `modified_mann_kendall`.

use super::distribution::normal_two_sided_p;
use super::input::{all_finite, check_values};
use super::ranks::{variance_of_s, TieSummary};
use super::{Alpha, Trend, Unavailable};

/// Series of at most this many values get S from the direct double loop;
/// longer ones from the merge sort (release build: the two cost the same
/// near 20 values, 0.3 µs at 16; at 200 values the merge sort is 3x faster).
const PAIRWISE_MAX_N: usize = 20;

/// Result of the original Mann-Kendall test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MannKendall {
    /// Number of observations.
    pub n: usize,
    /// Kendall's score `S = sum_{i<j} sgn(y_j - y_i)`.
    pub s: i64,
    /// Var(S) with the tie correction.
    pub var_s: f64,
    /// Standard normal statistic with continuity correction.
    pub z: f64,
    /// Two-sided p-value, `2 P(N(0,1) > |z|)` by the survival function.
    pub p: f64,
    /// Kendall's tau-b; `None` for a constant series (0/0).
    pub tau_b: Option<f64>,
    /// Increasing / decreasing when `p < alpha`, else no trend.
    pub trend: Trend,
}

/// Mann-Kendall trend test (original, no autocorrelation correction).
///
/// Formula (STATISTICS.md): `S = sum_{i<j} sgn(y_j - y_i)`;
/// `Var(S) = [n(n-1)(2n+5) - sum_g t_g(t_g-1)(2t_g+5)] / 18` over tie groups
/// `t_g`; `Z = (S-1)/sqrt(Var)` if S > 0, `0` if S = 0, `(S+1)/sqrt(Var)` if
/// S < 0; `p = 2 P(N(0,1) > |Z|)` by the survival function; tau-b
/// `= S / sqrt((n0 - n1) n0)` with `n0 = n(n-1)/2`, `n1 = sum_g t_g(t_g-1)/2`.
///
/// Edge cases: fewer than 3 values → [`Unavailable::TooFewObservations`];
/// NaN/inf → [`Unavailable::NonFinite`]; a constant series gives S = 0,
/// Var(S) = 0, Z = 0, p = 1, no trend and `tau_b = None`.
///
/// Reference: pymannkendall 1.4.3 `original_test` for S, Var(S) and Z
/// (its p uses `1 - cdf`, equal to ours except where that underflows; its
/// `Tau` is tau-a, not tau-b); tau-b as scipy.stats.kendalltau and R
/// trend::mk.test.
///
/// ```
/// use routetrend::stats::{mann_kendall, Alpha, Trend};
///
/// // pymannkendall 1.4.3 original_test([1, 3, 2, 5, 4, 6]):
/// // s = 11, var_s = 28.333..., z = 1.8786728732554487, p = 0.060289173990602185
/// let mk = mann_kendall(&[1.0, 3.0, 2.0, 5.0, 4.0, 6.0], Alpha::FIVE_PERCENT).unwrap();
/// assert_eq!(mk.s, 11);
/// assert!((mk.z - 1.8786728732554487).abs() < 1e-12);
/// assert!((mk.p - 0.060289173990602185).abs() < 1e-11);
/// assert_eq!(mk.trend, Trend::NoTrend);
/// // scipy 1.17.1 kendalltau(range(6), y).statistic = 0.7333333333333333
/// assert!((mk.tau_b.unwrap() - 0.7333333333333333).abs() < 1e-12);
/// ```
pub fn mann_kendall(values: &[f64], alpha: Alpha) -> Result<MannKendall, Unavailable> {
    check_values(values, 3)?;
    let score = kendall_score(values);
    let n = values.len();
    let z = continuity_z(score.s, score.var_s);
    let p = normal_two_sided_p(z).ok_or(Unavailable::NumericalFailure)?;
    let n0 = (n as f64) * (n as f64 - 1.0) / 2.0;
    let denominator = ((n0 - score.ties.tied_pairs) * n0).sqrt();
    let tau_b = (denominator > 0.0).then(|| score.s as f64 / denominator);
    all_finite(&[score.var_s, z, p, tau_b.unwrap_or(0.0)])?;
    Ok(MannKendall {
        n,
        s: score.s,
        var_s: score.var_s,
        z,
        p,
        tau_b,
        trend: Trend::from_test(z, p, alpha),
    })
}

/// The smallest two-sided p-value [`mann_kendall`] can give with `n` values: that of a
/// strictly monotone series, `S = n(n-1)/2` with the no-tie variance (ties lower |S| faster
/// than they lower Var(S), so no tied series gets below it: checked exhaustively for n <= 6
/// in this module's tests). `None` below 3 values, where there is no test.
///
/// At n = 3 it is 0.296 and at n = 4 0.0894, so at alpha = 0.05 no series of 4 or fewer
/// values can be labelled a trend: the trends table calls those "too short" rather than "no
/// trend" (STATISTICS.md, "Claiming no more than the data can show").
///
/// ```
/// use routetrend::stats::mann_kendall_min_p;
///
/// // n = 4: S = 6, Var(S) = 4*3*13/18, Z = 5/sqrt(8.667) = 1.698; scipy 1.17.1
/// // 2*norm.sf(1.6984155512168937) = 0.08942935902899353
/// assert!((mann_kendall_min_p(4).unwrap() - 0.08942935902899353).abs() < 1e-10);
/// assert!(mann_kendall_min_p(5).unwrap() < 0.05);
/// assert_eq!(mann_kendall_min_p(2), None);
/// ```
pub fn mann_kendall_min_p(n: usize) -> Option<f64> {
    if n < 3 {
        return None;
    }
    let nf = n as f64;
    let s = (n * (n - 1) / 2) as i64;
    let var_s = nf * (nf - 1.0) * (2.0 * nf + 5.0) / 18.0;
    normal_two_sided_p(continuity_z(s, var_s))
}

/// S, Var(S) and the tie summary of a series, shared with the modified tests.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct KendallScore {
    pub(crate) s: i64,
    pub(crate) var_s: f64,
    pub(crate) ties: TieSummary,
}

/// S and Var(S) of `values` (finite, any length). Allocates one copy of the
/// values (two for long series, for the merge buffer).
pub(crate) fn kendall_score(values: &[f64]) -> KendallScore {
    let mut sorted = values.to_vec();
    let s = if values.len() <= PAIRWISE_MAX_N {
        sorted.sort_unstable_by(f64::total_cmp);
        s_pairwise(values)
    } else {
        let mut buffer = vec![0.0; values.len()];
        s_merge_sort(&mut sorted, &mut buffer)
    };
    let ties = TieSummary::of_sorted(&sorted);
    KendallScore {
        s,
        var_s: variance_of_s(values.len(), ties),
        ties,
    }
}

/// Continuity-corrected Z: `(S-1)/sqrt(var)` for S > 0, `(S+1)/sqrt(var)` for
/// S < 0, 0 for S = 0 (also when var is 0, which only a constant series has).
pub(crate) fn continuity_z(s: i64, var_s: f64) -> f64 {
    match s {
        0 => 0.0,
        s if s > 0 => (s - 1) as f64 / var_s.sqrt(),
        s => (s + 1) as f64 / var_s.sqrt(),
    }
}

/// S by the direct double loop over all pairs: O(n^2).
pub(crate) fn s_pairwise(values: &[f64]) -> i64 {
    let mut s = 0i64;
    for (i, &earlier) in values.iter().enumerate() {
        for &later in &values[i + 1..] {
            s += i64::from(later > earlier) - i64::from(later < earlier);
        }
    }
    s
}

/// S of the order of `work` (time order), by merge sort: O(n log n).
///
/// On return `work` is sorted numerically. When two sorted halves are merged,
/// every (left, right) pair is an (earlier, later) pair; for each right value
/// `r`, taken in increasing order, two monotone pointers count the left values
/// `< r` (concordant) and `> r` (discordant); equal values count as neither,
/// which is how ties enter S. `buffer` must be as long as `work`.
pub(crate) fn s_merge_sort(work: &mut [f64], buffer: &mut [f64]) -> i64 {
    let n = work.len();
    if n <= 16 {
        let s = s_pairwise(work);
        insertion_sort(work);
        return s;
    }
    let mid = n / 2;
    let mut s = {
        let (left, right) = work.split_at_mut(mid);
        let (left_buffer, right_buffer) = buffer.split_at_mut(mid);
        s_merge_sort(left, left_buffer) + s_merge_sort(right, right_buffer)
    };
    let (left, right) = work.split_at(mid);
    let (mut below, mut not_above) = (0usize, 0usize);
    for &r in right {
        while below < left.len() && left[below] < r {
            below += 1;
        }
        not_above = not_above.max(below);
        while not_above < left.len() && left[not_above] <= r {
            not_above += 1;
        }
        s += below as i64 - (left.len() - not_above) as i64;
    }
    let (mut i, mut j) = (0, 0);
    for slot in buffer[..n].iter_mut() {
        if j >= right.len() || (i < left.len() && left[i] <= right[j]) {
            *slot = left[i];
            i += 1;
        } else {
            *slot = right[j];
            j += 1;
        }
    }
    work.copy_from_slice(&buffer[..n]);
    s
}

fn insertion_sort(values: &mut [f64]) {
    for i in 1..values.len() {
        let mut j = i;
        while j > 0 && values[j - 1] > values[j] {
            values.swap(j - 1, j);
            j -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_series_of_n_values_gets_below_the_monotone_p() {
        // Every sequence of n values from {0, .., n-1} (every tie pattern), n = 3..6.
        for n in 3..=6usize {
            let bound = mann_kendall_min_p(n).unwrap();
            let total = n.pow(n as u32);
            for code in 0..total {
                let mut c = code;
                let y: Vec<f64> = (0..n)
                    .map(|_| {
                        let v = (c % n) as f64;
                        c /= n;
                        v
                    })
                    .collect();
                let p = mann_kendall(&y, Alpha::FIVE_PERCENT).unwrap().p;
                assert!(p >= bound - 1e-15, "n = {n}: {y:?} gives p = {p} < {bound}");
            }
        }
    }
    use proptest::prelude::*;

    #[test]
    fn hand_computed_small_case() {
        // y = [1, 3, 2, 5, 4, 6]: pairs (i<j) with y_j > y_i = 13, < = 2 => S = 11.
        // No ties: Var = 6*5*17/18 = 28.333...; Z = 10/sqrt(28.333...).
        let mk = mann_kendall(&[1.0, 3.0, 2.0, 5.0, 4.0, 6.0], Alpha::FIVE_PERCENT).unwrap();
        assert_eq!(mk.s, 11);
        assert!((mk.var_s - 510.0 / 18.0).abs() < 1e-12);
        assert!((mk.z - 10.0 / (510.0f64 / 18.0).sqrt()).abs() < 1e-12);
        assert_eq!(mk.tau_b, Some(11.0 / 15.0));
    }

    #[test]
    fn constant_series_is_no_trend_with_p_one() {
        let mk = mann_kendall(&[4.0; 7], Alpha::FIVE_PERCENT).unwrap();
        assert_eq!((mk.s, mk.var_s, mk.z, mk.p), (0, 0.0, 0.0, 1.0));
        assert_eq!(mk.tau_b, None);
        assert_eq!(mk.trend, Trend::NoTrend);
    }

    #[test]
    fn too_short_and_non_finite_are_reasons() {
        assert_eq!(
            mann_kendall(&[1.0, 2.0], Alpha::FIVE_PERCENT),
            Err(Unavailable::TooFewObservations { needed: 3 })
        );
        assert_eq!(
            mann_kendall(&[1.0, f64::INFINITY, 2.0], Alpha::FIVE_PERCENT),
            Err(Unavailable::NonFinite)
        );
    }

    #[test]
    fn huge_z_keeps_a_positive_p() {
        // 1 - cdf would give exactly 0 here (|Z| > 8.3).
        let y: Vec<f64> = (0..200).map(f64::from).collect();
        let mk = mann_kendall(&y, Alpha::FIVE_PERCENT).unwrap();
        assert!(mk.z > 8.3 && mk.p > 0.0 && mk.p < 1e-16);
    }

    proptest! {
        #[test]
        fn merge_sort_score_equals_pairwise_score(
            y in prop::collection::vec(prop_oneof![
                (-5i32..5).prop_map(f64::from),          // heavy ties
                -1e3f64..1e3,
                Just(-0.0f64),
                Just(0.0f64),
            ], 0..300)
        ) {
            let mut work = y.clone();
            let mut buffer = vec![0.0; y.len()];
            let merged = s_merge_sort(&mut work, &mut buffer);
            prop_assert_eq!(merged, s_pairwise(&y));
            prop_assert!(work.windows(2).all(|w| w[0] <= w[1]));
        }
    }
}
