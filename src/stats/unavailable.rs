//! Why a statistic could not be computed for a series: a closed set of reasons
//! with a human-readable `Display`, returned instead of NaN or a panic. It is
//! not an error type for IO or configuration; a reason here is a normal
//! outcome to be written next to the null value in a report.

use std::fmt;

/// The reason a method returned no result.
///
/// `Display` gives the short human reason that reports print beside a null
/// value, e.g. `"fewer than 3 observations"`.
///
/// ```
/// use routetrend::stats::{mann_kendall, Alpha, Unavailable};
///
/// let err = mann_kendall(&[1.0, 2.0], Alpha::FIVE_PERCENT).unwrap_err();
/// assert_eq!(err, Unavailable::TooFewObservations { needed: 3 });
/// assert_eq!(err.to_string(), "fewer than 3 observations");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unavailable {
    /// The method needs at least `needed` observations.
    TooFewObservations {
        /// Minimum number of observations the method needs.
        needed: usize,
    },
    /// A value (or time) is NaN or infinite.
    NonFinite,
    /// Time and value slices (or paired series) differ in length.
    LengthMismatch,
    /// Time `x` is not strictly increasing (inputs must be in time order,
    /// one observation per period).
    TimeNotIncreasing,
    /// A value is zero or negative where logarithms are taken (APC,
    /// joinpoint). No constant is ever added silently.
    NonPositive,
    /// The named series has zero variance (e.g. `"x"` in a regression or in
    /// a cross-correlation).
    ZeroVariance {
        /// Which series: `"x"` or `"y"`.
        of: &'static str,
    },
    /// All values are equal, so the slope's test statistic is 0/0.
    ConstantValues,
    /// The Sen-detrended series is constant, so its autocorrelation (and the
    /// variance correction built on it) is 0/0.
    ConstantResiduals,
    /// Hamed & Rao's n/n* is zero or negative: the corrected variance of S
    /// would be non-positive.
    HamedRaoUndefined,
    /// Yue & Wang's n/n* is zero or negative.
    YueWangUndefined,
    /// An autocorrelation correction's n/n* is below 1/3: it would count more than three
    /// times as many independent observations as there are.
    ImplausibleEffectiveSize,
    /// CAGR with a start value of zero or below.
    NonPositiveStart,
    /// CAGR with a negative end value.
    NegativeEnd,
    /// The end period is not after the start period.
    EmptyPeriod,
    /// Relative change from a starting value of zero.
    ZeroBase,
    /// A share outside [0, 1].
    ShareOutOfRange,
    /// A share's part is negative or exceeds its whole.
    PartOutOfRange,
    /// A share's whole, or a proportion's total, is zero or negative.
    NonPositiveWhole,
    /// A count exceeds its total.
    CountExceedsTotal,
    /// The pooled proportion is 0 or 1, so its variance is zero.
    DegenerateProportion,
    /// A requested cross-correlation lag is not smaller than the number of
    /// paired observations.
    LagTooLarge,
    /// A parameter is outside its allowed range; the text says which.
    InvalidParameter(&'static str),
    /// The arithmetic overflowed or lost all precision (a non-finite
    /// intermediate); reported rather than returning NaN.
    NumericalFailure,
}

impl fmt::Display for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unavailable::TooFewObservations { needed } => {
                write!(f, "fewer than {needed} observations")
            }
            Unavailable::NonFinite => f.write_str("non-finite value"),
            Unavailable::LengthMismatch => f.write_str("series have different lengths"),
            Unavailable::TimeNotIncreasing => f.write_str("time not strictly increasing"),
            Unavailable::NonPositive => f.write_str("non-positive value"),
            Unavailable::ZeroVariance { of } => write!(f, "zero variance in {of}"),
            Unavailable::ConstantValues => f.write_str("all values equal"),
            Unavailable::ConstantResiduals => {
                f.write_str("Sen-detrended series is constant (autocorrelation undefined)")
            }
            Unavailable::HamedRaoUndefined => {
                f.write_str("n/n* <= 0 (Hamed-Rao correction undefined)")
            }
            Unavailable::YueWangUndefined => {
                f.write_str("n/n* <= 0 (Yue-Wang correction undefined)")
            }
            Unavailable::ImplausibleEffectiveSize => {
                f.write_str("n/n* below 1/3 (an effective sample size over 3 times n)")
            }
            Unavailable::NonPositiveStart => f.write_str("start value not positive"),
            Unavailable::NegativeEnd => f.write_str("negative end value"),
            Unavailable::EmptyPeriod => f.write_str("end period not after start period"),
            Unavailable::ZeroBase => f.write_str("starting value is zero"),
            Unavailable::ShareOutOfRange => f.write_str("share outside [0, 1]"),
            Unavailable::PartOutOfRange => f.write_str("part negative or larger than the whole"),
            Unavailable::NonPositiveWhole => f.write_str("whole or total not positive"),
            Unavailable::CountExceedsTotal => f.write_str("count larger than its total"),
            Unavailable::DegenerateProportion => {
                f.write_str("pooled proportion is 0 or 1 (no variance)")
            }
            Unavailable::LagTooLarge => {
                f.write_str("lag not smaller than the number of paired observations")
            }
            Unavailable::InvalidParameter(what) => write!(f, "invalid parameter: {what}"),
            Unavailable::NumericalFailure => f.write_str("numerical failure (non-finite result)"),
        }
    }
}

impl std::error::Error for Unavailable {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_read_as_the_spec_words_them() {
        assert_eq!(
            Unavailable::TooFewObservations { needed: 3 }.to_string(),
            "fewer than 3 observations"
        );
        assert_eq!(Unavailable::NonPositive.to_string(), "non-positive value");
        assert_eq!(
            Unavailable::ZeroVariance { of: "x" }.to_string(),
            "zero variance in x"
        );
        assert_eq!(
            Unavailable::HamedRaoUndefined.to_string(),
            "n/n* <= 0 (Hamed-Rao correction undefined)"
        );
        assert_eq!(Unavailable::NonFinite.to_string(), "non-finite value");
    }
}
