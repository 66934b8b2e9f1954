#!/usr/bin/env python3
"""Reads an observations.parquet with pyarrow (a reader no one here wrote) and checks the
documented schema, sort order, key uniqueness and provenance metadata.
Usage: check_observations.py PATH. Prints a JSON summary; exits 1 on any failure."""
import json
import sys

import pyarrow.parquet as pq

# Strings are plain large UTF-8 (not Arrow's string_view, which older readers cannot read).
EXPECTED = {
    "indicator": "large_string", "geo": "large_string", "drug": "large_string",
    "dimension": "large_string", "category": "large_string", "period": "large_string",
    "freq": "large_string", "x": "double", "value": "double", "unit": "large_string",
    "source": "large_string", "source_file": "large_string", "source_row": "uint32",
    "source_rows": "large_string",
}
SERIES = ["indicator", "geo", "drug", "dimension", "category", "freq", "unit"]


def main(path):
    table = pq.read_table(path)
    types = {f.name: str(f.type) for f in table.schema}
    assert list(types) == list(EXPECTED), f"columns {list(types)}"
    assert types == EXPECTED, f"types {types}"
    meta = {k.decode(): v.decode() for k, v in pq.read_metadata(path).metadata.items()}
    for key in ["routetrend.tool", "routetrend.schema_version", "routetrend.inputs"]:
        assert key in meta, f"missing metadata {key}"
    inputs = json.loads(meta["routetrend.inputs"])
    assert all(len(i["sha256"]) == 64 for i in inputs)
    rows = table.to_pylist()
    keys = [tuple(r[c] for c in SERIES) + (r["period"],) for r in rows]
    assert len(keys) == len(set(keys)), "duplicate (series, period) keys"
    order = [tuple("" if r[c] is None else "\x01" + r[c] for c in SERIES) + (r["x"],) for r in rows]
    assert order == sorted(order), "not sorted by series then x"
    assert pq.ParquetFile(path).metadata.row_group(0).column(0).compression == "ZSTD"
    print(json.dumps({"rows": len(rows), "tool": meta["routetrend.tool"], "inputs": len(inputs)}))


if __name__ == "__main__":
    main(sys.argv[1])
