//! Joinpoint regression: a continuous piecewise log-linear trend whose slope
//! may change at up to K observed periods, located by exhaustive grid search
//! (NCI Joinpoint's grid-search method, without weights or autocorrelated
//! errors), the number of joinpoints chosen by BIC or by NCI's sequential
//! permutation tests (Kim et al. 2000). K defaults to NCI's recommendation by
//! the number of observations ([`nci_max_joinpoints`]). Reports each segment's
//! annual percent change and the average annual percent change over the
//! window, with NCI's parametric intervals. For a single trend use
//! `log_linear`.
//!
//! Speed: every candidate set of joinpoints is scored in O(k) from suffix
//! sums of `1, u, u^2, y, u y` (u the rescaled time) by extending a Cholesky
//! factor of the normal equations one hinge column at a time during a
//! depth-first enumeration, so a k = 2 candidate costs a few dozen flops.
//! The best set for each k is then refitted by Householder QR, whose residual
//! sum of squares is what the BIC and the report use.

use super::input::{all_finite, check_series, is_positive};
use super::{Alpha, Unavailable};

/// Largest `max_joinpoints` accepted. The search is exhaustive (about
/// n^K/K! candidates), so anything above this would be impractically slow.
pub const MAX_JOINPOINTS: usize = 9;

/// Candidates whose (fast, normal-equation) SSE is within this fraction of
/// the total sum of squares of ln y of the best one so far count as ties and
/// the earlier joinpoint positions are kept. Differences this small are
/// rounding noise of the fast scoring, not information.
pub const SSE_TIE_RELATIVE: f64 = 1e-10;

/// Residual scale, relative to `1 + max |ln y|`, below which a fit counts as
/// exact: the SSE entering the BIC is floored at
/// `n (EXACT_FIT_LOG_RESIDUAL (1 + max |ln y|))^2`. Without a floor, a
/// series that is exactly piecewise log-linear would select an over-fitted
/// model whose rounding noise happens to be smaller (ln 0 = -inf). Real data
/// never fit ln y to within 1e-9.
pub const EXACT_FIT_LOG_RESIDUAL: f64 = 1e-9;

/// A new hinge column whose part not explained by the columns already in the
/// model is below this fraction of its norm is treated as collinear.
const COLLINEAR_RELATIVE: f64 = 1e-12;

const MAX_COLUMNS: usize = MAX_JOINPOINTS + 2;

/// NCI Joinpoint's recommended maximum number of joinpoints for `n` observations: 0 for
/// fewer than 7, then one more for every 5 observations (7-11: 1, 12-16: 2, 17-21: 3,
/// 22-26: 4, 27-31: 5, 32-36: 6), 7 from 37, as the table quoted from NCI (after Kim et
/// al. 2000) by the R package joinpointR 2.0.0 (`model_jp_grid`); NCI's own help page
/// ("V 5.0 - Default Settings Changes") states that the default depends on the number of
/// observations only. K is lowered further when the series cannot hold K joinpoints under
/// the spacing rules ([`fit_joinpoint`]).
///
/// ```
/// use routetrend::stats::nci_max_joinpoints;
///
/// assert_eq!([6, 7, 11, 12, 23, 36, 37, 60].map(nci_max_joinpoints), [0, 1, 1, 2, 4, 6, 7, 7]);
/// ```
pub fn nci_max_joinpoints(n: usize) -> usize {
    if n < 7 {
        0
    } else {
        ((n - 7) / 5 + 1).min(7)
    }
}

/// How the number of joinpoints is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinpointSelection {
    /// `BIC(k) = ln(SSE_k / n) + 2(k+1) ln(n) / n`, the smallest wins.
    Bic,
    /// NCI's sequential permutation tests (Kim et al. 2000), at the options' alpha.
    Permutation {
        /// Permuted data sets per test (NCI's default 4,499).
        permutations: usize,
        /// Seed of the permutations, so that a run is reproducible.
        seed: u64,
    },
}

/// NCI's default number of permutations per test.
pub const NCI_PERMUTATIONS: usize = 4499;

/// Search limits, NCI Joinpoint's "Method and Parameters" settings.
///
/// ```
/// use routetrend::stats::{JoinpointOptions, JoinpointSelection};
///
/// let options = JoinpointOptions::default();
/// assert_eq!((options.max_joinpoints, options.min_obs_end, options.min_obs_between), (2, 2, 2));
/// assert_eq!(options.selection, JoinpointSelection::Bic);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct JoinpointOptions {
    /// K, the largest number of joinpoints considered (default 2). Lowered
    /// automatically when the series is too short for K.
    pub max_joinpoints: usize,
    /// Minimum observations from a joinpoint to either end of the window,
    /// not counting the joinpoint but counting the end observation (NCI's
    /// "NumObsEnd"; default 2, so with 2 the first joinpoint can be the third
    /// observation). At least 1.
    pub min_obs_end: usize,
    /// Minimum observations strictly between two joinpoints (NCI's
    /// "NumObsBetween"; default 2).
    pub min_obs_between: usize,
    /// How k is chosen (default BIC).
    pub selection: JoinpointSelection,
    /// Level of the permutation tests and of the (1 - alpha) intervals.
    pub alpha: Alpha,
}

impl Default for JoinpointOptions {
    fn default() -> JoinpointOptions {
        JoinpointOptions {
            max_joinpoints: 2,
            min_obs_end: 2,
            min_obs_between: 2,
            selection: JoinpointSelection::Bic,
            alpha: Alpha::FIVE_PERCENT,
        }
    }
}

/// One segment of the selected model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct JoinpointSegment {
    /// First period of the segment (window start or a joinpoint), years.
    pub start_x: f64,
    /// Last period of the segment (a joinpoint or window end), years.
    pub end_x: f64,
    /// Slope of ln(value) per year on this segment.
    pub log_slope: f64,
    /// `100 (e^{log_slope} - 1)`, percent per year.
    pub apc: f64,
    /// The (1 - alpha) interval of the APC (NCI's parametric method, see
    /// [`fit_joinpoint`]); `None` without residual degrees of freedom.
    pub apc_lo: Option<f64>,
    pub apc_hi: Option<f64>,
}

