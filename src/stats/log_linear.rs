//! Annual percent change (APC) from a log-linear regression on real time:
//! NCI Joinpoint's zero-joinpoint model. Values must all be positive; zeros
//! are never shifted by a constant. For changes of slope inside the window
//! use `joinpoint`.

use super::input::{all_finite, check_series};
use super::linear::fit_line;
use super::{Alpha, Unavailable};

/// Result of [`annual_percent_change`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AnnualPercentChange {
    /// Number of observations.
    pub n: usize,
    /// `100 (e^b - 1)`, percent per year.
    pub apc: f64,
    /// Lower bound of the `1 - alpha` interval, percent per year.
    pub ci_lower: f64,
    /// Upper bound of the `1 - alpha` interval, percent per year.
    pub ci_upper: f64,
    /// Two-sided p-value of b, t with n-2 df.
    pub p: f64,
    /// Slope b of ln(value) per year.
    pub log_slope: f64,
    /// Standard error of b.
    pub log_slope_se: f64,
}

/// Annual percent change of `values` over real time `x` (years).
///
/// Formula (STATISTICS.md; NCI Joinpoint zero-joinpoint model, SEER*Stat
/// trend algorithm): OLS of `ln y = a + b x`; `APC = 100 (e^b - 1)`;
/// interval `100 (e^{b -/+ t_{1-alpha/2, n-2} se_b} - 1)`; p from t with
/// n-2 df.
///
/// Edge cases: fewer than 3 observations → `TooFewObservations { needed: 3 }`;
/// NaN/inf → `NonFinite`; any value <= 0 → `NonPositive`; all values equal →
/// `ConstantValues`; `x` not strictly increasing → `TimeNotIncreasing`.
///
/// Reference: statsmodels 0.15.0 `OLS(log(y), add_constant(x)).fit()` with
/// the APC transforms above.
///
/// ```
/// use routetrend::stats::{annual_percent_change, Alpha, Unavailable};
///
/// // 10 % growth a year, exactly: APC = 10
/// let y: Vec<f64> = (0..6).map(|i| 100.0 * 1.1f64.powi(i)).collect();
/// let x: Vec<f64> = (0..6).map(|i| 2010.0 + f64::from(i)).collect();
/// let apc = annual_percent_change(&x, &y, Alpha::FIVE_PERCENT).unwrap();
/// assert!((apc.apc - 10.0).abs() < 1e-9);
///
/// let with_zero = [3.0, 0.0, 5.0];
/// assert_eq!(
///     annual_percent_change(&x[..3], &with_zero, Alpha::FIVE_PERCENT),
///     Err(Unavailable::NonPositive)
/// );
/// ```
pub fn annual_percent_change(
    x: &[f64],
    values: &[f64],
    alpha: Alpha,
) -> Result<AnnualPercentChange, Unavailable> {
    check_series(x, values, 3)?;
    if values.iter().any(|&v| v <= 0.0) {
        return Err(Unavailable::NonPositive);
    }
    let logs: Vec<f64> = values.iter().map(|v| v.ln()).collect();
    let fit = fit_line(x, &logs, alpha)?;
    let percent = |b: f64| 100.0 * b.exp_m1();
    let result = AnnualPercentChange {
        n: values.len(),
        apc: percent(fit.slope),
        ci_lower: percent(fit.ci_lower),
        ci_upper: percent(fit.ci_upper),
        p: fit.p,
        log_slope: fit.slope,
        log_slope_se: fit.slope_se,
    };
    all_finite(&[result.apc, result.ci_lower, result.ci_upper])?;
    Ok(result)
}
