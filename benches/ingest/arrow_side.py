#!/usr/bin/env python3
"""The Arrow side of benches/ingest/tables.sh: what reading a CSV and writing it as zstd
Parquet costs with pyarrow, in one process, timed inside it (import excluded).

    python3 arrow_side.py FILE.csv OUT.parquet   -> prints "read_s write_s rows"
    python3 arrow_side.py --canonical SERIES.parquet OUT.csv
        writes the canonical CSV (indicator,geo,drug,dimension,category,period,value,unit,
        source) of an observation table made by benches/compare/make_series.py
"""

import sys
import time

import pyarrow.csv as pv
import pyarrow.parquet as pq

CANONICAL = ["indicator", "geo", "drug", "dimension", "category", "period", "value", "unit", "source"]


def main():
    if sys.argv[1] == "--canonical":
        table = pq.read_table(sys.argv[2], columns=CANONICAL)
        # Unquoted, as people and most tools write such files (no field holds a comma).
        pv.write_csv(table, sys.argv[3], pv.WriteOptions(quoting_style="none"))
        print(f"{sys.argv[3]}: {table.num_rows} rows")
        return
    start = time.perf_counter()
    table = pv.read_csv(sys.argv[1])
    read = time.perf_counter() - start
    start = time.perf_counter()
    pq.write_table(table, sys.argv[2], compression="zstd")
    write = time.perf_counter() - start
    print(f"{read:.4f} {write:.4f} {table.num_rows}")


if __name__ == "__main__":
    main()