/// One permutation test of the sequence: H0 `k_null` joinpoints against H1 `k_alt`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PermutationTest {
    pub k_null: usize,
    pub k_alt: usize,
    /// `(1 + #{T* >= T}) / (1 + permutations)`, T = SSE_null / SSE_alt.
    pub p: f64,
    /// The level it was tested at, `alpha / (K - k_null)`.
    pub level: f64,
}

/// The best model with a given number of joinpoints.
#[derive(Debug, Clone, PartialEq)]
pub struct JoinpointModel {
    /// Joinpoint periods (years), increasing; empty for k = 0.
    pub joinpoints: Vec<f64>,
    /// Residual sum of squares of ln(value).
    pub sse: f64,
    /// `ln(SSE_floored / n) + 2 (k+1) ln(n) / n`.
    pub bic: f64,
}

/// Result of [`fit_joinpoint`]: the selected model and the per-k table.
#[derive(Debug, Clone, PartialEq)]
pub struct Joinpoint {
    /// Number of observations.
    pub n: usize,
    /// Joinpoint periods of the selected model (years).
    pub joinpoints: Vec<f64>,
    /// Segments of the selected model, in time order (`joinpoints.len() + 1`).
    pub segments: Vec<JoinpointSegment>,
    /// Average annual percent change over the window, percent per year.
    pub aapc: f64,
    /// Its (1 - alpha) interval (Clegg et al. 2009); `None` without degrees of freedom.
    pub aapc_lo: Option<f64>,
    pub aapc_hi: Option<f64>,
    /// Degrees of freedom of the intervals, `n* - 2(k+1)` (n* = n less the
    /// observations on joinpoints).
    pub interval_df: Option<usize>,
    /// The permutation tests run, in order (empty under BIC).
    pub tests: Vec<PermutationTest>,
    /// K actually searched (the requested K lowered to fit the series).
    pub max_joinpoints_considered: usize,
    /// Best model for each k = 0..=K searched; `models[k]` has k joinpoints.
    pub models: Vec<JoinpointModel>,
}

