//! Tolerances for comparing `routetrend::stats` with the reference values in
//! `tests/reference/expected.json`, all in one place, each with the reason it
//! is as loose as it is. A value passes when
//! `|got - expected| <= abs + rel * |expected|`. Shared by the reference and
//! property tests; not used by the library.

/// An absolute plus relative tolerance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tolerance {
    pub abs: f64,
    pub rel: f64,
}

impl Tolerance {
    pub fn accepts(&self, got: f64, expected: f64) -> bool {
        (got - expected).abs() <= self.abs + self.rel * expected.abs()
    }
}

/// Integer-valued results (S, Pettitt's K and index, counts, the chosen
/// number of joinpoints): no rounding is involved, so they must be equal.
pub const EXACT: Tolerance = Tolerance { abs: 0.0, rel: 0.0 };

/// The same closed formula evaluated in the same or an equivalent order
/// (Var(S), tau-b, Sen slopes and interval bounds, growth arithmetic,
/// proportions): a few ulps, from differences such as `a / sqrt(b) / sqrt(c)`
/// versus `a / sqrt(b c)`.
pub const SAME_FORMULA: Tolerance = Tolerance {
    abs: 1e-13,
    rel: 1e-12,
};

/// Z of the Mann-Kendall family from the same S and Var(S).
pub const NORMAL_Z: Tolerance = Tolerance {
    abs: 1e-13,
    rel: 1e-12,
};

/// p-values by the normal survival function. statrs 0.19's `erfc` is good to
/// about 1e-10 relative for z >= 1 (measured against scipy `norm.sf` from
/// z = 1 to 30, e.g. 8.6e-11 at z = 1), so 1e-9 relative.
pub const NORMAL_P: Tolerance = Tolerance {
    abs: 1e-300,
    rel: 1e-9,
};

/// pymannkendall's own p, `2 (1 - cdf(|z|))`: equal to the survival-function
/// p up to the cancellation of `1 - cdf` (~1e-16 absolute, and 0 instead of
/// a tiny p beyond |z| ~ 8.3) plus statrs' 1e-10 relative. Absolute only.
pub const PYMANNKENDALL_P: Tolerance = Tolerance {
    abs: 1e-10,
    rel: 0.0,
};

/// Quantities built on sample autocorrelations (n/n*, r1, the corrected
/// Var(S) and the Z and p computed from it): numpy sums the lagged products
/// with a BLAS dot and the mean pairwise, in a different order from ours.
pub const AUTOCORRELATION: Tolerance = Tolerance {
    abs: 1e-14,
    rel: 1e-12,
};

/// OLS estimates against statsmodels / scipy. statsmodels solves the
/// uncentred design (x near 2000) by pinv, which loses ~1e-13 relative
/// (its slope for an exact 1.1 is 1.0999999999999313); perfect fits have
/// se and p near 1e-12 there and exactly 0 here, hence the absolute part.
pub const OLS: Tolerance = Tolerance {
    abs: 1e-11,
    rel: 1e-11,
};

/// The Student t quantile (and the OLS / APC confidence bounds built on it):
/// statrs up to 1000 df and the Cornish-Fisher expansion above are both good
/// to ~5e-13 relative (measured against scipy `t.ppf`), plus statsmodels'
/// ~1e-13 on `se`.
pub const T_INTERVAL: Tolerance = Tolerance {
    abs: 1e-12,
    rel: 1e-10,
};

/// Student t p-values through statrs' regularized incomplete beta (measured
/// <= 3e-12 relative against scipy `2 t.sf`).
pub const T_P: Tolerance = Tolerance {
    abs: 1e-14,
    rel: 1e-10,
};

/// Joinpoint against the numpy brute force: different least-squares solvers
/// (Householder QR here, SVD-based lstsq there) agree to ~1e-13 on
/// coefficients; APCs of flat series are ~1e-14 instead of 0; SSE of an
/// exact fit is rounding noise (~1e-30), hence the absolute part.
pub const JOINPOINT: Tolerance = Tolerance {
    abs: 1e-12,
    rel: 1e-10,
};

/// Cochran-Armitage against the transcription of R's weighted-regression
/// form (a different formula for the same statistic, solved by statsmodels
/// WLS with x near 2000): ~1e-12 absolute on a chi-square of 0.
pub const WEIGHTED_REGRESSION: Tolerance = Tolerance {
    abs: 1e-11,
    rel: 1e-10,
};

/// Cross-correlations: same sums in the same order up to numpy's pairwise
/// mean.
pub const CROSS_CORRELATION: Tolerance = Tolerance {
    abs: 1e-14,
    rel: 1e-12,
};

/// The tolerance for one quantity of one method. `key` may carry an
/// `@source` suffix naming a second reference for the same field.
pub fn tolerance_for(method: &str, key: &str) -> Tolerance {
    let field = key.split('@').next().unwrap_or(key);
    let field = field.split('[').next().unwrap_or(field);
    match (method, field) {
        (_, "s" | "k_statistic" | "last_before_change" | "n_tested" | "significant_lags") => EXACT,
        (_, "selected_joinpoints" | "max_joinpoints_considered") => EXACT,
        (
            "mann_kendall"
            | "hamed_rao"
            | "yue_wang"
            | "trend_free_prewhitening"
            | "seasonal_mann_kendall"
            | "regional_kendall",
            "p",
        ) if key.ends_with("@pymannkendall") => PYMANNKENDALL_P,
        (
            "hamed_rao" | "yue_wang",
            "n_over_n_star" | "var_s_corrected" | "lag1_autocorrelation",
        ) => AUTOCORRELATION,
        ("hamed_rao" | "yue_wang" | "trend_free_prewhitening", "p") => {
            NORMAL_P.max(AUTOCORRELATION)
        }
        ("hamed_rao" | "yue_wang", "z") => AUTOCORRELATION,
        ("trend_free_prewhitening", "lag1_autocorrelation" | "var_s" | "z") => AUTOCORRELATION,
        (_, "z") if method != "two_proportion_z_test" && method != "cochran_armitage" => NORMAL_Z,
        ("cochran_armitage", "z" | "chi_squared") => WEIGHTED_REGRESSION,
        ("cochran_armitage", "p") => NORMAL_P.max(WEIGHTED_REGRESSION),
        (
            "mann_kendall"
            | "pettitt"
            | "two_proportion_z_test"
            | "seasonal_mann_kendall"
            | "regional_kendall"
            | "correlated_regional_kendall",
            "p",
        ) => NORMAL_P,
        (_, "blocks_tested" | "periods") => EXACT,
        ("normal_sf", _) => NORMAL_P,
        ("linear_trend" | "annual_percent_change", "ci_lower" | "ci_upper") => T_INTERVAL,
        ("linear_trend" | "annual_percent_change", "p") => T_P.max(OLS),
        ("linear_trend" | "annual_percent_change", _) => OLS,
        ("t_quantile", _) => T_INTERVAL,
        ("t_two_sided_p", _) => T_P,
        ("joinpoint", _) => JOINPOINT,
        ("joinpoint_parallelism", "k" | "df1" | "df2") => EXACT,
        ("joinpoint_parallelism", _) => JOINPOINT,
        ("cross_correlation", _) => CROSS_CORRELATION,
        _ => SAME_FORMULA,
    }
}

impl Tolerance {
    /// The looser of two tolerances, component-wise.
    pub const fn max(self, other: Tolerance) -> Tolerance {
        Tolerance {
            abs: if self.abs > other.abs {
                self.abs
            } else {
                other.abs
            },
            rel: if self.rel > other.rel {
                self.rel
            } else {
                other.rel
            },
        }
    }
}
