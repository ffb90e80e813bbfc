#!/bin/bash
# interrupt: SIGINT (and SIGTERM) in the middle of a long render.  Expected
# (hpamp render --help: "130 interrupted"): exit 128 + signal number, one
# "hpamp: " line naming OUT, and neither OUT nor the temporary file left.
#
# The signal is sent once hpamp has its output open (a file without a name,
# or a hidden temporary: lib.sh's output_open), i.e. while it is writing; if
# the render still finished first, the input is made longer and the test
# tried again.
. "$(dirname "$0")/lib.sh" "$@"

SRC=$(music loop_garzul)        # 8 s
set -m                          # the render gets its own process group, SIGINT's default disposition

# long_input REPEATS: SRC played 1 + REPEATS times, as 16-bit WAV
long_input() {
    sox -V1 "$SRC" "$T/long.wav" repeat "$1" || { fail "sox could not make the long input"; finish; }
}

# interrupt SIGNAL: render in the background, signal it mid-way
interrupt() {
    local sig=$1 want=$2 repeats=7 attempt pid open
    long_input $repeats
    for attempt in 1 2 3 4; do
        D=$(mktemp -d "$T/int.XXXXXX")
        say "== SIG$sig during a $(soxi -V1 -D "$T/long.wav" | cut -d. -f1) s render to 352.8 kHz, steep filter (attempt $attempt)"
        "$HPAMP" render "$T/long.wav" -o "$D/o.wav" --rate 352800 --filter steep >"$T/out.txt" 2>"$T/err.txt" &
        pid=$!
        # wait for the output to be open (at most ~20 s), then a little more
        open=
        for _ in $(seq 2000); do
            output_open "$pid" "$D" && open=1 && break
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.01
        done
        [ -n "$open" ] && sleep 0.2
        kill -s "$sig" "$pid" 2>/dev/null
        wait "$pid"
        rc=$?
        if [ "$rc" -eq 0 ]; then
            say "      the render finished before the signal; a longer input"
            repeats=$((repeats * 2 + 1))
            long_input $repeats
            continue
        fi
        check "the output was open during the render" [ -n "$open" ]
        expect_rc "$want"
        check "one 'hpamp: ' line on stderr" one_error_line "$T/err.txt"
        check "it names $D/o.wav" grep -qF "$D/o.wav" "$T/err.txt"
        check "nothing on stdout" [ ! -s "$T/out.txt" ]
        check "no OUT and no temporary file left" only_entries "$D"
        return
    done
    fail "the render always finished before SIG$sig could interrupt it"
}

interrupt INT 130
interrupt TERM 143

finish
