#!/bin/bash
# rt: nothing on the amp's audio thread allocates, locks, sleeps or does
# I/O.  tests/play/rtcheck.so (LD_PRELOAD) counts those calls made inside
# the sections the engine marks real-time (both streams' process callbacks,
# the chain, the meters, the A-weighting of the dose).  The amp runs the
# whole chain (the hd600 preset: 10-band EQ and crossfeed; known gear, so
# the dose is weighted) while pw-play plays into it; then SIGTERM.  Under
# ASan/UBSan the sanitizer owns malloc: skipped.
. "$(dirname "$0")/lib.sh" "$@"
[ "$SANITIZE" = none ] || skip "built with -Db_sanitize=$SANITIZE: the sanitizer owns malloc"
[ -r "$RTCHECK" ] || skip "rtcheck.so not built"
amp_servers
sox -V1 -n -r 48000 -c 2 -b 16 "$T/sine.wav" synth 3 sine 1000 vol 0.3
AMP_ENV="HPA_RTCHECK_OUT=$T/rt.txt LD_PRELOAD=$RTCHECK" amp_start --preset hd600 --headphones "300ohm,97dB/mW" \
    --source "1.0V,0.9ohm"
pw-play --target hpamp "$T/sine.wav"
amp_stop TERM
check "exit status 0 after SIGTERM (got $rc)" [ "$rc" = 0 ]
line=$(cat "$T/rt.txt" 2>/dev/null)
say "      $line"
check "real-time sections ran ($(field "$line" sections))" [ "$(field "$line" sections)" -gt 50 ]
check "no allocator, lock, sleep or I/O call inside them ($(field "$line" calls), first: $(field "$line" first))" \
    [ "$(field "$line" calls)" = 0 ]
finish
