#!/bin/bash
# pacing: `hpamp amp` for 60 s with the graph forced to a 64-frame quantum at
# 48 kHz (1.33 ms a cycle; pw-metadata clock.force-quantum 64, and
# PIPEWIRE_LATENCY=64/48000 for the amp's and pw-play's streams) while a busy
# loop (`yes >/dev/null`, started here and ended by PID) keeps the other core
# of a 2-core machine busy.  The amp runs the whole chain: the hd600 preset
# (10-band EQ, crossfeed), the volume ramp, the true-peak limiter, and with
# known gear the A-weighting of the dose; pw-play plays 60 s of music into it.
#   - xruns, counted by PipeWire itself: pw-top's ERR column (the driver's
#     xrun counter, and each node's cycles it had not finished when the
#     cycle ended) for the driver (speakers), the amp's two nodes and
#     pw-play over SECS s of steady play from 1.5 s in (tests/amp/xruns.c
#     reads PipeWire's profiler, as pw-top does).  pw-play is the control:
#     when it finished every cycle, all must be 0; when it did not (other
#     real-time work on a shared machine), the driver's own xruns must be 0
#     and the amp's nodes may miss no more than 3x pw-play's + 0.1 %
#     (the amp asks for SCHED_FIFO 70; pw-play, through client-rt.conf's
#     module-rt, runs at 88, the server's own priority);
#   - each of those nodes was in at least 98 % of the 750 cycles a second a
#     64-frame quantum makes (the profiler's records name it); the amp's own
#     counters (its status line): every capture cycle ran the chain
#     (capture = output cycles);
#   - tests/play/rtcheck.so (LD_PRELOAD) counts allocator, lock, sleep and
#     I/O calls inside the amp's real-time sections over the whole run: 0.
# Under sanitizers (ASan+UBSan own malloc and make the chain several times
# slower on a shared CI machine): 20 s, no probe, the counts are printed and
# not asserted, as tests/play/pacing.sh.
XRUNS=${6:?usage: pacing.sh HPAMP PCMCMP TPREF RTCHECK SANITIZE XRUNS}
. "$(dirname "$0")/lib.sh" "$@"
need yes
if [ "$SANITIZE" = none ]; then
    SECS=60
    [ -r "$RTCHECK" ] || skip "rtcheck.so not built"
else
    SECS=20
fi
amp_servers

ins=()
for l in $PLAY_LOOPS; do ins+=("$(music "$l")"); done
# the music runs 4 s longer than the measured span, which starts 1.5 s in
sox -V1 "${ins[@]}" "${ins[@]}" "${ins[@]}" "${ins[@]}" -b 16 "$T/music.wav" rate -v 48000 trim 0 $((SECS + 4))

q=$(pw_force_quantum 64)
check "the graph's quantum is forced to 64 frames (settings: ${q:-none})" [ "$q" = 64 ]

export PIPEWIRE_LATENCY=64/48000
# the amp's data thread at real-time priority, as on a desktop (lib.sh turns
# that off for the other tests; without it, on a loaded 2-core machine, the
# amp missed two cycles in three here); under sanitizers it stays off
[ "$SANITIZE" = none ] && export HPAMP_NO_RT_PRIORITY=
if [ "$SANITIZE" = none ]; then
    AMP_ENV="HPA_RTCHECK_OUT=$T/rt.txt LD_PRELOAD=$RTCHECK"
fi
amp_start --preset hd600 --headphones "300ohm,97dB/mW" --source "1.0V,0.9ohm" --volume -20 --i-understand-loud

yes >/dev/null &
BUSY=$!
PIDS="$BUSY $PIDS"
say "== $SECS s, quantum 64 at 48 kHz, pw-play -> hpamp (EQ 10 bands, crossfeed, limiter, dose) -> speakers, the other core busy (pid $BUSY)"
pw-play --target hpamp --latency 64/48000 "$T/music.wav" >"$T/play.log" 2>&1 &
PLAY=$!
PIDS="$PLAY $PIDS"
sleep 1.5
status0=$(grep -o 'frames [0-9]* cycles [0-9]*/[0-9]*' "$T/amp.err" | tail -1)
t0=$(date +%s.%N)
"$XRUNS" "$SECS" >"$T/xruns.txt" 2>&1
xr_rc=$?
t1=$(date +%s.%N)
status1=$(grep -o 'frames [0-9]* cycles [0-9]*/[0-9]*' "$T/amp.err" | tail -1)
wait "$PLAY"
play_rc=$?
kill "$BUSY" 2>/dev/null
wait "$BUSY" 2>/dev/null
amp_stop TERM
check "pw-play played the file (exit $play_rc)" [ "$play_rc" = 0 ]
check "the amp exits 0 after SIGTERM (got $rc)" [ "$rc" = 0 ]

