#!/bin/bash
# pipewire: `hpamp play` as a native PipeWire stream into a headless server
# with a null sink (started here, with WirePlumber, in a private runtime
# folder); pw-record captures what reaches the sink.
#   - bit-exact at unity: S16 music in, S16 out of the sink's monitor
#   - at -12 dB (with --i-understand-loud) and -35 dB the level is what the
#     volume implies, within 0.1 dB (sox stats, and the sample-aligned ratio)
#   - --format S24_LE, S32_LE, FLOAT_LE: the stream in that format, bit-exact;
#     S24_3LE where PipeWire would be chosen: a usage error
#   - with no --device, PipeWire is chosen because a server is running
#   - --device pipewire:NAME for a missing sink: one clear line, exit 1
#   - keys in a terminal (script(1) gives play a pty): + raises the volume
#     in 0.5 dB steps up to --max-volume and no further, q quits
#   - the server dies in the middle: one clear line, exit 1
# The fixtures start with 0.5 s of silence: the start ramp happens there.
. "$(dirname "$0")/lib.sh" "$@"
pipewire_start

I=$T/in
mkdir -p "$I"
sox -V1 -D "$(music loop_compus)" "$I/compus48.wav" rate -v 48000 gain -3 pad 0.5 0.2
sox -V1 "$I/compus48.wav" -t raw "$T/ref.raw"
sox -V1 -D "$(music loop_compus)" "$I/short48.wav" rate -v 48000 gain -3 trim 0 2.5 pad 0.5 0.2
sox -V1 "$I/short48.wav" -t raw "$T/short.raw"

captured() { # WAV: the capture as raw S16 in $T/cap.raw
    sox -V1 "$1" -t raw -e signed-integer -b 16 "$T/cap.raw"
}

say "== unity, --device pipewire:test_sink"
# A real-time server on a loaded 2-core machine may drop a cycle (a graph
# xrun that no client sees): a capture that disagrees is taken once more, and
# the second must agree.
for attempt in 1 2; do
    record_start "$T/rec0.wav"
    run play "$I/compus48.wav" --device pipewire:test_sink --volume 0 --i-understand-loud --json
    record_stop
    captured "$T/rec0.wav"
    line=$("$PCMCMP" s16 2 "$T/ref.raw" "$T/cap.raw" 0.001 0.5 48000)
    say "      $line"
    [ "$(field "$line" mismatches)" = 0 ] && break
    say "      (attempt $attempt disagrees; once more)"
done
expect_rc 0
check "played on PipeWire at 48 kHz S16 ($(head -c 120 "$T/out.txt"))" \
    grep -q '"backend": "pipewire", "device": "test_sink", "rate": 48000, "channels": 2, "format": "S16_LE"' "$T/out.txt"
check "bit-exact at unity after the ramp" [ "$(field "$line" mismatches)" = 0 ] &&
    [ "$(field "$line" compared)" = "$(field "$line" expected)" ]
check "no underruns (json: $(grep -o '"underruns": [0-9]*' "$T/out.txt"))" grep -q '"underruns": 0' "$T/out.txt"

# --format: the stream offers only the forced format (PipeWire's adapter
# converts to the sink's float); 16-bit music widened to it and back to S16
# by pw-record is exact, so each capture must equal the input
for f in S24_LE S32_LE FLOAT_LE; do
    say "== --format $f"
    for attempt in 1 2; do
        record_start "$T/recf.wav"
        run play "$I/short48.wav" --device pipewire:test_sink --format $f --volume 0 --i-understand-loud --json
        record_stop
        captured "$T/recf.wav"
        line=$("$PCMCMP" s16 2 "$T/short.raw" "$T/cap.raw" 0.001 0.5 48000)
        [ "$(field "$line" mismatches)" = 0 ] && break
        say "      (attempt $attempt disagrees: $line; once more)"
    done
    expect_rc 0
    check "the stream was opened as $f" grep -q "\"format\": \"$f\"" "$T/out.txt"
    check "bit-exact at unity after the ramp ($line)" [ "$(field "$line" mismatches)" = 0 ] &&
        [ "$(field "$line" compared)" = "$(field "$line" expected)" ]
done
run play "$I/short48.wav" --format S24_3LE
expect_rc 2
check "S24_3LE with PipeWire chosen automatically: one line ($(head -c 120 "$T/err.txt"))" \
    eval 'one_error_line "$T/err.txt" && grep -q "PipeWire is running" "$T/err.txt"'

