#!/bin/bash
# xrun: play's ALSA error handling — underruns and suspends recovered with
# nothing lost or played twice, a device that goes away stopping playback
# with one line.
#
# No device on this machine has a clock (no sound card, no snd-aloop), and
# neither the ALSA file PCM (no clock) nor PipeWire's ALSA plugin (it waits
# for a stalled client: aplay SIGSTOPped past its buffer reports no
# underrun either) produce a real underrun.  So alsafault.so (LD_PRELOAD,
# alsafault.c) makes chosen calls of snd_pcm_writei return an error without
# writing: fault injection, not a real underrun.  It exercises play's side of
# it: the error counted as an xrun, alsa-lib's snd_pcm_recover on the real
# PCM, and the same frames written again, so the capture must still be the
# input, bit for bit after the start ramp (pcmcmp, as alsa.sh).
. "$(dirname "$0")/lib.sh" "$@"
ALSAFAULT=${6:-}
[ -n "$ALSAFAULT" ] && [ -r "$ALSAFAULT" ] || skip "alsafault.so not given"
alsa_conf
# the interposer is not instrumented; ASan wants its runtime first otherwise
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0

sox -V1 -D "$(music loop_compus)" "$T/compus48.wav" rate -v 48000 pad 0.5 0
frames=$(soxi -V1 -s "$T/compus48.wav")

faulty() { # SPEC, then play arguments
    local spec=$1
    shift
    rm -f "$T/cap.raw" "$T/fault.txt"
    HPA_ALSAFAULT=$spec HPA_ALSAFAULT_OUT=$T/fault.txt LD_PRELOAD=$ALSAFAULT "$HPAMP" play "$@" \
        </dev/null >"$T/out.txt" 2>"$T/err.txt"
    rc=$?
    say "      $(cat "$T/fault.txt" 2>/dev/null || echo 'alsafault: no report')"
}
js() { sed -n "s/.*\"$1\": \([0-9]*\).*/\1/p" "$T/out.txt"; }

say "== two underruns (EPIPE) and a suspend (ESTRPIPE) at writes 30, 45 and 60 of $((frames / 1024 + 1))"
faulty 30:EPIPE,45:ESTRPIPE,60:EPIPE "$T/compus48.wav" --device alsa:capraw --volume 0 --i-understand-loud --json
expect_rc 0
check "three errors injected ($(cat "$T/fault.txt" 2>/dev/null))" grep -q 'injected=3$' "$T/fault.txt"
check "the summary counts 3 xruns (got $(js xruns))" [ "$(js xruns)" = 3 ]
check "it ran to the end" grep -q '"result": "done"' "$T/out.txt"
sox -V1 "$T/compus48.wav" -t raw "$T/ref.raw"
check "capture length $(wc -c <"$T/cap.raw") bytes = input $(wc -c <"$T/ref.raw") (nothing lost, nothing twice)" \
    [ "$(wc -c <"$T/cap.raw")" = "$(wc -c <"$T/ref.raw")" ]
line=$("$PCMCMP" s16 2 "$T/ref.raw" "$T/cap.raw" 0.001 0.5 48000)
say "      $line"
check "every sample after the ramp identical to the input" [ "$(field "$line" mismatches)" = 0 ] &&
    [ "$(field "$line" compared)" = "$(field "$line" expected)" ]

say "== an underrun at the very first write"
faulty 1:EPIPE "$T/compus48.wav" --device alsa:capraw --volume 0 --i-understand-loud --json
expect_rc 0
check "1 xrun (got $(js xruns)), the whole file written" \
    eval '[ "$(js xruns)" = 1 ] && [ "$(wc -c <"$T/cap.raw")" = "$(wc -c <"$T/ref.raw")" ]'

for e in ENODEV EIO; do
    say "== the device goes away ($e at write 20)"
    faulty 20:$e "$T/compus48.wav" --device alsa:capraw --volume 0 --i-understand-loud --quiet
    expect_rc 1
    check "one line says so: $(head -c 160 "$T/err.txt")" \
        eval 'one_error_line "$T/err.txt" && grep -q "ALSA device .capraw. disappeared" "$T/err.txt"'
    check "playback stopped there: $(($(wc -c <"$T/cap.raw") / 4)) frames = the 19 periods written before" \
        [ "$(($(wc -c <"$T/cap.raw") / 4))" = $((19 * 1024)) ]
done
finish
