//! Tests on proportions built from counts (cases, not kilograms): the pooled
//! two-proportion z test between two periods and the Cochran-Armitage test for
//! a trend across periods. Shares of quantities in kg have no sampling
//! variance; test their trend with Mann-Kendall/Sen/OLS on the share series
//! instead (STATISTICS.md).

use super::distribution::normal_two_sided_p;
use super::input::{all_finite, check_values, is_positive};
use super::Unavailable;

/// A count out of a total, e.g. heroin cases out of all drug cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Proportion {
    /// Number of cases with the attribute.
    pub count: u64,
    /// Number of cases in all.
    pub total: u64,
}

/// Result of [`two_proportion_z_test`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TwoProportionTest {
    /// First proportion, `count1/total1`.
    pub p1: f64,
    /// Second proportion, `count2/total2`.
    pub p2: f64,
    /// Pooled proportion `(count1 + count2)/(total1 + total2)`.
    pub pooled: f64,
    /// `(p2 - p1) / sqrt(pooled (1 - pooled)(1/total1 + 1/total2))`;
    /// positive when the second proportion is larger.
    pub z: f64,
    /// Two-sided normal p-value.
    pub p: f64,
}

/// Two-proportion z test, pooled variance, no continuity correction.
///
/// Formula (STATISTICS.md): `z = (p2 - p1) / sqrt(pbar (1 - pbar)(1/n1 + 1/n2))`,
/// `pbar` pooled; `p = 2 P(N(0,1) > |z|)`; `z^2` equals the uncorrected 2x2
/// Pearson chi-square. Note the sign: positive for an increase from `first`
/// to `second`; statsmodels' `proportions_ztest([c1, c2], [n1, n2])` reports
/// `(p1 - p2)`, so pass `([c2, c1], [n2, n1])` there to compare.
///
/// Edge cases: a zero total → `NonPositiveWhole`; a count above its total →
/// `CountExceedsTotal`; pooled proportion 0 or 1 → `DegenerateProportion`
/// (statsmodels divides by zero there).
///
/// Reference: statsmodels 0.15.0 `proportions_ztest(count, nobs)`
/// (two-sided, `value=0`, `prop_var=False`).
///
/// ```
/// use routetrend::stats::{two_proportion_z_test, Proportion};
///
/// // 4 % -> 9 % of 500 cases each. statsmodels 0.15.0
/// // proportions_ztest([45, 20], [500, 500]) = (3.2068417193939545, 0.0013420081199495195)
/// let test = two_proportion_z_test(
///     Proportion { count: 20, total: 500 },
///     Proportion { count: 45, total: 500 },
/// ).unwrap();
/// assert!((test.z - 3.2068417193939545).abs() < 1e-12);
/// assert!((test.p - 0.0013420081199495195).abs() < 1e-12);
/// ```
pub fn two_proportion_z_test(
    first: Proportion,
    second: Proportion,
) -> Result<TwoProportionTest, Unavailable> {
    for proportion in [first, second] {
        if proportion.total == 0 {
            return Err(Unavailable::NonPositiveWhole);
        }
        if proportion.count > proportion.total {
            return Err(Unavailable::CountExceedsTotal);
        }
    }
    let (c1, n1) = (first.count as f64, first.total as f64);
    let (c2, n2) = (second.count as f64, second.total as f64);
    let (p1, p2) = (c1 / n1, c2 / n2);
    let pooled = (c1 + c2) / (n1 + n2);
    if !(pooled > 0.0 && pooled < 1.0) {
        return Err(Unavailable::DegenerateProportion);
    }
    let z = (p2 - p1) / (pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2)).sqrt();
    let p = normal_two_sided_p(z).ok_or(Unavailable::NumericalFailure)?;
    all_finite(&[z, p])?;
    Ok(TwoProportionTest {
        p1,
        p2,
        pooled,
        z,
        p,
    })
}

/// Result of [`cochran_armitage`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CochranArmitage {
    /// Number of periods.
    pub periods: usize,
    /// Pooled proportion over all periods.
    pub pooled: f64,
    /// Signed statistic `T / sqrt(Var)`; positive when the proportion rises
    /// with the score (time).
    pub z: f64,
    /// `z^2`, R's "X-squared" (1 df).
    pub chi_squared: f64,
    /// Two-sided p-value (equal to the 1-df chi-square upper tail).
    pub p: f64,
}

