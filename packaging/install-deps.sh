#!/usr/bin/env bash
# Installs the Debian 12 packages aiotune needs to build, run and test, if any
# is missing. Root runs apt-get directly; anyone else is asked for sudo here,
# and only here.
set -euo pipefail

packages=(
    cmake ninja-build g++ pkgconf
    qt6-base-dev qt6-base-dev-tools qt6-charts-dev qt6-svg-dev libqt6opengl6-dev libgl-dev libxkbcommon-dev
    liburing-dev nlohmann-json3-dev libcli11-dev libaio-dev
    # fleets: pdsh reaches nodes as DeepSpeed's launcher does; Slurm (srun,
    # salloc, sbatch) and munge for test_fleet_slurm's throwaway cluster
    pdsh slurmctld slurmd slurm-client munge
    # tests and checks: xvfb for screenshots, fio for the benchmark peer,
    # clang + its runtime for the libFuzzer targets, appstream for metainfo,
    # the xcb plugin deps so the window opens on a real display
    xvfb xauth fio clang libclang-rt-14-dev appstream desktop-file-utils
    dpkg-dev file qt6-qpa-plugins libqt6svg6
)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

echo "aiotune: installing missing packages: ${missing[*]}" >&2
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null; then
        echo "aiotune: need root to install ${missing[*]}; run this script as root or install sudo" >&2
        exit 1
    fi
    sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
