//! Sen's slope (Theil-Sen estimator) on real time `x`, with the
//! Conover intercept and Sen's (1968) rank-based confidence interval, plus the
//! index-based slope the modified Mann-Kendall tests detrend with. A robust
//! per-year rate of change; it tests nothing (see `mann_kendall` for that).

use super::input::{all_finite, check_series};
use super::ranks::{variance_of_s, TieSummary};
use super::{Alpha, Unavailable};

/// Result of [`sen_slope`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SenSlope {
    /// Number of observations.
    pub n: usize,
    /// Median pairwise slope, in value units per year.
    pub slope: f64,
    /// `median(y) - slope * median(x)`.
    pub intercept: f64,
    /// Lower confidence bound; `None` when its rank falls outside 1..N.
    pub ci_lower: Option<f64>,
    /// Upper confidence bound; `None` when its rank falls outside 1..N.
    pub ci_upper: Option<f64>,
}

/// Sen's slope of `values` against real time `x` (years), with its
/// `1 - alpha` confidence interval.
///
/// Formula (STATISTICS.md): slope = median of the N = n(n-1)/2 pairwise
/// slopes `(y_j - y_i)/(x_j - x_i)`, i < j (the mean of the two middle ones
/// when N is even); intercept = `median(y) - slope * median(x)` (Conover
/// 1980). Interval (Sen 1968; Gilbert 1987): `C = z_{1-alpha/2} sqrt(Var(S))`
/// with the tie-corrected Var(S) of y; with the slopes sorted, lower = slope
/// at 1-based rank `round((N - C)/2)`, upper = slope at rank
/// `round((N + C)/2 + 1)`, `round` being R's (half to even).
///
/// Edge cases: fewer than 2 observations → `TooFewObservations { needed: 2 }`;
/// NaN/inf → `NonFinite`; `x` not strictly increasing → `TimeNotIncreasing`;
/// a bound whose rank is outside 1..N is `None` (R gives NA or an empty
/// vector there); a constant series has slope 0 and bounds 0.
///
/// Reference: scipy 1.17.1 `theilslopes(y, x)` (slope, and intercept with
/// `method='separate'`); the interval as R trend 1.1.6 `sens.slope`, which
/// uses index spacing — identical on gap-free annual data.
///
/// ```
/// use routetrend::stats::{sen_slope, Alpha};
///
/// let x = [2000.0, 2001.0, 2003.0, 2004.0];
/// let y = [10.0, 12.0, 13.0, 19.0];
/// // slopes: 2, 1, 2.25, 0.5, 2.33, 6 -> median (2 + 2.25)/2 = 2.125
/// // scipy 1.17.1 theilslopes(y, x): slope 2.125, intercept -4241.75
/// let sen = sen_slope(&x, &y, Alpha::FIVE_PERCENT).unwrap();
/// assert_eq!(sen.slope, 2.125);
/// assert!((sen.intercept - (12.5 - 2.125 * 2002.0)).abs() < 1e-9);
/// // C = 1.96 * sqrt(8.667) = 5.77: ranks round(0.11) = 0 and round(6.89) = 7
/// // are outside 1..6, so both bounds are None
/// assert_eq!((sen.ci_lower, sen.ci_upper), (None, None));
/// ```
pub fn sen_slope(x: &[f64], values: &[f64], alpha: Alpha) -> Result<SenSlope, Unavailable> {
    check_series(x, values, 2)?;
    let n = values.len();
    let mut slopes = Vec::with_capacity(n * (n - 1) / 2);
    for i in 0..n {
        for j in i + 1..n {
            slopes.push((values[j] - values[i]) / (x[j] - x[i]));
        }
    }
    let slope = median_in_place(&mut slopes);

    let mut sorted_values = values.to_vec();
    sorted_values.sort_unstable_by(f64::total_cmp);
    let median_y = median_of_sorted(&sorted_values);
    // x is strictly increasing, so it is its own sorted order.
    let intercept = median_y - slope * median_of_sorted(x);

    let var_s = variance_of_s(n, TieSummary::of_sorted(&sorted_values));
    let c = alpha.normal_critical() * var_s.sqrt();
    let big_n = slopes.len() as f64;
    let lower_rank = ((big_n - c) / 2.0).round_ties_even();
    let upper_rank = ((big_n + c) / 2.0 + 1.0).round_ties_even();
    let ci_lower = order_statistic(&mut slopes, lower_rank);
    let ci_upper = order_statistic(&mut slopes, upper_rank);

    all_finite(&[
        slope,
        intercept,
        ci_lower.unwrap_or(0.0),
        ci_upper.unwrap_or(0.0),
    ])?;
    Ok(SenSlope {
        n,
        slope,
        intercept,
        ci_lower,
        ci_upper,
    })
}

