//! Mann-Kendall tests corrected for serial correlation, mirroring
//! pymannkendall 1.4.3 step by step: Hamed & Rao (1998) and Yue & Wang (2004)
//! inflate Var(S) by n/n*; trend-free pre-whitening (Yue, Pilon, Phinney &
//! Cavadias 2002) removes the lag-1 autocorrelation before testing. All three
//! detrend with pymannkendall's index-based Sen slope (per step, not per
//! year), so on series with gaps they treat observations as equally spaced,
//! as pymannkendall does. For independent data use `mann_kendall`.

use super::distribution::normal_two_sided_p;
use super::input::{all_finite, check_values, is_positive};
use super::mann_kendall::{continuity_z, kendall_score};
use super::ranks::average_ranks;
use super::sen::index_sen_slope;
use super::{Alpha, Trend, Unavailable};

/// The fewest observations for which the autocorrelation-corrected tests are reported.
///
/// Hamed & Rao (1998) and Yue & Wang (2004) derive and check their corrections by simulation
/// on series of n = 10 and longer; below that the sample autocorrelations the corrections
/// rest on are mostly noise (their standard error is about 1/sqrt(n), 0.33 at n = 9), and
/// on the public files such series gave p-values down to 1e-272 where the original test
/// gave none below 0.05.
pub const CORRECTION_MIN_N: usize = 10;

/// The smallest variance ratio n/n* accepted: below it the correction would claim more than
/// three times as many independent observations as there are. An AR(1) process reaches
/// n/n* = 1/3 only at a lag-1 autocorrelation of -0.5 ((1 + rho)/(1 - rho)); smaller ratios
/// on the public files came from short series whose autocorrelation estimates were noise.
pub const CORRECTION_MIN_RATIO: f64 = 1.0 / 3.0;

/// Whether a corrected test of `n` values with variance ratio `n_over_n_star` (`None`: the
/// test has no ratio, as trend-free pre-whitening) may be reported: at least
/// [`CORRECTION_MIN_N`] values and a ratio of at least [`CORRECTION_MIN_RATIO`]. The
/// trends table writes a null p-value with this reason otherwise; the functions of this
/// module compute the tests as their references do, whatever n.
///
/// ```
/// use routetrend::stats::{correction_applies, Unavailable};
///
/// assert_eq!(correction_applies(9, Some(1.2)), Err(Unavailable::TooFewObservations { needed: 10 }));
/// assert_eq!(correction_applies(12, Some(0.2)), Err(Unavailable::ImplausibleEffectiveSize));
/// assert_eq!(correction_applies(12, Some(0.5)), Ok(()));
/// ```
pub fn correction_applies(n: usize, n_over_n_star: Option<f64>) -> Result<(), Unavailable> {
    if n < CORRECTION_MIN_N {
        return Err(Unavailable::TooFewObservations {
            needed: CORRECTION_MIN_N,
        });
    }
    match n_over_n_star {
        Some(r) if r < CORRECTION_MIN_RATIO => Err(Unavailable::ImplausibleEffectiveSize),
        _ => Ok(()),
    }
}

/// Result of [`hamed_rao`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HamedRao {
    /// Number of observations.
    pub n: usize,
    /// Kendall's score S (unchanged by the correction).
    pub s: i64,
    /// Var(S) before the correction (tie-corrected).
    pub var_s: f64,
    /// The variance inflation n/n* (> 0).
    pub n_over_n_star: f64,
    /// `var_s * n_over_n_star`, the variance Z is computed with.
    pub var_s_corrected: f64,
    /// How many lags had a significant rank autocorrelation.
    pub significant_lags: usize,
    /// Continuity-corrected Z from the corrected variance.
    pub z: f64,
    /// Two-sided p-value by the normal survival function.
    pub p: f64,
    /// Label at alpha.
    pub trend: Trend,
    /// The index-based Sen slope used to detrend (value units per step).
    pub sen_slope_per_step: f64,
}

/// Result of [`yue_wang`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct YueWang {
    /// Number of observations.
    pub n: usize,
    /// Kendall's score S.
    pub s: i64,
    /// Var(S) before the correction.
    pub var_s: f64,
    /// Biased lag-1 autocorrelation of the Sen-detrended series.
    pub lag1_autocorrelation: f64,
    /// `1 + 2 (1 - 1/n) r1` (> 0).
    pub n_over_n_star: f64,
    /// `var_s * n_over_n_star`.
    pub var_s_corrected: f64,
    /// Continuity-corrected Z from the corrected variance.
    pub z: f64,
    /// Two-sided p-value by the normal survival function.
    pub p: f64,
    /// Label at alpha.
    pub trend: Trend,
    /// The index-based Sen slope used to detrend (value units per step).
    pub sen_slope_per_step: f64,
}

