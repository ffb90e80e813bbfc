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
import sys

RATES = [44100, 48000, 88200, 96000, 176400, 192000, 352800, 384000, 705600, 768000]


def filters(path):
    out = []
    for line in open(path):
        p = line.split()
        if p and p[0] == 'Filter' and p[2] == 'ON':
            out.append((p[3], float(p[5]), float(p[8]), float(p[11])))
    return out


def rbj(typ, fc, gain, q, fs):
    A = 10 ** (gain / 40)
    w0 = 2 * math.pi * fc / fs
    al = math.sin(w0) / (2 * q)
    c = math.cos(w0)
    if typ == 'PK':
        b = [1 + al * A, -2 * c, 1 - al * A]
        a = [1 + al / A, -2 * c, 1 - al / A]
    elif typ == 'LSC':
        s = 2 * math.sqrt(A) * al
        b = [A * ((A + 1) - (A - 1) * c + s), 2 * A * ((A - 1) - (A + 1) * c), A * ((A + 1) - (A - 1) * c - s)]
        a = [(A + 1) + (A - 1) * c + s, -2 * ((A - 1) + (A + 1) * c), (A + 1) + (A - 1) * c - s]
    elif typ == 'HSC':
        s = 2 * math.sqrt(A) * al
        b = [A * ((A + 1) + (A - 1) * c + s), -2 * A * ((A - 1) + (A + 1) * c), A * ((A + 1) + (A - 1) * c - s)]
        a = [(A + 1) - (A - 1) * c + s, 2 * ((A - 1) - (A + 1) * c), (A + 1) - (A - 1) * c - s]
    else:
        raise SystemExit('unexpected filter type ' + typ)
    return [x / a[0] for x in b], [1.0, a[1] / a[0], a[2] / a[0]]


def db_at(ba, f, fs):
    b, a = ba
    w = 2 * math.pi * f / fs
    z = complex(math.cos(w), -math.sin(w))
    return 20 * math.log10(abs((b[0] + b[1] * z + b[2] * z * z) / (a[0] + a[1] * z + a[2] * z * z)))


def residual(csv_path, peq_path, fs):
    bq = [rbj(*f, fs) for f in filters(peq_path)]
    r = []
    for row in csv.DictReader(open(csv_path)):
        f = float(row['frequency'])
        if 20 <= f <= 10000:
            r.append(float(row['raw']) + sum(db_at(x, f, fs) for x in bq) - float(row['target']))
    m = sum(r) / len(r)
    return math.sqrt(sum((v - m) ** 2 for v in r) / len(r))


def check(peq_path, max_gain, max_q, n):
    fl = filters(peq_path)
    bad = []
    if len(fl) != n:
        bad.append('%d filters, not %d' % (len(fl), n))
    for typ, fc, gain, q in fl:
        if gain > max_gain + 1e-9:
            bad.append('%s %g Hz boosts %g dB > %g' % (typ, fc, gain, max_gain))
        if typ == 'PK' and q > max_q + 1e-9:
            bad.append('%s %g Hz Q %g > %g' % (typ, fc, q, max_q))
        for fs in RATES:
            _, a = rbj(typ, fc, gain, q, fs)
            if not (abs(a[2]) < 1 and abs(a[1]) < 1 + a[2]):
                bad.append('%s %g Hz unstable at %d Hz' % (typ, fc, fs))
    print('\n'.join(bad) if bad else 'ok')


if sys.argv[1] == 'residual':
    print('%.4f' % residual(sys.argv[2], sys.argv[3], float(sys.argv[4])))
elif sys.argv[1] == 'check':
    check(sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]))
