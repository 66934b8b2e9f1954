#!/usr/bin/env python3
"""Do routetrend and the Python researcher script give the same numbers?

    python3 check_same.py ROUTETREND_TRENDS.csv PYTHON.csv [--sample 500] [--seed 1]
                          [--show 5] [--observations OBSERVATIONS.parquet]

Joins routetrend's trends.csv with analysis.py's CSV on the series keys (indicator, geo,
drug, dimension, category, freq, unit; an empty cell is a null key on both sides), takes
every series (default) or a random sample, and compares column by column. Each comparison
ends in one of:

  agree        equal (text, integers) or within the column's tolerance (numbers); both
               null counts as agreeing (the method did not apply on either side)
  documented   a known convention difference, named in the report (see "Documented
               differences" below)
  DISAGREE     anything else; printed with the series key and both values

Tolerances: integers and text exact; first/last value exact; everything else relative
1e-6 (|a - b| <= 1e-6 * max(|a|, |b|)); slopes, changes and percentages (which can be
0 +/- rounding) also pass within an absolute 1e-12; p-values, Var(S) and z have no
absolute floor.

Documented differences (counted, not hidden):
  * pymannkendall p = 2 * (1 - norm.cdf(|z|)); routetrend uses the survival function.
    1 - cdf has an absolute error of ~1e-16, so small p (and every p below ~1e-16, which
    becomes 0) differ relatively. Counted as "1-cdf" only when the relative test fails AND
    routetrend's p equals 2 * norm.sf(|z|) computed from pymannkendall's own z (relative
    1e-9): same statistic, only the last step differs. Applies to mk_p, mk_hr_p, mk_yw_p,
    mk_tfpw_p (analysis.py writes mk_z, mk_hr_z, mk_yw_z, mk_tfpw_z for this).
  * mk_tfpw_p, with --observations: the pre-whitened series w_k = e_{k+1} - r1 e_k + k b
    can hold values that are equal in exact arithmetic but differ by an ulp or two in
    floating point, depending on the last bits of the lag-1 autocorrelation r1
    (np.correlate and pairwise sums in pymannkendall, sequential sums in routetrend).
    S and the tie correction then differ by 1. Counted as "r1 last bits" when
    pymannkendall's own formula gives routetrend's p with r1 computed by plain sequential
    sums (routetrend's order of operations) or moved by at most 16 ulps.
  * mk_tau: routetrend reports tau-b, pymannkendall's Tau is tau-a (S / (n(n-1)/2)).
    Equal without ties; with ties tau-b is larger in magnitude. Counted as "tau-a vs tau-b"
    when the series has ties (Var(S) below the untied n(n-1)(2n+5)/18).
  * a statistic routetrend leaves null, with one of these reasons in its `notes`, where the
    Python libraries return a number (counted per reason; anything else null on one side
    only is a disagreement):
      "all values equal"                  statsmodels fits slope 0 (or 1e-20), p NaN, R^2
                                          NaN or -inf on a constant series
      "Sen-detrended series is constant"  pymannkendall HR/YW/TFPW give p = 1 (S = 0), NaN,
                                          or a p from the rounding noise of equal residuals
      "n/n* <= 0"                         pymannkendall gives p = 1 when S = 0, NaN, or p = 0
                                          and "decreasing"/"increasing" when n/n* is exactly
                                          0 (Var* = 0, z = -inf): an undefined test
  * exact line (R^2 = 1 to 1e-12 on both sides): the OLS/APC standard error is rounding noise,
    so the p-values (both tiny) are noise too; counted as "exact line".
  * sen_lo/sen_hi vs scipy's own theilslopes interval (sen_lo_scipy/sen_hi_scipy): shown
    for information (scipy's rank rule equals R's except where a rank is clamped or falls
    on an exact .5).

Exit status: 0 if nothing disagrees, 1 otherwise (2 for unusable input).
"""

import argparse
import math
import sys

import numpy as np
import pandas as pd
import pymannkendall as mk
from scipy import stats