/// Result of [`trend_free_prewhitening`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrendFreePrewhitening {
    /// Number of observations in the original series.
    pub n: usize,
    /// Number of pre-whitened values the test ran on (`n - 1`).
    pub n_tested: usize,
    /// Biased lag-1 autocorrelation of the Sen-detrended series.
    pub lag1_autocorrelation: f64,
    /// Kendall's score of the pre-whitened series.
    pub s: i64,
    /// Var(S) of the pre-whitened series (tie-corrected).
    pub var_s: f64,
    /// Continuity-corrected Z.
    pub z: f64,
    /// Two-sided p-value by the normal survival function.
    pub p: f64,
    /// Label at alpha.
    pub trend: Trend,
    /// Index-based Sen slope of the original series (value units per step).
    pub sen_slope_per_step: f64,
}

/// Modified Mann-Kendall test of Hamed & Rao (1998), variance correction.
///
/// Formula (STATISTICS.md; pymannkendall 1.4.3 `hamed_rao_modification_test`
/// with `lag=None`): detrend `e_i = y_i - i * b` (i = 1..n, b the index-based
/// Sen slope); rank `e` (average ranks); `rho_k` = biased ACF of the ranks
/// (divisor n); keep lags k = 1..n-1 with `|rho_k| > z_{1-alpha/2}/sqrt(n)`;
/// `n/n* = 1 + 2/(n(n-1)(n-2)) sum_k (n-k)(n-k-1)(n-k-2) rho_k`;
/// `Var*(S) = Var(S) n/n*`; Z and p as the original test with Var*.
///
/// Edge cases: fewer than 3 values → `TooFewObservations { needed: 3 }`;
/// NaN/inf → `NonFinite`; constant residuals (a constant series, or one
/// exactly linear in the index) → `ConstantResiduals` (pymannkendall returns
/// NaN there, or p = 1 for a constant series); `n/n* <= 0` →
/// `HamedRaoUndefined` (pymannkendall returns NaN, its issue #29).
///
/// ```
/// use routetrend::stats::{hamed_rao, Alpha};
///
/// // pymannkendall 1.4.3 hamed_rao_modification_test(y): s = 24,
/// // var_s = 65.333... (no lag significant, so n/n* = 1), z = 2.8455120410060126
/// let y = [12.0, 15.0, 14.0, 19.0, 23.0, 21.0, 27.0, 30.0];
/// let hr = hamed_rao(&y, Alpha::FIVE_PERCENT).unwrap();
/// assert_eq!((hr.s, hr.significant_lags, hr.n_over_n_star), (24, 0, 1.0));
/// assert!((hr.z - 2.8455120410060126).abs() < 1e-12);
/// ```
pub fn hamed_rao(values: &[f64], alpha: Alpha) -> Result<HamedRao, Unavailable> {
    check_values(values, 3)?;
    let n = values.len();
    let score = kendall_score(values);
    let slope = index_sen_slope(values);
    let residuals = detrend(values, slope);
    if is_constant(&residuals) {
        return Err(Unavailable::ConstantResiduals);
    }
    let (mut order, mut ranks) = (Vec::new(), Vec::new());
    average_ranks(&residuals, &mut order, &mut ranks);

    let nf = n as f64;
    let mean = ranks.iter().sum::<f64>() / nf;
    for r in ranks.iter_mut() {
        *r -= mean;
    }
    let acov0 = lagged_product_sum(&ranks, 0) / nf;
    if !is_positive(acov0) {
        return Err(Unavailable::ConstantResiduals);
    }
    let bound = alpha.normal_critical() / nf.sqrt();
    let mut weighted_sum = 0.0;
    let mut significant_lags = 0;
    for k in 1..n {
        let rho = (lagged_product_sum(&ranks, k) / nf) / acov0;
        if !(-bound..=bound).contains(&rho) {
            significant_lags += 1;
            let (a, b, c) = (
                (n - k) as f64,
                (n - k - 1) as f64,
                n.saturating_sub(k + 2) as f64,
            );
            weighted_sum += a * b * c * rho;
        }
    }
    let n_over_n_star = 1.0 + (2.0 / (nf * (nf - 1.0) * (nf - 2.0))) * weighted_sum;
    if !is_positive(n_over_n_star) {
        return Err(Unavailable::HamedRaoUndefined);
    }
    let var_s_corrected = score.var_s * n_over_n_star;
    let z = continuity_z(score.s, var_s_corrected);
    let p = normal_two_sided_p(z).ok_or(Unavailable::NumericalFailure)?;
    all_finite(&[score.var_s, n_over_n_star, var_s_corrected, z, p, slope])?;
    Ok(HamedRao {
        n,
        s: score.s,
        var_s: score.var_s,
        n_over_n_star,
        var_s_corrected,
        significant_lags,
        z,
        p,
        trend: Trend::from_test(z, p, alpha),
        sen_slope_per_step: slope,
    })
}

