#!/usr/bin/env python3
"""Build tests/reference/expected.json: reference values for routetrend::stats.

Run from anywhere:  python3 tests/reference/generate.py
Needs (pip): pymannkendall==1.4.3 scipy==1.17.1 statsmodels==0.15.0 numpy pandas.
The output is committed; tests never touch the network or Python.

Every expected value is written as {"value": v, "ref": "<library version: call>"}.
Where no Python library implements a convention (R trend's Sen interval and
Pettitt test, R's prop.trend.test, NCI Joinpoint) the value comes from a
transparent numpy transcription of the published formula or R source, defined
below and named in the "ref"; R itself is not available on this machine.

Unavailable results (the Rust side returns a typed reason) are written as
{"unavailable": "<reason as Unavailable's Display>", "unavailable_ref": why}.
"""

import csv
import importlib.metadata
import itertools
import json
import os
import sys
import warnings

import numpy as np
import pymannkendall as mk
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.proportion import proportions_ztest
from statsmodels.tsa.stattools import ccf

HERE = os.path.dirname(os.path.abspath(__file__))
# The project's sourced seizure series (converted from the sourced figures with their
# citations, see data/raw/SOURCES.md); annual rows only.
SEIZURES = os.path.join(HERE, "..", "..", "data", "raw", "seizures.csv")

V = {p: importlib.metadata.version(p) for p in ["pymannkendall", "scipy", "statsmodels", "numpy"]}
PMK = f"pymannkendall {V['pymannkendall']}"
SCIPY = f"scipy {V['scipy']}"
SM = f"statsmodels {V['statsmodels']}"
NUMPY = f"numpy {V['numpy']}"

warnings.filterwarnings("ignore")  # pymannkendall's 0/0 warnings are part of what we record


def q(value, ref):
    """One expected quantity; NaN is never written (it becomes null + a note)."""
    if value is None:
        return {"value": None, "ref": ref}
    if isinstance(value, str):
        return {"value": value, "ref": ref}
    value = float(value)
    if not np.isfinite(value):
        return {"value": None, "ref": ref + " [library returns non-finite; expected null]"}
    return {"value": value, "ref": ref}


def unavailable(reason, why):
    return {"unavailable": reason, "unavailable_ref": why, "values": {}}


def ok(values):
    return {"unavailable": None, "values": values}


# --------------------------------------------------------------------------
# Series
# --------------------------------------------------------------------------

