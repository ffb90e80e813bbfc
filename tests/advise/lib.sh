# tests/advise/lib.sh — shared by the `hpamp advise` tests.
# Sourced as: . "$(dirname "$0")/lib.sh" "$@"   (first argument: the hpamp binary)
#
# Expected values never come from hpamp's own output: they are worked out
# from data/*.csv facts and docs/physics.md's formulas in python3 (the arithmetic
# is written beside each check), or measured by another program (ffmpeg's
# ebur128 filter).

. "$(dirname "$0")/../harness.sh" advise "$@"
# no stray user files from the machine running the tests
export XDG_CONFIG_HOME="$T/config"
export HOME="$T/home"
mkdir -p "$XDG_CONFIG_HOME" "$HOME"
need python3

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
