#!/usr/bin/env bash
# Table ingest against Arrow, side by side in one script (BENCHMARKS.md "Table ingest"):
#
#   (a) canonical CSV of SERIES synthetic series x 40 years (benches/compare/make_series.py,
#       written as CSV by arrow_side.py): `routetrend ingest FILE` from a cold process,
#       against pyarrow's read_csv + zstd Parquet write of the same file (timed inside one
#       Python process, import excluded, and as a whole process)
#   (b) the ARQ world CSV (51,201 rows) through data/mappings/arq_seizures.toml
#   (c) ingest + analyze of the largest file, two cold processes in one shell command: the
#       whole analysis (analyze --max-joinpoints 2, the models the Python script fits),
#       against the Python stack of benches/compare (PYTHON=1; about 4 min)
#   (d) RECORDS=10000000 (optional): that many synthetic seizure records over about 100,000
#       series (routetrend synth --extra-series 17000): ingest against polars' own CSV read
#       of the same file (the polars Python package, timed inside its process)
#
# Each routetrend command is timed with hyperfine (WARMUP + RUNS) and run 3 more times under
# GNU time for its peak RSS. BASE=/path/to/an/older/routetrend times that binary beside
# the current one on the same inputs (the "before" column). The output is a Markdown table.
#
# Usage:  bash benches/ingest/tables.sh
#         SERIES="10000" RUNS=10 BASE=/tmp/routetrend.base PYTHON=1 bash benches/ingest/tables.sh
# Needs:  hyperfine, jq, GNU time, python3 with pyarrow, numpy (and pandas, statsmodels,
#         scipy, pymannkendall for PYTHON=1: tests/requirements.txt).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
bin="${BIN:-$repo/target/release/routetrend}"
base="${BASE:-}"
runs="${RUNS:-10}"
warmup="${WARMUP:-2}"
series_list="${SERIES:-1000 10000}"
arq="$repo/tests/data/public/arq_seizures_1970_2020.csv"
mapping="$repo/data/mappings/arq_seizures.toml"

for tool in hyperfine jq python3; do
    command -v "$tool" >/dev/null || { echo "tables.sh: '$tool' not found" >&2; exit 1; }
