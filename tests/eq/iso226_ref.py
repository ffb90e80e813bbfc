#!/usr/bin/env python3
"""iso226_ref.py DUMP -- checks iso226_dump's output with python3's own
arithmetic (standard library only).

The ISO 226:2003 Table 1 parameters (tests/common/iso226_table.py) were typed from a second source,
not the one src/lib/iso226.c's table was typed from (data/iso226.md names
both): mlochbaum/JSound's loudness.ijs, which lists L_U and T_f without their
signs; the signs are those of the first source (Jeff Tackett's iso226.m).
The 1 kHz identity (each contour passes through its own phon value at 1 kHz)
is asserted as a check on the table.

Checks: (1) the contour at each tabulated frequency and 20..90 phon equals
formula (4.1) within 0.001 dB; (2) between tabulated frequencies it lies
between its neighbours (linear in log f), and outside 20 Hz..12.5 kHz it is
the end value; (3) the fitted compensation's bands (RBJ biquads computed
here) follow (L_listen contour - listen) - (L_ref contour - ref), limited to
+15 dB, within 1 dB RMS and 2.5 dB at any tabulated frequency from 31.5 Hz to
10 kHz, relative to 1 kHz; flat when listen == ref; and boost at most 15 dB.
"""
import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'common'))
from rbj import set_db  # noqa: E402
from iso226_table import F, comp, spl  # noqa: E402

failures = 0


def check(ok, what):
    global failures
    print(('ok    ' if ok else 'FAIL  ') + what)
    failures += not ok


for p in (20, 40, 60, 80, 90):
    check(abs(spl(p, F.index(1000)) - p) < 0.1, 'reference table: %g phon at 1 kHz is %.3f dB SPL' % (p, spl(p, 17)))

worst = 0.0
bands = {}
if len(sys.argv) > 2 and sys.argv[2] == '--run':
    import subprocess
    lines = subprocess.run([sys.argv[1]], capture_output=True, text=True, check=True).stdout.splitlines()
else:
    lines = open(sys.argv[1]).read().splitlines()
for line in lines:
    w = line.split()
    if w[0] == 'spl':
        phon, f, v = float(w[1]), float(w[2]), float(w[3])
        worst = max(worst, abs(v - spl(phon, F.index(f))) if f in F else 99)
    elif w[0] == 'at':
        phon, f, v = float(w[1]), float(w[2]), float(w[3])
        if f < 20:
            check(abs(v - spl(phon, 0)) < 1e-6, '%g Hz: the 20 Hz value' % f)
        elif f > 12500:
            check(abs(v - spl(phon, 28)) < 1e-6, '%g Hz: the 12.5 kHz value' % f)
        else:
            i = max(k for k in range(29) if F[k] <= f)
            t = math.log(f / F[i]) / math.log(F[i + 1] / F[i])
            want = (1 - t) * spl(phon, i) + t * spl(phon, i + 1)
            check(abs(v - want) < 1e-3, '%g Hz, 60 phon: %.3f dB, interpolated %.3f' % (f, v, want))
    elif w[0] == 'band':
        key = (float(w[1]), float(w[2]), float(w[3]))
        bands.setdefault(key, []).append((w[4], float(w[5]), float(w[6]), float(w[7])))
    elif w[0] == 'error':
        check(False, 'compensation %s/%s: error %s' % (w[1], w[2], w[3]))
check(worst < 1e-3, 'contours at the 29 tabulated frequencies, 20..90 phon: within %.2g dB of formula (4.1)' % worst)

for (listen, ref, fs), bl in sorted(bands.items()):
    check(len(bl) == 5, '%g phon against %g at %g Hz: %d bands' % (listen, ref, fs, len(bl)))
    check(all(g <= 15.0 for _, _, g, _ in bl), '... no band boosts more than 15 dB')
    eq1k = set_db(bl, fs, 1000)
    errs = []
    for i, f in enumerate(F):
        if 31.5 <= f <= 10000:
            got = set_db(bl, fs, f) - eq1k
            errs.append(got - (comp(listen, ref, i) - comp(listen, ref, 17)))
    rms = math.sqrt(sum(e * e for e in errs) / len(errs))
    mx = max(abs(e) for e in errs)
    if listen == ref:
        check(mx < 0.05, '... flat: within %.3f dB of 0' % mx)
    else:
        check(rms < 1.0 and mx < 2.5, '... follows the contour difference: %.2f dB RMS, %.2f dB max (31.5 Hz..10 kHz)'
              % (rms, mx))
sys.exit(1 if failures else 0)
