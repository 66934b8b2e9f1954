//! Pettitt's (1979) non-parametric test for a single change point in the
//! level of a series, as R trend::pettitt.test. Order only: it takes values in
//! time order and reports the change as an index, which the caller maps to
//! its period. It does not estimate the size of the shift.

use super::input::{all_finite, check_values};
use super::ranks::average_ranks;
use super::Unavailable;

/// Result of [`pettitt`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pettitt {
    /// Number of observations.
    pub n: usize,
    /// The statistic `K = max_k |U_k|` (an integer).
    pub k_statistic: i64,
    /// 0-based index of the last observation before the change: the first k
    /// (1-based) reaching K, minus one. 0 when K = 0 (nothing changes).
    pub last_before_change: usize,
    /// Approximate two-sided p-value, capped at 1.
    pub p: f64,
}

/// Pettitt change-point test.
///
/// Formula (STATISTICS.md; R trend 1.1.6 `pettitt.test`): average ranks
/// `r_i`; `U_k = 2 sum_{i<=k} r_i - k(n+1)`, k = 1..n; `K = max |U_k|`; the
/// change point is the first k with `|U_k| = K` (the last observation before
/// the change); `p = min(1, 2 exp(-6 K^2 / (n^3 + n^2)))`. `U_k` is computed
/// in integers (doubled average ranks are integers), so ties in |U_k| are
/// exact.
///
/// Edge cases: fewer than 3 values → `TooFewObservations { needed: 3 }`;
/// NaN/inf → `NonFinite`; a constant series has K = 0, p = 1 and
/// `last_before_change = 0` (R reports every k then).
///
/// Reference: R trend 1.1.6 `pettitt.test` (R is not available here: tests
/// compare with a line-by-line numpy transcription of it).
///
/// ```
/// use routetrend::stats::pettitt;
///
/// // Ranks 2, 1, 3, 5, 4, 6: U = -3, -8, -9, -6, -5, 0 -> K = 9 at k = 3
/// let result = pettitt(&[2.0, 1.0, 3.0, 5.0, 4.0, 6.0]).unwrap();
/// assert_eq!(result.k_statistic, 9);
/// assert_eq!(result.last_before_change, 2);
/// let expected_p = 2.0 * (-6.0 * 81.0 / (216.0 + 36.0f64)).exp();
/// assert!((result.p - expected_p).abs() < 1e-15);
/// ```
pub fn pettitt(values: &[f64]) -> Result<Pettitt, Unavailable> {
    check_values(values, 3)?;
    let n = values.len();
    let (mut order, mut ranks) = (Vec::new(), Vec::new());
    average_ranks(values, &mut order, &mut ranks);
    let mut doubled_rank_sum: i64 = 0;
    let (mut k_statistic, mut last_before_change) = (0i64, 0usize);
    for (k, &rank) in ranks.iter().enumerate() {
        // 2 r_i is an integer: average ranks are multiples of 1/2.
        doubled_rank_sum += (2.0 * rank).round() as i64;
        let u = doubled_rank_sum - (k as i64 + 1) * (n as i64 + 1);
        if u.abs() > k_statistic {
            k_statistic = u.abs();
            last_before_change = k;
        }
    }
    let nf = n as f64;
    let kf = k_statistic as f64;
    let p = (2.0 * (-6.0 * kf * kf / (nf.powi(3) + nf.powi(2))).exp()).min(1.0);
    all_finite(&[p])?;
    Ok(Pettitt {
        n,
        k_statistic,
        last_before_change,
        p,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_change_is_located_at_the_last_low_value() {
        let result = pettitt(&[1.0, 2.0, 1.5, 1.0, 9.0, 8.0, 9.5, 8.5]).unwrap();
        assert_eq!(result.last_before_change, 3);
        // ranks 1.5, 4, 3, 1.5 then 7, 5, 8, 6: U_4 = 2*10 - 4*9 = -16
        assert_eq!(result.k_statistic, 16);
    }

    #[test]
    fn constant_series_has_no_change() {
        let result = pettitt(&[3.0; 5]).unwrap();
        assert_eq!(
            (result.k_statistic, result.last_before_change, result.p),
            (0, 0, 1.0)
        );
    }
}
