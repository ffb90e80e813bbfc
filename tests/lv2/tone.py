"""tone.py — sine tests for tests/lv2, python3 standard library only.

  tone.py gen FREQ RATE SECONDS AMP OUT      a stereo float32 sine, both channels
  tone.py gain IN FREQ RATE FROM TO AMP      the level of the sine at FREQ in
        IN's left channel between FROM and TO seconds, in dB relative to AMP:
        a least-squares fit of sin and cos at FREQ (exact for any window)
  tone.py peq FREQ RATE PREAMP TYPE F0 GAIN Q [TYPE F0 GAIN Q ...]
        the response in dB of biquads by the Audio EQ Cookbook (R. Bristow-
        Johnson), TYPE PK or LSC (shelf with Q, F0 its midpoint), plus PREAMP
"""
import array
import cmath
import math
import sys


def gen(freq, rate, seconds, amp, out):
    n = int(rate * seconds)
    a = array.array("f")
    for i in range(n):
        v = amp * math.sin(2 * math.pi * freq * i / rate)
        a.append(v)
        a.append(v)
    with open(out, "wb") as f:
        a.tofile(f)


def gain(path, freq, rate, t0, t1, amp):
    a = array.array("f")
    with open(path, "rb") as f:
        a.frombytes(f.read())
    left = a[0::2]
    ss = sc = cc = ys = yc = 0.0
    for i in range(int(t0 * rate), int(t1 * rate)):
        w = 2 * math.pi * freq * i / rate
        s, c, y = math.sin(w), math.cos(w), left[i]
        ss += s * s
        sc += s * c
        cc += c * c
        ys += y * s
        yc += y * c
    det = ss * cc - sc * sc
    x = (ys * cc - yc * sc) / det
    z = (yc * ss - ys * sc) / det
    return 20 * math.log10(math.hypot(x, z) / amp)


def biquad(kind, f0, g, q, rate):
    A = 10 ** (g / 40)
    w0 = 2 * math.pi * f0 / rate
    cw, alpha = math.cos(w0), math.sin(w0) / (2 * q)
    if kind == "PK":
        return ([1 + alpha * A, -2 * cw, 1 - alpha * A], [1 + alpha / A, -2 * cw, 1 - alpha / A])
    if kind == "LSC":
        r = 2 * math.sqrt(A) * alpha
        b = [A * ((A + 1) - (A - 1) * cw + r), 2 * A * ((A - 1) - (A + 1) * cw), A * ((A + 1) - (A - 1) * cw - r)]
        a = [(A + 1) + (A - 1) * cw + r, -2 * ((A - 1) + (A + 1) * cw), (A + 1) + (A - 1) * cw - r]
        return (b, a)
    if kind == "HSC":
        r = 2 * math.sqrt(A) * alpha
        b = [A * ((A + 1) + (A - 1) * cw + r), -2 * A * ((A - 1) + (A + 1) * cw), A * ((A + 1) + (A - 1) * cw - r)]
        a = [(A + 1) - (A - 1) * cw + r, 2 * ((A - 1) - (A + 1) * cw), (A + 1) - (A - 1) * cw - r]
        return (b, a)
    raise SystemExit("tone.py: unknown type " + kind)


def peq(freq, rate, preamp, bands):
    z = cmath.exp(-2j * math.pi * freq / rate)
    h = 1.0
    for kind, f0, g, q in bands:
        b, a = biquad(kind, f0, g, q, rate)
        h *= (b[0] + b[1] * z + b[2] * z * z) / (a[0] + a[1] * z + a[2] * z * z)
    return preamp + 20 * math.log10(abs(h))


def apo(path):
    bands = []
    for line in open(path):
        w = line.split()
        if w and w[0] == "Filter" and "ON" in w:
            k = w.index("ON")
            bands.append((w[k + 1], float(w[w.index("Fc") + 1]), float(w[w.index("Gain") + 1]), float(w[w.index("Q") + 1])))
    return bands


cmd = sys.argv[1]
if cmd == "gen":
    gen(float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), sys.argv[6])
elif cmd == "gain":
    f, r = float(sys.argv[3]), int(sys.argv[4])
    print("%.4f" % gain(sys.argv[2], f, r, float(sys.argv[5]), float(sys.argv[6]), float(sys.argv[7])))
elif cmd == "apo":
    print("%.4f" % peq(float(sys.argv[3]), int(sys.argv[4]), 0.0, apo(sys.argv[2])))
elif cmd == "peq":
    rest = sys.argv[5:]
    bands = [(rest[i], float(rest[i + 1]), float(rest[i + 2]), float(rest[i + 3])) for i in range(0, len(rest), 4)]
    print("%.4f" % peq(float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), bands))
