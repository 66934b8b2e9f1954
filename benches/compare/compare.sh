#!/usr/bin/env bash
# routetrend vs "what researchers use today": the same trends table computed by
#   (a) target/release/routetrend analyze FILE --out TMP --window all
#   (b) python3 benches/compare/analysis.py FILE OUT.csv  (pandas + statsmodels + scipy +
#       pymannkendall + numpy, one series at a time, one process)
# both timed with GNU time (wall seconds, peak RSS), then checked value by value with
# benches/compare/check_same.py. See benches/compare/README.md.
#
# Usage (from anywhere; build first with `cargo build --release`):
#   bash benches/compare/compare.sh                 # synthetic 1,000 series x 40 years
#   SERIES=10000 bash benches/compare/compare.sh    # synthetic 10,000 series
#   bash benches/compare/compare.sh OBSERVATIONS.parquet
#
# Environment:
#   SERIES   number of synthetic series when no file is given (default 1000)
#   POINTS   points per synthetic series (default 40)
#   SEED     seed of the synthetic data (default 20240601)
#   SAMPLE   compare a random sample of N series (default 0: every series)
#   ONE_THREAD  1 (default) also times routetrend on one thread (RAYON_NUM_THREADS=1,
#            POLARS_MAX_THREADS=1), the like-for-like comparison with single-process Python
#   RT_RUNS  timed runs of routetrend, median reported (default 5; Python runs once)
#   KEEP     a folder to keep the outputs in (default: a temporary folder, removed at exit)
#
# Exit status: that of check_same.py (0 = every compared value agrees up to documented
# convention differences, 1 = some disagree), or the failing command's.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
bin="$repo/target/release/routetrend"
SERIES=${SERIES:-1000}
POINTS=${POINTS:-40}
SEED=${SEED:-20240601}
SAMPLE=${SAMPLE:-0}
ONE_THREAD=${ONE_THREAD:-1}
RT_RUNS=${RT_RUNS:-5}

if [[ ! -x "$bin" ]]; then
    echo "no release binary at $bin: run 'cargo build --release' in $repo first" >&2
    exit 2
fi
if [[ ! -x /usr/bin/time ]]; then
    echo "needs GNU time at /usr/bin/time" >&2
    exit 2
fi

if [[ -n "${KEEP:-}" ]]; then
    work=$KEEP
    mkdir -p "$work"
else
    work=$(mktemp -d "${TMPDIR:-/tmp}/routetrend-compare.XXXXXX")
    trap 'rm -rf "$work"' EXIT
fi

if [[ $# -ge 1 ]]; then
    obs=$1
    [[ -f "$obs" ]] || { echo "no such file: $obs" >&2; exit 2; }
else
    obs="$work/synthetic_${SERIES}x${POINTS}.parquet"
    python3 "$here/make_series.py" "$obs" --series "$SERIES" --points "$POINTS" --seed "$SEED"
fi

echo "== machine: $(nproc) cores; $(uptime | sed 's/.*load average/load average/')"
echo "== input: $obs"

# GNU time writes "WALL_SECONDS PEAK_KB" to a file; the command's own output is kept apart.
timed() {
    local out=$1
    shift
    /usr/bin/time -f "%e %M" -o "$out" "$@"
}

# routetrend takes a fraction of a second: run it RT_RUNS times, keep the median wall time
# (and the largest peak memory) so that one scheduling hiccup does not decide the ratio.
timed_median() {
    local out=$1
    shift
    : >"$out.all"
    for _ in $(seq "$RT_RUNS"); do
        timed "$out.one" "$@" >/dev/null
        cat "$out.one" >>"$out.all"
    done
    sort -n "$out.all" | awk '{w[NR]=$1; if ($2>m) m=$2} END {print w[int((NR+1)/2)], m}' >"$out"
    echo "   wall seconds of the $RT_RUNS runs: $(cut -d' ' -f1 "$out.all" | tr '\n' ' ')"
}

echo "== (a) routetrend analyze (all cores), $RT_RUNS runs"
timed_median "$work/time_rt" "$bin" analyze "$obs" --out "$work/rt" --window all
if [[ "$ONE_THREAD" == 1 ]]; then
    echo "== (a1) routetrend analyze (one thread: RAYON_NUM_THREADS=1 POLARS_MAX_THREADS=1)"
    RAYON_NUM_THREADS=1 POLARS_MAX_THREADS=1 \
        timed_median "$work/time_rt1" "$bin" analyze "$obs" --out "$work/rt1" --window all
fi
echo "== (b) python3 analysis.py"
timed "$work/time_py" python3 "$here/analysis.py" "$obs" "$work/python.csv"
echo "== machine after: $(uptime | sed 's/.*load average/load average/')"

echo "== (c) check_same.py"
status=0
python3 "$here/check_same.py" "$work/rt/trends.csv" "$work/python.csv" \
    --sample "$SAMPLE" --observations "$obs" || status=$?

n_series=$(python3 -c 'import csv,sys; print(sum(1 for _ in csv.DictReader(open(sys.argv[1]))))' \
    "$work/rt/trends.csv")
read -r rt_s rt_kb <"$work/time_rt"
read -r py_s py_kb <"$work/time_py"
echo
echo "== timings ($n_series series)"
python3 - "$n_series" "$rt_s" "$rt_kb" "$py_s" "$py_kb" "$work/time_rt1" <<'EOF'
import os, sys
n = int(sys.argv[1])
rows = [("routetrend analyze", float(sys.argv[2]), int(sys.argv[3]))]
if os.path.exists(sys.argv[6]):
    s, kb = open(sys.argv[6]).read().split()
    rows.append(("routetrend, 1 thread", float(s), int(kb)))
rows.append(("python analysis.py", float(sys.argv[4]), int(sys.argv[5])))
print(f"{'':<22}{'wall s':>9}{'peak MB':>9}{'ms/series':>11}   (routetrend: median of runs)")
for name, s, kb in rows:
    print(f"{name:<22}{s:>9.2f}{kb / 1024:>9.0f}{1000 * s / max(n, 1):>11.3f}")
py = rows[-1][1]
for name, s, _ in rows[:-1]:
    ratio = py / s if s > 0 else float("inf")
    print(f"ratio python / {name}: {ratio:.0f}x (GNU time has 0.01 s resolution)")
EOF
[[ -n "${KEEP:-}" ]] && echo "outputs kept in $work"
exit "$status"