KEYS = ["indicator", "geo", "drug", "dimension", "category", "freq", "unit"]
TEXT_EXACT = ["window_start", "window_end", "trend", "pettitt_period", "jp_periods"]
INT_EXACT = ["n", "n_missing", "mk_s", "pettitt_k", "jp_k"]
VALUE_EXACT = ["first_value", "last_value"]
RELATIVE = [
    "change_pct", "cagr_pct",
    "ols_slope", "ols_slope_lo", "ols_slope_hi", "ols_p", "ols_r2",
    "apc", "apc_lo", "apc_hi", "apc_p",
    "mk_var_s", "mk_z", "mk_p", "mk_hr_p", "mk_yw_p", "mk_tfpw_p",
    "sen_slope", "sen_lo", "sen_hi",
    "pettitt_p", "aapc",
]
ONE_MINUS_CDF = {"mk_p", "mk_hr_p", "mk_yw_p", "mk_tfpw_p"}
Z_OF = {"mk_p": "mk_z_py", "mk_hr_p": "mk_hr_z", "mk_yw_p": "mk_yw_z", "mk_tfpw_p": "mk_tfpw_z"}
# no absolute floor for p-values and test statistics: a tiny p must match relatively too
NO_FLOOR = {"ols_p", "apc_p", "mk_var_s", "mk_z", "pettitt_p"} | ONE_MINUS_CDF
REL_TOL, ABS_FLOOR = 1e-6, 1e-12


def unquote(s):
    """routetrend prefixes text cells starting with = + - @ with ' (spreadsheet safety)."""
    return s[1:] if isinstance(s, str) and s.startswith("'") else s


def num(s):
    s = unquote(s)
    if s is None or (isinstance(s, float) and math.isnan(s)) or s == "":
        return None
    v = float(s)
    return None if math.isnan(v) else v


def close(a, b, rel=REL_TOL, floor=ABS_FLOOR):
    if a is None or b is None:
        return a is None and b is None
    if a == b:
        return True
    return abs(a - b) <= max(rel * max(abs(a), abs(b)), floor)


def rel_diff(a, b):
    if a is None or b is None:
        return math.inf
    d = abs(a - b)
    return 0.0 if d == 0 else d / max(abs(a), abs(b))


METHOD_OF = {"change_pct": "change", "cagr_pct": "cagr", "mk_hr_p": "mk_hr",
             "mk_yw_p": "mk_yw", "mk_tfpw_p": "mk_tfpw", "aapc": "joinpoint",
             "jp_apcs": "joinpoint", "jp_k": "joinpoint", "jp_periods": "joinpoint"}
DOCUMENTED_NULL = ["all values equal", "Sen-detrended series is constant", "n/n* <= 0"]


def method_of(col):
    if col in METHOD_OF:
        return METHOD_OF[col]
    return col.split("_")[0] if not col.startswith("mk_") else "mk"


def null_reason(notes, col):
    """routetrend's stated reason for leaving `col` null, if it is a documented one."""
    method = method_of(col)
    for part in notes.split("; "):
        methods, _, reason = part.partition(": ")
        if method in [m.strip() for m in methods.split(",")]:
            for known in DOCUMENTED_NULL:
                if reason.startswith(known):
                    return known
    return None


def sf_p(z):
    """Two-sided normal p by the survival function (routetrend's convention)."""
    return None if z is None else float(2 * stats.norm.sf(abs(z)))


SERIES = {}  # series key tuple -> values in time order, filled from --observations


def mk_s_var(w):
    n = len(w)
    s = sum(int(np.sign(w[j] - w[i])) for i in range(n - 1) for j in range(i + 1, n))
    _, t = np.unique(w, return_counts=True)
    var = (n * (n - 1) * (2 * n + 5) - np.sum(t * (t - 1) * (2 * t + 5))) / 18
    return s, var


def tfpw_explained(r, p_rt):
    """True if pymannkendall's TFPW, with its lag-1 autocorrelation r1 moved by at most 16
    ulps, gives routetrend's p: the difference is a floating-point tie, not a method."""
    key = tuple(r[k] for k in KEYS)
    y = SERIES.get(key)
    if y is None or p_rt is None:
        return False
    n = len(y)
    slope = mk.sens_slope(y).slope  # index-based, as pymannkendall detrends
    e = y - np.arange(1, n + 1) * slope
    d = e - e.mean()
    acov = np.correlate(d, d, "full")[n - 1:] / n
    r1 = acov[1] / acov[0]  # pymannkendall's __acf
    # the same r1 with plain left-to-right sums (routetrend's order of operations)
    total = 0.0
    for v in e:
        total += v
    mean = total / n
    dev = [v - mean for v in e]
    c0 = c1 = 0.0
    for i in range(n):
        c0 += dev[i] * dev[i]
    for i in range(n - 1):
        c1 += dev[i + 1] * dev[i]
    r1_seq = (c1 / n) / (c0 / n)
    candidates = [("sequential sums", r1_seq), ("0 ulps", r1)]
    up = down = r1
    for k in range(1, 17):
        up, down = np.nextafter(up, np.inf), np.nextafter(down, -np.inf)
        candidates += [(f"{k} ulp(s)", up), (f"{k} ulp(s)", down)]
    for how, r1x in candidates:
        w = (e[1:] - e[:-1] * r1x) + np.arange(1, n) * slope
        s, var = mk_s_var(w)
        z = 0.0 if s == 0 else (s - np.sign(s)) / np.sqrt(var)
        if close(p_rt, sf_p(z), rel=1e-9, floor=0.0):
            EXPLAINED.append((key, how, float(r1), float(r1x)))
            return True
    return False


