//! Lagged cross-correlation of two series observed in the same periods, to
//! see whether movements in one lead the other (e.g. seizures upstream and
//! downstream on a route). Descriptive: the ±band is the usual white-noise
//! approximation, not a test corrected for autocorrelation or for looking
//! at many lags. Callers pass only the periods where both series are present.

use super::distribution::normal_quantile;
use super::input::{all_finite, check_values, is_positive};
use super::Unavailable;

/// One lag of a [`CrossCorrelation`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LagCorrelation {
    /// k: `r(k) = corr(x_{t+k}, y_t)`; k > 0 means y leads x by k periods.
    pub lag: i64,
    /// The biased cross-correlation at this lag.
    pub r: f64,
}

/// Result of [`cross_correlation`].
#[derive(Debug, Clone, PartialEq)]
pub struct CrossCorrelation {
    /// Number of paired observations.
    pub n: usize,
    /// Half-width of the approximate 95 % band, `z_{0.975} / sqrt(n)`.
    pub band_95: f64,
    /// Lags -K..=K in increasing order.
    pub lags: Vec<LagCorrelation>,
}

/// Biased lagged cross-correlation `r(k)`, k = -K..=K.
///
/// Formula (STATISTICS.md; R `ccf`, statsmodels `ccf(adjusted=False)`):
/// `r(k) = [sum_t (x_{t+k} - xbar)(y_t - ybar) / n] / (s_x s_y)` over the t
/// where both indices exist, with full-sample means and standard deviations
/// (divisor n). k > 0 means y leads x. Band: `±z_{0.975}/sqrt(n)` =
/// ±1.959964/sqrt(n) (STATISTICS.md rounds it to 1.96; R and statsmodels use
/// the quantile).
///
/// Edge cases: lengths differ → `LengthMismatch`; NaN/inf → `NonFinite`;
/// fewer than 3 pairs → `TooFewObservations { needed: 3 }`; `max_lag >= n` →
/// `LagTooLarge`; a constant series → `ZeroVariance { of: "x" }` or `"y"`.
///
/// Reference: statsmodels 0.15.0 `ccf(x, y, adjusted=False, fft=False)` for
/// k >= 0 and `ccf(y, x, ...)` for k <= 0.
///
/// ```
/// use routetrend::stats::cross_correlation;
///
/// // y leads x by one period: x_t = y_{t-1}
/// let y = [1.0, 5.0, 2.0, 8.0, 3.0, 7.0, 4.0, 6.0];
/// let x = [0.0, 1.0, 5.0, 2.0, 8.0, 3.0, 7.0, 4.0];
/// let ccf = cross_correlation(&x, &y, 2).unwrap();
/// let best = ccf.lags.iter().max_by(|a, b| a.r.total_cmp(&b.r)).unwrap();
/// assert_eq!(best.lag, 1);
/// ```
pub fn cross_correlation(
    x: &[f64],
    y: &[f64],
    max_lag: usize,
) -> Result<CrossCorrelation, Unavailable> {
    if x.len() != y.len() {
        return Err(Unavailable::LengthMismatch);
    }
    check_values(x, 3)?;
    check_values(y, 3)?;
    let n = x.len();
    if max_lag >= n {
        return Err(Unavailable::LagTooLarge);
    }
    let nf = n as f64;
    let (x_mean, y_mean) = (x.iter().sum::<f64>() / nf, y.iter().sum::<f64>() / nf);
    let x_dev: Vec<f64> = x.iter().map(|v| v - x_mean).collect();
    let y_dev: Vec<f64> = y.iter().map(|v| v - y_mean).collect();
    let x_sd = (x_dev.iter().map(|d| d * d).sum::<f64>() / nf).sqrt();
    let y_sd = (y_dev.iter().map(|d| d * d).sum::<f64>() / nf).sqrt();
    // Constancy is tested on the values: the mean of equal values need not
    // equal them exactly, which would leave a spurious sd ~ 1e-17.
    if !is_positive(x_sd) || x.iter().all(|&v| v == x[0]) {
        return Err(Unavailable::ZeroVariance { of: "x" });
    }
    if !is_positive(y_sd) || y.iter().all(|&v| v == y[0]) {
        return Err(Unavailable::ZeroVariance { of: "y" });
    }
    let scale = nf * x_sd * y_sd;
    let mut lags = Vec::with_capacity(2 * max_lag + 1);
    for k in -(max_lag as i64)..=(max_lag as i64) {
        let shift = k.unsigned_abs() as usize;
        // k >= 0: pairs (x_{t+k}, y_t); k < 0: pairs (x_t, y_{t+|k|}).
        let sum: f64 = if k >= 0 {
            x_dev[shift..].iter().zip(&y_dev).map(|(a, b)| a * b).sum()
        } else {
            x_dev.iter().zip(&y_dev[shift..]).map(|(a, b)| a * b).sum()
        };
        lags.push(LagCorrelation {
            lag: k,
            r: sum / scale,
        });
    }
    // 0.975 is inside (0, 1).
    let band_95 = normal_quantile(0.975).unwrap_or(1.959963984540054) / nf.sqrt();
    all_finite(&[band_95])?;
    for lag in &lags {
        all_finite(&[lag.r])?;
    }
    Ok(CrossCorrelation { n, band_95, lags })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lag_zero_is_pearson_correlation() {
        let x = [1.0, 2.0, 4.0, 3.0, 6.0];
        let y = [2.0, 1.0, 5.0, 4.0, 7.0];
        let ccf = cross_correlation(&x, &y, 0).unwrap();
        // Pearson r by hand: dx = [-2.2,-1.2,0.8,-0.2,2.8], dy = [-1.8,-2.8,1.2,0.2,3.2]
        let sxy: f64 = 3.96 + 3.36 + 0.96 - 0.04 + 8.96;
        let sxx: f64 = 4.84 + 1.44 + 0.64 + 0.04 + 7.84;
        let syy: f64 = 3.24 + 7.84 + 1.44 + 0.04 + 10.24;
        let r = sxy / (sxx * syy).sqrt();
        assert!((ccf.lags[0].r - r).abs() < 1e-12);
    }

    #[test]
    fn negative_lag_mirrors_swapped_series() {
        let x = [1.0, 3.0, 2.0, 5.0, 4.0, 6.0];
        let y = [2.0, 2.5, 1.0, 4.0, 6.0, 5.0];
        let xy = cross_correlation(&x, &y, 2).unwrap();
        let yx = cross_correlation(&y, &x, 2).unwrap();
        for k in 0..5 {
            assert!((xy.lags[k].r - yx.lags[4 - k].r).abs() < 1e-15);
        }
    }

    #[test]
    fn constant_series_and_long_lags_are_reasons() {
        assert_eq!(
            cross_correlation(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0], 1),
            Err(Unavailable::ZeroVariance { of: "x" })
        );
        assert_eq!(
            cross_correlation(&[1.0, 2.0, 3.0], &[1.0, 2.0, 4.0], 3),
            Err(Unavailable::LagTooLarge)
        );
    }
}