/// Segmented log-linear (joinpoint) regression of `values` on time `x`.
///
/// Model (STATISTICS.md): `ln y = b0 + b1 x + sum_j d_j (x - tau_j)_+`,
/// continuous at the joinpoints `tau_j`, which lie on observed x. For each k
/// = 0..=K every admissible set of joinpoints is tried (exhaustive grid
/// search) and the one with the smallest SSE kept; equal SSE (within
/// [`SSE_TIE_RELATIVE`]) keeps the earliest positions. k is chosen by
/// `BIC(k) = ln(SSE_k / n) + 2(k+1) ln(n) / n`, ties to fewer joinpoints,
/// with SSE floored as described at [`EXACT_FIT_LOG_RESIDUAL`]. Segment i has
/// `APC_i = 100 (e^{s_i} - 1)`, `s_i = b1 + sum_{j<i} d_j`;
/// `AAPC = 100 (exp(sum w_i s_i / sum w_i) - 1)`, `w_i` the segment length in
/// years.
///
/// Admissible joinpoints (NCI's convention, see [`JoinpointOptions`]): with
/// observations indexed 0..n-1, a joinpoint at index a needs
/// `a >= min_obs_end` and `n-1-a >= min_obs_end`, and consecutive joinpoints
/// `a < b` need `b - a - 1 >= min_obs_between`. K is lowered to the largest
/// k with `n >= 2 min_obs_end + (k-1) min_obs_between + k` (NCI's minimum
/// observations formula) and `2k + 2 < n` (at least one residual degree of
/// freedom).
///
/// Edge cases: fewer than 3 observations → `TooFewObservations { needed: 3 }`;
/// NaN/inf → `NonFinite`; a value <= 0 → `NonPositive`; `x` not strictly
/// increasing → `TimeNotIncreasing`; `max_joinpoints > 9` or
/// `min_obs_end == 0` → `InvalidParameter`. A constant series selects k = 0
/// with APC 0.
///
/// Reference: NCI Joinpoint help (v5): grid search, "Minimum Number of
/// Observations Required", BIC; no Python or R package matches, so tests
/// check a hand-computed case, series built exactly from piecewise
/// log-linear functions, and a numpy brute force (`tests/reference`).
///
/// ```
/// use routetrend::stats::{fit_joinpoint, JoinpointOptions};
///
/// // +10 %/year to 2006, then -20 %/year, exactly.
/// let x: Vec<f64> = (2000..2013).map(f64::from).collect();
/// let y: Vec<f64> = x
///     .iter()
///     .map(|&t| 100.0 * 1.1f64.powf(t.min(2006.0) - 2000.0) * 0.8f64.powf((t - 2006.0).max(0.0)))
///     .collect();
/// let fit = fit_joinpoint(&x, &y, &JoinpointOptions::default()).unwrap();
/// assert_eq!(fit.joinpoints, vec![2006.0]);
/// assert!((fit.segments[0].apc - 10.0).abs() < 1e-8);
/// assert!((fit.segments[1].apc + 20.0).abs() < 1e-8);
/// ```
pub fn fit_joinpoint(
    x: &[f64],
    values: &[f64],
    options: &JoinpointOptions,
) -> Result<Joinpoint, Unavailable> {
    check_series(x, values, 3)?;
    if values.iter().any(|&v| v <= 0.0) {
        return Err(Unavailable::NonPositive);
    }
    if options.max_joinpoints > MAX_JOINPOINTS {
        return Err(Unavailable::InvalidParameter(
            "max_joinpoints must be at most 9",
        ));
    }
    if options.min_obs_end == 0 {
        return Err(Unavailable::InvalidParameter(
            "min_obs_end must be at least 1",
        ));
    }
    let n = values.len();
    let k_max = (0..=options.max_joinpoints)
        .take_while(|&k| k == 0 || feasible(n, k, options))
        .last()
        .unwrap_or(0);

    // Rescaled time u in [-1/2, 1/2] (mean 0) and centred ln y keep the
    // normal equations well conditioned.
    let nf = n as f64;
    let x_mean = x.iter().sum::<f64>() / nf;
    let scale = x[n - 1] - x[0];
    let u: Vec<f64> = x.iter().map(|&xi| (xi - x_mean) / scale).collect();
    let logs: Vec<f64> = values.iter().map(|v| v.ln()).collect();
    let log_mean = logs.iter().sum::<f64>() / nf;
    let y: Vec<f64> = logs.iter().map(|l| l - log_mean).collect();

    let mut search = Search::new(&u, &y, k_max, options);
    search.run();

    let max_abs_log = logs.iter().fold(0.0f64, |m, l| m.max(l.abs()));
    let sse_floor = nf * (EXACT_FIT_LOG_RESIDUAL * (1.0 + max_abs_log)).powi(2);
    let penalty = |k: usize| 2.0 * (k as f64 + 1.0) * nf.ln() / nf;

    let mut models = Vec::with_capacity(k_max + 1);
    let mut fits: Vec<(usize, [f64; MAX_COLUMNS])> = Vec::with_capacity(k_max + 1);
    for k in 0..=k_max {
        let Some(positions) = search.best_positions(k) else {
            continue;
        };
        let Some((coefficients, sse)) = refit(&u, &y, positions) else {
            continue;
        };
        let bic = (sse.max(sse_floor) / nf).ln() + penalty(k);
        all_finite(&[sse, bic])?;
        fits.push((k, coefficients));
        models.push(JoinpointModel {
            joinpoints: positions.iter().map(|&a| x[a]).collect(),
            sse,
            bic,
        });
    }
    let mut tests = Vec::new();
    let k = match options.selection {
        // Ties go to fewer joinpoints: only a strictly smaller BIC replaces.
        JoinpointSelection::Bic => models
            .iter()
            .fold(None, |best: Option<&JoinpointModel>, m| match best {
                Some(b) if b.bic <= m.bic => Some(b),
                _ => Some(m),
            })
            .map(|m| m.joinpoints.len()),
        JoinpointSelection::Permutation { permutations, seed } => Some(permutation_select(
            &u,
            &y,
            &search,
            k_max,
            options,
            permutations,
            seed,
            &mut tests,
        )),
    };
    // k = 0 always has a candidate (the plain line), and its refit succeeds
    // because x is strictly increasing with n >= 3.
    let k = k.ok_or(Unavailable::NumericalFailure)?;
    let coefficients = fits
        .iter()
        .find(|(fk, _)| *fk == k)
        .map(|(_, c)| *c)
        .ok_or(Unavailable::NumericalFailure)?;
    let positions: Vec<usize> = search.best_positions(k).unwrap_or(&[]).to_vec();
    let joinpoints: Vec<f64> = positions.iter().map(|&a| x[a]).collect();

    let intervals = segment_intervals(x, &logs, &positions);
    let mut segments = Vec::with_capacity(k + 1);
    let mut slope_u = coefficients[1];
    let mut start_x = x[0];
    let mut weighted = 0.0;
    let mut weighted_variance = 0.0;
    let critical = intervals
        .as_ref()
        .and_then(|i| options.alpha.t_critical(i.df as f64));
    for i in 0..=k {
        let end_x = if i < k { joinpoints[i] } else { x[n - 1] };
        let log_slope = slope_u / scale;
        let width = end_x - start_x;
        weighted += width * log_slope;
        let se = intervals.as_ref().map(|iv| iv.slope_se[i]);
        if let Some(se) = se {
            weighted_variance += width * width * se * se;
        }
        let bound = |sign: f64| {
            Some(100.0 * (log_slope + sign * critical? * se?).exp_m1()).filter(|v| v.is_finite())
        };
        segments.push(JoinpointSegment {
            start_x,
            end_x,
            log_slope,
            apc: 100.0 * log_slope.exp_m1(),
            apc_lo: bound(-1.0),
            apc_hi: bound(1.0),
        });
        if i < k {
            slope_u += coefficients[2 + i];
        }
        start_x = end_x;
    }
    let span = x[n - 1] - x[0];
    let mean_slope = weighted / span;
    let aapc = 100.0 * mean_slope.exp_m1();
    // Within one segment the AAPC is that segment's APC, with its t interval; across
    // segments Clegg et al. (2009) take the normal quantile.
    let aapc_critical = if k == 0 {
        critical
    } else {
        intervals.as_ref().map(|_| options.alpha.normal_critical())
    };
    let aapc_bound = |sign: f64| {
        let c = aapc_critical?;
        let sd = weighted_variance.sqrt() / span;
        Some(100.0 * (mean_slope + sign * c * sd).exp_m1()).filter(|v| v.is_finite())
    };
    all_finite(&[aapc])?;
    for segment in &segments {
        all_finite(&[segment.log_slope, segment.apc])?;
    }
    Ok(Joinpoint {
        n,
        joinpoints,
        segments,
        aapc,
        aapc_lo: aapc_bound(-1.0),
        aapc_hi: aapc_bound(1.0),
        interval_df: intervals.map(|i| i.df),
        tests,
        max_joinpoints_considered: k_max,
        models,
    })
}

/// The standard errors behind NCI's parametric intervals.
struct Intervals {
    /// Per segment, the slope's standard error (ln units per year).
    slope_se: Vec<f64>,
    df: usize,
}

