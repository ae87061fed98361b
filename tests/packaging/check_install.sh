#!/usr/bin/env bash
# `cmake --install` to a scratch prefix installs the program and its desktop files.
set -eu
build=$1
here=$(cd "$(dirname "$0")" && pwd)
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix/usr" >/dev/null
missing=0
while read -r f; do
    [ -e "$prefix/$f" ] || { echo "missing after install: $f"; missing=1; }
done < "$here/expected_files.txt"
[ $missing -eq 0 ]
"$prefix/usr/bin/aiotune" --version | grep -q '^aiotune '
echo "installed $(wc -l < "$here/expected_files.txt") files under a prefix; aiotune --version runs"
