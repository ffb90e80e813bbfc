#!/bin/bash
# dsp: play's --eq and --crossfeed (the chain's stages, switched by keys e
# and x).  Levels measured with sox stats on the ALSA file PCM's capture and
# compared with values computed here:
#   - --eq with one RBJ peaking band (+6 dB at 1 kHz, Q 1) and no Preamp:
#     the headroom the band needs is taken (6 dB, as render does), so a 1 kHz sine keeps its level and a 100 Hz sine
#     comes out 6 dB lower plus the band's gain there (the RBJ cookbook
#     formula, evaluated in python);
#   - --eq with a GraphicEQ curve (0 dB to 400 Hz, -6 dB from 1600 Hz): a
#     100 Hz sine keeps its level and a 5 kHz one loses 6 dB (+-0.1 dB);
#   - --crossfeed default (libbs2b 700 Hz, 4.5 dB): a 200 Hz sine in the left
#     channel only reaches the right one about 4.5 dB lower; without it the
#     right channel stays silent;
#   - --preset with a user preset (the same band inline, crossfeed, a cap of
#     -40 dB): all three in the summary, the 100 Hz level as computed, the
#     cap holding a louder --volume; a missing preset is one line, exit 1;
#   - the limiter still holds the ceiling with the EQ on.
. "$(dirname "$0")/lib.sh" "$@"
alsa_conf
printf 'Filter 1: ON PK Fc 1000 Hz Gain 6.0 dB Q 1.00\n' >"$T/eq.txt"
rms() { sox -V1 -t raw -r 48000 -e signed-integer -b 32 -c 2 "$T/cap.raw" -n trim 1 1 remix "$1" stats 2>&1 | awk '/^RMS lev dB/ { print $4 }'; }
rbj() { python3 - "$1" <<'PY'
import cmath, math, sys
f, fs, f0, g, q = float(sys.argv[1]), 48000.0, 1000.0, 6.0, 1.0
A = 10 ** (g / 40); w0 = 2 * math.pi * f0 / fs; al = math.sin(w0) / (2 * q)
b = [1 + al * A, -2 * math.cos(w0), 1 - al * A]; a = [1 + al / A, -2 * math.cos(w0), 1 - al / A]
z = cmath.exp(-1j * 2 * math.pi * f / fs)
print(20 * math.log10(abs((b[0] + b[1] * z + b[2] * z * z) / (a[0] + a[1] * z + a[2] * z * z))))
PY
}
say "== --eq"
for f in 1000 100; do
    sox -V1 -n -r 48000 -c 2 -b 24 "$T/s$f.wav" synth 3 sine $f vol 0.25
    in=$(sox -V1 "$T/s$f.wav" -n trim 1 1 remix 1 stats 2>&1 | awk '/^RMS lev dB/ { print $4 }')
    rm -f "$T/cap.raw"
    run play "$T/s$f.wav" --device alsa:capraw --volume -30 --eq "$T/eq.txt" --json
    expect_rc 0
    want=$(awk -v i="$in" -v h="$(rbj $f)" 'BEGIN { print i - 30 - 6 + h }')
    check "$f Hz: $(rms 1) dB = input $in - 30 (volume) - 6 (headroom) + $(rbj $f) (the band) = $want (0.05)" \
        near "$(rms 1)" "$want" 0.05
done
check "the summary says the EQ is in, 1 band" grep -q '"eq_bands": 1, "eq": true' "$T/out.txt"

say "== --eq with a GraphicEQ curve (fitted at the device's rate)"
# 0 dB up to 400 Hz, -6 dB from 1600 Hz: its highest point is 0 dB, so
# (nearly) no headroom is taken; 100 Hz keeps its level, 5 kHz loses 6 dB
printf 'GraphicEQ: 20 0; 400 0; 1600 -6; 20000 -6\n' >"$T/geq.txt"
sox -V1 -n -r 48000 -c 2 -b 24 "$T/s5000.wav" synth 3 sine 5000 vol 0.25
for f in 100 5000; do
    g=$([ $f = 100 ] && echo 0 || echo -6)
    in=$(sox -V1 "$T/s$f.wav" -n trim 1 1 remix 1 stats 2>&1 | awk '/^RMS lev dB/ { print $4 }')
    rm -f "$T/cap.raw"
    run play "$T/s$f.wav" --device alsa:capraw --volume -30 --eq "$T/geq.txt" --json
    expect_rc 0
    want=$(awk -v i="$in" -v g="$g" 'BEGIN { print i - 30 + g }')
    check "$f Hz: $(rms 1) dB = input $in - 30 (volume) + $g (the curve) = $want (0.1)" near "$(rms 1)" "$want" 0.1
