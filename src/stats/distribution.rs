//! Quantiles, survival functions and two-sided p-values of the standard normal
//! and Student t distributions. These wrap statrs 0.19 so that no input can
//! panic (its `inverse_cdf` asserts on p outside [0, 1] and on NaN) or hang
//! (its t quantile loops forever for df above about 3e7): every function
//! returns `None` for an input it cannot answer. Not a general distribution
//! library; only what the trend tests need.

use std::f64::consts::SQRT_2;

use statrs::distribution::{ContinuousCDF, Normal, StudentsT};
use statrs::function::beta::checked_beta_reg;
use statrs::function::erf::erfc;

/// Degrees of freedom above which [`t_quantile`] uses the Cornish-Fisher
/// expansion instead of statrs. statrs' t quantile is good to ~5e-13
/// relative up to 1000 df but has 1e-8 errors from about 3000 df (measured
/// against scipy at p = 0.9), loses more from 1e5 and never returns above
/// about 3e7 (RUST_NOTES.md section 4); the four-term expansion is good to
/// 3e-14 relative from 1000 df on (p in [0.001, 0.9995]).
pub const T_QUANTILE_CORNISH_FISHER_DF: f64 = 1e3;

/// Smallest tail probability `min(p, 1-p)` [`t_quantile`] answers.
pub const T_QUANTILE_MIN_TAIL: f64 = 1e-12;

/// Above this many degrees of freedom [`t_two_sided_p`] uses the normal
/// distribution (the difference is below 1e-10; statrs' incomplete beta
/// loses precision with such huge parameters).
const T_P_NORMAL_DF: f64 = 1e10;

/// Upper tail `P(Z > z)` of the standard normal, `erfc(z/sqrt 2)/2`.
///
/// Computed directly (not as `1 - cdf`), so it stays accurate far in the
/// tail: at z = 10 it is 7.6e-24 where `1 - cdf` gives 0. Accuracy is that
/// of statrs' `erfc`: about 1e-10 relative for z >= 1 (checked against scipy
/// from z = 1 to 30), exact to double precision below about 0.5. Edge cases:
/// `z = +inf` gives 0, `-inf` gives 1, NaN gives `None`.
/// Reference: scipy.stats.norm.sf.
///
/// ```
/// use routetrend::stats::normal_sf;
///
/// // scipy 1.17.1: norm.sf(1.959963984540054) = 0.025
/// assert!((normal_sf(1.959963984540054).unwrap() - 0.025).abs() < 1e-11);
/// assert!(normal_sf(10.0).unwrap() > 0.0);
/// assert_eq!(normal_sf(f64::NAN), None);
/// ```
pub fn normal_sf(z: f64) -> Option<f64> {
    if z.is_nan() {
        return None;
    }
    Some(0.5 * erfc(z / SQRT_2))
}

/// Two-sided p-value of a standard normal statistic: `2 P(Z > |z|)`,
/// capped at 1, by the survival function (STATISTICS.md, Mann-Kendall).
///
/// Edge cases: `z = 0` gives exactly 1; `|z| = inf` gives 0; NaN gives `None`.
///
/// ```
/// use routetrend::stats::normal_two_sided_p;
///
/// assert_eq!(normal_two_sided_p(0.0), Some(1.0));
/// // scipy 1.17.1: 2 * norm.sf(3.0) = 0.0026997960632601866
/// assert!((normal_two_sided_p(-3.0).unwrap() - 0.0026997960632601866).abs() < 1e-12);
/// ```
pub fn normal_two_sided_p(z: f64) -> Option<f64> {
    normal_sf(z.abs()).map(|tail| (2.0 * tail).min(1.0))
}

/// Standard normal quantile `Phi^{-1}(p)`.
///
/// `None` unless `0 < p < 1` (statrs would panic on NaN and p outside
/// [0, 1], and return infinities at the ends). Reference: scipy.stats.norm.ppf
/// (statrs agrees to 1.4e-16 relative, RUST_NOTES.md section 4).
///
/// ```
/// use routetrend::stats::normal_quantile;
///
/// // scipy 1.17.1: norm.ppf(0.975) = 1.959963984540054
/// assert!((normal_quantile(0.975).unwrap() - 1.959963984540054).abs() < 1e-14);
/// assert_eq!(normal_quantile(1.0), None);
/// assert_eq!(normal_quantile(f64::NAN), None);
/// ```
pub fn normal_quantile(p: f64) -> Option<f64> {
    if !(p > 0.0 && p < 1.0) {
        return None;
    }
    Some(Normal::standard().inverse_cdf(p))
}

