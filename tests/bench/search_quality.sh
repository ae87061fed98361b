#!/usr/bin/env bash
# Benchmark, not a test: how good and how cheap the default adaptive search is
# on a real drive. Ground truth: DeepSpeed's 64-point grid (ds_nvme_tune
# 0.17.1) measured with seven interleaved loops; truth of a configuration =
# geometric mean of its read + write figures over those loops. Then the
# default search: replayed against the recorded truth folder (no I/O) and run
# for real, RUNS times each with different seeds. Reports median regret
# (1 - truth of the pick / truth of the best) and cost (transfers / a
# three-loop grid's 384).
#   tests/bench/search_quality.sh DIR [IO_SIZE]     (IO_SIZE default 400M; RUNS=5)
# Without DIR: the table on the five synthetic drive classes instead (flat
# top, corner optimum, bimodal writes, heavy noise, slow drift; no I/O,
# seeded): per class the share of seeds within 3% of the best, the worst pick,
# the picks worse than 5% and the cost, for DeepSpeed's one-loop grid, a
# three-loop grid and the search at budgets 192, 128, 96 (the default), 90 and
# 56 transfers (0: the default budget).
#   tests/bench/search_quality.sh [--seeds N] [--budgets "192 128 96 90 56"]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
aiotune=${AIOTUNE:-$here/../../build/app/aiotune}
if [[ $# -eq 0 || $1 == --* ]]; then
    seeds=400 budgets="192 128 96 90 56"
    while [[ $# -gt 0 ]]; do
        case $1 in
            --seeds) seeds=$2; shift 2 ;;
            --budgets) budgets=$2; shift 2 ;;
            *) echo "search_quality.sh: unknown option $1" >&2; exit 2 ;;
        esac
    done
    # shellcheck disable=SC2086 # one budget per argument
    exec "${SEARCH_QUALITY_CLASSES:-$here/../../build/tests/search_quality_classes}" "$seeds" $budgets
fi
folder=${1:?usage: search_quality.sh DIR [IO_SIZE]}
io=${2:-400M}
runs=${RUNS:-5}
work=$(mktemp -d "$folder/aiotune-search-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/scratch"

"$aiotune" sweep --nvme_dir "$work/scratch" --log_dir "$work/truth" --io_size "$io" \
    --search grid --loops 7 --json ${AIOTUNE_FLAGS:-} > "$work/truth.json" 2> "$work/truth.err"
for seed in $(seq 1 "$runs"); do
    "$aiotune" sweep --replay "$work/truth" --seed "$seed" --json > "$work/replay.$seed.json"
    "$aiotune" sweep --nvme_dir "$work/scratch" --log_dir "$work/real.$seed" --io_size "$io" --seed "$seed" \
        --json ${AIOTUNE_FLAGS:-} > "$work/real.$seed.json" 2> "$work/real.$seed.err"
done

python3 - "$work" "$runs" "$io" <<'PY'
import json, math, statistics, sys
work, runs, io = sys.argv[1], int(sys.argv[2]), sys.argv[3]
doc = json.load(open(f"{work}/truth/sweep.json"))
def key(aio):
    return (aio["block_size"], aio["queue_depth"], aio["intra_op_parallelism"], aio["single_submit"], aio["overlap_events"])
truth = {}
for c in doc["configs"]:
    k = c["key"]
    by_loop = {}
    for s in c["samples"]:
        if s.get("error"): continue
        by_loop.setdefault(s.get("loop", 0), {})[s["op"]] = s["gibps"] if "gibps" in s else s["gib_per_sec"]
    figs = [v["read"] + v["write"] for v in by_loop.values() if "read" in v and "write" in v]
    if figs: truth[key(k.get("aio", k))] = math.exp(sum(map(math.log, figs)) / len(figs))
best = max(truth.values())
grid = 384
def summary(kind):
    regrets, costs, stops = [], [], []
    for seed in range(1, runs + 1):
        j = json.load(open(f"{work}/{kind}.{seed}.json"))
        pick = key(j["aio"])
        regrets.append(1 - truth.get(pick, 0) / best)
        costs.append(j["search"]["transfers"] / grid)
        stops.append(j["search"]["stopped_because"])
    print(f"{kind:7s} runs {runs}: median regret {100*statistics.median(regrets):.2f}% "
          f"(max {100*max(regrets):.2f}%), median cost {statistics.median(costs):.2f} of a three-loop grid, "
          f"stopped: {', '.join(stops)}")
print(f"truth: 64 points x 7 loops at io_size {io}; best {best:.3f} GiB/s read+write")
summary("replay")
summary("real")
PY
