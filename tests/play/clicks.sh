#!/bin/bash
# clicks: sweeping the volume with keys never steps the gain.
# A constant 0.5 (DC, 32-bit float WAV) plays through a headless PipeWire
# (started here; the ALSA file PCM has no clock, so keys could not land in
# the middle of a file) as float; pw-record captures the sink's monitor as
# float, so each captured sample is 0.5 x the chain's gain at that sample.
# Keys go through a pty (script(1)): 16 x '+' then 16 x '-', 0.2 s apart,
# between -30 and -22 dBFS, then 'q'.
#
# The bound, computed here from the chain's documented smoother (docs/chain.md:
# a one-pole on the linear gain, g += c (target - g), c = 1 - exp(-1/(tau fs)),
# tau = 10 ms, play does not change it): after one key the largest
# sample-to-sample change is c x the gain jump of one 0.5 dB step, largest at
# the top of the sweep: 10^(-22/20) - 10^(-22.5/20) = 0.07943 - 0.07499 =
# 0.00444, and c = 1 - exp(-1/480) = 0.0020812, so 9.25e-6.  The keys are
# 0.2 s (20 tau) apart when written, but play reads them in 50 ms polls and a
# loaded machine may hand two over close together, before the first step has
# settled: the asserted bound allows two steps, c x (10^(-22/20) -
# 10^(-23/20)) = 1.81e-5, plus 2e-7 for the float32 rounding of the 0.5 x g
# samples.  An unsmoothed step would be 0.00444, 245 times that.  Only the
# key-driven part is measured: the samples above the start level (-30 dBFS);
# the start ramp from silence and the quit ramp to silence lie below it.
# A capture with a gap (a cycle the loaded graph dropped) or keys that
# arrived together (a late main thread) is taken once more; the second must
# pass.
. "$(dirname "$0")/lib.sh" "$@"
need script python3 pw-record
pipewire_start

python3 - "$T/dc.raw" <<'PY'
import array, sys
array.array('f', [0.5] * (2 * 48000 * 30)).tofile(open(sys.argv[1], 'wb'))
PY
sox -V1 -t raw -r 48000 -c 2 -e floating-point -b 32 "$T/dc.raw" "$T/dc.wav"

# analyse CAPTURE.wav: the gain sequence g = 2 x sample (left channel)
analyse() {
    sox -V1 "$1" -t raw -e floating-point -b 32 "$T/cap.raw"
    python3 - "$T/cap.raw" <<'PY'
import array, math, sys
a = array.array('f'); a.frombytes(open(sys.argv[1], 'rb').read())
g = [2.0 * x for x in a[0::2]]
start = 10 ** (-30 / 20) * (1 + 1e-4)
idx = [i for i in range(1, len(g)) if g[i] > start and g[i - 1] > start]
top = max(g) if g else 0.0
mx = max((abs(g[i] - g[i - 1]) for i in idx), default=-1.0)
print("max_step=%.6e top_db=%.3f samples=%d" % (mx, 20 * math.log10(top) if top > 0 else -999, len(idx)))
PY
}
coef=$(awk 'BEGIN { print 1 - exp(-1 / (0.010 * 48000)) }')
jump=$(awk 'BEGIN { print 10 ^ (-22 / 20) - 10 ^ (-22.5 / 20) }')
jump2=$(awk 'BEGIN { print 10 ^ (-22 / 20) - 10 ^ (-23 / 20) }')
one=$(awk -v c="$coef" -v j="$jump" 'BEGIN { printf "%.6e\n", c * j }')
bound=$(awk -v c="$coef" -v j="$jump2" 'BEGIN { printf "%.6e\n", c * j + 2e-7 }')
say "   one-pole c = $coef; one 0.5 dB step at -22 dBFS = $jump in gain (c x step = $one), two = $jump2"
say "   bound: c x two steps + 2e-7 = $bound"

for attempt in 1 2; do
    say "== volume swept by keys: 16 x '+', 16 x '-' (attempt $attempt)"
    record_start "$T/rec.wav" f32
    keys="sleep 1.2;"
    for _ in $(seq 16); do keys="$keys printf +; sleep 0.2;"; done
    keys="$keys sleep 0.3;"
    for _ in $(seq 16); do keys="$keys printf -- -; sleep 0.2;"; done
    keys="$keys sleep 0.4; printf q"
    bash -c "$keys" |
        script -qfec "'$HPAMP' play '$T/dc.wav' --device pipewire:test_sink --volume -30 --i-understand-loud" /dev/null \
            >"$T/keys.txt" 2>&1
    rc=$?
    record_stop
    line=$(analyse "$T/rec.wav")
    say "      $line; status: $(tr '\r' '\n' <"$T/keys.txt" | grep -a 'play: ' | tail -1)"
    le "$(field "$line" max_step | awk '{ printf "%.9f", $1 }')" "$(awk -v b="$bound" 'BEGIN { printf "%.9f", b }')" && break
done
expect_rc 0
check "it quit on q" grep -aq "play: quit after" "$T/keys.txt"
top=$(field "$line" top_db)
check "the keys swept it up to -22 dBFS (the capture's top $top dBFS, within 0.01 dB)" near "$top" -22 0.01
check "the key-driven part was captured ($(field "$line" samples) samples > 48000)" [ "$(field "$line" samples)" -gt 48000 ]
ms=$(field "$line" max_step | awk '{ printf "%.9f", $1 }')
say "      largest change / one smoothed step (c x $jump = $one): $(awk -v m="$ms" -v o="$one" 'BEGIN { printf "%.3f", m / o }')"
check "largest sample-to-sample gain change $(field "$line" max_step) <= the one-pole bound $bound" \
    le "$ms" "$(awk -v b="$bound" 'BEGIN { printf "%.9f", b }')"
check "... and it is a ramp, not silence: above a tenth of the bound" \
    le "$(awk -v b="$bound" 'BEGIN { printf "%.9f", b / 10 }')" "$ms"
finish
