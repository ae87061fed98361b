#!/usr/bin/env bash
# Benchmark: LogFolderReader over 10,000 DeepSpeed log files (target: < 0.5 s).
# Builds aiotune_core (default preset) if needed, generates the files in a
# temporary folder, compiles the tiny timer next to this script and runs it.
#   tests/bench/bench_log_reader.sh [FILES] [RUNS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
files=${1:-10000}
runs=${2:-5}
build="$root/build"

if [[ ! -f "$build/core/libaiotune_core.a" ]]; then
    cmake --preset default -S "$root" >/dev/null
fi
cmake --build "$build" --target aiotune_core -j2 >/dev/null

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/_aio_bench_read_logs" "$tmp/_aio_bench_write_logs"

# One body per op, in DeepSpeed 0.15's shape (a dozen lines, ~1.3 KiB).
body() { # $1 = Read|Write
    local op=$1
    printf 'Testing deepspeed_aio python frontend\n'
    printf "args = Namespace(folder=None, folder_to_device_mapping=['/local_nvme/:0'], io_size='400M', read=True, multi_process=1, block_size='1M', queue_depth=32, single_submit=False, sequential_requests=False, validate=False, handle=True, loops=1, io_parallel=8, gpu=False, use_gds=False, slow_bounce_buffer=False)\n"
    printf 'Successful validation of command line arguments\nConfiguring 1 process to folder mapping\n'
    printf '[0]: process 0 <----> /local_nvme/\n'
    printf "tid 0: schedule = {'pre': <function pre_handle at 0x7f3a1c2b5e50>, 'post': <function post_handle at 0x7f3a1c2b5f70>, 'main': <function main_parallel at 0x7f3a1c2b6040>}\n"
    printf 'tid 0: running pre-task\ntid 0: Allocate tensor of size 419430400 bytes\n'
    printf 'tid 0: created deepspeed aio handle\ntid 0: running main task 0\ntid 0: running post-task\n'
    printf 'Task %s Latency = 0.11033294680529722 sec\nTask %s Speed = 3.540420258051565 GB/sec\n' "$op" "$op"
    printf 'E2E %s Latency = 0.11062872368852779 sec\nE2E %s Speed = 3.5309545927673742 GB/sec\n' "$op" "$op"
}
read_body=$(body Read)
write_body=$(body Write)

n=0
per_op=$(( (files + 1) / 2 ))
for ftd in 1 2 3 4 5 6 7 8; do
 for sub in block single; do
  for ov in overlap sequential; do
   for p in 1 2 4 8 16; do
    for d in 1 2 4 8 16 32 64 128 256 512; do
     for bs in 128K 256K 512K 1M 2M 4M 8M 16M; do
      (( n >= per_op )) && break 6
      tag="${sub}_${ov}_ftd${ftd}_d${d}_bs${bs}_p${p}"
      printf '%s\n' "$read_body" > "$tmp/_aio_bench_read_logs/read_${tag}.txt"
      printf '%s\n' "$write_body" > "$tmp/_aio_bench_write_logs/write_${tag}.txt"
      n=$((n + 1))
     done
    done
   done
  done
 done
done
echo "generated $((n * 2)) log files in $tmp"

"${CXX:-g++}" -std=c++20 -O2 -I"$root/core" "$here/bench_log_reader.cpp" \
    "$build/core/libaiotune_core.a" -o "$tmp/bench_log_reader"
# Cold-ish first run included: the median is the figure to compare.
"$tmp/bench_log_reader" "$tmp" "$runs"
