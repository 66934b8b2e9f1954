//! Mann-Kendall over several series at once. The seasonal test (Hirsch, Slack & Smith 1982)
//! asks whether a sub-annual series trends once each season is compared only with itself; the
//! regional test (Helsel & Frans 2006) asks whether the members of a region trend together.
//! Both sum the per-block S and Var(S) (blocks: the seasons of one series, or the members'
//! series) and take one Sen slope from the within-block pairs. The covariance-corrected
//! variant (Libiseller & Grimvall 2002, after Hirsch & Slack 1984) does not assume the
//! members independent: it adds their covariances to Var(S), on the periods where every
//! member reports.

use super::distribution::normal_two_sided_p;
use super::input::all_finite;
use super::mann_kendall::{continuity_z, kendall_score, s_pairwise};
use super::sen::median_in_place;
use super::{Alpha, Trend, Unavailable};

/// Result of [`seasonal_mann_kendall`] or [`regional_kendall`].
#[derive(Debug, Clone, PartialEq)]
pub struct BlockKendall {
    /// Blocks (seasons or members) with at least 2 observations: those that add to S.
    pub blocks_tested: usize,
    /// Observations over all blocks.
    pub n: usize,
    /// `S = sum_b S_b`.
    pub s: i64,
    /// `Var(S) = sum_b Var(S_b)`, each with its own tie correction.
    pub var_s: f64,
    /// Continuity-corrected `Z` of S and Var(S), as the single-series test.
    pub z: f64,
    /// Two-sided p, `2 P(N(0,1) > |Z|)`.
    pub p: f64,
    /// `S / sum_b n_b (n_b - 1) / 2` (pymannkendall's Tau).
    pub tau: f64,
    /// Median of the within-block pairwise slopes `(y_j - y_i) / (x_j - x_i)`, per year.
    pub slope: f64,
    pub trend: Trend,
}

/// Mann-Kendall summed over blocks, each a series `(x, y)` in time order (`x` in years).
///
/// Formula: `S = sum_b S_b`, `Var(S) = sum_b Var(S_b)` with each block's tie-corrected
/// variance (STATISTICS.md, Mann-Kendall); `Z` with continuity correction on the sums;
/// `p = 2 P(N(0,1) > |Z|)`; the slope is the median of every within-block pairwise slope
/// (Hirsch, Slack & Smith 1982; Helsel & Frans 2006).
///
/// Edge cases: no block with 2 or more observations → `TooFewObservations { needed: 2 }`;
/// NaN/inf → `NonFinite`; `x` and `y` of different lengths → `LengthMismatch`; every block
/// constant → S = 0, Var(S) = 0, Z = 0, p = 1, slope 0.
///
/// Reference: pymannkendall 1.4.3 `multivariate_test` / `regional_test` (a block is a column
/// of its matrix, missing values NaN) and `seasonal_sens_slope`; its p uses `1 - cdf`.
pub fn block_mann_kendall(
    blocks: &[(&[f64], &[f64])],
    alpha: Alpha,
) -> Result<BlockKendall, Unavailable> {
    let (mut s, mut var_s, mut pairs, mut n, mut tested) = (0i64, 0.0, 0.0, 0, 0);
    let mut slopes = Vec::new();
    for (x, y) in blocks {
        if x.len() != y.len() {
            return Err(Unavailable::LengthMismatch);
        }
        if y.iter().chain(x.iter()).any(|v| !v.is_finite()) {
            return Err(Unavailable::NonFinite);
        }
        n += y.len();
        if y.len() < 2 {
            continue;
        }
        tested += 1;
        let score = kendall_score(y);
        s += score.s;
        var_s += score.var_s;
        pairs += (y.len() * (y.len() - 1) / 2) as f64;
        for i in 0..y.len() {
            for j in i + 1..y.len() {
                if x[j] <= x[i] {
                    return Err(Unavailable::TimeNotIncreasing);
                }
                slopes.push((y[j] - y[i]) / (x[j] - x[i]));
            }
        }
    }
    if tested == 0 {
        return Err(Unavailable::TooFewObservations { needed: 2 });
    }
    let z = continuity_z(s, var_s);
    let p = normal_two_sided_p(z).ok_or(Unavailable::NumericalFailure)?;
    let slope = median_in_place(&mut slopes);
    let tau = s as f64 / pairs;
    all_finite(&[var_s, z, p, slope, tau])?;
    Ok(BlockKendall {
        blocks_tested: tested,
        n,
        s,
        var_s,
        z,
        p,
        tau,
        slope,
        trend: Trend::from_test(z, p, alpha),
    })
}

/// The season of a sub-annual time `x` (2017.25 is the second quarter): 0 for Q1 .. 3 for Q4.
fn quarter(x: f64) -> usize {
    (((x - x.floor()) * 4.0).round() as usize).min(3)
}