/// Modified Mann-Kendall test of Yue & Wang (2004), lag 1 only.
///
/// Formula (STATISTICS.md; pymannkendall 1.4.3
/// `yue_wang_modification_test(lag=1)`): detrend `e_i = y_i - i b` (index
/// Sen slope b); `r1` = biased lag-1 ACF of `e`; `n/n* = 1 + 2 (1 - 1/n) r1`;
/// `Var*(S) = Var(S) n/n*`; Z and p as the original test. No significance
/// screening of r1 (as pymannkendall).
///
/// Edge cases: fewer than 3 values → `TooFewObservations { needed: 3 }`;
/// NaN/inf → `NonFinite`; constant residuals → `ConstantResiduals`;
/// `n/n* <= 0` (r1 below about -0.5) → `YueWangUndefined`.
///
/// ```
/// use routetrend::stats::{yue_wang, Alpha};
///
/// // pymannkendall 1.4.3 yue_wang_modification_test(y, lag=1):
/// // var_s = 20.790544584081392, z = 5.044230262860992
/// let y = [12.0, 15.0, 14.0, 19.0, 23.0, 21.0, 27.0, 30.0];
/// let yw = yue_wang(&y, Alpha::FIVE_PERCENT).unwrap();
/// assert!((yw.var_s_corrected - 20.790544584081392).abs() < 1e-10);
/// assert!((yw.z - 5.044230262860992).abs() < 1e-10);
/// ```
pub fn yue_wang(values: &[f64], alpha: Alpha) -> Result<YueWang, Unavailable> {
    check_values(values, 3)?;
    let n = values.len();
    let score = kendall_score(values);
    let slope = index_sen_slope(values);
    let residuals = detrend(values, slope);
    let r1 = lag1_autocorrelation(&residuals).ok_or(Unavailable::ConstantResiduals)?;
    let nf = n as f64;
    let n_over_n_star = 1.0 + 2.0 * ((1.0 - 1.0 / nf) * r1);
    if !is_positive(n_over_n_star) {
        return Err(Unavailable::YueWangUndefined);
    }
    let var_s_corrected = score.var_s * n_over_n_star;
    let z = continuity_z(score.s, var_s_corrected);
    let p = normal_two_sided_p(z).ok_or(Unavailable::NumericalFailure)?;
    all_finite(&[score.var_s, r1, n_over_n_star, var_s_corrected, z, p, slope])?;
    Ok(YueWang {
        n,
        s: score.s,
        var_s: score.var_s,
        lag1_autocorrelation: r1,
        n_over_n_star,
        var_s_corrected,
        z,
        p,
        trend: Trend::from_test(z, p, alpha),
        sen_slope_per_step: slope,
    })
}

/// Mann-Kendall test after trend-free pre-whitening (Yue et al. 2002).
///
/// Formula (STATISTICS.md; pymannkendall 1.4.3
/// `trend_free_pre_whitening_modification_test`): detrend `e_i = y_i - i b`
/// (index Sen slope b, i = 1..n); `r1` = biased lag-1 ACF of `e`;
/// `w_k = e_{k+1} - r1 e_k + k b` for k = 1..n-1; the original Mann-Kendall
/// test (S, tie-corrected Var(S), continuity-corrected Z) on the n-1 values
/// `w`. The slope reported is that of the original series.
///
/// Edge cases: fewer than 4 values (the test needs 3 pre-whitened values) →
/// `TooFewObservations { needed: 4 }`; NaN/inf → `NonFinite`; constant
/// residuals → `ConstantResiduals` (pymannkendall then tests a series of NaN
/// and reports "no trend", p = 1).
///
/// ```
/// use routetrend::stats::{trend_free_prewhitening, Alpha};
///
/// // pymannkendall 1.4.3 trend_free_pre_whitening_modification_test(y):
/// // s = 17, var_s = 44.333..., z = 2.4030056367444423, slope = 2.5357142857142856
/// let y = [12.0, 15.0, 14.0, 19.0, 23.0, 21.0, 27.0, 30.0];
/// let tfpw = trend_free_prewhitening(&y, Alpha::FIVE_PERCENT).unwrap();
/// assert_eq!((tfpw.n, tfpw.n_tested, tfpw.s), (8, 7, 17));
/// assert!((tfpw.z - 2.4030056367444423).abs() < 1e-12);
/// assert!((tfpw.sen_slope_per_step - 2.5357142857142856).abs() < 1e-15);
/// ```
pub fn trend_free_prewhitening(
    values: &[f64],
    alpha: Alpha,
) -> Result<TrendFreePrewhitening, Unavailable> {
    check_values(values, 4)?;
    let n = values.len();
    let slope = index_sen_slope(values);
    let residuals = detrend(values, slope);
    let r1 = lag1_autocorrelation(&residuals).ok_or(Unavailable::ConstantResiduals)?;
    let whitened: Vec<f64> = residuals
        .windows(2)
        .enumerate()
        .map(|(k, pair)| (pair[1] - pair[0] * r1) + (k + 1) as f64 * slope)
        .collect();
    all_finite(&whitened)?;
    let score = kendall_score(&whitened);
    let z = continuity_z(score.s, score.var_s);
    let p = normal_two_sided_p(z).ok_or(Unavailable::NumericalFailure)?;
    all_finite(&[r1, score.var_s, z, p, slope])?;
    Ok(TrendFreePrewhitening {
        n,
        n_tested: whitened.len(),
        lag1_autocorrelation: r1,
        s: score.s,
        var_s: score.var_s,
        z,
        p,
        trend: Trend::from_test(z, p, alpha),
        sen_slope_per_step: slope,
    })
}

