#!/bin/bash
# compensate: `hpamp render --compensate -H H -S S` cancels the response
# change a source's output impedance makes.  The headphone is the user's own
# record (headphones.csv): 300 ohm nominal with a 600 ohm bass resonance at
# 80 Hz, which the model makes Z(f) = 300 + 300 / (1 + j 0.5 (f/80 - 80/f))
# (docs/advise.md: hpa_zmodel_from_spec with the default width Qms 0.5,
# docs/model.md); the source "1.0V,100ohm".  python3 takes the DFT of the
# rendered impulse at 40 frequencies from 20 Hz to 20 kHz and adds the
# divider 20 log10 |Z / (Z + 100)| computed here: the sum is flat within
# +-0.1 dB (about its middle).  Without the compensation the same sum spans
# more than +-0.1 dB (about +-0.6: the negative control).  A source whose output
# impedance is not known is refused (exit 2).
. "$(dirname "$0")/lib.sh" "$@"
need python3
export XDG_CONFIG_HOME=$T/cfg
mkdir -p "$XDG_CONFIG_HOME/hpamp"
{
    head -1 "$(dirname "$0")/../../data/headphones.csv"
    echo "test-reso,Test,Reso,over-ear,dynamic,open,300,,97,,,600,80,,,,the test's own"
} >"$XDG_CONFIG_HOME/hpamp/headphones.csv"

python3 - "$T/imp.raw" <<'PY'
import array, sys
a = array.array('f', [0.0] * 32768)
a[0] = 0.5
a.tofile(open(sys.argv[1], 'wb'))
PY
sox -V1 -t raw -r 48000 -c 1 -e floating-point -b 32 "$T/imp.raw" "$T/imp.wav"

# flatness OUT.wav: "ok|bad SPAN" of EQ + divider about its middle
flatness() {
    sox -V1 "$1" -t raw -e floating-point -b 32 "$T/resp.raw"
    python3 - "$T/resp.raw" <<'PY'
import array, cmath, math, sys
h = array.array('f'); h.frombytes(open(sys.argv[1], 'rb').read())
nz = [(n, x) for n, x in enumerate(h) if x != 0.0]
def eq_db(f):
    w = -2j * math.pi * f / 48000
    return 20 * math.log10(abs(sum(x * cmath.exp(w * n) for n, x in nz)))
def divider_db(f):
    z = 300 + 300 / (1 + 0.5j * (f / 80 - 80 / f))
    return 20 * math.log10(abs(z / (z + 100)))
s = [eq_db(f) + divider_db(f) for f in (20 * 1000 ** (k / 39) for k in range(40))]
half = (max(s) - min(s)) / 2
print('ok' if half <= 0.1 else 'bad', '%.3f' % half)
PY
}

run render "$T/imp.wav" -o "$T/comp.wav" --bits float -H test-reso -S "1.0V,100ohm" --compensate
check "render --compensate: exit 0 ($(head -c 200 "$T/err.txt"))" [ "$rc" -eq 0 ]
v=$(flatness "$T/comp.wav")
check "... EQ + divider flat within +-0.1 dB over 20 Hz..20 kHz (+-${v#* } dB)" [ "${v%% *}" = ok ]
run render "$T/imp.wav" -o "$T/plain.wav" --bits float
v=$(flatness "$T/plain.wav")
check "... without it, the divider alone is not (+-${v#* } dB, negative control)" [ "${v%% *}" = bad ]
run render "$T/imp.wav" -o "$T/no.wav" -H test-reso -S "1.0V" --compensate
check "a source whose output impedance is not known: exit 2, said, no file" \
    eval '[ "$rc" -eq 2 ] && grep -q "needs the output impedance" "$T/err.txt" && [ ! -e "$T/no.wav" ]'
run render "$T/imp.wav" -o "$T/no.wav" --compensate
check "no gear: exit 2" eval '[ "$rc" -eq 2 ] && grep -q "compensate needs --headphones and --source" "$T/err.txt"'
finish
