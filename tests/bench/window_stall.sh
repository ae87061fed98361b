#!/usr/bin/env bash
# Benchmark: the window's longest event-loop stall (a 2 ms timer probe) during
# a simulated 256-point sweep feed and while opening a folder of 10,000
# DeepSpeed logs (target: < 50 ms each). Builds the window_stall target of the
# default preset if needed. Runs on the offscreen platform unless DISPLAY is
# set and AIOTUNE_BENCH_DISPLAY=1.
#   tests/bench/window_stall.sh [POINTS] [FILES] [SAMPLE_INTERVAL_MS] [RUNS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build="$root/build"
runs=${4:-3}

if [[ ! -f "$build/build.ninja" ]]; then
    cmake --preset default -S "$root" >/dev/null
fi
cmake --build "$build" --target window_stall -j2 >/dev/null

if [[ "${AIOTUNE_BENCH_DISPLAY:-0}" != 1 ]]; then
    export QT_QPA_PLATFORM=offscreen
fi
for ((i = 1; i <= runs; i++)); do
    echo "run $i:"
    "$build/tests/window_stall" "${1:-256}" "${2:-10000}" "${3:-4}"
done
