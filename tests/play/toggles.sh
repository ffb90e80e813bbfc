#!/bin/bash
# toggles: the keys e (EQ in/out) and x (crossfeed in/out), pressed in a
# pty (script(1)) while play runs, switch their stage, and smoothly.
#
# The input is a constant 0.5 in the left channel, 0 in the right (DC, a
# 32-bit float WAV), played through a headless PipeWire as float (the ALSA
# file PCM has no clock, so keys could not land mid-file) with
#   --eq: one RBJ low shelf, -6 dB at 100 Hz, Q 0.71 (S = 1: no overshoot,
#         so no headroom is taken; the file says Preamp 0 dB): at DC its gain
#         is A^2 = 10^(-6/20) exactly (the cookbook's H(0));
#   --crossfeed default (libbs2b 700 Hz, 4.5 dB: its documented level is the
#         cross-feed's at low frequencies, relative to the direct signal).
# pw-record captures the sink as float.  With DC every state is a plateau of
# constant samples; the keys, 1 s apart, go x, x, e, e, q, so the plateaus
# must be (both in) -> (crossfeed out) -> (both in) -> (EQ out) -> (both in):
#   - crossfeed out: the right channel is silent (< 1e-7); in: right/left at
#     -4.5 dB (+-0.05: at DC libbs2b's direct gain is 10^(GB_hi/20) and its
#     cross gain 10^(GB_lo/20), GB_hi = feed/6 - 3, GB_lo = -5 feed/6 - 3,
#     so the difference is the feed level exactly);
#   - EQ out: the left channel 6.0 dB above the both-in level (+-0.01 dB),
#     the EQ's gain at DC coming off;
#   - the switch is a crossfade (the chain's documented linear one over
#     crossfade_ms, 20 ms by default, which play does not change: N = 960
#     frames at 48 kHz): between two plateaus the largest change from one
#     sample to the next is at most 2 x D / N (D: the step between the
#     plateaus).  A linear fade between settled paths gives exactly D / N
#     (the switches out); a path switched in starts from rest, and its own
#     settling adds to that (1.0 to 1.4 x D / N here); 2 leaves room for it
#     and is 480 times below an unsmoothed switch, which steps by D.  The
#     transition lasts at least N - 2 frames, so a shorter fade (which could
#     hide under the factor 2) fails too.
# A capture with a gap (a cycle the loaded graph dropped) is taken once more;
# the second must pass.
. "$(dirname "$0")/lib.sh" "$@"
need script python3 pw-record
pipewire_start

python3 - "$T/dc.raw" <<'PY'
import array, sys
array.array('f', [0.5, 0.0] * (48000 * 12)).tofile(open(sys.argv[1], 'wb'))
PY
sox -V1 -t raw -r 48000 -c 2 -e floating-point -b 32 "$T/dc.raw" "$T/dcl.wav"
printf 'Preamp: 0 dB\nFilter 1: ON LSC Fc 100 Hz Gain -6.0 dB Q 0.71\n' >"$T/shelf.txt"

# analyse CAPTURE.wav: plateaus and the transitions between them
analyse() {
    sox -V1 "$1" -t raw -e floating-point -b 32 "$T/cap.raw"
    python3 - "$T/cap.raw" <<'PY'
import array, math, sys
a = array.array('f'); a.frombytes(open(sys.argv[1], 'rb').read())
L, R = a[0::2], a[1::2]
n = min(len(L), len(R))
EPS, MIN_RUN, N = 1e-9, 4800, 960
steady = [i > 0 and abs(L[i] - L[i - 1]) <= EPS and abs(R[i] - R[i - 1]) <= EPS for i in range(n)]
plats, i = [], 0
while i < n:
    if steady[i]:
        j = i
        while j < n and steady[j]:
            j += 1
        if j - i >= MIN_RUN and abs(L[i]) > 1e-6:   # silence before and after is not a state
            plats.append((i, j, L[i], R[i]))
        i = j
    else:
        i += 1
db = lambda x, y: 20 * math.log10(abs(x) / abs(y)) if x and y else -999.0
print("plateaus=%d" % len(plats))
for k, (s, e, l, r) in enumerate(plats):
    print("plateau%d start=%d len=%d left=%.9g right=%.9g r_minus_l_db=%.4f" % (k, s, e - s, l, r, db(r, l)))
for k in range(len(plats) - 1):
    s, e = plats[k][1], plats[k + 1][0]       # the frames between two plateaus
    worst = 0.0
    for ch, X, col in (("left", L, 2), ("right", R, 3)):
        D = abs(plats[k + 1][col] - plats[k][col])
        if D == 0:
            continue
        step = max(abs(X[i] - X[i - 1]) for i in range(s, e + 1))
        worst = max(worst, step / (D / N))
    print("switch%d frames=%d step_over_linear=%.4f" % (k, e - s, worst))
PY
}

