#!/usr/bin/env bash
# Benchmark, not a test: time to answer. Runs the sweep DeepSpeed's
# ds_nvme_tune needed 279.7 s for on this kind of machine (16 configurations:
# block 128K/1M x depth 8/32 x sequential on/off x 1/2 threads, read + write of
# 256 MiB each) and compares aiotune's wall time with the I/O time it measured.
#   tests/bench/sweep_overhead.sh [FOLDER]      (AIOTUNE_FLAGS=--no_huge_pages for normal pages)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
aiotune=${AIOTUNE:-$here/../../build/app/aiotune}
folder=${1:-$PWD}
work=$(mktemp -d "$folder/aiotune-sweep-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/scratch"

start=$(date +%s.%N)
"$aiotune" sweep --nvme_dir "$work/scratch" --log_dir "$work/logs" --io_size 256M \
    --block_size 128K,1M --queue_depth 8,32 --sequential_requests true,false --io_parallel 1,2 \
    --loops 1 --json ${AIOTUNE_FLAGS:-} > "$work/out.json" 2> "$work/err.txt"
end=$(date +%s.%N)

python3 - "$start" "$end" "$work/logs/sweep.json" <<'PY'
import json, sys
start, end, path = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
doc = json.load(open(path))
samples = [s for c in doc["configs"] for s in c["samples"] if not s.get("error")]
io = sum(s["seconds"] for s in samples)
wall = end - start
print(f"transfers {len(samples)}, I/O time {io:.2f} s, wall time {wall:.2f} s, "
      f"wall / I/O = {wall / io:.3f}  (target <= 1.05; ds_nvme_tune: 279.7 s for 5.0 s of I/O)")
PY
