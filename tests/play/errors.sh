#!/bin/bash
# errors: what goes wrong says so in one line and exits 1; a bad command
# line exits 2; and the safe start level is a rule, not a default.
. "$(dirname "$0")/lib.sh" "$@"
alsa_conf

sox -V1 -n -r 48000 -c 2 -b 16 "$T/tone.wav" synth 0.5 sine 440 vol 0.1

say "== a missing ALSA device"
run play "$T/tone.wav" --device alsa:no_such_pcm
expect_rc 1
check "one line: $(head -c 200 "$T/err.txt")" one_error_line "$T/err.txt"
check "it names the device" grep -q "no_such_pcm" "$T/err.txt"

say "== no PipeWire server (an empty runtime folder)"
run play "$T/tone.wav" --device pipewire
expect_rc 1
check "one line: $(head -c 200 "$T/err.txt")" one_error_line "$T/err.txt"
check "it says no server runs" grep -qi "no PipeWire server" "$T/err.txt"

say "== without --device and without PipeWire: ALSA's default"
run play "$T/tone.wav" --json
expect_rc 0
check "ALSA chosen ($(head -c 80 "$T/out.txt"))" grep -q '"backend": "alsa", "device": "default"' "$T/out.txt"
check "... and it received the tone" [ "$(wc -c <"$T/default.raw")" = $((24000 * 4)) ]

say "== a missing file among good ones: the others play, exit 1"
rm -f "$T/cap.raw"
run play "$T/nothing.wav" "$T/tone.wav" --device alsa:capraw
expect_rc 1
check "one line for the missing file: $(head -1 "$T/err.txt")" grep -q "^hpamp: .*nothing.wav: No such file" "$T/err.txt"
check "the good file was played" [ "$(wc -c <"$T/cap.raw")" = $((24000 * 4)) ]
run play "$T/nothing.wav" --device alsa:capraw
expect_rc 1
check "only a missing file: one line" one_error_line "$T/err.txt"

say "== the safe start level (-30 dBFS with unknown headphones)"
run play "$T/tone.wav" --device alsa:capraw --volume -10
expect_rc 2
check "one line asks for --i-understand-loud: $(head -c 200 "$T/err.txt")" grep -q -- "--i-understand-loud" "$T/err.txt"
run play "$T/tone.wav" --device alsa:capraw --volume -30
expect_rc 0
run play "$T/tone.wav" --device alsa:capraw --volume -10 --i-understand-loud
expect_rc 0

say "== usage errors"
for args in "--period 32" "--period 9000" "--max-volume 3" "--volume" "--rate 100" "--bogus" ""; do
    # shellcheck disable=SC2086
    run play $args ${args:+"$T/tone.wav"}
    [ "$rc" -eq 2 ] && pass "'$args': exit 2" || fail "'$args': exit 2 (got $rc)"
done
run play --help
expect_rc 0
check "--help names the keys and the loudness flag" grep -q -- "--i-understand-loud" "$T/out.txt"

finish