/// Seasonal Mann-Kendall test of a quarterly series `(x, y)` in time order: each quarter is
/// a block of [`block_mann_kendall`] (Hirsch, Slack & Smith 1982), so a quarter is compared
/// only with the same quarter of other years and the seasonal Sen slope is per year.
///
/// Reference: pymannkendall 1.4.3 `seasonal_test(y, period=4)` and
/// `seasonal_sens_slope(y, period=4)` on the series laid out from a first quarter, missing
/// quarters NaN (equal when gap-free; routetrend places each value by its own `x`).
///
/// ```
/// use routetrend::stats::{seasonal_mann_kendall, Alpha};
///
/// // Three years of quarters, each quarter rising by 1 a year over a seasonal pattern.
/// let x: Vec<f64> = (0..12).map(|i| 2015.0 + i as f64 / 4.0).collect();
/// let y = [5.0, 9.0, 2.0, 7.0, 6.0, 10.0, 3.0, 8.0, 7.0, 11.0, 4.0, 9.0];
/// // pymannkendall 1.4.3 seasonal_test(y, period=4): s = 12, var_s = 14.666666666666666,
/// // z = 2.8722813232690143; seasonal_sens_slope(y, period=4).slope = 1.0
/// let smk = seasonal_mann_kendall(&x, &y, Alpha::FIVE_PERCENT).unwrap();
/// assert_eq!((smk.s, smk.slope, smk.blocks_tested), (12, 1.0, 4));
/// assert!((smk.var_s - 14.666666666666666).abs() < 1e-12);
/// assert!((smk.z - 2.8722813232690143).abs() < 1e-12);
/// ```
pub fn seasonal_mann_kendall(
    x: &[f64],
    y: &[f64],
    alpha: Alpha,
) -> Result<BlockKendall, Unavailable> {
    if x.len() != y.len() {
        return Err(Unavailable::LengthMismatch);
    }
    let mut seasons: [(Vec<f64>, Vec<f64>); 4] = Default::default();
    for (&x, &y) in x.iter().zip(y) {
        if !x.is_finite() {
            return Err(Unavailable::NonFinite);
        }
        let season = &mut seasons[quarter(x)];
        season.0.push(x);
        season.1.push(y);
    }
    let blocks: Vec<(&[f64], &[f64])> = seasons
        .iter()
        .map(|(x, y)| (x.as_slice(), y.as_slice()))
        .collect();
    block_mann_kendall(&blocks, alpha)
}

/// Regional Kendall test (Helsel & Frans 2006): each member's series `(x, y)` is a block of
/// [`block_mann_kendall`]; a significant result says the members trend the same way.
///
/// Reference: pymannkendall 1.4.3 `regional_test` on the time x member matrix (missing NaN).
///
/// ```
/// use routetrend::stats::{regional_kendall, Alpha};
///
/// let x = [2000.0, 2001.0, 2002.0, 2003.0, 2004.0];
/// let a = [1.0, 2.0, 3.0, 5.0, 4.0];
/// let b = [10.0, 12.0, 11.0, 14.0, 15.0];
/// // pymannkendall 1.4.3 regional_test(np.array([a, b]).T): s = 16, var_s = 33.333333333333336,
/// // z = 2.5980762113533156, Tau = 0.8, slope 1.0
/// let r = regional_kendall(&[(&x, &a), (&x, &b)], Alpha::FIVE_PERCENT).unwrap();
/// assert_eq!((r.s, r.slope, r.tau, r.blocks_tested), (16, 1.0, 0.8, 2));
/// assert!((r.z - 2.5980762113533156).abs() < 1e-12);
/// ```
pub fn regional_kendall(
    members: &[(&[f64], &[f64])],
    alpha: Alpha,
) -> Result<BlockKendall, Unavailable> {
    block_mann_kendall(members, alpha)
}

/// Result of [`correlated_regional_kendall`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CorrelatedKendall {
    /// Periods where every member reports (the only ones this test uses).
    pub periods: usize,
    pub s: i64,
    /// Var(S) with the members' covariances: the sum of the matrix Gamma.
    pub var_s: f64,
    /// `S / sqrt(Var(S))`, without continuity correction (as the reference).
    pub z: f64,
    pub p: f64,
    pub trend: Trend,
}

