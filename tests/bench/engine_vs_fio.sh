#!/usr/bin/env bash
# Benchmark, not a test: aiotune's engine side by side with fio on the same
# folder, interleaved (aiotune, fio io_uring, fio libaio, repeat) so drift
# and noise hit all three alike. Prints the median ratio aiotune / best fio.
#
#   tests/bench/engine_vs_fio.sh [FOLDER] [--rounds N] [--io_size 400M]
#                                [--block_size 1M] [--queue_depth 32] [--io_parallel 1]
# As root it repeats the run on a fresh tmpfs mount.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
aiotune=${AIOTUNE:-$here/../../build/app/aiotune}
folder=""; rounds=5; io_size=400M; bs=1M; qd=32; par=1
while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) rounds=$2; shift 2 ;;
        --io_size) io_size=$2; shift 2 ;;
        --block_size) bs=$2; shift 2 ;;
        --queue_depth) qd=$2; shift 2 ;;
        --io_parallel) par=$2; shift 2 ;;
        -*) echo "unknown option $1" >&2; exit 2 ;;
        *) folder=$1; shift ;;
    esac
done
folder=${folder:-$PWD}
command -v fio >/dev/null || { echo "fio is missing: apt-get install fio" >&2; exit 1; }
[ -x "$aiotune" ] || { echo "build aiotune first ($aiotune not found)" >&2; exit 1; }

gib() { python3 -c 'import sys; print(float(sys.argv[1]) / 2**30)' "$1"; }

run_one_folder() {
    local dir=$1 label=$2
    local work; work=$(mktemp -d "$dir/aiotune-bench.XXXXXX")
    trap 'rm -rf "$work"' RETURN
    echo "== $label: $dir  (io_size $io_size, block $bs, depth $qd, threads $par, $rounds rounds)"
    for op in write read; do
        local a=() t=() u=() l=()
        local fio_rw=$op; local ds_flag=""; [ "$op" = read ] && ds_flag=--read
        for ((r = 1; r <= rounds; r++)); do
            local both
            both=$("$aiotune" io --folder "$work" $ds_flag --io_size "$io_size" --block_size "$bs" \
                    --queue_depth "$qd" --io_parallel "$par" --json |
                  python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["gib_per_s"], j["io_gib_per_s"])')
            a+=("${both% *}"); t+=("${both#* }")
            for engine in io_uring libaio; do
                local bw
                bw=$(fio --name=peer --directory="$work" --filename=fio.dat --size="$io_size" \
                         --bs="$bs" --iodepth="$qd" --numjobs="$par" --offset_increment=0 \
                         --rw="$fio_rw" --direct=1 --ioengine="$engine" --group_reporting \
                         --output-format=json |
                     python3 -c "import json,sys; j=json.load(sys.stdin); print(sum(x['$fio_rw']['bw_bytes'] for x in j['jobs']))")
                if [ "$engine" = io_uring ]; then u+=("$(gib "$bw")"); else l+=("$(gib "$bw")"); fi
            done
        done
        python3 - "$op" "${a[*]}" "${t[*]}" "${u[*]}" "${l[*]}" <<'PY'
import statistics, sys
op, a, t, u, l = sys.argv[1], *[list(map(float, s.split())) for s in sys.argv[2:]]
ma, mt, mu, ml = (statistics.median(x) for x in (a, t, u, l))
best = max(mu, ml)
# fio's bandwidth counts I/O time only; aiotune's I/O-time figure is the like
# for like, its end-to-end figure (threads, rings, buffer pinning) the stricter one.
print(f"{op:5s}  aiotune I/O {mt:5.2f} GiB/s (end to end {ma:5.2f})   fio io_uring {mu:5.2f}   "
      f"fio libaio {ml:5.2f}   ratio aiotune/best fio = {mt / best:.2f} (end to end {ma / best:.2f})")
print(f"       per round: aiotune {t}  fio io_uring {u}  fio libaio {l}")
PY
        rm -f "$work/fio.dat"
    done
}

run_one_folder "$folder" "disk"
if [ "$(id -u)" -eq 0 ]; then
    mnt=$(mktemp -d /tmp/aiotune-tmpfs.XXXXXX)
    if mount -t tmpfs -o size=2G tmpfs "$mnt"; then
        run_one_folder "$mnt" "tmpfs" || true
        umount "$mnt"
    fi
    rmdir "$mnt"
else
    echo "(not root: tmpfs run skipped)"
fi