/// NCI's parametric standard errors of the segment slopes (help page "Estimated Regression
/// Coefficients (Beta)"): the observations lying on joinpoints are deleted, each segment is
/// fitted by its own unconstrained least-squares line on ln y, the residual variance is
/// pooled, `s^2 = sum SSE_i / d` with `d = n* - 2(k+1)` (n* the observations left), and
/// `se_i = s / sqrt(Sxx_i)`. `None` when `d < 1` or a segment has fewer than 2 points or no
/// spread in x.
fn segment_intervals(x: &[f64], logs: &[f64], positions: &[usize]) -> Option<Intervals> {
    let n = x.len();
    let k = positions.len();
    let mut bounds = Vec::with_capacity(k + 2);
    bounds.push(0usize);
    bounds.extend(positions.iter().copied());
    bounds.push(n - 1);
    let mut sse_total = 0.0;
    let mut sxx = Vec::with_capacity(k + 1);
    let mut kept = 0;
    for i in 0..=k {
        // Segment i runs from bounds[i] to bounds[i + 1]; joinpoints themselves are left out.
        let from = if i == 0 { 0 } else { bounds[i] + 1 };
        let to = if i == k { n - 1 } else { bounds[i + 1] - 1 };
        if to < from + 1 {
            return None;
        }
        let (xs, ys) = (&x[from..=to], &logs[from..=to]);
        let m = xs.len() as f64;
        let (mx, my) = (xs.iter().sum::<f64>() / m, ys.iter().sum::<f64>() / m);
        let sxx_i: f64 = xs.iter().map(|v| (v - mx).powi(2)).sum();
        if !is_positive(sxx_i) {
            return None;
        }
        let sxy: f64 = xs.iter().zip(ys).map(|(a, b)| (a - mx) * (b - my)).sum();
        let b = sxy / sxx_i;
        sse_total += xs
            .iter()
            .zip(ys)
            .map(|(a, c)| (c - my - b * (a - mx)).powi(2))
            .sum::<f64>();
        sxx.push(sxx_i);
        kept += xs.len();
    }
    let df = kept.checked_sub(2 * (k + 1)).filter(|&d| d >= 1)?;
    let s2 = sse_total / df as f64;
    let slope_se: Vec<f64> = sxx.iter().map(|v| (s2 / v).sqrt()).collect();
    slope_se
        .iter()
        .all(|v| v.is_finite())
        .then_some(Intervals { slope_se, df })
}

/// NCI's sequential permutation tests (Kim et al. 2000; NCI help "Permutation Test
/// Details"): starting from k_a = 0 and k_b = K, test H0 k_a joinpoints against H1 k_b with
/// `T = SSE(k_a) / SSE(k_b)`; the null distribution of T comes from `permutations` data sets
/// made of the k_a fit plus its residuals permuted, each refitted by the same grid search;
/// `p = (1 + #{T* >= T}) / (1 + permutations)`. A p below `alpha / (K - k_a)` (NCI's level
/// since Joinpoint 3.0, which keeps the chance of choosing too many joinpoints below alpha)
/// rejects and raises k_a, else k_b falls; the result is k_a once they meet.
#[allow(clippy::too_many_arguments)]
fn permutation_select(
    u: &[f64],
    y: &[f64],
    search: &Search,
    k_max: usize,
    options: &JoinpointOptions,
    permutations: usize,
    seed: u64,
    tests: &mut Vec<PermutationTest>,
) -> usize {
    let mut rng = fastrand::Rng::with_seed(seed);
    let (mut k_a, mut k_b) = (0usize, k_max);
    while k_a < k_b {
        let level = options.alpha.get() / (k_max - k_a) as f64;
        let (Some(null), Some(_)) = (search.best_positions(k_a), search.best_positions(k_b)) else {
            k_b -= 1;
            continue;
        };
        let statistic = search.best_sse[k_a] / search.best_sse[k_b];
        let Some(fitted) = fitted_values(u, y, null) else {
            k_b -= 1;
            continue;
        };
        let mut residuals: Vec<f64> = y.iter().zip(&fitted).map(|(a, b)| a - b).collect();
        let mut y_star = vec![0.0; y.len()];
        let mut exceed = 0usize;
        for _ in 0..permutations {
            rng.shuffle(&mut residuals);
            for (i, value) in y_star.iter_mut().enumerate() {
                *value = fitted[i] + residuals[i];
            }
            let mut again = Search::new(u, &y_star, k_b, options);
            again.run();
            let t = again.best_sse[k_a] / again.best_sse[k_b];
            // An exact fit under H1 (0/0 or x/0) counts as at least as extreme.
            if t >= statistic || t.is_nan() {
                exceed += 1;
            }
        }
        let p = (1 + exceed) as f64 / (1 + permutations) as f64;
        tests.push(PermutationTest {
            k_null: k_a,
            k_alt: k_b,
            p,
            level,
        });
        if p < level {
            k_a += 1;
        } else {
            k_b -= 1;
        }
    }
    k_a
}

/// The fitted values of the continuous model with joinpoints at `positions`.
fn fitted_values(u: &[f64], y: &[f64], positions: &[usize]) -> Option<Vec<f64>> {
    let (coefficients, _) = refit(u, y, positions)?;
    Some(
        u.iter()
            .map(|&ui| {
                let mut v = coefficients[0] + coefficients[1] * ui;
                for (j, &a) in positions.iter().enumerate() {
                    v += coefficients[2 + j] * (ui - u[a]).max(0.0);
                }
                v
            })
            .collect(),
    )
}

/// Result of [`joinpoint_parallelism`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Parallelism {
    /// Periods both series have.
    pub n: usize,
    /// Joinpoints of both models: the larger of the two series' own selections.
    pub k: usize,
    /// SSE of ln y with a k-joinpoint model for each series.
    pub sse_separate: f64,
    /// SSE with one k-joinpoint model shared by both, intercepts apart.
    pub sse_parallel: f64,
    pub f: f64,
    pub df1: usize,
    pub df2: usize,
    pub p: f64,
    /// `p >= alpha`: the data do not reject parallel trends.
    pub parallel: bool,
}

