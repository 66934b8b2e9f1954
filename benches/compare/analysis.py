#!/usr/bin/env python3
"""The routetrend trends table, written the way a researcher would write it in Python today.

    python3 analysis.py OBSERVATIONS.parquet OUT.csv

Reads a routetrend observation table (columns indicator, geo, drug, dimension, category, freq,
unit, period, x, value) with pandas, groups it by series (indicator, geo, drug, dimension,
category, freq, unit) and, for each series over its whole span (one window), computes with
the usual libraries:

  n, n_missing, first/last value, change_pct, cagr_pct      plain arithmetic
  ols_slope, _lo, _hi, ols_p, ols_r2                        statsmodels OLS(y, add_constant(x))
  apc, apc_lo, apc_hi, apc_p                                statsmodels OLS on log(y), all y > 0
  mk_s, mk_var_s, mk_z, mk_p, mk_tau_a, trend               pymannkendall.original_test
  mk_hr_p, mk_yw_p, mk_tfpw_p (+ their z: mk_hr_z, ...)    pymannkendall hamed_rao /
                                                            yue_wang(lag=1) / TFPW
  sen_slope (+ sen_lo_scipy, sen_hi_scipy)                  scipy.stats.theilslopes(y, x)
  sen_lo, sen_hi                                            R trend::sens.slope rule
  pettitt_k, pettitt_period, pettitt_p                      numpy transcription of R
                                                            trend::pettitt.test
  jp_k, jp_periods, jp_apcs, aapc                           0..2 joinpoints, exhaustive grid,
                                                            numpy lstsq on log(y), BIC

and writes one CSV row per series (column names as routetrend's TREND_COLUMNS where the
quantity is the same). Deliberately a "typical researcher" script: a pandas groupby and a
plain loop of per-series library calls, no vectorisation across series, one process.

Differences from routetrend that are conventions, not bugs, are kept (they are what the
comparison is for): pymannkendall computes p as 2 * (1 - norm.cdf(|z|)) (routetrend: the
survival function), and its Tau is tau-a (routetrend: tau-b), so it is written as mk_tau_a.
"""

import sys
import warnings

import numpy as np
import pandas as pd
import pymannkendall as mk
import statsmodels.api as sm
from scipy import stats

warnings.filterwarnings("ignore")  # RuntimeWarnings from constant or short series

ALPHA = 0.05
KEYS = ["indicator", "geo", "drug", "dimension", "category", "freq", "unit"]


def ols(x, y):
    """statsmodels OLS y = a + b x: slope, CI, p, R^2."""
    fit = sm.OLS(y, sm.add_constant(x, has_constant="add")).fit()
    lo, hi = fit.conf_int(alpha=ALPHA)[1]
    return fit.params[1], lo, hi, fit.pvalues[1], fit.rsquared


def apc(x, y):
    """Annual percent change: OLS on log y (NCI Joinpoint zero-joinpoint model)."""
    fit = sm.OLS(np.log(y), sm.add_constant(x, has_constant="add")).fit()
    b = fit.params[1]
    lo, hi = fit.conf_int(alpha=ALPHA)[1]
    return 100 * (np.exp(b) - 1), 100 * (np.exp(lo) - 1), 100 * (np.exp(hi) - 1), fit.pvalues[1]


def mk_variance(y):
    """Tie-corrected Var(S) of Mann-Kendall, as R trend::sens.slope computes it."""
    n = len(y)
    _, t = np.unique(y, return_counts=True)
    return (n * (n - 1) * (2 * n + 5) - np.sum(t * (t - 1) * (2 * t + 5))) / 18


def sen_ci_r(x, y, var_s):
    """Confidence interval of Sen's slope as R trend::sens.slope: C = z * sqrt(Var(S)),
    lower = sorted slopes[round((N - C)/2)], upper = [round((N + C)/2 + 1)], 1-based; a rank
    outside 1..N gives no bound (R: NA / numeric(0)). Slopes on real x."""
    i, j = np.triu_indices(len(y), k=1)
    d = np.sort((y[j] - y[i]) / (x[j] - x[i]))
    big_n = len(d)
    c = stats.norm.ppf(1 - ALPHA / 2) * np.sqrt(var_s)
    r_lo, r_hi = round((big_n - c) / 2), round((big_n + c) / 2 + 1)  # round half to even, as R
    lo = d[r_lo - 1] if 1 <= r_lo <= big_n else np.nan
    hi = d[r_hi - 1] if 1 <= r_hi <= big_n else np.nan
    return lo, hi


def pettitt(y):
    """R trend::pettitt.test, line by line:
    r <- rank(x); Uk <- sapply(k, function(x) 2 * sum(r[1:x]) - x * (n + 1));
    U <- max(abs(Uk)); K <- k[abs(Uk) == U]; p <- min(1, 2 * exp(-6 * U^2 / (n^3 + n^2)))."""
    n = len(y)
    r = stats.rankdata(y)
    k = np.arange(1, n + 1)
    uk = np.array([2 * np.sum(r[:kk]) - kk * (n + 1) for kk in k])
    u = np.max(np.abs(uk))
    change = k[np.abs(uk) == u][0]  # R returns every tied k; the first one
    p = min(1.0, 2.0 * np.exp(-6.0 * u**2 / (n**3 + n**2)))
    return int(u), change, p


