#!/bin/bash
# rt: run() never allocates, locks, sleeps or does I/O.  rtcheck.so (the
# play suite's LD_PRELOAD interposer, tests/play/rtcheck.c) counts those
# calls inside the sections the plugin marks (src/host/rtprobe.h): all of
# run().  In lv2apply (one frame per run, no features) and in lv2host with
# the features, long blocks cut in chunks, and EQ files switched through the
# worker (the patch:Set read in run(), the file read in work()).
. "$(dirname "$0")/lib.sh" "$@"
need lv2apply
[ "$SANITIZE" = none ] || skip "built with -Db_sanitize=$SANITIZE: the sanitizer owns malloc"

sox -V1 "$(music loop_compus)" -e floating-point -b 32 "$T/st.wav" trim 0 1
sox -V1 "$T/st.wav" -t f32 "$T/st.f32"
printf 'Preamp: -4 dB\nFilter 1: ON PK Fc 1000 Hz Gain 3.0 dB Q 1.0\n' >"$T/a.txt"
printf 'GraphicEQ: 20 -2; 1000 1; 10000 -3; 20000 0\n' >"$T/b.txt"
printf 'Filter 1: ON PK Fc banana Hz Gain 3.0 dB Q 1.0\n' >"$T/bad.txt"

rtrun() { # WHAT COMMAND...
    local what=$1
    shift
    rm -f "$T/rt.txt"
    HPA_RTCHECK_OUT=$T/rt.txt LD_PRELOAD=$RTCHECK "$@" >/dev/null 2>"$T/err.txt"
    local rc=$? line sections calls
    line=$(cat "$T/rt.txt" 2>/dev/null)
    say "      $line"
    check "$what: exit 0 (got $rc: $(head -c 200 "$T/err.txt"))" [ "$rc" -eq 0 ]
    sections=$(field "$line" sections)
    calls=$(field "$line" calls)
    check "$what: run() was marked (${sections:-0} sections)" [ "${sections:-0}" -gt 0 ]
    check "$what: no allocator, lock, sleep or I/O call inside (${calls:-?}, first: $(field "$line" first))" \
        [ "${calls:-x}" = 0 ]
}

rtrun "lv2apply, crossfeed and limiter" lv2apply -i "$T/st.wav" -o "$T/out.wav" -c crossfeed_enable 1 -c volume_db 6 \
    "$STEREO"
rtrun "lv2host, 256-frame blocks, three EQ files through the worker" \
    "$LV2HOST" "$PLUGIN_SO" "$STEREO" 44100 256 -f -e "$T/a.txt" -e "$T/b.txt" -e "$T/bad.txt" \
    -c crossfeed_enable=1 <"$T/st.f32"
rtrun "lv2host, no features, 20000-frame blocks" "$LV2HOST" "$PLUGIN_SO" "$STEREO" 44100 20000 <"$T/st.f32"
finish
