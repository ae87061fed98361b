#!/usr/bin/env bash
# Benchmark, not a test: do the io_uring and libaio engines rank DeepSpeed's
# configurations alike? Measures DeepSpeed's 64-point grid (ds_nvme_tune:
# block 1M, 8M x queue depth 32, 128 x overlap on/off x single submit on/off x
# parallelism 1, 2, 4, 8) with both engines, interleaved point by point (the
# engine going first alternates, the point order is shuffled each round) so
# drift hits both alike; then prints, for reads and for writes, Kendall's tau
# of the two rankings and the ratio of the best figures, beside each engine's
# agreement with itself from round to round (the most the first can reach).
#
#   tests/bench/engine_agreement.sh DIR [--io_size 400M] [--rounds 1] [--metric e2e|io]
#                                  [--seed 1] [--csv FILE] [--aiotune_flags "..."]
# --rounds N takes each figure as the median of N interleaved rounds.
# --aiotune_flags is passed to every `aiotune io` (e.g. "--no_huge_pages").
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
aiotune=${AIOTUNE:-$here/../../build/app/aiotune}
folder=""; io_size=400M; rounds=1; metric=e2e; seed=1; csv=""; flags=""
while [ $# -gt 0 ]; do
    case "$1" in
        --io_size) io_size=$2; shift 2 ;;
        --rounds) rounds=$2; shift 2 ;;
        --metric) metric=$2; shift 2 ;;
        --seed) seed=$2; shift 2 ;;
        --csv) csv=$2; shift 2 ;;
        --aiotune_flags) flags=$2; shift 2 ;;
        -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
        -*) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
        *) folder=$1; shift ;;
    esac
done
[ -n "$folder" ] || { echo "usage: $0 DIR [options]: DIR is a folder on the drive to test" >&2; exit 2; }
[ -d "$folder" ] || { echo "$folder is not a folder" >&2; exit 2; }
[ -x "$aiotune" ] || { echo "build aiotune first ($aiotune not found)" >&2; exit 1; }
case "$metric" in e2e|io) ;; *) echo "--metric must be e2e or io" >&2; exit 2 ;; esac
for e in io_uring libaio; do
    if ! out=$("$aiotune" io --folder "$folder" --engine "$e" --io_size 4M --json 2>&1 >/dev/null); then
        echo "the $e engine does not run here: $out" >&2; exit 1
    fi
done

raw=$(mktemp)
trap 'rm -f "$raw"' EXIT
points=()
for bs in 1M 8M; do for qd in 32 128; do for ov in 1 0; do for ss in 0 1; do for par in 1 2 4 8; do
    points+=("$bs $qd $ov $ss $par")
done; done; done; done; done
echo "== $folder: ${#points[@]} points x 2 engines x read+write, io_size $io_size, $rounds round(s), metric $metric${flags:+, flags $flags}" >&2

key=$([ "$metric" = io ] && echo io_gib_per_s || echo gib_per_s)
measure() { # engine op bs qd ov ss par -> GiB/s
    local args=(io --folder "$folder" --engine "$1" --io_size "$io_size" --block_size "$3"
                --queue_depth "$4" --io_parallel "$7" --json)
    [ "$2" = read ] && args+=(--read)
    [ "$5" = 0 ] && args+=(--sequential_requests)
    [ "$6" = 1 ] && args+=(--single_submit)
    # shellcheck disable=SC2086
    "$aiotune" "${args[@]}" $flags | python3 -c "import json,sys; print(json.load(sys.stdin)['$key'])"
}