def joinpoint(x, y, max_k=2, min_end=2, min_between=2):
    """Segmented log-linear regression, 0..max_k joinpoints at observed x, exhaustive grid
    search (numpy lstsq) minimising SSE; at least `min_end` observations before the first
    and after the last joinpoint (the end observations count, the joinpoint does not) and
    `min_between` between two joinpoints; k chosen by
    BIC(k) = ln(SSE/n) + 2 (k+1) ln(n) / n, ties to fewer joinpoints."""
    n = len(y)
    ly = np.log(y)

    def fit(jps):
        cols = [np.ones(n), x] + [np.clip(x - x[j], 0, None) for j in jps]
        X = np.column_stack(cols)
        coef = np.linalg.lstsq(X, ly, rcond=None)[0]
        return coef, float(np.sum((ly - X @ coef) ** 2))

    def feasible(k):
        return n >= 2 * min_end + (k - 1) * min_between + k and 2 * k + 2 < n

    k_max = 0
    while k_max < max_k and feasible(k_max + 1):
        k_max += 1

    best = {0: ((), *fit(()))}
    if k_max >= 1:
        for b1 in range(min_end, n - min_end):
            coef, sse = fit((b1,))
            if 1 not in best or sse < best[1][2]:
                best[1] = ((b1,), coef, sse)
            if k_max >= 2:
                for b2 in range(b1 + min_between + 1, n - min_end):
                    coef, sse = fit((b1, b2))
                    if 2 not in best or sse < best[2][2]:
                        best[2] = ((b1, b2), coef, sse)
    chosen, chosen_bic = None, np.inf
    for k in sorted(best):
        jps, coef, sse = best[k]
        bic = np.log(sse / n) + 2 * (k + 1) * np.log(n) / n
        if bic < chosen_bic:
            chosen, chosen_bic = k, bic
    jps, coef, _ = best[chosen]
    slopes = np.cumsum(coef[1:])  # slope of each segment on the log scale
    bounds = [x[0]] + [x[j] for j in jps] + [x[-1]]
    widths = np.diff(bounds)
    apcs = 100 * (np.exp(slopes) - 1)
    aapc = 100 * (np.exp(np.sum(widths * slopes) / np.sum(widths)) - 1)
    return chosen, list(jps), list(apcs), aapc


def analyse(key, g):
    g = g.sort_values("x")
    x = g["x"].to_numpy(dtype=float)
    y = g["value"].to_numpy(dtype=float)
    periods = g["period"].tolist()
    n = len(y)
    row = dict(zip(KEYS, key))
    row["window_start"], row["window_end"] = periods[0], periods[-1]
    row["n"] = n
    per_year = 4 if key[KEYS.index("freq")] == "Q" else 1
    row["n_missing"] = int(round((x[-1] - x[0]) * per_year)) + 1 - n
    row["first_value"], row["last_value"] = y[0], y[-1]
    if n >= 2 and y[0] != 0:
        row["change_pct"] = 100 * (y[-1] - y[0]) / y[0]
    if n >= 2 and y[0] > 0 and y[-1] >= 0:
        row["cagr_pct"] = 100 * ((y[-1] / y[0]) ** (1 / (x[-1] - x[0])) - 1)
    if n >= 2:  # Sen's slope needs one pair
        ts = stats.theilslopes(y, x, alpha=1 - ALPHA)
        row["sen_slope"] = ts.slope
        row["sen_lo"], row["sen_hi"] = sen_ci_r(x, y, mk_variance(y))
        row["sen_lo_scipy"], row["sen_hi_scipy"] = ts.low_slope, ts.high_slope
    if n < 3:
        return row

    (row["ols_slope"], row["ols_slope_lo"], row["ols_slope_hi"], row["ols_p"],
     row["ols_r2"]) = ols(x, y)
    positive = bool(np.all(y > 0))
    if positive:
        row["apc"], row["apc_lo"], row["apc_hi"], row["apc_p"] = apc(x, y)

    res = mk.original_test(y, alpha=ALPHA)
    row["mk_s"], row["mk_var_s"], row["mk_z"], row["mk_p"] = int(res.s), res.var_s, res.z, res.p
    row["mk_tau_a"] = res.Tau
    row["trend"] = res.trend
    hr = mk.hamed_rao_modification_test(y, alpha=ALPHA)
    yw = mk.yue_wang_modification_test(y, alpha=ALPHA, lag=1)
    row["mk_hr_p"], row["mk_hr_z"] = hr.p, hr.z
    row["mk_yw_p"], row["mk_yw_z"] = yw.p, yw.z
    if n >= 4:
        tfpw = mk.trend_free_pre_whitening_modification_test(y, alpha=ALPHA)
        row["mk_tfpw_p"], row["mk_tfpw_z"] = tfpw.p, tfpw.z

    row["pettitt_k"], change, row["pettitt_p"] = pettitt(y)
    row["pettitt_period"] = periods[change - 1]

    if positive:
        k, jps, apcs, aapc = joinpoint(x, y)
        row["jp_k"] = k
        row["jp_periods"] = ";".join(periods[j] for j in jps)
        row["jp_apcs"] = ";".join(repr(float(a)) for a in apcs)
        row["aapc"] = aapc
    return row


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: analysis.py OBSERVATIONS.parquet OUT.csv")
    obs = pd.read_parquet(sys.argv[1], columns=KEYS + ["period", "x", "value"])
    rows = []
    # dropna=False: drug, dimension and category are null for most series; the default
    # groupby would silently drop every such series.
    for key, g in obs.groupby(KEYS, dropna=False, sort=True):
        key = tuple(None if pd.isna(k) else k for k in key)
        rows.append(analyse(key, g))
    out = pd.DataFrame(rows)
    for c in ["n", "n_missing", "mk_s", "pettitt_k", "jp_k"]:
        if c in out:
            out[c] = out[c].astype("Int64")
    out.to_csv(sys.argv[2], index=False)
    print(f"{len(out)} series -> {sys.argv[2]}", file=sys.stderr)


if __name__ == "__main__":
    main()
