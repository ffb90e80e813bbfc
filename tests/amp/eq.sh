#!/bin/bash
# eq: a profile's EQ acts on what apps play into the amp, as designed.
# devices.ini gives speakers an EQ file (one peaking band, +6 dB at 1 kHz,
# Q 1, Preamp -6.5 dB) and a volume of -30 dBFS.  pw-play plays tones of
# 250, 1000, 3000 and 8000 Hz into hpamp; each tone's level at the output
# (RMS over whole cycles, measure.py: a dropped graph cycle moves the phase,
# not the RMS) minus its level in the file must be
# -30 - 6.5 + |H(f)| in dB within 0.1 dB, |H| the band's response computed
# here from the Audio EQ Cookbook's peaking filter at 48 kHz.
. "$(dirname "$0")/lib.sh" "$@"
amp_servers
mkdir -p "$XDG_CONFIG_HOME/hpamp"
printf 'Preamp: -6.5 dB\nFilter 1: ON PK Fc 1000 Hz Gain 6.0 dB Q 1.00\n' >"$T/eq.txt"
printf '[speakers]\nnode = speakers\neq = %s\nvolume = -30\n' "$T/eq.txt" >"$XDG_CONFIG_HOME/hpamp/devices.ini"
FREQS="250 1000 3000 8000"
for f in $FREQS; do sox -V1 -n -r 48000 -c 2 -b 16 "$T/t$f.wav" synth 1.8 sine "$f" vol 0.25; done
M="python3 $(dirname "$0")/measure.py"

amp_start
check "speakers get the profile with the EQ: $(grep -m1 'output ' "$T/amp.err")" \
    grep -q "output speakers (profile speakers)" "$T/amp.err"
# one tone a run, measured from 1 s before its end for 0.6 s: clear of the
# start ramp (0.4 s) and of what the amp still held of the tone before
for f in $FREQS; do
    want=$(python3 -c "
import cmath, math
fs, f0, g, q, f = 48000.0, 1000.0, 6.0, 1.0, float('$f')
A = 10 ** (g / 40); w0 = 2 * math.pi * f0 / fs; al = math.sin(w0) / (2 * q)
b = (1 + al * A, -2 * math.cos(w0), 1 - al * A); a = (1 + al / A, -2 * math.cos(w0), 1 - al / A)
z = cmath.exp(-1j * 2 * math.pi * f / fs)
h = (b[0] + b[1] * z + b[2] * z * z) / (a[0] + a[1] * z + a[2] * z * z)
print(f'{-30 - 6.5 + 20 * math.log10(abs(h)):.4f}')")
    ref=$($M rmsend "$T/t$f.wav" 1.0 0.6)
    for attempt in 1 2; do
        record_start speakers "$T/rec.wav"
        pw-play --target hpamp "$T/t$f.wav"
        record_stop
        got=$($M rmsend "$T/rec.wav" 1.0 0.6)
        d=$(awk -v a="$got" -v b="$ref" 'BEGIN { printf "%.4f", a - b }')
        near "$d" "$want" 0.1 && [ "$($M gaps "$T/rec.wav")" = 0 ] && break
        say "      ($f Hz, attempt $attempt: $d dB; once more)"
    done
    eval "D$f=$d W$f=$want"
done
for f in $FREQS; do
    eval "d=\$D$f want=\$W$f"
    check "$f Hz: $d dB = the design's $want dB within 0.1" near "$d" "$want" 0.1
done
amp_stop TERM
check "exit status 0 after SIGTERM (got $rc)" [ "$rc" = 0 ]
finish
