#!/usr/bin/env bash
# How long a first (clean) release build takes under a few `[profile.release]` choices, and
# what each choice costs at run time: the numbers of BENCHMARKS.md "Release build".
#
# For each variant, a clean `cargo build --release --locked` of the committed HEAD (a
# `git archive` snapshot, so edits in the working tree never reach the measured builds) into
# its own target folder (so the variants never share compiled crates), under GNU time: wall time, CPU time
# (user + system) and peak memory of the build. Then the variant's binary runs the shipped
# pipeline (`run --force`, every stage) RUNS times in a temporary copy of data/ and
# pipelines/, and the median wall time is reported with the binary's size.
#
# CPU time is the figure to compare on a busy machine: wall time stretches with whatever else
# runs, CPU time much less. On an idle 2-core machine the wall time of a clean build is
# about CPU time / 1.7 (the build is not parallel all the way through).
#
# Usage (from anywhere; nothing in the repository changes, Cargo.toml included):
#   bash benches/release_profile.sh                    # every variant
#   VARIANTS="baseline opt2" bash benches/release_profile.sh
#
# Environment:
#   VARIANTS     names from the list below (default: all)
#   TARGET_ROOT  folder for the target folders (default: a temporary folder, removed at exit;
#                set it to keep the builds and their cargo-timings HTML reports)
#   RUNS         timed runs of `run --force` per variant (default 5)

set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${RUNS:-5}"

# name|cargo --config overrides of [profile.release] (space-separated)|what it means
variants=(
    "baseline||Cargo.toml as committed"
    "no_lto|profile.release.lto=false|opt-level 3, 16 codegen units, no cross-crate LTO (Cargo's default)"
    "opt2|profile.release.opt-level=2|opt-level 2"
    "thin_lto|profile.release.lto=\"thin\"|thin LTO across crates"
    "cgu256|profile.release.codegen-units=256|256 codegen units"
)

# Cargo.toml asks for thin LTO, so `baseline` and `thin_lto` are the same build; `no_lto` is
# Cargo's default profile.
selected="${VARIANTS:-baseline no_lto opt2 cgu256}"
if [[ -n "${TARGET_ROOT:-}" ]]; then
    root="$TARGET_ROOT"
    mkdir -p "$root"
    work="$(mktemp -d)"
    trap 'rm -rf "$work"' EXIT
else
    root="$(mktemp -d)"
    work="$root/work"
    mkdir -p "$work"
    trap 'rm -rf "$root"' EXIT
fi

source="$work/source"
mkdir -p "$source"
git -C "$repo" archive HEAD | tar -x -C "$source"
project="$work/project"
mkdir -p "$project"
cp -r "$source/data" "$source/pipelines" "$project/"
echo "measuring $(git -C "$repo" rev-parse --short HEAD)" >&2

echo "| Variant | Meaning | Clean build (wall) | Build CPU (user + sys) | Build peak memory | Binary | run --force (median of $runs) |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: |"
for entry in "${variants[@]}"; do
    IFS='|' read -r name overrides meaning <<<"$entry"
    [[ " $selected " == *" $name "* ]] || continue
    target="$root/$name"
    config=()
    for override in $overrides; do
        config+=(--config "$override")
    done
    echo "building $name (load average before: $(cut -d' ' -f1-3 /proc/loadavg))" >&2
    (cd "$source" && /usr/bin/time -f "%e %U %S %M" -o "$work/build.txt" \
        cargo build --release --locked --quiet --timings --target-dir "$target" "${config[@]}")
    read -r wall user sys peak_kb <"$work/build.txt"
    bin="$target/release/routetrend"
    times=()
    for _ in $(seq "$runs"); do
        (cd "$project" && /usr/bin/time -f "%e" -o "$work/run.txt" "$bin" --quiet run --force >/dev/null 2>&1)
        times+=("$(cat "$work/run.txt")")
    done
    median="$(printf '%s\n' "${times[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')"
    size_mb="$(awk -v b="$(stat -c %s "$bin")" 'BEGIN { printf "%.1f", b / 1048576 }')"
    awk -v n="$name" -v m="$meaning" -v w="$wall" -v u="$user" -v s="$sys" -v p="$peak_kb" \
        -v z="$size_mb" -v r="$median" 'BEGIN {
            printf "| %s | %s | %d min %02d s | %d min | %.1f GB | %s MB | %.2f s |\n",
                n, m, int(w / 60), int(w % 60), int((u + s) / 60 + 0.5), p / 1048576, z, r }'
    echo "built $name: wall ${wall}s, cpu $(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')s (load average after: $(cut -d' ' -f1-3 /proc/loadavg))" >&2
done
