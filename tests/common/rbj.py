"""rbj.py -- the tests' own RBJ Audio EQ Cookbook biquads (python3 standard
library only), shared by tests/eq/fit_ref.py, tests/eq/iso226_ref.py and
tests/advise/compensation.sh.  PK, LSC and HSC with alpha = sin(w0)/(2Q), as
AutoEq's peq.py and Equalizer APO design them; nothing from hpamp."""
import math


def coefs(typ, fc, gain, q, fs):
    """(b, a) normalised so that a[0] = 1"""
    A = 10 ** (gain / 40)
    w0 = 2 * math.pi * fc / fs
    al = math.sin(w0) / (2 * q)
    c = math.cos(w0)
    s = 2 * math.sqrt(A) * al
    if typ == 'PK':
        b = [1 + al * A, -2 * c, 1 - al * A]
        a = [1 + al / A, -2 * c, 1 - al / A]
    elif typ == 'LSC':
        b = [A * ((A + 1) - (A - 1) * c + s), 2 * A * ((A - 1) - (A + 1) * c), A * ((A + 1) - (A - 1) * c - s)]
        a = [(A + 1) + (A - 1) * c + s, -2 * ((A - 1) + (A + 1) * c), (A + 1) + (A - 1) * c - s]
    elif typ == 'HSC':
        b = [A * ((A + 1) + (A - 1) * c + s), -2 * A * ((A - 1) + (A + 1) * c), A * ((A + 1) + (A - 1) * c - s)]
        a = [(A + 1) - (A - 1) * c + s, 2 * ((A - 1) - (A + 1) * c), (A + 1) - (A - 1) * c - s]
    else:
        raise SystemExit('unexpected filter type ' + typ)
    return [x / a[0] for x in b], [1.0, a[1] / a[0], a[2] / a[0]]


def db_at(ba, f, fs):
    """20 log10 |H(e^jw)| of one biquad, evaluated directly"""
    b, a = ba
    w = 2 * math.pi * f / fs
    z = complex(math.cos(w), -math.sin(w))
    return 20 * math.log10(abs((b[0] + b[1] * z + b[2] * z * z) / (a[0] + a[1] * z + a[2] * z * z)))


def set_db(bands, fs, f):
    """the summed dB response of (type, fc, gain, q) bands"""
    return sum(db_at(coefs(*b, fs), f, fs) for b in bands)


def read_parametric(path):
    """the ON filters of an Equalizer APO / AutoEq ParametricEQ file"""
    out = []
    for line in open(path):
        p = line.split()
        if p and p[0] == 'Filter' and p[2] == 'ON':
            out.append((p[3], float(p[5]), float(p[8]), float(p[11])))
    return out
