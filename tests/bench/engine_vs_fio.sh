#!/usr/bin/env bash
# Benchmark, not a test: aiotune's engine side by side with fio on the same
# folder, interleaved (aiotune, fio io_uring, fio libaio, repeat) so drift
# and noise hit all three alike. Prints the median ratio aiotune / best fio.
#
#   tests/bench/engine_vs_fio.sh [FOLDER] [--rounds N] [--io_size 400M]
#                                [--block_size 1M] [--queue_depth 32] [--io_parallel 1]
#                                [--no_huge_pages]   (aiotune's buffer on normal pages, like fio's)
#                                [--engine io_uring|libaio]  (aiotune's engine; default auto)
# Also prints the average request size the disk saw (from /sys/block/DEV/stat)
# for each tool: how far the block layer could merge or had to split requests.
# As root it repeats the run on a fresh tmpfs mount.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
aiotune=${AIOTUNE:-$here/../../build/app/aiotune}
folder=""; rounds=5; io_size=400M; bs=1M; qd=32; par=1; pages=; engine=auto
while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) rounds=$2; shift 2 ;;
        --io_size) io_size=$2; shift 2 ;;
        --block_size) bs=$2; shift 2 ;;
        --queue_depth) qd=$2; shift 2 ;;
        --io_parallel) par=$2; shift 2 ;;
        --no_huge_pages) pages=--no_huge_pages; shift ;;
        --engine) engine=$2; shift 2 ;;
        -*) echo "unknown option $1" >&2; exit 2 ;;
        *) folder=$1; shift ;;
    esac
done
folder=${folder:-$PWD}
command -v fio >/dev/null || { echo "fio is missing: apt-get install fio" >&2; exit 1; }
[ -x "$aiotune" ] || { echo "build aiotune first ($aiotune not found)" >&2; exit 1; }

# The disk under the folder, for its request counters (empty on tmpfs and the like).
disk_of() {
    local dev; dev=$(df --output=source "$1" | tail -1); dev=${dev#/dev/}
    local sys=/sys/class/block/$dev
    [ -e "$sys/partition" ] && sys=$(dirname "$(readlink -f "$sys")")
    [ -r "$sys/stat" ] && echo "$sys/stat"
}
# stat fields: 1 reads completed, 3 sectors read, 5 writes completed, 7 sectors written
counters() { if [ -n "$stat" ]; then cat "$stat"; else echo 0 0 0 0 0 0 0; fi; }
avg_kib() { # before after op -> KiB per request the disk saw
    python3 -c 'import sys
b, a, op = sys.argv[1].split(), sys.argv[2].split(), sys.argv[3]
i = 0 if op == "read" else 4
n = int(a[i]) - int(b[i]); s = int(a[i + 2]) - int(b[i + 2])
print(round(s * 512 / 1024 / n) if n > 0 else 0)' "$1" "$2" "$3"
}

gib() { python3 -c 'import sys; print(float(sys.argv[1]) / 2**30)' "$1"; }

run_one_folder() {
    local dir=$1 label=$2
    local work; work=$(mktemp -d "$dir/aiotune-bench.XXXXXX")
    stat=$(disk_of "$dir")
    trap 'rm -rf "$work"' RETURN
    echo "== $label: $dir  (io_size $io_size, block $bs, depth $qd, threads $par, $rounds rounds${pages:+, aiotune $pages})"
    for op in write read; do
        local a=() t=() u=() l=() ka=() ku=()
        local fio_rw=$op; local ds_flag=""; [ "$op" = read ] && ds_flag=--read
        for ((r = 1; r <= rounds; r++)); do
            local both before
            before=$(counters)
            both=$("$aiotune" io --folder "$work" $ds_flag --io_size "$io_size" --block_size "$bs" \
                    --queue_depth "$qd" --io_parallel "$par" --engine "$engine" $pages --json |
                  python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["gib_per_s"], j["io_gib_per_s"])')
            a+=("${both% *}"); t+=("${both#* }"); ka+=("$(avg_kib "$before" "$(counters)" "$op")")
            for fio_engine in io_uring libaio; do
                local bw
                before=$(counters)
                bw=$(fio --name=peer --directory="$work" --filename=fio.dat --size="$io_size" \
                         --bs="$bs" --iodepth="$qd" --numjobs="$par" --offset_increment=0 \
                         --rw="$fio_rw" --direct=1 --ioengine="$fio_engine" --group_reporting \
                         --output-format=json |
                     python3 -c "import json,sys; j=json.load(sys.stdin); print(sum(x['$fio_rw']['bw_bytes'] for x in j['jobs']))")
                if [ "$fio_engine" = io_uring ]; then
                    u+=("$(gib "$bw")"); ku+=("$(avg_kib "$before" "$(counters)" "$op")")
                else l+=("$(gib "$bw")"); fi
            done
        done
        python3 - "$op" "${a[*]}" "${t[*]}" "${u[*]}" "${l[*]}" "${ka[*]}" "${ku[*]}" <<'PY'
import statistics, sys
op, a, t, u, l, ka, ku = sys.argv[1], *[list(map(float, s.split())) for s in sys.argv[2:]]
ma, mt, mu, ml = (statistics.median(x) for x in (a, t, u, l))
best = max(mu, ml)
# fio's bandwidth counts I/O time only; aiotune's I/O-time figure is the like
# for like, its end-to-end figure (threads, rings, buffer pinning) the stricter one.
print(f"{op:5s}  aiotune I/O {mt:5.2f} GiB/s (end to end {ma:5.2f})   fio io_uring {mu:5.2f}   "
      f"fio libaio {ml:5.2f}   ratio aiotune/best fio = {mt / best:.2f} (end to end {ma / best:.2f})")
print(f"       per round: aiotune {t}  fio io_uring {u}  fio libaio {l}")
print(f"       median request size at the disk: aiotune {statistics.median(ka):.0f} KiB, "
      f"fio io_uring {statistics.median(ku):.0f} KiB (0: no disk counters here)")
PY
        rm -f "$work/fio.dat"
    done
}

run_one_folder "$folder" "disk"
if [ "$(id -u)" -eq 0 ]; then
    mnt=$(mktemp -d /tmp/aiotune-tmpfs.XXXXXX)
    # Unmounted and removed however the run ends (Ctrl-C, timeout's SIGTERM).
    trap 'umount "$mnt" 2>/dev/null; rmdir "$mnt" 2>/dev/null' EXIT
    trap 'exit 143' TERM
    trap 'exit 130' INT
    if mount -t tmpfs -o size=2G tmpfs "$mnt"; then
        run_one_folder "$mnt" "tmpfs" || true
    fi
else
    echo "(not root: tmpfs run skipped)"
fi