n=0
for ((r = 1; r <= rounds; r++)); do
    mapfile -t order < <(printf '%s\n' "${points[@]}" | python3 -c "
import random, sys; lines = sys.stdin.read().splitlines(); random.Random($seed * 1000 + $r).shuffle(lines); print('\n'.join(lines))")
    for p in "${order[@]}"; do
        n=$((n + 1))
        engines=(io_uring libaio); [ $((n % 2)) = 0 ] && engines=(libaio io_uring)
        for op in write read; do
            for e in "${engines[@]}"; do
                # shellcheck disable=SC2086
                v=$(measure "$e" "$op" $p)
                echo "$e $op $p $v" >>"$raw"
            done
        done
        printf '\r  round %d/%d, point %d/%d' "$r" "$rounds" $(( (n - 1) % ${#points[@]} + 1 )) ${#points[@]} >&2
    done
done
echo >&2

python3 - "$raw" "$csv" <<'PY'
import collections, statistics, sys
raw, csv_path = sys.argv[1], sys.argv[2]
runs = collections.defaultdict(list)
for line in open(raw):
    e, op, bs, qd, ov, ss, par, v = line.split()
    runs[(e, op, (bs, int(qd), ov == "1", ss == "1", int(par)))].append(float(v))
med = {k: statistics.median(v) for k, v in runs.items()}

def kendall_tau_b(x, y):
    n = len(x); c = d = tx = ty = 0
    for i in range(n):
        for j in range(i + 1, n):
            a, b = x[i] - x[j], y[i] - y[j]
            if a == 0 and b == 0: continue
            if a == 0: tx += 1
            elif b == 0: ty += 1
            elif (a > 0) == (b > 0): c += 1
            else: d += 1
    den = ((c + d + tx) * (c + d + ty)) ** 0.5
    return (c - d) / den if den else float("nan")

def name(p):
    bs, qd, ov, ss, par = p
    return f"block {bs} qd {qd} overlap {'on' if ov else 'off'} single_submit {'on' if ss else 'off'} x{par}"

rows = []
for op in ("read", "write"):
    pts = sorted({k[2] for k in med if k[1] == op})
    u = [med[("io_uring", op, p)] for p in pts]
    a = [med[("libaio", op, p)] for p in pts]
    tau = kendall_tau_b(u, a)
    bu, ba = max(range(len(pts)), key=lambda i: u[i]), max(range(len(pts)), key=lambda i: a[i])
    rank_u = sorted(range(len(pts)), key=lambda i: -u[i])
    rank_a = sorted(range(len(pts)), key=lambda i: -a[i])
    print(f"{op:5s}: Kendall tau = {tau:.2f} over {len(pts)} points; best libaio / best io_uring = "
          f"{a[ba]:.2f} / {u[bu]:.2f} GiB/s = {a[ba] / u[bu]:.2f}")
    print(f"       io_uring's best: {name(pts[bu])} (libaio ranks it #{rank_a.index(bu) + 1})")
    print(f"       libaio's best:   {name(pts[ba])} (io_uring ranks it #{rank_u.index(ba) + 1})")
    print(f"       median ratio libaio / io_uring over all points = "
          f"{statistics.median(y / x for x, y in zip(u, a)):.2f}")
    # The ceiling for the tau above: how well one engine agrees with itself
    # from round to round. Two engines cannot rank alike where one engine's
    # own rounds do not.
    for e in ("io_uring", "libaio"):
        n = min(len(runs[(e, op, p)]) for p in pts)
        pairs = [kendall_tau_b([runs[(e, op, p)][i] for p in pts], [runs[(e, op, p)][j] for p in pts])
                 for i in range(n) for j in range(i + 1, n)]
        if pairs:
            print(f"       {e} against itself, round by round: median tau = {statistics.median(pairs):.2f} "
                  f"over {len(pairs)} pair(s) of rounds")
    rows += [(op, p, u[i], a[i]) for i, p in enumerate(pts)]
if csv_path:
    with open(csv_path, "w") as f:
        f.write("op,block_size,queue_depth,overlap_events,single_submit,intra_op_parallelism,io_uring_gib_s,libaio_gib_s\n")
        for op, (bs, qd, ov, ss, par), x, y in rows:
            f.write(f"{op},{bs},{qd},{str(ov).lower()},{str(ss).lower()},{par},{x:.4f},{y:.4f}\n")
    print(f"(per point: {csv_path})")
PY