EXPLAINED = []


def exact_line(r, col):
    """Both sides fit a (numerically) exact line: R^2 = 1 to 1e-12 (OLS), or the APC
    interval has zero width to 1e-9 (APC)."""
    if col == "ols_p":
        a, b = num(r["ols_r2_rt"]), num(r["ols_r2_py"])
        return a is not None and b is not None and min(a, b) >= 1 - 1e-12
    lo, hi = num(r["apc_lo_rt"]), num(r["apc_hi_rt"])
    return lo is not None and hi is not None and abs(hi - lo) <= 1e-9 * max(1.0, abs(hi))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("routetrend_csv")
    ap.add_argument("python_csv")
    ap.add_argument("--sample", type=int, default=0, help="compare N random series (0: all)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--show", type=int, default=5, help="disagreements printed per column")
    ap.add_argument("--observations", help="the observation table both ran on: explains "
                    "TFPW differences caused by floating-point ties (see above)")
    args = ap.parse_args()

    rt = pd.read_csv(args.routetrend_csv, dtype=str, keep_default_na=False)
    py = pd.read_csv(args.python_csv, dtype=str, keep_default_na=False)
    for name, t in (("routetrend", rt), ("python", py)):
        missing = [k for k in KEYS if k not in t]
        if missing:
            print(f"{name}: missing key columns {missing}")
            return 2
        if t.duplicated(KEYS).any():
            print(f"{name}: {int(t.duplicated(KEYS).sum())} duplicate series keys "
                  "(more than one window?) - run routetrend with --window all only")
            return 2
    if args.observations:
        obs = pd.read_parquet(args.observations, columns=KEYS + ["x", "value"])
        for key, g in obs.groupby(KEYS, dropna=False, sort=False):
            key = tuple("" if pd.isna(k) else k for k in key)
            SERIES[key] = g.sort_values("x")["value"].to_numpy(dtype=float)
    joined = rt.merge(py, on=KEYS, how="outer", suffixes=("_rt", "_py"), indicator=True)
    only_rt = int((joined["_merge"] == "left_only").sum())
    only_py = int((joined["_merge"] == "right_only").sum())
    both = joined[joined["_merge"] == "both"]
    print(f"series: routetrend {len(rt)}, python {len(py)}, in both {len(both)}, "
          f"only routetrend {only_rt}, only python {only_py}")
    if args.sample and args.sample < len(both):
        both = both.sample(n=args.sample, random_state=args.seed)
        print(f"comparing a random sample of {len(both)} series (seed {args.seed})")
    else:
        print(f"comparing all {len(both)} series")

    results = []  # (column, agree, documented, documented_label, disagree, max_rel)
    failures = {}

    def record(col, outcomes, label="", max_rel=float("nan")):
        agree = sum(1 for o in outcomes if o[0] == "agree")
        reasons = {}
        for o in outcomes:
            if o[0] == "documented":
                reason = o[1] if len(o) > 1 else label
                reasons[reason] = reasons.get(reason, 0) + 1
            elif o[0] == "documented2":
                reasons["r1 last bits"] = reasons.get("r1 last bits", 0) + 1
        doc = sum(reasons.values())
        if len(reasons) > 1 or (reasons and label not in reasons):
            label = ", ".join(f"{k} {v}" for k, v in reasons.items())
        bad = [o for o in outcomes if o[0] == "disagree"]
        results.append((col, agree, doc, label if doc else "", len(bad), max_rel))
        if bad:
            failures[col] = bad

    def key_of(r):
        return "/".join(r[k] if r[k] != "" else "-" for k in KEYS)

    for col in TEXT_EXACT + INT_EXACT:
        outs = []
        for _, r in both.iterrows():
            a, b = unquote(r[col + "_rt"]), unquote(r[col + "_py"])
            if col in INT_EXACT:
                a, b = num(a), num(b)
            outs.append(("agree",) if a == b else ("disagree", key_of(r), a, b))
        record(col, outs)

    for col in VALUE_EXACT + RELATIVE:
        outs, worst = [], 0.0
        for _, r in both.iterrows():
            a, b = num(r[col + "_rt"]), num(r[col + "_py"])
            if col in VALUE_EXACT:
                ok = a == b
            else:
                ok = close(a, b, floor=0.0 if col in NO_FLOOR else ABS_FLOOR)
            if ok:
                outs.append(("agree",))
                if a is not None:
                    worst = max(worst, rel_diff(a, b))
            elif col in ONE_MINUS_CDF and a is not None and b is not None \
                    and close(a, sf_p(num(r[Z_OF[col]])), rel=1e-9, floor=0.0):
                outs.append(("documented",))
            elif col == "mk_tfpw_p" and tfpw_explained(r, a):
                outs.append(("documented2",))
            elif a is None and b is not None and null_reason(r["notes"], col):
                outs.append(("documented", null_reason(r["notes"], col)))
            elif col in ("ols_p", "apc_p") and exact_line(r, col):
                outs.append(("documented", "exact line"))
            else:
                outs.append(("disagree", key_of(r), a, b))
        record(col, outs, "1-cdf" if col in ONE_MINUS_CDF else "", worst)

    # joinpoint segment APCs: ';'-joined lists, compared element by element
    outs, worst = [], 0.0
    for _, r in both.iterrows():
        a, b = unquote(r["jp_apcs_rt"]), unquote(r["jp_apcs_py"])
        la = [float(v) for v in a.split(";")] if a else []
        lb = [float(v) for v in b.split(";")] if b else []
        if len(la) == len(lb) and all(close(u, v) for u, v in zip(la, lb)):
            outs.append(("agree",))
            worst = max([worst] + [rel_diff(u, v) for u, v in zip(la, lb)])
        else:
            outs.append(("disagree", key_of(r), a, b))
    record("jp_apcs", outs, "", worst)

    # tau-b (routetrend) vs tau-a (pymannkendall): equal only without ties
    outs = []
    for _, r in both.iterrows():
        a, b = num(r["mk_tau_rt"] if "mk_tau_rt" in r else r.get("mk_tau")), num(r["mk_tau_a"])
        n, var_s = num(r["n_rt"]), num(r["mk_var_s_py"])
        if close(a, b):
            outs.append(("agree",))
        elif var_s is not None and n is not None and var_s < n * (n - 1) * (2 * n + 5) / 18:
            outs.append(("documented",))
        else:
            outs.append(("disagree", key_of(r), a, b))
    record("mk_tau vs mk_tau_a", outs, "tau-a vs tau-b (ties)")

    # information: scipy's own Theil-Sen interval against routetrend's (R rule)
    for ours, theirs in (("sen_lo", "sen_lo_scipy"), ("sen_hi", "sen_hi_scipy")):
        if theirs not in both:
            continue
        same = sum(1 for _, r in both.iterrows()
                   if close(num(r[ours + "_rt"]), num(r[theirs])))
        print(f"info: routetrend {ours} equals scipy theilslopes' own bound in "
              f"{same}/{len(both)} series")

    print()
    print(f"{'column':<22}{'agree':>7}{'documented':>12}{'DISAGREE':>10}"
          f"{'max rel diff (agreeing)':>26}  note")
    for col, agree, doc, label, bad, worst in results:
        w = "" if isinstance(worst, float) and math.isnan(worst) else f"{worst:.2e}"
        print(f"{col:<22}{agree:>7}{doc:>12}{bad:>10}{w:>26}  {label}")
    total_bad = sum(r[4] for r in results)
    print()
    for col, bad in failures.items():
        print(f"disagreements in {col} ({len(bad)}):")
        for _, key, a, b in bad[: args.show]:
            print(f"  {key}: routetrend={a!r} python={b!r}")
    if EXPLAINED:
        print(f"mk_tfpw_p: routetrend's p reproduced by pymannkendall's TFPW formula with r1 "
              f"computed by sequential sums, or moved a few ulps ({len(EXPLAINED)} series; "
              "a tie in the pre-whitened series kept or broken by the last bits of r1):")
        for key, how, r1, r1x in EXPLAINED[: args.show]:
            print(f"  {'/'.join(k or '-' for k in key)}: r1 {r1!r} -> {r1x!r} ({how})")
    if only_rt or only_py:
        print(f"series missing on one side: only routetrend {only_rt}, only python {only_py}")
    verdict = "all compared values agree (up to documented differences)" if total_bad == 0 \
        else f"{total_bad} value(s) disagree"
    print(verdict)
    return 0 if total_bad == 0 and not only_rt and not only_py else 1


if __name__ == "__main__":
    sys.exit(main())
