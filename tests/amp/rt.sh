#!/bin/bash
# rt: the amp's audio thread gets the real-time scheduling PipeWire gives
# its own clients, and nothing on it allocates, locks, sleeps or does I/O.
#   - scheduling: the amp (without HPAMP_NO_RT_PRIORITY) and pw-play, which
#     loads PipeWire's client-rt.conf (module-rt), play at once; from
#     /proc/PID/task/*/stat (policy, rt_priority) the amp has exactly one
#     SCHED_FIFO thread, at pw-play's priority (PipeWire's rt.prio, 88 by
#     default; none where the machine gives pw-play none), and with
#     HPAMP_NO_RT_PRIORITY=1 none
#   - tests/play/rtcheck.so (LD_PRELOAD) counts those calls made inside the
#     sections the engine marks real-time (both streams' process callbacks,
#     the chain, the meters, the A-weighting of the dose).  The amp runs the
#     whole chain (the hd600 preset: 10-band EQ and crossfeed; known gear, so
#     the dose is weighted) while pw-play plays into it; then SIGTERM.  Under
#     ASan/UBSan the sanitizer owns malloc: that part is skipped.
. "$(dirname "$0")/lib.sh" "$@"
amp_servers
sox -V1 -n -r 48000 -c 2 -b 16 "$T/sine.wav" synth 3 sine 1000 vol 0.3

# fifo PID: "priority" of each SCHED_FIFO (policy 1) thread of PID, one a line
fifo() {
    local s
    for s in /proc/"$1"/task/*/stat; do
        # after the last ')': field 3 is the state; rt_priority is field 40, policy 41
        sed 's/.*) //' "$s" 2>/dev/null | awk '$39 == 1 { print $38 }'
    done
}
# sched_of: the FIFO priorities of the amp and of a pw-play playing into it
sched_of() {
    pw-play --target hpamp "$T/sine.wav" &
    local play=$! i
    PIDS="$play $PIDS"
    for i in $(seq 60); do [ -n "$(fifo "$play")" ] && break; sleep 0.05; done
    sleep 0.3
    AMP_FIFO=$(fifo "$AMP_PID" | tr '\n' ' ')
    PLAY_FIFO=$(fifo "$play" | tr '\n' ' ')
    wait "$play"
}
HPAMP_NO_RT_PRIORITY= amp_start
sched_of
[ -n "$PLAY_FIFO" ] || say "      (pw-play got no SCHED_FIFO here: no rtprio and no RTKit; the amp must get none either)"
check "the amp has one SCHED_FIFO thread at pw-play's priority (amp '$AMP_FIFO', pw-play '$PLAY_FIFO')" \
    [ "$AMP_FIFO" = "$PLAY_FIFO" ]
amp_stop TERM
HPAMP_NO_RT_PRIORITY=1 amp_start
sched_of
check "with HPAMP_NO_RT_PRIORITY=1 the amp has no SCHED_FIFO thread ('$AMP_FIFO')" [ -z "$AMP_FIFO" ]
amp_stop TERM

if [ "$SANITIZE" != none ]; then
    say "SKIP  rtcheck.so: built with -Db_sanitize=$SANITIZE: the sanitizer owns malloc"
elif [ ! -r "$RTCHECK" ]; then
    say "SKIP  rtcheck.so not built"
else
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
fi
finish
