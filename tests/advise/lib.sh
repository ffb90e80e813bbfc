# tests/advise/lib.sh — shared by the `hpamp advise` tests.
# Sourced as: . "$(dirname "$0")/lib.sh" "$@"   (first argument: the hpamp binary)
#
# Expected values never come from hpamp's own output: they are worked out
# from data/*.csv facts and PHYSICS.md's formulas in python3 (the arithmetic
# is written beside each check), or measured by another program (ffmpeg's
# ebur128 filter).

set -u

HPAMP=${1:?usage: $0 PATH-TO-hpamp}
case $HPAMP in /*) ;; *) HPAMP=$PWD/$HPAMP ;; esac
SAMPLES=${HPA_SAMPLES:-/usr/share/sonic-pi/samples}
failures=0
checks=0

T=$(mktemp -d "${TMPDIR:-/tmp}/hpamp-advise.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
trap 'exit 130' INT TERM
# no stray user files from the machine running the tests
export XDG_CONFIG_HOME="$T/config"
export HOME="$T/home"
mkdir -p "$XDG_CONFIG_HOME" "$HOME"

say() { printf '%s\n' "$*"; }
pass() { checks=$((checks + 1)); printf 'ok    %s\n' "$*"; }
fail() { checks=$((checks + 1)); failures=$((failures + 1)); printf 'FAIL  %s\n' "$*"; }
skip() { printf 'SKIP  %s\n' "$*"; exit 77; }
check() {
    local what=$1
    shift
    if "$@"; then pass "$what"; else fail "$what"; fi
}
finish() {
    say "-- $checks checks, $failures failed"
    [ "$failures" -eq 0 ]
    exit $?
}
need() {
    local t
    for t in "$@"; do
        command -v "$t" >/dev/null 2>&1 || skip "$t is not installed"
    done
}
need python3
[ -x "$HPAMP" ] || { say "hpamp not found at $HPAMP"; exit 1; }

# music NAME: path of a CC0 sonic-pi sample (never loop_amen*), or skip
music() {
    local f="$SAMPLES/$1.flac"
    [ -r "$f" ] || skip "$f not found (apt-get install sonic-pi-samples)"
    printf '%s' "$f"
}

# run ARGS...: rc, $T/out, $T/err
run() {
    "$HPAMP" "$@" >"$T/out" 2>"$T/err"
    rc=$?
}
expect_rc() {
    if [ "$rc" -eq "$1" ]; then
        pass "$2: exit $1"
    else
        fail "$2: exit $1 (got $rc): $(head -c 400 "$T/err")"
    fi
}
has() { grep -qF -- "$2" "$1"; }

# one_error_line FILE: exactly one line, starting "hpamp: "
one_error_line() {
    [ -s "$1" ] && [ "$(wc -l <"$1")" -eq 1 ] && head -c 7 "$1" | grep -qx 'hpamp: '
}

# json EXPR: python3 evaluates EXPR with d = the JSON on stdout; passes when true
json() { python3 -c "import json,sys,math; d=json.load(open('$T/out')); sys.exit(0 if ($1) else 1)"; }
