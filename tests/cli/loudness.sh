#!/bin/bash
# loudness: `hpamp render --loudness-comp [REF_PHON]` with known gear.
# A unit impulse (float WAV, 48 kHz) is rendered through a resistive spec
# pair, "32ohm,100dB/mW" on "1.0V,0.5ohm", whose SPL at 0 dBFS is computed
# here by hand: the load gets 1.0 x 32/32.5 V, P = V^2/32, spl0 = 100 +
# 10 log10(P / 1 mW).  The listening level is spl0 + volume - 18 (the music's
# assumed -18 LUFS) rounded to 0.5 dB (docs/loudness-comp.md).  python3 then
# takes the output's DFT at the ISO 226 tabulated frequencies and compares
# it, relative to 1 kHz, with the contour difference from the test's own
# table (tests/common/iso226_table.py): within 0.5 dB RMS and 1 dB at each
# point from 31.5 Hz to 10 kHz.  At or above the reference the response is
# flat; without gear, or gear whose SPL is not known, it is refused (exit 2).
. "$(dirname "$0")/lib.sh" "$@"
need python3
COMMON=$(cd "$(dirname "$0")/../common" && pwd)

python3 - "$T/imp.raw" <<'PY'
import array, sys
a = array.array('f', [0.0] * 32768)
a[0] = 0.5
a.tofile(open(sys.argv[1], 'wb'))
PY
sox -V1 -t raw -r 48000 -c 1 -e floating-point -b 32 "$T/imp.raw" "$T/imp.wav"

# response OUT.wav LISTEN REF: "ok|bad rms max" against the contours
response() {
    sox -V1 "$1" -t raw -e floating-point -b 32 "$T/resp.raw"
    python3 - "$T/resp.raw" "$2" "$3" "$COMMON" <<'PY'
import array, cmath, math, sys
sys.path.insert(0, sys.argv[4])
from iso226_table import F, comp
h = array.array('f'); h.frombytes(open(sys.argv[1], 'rb').read())
listen, ref = float(sys.argv[2]), float(sys.argv[3])
def db(f):
    w = -2j * math.pi * f / 48000
    return 20 * math.log10(abs(sum(x * cmath.exp(w * n) for n, x in enumerate(h) if x != 0.0)))
k = F.index(1000)
at1k = db(1000)
errs = [(db(f) - at1k) - (comp(listen, ref, i) - comp(listen, ref, k)) for i, f in enumerate(F) if 31.5 <= f <= 10000]
rms = math.sqrt(sum(e * e for e in errs) / len(errs))
mx = max(abs(e) for e in errs)
print('ok' if rms < 0.5 and mx < 1.0 else 'bad', '%.2f %.2f' % (rms, mx))
PY
}

spl0=$(awk 'BEGIN { v = 32 / 32.5; printf "%.6f", 100 + 10 * log(v * v / 32 * 1000) / log(10) }')
for case in "-30 80" "-45 80" "-30 70"; do
    set -- $case
    vol=$1 ref=$2
    listen=$(awk -v s="$spl0" -v v="$vol" 'BEGIN { l = s + v - 18; printf "%.1f", int(l * 2 + 0.5) / 2 }')
    run render "$T/imp.wav" -o "$T/out.wav" --bits float -H "32ohm,100dB/mW" -S "1.0V,0.5ohm" --volume "$vol" \
        --loudness-comp "$ref"
    check "volume $vol, reference $ref: exit 0 ($(head -c 200 "$T/err.txt"))" [ "$rc" -eq 0 ]
    v=$(response "$T/out.wav" "$listen" "$ref")
    check "... at $listen phon the response follows the ISO 226 difference (RMS, max dB: ${v#* })" [ "${v%% *}" = ok ]
done

# the reference given as --loudness-comp=REF and the level above it: flat
run render "$T/imp.wav" -o "$T/flat.wav" --bits float -H "32ohm,100dB/mW" -S "1.0V,0.5ohm" --volume -10 \
    --loudness-comp=60
check "above the reference: exit 0" [ "$rc" -eq 0 ]
v=$(response "$T/flat.wav" 60 60)
check "... flat (RMS, max dB: ${v#* })" [ "${v%% *}" = ok ]
check "... said" grep -q "flat at or above the reference" "$T/out.txt"

run render "$T/imp.wav" -o "$T/no.wav" --loudness-comp
check "no gear: exit 2, the reason given" \
    eval '[ "$rc" -eq 2 ] && grep -q "needs --headphones and --source" "$T/err.txt" && [ ! -e "$T/no.wav" ]'
run render "$T/imp.wav" -o "$T/no.wav" -H "32ohm,100dB/mW,active" -S "1.0V,0.5ohm" --loudness-comp 80
check "a headphone whose SPL is not known: exit 2, the reason given" \
    eval '[ "$rc" -eq 2 ] && grep -q "needs the SPL at the ear" "$T/err.txt" && [ ! -e "$T/no.wav" ]'
run render "$T/imp.wav" -o "$T/no.wav" -H "32ohm,100dB/mW" -S "1.0V,0.5ohm" --loudness-comp 95
check "a reference outside 40..90 phon: exit 2" eval '[ "$rc" -eq 2 ] && grep -q "40..90 phon" "$T/err.txt"'
finish