/// The covariance-corrected regional Kendall test (Libiseller & Grimvall 2002; covariances
/// as Hirsch & Slack 1984) on complete rows: `rows[t][m]` is member m's value in period t,
/// every member present, periods in time order.
///
/// Formula: `S = sum_m S_m`; `Gamma_kl = (K_kl + 4 sum_t R_tk R_tl - n(n+1)^2) / 3` with
/// `K_kl = sum_{i<=j} sgn((y_jk - y_ik)(y_jl - y_il))` and `R_tk = (n + 1 + sum_s
/// sgn(y_tk - y_sk)) / 2`; `Var(S) = sum_kl Gamma_kl`; `Z = S / sqrt(Var(S))`; two-sided
/// normal p.
///
/// Edge cases: fewer than 3 complete periods or no member → `TooFewObservations`; a
/// non-positive Var(S) (every member constant) → `ConstantValues`; NaN/inf → `NonFinite`.
///
/// Reference: pymannkendall 1.4.3 `correlated_multivariate_test` (which drops every row
/// with a missing value, as here).
pub fn correlated_regional_kendall(
    rows: &[Vec<f64>],
    alpha: Alpha,
) -> Result<CorrelatedKendall, Unavailable> {
    let n = rows.len();
    let members = rows.first().map_or(0, Vec::len);
    if n < 3 || members == 0 {
        return Err(Unavailable::TooFewObservations { needed: 3 });
    }
    if rows.iter().any(|r| r.len() != members) {
        return Err(Unavailable::LengthMismatch);
    }
    if rows.iter().flatten().any(|v| !v.is_finite()) {
        return Err(Unavailable::NonFinite);
    }
    let column = |m: usize| rows.iter().map(|r| r[m]).collect::<Vec<f64>>();
    let columns: Vec<Vec<f64>> = (0..members).map(column).collect();
    let sgn = |v: f64| f64::from(i8::from(v > 0.0) - i8::from(v < 0.0));
    let ranks: Vec<Vec<f64>> = columns
        .iter()
        .map(|c| {
            c.iter()
                .map(|&a| (n as f64 + 1.0 + c.iter().map(|&b| sgn(a - b)).sum::<f64>()) / 2.0)
                .collect()
        })
        .collect();
    let s: i64 = columns.iter().map(|c| s_pairwise(c)).sum();
    let nf = n as f64;
    let mut var_s = 0.0;
    for k in 0..members {
        for l in 0..members {
            let (a, b) = (&columns[k], &columns[l]);
            let mut concord = 0.0;
            for i in 0..n {
                for j in i..n {
                    concord += sgn((a[j] - a[i]) * (b[j] - b[i]));
                }
            }
            let rank_products: f64 = (0..n).map(|t| ranks[k][t] * ranks[l][t]).sum();
            var_s += (concord + 4.0 * rank_products - nf * (nf + 1.0).powi(2)) / 3.0;
        }
    }
    if var_s <= 0.0 {
        return Err(Unavailable::ConstantValues);
    }
    let z = s as f64 / var_s.sqrt();
    let p = normal_two_sided_p(z).ok_or(Unavailable::NumericalFailure)?;
    all_finite(&[var_s, z, p])?;
    Ok(CorrelatedKendall {
        periods: n,
        s,
        var_s,
        z,
        p,
        trend: Trend::from_test(z, p, alpha),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_of_one_value_adds_nothing() {
        let x = [2000.0, 2001.0, 2002.0];
        let one = [2000.0];
        let r = regional_kendall(
            &[(&x, &[1.0, 2.0, 3.0]), (&one, &[7.0])],
            Alpha::FIVE_PERCENT,
        )
        .unwrap();
        assert_eq!((r.s, r.blocks_tested, r.n), (3, 1, 4));
        assert_eq!(
            regional_kendall(&[(&one, &[7.0])], Alpha::FIVE_PERCENT),
            Err(Unavailable::TooFewObservations { needed: 2 })
        );
    }

    #[test]
    fn quarters_are_their_own_seasons() {
        assert_eq!(quarter(2017.0), 0);
        assert_eq!(quarter(2017.25), 1);
        assert_eq!(quarter(2017.75), 3);
    }

    #[test]
    fn correlated_test_matches_pymannkendall() {
        // pymannkendall 1.4.3 correlated_multivariate_test(np.array([a, b]).T):
        // s = 16, var_s = 58.66666666666667, z = 2.088931871468374, p = 0.03671385636270408
        let (a, b) = ([1.0, 2.0, 3.0, 5.0, 4.0], [10.0, 12.0, 11.0, 14.0, 15.0]);
        let rows: Vec<Vec<f64>> = (0..5).map(|t| vec![a[t], b[t]]).collect();
        let r = correlated_regional_kendall(&rows, Alpha::FIVE_PERCENT).unwrap();
        assert_eq!((r.s, r.periods), (16, 5));
        assert!((r.var_s - 58.66666666666667).abs() < 1e-12);
        assert!((r.z - 2.088931871468374).abs() < 1e-12);
        // The normal survival function agrees with scipy's to about 1e-10 relative
        // (tests/reference/tolerances.rs).
        assert!((r.p - 0.03671385636270408).abs() < 1e-9 * 0.0367, "{}", r.p);
    }

    #[test]
    fn constant_members_have_no_correlated_test() {
        let rows = vec![vec![1.0, 2.0]; 4];
        assert_eq!(
            correlated_regional_kendall(&rows, Alpha::FIVE_PERCENT),
            Err(Unavailable::ConstantValues)
        );
    }
}
