#!/bin/sh
# presets.sh HPAMP OUT — hpamp.lv2's presets.ttl: each built-in preset of
# `hpamp preset list` as an LV2 preset (`hpamp preset export NAME --lv2`).
# The user's presets are kept out: HOME and XDG_CONFIG_HOME point nowhere.
set -eu
hpamp=$1
out=$2
export HOME=/nonexistent XDG_CONFIG_HOME=/nonexistent
tmp=$out.tmp
: >"$tmp"
for name in $("$hpamp" preset list | awk '$2 == "built-in" { print $1 }'); do
    "$hpamp" preset export "$name" --lv2 >>"$tmp"
    echo >>"$tmp"
done
mv "$tmp" "$out"