/// Cochran-Armitage test for a linear trend in proportions over periods.
///
/// Formula (STATISTICS.md; R `prop.trend.test` with `score = x`):
/// `pbar = sum c_i / sum n_i`; `T = sum s_i (c_i - n_i pbar)`;
/// `Var = pbar (1 - pbar) [sum n_i s_i^2 - (sum n_i s_i)^2 / N]`;
/// `z = T / sqrt(Var)`; two-sided normal p. Scores `s_i` are the periods x
/// (years), so gaps are spaced correctly; shifting x changes nothing.
///
/// Edge cases: lengths differ → `LengthMismatch`; fewer than 2 periods →
/// `TooFewObservations { needed: 2 }`; non-finite x → `NonFinite`; x not
/// strictly increasing → `TimeNotIncreasing`; a zero total →
/// `NonPositiveWhole`; a count above its total → `CountExceedsTotal`;
/// pooled proportion 0 or 1 → `DegenerateProportion`.
///
/// Reference: R stats `prop.trend.test` (R is not available here: the tests
/// compare with a numpy transcription of its weighted-regression form,
/// `anova(lm(freq ~ score, weights = n/pbar/(1-pbar)))`, and a hand-computed
/// case).
///
/// ```
/// use routetrend::stats::cochran_armitage;
///
/// // 10/100, 15/100, 20/100 at x = 0, 1, 2: pbar = 0.15,
/// // T = 0*(-5) + 1*0 + 2*5 = 10, Var = 0.1275 * (500 - 300^2/300) = 25.5
/// let test = cochran_armitage(&[0.0, 1.0, 2.0], &[10, 15, 20], &[100, 100, 100]).unwrap();
/// assert!((test.z - 10.0 / 25.5f64.sqrt()).abs() < 1e-12);
/// ```
pub fn cochran_armitage(
    x: &[f64],
    counts: &[u64],
    totals: &[u64],
) -> Result<CochranArmitage, Unavailable> {
    if x.len() != counts.len() || x.len() != totals.len() {
        return Err(Unavailable::LengthMismatch);
    }
    check_values(x, 2)?;
    if x.windows(2).any(|w| w[1] <= w[0]) {
        return Err(Unavailable::TimeNotIncreasing);
    }
    for (&count, &total) in counts.iter().zip(totals) {
        if total == 0 {
            return Err(Unavailable::NonPositiveWhole);
        }
        if count > total {
            return Err(Unavailable::CountExceedsTotal);
        }
    }
    let total_cases: f64 = totals.iter().map(|&t| t as f64).sum();
    let pooled = counts.iter().map(|&c| c as f64).sum::<f64>() / total_cases;
    if !(pooled > 0.0 && pooled < 1.0) {
        return Err(Unavailable::DegenerateProportion);
    }
    // Scores centred on their mean: T and Var are unchanged (sum of
    // c_i - n_i pbar is 0) and years near 2000 lose no precision.
    let x_mean = x.iter().sum::<f64>() / x.len() as f64;
    let (mut t, mut sum_ns, mut sum_ns2) = (0.0, 0.0, 0.0);
    for ((&xi, &count), &total) in x.iter().zip(counts).zip(totals) {
        let (s, c, n) = (xi - x_mean, count as f64, total as f64);
        t += s * (c - n * pooled);
        sum_ns += n * s;
        sum_ns2 += n * s * s;
    }
    let variance = pooled * (1.0 - pooled) * (sum_ns2 - sum_ns * sum_ns / total_cases);
    if !is_positive(variance) {
        return Err(Unavailable::ZeroVariance { of: "x" });
    }
    let z = t / variance.sqrt();
    let p = normal_two_sided_p(z).ok_or(Unavailable::NumericalFailure)?;
    all_finite(&[z, p])?;
    Ok(CochranArmitage {
        periods: x.len(),
        pooled,
        z,
        chi_squared: z * z,
        p,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn z_squared_is_pearson_chi_square() {
        // 2x2 table [[20, 480], [45, 455]]: Pearson X^2 by expected counts.
        let test = two_proportion_z_test(
            Proportion {
                count: 20,
                total: 500,
            },
            Proportion {
                count: 45,
                total: 500,
            },
        )
        .unwrap();
        let observed = [[20.0, 480.0], [45.0, 455.0]];
        let (rows, cols, all) = ([500.0, 500.0], [65.0, 935.0], 1000.0);
        let mut chi2 = 0.0;
        for i in 0..2 {
            for j in 0..2 {
                let expected: f64 = rows[i] * cols[j] / all;
                chi2 += (observed[i][j] - expected).powi(2) / expected;
            }
        }
        assert!((test.z * test.z - chi2).abs() < 1e-10);
    }

    #[test]
    fn two_periods_of_cochran_armitage_equal_the_z_test() {
        let ca = cochran_armitage(&[2010.0, 2011.0], &[20, 45], &[500, 500]).unwrap();
        let z = two_proportion_z_test(
            Proportion {
                count: 20,
                total: 500,
            },
            Proportion {
                count: 45,
                total: 500,
            },
        )
        .unwrap();
        assert!((ca.z - z.z).abs() < 1e-12);
    }

    #[test]
    fn degenerate_counts_are_reasons() {
        let none = Proportion {
            count: 0,
            total: 10,
        };
        assert_eq!(
            two_proportion_z_test(none, none),
            Err(Unavailable::DegenerateProportion)
        );
        let bad = Proportion {
            count: 11,
            total: 10,
        };
        assert_eq!(
            two_proportion_z_test(bad, none),
            Err(Unavailable::CountExceedsTotal)
        );
        assert_eq!(
            cochran_armitage(&[1.0, 2.0], &[1, 1], &[0, 2]),
            Err(Unavailable::NonPositiveWhole)
        );
    }
}