/// Student t quantile with `df` degrees of freedom.
///
/// Formula: statrs' inverse CDF for `df <= 1000`; above that the
/// Cornish-Fisher expansion around the normal quantile `z` (Abramowitz &
/// Stegun 26.7.5), `z + g1/df + g2/df^2 + g3/df^3 + g4/df^4` with
/// `g1 = (z^3 + z)/4`, `g2 = (5z^5 + 16z^3 + 3z)/96`,
/// `g3 = (3z^7 + 19z^5 + 17z^3 - 15z)/384`,
/// `g4 = (79z^9 + 776z^7 + 1482z^5 - 1920z^3 - 945z)/92160`. RUST_NOTES.md
/// section 4 suggests the first two terms above 1e4 df; four terms from 1000
/// df are more accurate than statrs there (see
/// [`T_QUANTILE_CORNISH_FISHER_DF`]).
///
/// Domain: `None` unless `df >= 1` and `min(p, 1-p) >= 1e-12`
/// ([`T_QUANTILE_MIN_TAIL`]), NaN included. statrs' inverse panics for some
/// p below about 1e-160, may never return for smaller p or df < 1, and was
/// checked to return promptly and finitely on a grid covering df in
/// [1, 1000] and tails in [1e-12, 0.5]. `df = inf` gives the normal quantile.
/// The expansion is good to 3e-14 relative for tails >= 5e-4 and degrades
/// towards ~1e-7 at a 1e-12 tail with df near 1000. Reference:
/// scipy.stats.t.ppf.
///
/// ```
/// use routetrend::stats::t_quantile;
///
/// // scipy 1.17.1: t.ppf(0.975, 5) = 2.5705818356363146
/// assert!((t_quantile(0.975, 5.0).unwrap() - 2.5705818356363146).abs() < 1e-9);
/// // scipy 1.17.1: t.ppf(0.975, 1e8) = 1.9599640082627663; statrs alone would hang here
/// assert!((t_quantile(0.975, 1e8).unwrap() - 1.9599640082627663).abs() < 1e-12);
/// assert_eq!(t_quantile(0.975, 0.0), None);
/// ```
pub fn t_quantile(p: f64, df: f64) -> Option<f64> {
    let in_domain = p > 0.0 && p < 1.0 && df >= 1.0 && p.min(1.0 - p) >= T_QUANTILE_MIN_TAIL;
    if !in_domain {
        return None;
    }
    if df > T_QUANTILE_CORNISH_FISHER_DF {
        let z = normal_quantile(p)?;
        let (z3, z5, z7, z9) = (z.powi(3), z.powi(5), z.powi(7), z.powi(9));
        let g1 = (z3 + z) / 4.0;
        let g2 = (5.0 * z5 + 16.0 * z3 + 3.0 * z) / 96.0;
        let g3 = (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / 384.0;
        let g4 = (79.0 * z9 + 776.0 * z7 + 1482.0 * z5 - 1920.0 * z3 - 945.0 * z) / 92160.0;
        return Some(z + (g1 + (g2 + (g3 + g4 / df) / df) / df) / df);
    }
    let t = StudentsT::new(0.0, 1.0, df).ok()?.inverse_cdf(p);
    t.is_finite().then_some(t)
}

/// Two-sided p-value of a Student t statistic: `2 P(T_df > |t|)`.
///
/// Formula: the regularized incomplete beta `I_{df/(df+t^2)}(df/2, 1/2)`,
/// which is the two-sided tail without the `1 - cdf` cancellation. Edge
/// cases: `|t| = inf` gives 0 (a perfect fit, as statsmodels reports);
/// `t = 0` gives 1; NaN or `df <= 0` gives `None`; `df > 1e10` uses the
/// normal. Reference: scipy.stats.t.sf (x2), as used by statsmodels OLS.
///
/// ```
/// use routetrend::stats::t_two_sided_p;
///
/// // scipy 1.17.1: 2 * t.sf(2.0, 10) = 0.07338803477074037
/// assert!((t_two_sided_p(2.0, 10.0).unwrap() - 0.07338803477074037).abs() < 1e-12);
/// assert_eq!(t_two_sided_p(f64::INFINITY, 10.0), Some(0.0));
/// assert_eq!(t_two_sided_p(1.0, 0.0), None);
/// ```
pub fn t_two_sided_p(t: f64, df: f64) -> Option<f64> {
    if t.is_nan() || df.is_nan() || df <= 0.0 {
        return None;
    }
    if df > T_P_NORMAL_DF {
        return normal_two_sided_p(t);
    }
    let t2 = t * t;
    // df/(df + t^2); written as 1/(1 + t^2/df) it would lose the same bits.
    let h = if t2.is_infinite() {
        0.0
    } else {
        df / (df + t2)
    };
    let p = checked_beta_reg(df / 2.0, 0.5, h.clamp(0.0, 1.0)).ok()?;
    p.is_finite().then_some(p.clamp(0.0, 1.0))
}

/// `P(F > f)` for the F distribution with `d1` and `d2` degrees of freedom, by the
/// regularized incomplete beta function: `I_{d2/(d2 + d1 f)}(d2/2, d1/2)`.
/// `None` for NaN or a non-positive df; 1 for `f <= 0`.
///
/// ```
/// use routetrend::stats::f_sf;
///
/// // scipy 1.17.1: f.sf(3.5, 3, 20) = 0.03449310388512439
/// assert!((f_sf(3.5, 3.0, 20.0).unwrap() - 0.03449310388512439).abs() < 1e-12);
/// // scipy 1.17.1: f.sf(0.5, 1, 40) = 0.48359950253887685
/// assert!((f_sf(0.5, 1.0, 40.0).unwrap() - 0.48359950253887685).abs() < 1e-12);
/// assert_eq!(f_sf(0.0, 3.0, 20.0), Some(1.0));
/// ```
pub fn f_sf(f: f64, d1: f64, d2: f64) -> Option<f64> {
    if f.is_nan() || d1.is_nan() || d2.is_nan() || d1 <= 0.0 || d2 <= 0.0 {
        return None;
    }
    if f <= 0.0 {
        return Some(1.0);
    }
    let h = if f.is_infinite() {
        0.0
    } else {
        d2 / (d2 + d1 * f)
    };
    let p = checked_beta_reg(d2 / 2.0, d1 / 2.0, h.clamp(0.0, 1.0)).ok()?;
    p.is_finite().then_some(p.clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_panics_on_bad_probabilities() {
        for p in [f64::NAN, -1.0, 0.0, 1.0, 2.0, f64::INFINITY] {
            assert_eq!(normal_quantile(p), None);
            assert_eq!(t_quantile(p, 5.0), None);
        }
        for df in [f64::NAN, 0.0, -3.0, f64::NEG_INFINITY, 0.5] {
            assert_eq!(t_quantile(0.9, df), None);
        }
        for df in [f64::NAN, 0.0, -3.0, f64::NEG_INFINITY] {
            assert_eq!(t_two_sided_p(1.0, df), None);
        }
    }

    #[test]
    fn tiny_tails_are_refused_rather_than_panicking() {
        // statrs' inverse panics at p = 1e-300 for every df.
        assert_eq!(t_quantile(1e-300, 5.0), None);
        assert_eq!(t_quantile(1.0 - 1e-13, 5.0), None);
        assert!(t_quantile(1e-12, 5.0).is_some());
    }

    #[test]
    fn huge_df_does_not_hang_and_approaches_normal() {
        let z = normal_quantile(0.975).unwrap_or(f64::NAN);
        for df in [1e5, 1e7, 3e7, 1e12, f64::INFINITY] {
            let t = t_quantile(0.975, df).unwrap_or(f64::NAN);
            assert!((t - z).abs() < 1e-4, "df {df}: {t}");
        }
        assert!(t_two_sided_p(1.96, 1e9).is_some());
    }

    #[test]
    fn normal_tail_is_not_one_minus_cdf() {
        // scipy 1.17.1: 2 * norm.sf(9.0) = 2.2571768119076647e-19, where
        // 2 * (1 - cdf) is 0. statrs' erfc is good to ~5e-11 relative there.
        let p = normal_two_sided_p(9.0).unwrap_or(f64::NAN);
        assert!((p / 2.2571768119076647e-19 - 1.0).abs() < 1e-9);
    }
}
