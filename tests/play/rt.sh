#!/bin/bash
# rt: nothing on the audio thread allocates, locks, sleeps or does I/O.
# rtcheck.so (LD_PRELOAD) counts malloc & co., mutexes, condition variables,
# semaphores, sleeps, poll/select, read/write/open and stdio calls made on a
# thread while it is inside a section hpamp marks as real-time: the render
# callback on every backend (ring, chain, FIFO, meters) and PipeWire's whole
# process callback.  Short playbacks on the ALSA file PCM (64- and 1024-frame
# periods, with and without resampling, two formats so chains are swapped)
# and on PipeWire.  Under ASan/UBSan the sanitizer owns malloc: skipped.
. "$(dirname "$0")/lib.sh" "$@"
RTCHECK=${3:?path to rtcheck.so}
SANITIZE=${4:-none}
[ "$SANITIZE" = none ] || skip "built with -Db_sanitize=$SANITIZE: the sanitizer owns malloc"
alsa_conf

sox -V1 -D "$(music loop_compus)" "$T/compus.wav" trim 0 3
sox -V1 -D "$(music guit_em9)" -b 24 "$T/guit24.wav" trim 0 2
sox -V1 -n -r 48000 -c 1 -b 16 "$T/mono48.wav" synth 1 sine 440 vol 0.1

rtrun() { # what, then play arguments
    local what=$1
    shift
    rm -f "$T/rt.txt"
    HPA_RTCHECK_OUT=$T/rt.txt LD_PRELOAD=$RTCHECK "$HPAMP" play "$@" </dev/null >"$T/out.txt" 2>"$T/err.txt"
    rc=$?
    [ "$rc" -eq 0 ] || { fail "$what: exit 0 (got $rc): $(head -c 300 "$T/err.txt")"; return; }
    local line
    line=$(cat "$T/rt.txt" 2>/dev/null)
    say "      $line"
    local sections calls
    sections=$(field "$line" sections)
    calls=$(field "$line" calls)
    check "$what: real-time sections ran (${sections:-0})" [ "${sections:-0}" -gt 10 ]
    check "$what: no allocator, lock, sleep or I/O call inside them (${calls:-?}, first: $(field "$line" first))" \
        [ "${calls:-x}" = 0 ]
}

rtrun "ALSA, period 64, 44.1k 16-bit" "$T/compus.wav" --device alsa:capraw --volume 0 --i-understand-loud --period 64
rtrun "ALSA, 96k resampling, three chains (16-bit, 24-bit, mono)" "$T/compus.wav" "$T/guit24.wav" "$T/mono48.wav" \
    --device alsa:capraw --rate 96000 --period 64
rtrun "ALSA, period 1024, -35 dB (dither)" "$T/compus.wav" "$T/compus.wav" --device alsa:capraw --volume -35 --period 1024
printf 'Filter 1: ON PK Fc 1000 Hz Gain 6.0 dB Q 1.00\nFilter 2: ON LSC Fc 105 Hz Gain 3.0 dB Q 0.7\n' >"$T/eq.txt"
rtrun "ALSA, period 64, EQ, crossfeed, limiter, SPL and dose (A-weighting)" "$T/compus.wav" --device alsa:capraw \
    --period 64 --eq "$T/eq.txt" --crossfeed cmoy --headphones "300ohm,97dB/mW" --source "1.0V,0.9ohm"

if command -v pipewire >/dev/null && command -v wireplumber >/dev/null; then
    pipewire_start
    rtrun "PipeWire, quantum 64, resampling 44.1k -> 48k" "$T/compus.wav" --device pipewire --period 64
else
    say "SKIP  PipeWire part: pipewire/wireplumber not installed"
fi

finish
