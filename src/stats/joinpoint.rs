//! Joinpoint regression: a continuous piecewise log-linear trend whose slope
//! may change at up to K observed periods, chosen by exhaustive grid search
//! and BIC (NCI Joinpoint's grid-search method with BIC selection, without
//! its permutation tests, weights or autocorrelated errors). Reports each
//! segment's annual percent change and the average annual percent change
//! over the window. For a single trend use `log_linear`.
//!
//! Speed: every candidate set of joinpoints is scored in O(k) from suffix
//! sums of `1, u, u^2, y, u y` (u the rescaled time) by extending a Cholesky
//! factor of the normal equations one hinge column at a time during a
//! depth-first enumeration, so a k = 2 candidate costs a few dozen flops.
//! The best set for each k is then refitted by Householder QR, whose residual
//! sum of squares is what the BIC and the report use.

use super::input::{all_finite, check_series, is_positive};
use super::Unavailable;

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

/// Search limits, NCI Joinpoint's "Method and Parameters" settings.
///
/// ```
/// use routetrend::stats::JoinpointOptions;
///
/// let options = JoinpointOptions::default();
/// assert_eq!((options.max_joinpoints, options.min_obs_end, options.min_obs_between), (2, 2, 2));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
}

impl Default for JoinpointOptions {
    fn default() -> JoinpointOptions {
        JoinpointOptions {
            max_joinpoints: 2,
            min_obs_end: 2,
            min_obs_between: 2,
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
    let mut selected: Option<(usize, f64, [f64; MAX_COLUMNS])> = None;
    for k in 0..=k_max {
        let Some(positions) = search.best_positions(k) else {
            continue;
        };
        let Some((coefficients, sse)) = refit(&u, &y, positions) else {
            continue;
        };
        let bic = (sse.max(sse_floor) / nf).ln() + penalty(k);
        all_finite(&[sse, bic])?;
        if selected.is_none_or(|(_, best_bic, _)| bic < best_bic) {
            selected = Some((k, bic, coefficients));
        }
        models.push(JoinpointModel {
            joinpoints: positions.iter().map(|&a| x[a]).collect(),
            sse,
            bic,
        });
    }
    // k = 0 always has a candidate (the plain line), and its refit succeeds
    // because x is strictly increasing with n >= 3.
    let (k, _, coefficients) = selected.ok_or(Unavailable::NumericalFailure)?;
    let joinpoints = models
        .iter()
        .find(|m| m.joinpoints.len() == k)
        .map(|m| m.joinpoints.clone())
        .unwrap_or_default();

    let mut segments = Vec::with_capacity(k + 1);
    let mut slope_u = coefficients[1];
    let mut start_x = x[0];
    let mut weighted = 0.0;
    for i in 0..=k {
        let end_x = if i < k { joinpoints[i] } else { x[n - 1] };
        let log_slope = slope_u / scale;
        weighted += (end_x - start_x) * log_slope;
        segments.push(JoinpointSegment {
            start_x,
            end_x,
            log_slope,
            apc: 100.0 * log_slope.exp_m1(),
        });
        if i < k {
            slope_u += coefficients[2 + i];
        }
        start_x = end_x;
    }
    let aapc = 100.0 * (weighted / (x[n - 1] - x[0])).exp_m1();
    all_finite(&[aapc])?;
    for segment in &segments {
        all_finite(&[segment.log_slope, segment.apc])?;
    }
    Ok(Joinpoint {
        n,
        joinpoints,
        segments,
        aapc,
        max_joinpoints_considered: k_max,
        models,
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
}