/// pymannkendall 1.4.3 `sens_slope`: median of `(y_j - y_i)/(j - i)` over
/// index pairs, the slope the modified tests detrend with (per step, not per
/// year). `values` must be finite and hold at least 2 values.
pub(crate) fn index_sen_slope(values: &[f64]) -> f64 {
    let n = values.len();
    let mut slopes = Vec::with_capacity(n * n.saturating_sub(1) / 2);
    for i in 0..n {
        for j in i + 1..n {
            slopes.push((values[j] - values[i]) / (j - i) as f64);
        }
    }
    median_in_place(&mut slopes)
}

/// Median as numpy computes it (mean of the two middle values for an even
/// count); reorders `values`. 0 for an empty slice (callers never pass one).
pub(crate) fn median_in_place(values: &mut [f64]) -> f64 {
    let len = values.len();
    if len == 0 {
        return 0.0;
    }
    let mid = len / 2;
    let (left, &mut upper, _) = values.select_nth_unstable_by(mid, f64::total_cmp);
    if len % 2 == 1 {
        upper
    } else {
        let lower = left.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (lower + upper) / 2.0
    }
}

fn median_of_sorted(sorted: &[f64]) -> f64 {
    let len = sorted.len();
    if len % 2 == 1 {
        sorted[len / 2]
    } else {
        (sorted[len / 2 - 1] + sorted[len / 2]) / 2.0
    }
}

/// The value at 1-based `rank` of `values` in sorted order, or `None` when
/// the rank is outside 1..len (or not finite). `values` must already be
/// partitioned around index `len/2` (as [`median_in_place`] leaves it); the
/// selection then only reorders the side the rank falls in.
fn order_statistic(values: &mut [f64], rank: f64) -> Option<f64> {
    let in_range = rank >= 1.0 && rank <= values.len() as f64;
    if !in_range {
        return None;
    }
    let index = rank as usize - 1;
    let mid = values.len() / 2;
    let value = match index.cmp(&mid) {
        std::cmp::Ordering::Equal => values[mid],
        std::cmp::Ordering::Less => {
            *values[..mid]
                .select_nth_unstable_by(index, f64::total_cmp)
                .1
        }
        std::cmp::Ordering::Greater => {
            *values[mid + 1..]
                .select_nth_unstable_by(index - mid - 1, f64::total_cmp)
                .1
        }
    };
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interval_ranks_follow_r_sens_slope() {
        // y = 1..10 plus noise-free ties: no ties, n = 10, N = 45,
        // Var(S) = 10*9*25/18 = 125, C = 1.95996 * 11.1803 = 21.913
        // lower rank round(11.54) = 12, upper rank round(34.46) = 34.
        let x: Vec<f64> = (0..10).map(|i| 2000.0 + f64::from(i)).collect();
        let y = [3.0, 1.0, 4.0, 1.5, 5.0, 9.0, 2.0, 6.0, 5.5, 3.5];
        let sen = sen_slope(&x, &y, Alpha::FIVE_PERCENT).unwrap();
        let mut slopes = Vec::new();
        for i in 0..10 {
            for j in i + 1..10 {
                slopes.push((y[j] - y[i]) / (x[j] - x[i]));
            }
        }
        slopes.sort_by(f64::total_cmp);
        let c = Alpha::FIVE_PERCENT.normal_critical() * 125f64.sqrt();
        assert_eq!(((45.0 - c) / 2.0).round_ties_even(), 12.0);
        assert_eq!(sen.ci_lower, Some(slopes[11]));
        assert_eq!(sen.ci_upper, Some(slopes[33]));
    }

    #[test]
    fn constant_series_has_zero_slope() {
        let sen = sen_slope(&[1.0, 2.0, 3.0], &[5.0; 3], Alpha::FIVE_PERCENT).unwrap();
        assert_eq!((sen.slope, sen.intercept), (0.0, 5.0));
    }

    #[test]
    fn index_slope_is_per_step() {
        assert_eq!(index_sen_slope(&[1.0, 3.0, 5.0, 7.0]), 2.0);
        // slopes 1, 0, 1/3, -1, 0, 1: median (0 + 1/3)/2
        assert_eq!(index_sen_slope(&[0.0, 1.0, 0.0, 1.0]), 1.0 / 6.0);
    }
}
