# tests/harness.sh — what every end-to-end shell test shares: the hpamp under
# test, a private scratch folder, counters, check/finish, music fixtures.
# Sourced by each suite's lib.sh as:
#     . "$(dirname "$0")/../harness.sh" NAME "$@"
# NAME names the scratch folder ($T, removed on exit); the first of "$@" is
# the hpamp binary.  A suite may set CLEANUP_EXTRA to a function run first.
# HPA_KEEP=1 keeps the scratch folder of a failing test and prints its path.
#
# Expected values in these tests come from outside hpamp (sox, ffmpeg,
# python3 arithmetic from published facts, closed forms), never from hpamp's
# own output.

set -u

HARNESS_NAME=$1
shift
HPAMP=${1:?usage: $0 PATH-TO-hpamp}
case $HPAMP in /*) ;; *) HPAMP=$PWD/$HPAMP ;; esac   # tests change folder
SAMPLES=${HPA_SAMPLES:-/usr/share/sonic-pi/samples}
failures=0
checks=0

T=$(mktemp -d "${TMPDIR:-/tmp}/hpamp-$HARNESS_NAME.XXXXXX") || exit 1
harness_cleanup() {
    if [ -n "${CLEANUP_EXTRA:-}" ]; then "$CLEANUP_EXTRA"; fi
    if [ -n "${HPA_KEEP:-}" ] && [ "$failures" -gt 0 ]; then
        say "kept $T"
        return
    fi
    rm -rf "$T"
}
trap harness_cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '%s\n' "$*"; }
pass() { checks=$((checks + 1)); printf 'ok    %s\n' "$*"; }
fail() { checks=$((checks + 1)); failures=$((failures + 1)); printf 'FAIL  %s\n' "$*"; }
skip() { printf 'SKIP  %s\n' "$*"; exit 77; }

# check DESCRIPTION COMMAND...: pass if the command succeeds (returns its verdict)
check() {
    local what=$1
    shift
    if "$@"; then pass "$what"; else fail "$what"; return 1; fi
}

finish() {
    say "-- $checks checks, $failures failed"
    [ "$failures" -eq 0 ]
    exit $?
}

# need TOOL...: skip the test when a tool is missing
need() {
    local t
    for t in "$@"; do
        command -v "$t" >/dev/null 2>&1 || skip "$t is not installed"
    done
}

# music NAME: path of a CC0 sonic-pi sample (never loop_amen*), or skip
music() {
    local f="$SAMPLES/$1.flac"
    [ -r "$f" ] || skip "$f not found (apt-get install sonic-pi-samples)"
    printf '%s' "$f"
}

[ -x "$HPAMP" ] || { say "hpamp not found at $HPAMP"; exit 1; }
