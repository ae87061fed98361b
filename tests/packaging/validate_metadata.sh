#!/usr/bin/env bash
# The .desktop file and the AppStream metainfo pass their validators.
set -eu
dir=$1
for tool in desktop-file-validate appstreamcli; do
    command -v "$tool" >/dev/null || { echo "SKIP: $tool is missing (apt-get install desktop-file-utils appstream)"; exit 77; }
done
desktop-file-validate "$dir/org.aiotune.aiotune.desktop"
appstreamcli validate --no-net --pedantic "$dir/org.aiotune.aiotune.metainfo.xml"
echo "desktop file and metainfo valid"
