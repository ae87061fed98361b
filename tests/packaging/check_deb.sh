#!/usr/bin/env bash
# CPack builds a .deb holding the program and its desktop files, with the
# runtime dependencies a Debian 12 machine needs, and recommending libaio1
# (loaded at run time for --engine libaio and the answer's check).
set -eu
build=$1
here=$(cd "$(dirname "$0")" && pwd)
command -v dpkg-deb >/dev/null || { echo "SKIP: dpkg-deb is missing"; exit 77; }
command -v dpkg-shlibdeps >/dev/null || { echo "SKIP: dpkg-shlibdeps is missing (apt-get install dpkg-dev)"; exit 77; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
(cd "$build" && cpack -G DEB -B "$out" >/dev/null)
deb=$(ls "$out"/aiotune_*.deb)
contents=$(dpkg-deb -c "$deb")
status=0
while read -r f; do
    grep -q " \./$f\$" <<<"$contents" || { echo "missing in $deb: $f"; status=1; }
done < "$here/expected_files.txt"
depends=$(dpkg-deb -f "$deb" Depends)
for dep in liburing2 libqt6widgets6 libqt6charts6 libqt6core6 qt6-qpa-plugins libqt6svg6 libc6; do
    grep -q "$dep" <<<"$depends" || { echo "Depends lacks $dep: $depends"; status=1; }
done
recommends=$(dpkg-deb -f "$deb" Recommends)
grep -q "libaio1" <<<"$recommends" || { echo "Recommends lacks libaio1 (the answer's check on libaio): $recommends"; status=1; }
[ "$(dpkg-deb -f "$deb" Package)" = aiotune ] || { echo "wrong package name"; status=1; }
[ $status -eq 0 ] && echo "$(basename "$deb"): files and Depends as expected ($depends)"
exit $status