/// Test of parallelism of two joinpoint trends on the same periods `x` (Kim, Fay, Yu,
/// Barrett & Feuer 2004, "Comparability of segmented line regression models", Biometrics
/// 60:1005-1014): H0 the two series share joinpoints and slopes, their intercepts apart.
/// Both are fitted with k joinpoints, k the larger of the numbers each selects alone; the
/// parallel model is the grid-search fit of the mean of the two ln series (with one
/// intercept per series the shared slopes fit the mean, and
/// `SSE_parallel = 2 SSE(mean) + sum_g |c_g - c_mean|^2`, c the series less their means).
/// `F = ((SSE_par - SSE_sep) / df1) / (SSE_sep / df2)` with `df1 = 2k + 1` (separate
/// models have 2(2k + 2) parameters, joinpoints counted as NCI counts them; the parallel
/// one 2k + 3) and `df2 = 2n - 4(k + 1)`; p from the F distribution. This is the paper's
/// approximate F test; NCI Joinpoint estimates the same test's p-value by permutation.
///
/// Edge cases: series of different lengths → `LengthMismatch`; a value <= 0 →
/// `NonPositive`; no residual degree of freedom → `TooFewObservations`; separate models
/// that fit exactly → `ZeroVariance { of: "residuals" }`; and those of [`fit_joinpoint`].
pub fn joinpoint_parallelism(
    x: &[f64],
    a: &[f64],
    b: &[f64],
    options: &JoinpointOptions,
) -> Result<Parallelism, Unavailable> {
    if a.len() != b.len() {
        return Err(Unavailable::LengthMismatch);
    }
    let (fa, fb) = (fit_joinpoint(x, a, options)?, fit_joinpoint(x, b, options)?);
    let k = fa.joinpoints.len().max(fb.joinpoints.len());
    let n = x.len();
    let df2 = (2 * n).checked_sub(4 * (k + 1)).filter(|&d| d >= 1).ok_or(
        Unavailable::TooFewObservations {
            needed: 2 * (k + 1) + 1,
        },
    )?;
    let sse_with = |fit: &Joinpoint| {
        fit.models
            .iter()
            .find(|m| m.joinpoints.len() == k)
            .map(|m| m.sse)
    };
    let (Some(sse_a), Some(sse_b)) = (sse_with(&fa), sse_with(&fb)) else {
        return Err(Unavailable::NumericalFailure);
    };
    let sse_separate = sse_a + sse_b;
    let (la, lb): (Vec<f64>, Vec<f64>) = (
        a.iter().map(|v| v.ln()).collect(),
        b.iter().map(|v| v.ln()).collect(),
    );
    let mean_log: Vec<f64> = la.iter().zip(&lb).map(|(p, q)| (p + q) / 2.0).collect();
    let exactly_k = JoinpointOptions {
        max_joinpoints: k,
        selection: JoinpointSelection::Bic,
        ..*options
    };
    let mean_values: Vec<f64> = mean_log.iter().map(|v| v.exp()).collect();
    let mean_fit = fit_joinpoint(x, &mean_values, &exactly_k)?;
    let sse_mean = sse_with(&mean_fit).ok_or(Unavailable::NumericalFailure)?;
    let centred = |v: &[f64]| {
        let m = v.iter().sum::<f64>() / n as f64;
        v.iter().map(|x| x - m).collect::<Vec<f64>>()
    };
    let (ca, cb, cm) = (centred(&la), centred(&lb), centred(&mean_log));
    let spread: f64 = (0..n)
        .map(|i| (ca[i] - cm[i]).powi(2) + (cb[i] - cm[i]).powi(2))
        .sum();
    let sse_parallel = 2.0 * sse_mean + spread;
    if !is_positive(sse_separate) {
        return Err(Unavailable::ZeroVariance { of: "residuals" });
    }
    let df1 = 2 * k + 1;
    let f = ((sse_parallel - sse_separate).max(0.0) / df1 as f64) / (sse_separate / df2 as f64);
    let p = super::f_sf(f, df1 as f64, df2 as f64).ok_or(Unavailable::NumericalFailure)?;
    all_finite(&[sse_separate, sse_parallel, f, p])?;
    Ok(Parallelism {
        n,
        k,
        sse_separate,
        sse_parallel,
        f,
        df1,
        df2,
        p,
        parallel: p >= options.alpha.get(),
    })
}

/// NCI's minimum number of observations for k >= 1 joinpoints, plus one
/// residual degree of freedom.
fn feasible(n: usize, k: usize, options: &JoinpointOptions) -> bool {
    let needed = 2 * options.min_obs_end + (k - 1) * options.min_obs_between + k;
    n >= needed && 2 * k + 2 < n
}

/// Depth-first enumeration of admissible joinpoint sets with an incrementally
/// extended Cholesky factor of the augmented normal equations.
struct Search<'a> {
    u: &'a [f64],
    /// Suffix sums over i > a of 1, u, u^2, y, u*y.
    t0: Vec<f64>,
    t1: Vec<f64>,
    t2: Vec<f64>,
    ty: Vec<f64>,
    tuy: Vec<f64>,
    k_max: usize,
    min_end: usize,
    min_between: usize,
    tie: f64,
    /// Lower-triangular factor, row-major; row p is the column being tried.
    l: [[f64; MAX_COLUMNS]; MAX_COLUMNS],
    /// `1 / l[i][i]`.
    inverse_diagonal: [f64; MAX_COLUMNS],
    /// `L^{-1} X'y`, one entry per column.
    z: [f64; MAX_COLUMNS],
    /// SSE with `depth` hinges in the model.
    sse: [f64; MAX_JOINPOINTS + 1],
    positions: [usize; MAX_JOINPOINTS],
    best_sse: [f64; MAX_JOINPOINTS + 1],
    best: [[usize; MAX_JOINPOINTS]; MAX_JOINPOINTS + 1],
    found: [bool; MAX_JOINPOINTS + 1],
}

