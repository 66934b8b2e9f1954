#!/usr/bin/env bash
# The whole chain on individual seizure records, from a cold process, as DESIGN.md's scale
# asks: records CSV -> observations.parquet -> series -> the full trends table -> figures
# (and the report), with `routetrend run` on benches/records/pipeline.toml, for each
# configuration in CONFIGS ("RECORDS:EXTRA_SERIES", synth's --records and --extra-series):
#
#   1000000:0       one million records, the planted series only (about 80 series)
#   10000000:0      ten million records, the same series
#   1000000:17000   one million records over 17,008 country-drug pairs: about 100,000
#                   series in the trends table (six per pair: totals, events and medians,
#                   annual and quarterly)
#
# Each configuration is run RUNS times (default 3) under GNU time; the table gives the
# median wall time, the highest peak RSS, the stage durations of the last run (from its
# manifest), and throughput in records a second of the whole run. Nothing is written in the
# repository except the release build; the work folder is removed at exit.
#
# Usage:  bash benches/records/chain.sh
#         CONFIGS="1000000:0" RUNS=5 BUILD=0 bash benches/records/chain.sh
# Needs:  cargo, jq, GNU time (/usr/bin/time).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
bin="$repo/target/release/routetrend"
runs="${RUNS:-3}"
configs="${CONFIGS:-1000000:0 10000000:0 1000000:17000}"

for tool in cargo jq; do
    command -v "$tool" >/dev/null || { echo "chain.sh: '$tool' not found" >&2; exit 1; }
done
[[ -x /usr/bin/time ]] || { echo "chain.sh: GNU time (/usr/bin/time) not found" >&2; exit 1; }
if [[ "${BUILD:-1}" == 1 ]]; then
    (cd "$repo" && cargo build --release --quiet)
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "| Records | Extra series | CSV | Series in trends table | Observations | Wall (median of $runs) | Peak RSS | Records/s | ingest | analyze | plot | report |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for config in $configs; do
    records="${config%%:*}"
    extra="${config##*:}"
    dir="$work/$config"
    mkdir -p "$dir"
    cp "$here/pipeline.toml" "$dir/"
    echo "synth $records records, $extra extra series..." >&2
    "$bin" --quiet synth --records "$records" --extra-series "$extra" --out "$dir/records.csv"
    walls=()
    peak=0
    for _ in $(seq "$runs"); do
        /usr/bin/time -f "%e %M" -o "$dir/time.txt" \
            "$bin" --quiet run "$dir/pipeline.toml" --force >/dev/null
        read -r wall kb < <(tail -n 1 "$dir/time.txt")
        walls+=("$wall")
        if ((kb > peak)); then peak="$kb"; fi
    done
    median="$(printf '%s\n' "${walls[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')"
    manifest="$dir/out/manifest.json"
    stage() { jq -r --arg s "$1" '.stages[] | select(.name == $s) | "\(.duration_ms) ms"' "$manifest"; }
    series="$(jq -r '.stages[] | select(.name == "analyze") | .rows.trend_rows' "$manifest")"
    observations="$(jq -r '.stages[] | select(.name == "ingest") | .rows.observations' "$manifest")"
    size="$(du -m "$dir/records.csv" | cut -f1)"
    rate="$(awk -v n="$records" -v t="$median" 'BEGIN {printf "%.0f", n / t}')"
    echo "| $records | $extra | $size MB | $series | $observations | $median s | $((peak / 1024)) MB | $rate | $(stage ingest) | $(stage analyze) | $(stage plot) | $(stage report) |"
    rm -f "$dir/records.csv"
done
echo
echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end; binary built $(date -u -r "$bin" '+%Y-%m-%d %H:%M UTC')."
