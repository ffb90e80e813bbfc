# tests/common/checks.sh — the checks the play and amp tests share (sourced
# after tests/harness.sh, which gives pass, fail and $T; $HPAMP is the hpamp
# under test).

# run ARGS...: hpamp with stdin from /dev/null; rc, $T/out.txt, $T/err.txt
run() {
    "$HPAMP" "$@" </dev/null >"$T/out.txt" 2>"$T/err.txt"
    rc=$?
}
expect_rc() {
    if [ "$rc" -eq "$1" ]; then pass "exit status $1"; else
        fail "exit status $1 (got $rc); stderr: $(head -c 400 "$T/err.txt")"
        return 1
    fi
}
one_error_line() { # FILE: exactly one line, starting "hpamp: "
    [ -s "$1" ] && [ "$(wc -l <"$1")" -eq 1 ] && head -c 7 "$1" | grep -qx 'hpamp: '
}

# near A B TOL / le A B
isnum() { [[ $1 =~ ^-?[0-9]+(\.[0-9]+)?$ ]]; }
near() { isnum "$1" && isnum "$2" && awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= t) }'; }
le() { isnum "$1" && awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 <= b + 0) }'; }

# field LINE NAME: value of NAME=VALUE in a pcmcmp line
field() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }


# pipewire_start [SINK]: a headless PipeWire with a null sink SINK (test_sink)
# and WirePlumber (tests/play/pwserver.sh), or a skip, or a failure
pipewire_start() {
    need pipewire wireplumber pw-metadata pw-record
    pw_server_start "${1:-test_sink}" "$T"
    case $? in
    0) return 0 ;;
    2) skip "wireplumber.conf not found" ;;
    esac
    say "pipewire log: $(tail -5 "$T/pipewire.log")"
    say "wireplumber log: $(tail -5 "$T/wireplumber.log")"
    fail "PipeWire with a null sink started within 30 s"
    finish
}