/// True when every value equals the first. Tested directly because the mean
/// of equal values need not equal them exactly, which would turn 0/0 into a
/// ratio of rounding errors.
fn is_constant(series: &[f64]) -> bool {
    series.iter().all(|&v| v == series[0])
}

/// `y_i - i * slope` for i = 1..n, in pymannkendall's operation order.
fn detrend(values: &[f64], slope: f64) -> Vec<f64> {
    values
        .iter()
        .enumerate()
        .map(|(i, &v)| v - (i + 1) as f64 * slope)
        .collect()
}

/// `sum_t d_{t+k} d_t` over the available t.
fn lagged_product_sum(deviations: &[f64], lag: usize) -> f64 {
    deviations
        .iter()
        .skip(lag)
        .zip(deviations)
        .map(|(a, b)| a * b)
        .sum()
}

/// Biased lag-1 autocorrelation `c1/c0`, `c_k = sum_t d_{t+k} d_t / n`,
/// `d = e - mean(e)` (pymannkendall's `__acf`). `None` for a constant
/// series (0/0).
fn lag1_autocorrelation(series: &[f64]) -> Option<f64> {
    if is_constant(series) {
        return None;
    }
    let nf = series.len() as f64;
    let mean = series.iter().sum::<f64>() / nf;
    let deviations: Vec<f64> = series.iter().map(|v| v - mean).collect();
    let c0 = lagged_product_sum(&deviations, 0) / nf;
    let c1 = lagged_product_sum(&deviations, 1) / nf;
    let r1 = c1 / c0;
    (c0 > 0.0 && r1.is_finite()).then_some(r1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_in_index_has_constant_residuals() {
        let y = [2.0, 4.0, 6.0, 8.0, 10.0];
        assert_eq!(
            hamed_rao(&y, Alpha::FIVE_PERCENT),
            Err(Unavailable::ConstantResiduals)
        );
        assert_eq!(
            yue_wang(&y, Alpha::FIVE_PERCENT),
            Err(Unavailable::ConstantResiduals)
        );
        assert_eq!(
            trend_free_prewhitening(&y, Alpha::FIVE_PERCENT),
            Err(Unavailable::ConstantResiduals)
        );
    }

    #[test]
    fn strongly_alternating_series_makes_yue_wang_undefined() {
        // Index Sen slope 0; residuals alternate, r1 = -(n-1)/n = -0.9 for
        // n = 10, so n/n* = 1 - 2 * 0.9 * 0.9 < 0.
        let y = [1.0, -1.0, 1.0, -1.0, 1.0, -1.0, 1.0, -1.0, 1.0, -1.0];
        assert_eq!(
            yue_wang(&y, Alpha::FIVE_PERCENT),
            Err(Unavailable::YueWangUndefined)
        );
    }

    #[test]
    fn lag1_autocorrelation_hand_computed() {
        // d = [-1.5, -0.5, 0.5, 1.5]; c0 = 5/4, c1 = (0.75 - 0.25 + 0.75)/4
        let r1 = lag1_autocorrelation(&[1.0, 2.0, 3.0, 4.0]).unwrap_or(f64::NAN);
        assert!((r1 - 1.25 / 5.0).abs() < 1e-15);
        assert_eq!(lag1_autocorrelation(&[3.0; 4]), None);
    }
}