done
check "the summary has the fit: 4 points" grep -q '"eq": true, .*"graphic_eq": {"points": 4, "points_ignored": 0' "$T/out.txt"

say "== --crossfeed"
sox -V1 -n -r 48000 -c 2 -b 24 "$T/left.wav" synth 3 sine 200 vol 0.25 remix 1 0
rm -f "$T/cap.raw"
run play "$T/left.wav" --device alsa:capraw --volume -30 --crossfeed default --json
expect_rc 0
d=$(awk -v l="$(rms 1)" -v r="$(rms 2)" 'BEGIN { print r - l }')
check "left only at 200 Hz: the right channel $d dB below the left (4.5 +- 1)" near "$d" -4.5 1.0
check "the summary says the crossfeed is in" grep -q '"crossfeed": true' "$T/out.txt"
rm -f "$T/cap.raw"
run play "$T/left.wav" --device alsa:capraw --volume -30 --json
expect_rc 0
check "without --crossfeed the right channel is silent ($(rms 2) dB)" le "$(rms 2)" -120
run play "$T/left.wav" --device alsa:capraw --crossfeed 5000,3
expect_rc 2

say "== --preset (a user preset: the same band inline, crossfeed, a volume cap)"
mkdir -p "$XDG_CONFIG_HOME/hpamp/presets"
cat >"$XDG_CONFIG_HOME/hpamp/presets/mine.ini" <<'INI'
[preset]
title = test
[eq]
filter = ON PK Fc 1000 Hz Gain 6.0 dB Q 1.00
[crossfeed]
preset = default
[volume]
max_db = -40
INI
rm -f "$T/cap.raw"
run play "$T/s100.wav" --device alsa:capraw --volume -45 --preset mine --json
expect_rc 0
in=$(sox -V1 "$T/s100.wav" -n trim 1 1 remix 1 stats 2>&1 | awk '/^RMS lev dB/ { print $4 }')
check "the preset's EQ, crossfeed and cap: $(grep -o '"eq_bands": [0-9]*, "eq": [a-z]*, "crossfeed": [a-z]*' "$T/out.txt"), max $(grep -o '"max_volume_db": [-0-9.]*' "$T/out.txt")" \
    grep -q '"max_volume_db": -40.00.*"eq_bands": 1, "eq": true, "crossfeed": true' "$T/out.txt"
# 100 Hz in both channels: the crossfeed keeps a centred (L = R) low tone's level
# (libbs2b keeps a centred low tone within a few hundredths of a dB: 0.3 is
# allowed), so only the volume,
# the headroom and the band act, as with --eq above
want=$(awk -v i="$in" -v h="$(rbj 100)" 'BEGIN { print i - 45 - 6 + h }')
check "100 Hz through the preset: $(rms 1) dB = input $in - 45 - 6 + $(rbj 100) = $want (0.3)" near "$(rms 1)" "$want" 0.3
run play "$T/s100.wav" --device alsa:capraw --volume -30 --preset mine
expect_rc 0
check "the preset's cap holds: --volume -30 capped at -40 ($(head -c 160 "$T/err.txt"))" grep -q 'capped at -40.0' "$T/err.txt"
run play "$T/s100.wav" --device alsa:capraw --preset no_such_preset
expect_rc 1
check "a missing preset: one line ($(head -c 160 "$T/err.txt"))" one_error_line "$T/err.txt"

say "== the limiter after the EQ"
sox -V1 -n -r 48000 -c 2 -b 16 "$T/sq.wav" synth 2 square 997 vol 1
printf 'Preamp: -1 dB\nFilter 1: ON PK Fc 3000 Hz Gain 6.0 dB Q 1.00\n' >"$T/hot.txt"
rm -f "$T/cap.raw"
run play "$T/sq.wav" --device alsa:capraw --volume -3 --max-volume -3 --i-understand-loud --eq "$T/hot.txt"
expect_rc 0
if [ -x "$TRUEPEAK" ]; then
    p=$("$TRUEPEAK" "$T/cap.raw" s16 2 48000 | sed -n 's/^true_peak_dbtp=\([^ ]*\) .*/\1/p')
    check "a full-scale square (+1.9 dBTP) through a +6 dB band at the ceiling volume: true peak $p <= -3 dBTP (+1 LSB)" \
        le "$p" "$(awk 'BEGIN { g = 10 ^ (-3 / 20); print -3 + 20 * log(1 + 1 / (32768 * g)) / log(10) }')"
fi

finish
