//! Growth rates and changes in shares between two periods: compound annual
//! growth rate, share of a whole, percentage-point and relative change. Plain
//! arithmetic, but with the edge cases (zero or negative start, zero base)
//! turned into reasons rather than infinities. Tests of whether a share
//! changed are in `proportions` (counts) or the trend tests (kg shares).

use super::input::{all_finite, is_positive};
use super::Unavailable;

/// Result of [`cagr`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CompoundGrowth {
    /// Growth per year as a fraction (0.05 = 5 % a year).
    pub rate: f64,
    /// Years between the two periods, `x_end - x_start`.
    pub years: f64,
}

impl CompoundGrowth {
    /// The rate in percent per year.
    pub fn percent(&self) -> f64 {
        100.0 * self.rate
    }
}

/// Compound annual growth rate between two periods.
///
/// Formula (STATISTICS.md): `(end/start)^(1/(x_end - x_start)) - 1`, with x
/// in years (quarters as fractions), so the rate is per year whatever the
/// frequency. An end value of 0 gives -1 (-100 %).
///
/// Edge cases: start <= 0 → `NonPositiveStart`; end < 0 → `NegativeEnd`;
/// `x_end <= x_start` → `EmptyPeriod`; NaN/inf → `NonFinite`.
///
/// ```
/// use routetrend::stats::{cagr, Unavailable};
///
/// // 100 -> 121 over two years is 10 % a year
/// let growth = cagr(2010.0, 100.0, 2012.0, 121.0).unwrap();
/// assert!((growth.percent() - 10.0).abs() < 1e-12);
/// assert_eq!(cagr(2010.0, 0.0, 2012.0, 5.0), Err(Unavailable::NonPositiveStart));
/// ```
pub fn cagr(x_start: f64, start: f64, x_end: f64, end: f64) -> Result<CompoundGrowth, Unavailable> {
    all_finite(&[x_start, start, x_end, end]).map_err(|_| Unavailable::NonFinite)?;
    if start <= 0.0 {
        return Err(Unavailable::NonPositiveStart);
    }
    if end < 0.0 {
        return Err(Unavailable::NegativeEnd);
    }
    let years = x_end - x_start;
    if !is_positive(years) {
        return Err(Unavailable::EmptyPeriod);
    }
    let rate = (end / start).powf(1.0 / years) - 1.0;
    all_finite(&[rate, years])?;
    Ok(CompoundGrowth { rate, years })
}

/// Share of a whole for one period, `part / whole`, as a fraction.
///
/// Edge cases: whole <= 0 → `NonPositiveWhole`; part < 0 or part > whole →
/// `PartOutOfRange`; NaN/inf → `NonFinite`. A share series should be built
/// only from periods where both part and whole are reported (STATISTICS.md).
///
/// ```
/// use routetrend::stats::share;
///
/// assert_eq!(share(25.0, 200.0), Ok(0.125));
/// assert!(share(1.0, 0.0).is_err());
/// ```
pub fn share(part: f64, whole: f64) -> Result<f64, Unavailable> {
    all_finite(&[part, whole]).map_err(|_| Unavailable::NonFinite)?;
    if whole <= 0.0 {
        return Err(Unavailable::NonPositiveWhole);
    }
    if part < 0.0 || part > whole {
        return Err(Unavailable::PartOutOfRange);
    }
    Ok(part / whole)
}

/// Percentage-point change between two shares (fractions): `100 (s2 - s1)`.
///
/// Edge cases: a share outside [0, 1] → `ShareOutOfRange`; NaN/inf →
/// `NonFinite`.
///
/// ```
/// use routetrend::stats::percentage_point_change;
///
/// assert!((percentage_point_change(0.04, 0.09).unwrap() - 5.0).abs() < 1e-12);
/// ```
pub fn percentage_point_change(s1: f64, s2: f64) -> Result<f64, Unavailable> {
    all_finite(&[s1, s2]).map_err(|_| Unavailable::NonFinite)?;
    if !(0.0..=1.0).contains(&s1) || !(0.0..=1.0).contains(&s2) {
        return Err(Unavailable::ShareOutOfRange);
    }
    Ok(100.0 * (s2 - s1))
}

/// Relative change in percent: `100 (v2 - v1) / v1`.
///
/// Edge cases: `v1 == 0` → `ZeroBase`; NaN/inf → `NonFinite`. A negative
/// base is allowed (the sign then follows the formula literally).
///
/// ```
/// use routetrend::stats::{relative_change_percent, Unavailable};
///
/// assert!((relative_change_percent(0.04, 0.09).unwrap() - 125.0).abs() < 1e-9);
/// assert_eq!(relative_change_percent(0.0, 0.09), Err(Unavailable::ZeroBase));
/// ```
pub fn relative_change_percent(v1: f64, v2: f64) -> Result<f64, Unavailable> {
    all_finite(&[v1, v2]).map_err(|_| Unavailable::NonFinite)?;
    if v1 == 0.0 {
        return Err(Unavailable::ZeroBase);
    }
    let change = 100.0 * (v2 - v1) / v1;
    all_finite(&[change])?;
    Ok(change)
}

/// Both ways of reporting a change in share (STATISTICS.md: "4 % -> 9 % is
/// +5 pp and +125 %").
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ShareChange {
    /// `100 (s2 - s1)`.
    pub percentage_points: f64,
    /// `100 (s2 - s1) / s1`, or the reason it is undefined (`ZeroBase`).
    pub relative_percent: Result<f64, Unavailable>,
}

/// Percentage-point and relative change between two shares (fractions).
///
/// Edge cases: as [`percentage_point_change`] for the whole result; a zero
/// first share leaves only `relative_percent` unavailable.
///
/// ```
/// use routetrend::stats::{share_change, Unavailable};
///
/// let change = share_change(0.04, 0.09).unwrap();
/// assert!((change.percentage_points - 5.0).abs() < 1e-12);
/// assert!((change.relative_percent.unwrap() - 125.0).abs() < 1e-9);
/// assert_eq!(share_change(0.0, 0.09).unwrap().relative_percent, Err(Unavailable::ZeroBase));
/// ```
pub fn share_change(s1: f64, s2: f64) -> Result<ShareChange, Unavailable> {
    let percentage_points = percentage_point_change(s1, s2)?;
    Ok(ShareChange {
        percentage_points,
        relative_percent: relative_change_percent(s1, s2),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarterly_span_is_in_years() {
        // 2017Q1 -> 2018Q3 = 1.5 years; doubling: 2^(1/1.5) - 1
        let growth = cagr(2017.0, 10.0, 2018.5, 20.0).unwrap();
        assert_eq!(growth.years, 1.5);
        assert!((growth.rate - (2f64.powf(1.0 / 1.5) - 1.0)).abs() < 1e-15);
    }

    #[test]
    fn falling_to_zero_is_minus_one_hundred_percent() {
        assert_eq!(cagr(2000.0, 5.0, 2003.0, 0.0).map(|g| g.rate), Ok(-1.0));
        assert_eq!(
            cagr(2000.0, 5.0, 2000.0, 1.0),
            Err(Unavailable::EmptyPeriod)
        );
        assert_eq!(
            cagr(2000.0, 5.0, 2001.0, -1.0),
            Err(Unavailable::NegativeEnd)
        );
    }
}
