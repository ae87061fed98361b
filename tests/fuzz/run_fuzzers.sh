#!/bin/sh
# Builds the libFuzzer targets with clang (the `fuzz` CMake preset, into
# build-fuzz, reused when present) and runs each over a copy of its seed
# corpus for a fixed number of inputs. Fails on any crash, sanitizer report or
# broken invariant; exits 77 (CTest's SKIP_RETURN_CODE) without clang++ or
# libFuzzer (Debian: clang-14 libclang-rt-14-dev).
#
#   run_fuzzers.sh [--runs N | --seconds S] [--build-dir DIR] [--keep]
#
# --runs N      inputs per target (default 25000; deterministic, -seed=1)
# --seconds S   run each target for S seconds instead (random seed)
# --keep        keep the grown corpora and logs, and print where
set -eu

src=$(cd "$(dirname "$0")/../.." && pwd)
build="$src/build-fuzz"
runs=25000
seconds=""
keep=0
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) runs=$2; shift 2 ;;
        --seconds) seconds=$2; shift 2 ;;
        --build-dir) build=$2; shift 2 ;;
        --keep) keep=1; shift ;;
        *) echo "run_fuzzers.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done

work=$(mktemp -d "${TMPDIR:-/tmp}/aiotune-fuzz.XXXXXX")
# The log-reader target writes a folder per input: in memory when possible.
scratch=$(mktemp -d /dev/shm/aiotune-fuzz.XXXXXX 2>/dev/null || mktemp -d "$work/scratch.XXXXXX")
export AIOTUNE_FUZZ_WORKDIR="$scratch"
cleanup() {
    rm -rf "$scratch"
    [ "$keep" = 1 ] || rm -rf "$work"
}
trap cleanup EXIT INT TERM

# Can this clang link a fuzzer at all?
if ! command -v clang++ >/dev/null 2>&1; then
    echo "SKIP: clang++ not found (apt install clang-14 libclang-rt-14-dev)"
    exit 77
fi
printf 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }\n' \
    > "$work/probe.cpp"
if ! clang++ -fsanitize=fuzzer,address "$work/probe.cpp" -o "$work/probe" >"$work/probe.log" 2>&1; then
    echo "SKIP: clang++ cannot link libFuzzer (apt install libclang-rt-14-dev):"
    cat "$work/probe.log"
    exit 77
fi

started=$(date +%s)
if [ ! -f "$build/CMakeCache.txt" ]; then
    if [ "$build" = "$src/build-fuzz" ]; then
        (cd "$src" && cmake --preset fuzz) >"$work/configure.log" 2>&1
    else
        cmake -S "$src" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DAIOTUNE_FUZZ=ON \
            -DAIOTUNE_BUILD_UI=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$work/configure.log" 2>&1
    fi || { cat "$work/configure.log"; echo "FAIL: configuring the fuzz build"; exit 1; }
fi
cmake --build "$build" --target fuzzers -j2 >"$work/build.log" 2>&1 ||
    { tail -50 "$work/build.log"; echo "FAIL: building the fuzzers"; exit 1; }
echo "fuzzers built in $(( $(date +%s) - started )) s ($build)"

status=0
for target in fuzz_log_reader fuzz_config_parser fuzz_sweep_file; do
    seeds="$src/tests/fuzz/corpus/${target#fuzz_}"
    corpus="$work/corpus-$target"
    mkdir -p "$corpus"
    cp "$seeds"/* "$corpus"/
    if [ -n "$seconds" ]; then
        budget="-max_total_time=$seconds"
    else
        budget="-runs=$runs -seed=1"
    fi
    t0=$(date +%s)
    # shellcheck disable=SC2086 # $budget is two flags
    if "$build/tests/fuzz/$target" $budget -max_len=65536 -timeout=20 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$work/$target-" "$corpus" >"$work/$target.log" 2>&1; then
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$target.log" | tail -1)
        cov=$(grep -o 'cov: [0-9]*' "$work/$target.log" | tail -1)
        echo "PASS: $target: ${execs:-?} inputs in $(( $(date +%s) - t0 )) s without a finding ($cov, corpus $(ls "$corpus" | wc -l) files)"
    else
        status=1
        echo "FAIL: $target found a problem:"
        grep -v '^#\|^INFO\|^\s*$' "$work/$target.log" | head -60
        for crash in "$work/$target"-*; do
            [ -f "$crash" ] || continue
            mkdir -p "$src/build-fuzz-findings"
            cp "$crash" "$src/build-fuzz-findings/"
            echo "input kept as $src/build-fuzz-findings/$(basename "$crash")" \
                 "(reproduce: $build/tests/fuzz/$target <file>)"
        done
    fi
done
[ "$keep" = 1 ] && echo "corpora and logs kept in $work"
echo "total $(( $(date +%s) - started )) s"
exit $status
