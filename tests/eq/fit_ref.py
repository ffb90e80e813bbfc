#!/usr/bin/env python3
"""fit_ref.py -- the independent arithmetic of tests/eq/autofit.sh (python3
standard library only; nothing from hpamp but the file it wrote).

  fit_ref.py residual RESULT.CSV PARAMETRICEQ.TXT FS
      RMS over 20 Hz..10 kHz of raw + EQ - target (AutoEq's result.csv columns,
      read by header name), the mean removed; EQ = the sum of the RBJ Audio EQ
      Cookbook biquads' dB responses (PK, LSC, HSC with alpha = sin(w0)/(2Q),
      as AutoEq's peq.py designs them), evaluated at z = e^{jw} directly.
  fit_ref.py check PARAMETRICEQ.TXT MAX_GAIN MAX_Q N
      every filter: gain <= MAX_GAIN, Q <= MAX_Q (PK), N filters, and both
      poles inside the unit circle at every rate from 44.1 to 768 kHz
      (the Schur-Cohn conditions |a2| < 1, |a1| < 1 + a2).
"""
import csv
import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'common'))
from rbj import coefs, db_at, read_parametric  # noqa: E402

RATES = [44100, 48000, 88200, 96000, 176400, 192000, 352800, 384000, 705600, 768000]


def residual(csv_path, peq_path, fs):
    bq = [coefs(*f, fs) for f in read_parametric(peq_path)]
    r = []
    for row in csv.DictReader(open(csv_path)):
        f = float(row['frequency'])
        if 20 <= f <= 10000:
            r.append(float(row['raw']) + sum(db_at(x, f, fs) for x in bq) - float(row['target']))
    m = sum(r) / len(r)
    return math.sqrt(sum((v - m) ** 2 for v in r) / len(r))


def check(peq_path, max_gain, max_q, n):
    fl = read_parametric(peq_path)
    bad = []
    if len(fl) != n:
        bad.append('%d filters, not %d' % (len(fl), n))
    for typ, fc, gain, q in fl:
        if gain > max_gain + 1e-9:
            bad.append('%s %g Hz boosts %g dB > %g' % (typ, fc, gain, max_gain))
        if typ == 'PK' and q > max_q + 1e-9:
            bad.append('%s %g Hz Q %g > %g' % (typ, fc, q, max_q))
        for fs in RATES:
            _, a = coefs(typ, fc, gain, q, fs)
            if not (abs(a[2]) < 1 and abs(a[1]) < 1 + a[2]):
                bad.append('%s %g Hz unstable at %d Hz' % (typ, fc, fs))
    print('\n'.join(bad) if bad else 'ok')


if sys.argv[1] == 'residual':
    print('%.4f' % residual(sys.argv[2], sys.argv[3], float(sys.argv[4])))
elif sys.argv[1] == 'check':
    check(sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]))