done
[[ -x /usr/bin/time ]] || { echo "tables.sh: GNU time (/usr/bin/time) not found" >&2; exit 1; }
[[ -x "$bin" ]] || { echo "tables.sh: no binary at $bin (cargo build --release)" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# seconds LABEL COMMAND...: median wall seconds of COMMAND, and its peak RSS in MB.
measure() {
    local json="$work/timing.json" quoted peak=0 kb
    quoted="$(printf '%q ' "$@")"
    hyperfine --shell=none --style=none --warmup "$warmup" --runs "$runs" \
        --export-json "$json" "$quoted" >/dev/null 2>&1
    for _ in 1 2 3; do
        /usr/bin/time -f "%M" -o "$work/peak.txt" "$@" >/dev/null 2>&1
        kb="$(tail -n 1 "$work/peak.txt")"
        if ((kb > peak)); then peak="$kb"; fi
    done
    printf '%s %s\n' "$(jq -r '.results[0].median' "$json" | awk '{printf "%.3f", $1}')" \
        "$((peak / 1024))"
}

# routetrend LABEL ARGS...: one table cell pair per binary (current, then BASE if given).
row() {
    local label="$1" size="$2" arrow="$3"
    shift 3
    local now before=""
    echo "timing: $label" >&2
    read -r t m < <(measure "$bin" --quiet "$@")
    now="$t s, $m MB"
    if [[ -n "$base" ]]; then
        read -r bt bm < <(measure "$base" --quiet "$@")
        before="$bt s, $bm MB | "
    fi
    local ratio="-"
    if [[ "$arrow" != "-" ]]; then
        ratio="$(awk -v a="$t" -v b="$arrow" 'BEGIN {printf "%.2fx", a / b}')"
    fi
    rows+=("| $label | $size | ${before}$now | $arrow | $ratio |")
}

rows=()
largest=""
for series in $series_list; do
    parquet="$work/series_$series.parquet"
    csv="$work/series_$series.csv"
    python3 "$repo/benches/compare/make_series.py" "$parquet" --series "$series" >&2
    python3 "$here/arrow_side.py" --canonical "$parquet" "$csv" >&2
    lines="$(($(wc -l <"$csv") - 1))"
    size="$(du -m "$csv" | cut -f1) MB"
    # Arrow: the best of RUNS in-process read + write.
    best=""
    for _ in $(seq "$runs"); do
        read -r r w _ < <(python3 "$here/arrow_side.py" "$csv" "$work/arrow.parquet")
        total="$(awk -v r="$r" -v w="$w" 'BEGIN {printf "%.3f", r + w}')"
        if [[ -z "$best" ]] || awk -v a="$total" -v b="$best" 'BEGIN {exit !(a < b)}'; then
            best="$total"; best_read="$r"; best_write="$w"
        fi
    done
    arrow_notes+=("$series series: pyarrow read_csv $best_read s + write_table(zstd) $best_write s")
    row "canonical CSV, $series series x 40 ($lines rows)" "$size" "$best" \
        ingest "$csv" --out "$work/ingest_$series"
    largest="$csv"
    largest_parquet="$parquet"
done
if [[ -n "${RECORDS:-}" ]]; then
    records_csv="$work/records.csv"
    "$bin" --quiet synth --records "$RECORDS" --extra-series 17000 --out "$records_csv"
    polars_read="$(python3 -c 'import sys, time, polars as pl
t = time.perf_counter(); frame = pl.read_csv(sys.argv[1]); print(f"{time.perf_counter() - t:.3f}")' "$records_csv")"
    arrow_notes+=("$RECORDS records: polars $(python3 -c 'import polars; print(polars.__version__)') read_csv $polars_read s (in-process)")
    row "seizure records, $RECORDS over ~100,000 series" "$(du -m "$records_csv" | cut -f1) MB" "$polars_read" \
        ingest "$records_csv" --out "$work/ingest_records"
    rm -f "$records_csv"
fi
row "ARQ CSV through its mapping (51,201 rows)" "$(du -m "$arq" | cut -f1) MB" "-" \
    ingest "$arq" --mapping "$mapping" --out "$work/ingest_arq"

# (c) The whole analysis of the largest file: ingest, then analyze, two cold processes.
cat >"$work/whole.sh" <<SH
set -e
"$bin" --quiet ingest "$largest" --out "$work/whole_ingest"
"$bin" --quiet analyze "$work/whole_ingest/observations.parquet" --out "$work/whole_analyze" --window all --max-joinpoints 2
SH
echo "timing: ingest + analyze" >&2
read -r whole whole_mb < <(measure bash "$work/whole.sh")

echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p');" \
    "load average $(cut -d' ' -f1-3 /proc/loadavg) at the end; binary built $(date -u -r "$bin" '+%Y-%m-%d %H:%M UTC')" \
    "${base:+; before: $base, built $(date -u -r "$base" '+%Y-%m-%d %H:%M UTC')}." \
    "hyperfine $warmup warmup + $runs runs (median), peak RSS the highest of 3 runs; pyarrow $(python3 -c 'import pyarrow; print(pyarrow.__version__)')."
echo
if [[ -n "$base" ]]; then
    echo "| Input | Size | Before: routetrend ingest | Now: routetrend ingest | Reference: pyarrow read + zstd Parquet write (records: polars read_csv) | Now / reference |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: |"
else
    echo "| Input | Size | routetrend ingest | Reference: pyarrow read + zstd Parquet write (records: polars read_csv) | routetrend / reference |"
    echo "| --- | ---: | ---: | ---: | ---: |"
fi
printf '%s\n' "${rows[@]}"
echo
printf -- '- %s\n' "${arrow_notes[@]}"
echo "- ingest + analyze of $(basename "$largest") (two cold processes): $whole s, peak $whole_mb MB"
if [[ "${PYTHON:-0}" == 1 ]]; then
    echo "timing: the Python stack (benches/compare/analysis.py), once" >&2
    /usr/bin/time -f "%e %M" -o "$work/python.txt" \
        python3 "$repo/benches/compare/analysis.py" "$largest_parquet" "$work/python.csv" >/dev/null 2>&1
    read -r py py_kb < <(tail -n 1 "$work/python.txt")
    echo "- the Python stack on the same series (benches/compare/analysis.py, one run): $py s, peak $((py_kb / 1024)) MB: $(awk -v p="$py" -v r="$whole" 'BEGIN {printf "%.0fx", p / r}') routetrend's ingest + analyze"
fi