check "PipeWire's profiler answered (xruns exit $xr_rc)" [ "$xr_rc" = 0 ]
sed 's/^/      /' "$T/xruns.txt"
say "      amp status: $status0 ... $status1 (wall $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s)"
cap=$(printf '%s\n' "$status1" | sed -n 's/.*cycles \([0-9]*\)\/.*/\1/p')
out=$(printf '%s\n' "$status1" | sed -n 's/.*cycles [0-9]*\/\([0-9]*\).*/\1/p')
# xruns: the driver's own counter plus the cycles it did not finish, and each
# follower's unfinished cycles (pw-top's ERR); the nodes the stream passes
cnt() { # NODE FIELD: a number from xruns.txt
    awk -v n="$1" -v f="$2" '$2 == n { for (i = 3; i <= NF; i++) { split($i, kv, "="); if (kv[1] == f) print kv[2] } }' "$T/xruns.txt"
}
d_xruns=$(cnt speakers xruns)
d_err=$(cnt speakers errors)
p_err=$(cnt pw-play errors)
quantum=$(cnt speakers quantum)
say "      the driver: quantum ${quantum:-?}, xruns ${d_xruns:-?}; unfinished cycles: speakers ${d_err:-?}," \
    "hpamp $(cnt hpamp errors), hpamp.output $(cnt hpamp.output errors), pw-play ${p_err:-?} (sanitize=$SANITIZE)"
check "the graph ran at a 64-frame quantum (the driver's last cycle: ${quantum:-?})" [ "${quantum:-x}" = 64 ]
for n in speakers hpamp hpamp.output; do
    c=$(cnt $n cycles)
    check "$n: in the graph's cycles for the whole $SECS s (${c:-0} >= 98 % of $((SECS * 750)))" \
        [ "${c:-0}" -ge $((SECS * 735)) ]
done
if [ "$SANITIZE" = none ]; then
    check "every capture cycle ran the chain (capture $cap = output $out)" [ -n "$cap" ] && [ "$cap" = "$out" ]
    # pw-play, PipeWire's own client in the same graph at the same priority
    # class, is the control: when it finished every cycle, the machine gave
    # the graph its deadlines and the amp must have met every one.  When it
    # did not (other real-time work on a shared machine), the amp is held to
    # doing no worse than it, and the counts are reported.
    if [ "${p_err:-x}" = 0 ]; then
        check "PipeWire's driver counts 0 xruns (${d_xruns:-?}) and 0 unfinished cycles (${d_err:-?})" \
            [ "${d_xruns:-x}" = 0 ] && [ "${d_err:-x}" = 0 ]
        for n in hpamp hpamp.output; do
            check "$n: 0 xruns over $SECS s at a 64-frame quantum (unfinished cycles: $(cnt $n errors))" \
                [ "$(cnt $n errors)" = 0 ]
        done
    else
        say "      the machine is loaded: pw-play itself missed ${p_err} of $(cnt pw-play cycles) cycles"
        check "PipeWire's driver counts 0 xruns of its own (${d_xruns:-?})" [ "${d_xruns:-x}" = 0 ]
        for n in hpamp hpamp.output; do
            e=$(cnt $n errors)
            check "$n: not far more missed cycles than pw-play (${e:-?} <= 3 x ${p_err} + 0.1 %)" \
                [ "${e:-999999}" -le $((3 * p_err + SECS * 750 / 1000)) ]
        done
    fi
    line=$(cat "$T/rt.txt" 2>/dev/null)
    say "      $line"
    check "real-time sections ran ($(field "$line" sections), > $((SECS * 700)))" \
        [ "$(field "$line" sections)" -gt $((SECS * 700)) ]
    check "no allocator, lock, sleep or I/O call inside them ($(field "$line" calls), first: $(field "$line" first))" \
        [ "$(field "$line" calls)" = 0 ]
else
    say "      (sanitizer build: 20 s, the counts are reported, not asserted)"
fi
finish
