#!/bin/bash
# loudness: `hpamp play --loudness-comp [REF_PHON]` on the ALSA file PCM.
# The pair "32ohm,100dB/mW" on "1.0V,0.5ohm" has spl0 = 100 + 10 log10(P /
# 1 mW), P = (1.0 x 32/32.5)^2 / 32 W (computed here); at --volume -40 the
# listening level is spl0 - 40 - 18 (the music's assumed -18 LUFS), rounded
# to 0.5 dB (docs/loudness-comp.md).  A 63 Hz and a 1 kHz sine play alike;
# the difference of their captured levels (sox stats) is the compensation's
# difference between the two frequencies, from the test's own ISO 226 table
# (tests/common/iso226_table.py), within 0.5 dB (the fitted bands' error
# there is a few tenths).  Refusals: no gear, or gear whose SPL is not known:
# exit 2 with the reason, nothing played.
. "$(dirname "$0")/lib.sh" "$@"
need python3
alsa_conf
COMMON=$(cd "$(dirname "$0")/../common" && pwd)
rms() { sox -V1 -t raw -r 48000 -e signed-integer -b 32 -c 2 "$T/cap.raw" -n trim 1 1 remix 1 stats 2>&1 | awk '/^RMS lev dB/ { print $4 }'; }

spl0=$(awk 'BEGIN { v = 32 / 32.5; printf "%.6f", 100 + 10 * log(v * v / 32 * 1000) / log(10) }')
listen=$(awk -v s="$spl0" 'BEGIN { l = s - 40 - 18; printf "%.1f", int(l * 2 + 0.5) / 2 }')
want=$(python3 - "$listen" "$COMMON" <<'PY'
import sys
sys.path.insert(0, sys.argv[2])
from iso226_table import F, comp
l = float(sys.argv[1])
print('%.3f' % (comp(l, 80, F.index(63)) - comp(l, 80, F.index(1000))))
PY
)
declare -A lev
for f in 63 1000; do
    sox -V1 -n -r 48000 -c 2 -b 24 "$T/s$f.wav" synth 3 sine $f vol 0.25
    rm -f "$T/cap.raw"
    run play "$T/s$f.wav" --device alsa:capraw -H "32ohm,100dB/mW" -S "1.0V,0.5ohm" --volume -40 --loudness-comp \
        --json
    expect_rc 0
    lev[$f]=$(rms)
done
check "the summary names the level: $listen phon against 80" \
    grep -q "\"loudness_ref_phon\": 80.0, \"loudness_phon\": $listen" "$T/out.txt"
got=$(awk -v a="${lev[63]}" -v b="${lev[1000]}" 'BEGIN { printf "%.3f", a - b }')
check "63 Hz against 1 kHz at $listen phon: $got dB, the contours say $want dB (0.5)" near "$got" "$want" 0.5

# --compensate: a user headphone with a 600 ohm resonance at 80 Hz (Z(f) as in
# tests/cli/compensate.sh) on "1.0V,100ohm": an 80 Hz sine against a 1 kHz
# one plays as the divider's difference, cancelled: 0 dB within 0.1 dB
export XDG_CONFIG_HOME=$T/cfg
mkdir -p "$XDG_CONFIG_HOME/hpamp"
{
    head -1 "$(dirname "$0")/../../data/headphones.csv"
    echo "test-reso,Test,Reso,over-ear,dynamic,open,300,,97,,,600,80,,,,the test's own"
} >"$XDG_CONFIG_HOME/hpamp/headphones.csv"
sox -V1 -n -r 48000 -c 2 -b 24 "$T/s80.wav" synth 3 sine 80 vol 0.25
for f in 80 1000; do
    rm -f "$T/cap.raw"
    run play "$T/s$f.wav" --device alsa:capraw -H test-reso -S "1.0V,100ohm" --volume -40 --compensate --json
    expect_rc 0
    lev[$f]=$(rms)
done
div=$(python3 -c '
import math
z = lambda f: 300 + 300 / (1 + 0.5j * (f / 80 - 80 / f))
d = lambda f: 20 * math.log10(abs(z(f) / (z(f) + 100)))
print("%.3f" % (d(80) - d(1000)))')
got=$(awk -v a="${lev[80]}" -v b="${lev[1000]}" -v d="$div" 'BEGIN { printf "%.3f", a - b + d }')
check "--compensate: 80 Hz against 1 kHz plus the divider's $div dB: $got dB (0 within 0.1)" near "$got" 0 0.1

run play "$T/s63.wav" --device alsa:capraw --loudness-comp 70
check "no gear: exit 2, the reason given" \
    eval '[ "$rc" -eq 2 ] && grep -q "loudness-comp needs --headphones and --source" "$T/err.txt"'
run play "$T/s63.wav" --device alsa:capraw -H "32ohm,100dB/mW,active" -S "1.0V,0.5ohm" --loudness-comp
check "gear whose SPL is not known: exit 2, the reason given" \
    eval '[ "$rc" -eq 2 ] && grep -q "needs the SPL at the ear" "$T/err.txt"'
finish
