#!/bin/bash
# pacing: a long run on a headless PipeWire (started here) with the graph
# forced to a 64-frame quantum at 48 kHz (1.33 ms a cycle) and the full chain
# (a 10-band --eq file, --crossfeed default, volume -30 dB, the true-peak
# limiter, TPDF dither to S16) while a busy loop (`yes >/dev/null`, started
# here and killed by PID) keeps the other core of a 2-core machine busy.
# Reports the xruns play counted (--json summary: buffers it could not fill
# in time, or none handed to it) and asserts:
#   - the normal build: 60 s of music, 0 xruns and 0 decoder underruns;
#   - under sanitizers (ASan+UBSan make the chain several times slower and
#     CI machines are shared): 20 s, the counts are printed, not asserted.
# Either way: play ran to the end, on PipeWire, at the forced quantum, with
# the EQ and crossfeed in, and played the whole file (frames_out).
. "$(dirname "$0")/lib.sh" "$@"
SANITIZE=${4:-none}
need pw-metadata
pipewire_start

if [ "$SANITIZE" = none ]; then SECS=60; else SECS=20; fi
ins=()
for l in $PLAY_LOOPS; do ins+=("$(music "$l")"); done
# real music, 48 kHz 16-bit (no resampler: the chain's DSP at the device rate)
sox -V1 "${ins[@]}" "${ins[@]}" "${ins[@]}" -b 16 "$T/music.wav" rate -v 48000 trim 0 "$SECS"
check "the input is $SECS s at 48 kHz ($(soxi -V1 -D "$T/music.wav") s)" near "$(soxi -V1 -D "$T/music.wav")" "$SECS" 0.01
frames=$(soxi -V1 -s "$T/music.wav")

pw_eq10 "$T/eq.txt" # ten bands across the audio range

q=$(pw_force_quantum 64)
check "the graph's quantum is forced to 64 frames (settings: ${q:-none})" [ "$q" = 64 ]

yes >/dev/null &
BUSY=$!
PIDS="$BUSY $PIDS"
say "== $SECS s, quantum 64 at 48 kHz, EQ (10 bands) + crossfeed + volume + limiter + dither, the other core busy (pid $BUSY)"
PIPEWIRE_QUANTUM=64/48000 run play "$T/music.wav" --device pipewire:test_sink --period 64 --volume -30 \
    --eq "$T/eq.txt" --crossfeed default --json
kill "$BUSY" 2>/dev/null
wait "$BUSY" 2>/dev/null
expect_rc 0
say "      $(cat "$T/out.txt")"
js() { sed -n "s/.*\"$1\": \([0-9.]*\).*/\1/p" "$T/out.txt"; }
xruns=$(js xruns)
under=$(js underruns)
say "      xruns: ${xruns:-?}, decoder underruns: ${under:-?} (build: sanitize=$SANITIZE)"
check "on PipeWire at 48 kHz, S16 (dither)" grep -q '"backend": "pipewire", "device": "test_sink", "rate": 48000, "channels": 2, "format": "S16_LE", "period_frames": 64' "$T/out.txt"
check "EQ (10 bands) and crossfeed in" grep -q '"eq_bands": 10, "eq": true, "crossfeed": true' "$T/out.txt"
check "the whole file played: frames_out $(js frames_out) >= $frames" [ "$(js frames_out)" -ge "$frames" ]
check "it ran to the end (result: done)" grep -q '"result": "done"' "$T/out.txt"
if [ "$SANITIZE" = none ]; then
    check "xruns = 0 over $SECS s at a 64-frame quantum (got ${xruns:-?})" [ "${xruns:-x}" = 0 ]
    check "decoder underruns = 0 (got ${under:-?})" [ "${under:-x}" = 0 ]
else
    say "      (sanitizer build: the counts are reported, not asserted)"
fi
finish
