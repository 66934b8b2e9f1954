#!/usr/bin/env python3
"""Re-runs the agreement of routetrend's trends table with the Python stack on every series of
the two real public files (tests/data/public: the ARQ world CSV through its mapping, and the
UNODC 2018-2022 export), each analysed over its whole span.

For every trends row it recomputes, from the observation table routetrend wrote, with the
libraries researchers use:
  - Mann-Kendall S, Var(S), Z, p      pymannkendall 1.4.3 original_test (p by scipy norm.sf)
  - Hamed-Rao and Yue-Wang p, TFPW p  pymannkendall *_modification_test, where routetrend's
                                      guard (n >= 10, n/n* >= 1/3) reports them
  - Sen's slope                       scipy theilslopes(y, x)
  - OLS slope and p                   scipy linregress(x, y)
  - APC                               statsmodels OLS on ln y (all values positive)
and counts the series and values that agree within the tolerances of tests/reference.

Usage: python3 tests/reference/public_agreement.py [ROUTETREND_BINARY]
(default target/release/routetrend, else target/debug/routetrend). Needs the packages of
tests/reference/generate.py. Prints one line per check and exits 1 on any disagreement.
Not part of `cargo test` (it takes a few minutes); BENCHMARKS.md and the issue notes quote it.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import warnings

import numpy as np
import pyarrow.parquet as pq
import pymannkendall as mk
import statsmodels.api as sm
from scipy import stats

warnings.filterwarnings("ignore")
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
KEYS = ["indicator", "geo", "drug", "dimension", "category", "freq", "unit"]


def binary():
    if len(sys.argv) > 1:
        return os.path.abspath(sys.argv[1])
    for profile in ["release", "debug"]:
        path = os.path.join(ROOT, "target", profile, "routetrend")
        if os.path.exists(path):
            return path
    sys.exit("build routetrend first (cargo build --release)")


def run(tool, work, name, input_line):
    os.makedirs(os.path.join(work, "pipelines"), exist_ok=True)
    with open(os.path.join(work, "pipelines", f"{name}.toml"), "w") as f:
        f.write(f'name = "{name}"\nroot = ".."\noutput = "out/{name}"\n\n[[inputs]]\n{input_line}\n\n'
                '[analyze]\nwindows = ["all"]\n')
    subprocess.run([tool, "run", f"pipelines/{name}.toml", "--quiet"], cwd=work, check=True)
    out = os.path.join(work, "out", name)
    return (pq.read_table(os.path.join(out, "data", "observations.parquet")).to_pandas(),
            pq.read_table(os.path.join(out, "tables", "trends.parquet")).to_pandas())


def close(name, got, want, rel=1e-9, abs_=1e-12):
    if got is None or want is None or (isinstance(got, float) and np.isnan(got)):
        return (got is None or np.isnan(got)) and (want is None or not np.isfinite(want))
    # A p-value of a near-exact fit is rounding noise in both (t of order 1e8): two such
    # p-values below 1e-9 agree.
    if name.endswith("_p") and got < 1e-9 and want < 1e-9:
        return True
    return abs(got - want) <= abs_ + rel * abs(want)


def check(observations, trends, label):
    groups = {k: g.sort_values("x") for k, g in observations.groupby(KEYS, dropna=False)}
    counts = {"series": 0, "values": 0, "failures": 0}
    failures = []
    for _, row in trends.iterrows():
        key = tuple(row[k] for k in KEYS)
        g = groups.get(key)
        if g is None or row["n"] < 3:
            continue
        x, y = g["x"].to_numpy(float), g["value"].to_numpy(float)
        counts["series"] += 1
        checks = []
        r = mk.original_test(y)
        checks += [("mk_s", row["mk_s"], r.s, 0, 0), ("mk_var_s", row["mk_var_s"], r.var_s, 1e-12, 0),
                   ("mk_z", row["mk_z"], r.z, 1e-10, 1e-12),
                   ("mk_p", row["mk_p"], 2 * stats.norm.sf(abs(r.z)), 1e-9, 1e-15)]
        if len(y) >= 10 and row["mk_hr_p"] is not None and np.isfinite(row["mk_hr_p"]):
            h = mk.hamed_rao_modification_test(y)
            checks.append(("mk_hr_p", row["mk_hr_p"], 2 * stats.norm.sf(abs(h.z)), 1e-6, 1e-12))
        if len(y) >= 10 and row["mk_yw_p"] is not None and np.isfinite(row["mk_yw_p"]):
            w = mk.yue_wang_modification_test(y, lag=1)
            checks.append(("mk_yw_p", row["mk_yw_p"], 2 * stats.norm.sf(abs(w.z)), 1e-6, 1e-12))
        if len(y) >= 10 and row["mk_tfpw_p"] is not None and np.isfinite(row["mk_tfpw_p"]):
            t = mk.trend_free_pre_whitening_modification_test(y)
            checks.append(("mk_tfpw_p", row["mk_tfpw_p"], 2 * stats.norm.sf(abs(t.z)), 1e-6, 1e-12))
        checks.append(("sen_slope", row["sen_slope"], stats.theilslopes(y, x).slope, 1e-9, 1e-12))
        if np.ptp(y) > 0:
            lr = stats.linregress(x, y)
            checks += [("ols_slope", row["ols_slope"], lr.slope, 1e-8, 1e-10),
                       ("ols_p", row["ols_p"], lr.pvalue, 1e-6, 1e-12)]
        if np.all(y > 0):
            fit = sm.OLS(np.log(y), sm.add_constant(x)).fit()
            checks.append(("apc", row["apc"], 100 * np.expm1(fit.params[1]), 1e-8, 1e-10))
        for name, got, want, rel, abs_ in checks:
            counts["values"] += 1
            if not close(name, got, want, rel, abs_):
                counts["failures"] += 1
                failures.append(f"{label} {key} {name}: routetrend {got}, reference {want}")
    print(f"{label}: {counts['series']} series, {counts['values']} values, {counts['failures']} disagreements")
    for f in failures[:20]:
        print("  " + f)
    return counts


def main():
    tool = binary()
    public = os.path.join(ROOT, "tests", "data", "public")
    total = {"series": 0, "values": 0, "failures": 0}
    with tempfile.TemporaryDirectory() as work:
        for folder in ["reference", "mappings"]:
            shutil.copytree(os.path.join(ROOT, "data", folder), os.path.join(work, "data", folder))
        shutil.copytree(public, os.path.join(work, "public"))
        for name, line in [
            ("arq", 'file = "public/arq_seizures_1970_2020.csv"\nmapping = "data/mappings/arq_seizures.toml"'),
            ("unodc", 'file = "public/unodc_drug_seizures_2018_2022.xlsx"'),
        ]:
            observations, trends = run(tool, work, name, line)
            for k, v in check(observations, trends, name).items():
                total[k] += v
    print(f"total: {total['series']} series, {total['values']} values, {total['failures']} disagreements")
    sys.exit(1 if total["failures"] else 0)


if __name__ == "__main__":
    main()
