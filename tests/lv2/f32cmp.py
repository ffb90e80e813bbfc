"""f32cmp.py OUT REF CHANNELS LAG — raw float32 OUT against REF, OUT delayed
by LAG frames: the largest |sample| of OUT's first LAG frames (they should be
silence), the residual energy relative to REF's in dB over the frames both
hold (-999: identical), and that count."""
import array
import math
import sys


def read(path):
    a = array.array("f")
    with open(path, "rb") as f:
        a.frombytes(f.read())
    return a


out, ref = read(sys.argv[1]), read(sys.argv[2])
ch, lag = int(sys.argv[3]), int(sys.argv[4])
lead = max((abs(x) for x in out[: lag * ch]), default=0.0)
n = min(len(out) - lag * ch, len(ref))
err = sig = 0.0
for i in range(n):
    d = out[i + lag * ch] - ref[i]
    err += d * d
    sig += ref[i] * ref[i]
db = -999.0 if err == 0 else (10 * math.log10(err / sig) if sig > 0 else 999.0)
print("lead=%g err_db=%.1f frames=%d" % (lead, db, n // ch))
