#!/usr/bin/env python3
"""adversarial.py DIR — the signals that break a true-peak limiter with a short
interpolator (issue 9), as stereo WAV files in DIR, made with the standard
library only (both channels alike):

  sq6k.wav     full-scale square, 6 kHz at 44.1 kHz, 1 s, 16-bit: 20 cycles in
               147 samples (an odd period: no line at Nyquist), +3.86 dBTP
  burst.wav    48 kHz, 2 s, 16-bit: from 1/8 s on, every 1/4 s, the signs of
               sinc(n - 1/2) for n = -31 .. 32 at full scale; each burst's
               reconstruction peaks half-way between its middle samples at
               (4/pi) sum_{m=1..32} 1/(2m - 1) (+10.77 dBTP)
  burst1.wav   one such burst at 44.1 kHz between 1000 zeros on each side
  nyq.wav      a full-scale sine at 0.497 fs, 48 kHz, 1 s, 16-bit
  noise20.wav  uniform white noise of peak 10 (+20 dBFS), 44.1 kHz, 1 s,
               32-bit float (written by hand: sox would clip), channels
               independent, seeded

Full scale is 32767 in the 16-bit files."""
import math
import random
import struct
import sys
import wave


def pcm16(path, rate, xs):
    w = wave.open(path, "wb")
    w.setnchannels(2)
    w.setsampwidth(2)
    w.setframerate(rate)
    w.writeframes(b"".join(struct.pack("<hh", v, v) for v in (round(32767 * x) for x in xs)))
    w.close()


def float32(path, rate, left, right):  # WAVE_FORMAT_IEEE_FLOAT
    data = b"".join(struct.pack("<ff", a, b) for a, b in zip(left, right))
    fmt = struct.pack("<HHIIHH", 3, 2, rate, rate * 8, 8, 32)
    body = (b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"fact" + struct.pack("<II", 4, len(left))
            + b"data" + struct.pack("<I", len(data)) + data)
    with open(path, "wb") as f:
        f.write(b"RIFF" + struct.pack("<I", len(body)) + body)


def main():
    if len(sys.argv) != 2:
        print("usage: adversarial.py DIR", file=sys.stderr)
        return 2
    d = sys.argv[1]
    pcm16(d + "/sq6k.wav", 44100, [1.0 if 2 * ((6000 * n) % 44100) < 44100 else -1.0 for n in range(44100)])
    burst = [1.0 if math.sin(math.pi * (n - 0.5)) / (n - 0.5) > 0 else -1.0 for n in range(-31, 33)]
    r = 48000
    x = [0.0] * (2 * r)
    for s in range(r // 8, 2 * r - len(burst), r // 4):
        x[s:s + len(burst)] = burst
    pcm16(d + "/burst.wav", r, x)
    pcm16(d + "/burst1.wav", 44100, [0.0] * 1000 + burst + [0.0] * 1000)
    pcm16(d + "/nyq.wav", r, [math.sin(2 * math.pi * 0.497 * n + 0.3) for n in range(r)])
    rng = random.Random(20250)
    float32(d + "/noise20.wav", 44100, [rng.uniform(-10, 10) for _ in range(44100)],
            [rng.uniform(-10, 10) for _ in range(44100)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
