//! Ordinary least-squares linear trend `y = a + b x` on real time, with the
//! slope's standard error, t interval and p-value. Also the line fit shared
//! with the log-linear APC. Parametric and sensitive to outliers; report it
//! beside Sen's slope, not instead of it.

use super::distribution::t_two_sided_p;
use super::input::{all_finite, check_series, is_positive};
use super::{Alpha, Unavailable};

/// Result of [`linear_trend`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinearTrend {
    /// Number of observations.
    pub n: usize,
    /// Slope b, value units per year.
    pub slope: f64,
    /// Intercept a (the fitted value at x = 0, i.e. year 0).
    pub intercept: f64,
    /// Standard error of the slope.
    pub slope_se: f64,
    /// Lower bound of the `1 - alpha` interval for the slope.
    pub ci_lower: f64,
    /// Upper bound of the `1 - alpha` interval for the slope.
    pub ci_upper: f64,
    /// Two-sided p-value of the slope, t with n-2 df.
    pub p: f64,
    /// Coefficient of determination.
    pub r_squared: f64,
}

/// The least-squares line, shared with `log_linear`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct LineFit {
    pub(crate) slope: f64,
    pub(crate) intercept: f64,
    pub(crate) slope_se: f64,
    pub(crate) ci_lower: f64,
    pub(crate) ci_upper: f64,
    pub(crate) p: f64,
    pub(crate) r_squared: f64,
}

/// OLS linear trend of `values` on real time `x` (years).
///
/// Formula: with centred sums `Sxx = sum (x-xbar)^2`, `Sxy`, `Syy`:
/// `b = Sxy/Sxx`, `a = ybar - b xbar`, `SSE = sum ((y-ybar) - b(x-xbar))^2`,
/// `se_b = sqrt(SSE/(n-2)/Sxx)`, interval `b -/+ t_{1-alpha/2, n-2} se_b`,
/// `p = 2 P(T_{n-2} > |b/se_b|)`, `R^2 = 1 - SSE/Syy`.
///
/// Edge cases: fewer than 3 observations → `TooFewObservations { needed: 3 }`;
/// NaN/inf → `NonFinite`; `x` not strictly increasing → `TimeNotIncreasing`
/// (so `Sxx > 0`; `ZeroVariance { of: "x" }` guards the arithmetic anyway);
/// all values equal → `ConstantValues` (t = 0/0; statsmodels gives NaN);
/// an exact line (`SSE = 0`) gives `se = 0`, a zero-width interval and
/// `p = 0`, as statsmodels does (t = inf). In floating point a "perfect" line
/// usually leaves SSE ~1e-28, so se is tiny and p underflows to 0 or nearly.
///
/// Reference: statsmodels 0.15.0 `OLS(y, add_constant(x)).fit()` (`params`,
/// `bse`, `conf_int(alpha)`, `pvalues`, `rsquared`); scipy 1.17.1
/// `linregress`.
///
/// ```
/// use routetrend::stats::{linear_trend, Alpha};
///
/// // statsmodels 0.15.0 OLS([1, 3, 2, 5], add_constant(x)) on x = 2001..2004:
/// // slope 1.0999999999999313, bse 0.5196152422706287,
/// // p 0.16847815937969912, rsquared 0.6914285714285714
/// let x = [2001.0, 2002.0, 2003.0, 2004.0];
/// let fit = linear_trend(&x, &[1.0, 3.0, 2.0, 5.0], Alpha::FIVE_PERCENT).unwrap();
/// assert!((fit.slope - 1.1).abs() < 1e-12);
/// assert!((fit.slope_se - 0.5196152422706287).abs() < 1e-10);
/// assert!((fit.p - 0.16847815937969912).abs() < 1e-10);
/// assert!((fit.r_squared - 0.6914285714285714).abs() < 1e-12);
/// ```
pub fn linear_trend(x: &[f64], values: &[f64], alpha: Alpha) -> Result<LinearTrend, Unavailable> {
    check_series(x, values, 3)?;
    let fit = fit_line(x, values, alpha)?;
    Ok(LinearTrend {
        n: values.len(),
        slope: fit.slope,
        intercept: fit.intercept,
        slope_se: fit.slope_se,
        ci_lower: fit.ci_lower,
        ci_upper: fit.ci_upper,
        p: fit.p,
        r_squared: fit.r_squared,
    })
}

/// Least-squares line of already-checked series (equal lengths >= 3, finite,
/// x strictly increasing).
pub(crate) fn fit_line(x: &[f64], y: &[f64], alpha: Alpha) -> Result<LineFit, Unavailable> {
    // Tested on the values themselves: the mean of equal values need not
    // equal them exactly, which would leave a spurious Syy ~ 1e-30.
    if y.iter().all(|&v| v == y[0]) {
        return Err(Unavailable::ConstantValues);
    }
    let nf = y.len() as f64;
    let x_mean = x.iter().sum::<f64>() / nf;
    let y_mean = y.iter().sum::<f64>() / nf;
    let (mut sxx, mut sxy, mut syy) = (0.0, 0.0, 0.0);
    for (&xi, &yi) in x.iter().zip(y) {
        let (dx, dy) = (xi - x_mean, yi - y_mean);
        sxx += dx * dx;
        sxy += dx * dy;
        syy += dy * dy;
    }
    if !is_positive(sxx) {
        return Err(Unavailable::ZeroVariance { of: "x" });
    }
    let slope = sxy / sxx;
    let intercept = y_mean - slope * x_mean;
    let sse: f64 = x
        .iter()
        .zip(y)
        .map(|(&xi, &yi)| {
            let residual = (yi - y_mean) - slope * (xi - x_mean);
            residual * residual
        })
        .sum();
    let df = nf - 2.0;
    let slope_se = (sse / df / sxx).sqrt();
    let t_critical = alpha.t_critical(df).ok_or(Unavailable::NumericalFailure)?;
    let p = if slope_se > 0.0 {
        t_two_sided_p(slope / slope_se, df).ok_or(Unavailable::NumericalFailure)?
    } else {
        0.0
    };
    let fit = LineFit {
        slope,
        intercept,
        slope_se,
        ci_lower: slope - t_critical * slope_se,
        ci_upper: slope + t_critical * slope_se,
        p,
        r_squared: 1.0 - sse / syy,
    };
    all_finite(&[
        fit.slope,
        fit.intercept,
        fit.slope_se,
        fit.ci_lower,
        fit.ci_upper,
        fit.p,
        fit.r_squared,
    ])?;
    Ok(fit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_line_has_zero_se_and_p_zero() {
        // Integer data: every residual is exactly 0.
        let fit = linear_trend(
            &[0.0, 1.0, 2.0, 3.0],
            &[1.0, 3.0, 5.0, 7.0],
            Alpha::FIVE_PERCENT,
        )
        .unwrap();
        assert_eq!(
            (fit.slope, fit.intercept, fit.slope_se, fit.p),
            (2.0, 1.0, 0.0, 0.0)
        );
        assert_eq!((fit.ci_lower, fit.ci_upper, fit.r_squared), (2.0, 2.0, 1.0));
    }

    #[test]
    fn constant_values_are_a_reason() {
        assert_eq!(
            linear_trend(&[1.0, 2.0, 3.0], &[4.0; 3], Alpha::FIVE_PERCENT),
            Err(Unavailable::ConstantValues)
        );
    }
}
