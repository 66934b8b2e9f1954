#!/usr/bin/env bash
# End-to-end benchmarks of the release binary, each from a cold process, as a user runs it:
#
#   (a) routetrend run --force      the shipped pipeline (pipelines/northern_route.toml) end
#                                   to end, in a temporary copy of data/ and pipelines/
#   (b) routetrend ingest ARQ CSV   51,201 rows of the ARQ seizures file, with its mapping
#   (c) routetrend ingest UNODC     the 2018-2022 UNODC workbook (xlsx, 11,013 rows)
#   (d) routetrend analyze          the trends table of the ARQ observation table
#                                   (about 42,765 observations in 4,400 series)
#   (e) routetrend ingest records   RECORDS individual seizure records (default 1,000,000)
#                                   made by `routetrend synth` (seeded), summed into series:
#                                   the "millions of rows" scale of DESIGN.md "Performance"
#
# Each is timed with hyperfine (warmup runs first, then RUNS timed runs) and run three more
# times under GNU time for its peak resident memory. The result is a Markdown table on
# stdout (progress goes to stderr), ready to paste into BENCHMARKS.md, with a header line
# saying how busy the machine was. Nothing is written inside the repository except the
# release build in target/; every output goes to a temporary folder removed at exit.
#
# Usage (from anywhere):
#   bash benches/run_benchmarks.sh
#   RUNS=20 WARMUP=3 bash benches/run_benchmarks.sh > /tmp/bench.md
#
# Environment:
#   RUNS                    timed runs per command (default 10)
#   WARMUP                  untimed runs before them (default 2)
#   RECORDS                 synthetic seizure records for (e) (default 1000000)
#   BUILD                   1 (default) runs `cargo build --release` first; 0 times the
#                           binary already in target/release as it is (say which in the notes)
#   ROUTETREND_PUBLIC_DATA  folder holding arq_seizures_1970_2020.csv and
#                           unodc_drug_seizures_2018_2022.xlsx (default tests/data/public)
#
# Needs: cargo, hyperfine, jq, GNU time (/usr/bin/time). Timings are for comparison on one
# machine; measure on a quiet machine (no build running) before recording numbers.

set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
public_data="${ROUTETREND_PUBLIC_DATA:-$repo/tests/data/public}"
runs="${RUNS:-10}"
records="${RECORDS:-1000000}"
warmup="${WARMUP:-2}"
arq_csv="$public_data/arq_seizures_1970_2020.csv"
unodc_xlsx="$public_data/unodc_drug_seizures_2018_2022.xlsx"

die() {
    echo "run_benchmarks.sh: $*" >&2
    exit 1
}

for tool in cargo hyperfine jq; do
    command -v "$tool" >/dev/null || die "'$tool' not found on PATH (needed to build and time)"
done
[[ -x /usr/bin/time ]] || die "/usr/bin/time (GNU time) not found: needed for peak memory"
for file in "$arq_csv" "$unodc_xlsx"; do
    [[ -f "$file" ]] || die "input '$file' not found; set ROUTETREND_PUBLIC_DATA to its folder"
done

bin="$repo/target/release/routetrend"
if [[ "${BUILD:-1}" == 1 ]]; then
    echo "building the release binary (cargo build --release)..." >&2
    (cd "$repo" && cargo build --release --quiet)
else
    [[ -x "$bin" ]] || die "BUILD=0 but $bin does not exist: build it first"
    echo "BUILD=0: timing the existing $bin, built $(date -u -r "$bin" '+%Y-%m-%d %H:%M UTC')" >&2
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
project="$work/project"
mkdir -p "$project"
cp -r "$repo/data" "$repo/pipelines" "$project/"

# The input of (d), made once and untimed.
"$bin" --quiet ingest "$arq_csv" --mapping "$project/data/mappings/arq_seizures.toml" \
    --out "$work/arq" >/dev/null
# The input of (e), made once and untimed (the default seed, so always the same file).
"$bin" --quiet synth --records "$records" --out "$work/records.csv"

rows=()

# bench LABEL MEANING COMMAND...: times COMMAND (run in the project copy, output discarded)
# and appends a table row.
bench() {
    local label="$1" meaning="$2"
    shift 2
    local json="$work/timing.json" quoted
    quoted="$(printf '%q ' "$@")"
    echo "timing: $label" >&2
    (cd "$project" && hyperfine --shell=none --style=basic --warmup "$warmup" --runs "$runs" \
        --export-json "$json" "$quoted" >&2)
    local peak=0 kb
    for _ in 1 2 3; do
        (cd "$project" && /usr/bin/time -f "%M" -o "$work/peak.txt" "$@" >/dev/null 2>&1)
        kb="$(tail -n 1 "$work/peak.txt")"
        if ((kb > peak)); then peak="$kb"; fi
    done
    rows+=("$(jq -r --arg name "$label" --arg what "$meaning" --arg peak "$peak" '
        .results[0]
        | def ms: . * 1000 | (. * 10 | round) / 10 | tostring + " ms";
          "| \($name) | \($what) | \(.median | ms) | \(.mean | ms) ± \(.stddev | ms)"
          + " | \(.min | ms) … \(.max | ms) | \(.times | length)"
          + " | \(($peak | tonumber) / 1024 | round) MB |"' "$json")")
}

bench "run --force" "shipped pipeline, every stage (ingest, analyze, plot, report)" \
    "$bin" run --force
bench "ingest ARQ CSV" "51,201 rows via data/mappings/arq_seizures.toml" \
    "$bin" ingest "$arq_csv" --mapping data/mappings/arq_seizures.toml --out "$work/ingest_arq"
bench "ingest UNODC xlsx" "UNODC 2018-2022 workbook, 11,013 rows" \
    "$bin" ingest "$unodc_xlsx" --out "$work/ingest_unodc"
bench "analyze ARQ" "trends table of the ARQ observations (default options)" \
    "$bin" analyze "$work/arq/observations.parquet" --out "$work/analyze_arq"
bench "ingest records" "$records synthetic seizure records (routetrend synth)" \
    "$bin" ingest "$work/records.csv" --out "$work/ingest_records"

# Where the time of (a) goes: the stage durations the run records in its manifest, from
# one more run (in the same process as the stages, so without process start-up).
(cd "$project" && "$bin" --quiet run --force >/dev/null 2>&1) || die "routetrend run --force failed"
stages="$(jq -r '[.stages[] | "\(.name) \(.duration_ms) ms"] | join(", ")' \
    "$project/out/northern_route/manifest.json")"

series="$(jq -r '.series' <("$bin" analyze "$work/arq/observations.parquet" \
    --out "$work/analyze_count" --json))"
busy="$(ps -eo comm= | grep -cE '^(cargo|cargo-fuzz|rustc|rustdoc)$' || true)"
load="$(cut -d' ' -f1-3 /proc/loadavg)"

echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) cores," \
    "$(lscpu | sed -n 's/^Model name: *//p'), $(rustc --version)." \
    "Load average $load; $busy cargo/rustc process(es) running besides this script." \
    "Binary built $(date -u -r "$bin" '+%Y-%m-%d %H:%M UTC')." \
    "Hyperfine: $warmup warmup + $runs timed runs each; peak RSS: highest of 3 runs." \
    "ARQ analysis: $series series. Stages of one run --force: $stages."
echo
echo "| Command | What | Median | Mean ± σ | Min … Max | Runs | Peak RSS |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: |"
printf '%s\n' "${rows[@]}"
