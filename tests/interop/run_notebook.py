#!/usr/bin/env python3
"""Executes a notebook headless with nbclient, failing on the first cell that raises.
Usage: run_notebook.py NOTEBOOK RUN_DIR (RUN_DIR becomes ROUTETREND_OUT)."""
import os
import sys
from pathlib import Path

import nbclient
import nbformat


def main(notebook, run_dir):
    os.environ["ROUTETREND_OUT"] = str(Path(run_dir).resolve())
    nb = nbformat.read(notebook, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(Path(notebook).parent)}})
    client.execute()
    print(f"executed {sum(1 for c in nb.cells if c.cell_type == 'code')} code cells")


if __name__ == "__main__":
    main(*sys.argv[1:])
