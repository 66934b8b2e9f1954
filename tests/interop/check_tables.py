#!/usr/bin/env python3
"""Reads a run's Parquet outputs with tools no one here wrote: pyarrow and DuckDB. Checks the
documented column names and types, the key-value metadata, key uniqueness, and a Hive-
partitioned observation dataset read as a dataset by both.
Usage: check_tables.py RUN_DIR [HIVE_DIR]. Prints a JSON summary; exits 1 on any failure."""
import json
import sys
from pathlib import Path

import duckdb
import pyarrow.dataset as ds
import pyarrow.parquet as pq

TABLES = {
    "tables/trends.parquet": {"indicator": "string", "geo": "string", "n": "uint32", "mk_p": "double", "mk_s": "int64", "trend": "string", "notes": "string"},
    "tables/regional_trends.parquet": {"geo": "string", "members": "uint32", "members_tested": "uint32", "s": "int64", "p": "double", "slope": "double", "trend": "string", "cmk_p": "double", "notes": "string"},
    "tables/parallel.parquet": {"id": "string", "n": "uint32", "k": "int64", "f": "double", "p": "double", "verdict": "string", "notes": "string"},
    "tables/aggregates.parquet": {"geo": "string", "period": "string", "value": "double", "members_reporting": "uint32", "members_total": "uint32", "missing_members": "string"},
    "tables/shares.parquet": {"share_id": "string", "share_1": "double", "change_pp": "double", "coverage": "string"},
    "tables/share_series.parquet": {"share_id": "string", "period": "string", "share": "double"},
    "tables/route.parquet": {"route": "string", "indicator": "string", "value": "double"},
    "tables/route_ccf.parquet": {"route": "string", "lag": "int64", "r": "double"},
    "tables/claims.parquet": {"id": "string", "verdict": "string", "why": "string"},
}
KEYS = {
    "tables/trends.parquet": ["indicator", "geo", "drug", "dimension", "category", "freq", "unit", "window_start", "window_end"],
    "tables/aggregates.parquet": ["indicator", "geo", "drug", "dimension", "category", "freq", "unit", "period"],
    "tables/regional_trends.parquet": ["indicator", "geo", "drug", "dimension", "category", "freq", "unit", "window_start", "window_end"],
    "tables/claims.parquet": ["id"],
    "tables/parallel.parquet": ["id"],
}


def arrow_type(t):
    return str(t).replace("string_view", "string").replace("large_string", "string")


def main(run, hive=None):
    run = Path(run)
    summary = {}
    con = duckdb.connect()
    for name, expected in TABLES.items():
        path = run / name
        schema = pq.read_schema(path)
        types = {f.name: arrow_type(f.type) for f in schema}
        for column, kind in expected.items():
            assert types.get(column) == kind, f"{name}: {column} is {types.get(column)}, expected {kind}"
        meta = {k.decode(): v.decode() for k, v in pq.read_metadata(path).metadata.items()}
        assert meta.get("routetrend.table") == Path(name).stem, f"{name}: metadata {meta}"
        rows = pq.read_table(path).num_rows
        duck_rows = con.execute(f"SELECT count(*) FROM read_parquet('{path}')").fetchone()[0]
        assert rows == duck_rows, f"{name}: pyarrow {rows} rows, DuckDB {duck_rows}"
        if name in KEYS:
            keys = ", ".join(f"coalesce({k}, '')" for k in KEYS[name])
            dup = con.execute(f"SELECT count(*) FROM (SELECT {keys}, count(*) c FROM read_parquet('{path}') GROUP BY ALL HAVING c > 1)").fetchone()[0]
            assert dup == 0, f"{name}: {dup} duplicate keys"
        summary[name] = rows
    obs = run / "data/observations.parquet"
    heroin = con.execute(
        f"SELECT value FROM read_parquet('{obs}') WHERE geo = 'RUS' AND drug = 'heroin' AND period = '2014'"
    ).fetchone()[0]
    summary["rus_heroin_2014"] = heroin
    if hive:
        dataset = ds.dataset(hive, format="parquet", partitioning="hive")
        assert "indicator" in dataset.schema.names, dataset.schema
        arrow_rows = dataset.count_rows()
        duck = con.execute(f"SELECT indicator, count(*) FROM read_parquet('{hive}/**/*.parquet', hive_partitioning = true) GROUP BY indicator ORDER BY indicator").fetchall()
        assert sum(n for _, n in duck) == arrow_rows == pq.read_table(obs).num_rows, (duck, arrow_rows)
        summary["hive"] = dict(duck)
    print(json.dumps(summary, sort_keys=True))


if __name__ == "__main__":
    main(*sys.argv[1:])
