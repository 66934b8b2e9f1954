//! The significance level every test and interval takes as a parameter, and
//! the trend label derived from a two-sided test. Choosing alpha is the
//! pipeline's job (it lives in the pipeline file); this type only guarantees
//! that whatever was chosen lies in (0, 1).

use std::fmt;

use super::distribution::{normal_quantile, t_quantile};

/// A significance level in [1e-10, 1); intervals are at confidence level
/// `1 - alpha`. The lower limit keeps every critical value inside the range
/// where the t quantile is computed ([`crate::stats::T_QUANTILE_MIN_TAIL`]).
///
/// ```
/// use routetrend::stats::Alpha;
///
/// assert_eq!(Alpha::default(), Alpha::FIVE_PERCENT);
/// assert_eq!(Alpha::new(0.10).map(Alpha::get), Some(0.10));
/// assert!(Alpha::new(0.0).is_none() && Alpha::new(f64::NAN).is_none());
/// assert!(Alpha::new(1e-12).is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Alpha(f64);

impl Alpha {
    /// The default, 0.05 (95 % intervals).
    pub const FIVE_PERCENT: Alpha = Alpha(0.05);

    /// The smallest level accepted.
    pub const MIN: f64 = 1e-10;

    /// `Some` when `1e-10 <= alpha < 1`.
    pub fn new(alpha: f64) -> Option<Alpha> {
        (Alpha::MIN..1.0).contains(&alpha).then_some(Alpha(alpha))
    }

    /// The level as a plain number.
    pub fn get(self) -> f64 {
        self.0
    }

    /// `z_{1 - alpha/2}`, the two-sided standard normal critical value.
    pub(crate) fn normal_critical(self) -> f64 {
        // 1 - alpha/2 lies in (0.5, 1 - 5e-11] because alpha is in [1e-10, 1),
        // where the quantile always exists.
        normal_quantile(1.0 - self.0 / 2.0).unwrap_or(f64::NAN)
    }

    /// `t_{1 - alpha/2, df}`; `None` only for df < 1.
    pub(crate) fn t_critical(self, df: f64) -> Option<f64> {
        t_quantile(1.0 - self.0 / 2.0, df)
    }
}

impl Default for Alpha {
    fn default() -> Alpha {
        Alpha::FIVE_PERCENT
    }
}

/// Direction label of a two-sided trend test.
///
/// `Display` gives the words reports use: "increasing", "decreasing",
/// "no trend".
///
/// ```
/// use routetrend::stats::{Alpha, Trend};
///
/// assert_eq!(Trend::from_test(2.5, 0.012, Alpha::FIVE_PERCENT), Trend::Increasing);
/// assert_eq!(Trend::from_test(-2.5, 0.012, Alpha::FIVE_PERCENT), Trend::Decreasing);
/// assert_eq!(Trend::from_test(2.5, 0.06, Alpha::FIVE_PERCENT).to_string(), "no trend");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Trend {
    /// Significant and the statistic is positive.
    Increasing,
    /// Significant and the statistic is negative.
    Decreasing,
    /// Not significant at alpha (or a zero statistic).
    NoTrend,
}

impl Trend {
    /// The label for statistic `z` with two-sided p-value `p`: increasing or
    /// decreasing when `p < alpha`, else no trend (STATISTICS.md; the same
    /// decision as pymannkendall's `|z| > z_{1-alpha/2}` up to rounding at
    /// the boundary).
    pub fn from_test(z: f64, p: f64, alpha: Alpha) -> Trend {
        if p < alpha.get() && z > 0.0 {
            Trend::Increasing
        } else if p < alpha.get() && z < 0.0 {
            Trend::Decreasing
        } else {
            Trend::NoTrend
        }
    }
}

impl fmt::Display for Trend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Trend::Increasing => "increasing",
            Trend::Decreasing => "decreasing",
            Trend::NoTrend => "no trend",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn critical_values_match_scipy() {
        // scipy 1.17.1: norm.ppf(0.975) = 1.959963984540054
        let z = Alpha::FIVE_PERCENT.normal_critical();
        assert!((z - 1.959963984540054).abs() < 1e-14);
        // scipy 1.17.1: t.ppf(0.975, 10) = 2.228138851986274
        let t = Alpha::FIVE_PERCENT.t_critical(10.0).unwrap_or(f64::NAN);
        assert!((t - 2.228138851986274).abs() < 1e-9);
    }
}