level() { # VOLUME [flags]: the capture's level is VOLUME dB below the input's
    local v=$1
    shift
    say "== --volume $v $* (PipeWire chosen automatically)"
    local line off n rms ref_span attempt
    ref_span=$(soxstat "$I/short48.wav" "RMS lev dB" trim 24000s)
    n=$(soxi -V1 -s "$I/short48.wav")
    for attempt in 1 2; do
        record_start "$T/rec$v.wav"
        run play "$I/short48.wav" --volume "$v" "$@" --json
        record_stop
        captured "$T/rec$v.wav"
        line=$("$PCMCMP" s16 2 "$T/short.raw" "$T/cap.raw" 0.05 0.5 48000 "$v")
        off=$(field "$line" offset)
        rms=$(soxstat "$T/rec$v.wav" "RMS lev dB" trim "$((off + 24000))s" "$((n - 24000))s")
        say "      $line; sox: capture $rms dB, input $ref_span dB"
        near "$(field "$line" gain_db)" "$v" 0.1 && break
        say "      (attempt $attempt disagrees; once more)"
    done
    expect_rc 0 || return
    check "PipeWire chosen with no --device" grep -q '"backend": "pipewire"' "$T/out.txt"
    check "sample-aligned level ratio $(field "$line" gain_db) dB = $v dB within 0.1" near "$(field "$line" gain_db)" "$v" 0.1
    check "sox stats: capture $rms dB vs input $ref_span dB: $v dB within 0.1" \
        near "$(awk -v a="$rms" -v b="$ref_span" 'BEGIN { print a - b }')" "$v" 0.1
}
level -12 --i-understand-loud
level -35

say "== a sink that does not exist"
run play "$I/compus48.wav" --device pipewire:no_such_sink
expect_rc 1
check "one line: $(head -c 200 "$T/err.txt")" one_error_line "$T/err.txt"
check "it names the sink and lists the real ones" grep -q "no_such_sink.*test_sink" "$T/err.txt"

say "== keys in a terminal: + up to the ceiling, then q"
if command -v script >/dev/null; then
    sox -V1 -n -r 48000 -c 2 -b 16 "$I/square.wav" synth 4 square 997 vol 1
    record_start "$T/reckeys.wav"
    (sleep 1; printf '++++++++++++'; sleep 0.8; printf 'q') |
        script -qec "'$HPAMP' play '$I/square.wav' --device pipewire --volume -40 --max-volume -36" /dev/null \
            >"$T/keys.txt" 2>&1
    rc=$?
    record_stop
    expect_rc 0
    check "it quit on q: $(tr '\r' '\n' <"$T/keys.txt" | grep -a 'play: ' | tail -1)" grep -aq "play: quit after" "$T/keys.txt"
    check "the status line shows the volume at the ceiling" grep -aq "vol -36.0 dB" "$T/keys.txt"
    pk=$(soxstat "$T/reckeys.wav" "Pk lev dB")
    lim=$(awk 'BEGIN { c = -36; g = 10 ^ (c / 20); print c + 20 * log(1 + 1 / (32767 * g)) / log(10) + 0.005 }')
    check "the capture's peak $pk dBFS <= the ceiling -36 dBFS (+1 LSB: $lim)" le "$pk" "$lim"
    check "... and reached it (within 0.05 dB)" near "$pk" -36 0.05
    early=$(soxstat "$T/reckeys.wav" "Pk lev dB" trim 0 0.9)
    check "before the keys it played at -40 dBFS ($early)" near "$early" -40 0.05
    dur=$(soxi -V1 -D "$T/reckeys.wav")
    check "q stopped it early (capture $dur s < 4 s of music)" le "$dur" 3.9
else
    say "SKIP  keys: script (util-linux) is not installed"
fi

say "== the server dies while playing"
sox -V1 -n -r 48000 -c 2 -b 16 "$I/long.wav" synth 20 sine 440 vol 0.1
"$HPAMP" play "$I/long.wav" --device pipewire --quiet </dev/null >"$T/out.txt" 2>"$T/err.txt" &
PLAY=$!
PIDS="$PLAY $PIDS"
sleep 0.7
kill "$WP_PID" "$PW_PID"
for _ in $(seq 100); do kill -0 "$PLAY" 2>/dev/null || break; sleep 0.05; done
if kill -0 "$PLAY" 2>/dev/null; then
    fail "play stops within 5 s of the server's death"
    kill -9 "$PLAY"
else
    wait "$PLAY"
    rc=$?
    expect_rc 1
    check "one line says so: $(head -c 200 "$T/err.txt")" one_error_line "$T/err.txt"
    check "... that the server went away" grep -qi "went away\|disconnected" "$T/err.txt"
fi

finish
