#!/bin/bash
# simulate: `hpamp render --simulate-source S --headphones H --level L`
# against the model's closed forms, worked here in python (docs/physics.md):
#
#   below the limit  the HD 650 (300 ohm, 480 ohm at 100 Hz, the database's
#              facts; the model's impedance: Re = 300 in series with a
#              parallel RLC of Res = 180 ohm at f0 = 100 Hz, Qms 0.5) behind
#              "2.0V,75ohm": sines at 100 Hz, 1 kHz and 5 kHz, 20 dB under
#              the rail, come out changed by the divider's
#              20*log10(|Z/(Z+75)| / |Zref/(Zref+75)|) at their frequency
#              (Zref at 1 kHz), +-0.1 dB, and not clipped.
#   above the limit  a 1 kHz stereo sine of peak -3 dBFS on the HD 650 behind
#              "0.3V,0ohm" at --level 100.  Its loudness M comes from
#              ITU-R BS.1770's K-filter coefficients at 48 kHz evaluated at
#              1 kHz here (-0.691 + 10*log10(2 * a^2/2 * |H|^2); checked against
#              ffmpeg's ebur128 within 0.1 LU); the volume puts 0 dBFS at
#              100 - M dB SPL and the rail, 0.3 V RMS, at
#              20*log10(0.3) + S_V - (100 - M) dBFS (S_V = 94 - 20*log10(0.288)
#              from 288 mV for 94 dB): the output's peak is there within
#              0.06 dB (meters of BS.1770 differ by that much on this sine:
#              the standard's own 48 kHz coefficients give -2.99 LUFS,
#              ffmpeg's loudnorm -3.05, libebur128, which hpamp uses, -2.95),
#              and the printed clip level is the output's peak (+-0.01 dB).
#   current    "5.0V,0ohm,10mA" on a flat 32 ohm, 100 dB/V headphone: the
#              load's voltage runs out at 0.010 A * 32 ohm = 0.32 V.
#   errors     an unknown source or headphone: one line, exit 2; one of the
#              two options without the other: exit 2.
. "$(dirname "$0")/lib.sh" "$@"
need ffmpeg python3

sox -V1 -n -r 48000 -b 24 "$T/s100.wav" synth 4 sine 100 gain -26 remix 1 1
sox -V1 -n -r 48000 -b 24 "$T/s1k.wav" synth 4 sine 1000 gain -26 remix 1 1
sox -V1 -n -r 48000 -b 24 "$T/s5k.wav" synth 4 sine 5000 gain -26 remix 1 1

divider_db() { # F ZOUT: the model's response change at F against 1 kHz
    python3 -c "
import math
def z(f):
    re, res, f0, q = 300.0, 180.0, 100.0, 0.5
    w, w0 = 2 * math.pi * f, 2 * math.pi * 100.0
    c = q / (w0 * res)
    l = 1 / (w0 * w0 * c)
    return re + 1 / (1 / res + 1 / (1j * w * l) + 1j * w * c)
d = lambda f: abs(z(f) / (z(f) + $2))
print('%.4f' % (20 * math.log10(d($1) / d(1000.0))))"
}

say "== below the limit: the divider's response, nothing else"
for f in 100 1k 5k; do
    hz=${f/k/000}
    run render "$T/s$f.wav" -o "$T/o.wav" --bits float --simulate-source "2.0V,75ohm" --headphones hd650 --level 85
    expect_rc 0 || continue
    want=$(divider_db "$hz" 75)
    got=$(awk -v a="$(channel_rms_db "$T/o.wav" 1)" -v b="$(channel_rms_db "$T/s$f.wav" 1)" 'BEGIN { printf "%.4f", a - b }')
    check "$hz Hz: $got dB, the divider gives $want (+-0.1)" near "$got" "$want" 0.1
    check "$hz Hz: nothing clipped" grep -q "clipped 0 samples" "$T/out.txt"
done

say "== above the limit: hard clipping at the rail"
sox -V1 -n -r 48000 -b 24 "$T/hot.wav" synth 4 sine 1000 gain -3 remix 1 1
# BS.1770-4 Table 1 and 2: the K-filter's two biquads at 48 kHz, at 1 kHz
M=$(python3 -c "
import cmath, math
def h(b, a, f):
    z = cmath.exp(-2j * math.pi * f / 48000)
    return (b[0] + b[1] * z + b[2] * z * z) / (a[0] + a[1] * z + a[2] * z * z)
k = abs(h([1.53512485958697, -2.69169618940638, 1.19839281085285], [1, -1.69065929318241, 0.73248077421585], 1000)
        * h([1, -2, 1], [1, -1.99004745483398, 0.99007225036621], 1000))
a = 10 ** (-3 / 20)
print('%.4f' % (-0.691 + 10 * math.log10(2 * a * a / 2 * k * k)))")
lufs=$(ffmpeg -hide_banner -nostats -i "$T/hot.wav" -af ebur128 -f null - 2>&1 | awk '/^ *I:/ { v = $2 } END { print v }')
check "ffmpeg reads the sine at $lufs LUFS, BS.1770's filters give $M (+-0.1)" near "$lufs" "$M" 0.1
rail=$(python3 -c "
import math
sv = 94 - 20 * math.log10(0.288)
print('%.4f' % (20 * math.log10(0.3) + sv - (100 - ($M))))")
run render "$T/hot.wav" -o "$T/o.wav" --bits float --simulate-source "0.3V,0ohm" --headphones hd650 --level 100
expect_rc 0
pk=$(stat_overall "$T/o.wav" "Pk lev dB")
check "output peak $pk dBFS = the rail $rail dBFS (+-0.06)" near "$pk" "$rail" 0.06
said=$(grep -o 'clips above [-+0-9.]* dBFS' "$T/out.txt" | awk '{ print $3 }')
check "printed clip level $said dBFS = the output's peak $pk (+-0.01)" near "$said" "$pk" 0.01
check "says the voltage runs out" grep -q "the voltage runs out" "$T/out.txt"

say "== the current limit"
sv=100
rail=$(python3 -c "
import math
print('%.4f' % (20 * math.log10(0.010 * 32) + $sv - (100 - ($M))))")
run render "$T/hot.wav" -o "$T/o.wav" --bits float --simulate-source "5.0V,0ohm,10mA" --headphones "32ohm,100dB/V" \
    --level 100
expect_rc 0
pk=$(stat_overall "$T/o.wav" "Pk lev dB")
check "output peak $pk dBFS = the current's rail $rail dBFS (+-0.06)" near "$pk" "$rail" 0.06
check "says the current runs out" grep -q "the current runs out" "$T/out.txt"

say "== errors"
for args in "--simulate-source nosuchsourcexyz --headphones hd650" "--simulate-source 2.0V,75ohm --headphones nosuchphonexyz" \
    "--simulate-source 2.0V,75ohm" "--headphones hd650"; do
    # shellcheck disable=SC2086
    run render "$T/s1k.wav" -o "$T/e.wav" $args
    expect_rc 2
    check "$args: one 'hpamp: ' line" one_error_line "$T/err.txt"
    check "$args: no output" [ ! -e "$T/e.wav" ]
done

finish
