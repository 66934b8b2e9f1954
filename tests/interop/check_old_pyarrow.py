"""Reads every Parquet file under a run folder with an old pyarrow (14.x, installed apart
in tests/interop/old-pyarrow/) and prints {file: rows} as JSON; fails on any file it cannot
read or whose strings are not plain UTF-8.

Usage: PYTHONPATH=tests/interop/old-pyarrow python3 check_old_pyarrow.py RUN_DIR
"""
import glob
import json
import os
import sys

import pyarrow
import pyarrow.parquet as pq

assert pyarrow.__version__.startswith("14."), f"expected pyarrow 14, got {pyarrow.__version__}"
run = sys.argv[1]
rows = {}
for path in sorted(glob.glob(os.path.join(run, "**", "*.parquet"), recursive=True)):
    table = pq.read_table(path)
    for field in table.schema:
        assert str(field.type) != "string_view", f"{path}: {field.name} is string_view"
    rows[os.path.relpath(path, run)] = table.num_rows
print(json.dumps({"pyarrow": pyarrow.__version__, "rows": rows}))