for attempt in 1 2; do
    say "== keys x, x, e, e, q, 1 s apart (attempt $attempt)"
    record_start "$T/rec.wav" f32
    bash -c "sleep 1.5; printf x; sleep 1; printf x; sleep 1; printf e; sleep 1; printf e; sleep 1; printf q" |
        script -qfec "'$HPAMP' play '$T/dcl.wav' --device pipewire:test_sink --volume -30 --eq '$T/shelf.txt' \
            --crossfeed default" /dev/null >"$T/keys.txt" 2>&1
    rc=$?
    record_stop
    analyse "$T/rec.wav" >"$T/an.txt"
    sed 's/^/      /' "$T/an.txt"
    # a clean capture: five states, four switches none steeper than allowed
    [ "$(sed -n 's/^plateaus=//p' "$T/an.txt")" = 5 ] &&
        awk '/^switch/ { split($3, a, "="); if (a[2] > 2) bad = 1 } END { exit bad }' "$T/an.txt" && break
done
expect_rc 0
check "it quit on q" grep -aq "play: quit after" "$T/keys.txt"
states=$(tr '\r' '\n' <"$T/keys.txt" | grep -ao "EQ [a-z]* xf [a-z]*" | uniq | tr '\n' ,)
check "the status line's states: $states" \
    [ "$states" = "EQ in xf in,EQ in xf out,EQ in xf in,EQ out xf in,EQ in xf in," ]
check "five states: both in, crossfeed out, both in, EQ out, both in" [ "$(sed -n 's/^plateaus=//p' "$T/an.txt")" = 5 ]
pv() { sed -n "s/^plateau$1 .*$2=\([^ ]*\).*/\1/p" "$T/an.txt"; }
num() { awk -v x="$1" 'BEGIN { printf "%.12f", x }'; }
check "both in: right $(pv 0 r_minus_l_db) dB from left (libbs2b's feed -4.5 +- 0.05)" near "$(pv 0 r_minus_l_db)" -4.5 0.05
check "x: crossfeed out, the right channel silent ($(pv 1 right))" le "$(num "$(pv 1 right | tr -d -)")" 0.0000001
check "x again: cross-talk back, $(pv 2 r_minus_l_db) dB (-4.5 +- 0.05)" near "$(pv 2 r_minus_l_db)" -4.5 0.05
check "... and the same state as before: left $(pv 2 left) = $(pv 0 left) (1e-6 relative)" \
    near "$(awk -v a="$(pv 2 left)" -v b="$(pv 0 left)" 'BEGIN { printf "%.9f", a / b }')" 1 0.000001
eqdb=$(awk -v a="$(pv 3 left)" -v b="$(pv 2 left)" 'BEGIN { printf "%.4f", 20 * log(a / b) / log(10) }')
check "e: EQ out, the left channel $eqdb dB louder (the shelf's DC gain: +6.00 +- 0.01)" near "$eqdb" 6 0.01
check "... with the crossfeed still in: $(pv 3 r_minus_l_db) dB (-4.5 +- 0.05)" near "$(pv 3 r_minus_l_db)" -4.5 0.05
eqdb2=$(awk -v a="$(pv 4 left)" -v b="$(pv 3 left)" 'BEGIN { printf "%.4f", 20 * log(a / b) / log(10) }')
check "e again: EQ in, $eqdb2 dB (-6.00 +- 0.01)" near "$eqdb2" -6 0.01
for k in 0 1 2 3; do
    line=$(grep "^switch$k " "$T/an.txt")
    fr=$(field "$line" frames)
    r=$(field "$line" step_over_linear)
    check "switch $((k + 1)): largest sample step $r x D/N <= 2 (unsmoothed: 960)" le "$r" 2
    check "switch $((k + 1)): a ramp, not a slower drift or nothing: >= 0.5 x D/N" le 0.5 "$r"
    check "switch $((k + 1)): $fr frames between the states >= N - 2 = 958 (20 ms)" [ "${fr:-0}" -ge 958 ]
done
finish
