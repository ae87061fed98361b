#!/usr/bin/env bash
# Benchmark, not a test: time to answer. Runs the sweep DeepSpeed's
# ds_nvme_tune needed 279.7 s for on this kind of machine (16 configurations:
# block 128K/1M x depth 8/32 x sequential on/off x 1/2 threads, read + write of
# 256 MiB each) and compares aiotune's wall time with the time of the
# transfers it measured, the libaio check of the finalists included (their
# seconds: the clock starts once the visit's handle is set up, as DeepSpeed's
# does; setup_seconds is reported apart).
# RUNS sweeps (default 5), medians reported; with AIOTUNE_BASE set to another
# aiotune binary, its sweeps are interleaved with these (base, this, base, ...)
# so both see the same drive state.
#   tests/bench/sweep_overhead.sh [FOLDER]      (AIOTUNE_FLAGS=--no_huge_pages for normal pages)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
aiotune=${AIOTUNE:-$here/../../build/app/aiotune}
base=${AIOTUNE_BASE:-}
runs=${RUNS:-5}
folder=${1:-$PWD}
work=$(mktemp -d "$folder/aiotune-sweep-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

sweep() { # binary label run
    local dir="$work/$2.$3"
    mkdir -p "$dir/scratch"
    local start end
    start=$(date +%s.%N)
    "$1" sweep --nvme_dir "$dir/scratch" --log_dir "$dir/logs" --io_size 256M \
        --block_size 128K,1M --queue_depth 8,32 --sequential_requests true,false --io_parallel 1,2 \
        --loops 1 --json ${AIOTUNE_FLAGS:-} > "$dir/out.json" 2> "$dir/err.txt"
    end=$(date +%s.%N)
    echo "$start $end" > "$dir/wall"
    rm -rf "$dir/scratch"
}
for run in $(seq 1 "$runs"); do
    [[ -n $base ]] && sweep "$base" base "$run"
    sweep "$aiotune" this "$run"
done

python3 - "$work" "$runs" "$base" <<'PY'
import json, statistics, sys
work, runs, base = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def one(label, run):
    d = f"{work}/{label}.{run}"
    start, end = map(float, open(f"{d}/wall").read().split())
    doc = json.load(open(f"{d}/logs/sweep.json"))
    # The libaio check of the finalists is transfers too (sweep.json keeps them apart).
    checked = doc.get("confirmation", {}).get("configs", [])
    samples = [s for c in doc["configs"] + checked for s in c["samples"] if not s.get("error")]
    io = sum(s["seconds"] for s in samples)
    setup = sum(s.get("setup_seconds", 0) for s in samples)
    return len(samples), io, setup, end - start
for label in (["base"] if base else []) + ["this"]:
    rows = [one(label, r) for r in range(1, runs + 1)]
    for n, io, setup, wall in rows:
        print(f"{label}: transfers {n}, transfer time {io:.2f} s, setup {1000 * setup:.1f} ms, "
              f"wall {wall:.2f} s, wall / transfers = {wall / io:.3f}")
    print(f"{label}: median wall / transfers = {statistics.median(w / io for _, io, _, w in rows):.3f} over {runs} "
          f"interleaved runs; median setup {1000 * statistics.median(s for _, _, s, _ in rows):.1f} ms "
          f"(target <= 1.02; ds_nvme_tune: 279.7 s for 5.0 s of I/O)")
PY
