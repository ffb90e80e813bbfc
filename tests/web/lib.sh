# tests/web/lib.sh — shared by the control page's tests (suite 'web').
# Sourced as: . "$(dirname "$0")/lib.sh" HPAMP
#
# Each test runs in a private scratch folder with its own headless PipeWire
# (tests/play/pwserver.sh) and ends what it started by PID.  The API is
# spoken by tests/web/webcheck.py (python3, the standard library only).
WEB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PIDS=""
CLEANUP_EXTRA=pw_stop_pids # the servers, the player and pw-record, by PID
. "$WEB_DIR/../play/pwserver.sh"
. "$WEB_DIR/../harness.sh" web "$@"
. "$WEB_DIR/../common/checks.sh"
need sox python3 awk
pw_private_env "$T" # HOME, XDG_RUNTIME_DIR (the token's folder) in the scratch
# the interpreter itself, once: a version manager's shim may take seconds a call
PY=$(python3 -c 'import sys; print(sys.executable)')
WEBCHECK="$PY $WEB_DIR/webcheck.py"

# web_start ARGS...: `hpamp play ARGS --http 0` in the background; waits for
# the address it prints and sets PLAY_PID, URL, BASE (http://127.0.0.1:PORT),
# TOKEN, PORT.  Its stderr goes to $T/play.err, its stdout to $T/play.out;
# WEB_ENV (NAME=VALUE ...) is its environment's addition.
web_start() {
    env ${WEB_ENV:-} "$HPAMP" play "$@" --http 0 </dev/null >"$T/play.out" 2>"$T/play.err" &
    PLAY_PID=$!
    PIDS="$PLAY_PID $PIDS"
    URL=""
    for _ in $(seq 300); do
        URL=$(grep -o 'http://[^ ]*#token=[0-9a-f]*' "$T/play.err" | head -1)
        [ -n "$URL" ] && break
        kill -0 "$PLAY_PID" 2>/dev/null || break
        sleep 0.05
    done
    [ -n "$URL" ] || { fail "play printed its control page address: $(head -c 400 "$T/play.err")"; finish; }
    BASE=${URL%%/#*}
    TOKEN=${URL##*#token=}
    PORT=${BASE##*:}
}

# web_stop: q for the player (SIGINT), its exit status in $rc
web_stop() {
    kill -INT "$PLAY_PID" 2>/dev/null
    wait "$PLAY_PID"
    rc=$?
}

# web_rt_probe ARG3 ARG4: the audio-thread probe (tests/play/rt.sh) into
# WEB_ENV for web_start, unless built with sanitizers (they own malloc)
web_rt_probe() {
    WEB_ENV=""
    [ "${2:-none}" = none ] && [ -n "${1:-}" ] && WEB_ENV="HPA_RTCHECK_OUT=$T/rt.txt LD_PRELOAD=$1"
    RT_SANITIZE=${2:-?}
}

# web_end: stop play; it ended on SIGINT without an xrun, and the probe (when
# web_rt_probe set it) counted no allocator, lock, sleep or I/O call
web_end() {
    web_stop
    check "play ends on SIGINT (status $rc)" [ "$rc" = 130 ]
    check "no xruns, no underruns after it all ($(grep -o '"xruns": [0-9]*, "underruns": [0-9]*' "$T/play.out"))" \
        grep -q '"xruns": 0, "underruns": 0' "$T/play.out"
    if [ -n "${WEB_ENV:-}" ]; then
        local line
        line=$(cat "$T/rt.txt" 2>/dev/null)
        check "the audio thread's probe ran ($line)" [ "$(field "$line" sections)" -gt 10 ]
        check "... and counted no allocator, lock, sleep or I/O call through it all" [ "$(field "$line" calls)" = 0 ]
    else
        say "SKIP  the audio-thread probe (built with -Db_sanitize=${RT_SANITIZE:-?})"
    fi
}

# jget PATH EXPR: a field of GET PATH (a python expression over j)
jget() {
    $WEBCHECK get "$BASE" "$TOKEN" "$1" | "$PY" -c "import json,sys; j=json.load(sys.stdin); print($2)"
}
# post PATH JSON: "STATUS BODY" in $resp, the status in $st
post() {
    resp=$($WEBCHECK post "$BASE" "$TOKEN" "$1" "$2")
    st=${resp%% *}
}
# level NAME: record 1 s once a ramp or crossfade has settled, print its RMS level (dBFS)
level() {
    sleep 1
    record_start "$T/$1.wav"
    sleep 1
    record_stop
    $WEBCHECK rms "$T/$1.wav"
}
