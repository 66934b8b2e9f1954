#!/usr/bin/env python3
"""Synthetic observation table for the routetrend-vs-Python comparison.

Writes a Parquet file with routetrend's observation-table schema (README.md "The observation
table": indicator, geo, drug, dimension, category, period, freq, x, value, unit, source,
source_file, source_row, source_rows), sorted by series then x, with N annual series of
POINTS consecutive years ending in 2020. Deterministic: the same --seed gives the same file.

The series are shaped like seizure data:
  * positive, log-normal levels from 10 kg to 100 t (indicator `seizures`, unit kg, rounded
    to grams) or from 3 to 10,000 cases (indicator `seizure_cases`, unit count, integers,
    so with ties);
  * a log-linear trend with 0, 1 or 2 changes of slope at random years (what joinpoint and
    Pettitt look for), AR(1) noise on the log scale (phi 0..0.6, what Hamed-Rao, Yue-Wang
    and TFPW correct for) and the odd 3-6x spike (a large single seizure);
  * about 3 % of series with 1-4 zero years (no APC, no joinpoint; some start at zero, so
    no change/CAGR either);
  * about 5 % carry a breakdown (dimension `stage`, category `border`/`inland`), the rest
    have null dimension and category, as in real tables (tests null-key grouping).

Usage: python3 make_series.py OUT.parquet [--series 1000] [--points 40] [--seed 20240601]
"""

import argparse
import csv
import os

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

HERE = os.path.dirname(os.path.abspath(__file__))
COUNTRIES = os.path.join(HERE, "..", "..", "data", "reference", "countries.csv")
DRUGS = [
    "heroin", "opium", "morphine", "cannabis_herb", "cannabis_resin", "cocaine_hydrochloride",
    "crack_cocaine", "methamphetamine", "amphetamine", "captagon", "mdma", "ketamine_pcp_type",
    "tramadol", "fentanyl", "khat", "lsd", "acetic_anhydride", "ephedrine", "coca_leaf",
    "benzodiazepines",
]
INDICATORS = [("seizures", "kg"), ("seizure_cases", "count")]


def geo_codes():
    try:
        with open(COUNTRIES, newline="", encoding="utf-8") as f:
            codes = [row["iso3"] for row in csv.DictReader(f)]
    except OSError:
        codes = []
    if len(codes) < 100:  # outside the repository: made-up codes
        codes = [f"X{i:02d}" for i in range(260)]
    return sorted(codes)


def one_series(rng, n, unit):
    """Values of one series (length n), seizure-shaped."""
    t = np.arange(n, dtype=float)
    if unit == "kg":
        level = rng.uniform(np.log(10.0), np.log(1e5))
    else:
        level = rng.uniform(np.log(3.0), np.log(1e4))
    # piecewise-linear log trend with 0-2 breaks
    n_breaks = rng.choice([0, 1, 2], p=[0.4, 0.35, 0.25])
    slope = rng.normal(0.0, 0.06)
    trend = slope * t
    for b in sorted(rng.choice(np.arange(5, n - 5), size=n_breaks, replace=False)):
        trend += rng.normal(0.0, 0.12) * np.clip(t - b, 0.0, None)
    # AR(1) noise on the log scale
    phi, sigma = rng.uniform(0.0, 0.6), rng.uniform(0.08, 0.5)
    e = np.empty(n)
    e[0] = rng.normal(0.0, sigma / np.sqrt(1.0 - phi * phi))
    for i in range(1, n):
        e[i] = phi * e[i - 1] + rng.normal(0.0, sigma)
    log_y = level + trend + e
    log_y = np.clip(log_y, np.log(0.5), np.log(2e6))
    y = np.exp(log_y)
    spikes = rng.random(n) < 0.03
    y[spikes] *= rng.uniform(3.0, 6.0, size=spikes.sum())
    if unit == "kg":
        y = np.round(y, 3)
        y[y <= 0] = 0.001
    else:
        y = np.maximum(np.round(y), 1.0)
    if rng.random() < 0.03:  # a few series with zero years
        k = rng.integers(1, 5)
        y[rng.choice(n, size=k, replace=False)] = 0.0
    return y


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--series", type=int, default=1000)
    ap.add_argument("--points", type=int, default=40)
    ap.add_argument("--end-year", type=int, default=2020)
    ap.add_argument("--seed", type=int, default=20240601)
    args = ap.parse_args()

    rng = np.random.default_rng(args.seed)
    geos = geo_codes()
    combos = [(ind, unit, g, d) for ind, unit in INDICATORS for g in geos for d in DRUGS]
    if args.series > len(combos):
        raise SystemExit(f"at most {len(combos)} distinct series")
    chosen = sorted(rng.choice(len(combos), size=args.series, replace=False))
    years = np.arange(args.end_year - args.points + 1, args.end_year + 1)

    cols = {c: [] for c in ["indicator", "geo", "drug", "dimension", "category", "period",
                            "freq", "x", "value", "unit", "source", "source_file",
                            "source_row", "source_rows"]}
    row = 1
    for idx in chosen:
        ind, unit, geo, drug = combos[idx]
        values = one_series(rng, args.points, unit)
        if rng.random() < 0.05:
            dim, cat = "stage", rng.choice(["border", "inland"])
        else:
            dim, cat = None, None
        for year, v in zip(years, values):
            row += 1
            cols["indicator"].append(ind)
            cols["geo"].append(geo)
            cols["drug"].append(drug)
            cols["dimension"].append(dim)
            cols["category"].append(None if cat is None else str(cat))
            cols["period"].append(str(year))
            cols["freq"].append("A")
            cols["x"].append(float(year))
            cols["value"].append(float(v))
            cols["unit"].append(unit)
            cols["source"].append("synthetic (benches/compare/make_series.py)")
            cols["source_file"].append("synthetic.csv")
            cols["source_row"].append(row)
            cols["source_rows"].append(str(row))

    types = {"x": pa.float64(), "value": pa.float64(), "source_row": pa.uint32()}
    table = pa.table({c: pa.array(v, type=types.get(c, pa.string())) for c, v in cols.items()})
    # routetrend's order: series keys (nulls first), then x
    keys = ["indicator", "geo", "drug", "dimension", "category", "freq", "unit"]
    table = table.sort_by([(k, "ascending", "at_start") for k in keys]
                          + [("x", "ascending", "at_start")])
    pq.write_table(table, args.out, compression="zstd")
    print(f"{args.out}: {args.series} series x {args.points} points = {table.num_rows} rows")


if __name__ == "__main__":
    main()