def seizure_series(iso3, drug, first=None, last=None):
    xs, ys = [], []
    with open(SEIZURES, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if (row["indicator"] == "seizures" and row["geo"] == iso3
                    and row["drug"] == drug and row["period"].isdigit()):
                year = int(row["period"])
                if (first is None or year >= first) and (last is None or year <= last):
                    xs.append(float(year))
                    ys.append(float(row["value"]))
    order = np.argsort(xs)
    return [xs[i] for i in order], [ys[i] for i in order]


def years(start, n):
    return [float(start + i) for i in range(n)]


def build_series():
    rng = np.random.default_rng(20261129)
    series = []

    def add(name, x, y, description, joinpoint=True):
        series.append({
            "name": name,
            "description": description,
            "x": [float(v) for v in x],
            "y": [float(v) for v in y],
            "joinpoint": joinpoint,
        })

    add("one_point", [2000.0], [5.0], "n = 1")
    add("two_points", [2000.0, 2001.0], [3.0, 4.0], "n = 2")
    add("three_points", [2000.0, 2001.0, 2002.0], [3.0, 4.5, 4.0], "n = 3, the smallest testable")
    add("short_up_5", years(2010, 5), [2.0, 2.6, 3.1, 3.9, 5.2], "short, monotone up")
    add("exact_line_5", years(2010, 5), [1.0, 2.0, 3.0, 4.0, 5.0],
        "exact line: Sen-detrended residuals constant, OLS perfect fit")
    add("short_down_6", years(2016, 6), [40.0, 33.5, 35.0, 21.0, 18.2, 11.0], "short, decreasing")
    add("short_noisy_7", years(2015, 7), [5.0, 7.5, 4.1, 6.6, 5.9, 8.2, 6.0], "short, noisy")
    add("short_8", years(2014, 8), [12.0, 15.0, 14.0, 19.0, 23.0, 21.0, 27.0, 30.0], "short, rising")
    add("constant_10", years(2000, 10), [7.5] * 10, "constant series")
    add("heavy_ties_20", years(2000, 20), rng.integers(1, 4, size=20).astype(float),
        "values in {1, 2, 3}: heavy ties")
    add("with_zero_12", years(2005, 12),
        [120.0, 95.0, 130.0, 0.0, 80.0, 60.0, 75.0, 40.0, 52.0, 30.0, 33.0, 20.0],
        "seizure-shaped with a zero (no APC / joinpoint)")
    gap_years = [2000, 2001, 2003, 2004, 2005, 2008, 2009, 2010, 2012, 2015, 2016, 2017, 2019, 2020, 2022]
    add("gaps_irregular_15", [float(v) for v in gap_years],
        [float(np.exp(4.0 + 0.06 * (t - 2000) + 0.25 * rng.normal())) for t in gap_years],
        "irregular x (missing years are gaps, not zeros)")
    step = np.concatenate([10 + rng.normal(0, 1.5, 15), 20 + rng.normal(0, 1.5, 15)])
    add("step_change_30", years(1993, 30), np.round(step, 3), "level shift after 15 years")

    def ar1_trend(n, phi, slope, sigma):
        e = np.zeros(n)
        for t in range(1, n):
            e[t] = phi * e[t - 1] + rng.normal(0, sigma)
        return np.exp(3.0 + slope * np.arange(n) + e)

    add("ar1_trend_40", years(1983, 40), ar1_trend(40, 0.7, 0.02, 0.15),
        "AR(1) phi = 0.7 around a log-linear trend, n = 40")
    add("ar1_trend_200", [1800.0 + 0.25 * i for i in range(200)], ar1_trend(200, 0.6, 0.004, 0.1),
        "AR(1) phi = 0.6, n = 200, quarterly x from 1800.0")
    add("noise_200", years(1823, 200), 50 + rng.normal(0, 5, 200), "white noise, n = 200",
        joinpoint=False)
    add("quarterly_24", [2010.0 + 0.25 * i for i in range(24)],
        np.round(100 * np.exp(-0.08 * 0.25 * np.arange(24) + rng.normal(0, 0.1, 24)), 2),
        "quarterly x = 2010.0, 2010.25, ...: slopes are per year")
    add("monotone_up_40", years(1983, 40), np.cumsum(rng.uniform(0.1, 2.0, 40)) + 5,
        "strictly increasing, n = 40")
    add("monotone_down_40", years(1983, 40), 200 - np.cumsum(rng.uniform(0.1, 2.0, 40)),
        "strictly decreasing, n = 40")
    add("alternating_10", years(2000, 10),
        [1.009, -0.836, 0.779, -1.049, 0.855, -0.82, 1.012, -1.088, 0.765, -1.077],
        "strongly alternating: Hamed-Rao and Yue-Wang n/n* <= 0", joinpoint=False)

    # Exactly piecewise log-linear: the joinpoint search must recover it.
    x = np.array(years(2000, 20))
    ly = np.log(500.0) + 0.12 * (x - 2000) - 0.30 * np.maximum(x - 2008, 0) + 0.25 * np.maximum(x - 2014, 0)
    add("piecewise_exact_2jp_20", x, np.exp(ly), "exact: +12.7 %/yr, -16.5 %/yr from 2008, +7.3 %/yr from 2014")
    x = np.array(years(1990, 13))
    ly = np.log(80.0) - 0.05 * (x - 1990) + 0.20 * np.maximum(x - 1996, 0)
    add("piecewise_exact_1jp_13", x, np.exp(ly), "exact: -4.9 %/yr, +16.2 %/yr from 1996")

    for name, (iso3, drug, first, last), description in [
        ("rus_heroin_2000_2022", ("RUS", "heroin", 2000, 2022), "RUS heroin kg 2000-2022"),
        ("rus_heroin_2010_2016", ("RUS", "heroin", 2010, 2016), "RUS heroin kg 2010-2016 only"),
        ("tjk_heroin", ("TJK", "heroin", None, None), "TJK heroin kg"),
        ("kaz_cannabis_herb", ("KAZ", "cannabis_herb", None, None), "KAZ cannabis herb kg"),
        ("kaz_opium_gap", ("KAZ", "opium", None, None), "KAZ opium kg, 2015 missing (a gap)"),
        ("kaz_morphine_zeros", ("KAZ", "morphine", None, None), "KAZ morphine kg: gaps and zeros"),
    ]:
        xs, ys = seizure_series(iso3, drug, first, last)
        add(name, xs, ys, description + " (data/raw/seizures.csv)")
    return series


# --------------------------------------------------------------------------
# Transcriptions (no library implements these conventions)
# --------------------------------------------------------------------------

def pmk_acf(x, nlags):
    """pymannkendall 1.4.3 __acf, verbatim."""
    y = x - x.mean()
    n = len(x)
    d = n * np.ones(2 * n - 1)
    acov = (np.correlate(y, y, "full") / d)[n - 1:]
    return acov[: nlags + 1] / acov[0]


def pmk_sen_index(y):
    """pymannkendall 1.4.3 sens_slope slope (index spacing)."""
    return mk.sens_slope(y).slope


def r_sens_slope_ci(x, y, conf_level):
    """R trend 1.1.6 sens.slope interval, transcribed, with real-x slopes (STATISTICS.md).

    R: t <- table(x); varS <- .varmk(t, n); C <- qnorm(1 - (1-conf.level)/2) * sqrt(varS);
       rank.up <- round((k + C)/2 + 1); rank.lo <- round((k - C)/2); rank.d <- sort(d)
    np.round rounds half to even, as R's round(). A rank outside 1..k -> None.
    """
    x, y = np.asarray(x), np.asarray(y)
    n = len(y)
    _, t = np.unique(y, return_counts=True)
    var_s = (n * (n - 1) * (2 * n + 5) - np.sum(t * (t - 1) * (2 * t + 5))) / 18
    d = np.array([(y[j] - y[i]) / (x[j] - x[i]) for i in range(n - 1) for j in range(i + 1, n)])
    k = len(d)
    c = stats.norm.ppf(1 - (1 - conf_level) / 2) * np.sqrt(var_s)
    rank_up = np.round((k + c) / 2 + 1)
    rank_lo = np.round((k - c) / 2)
    d = np.sort(d)
    pick = lambda r: float(d[int(r) - 1]) if 1 <= r <= k else None
    return pick(rank_lo), pick(rank_up)


def r_pettitt(y):
    """R trend 1.1.6 pettitt.test, transcribed.

    r <- rank(x); Uk <- sapply(1:n, function(x) 2*sum(r[1:x]) - x*(n+1)); U <- max(abs(Uk));
    K <- k[abs(Uk) == U] (first one); pval <- min(1, 2*exp(-6*U^2/(n^3+n^2)))
    """
    y = np.asarray(y)
    n = len(y)
    r = stats.rankdata(y)  # average ties, as R's rank()
    uk = np.array([2 * np.sum(r[:k]) - k * (n + 1) for k in range(1, n + 1)])
    u = np.max(np.abs(uk))
    first_k = int(np.flatnonzero(np.abs(uk) == u)[0]) + 1
    pval = min(1.0, 2.0 * np.exp(-6.0 * u**2 / (n**3 + n**2)))
    return u, first_k, pval


def r_prop_trend_test(counts, totals, score):
    """R stats prop.trend.test, transcribed: its weighted-regression form.

    p <- sum(x)/sum(n); w <- n/p/(1-p);
    a <- anova(lm(freq ~ score, data = list(freq = x/n, score = score), weights = w))
    chisq <- a["score", "Sum Sq"]; pval <- pchisq(chisq, 1, lower.tail = FALSE)
    The signed z is sign(weighted slope) * sqrt(chisq).
    """
    counts, totals, score = map(lambda a: np.asarray(a, dtype=float), (counts, totals, score))
    p = counts.sum() / totals.sum()
    w = totals / p / (1 - p)
    freq = counts / totals
    fit = sm.WLS(freq, sm.add_constant(score), weights=w).fit()
    wmean = np.sum(w * freq) / np.sum(w)
    chisq = float(np.sum(w * (fit.fittedvalues - wmean) ** 2))
    z = float(np.sign(fit.params[1]) * np.sqrt(chisq))
    return p, z, chisq, float(stats.chi2.sf(chisq, 1))


JOINPOINT_EXACT_FIT_LOG_RESIDUAL = 1e-9  # same floor as the Rust constant EXACT_FIT_LOG_RESIDUAL


def joinpoint_brute_force(x, y, max_k=2, min_end=2, min_between=2):
    """Exhaustive joinpoint search with numpy.linalg.lstsq on every admissible set.

    Model, admissibility (NCI's NumObsEnd / NumObsBetween), K lowering and BIC are
    those of STATISTICS.md / NCI Joinpoint help; see routetrend::stats::fit_joinpoint.
    """
    x, y = np.asarray(x, float), np.asarray(y, float)
    n = len(x)
    ly = np.log(y)
    u = x - x.mean()

    def feasible(k):
        return k == 0 or (n >= 2 * min_end + (k - 1) * min_between + k and 2 * k + 2 < n)

    k_max = 0
    while k_max < max_k and feasible(k_max + 1):
        k_max += 1
    floor = n * (JOINPOINT_EXACT_FIT_LOG_RESIDUAL * (1 + np.max(np.abs(ly)))) ** 2
    models = []
    for k in range(k_max + 1):
        best = None
        for combo in itertools.combinations(range(n), k):
            if k and (combo[0] < min_end or n - 1 - combo[-1] < min_end):
                continue
            if any(b - a - 1 < min_between for a, b in zip(combo, combo[1:])):
                continue
            cols = [np.ones(n), u] + [np.maximum(u - u[a], 0) for a in combo]
            design = np.column_stack(cols)
            beta = np.linalg.lstsq(design, ly, rcond=None)[0]
            sse = float(np.sum((ly - design @ beta) ** 2))
            if best is None or sse < best[0] - 1e-10 * np.sum((ly - ly.mean()) ** 2):
                best = (sse, combo, beta)
        sse, combo, beta = best
        bic = np.log(max(sse, floor) / n) + 2 * (k + 1) * np.log(n) / n
        models.append({"k": k, "sse": sse, "bic": bic, "joinpoints": [x[a] for a in combo], "beta": beta})
    chosen = min(models, key=lambda m: (m["bic"], m["k"]))
    slopes = np.cumsum(np.concatenate([[chosen["beta"][1]], chosen["beta"][2:]]))
    bounds = [x[0]] + chosen["joinpoints"] + [x[-1]]
    widths = np.diff(bounds)
    aapc = 100 * np.expm1(np.sum(widths * slopes) / np.sum(widths))
    return k_max, models, chosen, slopes, aapc


def nci_parametric_intervals(x, y, joinpoints, slopes, alpha):
    """NCI Joinpoint's parametric intervals, transcribed from its help page "Estimated
    Regression Coefficients (Beta)": delete the observations on joinpoints, fit each segment
    by its own unconstrained OLS line on ln y (numpy.polyfit), pool the residual variance
    over d = n* - 2(k+1) degrees of freedom, se_i = s / sqrt(Sxx_i); APC interval
    100 (exp(b_i -/+ t_{1-alpha/2, d} se_i) - 1) around the constrained slope b_i. AAPC
    (Clegg et al. 2009): Var = sum w_i^2 se_i^2 / (sum w_i)^2, normal quantile across
    segments, t within one."""
    x, ly = np.asarray(x, float), np.log(np.asarray(y, float))
    n, k = len(x), len(joinpoints)
    cut = [int(np.where(x == j)[0][0]) for j in joinpoints]
    bounds = [0] + cut + [n - 1]
    sse, sxx, kept = 0.0, [], 0
    for i in range(k + 1):
        lo = 0 if i == 0 else bounds[i] + 1
        hi = n - 1 if i == k else bounds[i + 1] - 1
        xs, ys = x[lo:hi + 1], ly[lo:hi + 1]
        if len(xs) < 2:
            return None
        b, a = np.polyfit(xs, ys, 1)
        sse += float(np.sum((ys - (a + b * xs)) ** 2))
        sxx.append(float(np.sum((xs - xs.mean()) ** 2)))
        kept += len(xs)
    d = kept - 2 * (k + 1)
    if d < 1:
        return None
    se = np.sqrt(sse / d / np.asarray(sxx))
    t = stats.t.ppf(1 - alpha / 2, d)
    apc = [(100 * np.expm1(b - t * e), 100 * np.expm1(b + t * e)) for b, e in zip(slopes, se)]
    widths = np.diff([x[0]] + list(joinpoints) + [x[-1]])
    mean = np.sum(widths * slopes) / np.sum(widths)
    sd = np.sqrt(np.sum(widths ** 2 * se ** 2)) / np.sum(widths)
    c = t if k == 0 else stats.norm.ppf(1 - alpha / 2)
    return d, apc, (100 * np.expm1(mean - c * sd), 100 * np.expm1(mean + c * sd))


# --------------------------------------------------------------------------
# Cases per series
# --------------------------------------------------------------------------

def series_cases(s, alpha):
    x, y = np.asarray(s["x"]), np.asarray(s["y"])
    n = len(y)
    cases = []

    def case(method, result, **extra):
        cases.append({"series": s["name"], "method": method, "alpha": alpha, **extra, **result})

    call = f"(y, alpha={alpha})"
    conf = 1 - alpha

    # --- Mann-Kendall original -------------------------------------------
    if n < 3:
        case("mann_kendall", unavailable("fewer than 3 observations", "STATISTICS.md: n < 3"))
    else:
        r = mk.original_test(y, alpha=alpha)
        tau = stats.kendalltau(np.arange(n), y).statistic
        ref = f"{PMK} original_test{call}"
        case("mann_kendall", ok({
            "s": q(r.s, ref + ".s"),
            "var_s": q(r.var_s, ref + ".var_s"),
            "z": q(r.z, ref + ".z"),
            "p": q(2 * stats.norm.sf(abs(r.z)), f"{SCIPY} 2*norm.sf(|z|) of {ref}.z"),
            "p@pymannkendall": q(r.p, ref + ".p (2*(1-norm.cdf(|z|)))"),
            "tau_b": q(tau, f"{SCIPY} kendalltau(arange(n), y).statistic"),
            "trend": q(r.trend, ref + ".trend"),
        }))

    # --- Hamed-Rao ---------------------------------------------------------
    o = mk.original_test(y, alpha=alpha) if n >= 3 else None
    if n < 3:
        case("hamed_rao", unavailable("fewer than 3 observations", "STATISTICS.md: n < 3"))
    else:
        r = mk.hamed_rao_modification_test(y, alpha=alpha)
        ref = f"{PMK} hamed_rao_modification_test{call}"
        slope = pmk_sen_index(y)
        ranks = stats.rankdata(y - np.arange(1, n + 1) * slope)
        if np.all(ranks == ranks[0]):
            case("hamed_rao", unavailable(
                "Sen-detrended series is constant (autocorrelation undefined)",
                f"{ref} returns var_s = NaN (0/0 ACF)"))
        elif not r.var_s > 0:
            case("hamed_rao", unavailable(
                "n/n* <= 0 (Hamed-Rao correction undefined)",
                f"{ref} returns var_s = {r.var_s} <= 0 and z = NaN (pymannkendall issue #29)"))
        else:
            acf = pmk_acf(ranks, n - 1)
            bound = stats.norm.ppf(1 - alpha / 2) / np.sqrt(n)
            significant = int(sum(1 for i in range(1, n) if not (-bound <= acf[i] <= bound)))
            case("hamed_rao", ok({
                "s": q(r.s, ref + ".s"),
                "var_s": q(o.var_s, f"{PMK} original_test{call}.var_s (uncorrected)"),
                "var_s_corrected": q(r.var_s, ref + ".var_s"),
                "n_over_n_star": q(r.var_s / o.var_s, f"derived: {ref}.var_s / original_test.var_s"),
                "significant_lags": q(significant, f"{NUMPY} transcription of {ref} lag screening"),
                "z": q(r.z, ref + ".z"),
                "p": q(2 * stats.norm.sf(abs(r.z)), f"{SCIPY} 2*norm.sf(|z|) of {ref}.z"),
                "p@pymannkendall": q(r.p, ref + ".p (2*(1-norm.cdf(|z|)))"),
                "trend": q(r.trend, ref + ".trend"),
                "sen_slope_per_step": q(r.slope, ref + ".slope"),
            }))

    # --- Yue-Wang lag 1 ----------------------------------------------------
    if n < 3:
        case("yue_wang", unavailable("fewer than 3 observations", "STATISTICS.md: n < 3"))
    else:
        r = mk.yue_wang_modification_test(y, alpha=alpha, lag=1)
        ref = f"{PMK} yue_wang_modification_test(y, alpha={alpha}, lag=1)"
        slope = pmk_sen_index(y)
        detrended = y - np.arange(1, n + 1) * slope
        if np.all(detrended == detrended[0]):
            case("yue_wang", unavailable(
                "Sen-detrended series is constant (autocorrelation undefined)",
                f"{ref} returns var_s = NaN (0/0 ACF)"))
        elif not r.var_s > 0:
            case("yue_wang", unavailable(
                "n/n* <= 0 (Yue-Wang correction undefined)",
                f"{ref} returns var_s = {r.var_s} <= 0"))
        else:
            ratio = r.var_s / o.var_s
            case("yue_wang", ok({
                "s": q(r.s, ref + ".s"),
                "var_s": q(o.var_s, f"{PMK} original_test{call}.var_s (uncorrected)"),
                "var_s_corrected": q(r.var_s, ref + ".var_s"),
                "n_over_n_star": q(ratio, f"derived: {ref}.var_s / original_test.var_s"),
                "lag1_autocorrelation": q((ratio - 1) / (2 * (1 - 1 / n)),
                                          "derived: (n/n* - 1) / (2 (1 - 1/n))"),
                "z": q(r.z, ref + ".z"),
                "p": q(2 * stats.norm.sf(abs(r.z)), f"{SCIPY} 2*norm.sf(|z|) of {ref}.z"),
                "p@pymannkendall": q(r.p, ref + ".p (2*(1-norm.cdf(|z|)))"),
                "trend": q(r.trend, ref + ".trend"),
                "sen_slope_per_step": q(r.slope, ref + ".slope"),
            }))

    # --- Trend-free pre-whitening -----------------------------------------
    if n < 4:
        case("trend_free_prewhitening", unavailable(
            "fewer than 4 observations", "MK needs 3 pre-whitened values (n - 1)"))
    else:
        r = mk.trend_free_pre_whitening_modification_test(y, alpha=alpha)
        ref = f"{PMK} trend_free_pre_whitening_modification_test{call}"
        slope = pmk_sen_index(y)
        detrended = y - np.arange(1, n + 1) * slope
        if np.all(detrended == detrended[0]):
            case("trend_free_prewhitening", unavailable(
                "Sen-detrended series is constant (autocorrelation undefined)",
                f"{ref} tests a NaN series and reports p = {r.p}"))
        else:
            case("trend_free_prewhitening", ok({
                "n_tested": q(n - 1, "n - 1 pre-whitened values"),
                "lag1_autocorrelation": q(pmk_acf(detrended, 1)[1],
                                          f"{NUMPY} transcription: pymannkendall __acf(detrended, 1)[1]"),
                "s": q(r.s, ref + ".s"),
                "var_s": q(r.var_s, ref + ".var_s"),
                "z": q(r.z, ref + ".z"),
                "p": q(2 * stats.norm.sf(abs(r.z)), f"{SCIPY} 2*norm.sf(|z|) of {ref}.z"),
                "p@pymannkendall": q(r.p, ref + ".p (2*(1-norm.cdf(|z|)))"),
                "trend": q(r.trend, ref + ".trend"),
                "sen_slope_per_step": q(r.slope, ref + ".slope"),
            }))

    # --- Sen's slope (real x) ----------------------------------------------
    if n < 2:
        case("sen_slope", unavailable("fewer than 2 observations", "a slope needs two points"))
    else:
        r = stats.theilslopes(y, x, method="separate")
        lo, up = r_sens_slope_ci(x, y, conf)
        ref = f"{SCIPY} theilslopes(y, x, method='separate')"
        tref = f"{NUMPY} transcription of R trend 1.1.6 sens.slope(conf.level={conf}) with real-x slopes"
        case("sen_slope", ok({
            "slope": q(r.slope, ref + ".slope"),
            "intercept": q(r.intercept, ref + ".intercept"),
            "ci_lower": q(lo, tref + " (null: rank outside 1..N)"),
            "ci_upper": q(up, tref + " (null: rank outside 1..N)"),
        }))

    # --- OLS ------------------------------------------------------------------
    if n < 3:
        case("linear_trend", unavailable("fewer than 3 observations", "STATISTICS.md: OLS n >= 3"))
    elif np.all(y == y[0]):
        case("linear_trend", unavailable("all values equal", f"{SM} OLS gives t = 0/0 = NaN"))
    else:
        fit = sm.OLS(y, sm.add_constant(x)).fit()
        ci = fit.conf_int(alpha=alpha)
        lr = stats.linregress(x, y)
        ref = f"{SM} OLS(y, add_constant(x)).fit()"
        case("linear_trend", ok({
            "slope": q(fit.params[1], ref + ".params[1]"),
            "intercept": q(fit.params[0], ref + ".params[0]"),
            "slope_se": q(fit.bse[1], ref + ".bse[1]"),
            "ci_lower": q(ci[1][0], ref + f".conf_int(alpha={alpha})[1][0]"),
            "ci_upper": q(ci[1][1], ref + f".conf_int(alpha={alpha})[1][1]"),
            "p": q(fit.pvalues[1], ref + ".pvalues[1]"),
            "r_squared": q(fit.rsquared, ref + ".rsquared"),
            "slope@linregress": q(lr.slope, f"{SCIPY} linregress(x, y).slope"),
            "slope_se@linregress": q(lr.stderr, f"{SCIPY} linregress(x, y).stderr"),
            "p@linregress": q(lr.pvalue, f"{SCIPY} linregress(x, y).pvalue"),
            "r_squared@linregress": q(lr.rvalue**2, f"{SCIPY} linregress(x, y).rvalue**2"),
        }))

    # --- Log-linear APC -------------------------------------------------------
    if n < 3:
        case("annual_percent_change", unavailable("fewer than 3 observations", "STATISTICS.md: n >= 3"))
    elif np.any(y <= 0):
        case("annual_percent_change", unavailable("non-positive value", "STATISTICS.md: any value <= 0"))
    elif np.all(y == y[0]):
        case("annual_percent_change", unavailable("all values equal", f"{SM} OLS gives t = 0/0"))
    else:
        fit = sm.OLS(np.log(y), sm.add_constant(x)).fit()
        b, se = fit.params[1], fit.bse[1]
        tcrit = stats.t.ppf(1 - alpha / 2, n - 2)
        ref = f"{SM} OLS(log(y), add_constant(x)).fit()"
        case("annual_percent_change", ok({
            "apc": q(100 * np.expm1(b), f"100*expm1(b), b = {ref}.params[1]"),
            "ci_lower": q(100 * np.expm1(b - tcrit * se), f"100*expm1(b - {SCIPY} t.ppf(1-alpha/2, n-2)*bse[1])"),
            "ci_upper": q(100 * np.expm1(b + tcrit * se), f"100*expm1(b + {SCIPY} t.ppf(1-alpha/2, n-2)*bse[1])"),
            "p": q(fit.pvalues[1], ref + ".pvalues[1]"),
            "log_slope": q(b, ref + ".params[1]"),
            "log_slope_se": q(se, ref + ".bse[1]"),
        }))

    # --- Pettitt --------------------------------------------------------------
    if n < 3:
        case("pettitt", unavailable("fewer than 3 observations", "routetrend rule: n >= 3"))
    else:
        u, k, p = r_pettitt(y)
        ref = f"{NUMPY}/{SCIPY} transcription of R trend 1.1.6 pettitt.test"
        case("pettitt", ok({
            "k_statistic": q(u, ref + " statistic U*"),
            "last_before_change": q(k - 1, ref + " estimate K (1-based) minus 1"),
            "p": q(p, ref + " p.value"),
        }))

    # --- CAGR first -> last ------------------------------------------------
    if n >= 2:
        if y[0] <= 0:
            case("cagr", unavailable("start value not positive", "STATISTICS.md: start <= 0"))
        elif y[-1] < 0:
            case("cagr", unavailable("negative end value", "(negative)**(1/years) is not real"))
        else:
            case("cagr", ok({
                "rate": q((y[-1] / y[0]) ** (1 / (x[-1] - x[0])) - 1, "(end/start)**(1/(x_end-x_start)) - 1"),
                "years": q(x[-1] - x[0], "x_end - x_start"),
            }))

    # --- Joinpoint ------------------------------------------------------------
    if s["joinpoint"] and alpha == 0.05:
        options = {"max_joinpoints": 2, "min_obs_end": 2, "min_obs_between": 2}
        if n < 3:
            case("joinpoint", unavailable("fewer than 3 observations", "STATISTICS.md: n >= 3"), **options)
        elif np.any(y <= 0):
            case("joinpoint", unavailable("non-positive value", "log-linear: any value <= 0"), **options)
        else:
            k_max, models, chosen, slopes, aapc = joinpoint_brute_force(x, y)
            ref = f"{NUMPY} exhaustive brute force (lstsq per admissible set), NCI Joinpoint grid search + BIC"
            values = {
                "max_joinpoints_considered": q(k_max, ref),
                "selected_joinpoints": q(chosen["k"], ref),
                "aapc": q(aapc, ref),
            }
            for i, jp in enumerate(chosen["joinpoints"]):
                values[f"joinpoint[{i}]"] = q(jp, ref)
            for i, slope in enumerate(slopes):
                values[f"segment_apc[{i}]"] = q(100 * np.expm1(slope), ref)
            for m in models:
                values[f"sse[{m['k']}]"] = q(m["sse"], ref)
                values[f"bic[{m['k']}]"] = q(m["bic"], ref)
            intervals = nci_parametric_intervals(x, y, chosen["joinpoints"], slopes, alpha)
            iref = (f"{NUMPY} polyfit per segment + {SCIPY} t.ppf/norm.ppf: transcription of NCI "
                    "Joinpoint help 'Estimated Regression Coefficients' and Clegg et al. 2009")
            if intervals is not None:
                d, apc, (aapc_lo, aapc_hi) = intervals
                values["interval_df"] = q(d, iref)
                for i, (lo, hi) in enumerate(apc):
                    values[f"segment_apc_lo[{i}]"] = q(lo, iref)
                    values[f"segment_apc_hi[{i}]"] = q(hi, iref)
                values["aapc_lo"] = q(aapc_lo, iref)
                values["aapc_hi"] = q(aapc_hi, iref)
            case("joinpoint", ok(values), **options)
    return cases


# --------------------------------------------------------------------------
# Other cases
# --------------------------------------------------------------------------

def proportion_cases():
    cases = []
    for name, first, second in [
        ("share_4_to_9_percent", (20, 500), (45, 500)),
        ("unequal_totals", (130, 1200), (96, 700)),
        ("small_counts", (1, 12), (4, 9)),
        ("decrease", (300, 1000), (240, 1100)),
    ]:
        (c1, n1), (c2, n2) = first, second
        z, p = proportions_ztest([c2, c1], [n2, n1])
        ref = f"{SM} proportions_ztest([c2, c1], [n2, n1]) (z = (p2 - p1)/se)"
        cases.append({"name": name, "method": "two_proportion_z_test", "first": list(first),
                      "second": list(second), **ok({
                          "p1": q(c1 / n1, "c1/n1"), "p2": q(c2 / n2, "c2/n2"),
                          "pooled": q((c1 + c2) / (n1 + n2), "(c1+c2)/(n1+n2)"),
                          "z": q(z, ref + "[0]"), "p": q(p, ref + "[1]")})})
    cases.append({"name": "all_zero", "method": "two_proportion_z_test", "first": [0, 10],
                  "second": [0, 20], **unavailable("pooled proportion is 0 or 1 (no variance)",
                                                   f"{SM} proportions_ztest divides 0/0")})
    for name, x, counts, totals in [
        ("rising_share", [2010, 2011, 2012, 2013, 2014], [15, 22, 30, 28, 41], [200, 210, 190, 205, 215]),
        ("with_gap_years", [2000, 2002, 2003, 2007], [50, 40, 45, 20], [400, 380, 420, 390]),
        ("flat", [1, 2, 3], [10, 10, 10], [100, 100, 100]),
        ("hand_example", [0, 1, 2], [10, 15, 20], [100, 100, 100]),
    ]:
        pbar, z, chisq, p = r_prop_trend_test(counts, totals, x)
        ref = f"{SM} WLS transcription of R prop.trend.test(x, n, score = year)"
        cases.append({"name": name, "method": "cochran_armitage", "x": [float(v) for v in x],
                      "counts": counts, "totals": totals, **ok({
                          "pooled": q(pbar, "sum(counts)/sum(totals)"),
                          "z": q(z, ref + ": sign(slope)*sqrt(Sum Sq score)"),
                          "chi_squared": q(chisq, ref + ": anova Sum Sq of score"),
                          "p": q(p, ref + f": {SCIPY} chi2.sf(chisq, 1)")})})
    return cases


def ccf_cases(series_by_name):
    rng = np.random.default_rng(7)
    cases = []
    a = series_by_name["rus_heroin_2000_2022"]
    b = series_by_name["tjk_heroin"]
    common = sorted(set(a["x"]) & set(b["x"]))
    xa = [a["y"][a["x"].index(t)] for t in common]
    xb = [b["y"][b["x"].index(t)] for t in common]
    driver = rng.normal(size=30)
    # x_t = 0.8 y_{t-2} + noise: r(k) = corr(x_{t+k}, y_t) peaks at k = +2 (y leads x).
    lead_x = list(0.8 * np.concatenate([[0.1, -0.2], driver[:28]]) + 0.3 * rng.normal(size=30))
    lead_y = list(driver)
    for name, x, y, max_lag in [
        ("rus_vs_tjk_heroin", xa, xb, 4),
        ("y_leads_x_by_2", lead_x, lead_y, 4),
        ("short_5", [1.0, 3.0, 2.0, 5.0, 4.0], [2.0, 2.5, 1.0, 4.0, 6.0], 2),
    ]:
        x, y = np.asarray(x, float), np.asarray(y, float)
        pos = ccf(x, y, adjusted=False, fft=False)
        neg = ccf(y, x, adjusted=False, fft=False)
        values = {"band_95": q(stats.norm.ppf(0.975) / np.sqrt(len(x)), f"{SCIPY} norm.ppf(0.975)/sqrt(n)")}
        for k in range(-max_lag, max_lag + 1):
            r = pos[k] if k >= 0 else neg[-k]
            call = f"ccf(x, y, adjusted=False, fft=False)[{k}]" if k >= 0 else \
                f"ccf(y, x, adjusted=False, fft=False)[{-k}]"
            values[f"r[{k}]"] = q(r, f"{SM} {call}")
        cases.append({"name": name, "method": "cross_correlation", "x": list(x), "y": list(y),
                      "max_lag": max_lag, **ok(values)})
    return cases


def block_kendall(ref, r, tested):
    """The fields of a seasonal or regional test result of pymannkendall."""
    return {
        "blocks_tested": q(tested, "count of blocks (seasons or members) with 2 or more values"),
        "s": q(r.s, ref + ".s"),
        "var_s": q(r.var_s, ref + ".var_s"),
        "z": q(r.z, ref + ".z"),
        "p": q(2 * stats.norm.sf(abs(r.z)), f"{SCIPY} 2*norm.sf(|z|) of {ref}.z"),
        "p@pymannkendall": q(r.p, ref + ".p (2*(1-norm.cdf(|z|)))"),
        "tau": q(r.Tau, ref + ".Tau"),
        "slope": q(r.slope, ref + ".slope"),
        "trend": q(r.trend, ref + ".trend"),
    }


def seasonal_cases(series_by_name):
    """Seasonal Mann-Kendall of quarterly series, laid out from a first quarter (missing
    quarters NaN) as pymannkendall's seasonal_test(x, period=4) expects."""
    rng = np.random.default_rng(11)
    cases = []
    q24 = series_by_name["quarterly_24"]
    seasonal = [100 + 10 * np.sin(np.pi * i / 2) + 1.5 * (i // 4) + rng.normal(0, 2) for i in range(32)]
    gappy_x = [2014.0 + 0.25 * i for i in range(28) if i not in (5, 6, 17)]
    gappy_y = [round(50 + 8 * ((i % 4) == 3) - 0.9 * (i // 4) + rng.normal(0, 1.5), 3)
               for i in range(28) if i not in (5, 6, 17)]
    for name, x, y in [
        ("quarterly_24", q24["x"], q24["y"]),
        ("seasonal_rising_32", [2010.0 + 0.25 * i for i in range(32)], [round(v, 3) for v in seasonal]),
        ("seasonal_gaps_25", gappy_x, gappy_y),
    ]:
        start = int(x[0])
        slots = int(round((x[-1] - start) * 4)) + 1
        laid = np.full(slots, np.nan)
        for xv, yv in zip(x, y):
            laid[int(round((xv - start) * 4))] = yv
        r = mk.seasonal_test(laid, period=4)
        ref = f"{PMK} seasonal_test(y laid out from Q1 with NaN gaps, period=4)"
        tested = sum(1 for season in range(4) if np.sum(~np.isnan(laid[season::4])) >= 2)
        values = block_kendall(ref, r, tested)
        values["slope"] = q(mk.seasonal_sens_slope(laid, period=4).slope,
                            f"{PMK} seasonal_sens_slope(y, period=4).slope (per year)")
        cases.append({"name": name, "method": "seasonal_mann_kendall", "x": list(map(float, x)),
                      "y": list(map(float, y)), **ok(values)})
    return cases


def regional_cases():
    """Regional Kendall tests on the members of Central Asia in data/raw/seizures.csv
    (time x member matrices, missing values NaN), and the covariance-corrected test."""
    members = ["KAZ", "KGZ", "TJK", "TKM", "UZB"]
    cases = []
    for drug, first, last in [("heroin", 2000, 2022), ("opium", 2000, 2022), ("heroin", 2010, 2016),
                              ("cannabis_resin", 2000, 2022)]:
        years_ = list(range(first, last + 1))
        matrix = np.full((len(years_), len(members)), np.nan)
        blocks = []
        for j, m in enumerate(members):
            xs, ys = seizure_series(m, drug, first, last)
            for xv, yv in zip(xs, ys):
                matrix[years_.index(int(xv)), j] = yv
            blocks.append({"x": xs, "y": ys})
        name = f"ca5_{drug}_{first}_{last}"
        r = mk.regional_test(matrix)
        ref = f"{PMK} regional_test(years x members, NaN where missing)"
        tested = sum(1 for b in blocks if len(b["x"]) >= 2)
        cases.append({"name": name, "method": "regional_kendall", "blocks": blocks,
                      **ok(block_kendall(ref, r, tested))})
        complete = matrix[~np.isnan(matrix).any(axis=1)]
        c = mk.correlated_multivariate_test(complete)
        cref = f"{PMK} correlated_multivariate_test(complete rows)"
        cases.append({"name": name, "method": "correlated_regional_kendall",
                      "rows": [list(map(float, row)) for row in complete], **ok({
                          "periods": q(len(complete), "rows without a missing value"),
                          "s": q(c.s, cref + ".s"),
                          "var_s": q(c.var_s, cref + ".var_s"),
                          "z": q(c.z, cref + ".z"),
                          "p": q(2 * stats.norm.sf(abs(c.z)), f"{SCIPY} 2*norm.sf(|z|) of {cref}.z"),
                          "trend": q(c.trend, cref + ".trend"),
                      })})
    return cases


def parallel_cases(series_by_name):
    """Parallelism of two joinpoint trends (Kim et al. 2004, approximate F test): each series'
    own BIC choice of k (numpy brute force), k the larger; separate SSEs from the brute force;
    the parallel SSE by brute force over joinpoint sets on the stacked design with one
    intercept per series (numpy.linalg.lstsq), not by routetrend's mean-series shortcut."""
    cases = []
    a, b = series_by_name["rus_heroin_2000_2022"], series_by_name["tjk_heroin"]
    common = sorted(set(a["x"]) & set(b["x"]))
    ya = np.array([a["y"][a["x"].index(t)] for t in common])
    yb = np.array([b["y"][b["x"].index(t)] for t in common])
    x = np.array(common)
    for name, y1, y2 in [("rus_vs_tjk_heroin", ya, yb), ("rus_vs_scaled_rus", ya, 2.5 * ya)]:
        n = len(x)
        ka = joinpoint_brute_force(x, y1)
        kb = joinpoint_brute_force(x, y2)
        k = max(ka[2]["k"], kb[2]["k"])
        sse_sep = ka[1][k]["sse"] + kb[1][k]["sse"]
        u = x - x.mean()
        l1, l2 = np.log(y1), np.log(y2)
        best = None
        for combo in itertools.combinations(range(n), k):
            if k and (combo[0] < 2 or n - 1 - combo[-1] < 2):
                continue
            if any(q2 - q1 - 1 < 2 for q1, q2 in zip(combo, combo[1:])):
                continue
            hinge = [np.maximum(u - u[j], 0) for j in combo]
            top = np.column_stack([np.ones(n), np.zeros(n), u] + hinge)
            bottom = np.column_stack([np.zeros(n), np.ones(n), u] + hinge)
            design = np.vstack([top, bottom])
            target = np.concatenate([l1, l2])
            beta = np.linalg.lstsq(design, target, rcond=None)[0]
            sse = float(np.sum((target - design @ beta) ** 2))
            if best is None or sse < best:
                best = sse
        df1, df2 = 2 * k + 1, 2 * n - 4 * (k + 1)
        f = ((best - sse_sep) / df1) / (sse_sep / df2)
        ref = f"{NUMPY} brute force (lstsq, stacked design with two intercepts) + {SCIPY} f.sf"
        cases.append({"name": name, "method": "joinpoint_parallelism", "x": list(map(float, x)),
                      "a": list(map(float, y1)), "b": list(map(float, y2)), **ok({
                          "k": q(k, ref), "sse_separate": q(sse_sep, ref), "sse_parallel": q(best, ref),
                          "f": q(max(f, 0.0), ref), "df1": q(df1, ref), "df2": q(df2, ref),
                          "p": q(stats.f.sf(max(f, 0.0), df1, df2), ref)})})
    return cases


def growth_cases():
    cases = []
    for name, s1, s2 in [("four_to_nine", 0.04, 0.09), ("from_zero", 0.0, 0.2), ("fall", 0.5, 0.35)]:
        values = {"percentage_points": q(100 * (s2 - s1), "100*(s2 - s1)")}
        values["relative_percent"] = q(100 * (s2 - s1) / s1 if s1 != 0 else None,
                                       "100*(s2 - s1)/s1 (null: s1 == 0, reason 'starting value is zero')")
        cases.append({"name": name, "method": "share_change", "s1": s1, "s2": s2, **ok(values)})
    return cases


def distribution_cases():
    cases = []
    for p in [0.6, 0.9, 0.975, 0.995, 0.001]:
        for df in [1, 2, 3, 5, 10, 30, 100, 1000, 1e4, 1e5, 1e6, 1e8]:
            cases.append({"name": f"t_quantile p={p} df={df}", "method": "t_quantile", "p": p, "df": float(df),
                          **ok({"value": q(stats.t.ppf(p, df), f"{SCIPY} t.ppf({p}, {df})")})})
    for t in [0.5, 2.0, 5.0, 20.0]:
        for df in [1, 3, 10, 38, 198, 1e4]:
            cases.append({"name": f"t_two_sided_p t={t} df={df}", "method": "t_two_sided_p", "t": t,
                          "df": float(df),
                          **ok({"value": q(2 * stats.t.sf(t, df), f"{SCIPY} 2*t.sf({t}, {df})")})})
    for z in [0.0, 0.3, 1.0, 1.959963984540054, 3.0, 5.0, 8.0, 10.0, 20.0, 37.0]:
        cases.append({"name": f"normal_sf z={z}", "method": "normal_sf", "z": z,
                      **ok({"value": q(stats.norm.sf(z), f"{SCIPY} norm.sf({z})")})})
    for p in [1e-10, 0.025, 0.5, 0.975, 1 - 1e-10]:
        cases.append({"name": f"normal_quantile p={p}", "method": "normal_quantile", "p": p,
                      **ok({"value": q(stats.norm.ppf(p), f"{SCIPY} norm.ppf({p})")})})
    return cases


def main():
    series = build_series()
    by_name = {s["name"]: s for s in series}
    cases = []
    for s in series:
        cases += series_cases(s, 0.05)
    for name in ["ar1_trend_40", "short_noisy_7", "rus_heroin_2000_2022"]:
        cases += series_cases(by_name[name], 0.10)
    cases += proportion_cases() + ccf_cases(by_name) + growth_cases() + distribution_cases()
    cases += seasonal_cases(by_name) + regional_cases() + parallel_cases(by_name)
    out = {
        "about": "Reference values for routetrend::stats; regenerate with "
                 "`python3 tests/reference/generate.py`. Each value carries the library, "
                 "version and call (or transcription) it came from.",
        "versions": {"python": sys.version.split()[0], **V},
        "series": series,
        "cases": cases,
    }
    path = os.path.join(HERE, "expected.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, allow_nan=False)
        f.write("\n")
    print(f"wrote {len(cases)} cases over {len(series)} series to {path}")


if __name__ == "__main__":
    main()
