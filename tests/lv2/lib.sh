# tests/lv2/lib.sh — shared by hpamp.lv2's tests (suite 'lv2').
# Sourced as: . "$(dirname "$0")/lib.sh" HPAMP BUNDLES LV2HOST PARAMTAB RTCHECK SANITIZE SRCDIR TPREF
# BUNDLES is the folder holding hpamp.lv2 (LV2_PATH); expected values come
# from sox, python3 and the parameter table, never from the plugin.
BUNDLES=${2:?usage: $0 HPAMP BUNDLES LV2HOST PARAMTAB RTCHECK SANITIZE SRCDIR}
LV2HOST=${3:?}
PARAMTAB=${4:?}
RTCHECK=${5:?}
SANITIZE=${6:-none}
SRCDIR=${7:?}
TPREF=${8:-} # tests/common/tpref_tool: the reference true-peak meter
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../harness.sh" lv2 "$1"

export LV2_PATH=$BUNDLES
PLUGIN_SO=$BUNDLES/hpamp.lv2/hpamp_lv2.so
STEREO=urn:hpamp:lv2:stereo
MONO=urn:hpamp:lv2:mono
need sox python3

# host CMD...: run a host we did not build (lv2apply, pipewire); under the
# sanitizers the plugin needs their runtimes loaded first
host() {
    if [ "$SANITIZE" != none ]; then
        local pre=""
        case $SANITIZE in *address*) pre="$(gcc -print-file-name=libasan.so)" ;; esac
        case $SANITIZE in *undefined*) pre="$pre $(gcc -print-file-name=libubsan.so)" ;; esac
        # leak checking off, last so that it wins over CI's detect_leaks=1: a
        # block a plugin's dependency keeps in static data reads as leaked once
        # the host dlcloses the plugin (seen: 8 bytes from an unloaded module)
        ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0 LD_PRELOAD="$pre" "$@"
    else
        "$@"
    fi
}

# f32cmp OUT REF CHANNELS LAG: compare raw float32 files, OUT delayed by LAG
# frames; prints "lead=MAX|x| of OUT's first LAG frames err_db=residual
# energy / REF's energy (dB, -999 for none) frames=N"
f32cmp() { python3 "$HERE/f32cmp.py" "$@"; }

# latency RATE URI: what the plugin reports on its latency port at RATE
latency() {
    head -c 4096 /dev/zero | "$LV2HOST" "$PLUGIN_SO" "$2" "$1" 256 2>&1 >/dev/null | sed -n 's/^latency=\([0-9]*\) .*/\1/p'
}

field() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 <= b + 0) }'; }