impl<'a> Search<'a> {
    fn new(u: &'a [f64], y: &[f64], k_max: usize, options: &JoinpointOptions) -> Search<'a> {
        let n = u.len();
        let mut sums = [
            vec![0.0; n],
            vec![0.0; n],
            vec![0.0; n],
            vec![0.0; n],
            vec![0.0; n],
        ];
        for a in (0..n.saturating_sub(1)).rev() {
            let (ui, yi) = (u[a + 1], y[a + 1]);
            for (sum, term) in sums.iter_mut().zip([1.0, ui, ui * ui, yi, ui * yi]) {
                sum[a] = sum[a + 1] + term;
            }
        }
        let [t0, t1, t2, ty, tuy] = sums;
        let nf = n as f64;
        let (su, suu) = (u.iter().sum::<f64>(), u.iter().map(|v| v * v).sum::<f64>());
        let (sy, suy) = (
            y.iter().sum::<f64>(),
            u.iter().zip(y).map(|(a, b)| a * b).sum::<f64>(),
        );
        let yy: f64 = y.iter().map(|v| v * v).sum();

        let mut l = [[0.0; MAX_COLUMNS]; MAX_COLUMNS];
        let mut z = [0.0; MAX_COLUMNS];
        l[0][0] = nf.sqrt();
        l[1][0] = su / l[0][0];
        l[1][1] = (suu - l[1][0] * l[1][0]).sqrt();
        z[0] = sy / l[0][0];
        z[1] = (suy - l[1][0] * z[0]) / l[1][1];
        let mut inverse_diagonal = [0.0; MAX_COLUMNS];
        inverse_diagonal[0] = 1.0 / l[0][0];
        inverse_diagonal[1] = 1.0 / l[1][1];
        let mut sse = [0.0; MAX_JOINPOINTS + 1];
        sse[0] = yy - z[0] * z[0] - z[1] * z[1];
        let mut best_sse = [f64::INFINITY; MAX_JOINPOINTS + 1];
        best_sse[0] = sse[0];
        let mut found = [false; MAX_JOINPOINTS + 1];
        found[0] = true;
        Search {
            u,
            t0,
            t1,
            t2,
            ty,
            tuy,
            k_max,
            min_end: options.min_obs_end,
            min_between: options.min_obs_between,
            tie: SSE_TIE_RELATIVE * yy,
            l,
            inverse_diagonal,
            z,
            sse,
            positions: [0; MAX_JOINPOINTS],
            best_sse,
            best: [[0; MAX_JOINPOINTS]; MAX_JOINPOINTS + 1],
            found,
        }
    }

    fn run(&mut self) {
        if self.k_max > 0 {
            self.descend(0, self.min_end);
        }
    }

    /// Try every admissible next joinpoint `b >= first` with `depth` already
    /// placed, recording each as a k = depth+1 candidate and extending it.
    fn descend(&mut self, depth: usize, first: usize) {
        let n = self.u.len();
        let Some(last) = (n - 1).checked_sub(self.min_end) else {
            return;
        };
        let p = depth + 2;
        for b in first..=last {
            let ub = self.u[b];
            let (t0, t1, t2) = (self.t0[b], self.t1[b], self.t2[b]);
            // Inner products of the hinge (u - u_b)_+ with 1, u, earlier
            // hinges, itself and y.
            let mut c = [0.0; MAX_COLUMNS];
            c[0] = t1 - ub * t0;
            c[1] = t2 - ub * t1;
            for m in 0..depth {
                let ua = self.u[self.positions[m]];
                c[2 + m] = t2 - (ua + ub) * t1 + ua * ub * t0;
            }
            let hh = t2 - 2.0 * ub * t1 + ub * ub * t0;
            let hy = self.tuy[b] - ub * self.ty[b];

            // Forward solve L w = c with the stored reciprocal diagonal: no
            // division or square root per candidate except the one below.
            let mut w = [0.0; MAX_COLUMNS];
            let mut ww = 0.0;
            let mut wz = 0.0;
            for i in 0..p {
                let mut acc = c[i];
                for (m, wm) in w.iter().enumerate().take(i) {
                    acc -= self.l[i][m] * wm;
                }
                w[i] = acc * self.inverse_diagonal[i];
                ww += w[i] * w[i];
                wz += w[i] * self.z[i];
            }
            let d2 = hh - ww;
            if d2.is_nan() || d2 <= COLLINEAR_RELATIVE * hh {
                continue;
            }
            // The new factor entry is d = sqrt(d2) and z_p = (hy - wz)/d, so
            // the SSE drops by (hy - wz)^2 / d2.
            let projection = hy - wz;
            let sse = self.sse[depth] - projection * projection / d2;
            let k = depth + 1;
            self.positions[depth] = b;
            if sse < self.best_sse[k] - self.tie {
                self.best_sse[k] = sse;
                self.best[k][..k].copy_from_slice(&self.positions[..k]);
                self.found[k] = true;
            }
            if k < self.k_max {
                let d = d2.sqrt();
                self.l[p][..p].copy_from_slice(&w[..p]);
                self.l[p][p] = d;
                self.inverse_diagonal[p] = 1.0 / d;
                self.z[p] = projection / d;
                self.sse[k] = sse;
                self.descend(k, b + self.min_between + 1);
            }
        }
    }

    fn best_positions(&self, k: usize) -> Option<&[usize]> {
        self.found[k].then(|| &self.best[k][..k])
    }
}

/// Least squares of y on [1, u, (u - u_a)_+ ...] by Householder QR.
/// Returns the coefficients (in column order) and the residual sum of
/// squares, or `None` for a rank-deficient design.
fn refit(u: &[f64], y: &[f64], positions: &[usize]) -> Option<([f64; MAX_COLUMNS], f64)> {
    let n = u.len();
    let p = positions.len() + 2;
    // Column-major design.
    let mut a = vec![0.0; n * p];
    for i in 0..n {
        a[i] = 1.0;
        a[n + i] = u[i];
        for (j, &pos) in positions.iter().enumerate() {
            a[(2 + j) * n + i] = (u[i] - u[pos]).max(0.0);
        }
    }
    let mut rhs = y.to_vec();
    for j in 0..p {
        let norm = a[j * n + j..(j + 1) * n]
            .iter()
            .map(|v| v * v)
            .sum::<f64>()
            .sqrt();
        if !is_positive(norm) {
            return None;
        }
        let diagonal = a[j * n + j];
        let alpha = if diagonal > 0.0 { -norm } else { norm };
        a[j * n + j] -= alpha;
        let v_norm2: f64 = a[j * n + j..(j + 1) * n].iter().map(|v| v * v).sum();
        if v_norm2 > 0.0 {
            let (head, tail) = a.split_at_mut((j + 1) * n);
            let v = &head[j * n + j..];
            for column in tail.chunks_exact_mut(n) {
                reflect(v, &mut column[j..], v_norm2);
            }
            reflect(v, &mut rhs[j..], v_norm2);
        }
        a[j * n + j] = alpha;
    }
    let mut coefficients = [0.0; MAX_COLUMNS];
    for j in (0..p).rev() {
        let mut acc = rhs[j];
        for c in j + 1..p {
            acc -= a[c * n + j] * coefficients[c];
        }
        coefficients[j] = acc / a[j * n + j];
    }
    let sse = rhs[p..].iter().map(|v| v * v).sum();
    coefficients[..p]
        .iter()
        .all(|c| c.is_finite())
        .then_some((coefficients, sse))
}

/// Apply the Householder reflection `I - 2 v v' / |v|^2` to `target`.
fn reflect(v: &[f64], target: &mut [f64], v_norm2: f64) {
    let dot: f64 = v.iter().zip(target.iter()).map(|(a, b)| a * b).sum();
    let factor = 2.0 * dot / v_norm2;
    for (t, vi) in target.iter_mut().zip(v) {
        *t -= factor * vi;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every admissible set of k joinpoint indices, in lexicographic order.
    fn admissible_sets(n: usize, k: usize, o: &JoinpointOptions) -> Vec<Vec<usize>> {
        let mut sets = vec![Vec::new()];
        for _ in 0..k {
            sets = sets
                .into_iter()
                .flat_map(|set: Vec<usize>| {
                    let first = set
                        .last()
                        .map_or(o.min_obs_end, |&a| a + o.min_obs_between + 1);
                    (first..n - o.min_obs_end).map(move |b| {
                        let mut longer = set.clone();
                        longer.push(b);
                        longer
                    })
                })
                .collect();
        }
        sets
    }

    /// The slow reference: every admissible set refitted by QR; earliest on ties.
    fn brute_force_best(
        u: &[f64],
        y: &[f64],
        k: usize,
        options: &JoinpointOptions,
    ) -> (Vec<usize>, f64) {
        let mut best: (Vec<usize>, f64) = (Vec::new(), f64::INFINITY);
        for set in admissible_sets(u.len(), k, options) {
            if let Some((_, sse)) = refit(u, y, &set) {
                if sse < best.1 - 1e-9 {
                    best = (set, sse);
                }
            }
        }
        best
    }

    #[test]
    fn fast_search_finds_the_brute_force_optimum() {
        // A bumpy deterministic series (no ties in SSE).
        let y: Vec<f64> = (0..25)
            .map(|i| ((i as f64) * 0.7).sin() + 0.05 * (i * i % 7) as f64)
            .collect();
        let u: Vec<f64> = (0..25).map(|i| (i as f64 - 12.0) / 24.0).collect();
        let options = JoinpointOptions {
            max_joinpoints: 3,
            ..JoinpointOptions::default()
        };
        let mut search = Search::new(&u, &y, 3, &options);
        search.run();
        for k in 1..=3 {
            let (expected, expected_sse) = brute_force_best(&u, &y, k, &options);
            let found = search.best_positions(k).unwrap_or(&[]);
            assert_eq!(found, expected.as_slice(), "k = {k}");
            let (_, sse) = refit(&u, &y, found).unwrap_or(([0.0; MAX_COLUMNS], f64::NAN));
            assert!((sse - expected_sse).abs() < 1e-12, "k = {k}");
            assert!((search.best_sse[k] - sse).abs() < 1e-10, "fast SSE k = {k}");
        }
    }

    #[test]
    fn hand_computed_two_segment_case() {
        // ln y = 0, 1, 2, 3, 2, 1, 0 on x = 0..6: exact joinpoint at x = 3
        // (index 3; admissible with min_obs_end 2), slopes +1 and -1 per year.
        let x: Vec<f64> = (0..7).map(f64::from).collect();
        let y: Vec<f64> = [0.0, 1.0, 2.0, 3.0, 2.0, 1.0, 0.0]
            .iter()
            .map(|l: &f64| l.exp())
            .collect();
        let fit = fit_joinpoint(&x, &y, &JoinpointOptions::default()).unwrap();
        assert_eq!(fit.joinpoints, vec![3.0]);
        assert!((fit.segments[0].log_slope - 1.0).abs() < 1e-12);
        assert!((fit.segments[1].log_slope + 1.0).abs() < 1e-12);
        // Equal-length segments with slopes +1 and -1 average to 0: AAPC 0.
        assert!(fit.aapc.abs() < 1e-10);
        // n = 7 allows k = 1 (needs 5) but not k = 2 (needs 8).
        assert_eq!(fit.max_joinpoints_considered, 1);
        // The k = 0 line is flat (symmetric data): SSE = sum (l - 9/7)^2 = 52/7.
        let mean = 9.0 / 7.0;
        let sse0: f64 = [0.0, 1.0, 2.0, 3.0, 2.0, 1.0, 0.0]
            .iter()
            .map(|l: &f64| (l - mean).powi(2))
            .sum();
        assert!((fit.models[0].sse - sse0).abs() < 1e-12);
        assert!((sse0 - 52.0 / 7.0).abs() < 1e-12);
    }

    #[test]
    fn constant_series_selects_no_joinpoint() {
        let x: Vec<f64> = (0..12).map(f64::from).collect();
        let fit = fit_joinpoint(&x, &[5.0; 12], &JoinpointOptions::default()).unwrap();
        assert!(fit.joinpoints.is_empty());
        assert_eq!(fit.segments[0].apc, 0.0);
    }

    #[test]
    fn bad_options_are_reasons() {
        let x = [1.0, 2.0, 3.0];
        let options = JoinpointOptions {
            min_obs_end: 0,
            ..JoinpointOptions::default()
        };
        assert!(matches!(
            fit_joinpoint(&x, &x, &options),
            Err(Unavailable::InvalidParameter(_))
        ));
        let options = JoinpointOptions {
            max_joinpoints: 10,
            ..JoinpointOptions::default()
        };
        assert!(matches!(
            fit_joinpoint(&x, &x, &options),
            Err(Unavailable::InvalidParameter(_))
        ));
    }

    /// A series with a clear change: +10 %/year then -15 %/year, with small multiplicative
    /// noise from a fixed sequence.
    fn two_segments() -> (Vec<f64>, Vec<f64>) {
        let noise = [
            0.02, -0.03, 0.01, 0.04, -0.02, 0.0, -0.01, 0.03, -0.04, 0.02, 0.01, -0.02, 0.03,
            -0.01, 0.0, 0.02,
        ];
        let x: Vec<f64> = (2000..2016).map(f64::from).collect();
        let y = x
            .iter()
            .zip(noise)
            .map(|(&t, e)| {
                100.0
                    * 1.1f64.powf(t.min(2007.0) - 2000.0)
                    * 0.85f64.powf((t - 2007.0).max(0.0))
                    * (1.0 + e)
            })
            .collect();
        (x, y)
    }

    fn permutation(max_joinpoints: usize) -> JoinpointOptions {
        JoinpointOptions {
            max_joinpoints,
            selection: JoinpointSelection::Permutation {
                permutations: 199,
                seed: 7160,
            },
            ..JoinpointOptions::default()
        }
    }

    #[test]
    fn permutation_tests_find_a_clear_change_and_follow_the_sequence() {
        let (x, y) = two_segments();
        let fit = fit_joinpoint(&x, &y, &permutation(2)).unwrap();
        assert_eq!(fit.joinpoints, vec![2007.0]);
        // 0 vs 2 rejected at alpha / 2, then 1 vs 2 not rejected at alpha / 1.
        let steps: Vec<(usize, usize, f64)> = fit
            .tests
            .iter()
            .map(|t| (t.k_null, t.k_alt, t.level))
            .collect();
        assert_eq!(steps, vec![(0, 2, 0.025), (1, 2, 0.05)]);
        assert!(
            fit.tests[0].p < 0.025 && fit.tests[1].p >= 0.05,
            "{:?}",
            fit.tests
        );
        // The smallest p a test can give is 1 / (1 + permutations).
        assert!(fit.tests[0].p >= 1.0 / 200.0);
        // Reproducible: the same seed gives the same tests.
        assert_eq!(
            fit_joinpoint(&x, &y, &permutation(2)).unwrap().tests,
            fit.tests
        );
    }

    #[test]
    fn permutation_tests_keep_a_straight_line_straight() {
        // A log-linear series with noise: no joinpoint is significant.
        let noise = [
            0.03, -0.02, 0.01, -0.04, 0.02, 0.0, 0.03, -0.01, -0.03, 0.02, 0.01, -0.02,
        ];
        let x: Vec<f64> = (2000..2012).map(f64::from).collect();
        let y: Vec<f64> = x
            .iter()
            .zip(noise)
            .map(|(&t, e)| 50.0 * 1.05f64.powf(t - 2000.0) * (1.0 + e))
            .collect();
        let fit = fit_joinpoint(&x, &y, &permutation(2)).unwrap();
        assert!(fit.joinpoints.is_empty(), "{:?}", fit.tests);
        assert_eq!(fit.tests.len(), 2, "0 vs 2, then 0 vs 1");
        assert_eq!((fit.tests[1].k_null, fit.tests[1].k_alt), (0, 1));
    }

    #[test]
    fn intervals_hold_the_apcs_and_need_degrees_of_freedom() {
        let (x, y) = two_segments();
        let fit = fit_joinpoint(&x, &y, &JoinpointOptions::default()).unwrap();
        // 16 observations, 1 on the joinpoint: n* = 15, d = 15 - 4.
        assert_eq!(fit.interval_df, Some(11));
        for s in &fit.segments {
            let (lo, hi) = (s.apc_lo.unwrap(), s.apc_hi.unwrap());
            assert!(lo < s.apc && s.apc < hi, "{s:?}");
        }
        assert!(fit.aapc_lo.unwrap() < fit.aapc && fit.aapc < fit.aapc_hi.unwrap());
        // Three points on a line: one degree of freedom, intervals of zero width.
        let line = fit_joinpoint(
            &[1.0, 2.0, 3.0],
            &[1.0, 2.0, 4.0],
            &JoinpointOptions::default(),
        )
        .unwrap();
        assert_eq!(line.interval_df, Some(1));
    }

    #[test]
    fn nci_limits_by_length() {
        assert_eq!(nci_max_joinpoints(0), 0);
        assert_eq!(nci_max_joinpoints(16), 2);
        assert_eq!(nci_max_joinpoints(17), 3);
        assert_eq!(nci_max_joinpoints(1000), 7);
    }

    #[test]
    fn parallel_series_are_parallel_and_crossing_ones_are_not() {
        let (x, y) = two_segments();
        // The same trend at three times the level: parallel, whatever the noise.
        let scaled: Vec<f64> = y.iter().rev().map(|v| 3.0 * v).rev().collect();
        let same = joinpoint_parallelism(&x, &y, &scaled, &JoinpointOptions::default()).unwrap();
        assert!(same.parallel && same.f < 1e-9, "{same:?}");
        assert_eq!((same.k, same.df1, same.df2), (1, 3, 24));
        // A series that keeps rising: not parallel to one that turns down.
        let rising: Vec<f64> = x.iter().map(|&t| 80.0 * 1.08f64.powf(t - 2000.0)).collect();
        let noisy: Vec<f64> = rising
            .iter()
            .zip(&y)
            .map(|(r, v)| r * (1.0 + 0.01 * (v % 1.0)))
            .collect();
        let apart = joinpoint_parallelism(&x, &y, &noisy, &JoinpointOptions::default()).unwrap();
        assert!(!apart.parallel && apart.p < 1e-6, "{apart:?}");
    }
}
