#!/usr/bin/env python3
"""measure.py — levels of a capture, standard library only, for the amp tests.

  measure.py rms FILE FROM_S LEN_S [FREQ]   RMS of channel 1 in dBFS (a
        full-scale sine is -3.01), over LEN_S seconds starting FROM_S after
        the onset (the first sample above 1e-6); with FREQ, the level of
        that frequency alone (a DFT bin over whole cycles), as the RMS of a
        sine of that amplitude
  measure.py rmsend FILE BEFORE_S LEN_S      RMS of channel 1 over LEN_S seconds that
        start BEFORE_S before the last sample above 1e-6 (a new stream may
        begin with what the amp still held of the last one)
  measure.py onset FILE                     the onset in seconds (-1: silence)
  measure.py switch FILE WIN_MS STEADY_S    after the onset: the peak of the
        first WIN_MS ms and the level (as "level") of the STEADY_S seconds
        that start 1 s later, in dBFS, and their difference:
        "first=A steady=B below=C"
  measure.py level FILE FROM_S LEN_S        the level of a steady sine: the
        median of the peaks of its 10 ms blocks over LEN_S seconds starting
        FROM_S after the onset, in dBFS (a dropout or a phase jump from a
        late cycle on a busy machine moves a few blocks, not the median)
  measure.py peak FILE                      the sample peak in dBFS
  measure.py gaps FILE                      runs of >= 64 exact zeros after the onset

WAV files of 16-bit PCM or 32-bit float (format 1, 3 or extensible)."""
import math
import struct
import sys


def read_wav(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise SystemExit(f"{path}: not a WAV file")
    pos, fmt, ch, rate, bits, body = 12, None, 0, 0, 0, None
    while pos + 8 <= len(data):
        cid, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
        chunk = data[pos + 8:pos + 8 + size]
        if cid == b"fmt ":
            fmt, ch, rate = struct.unpack("<HHI", chunk[:8])
            bits = struct.unpack("<H", chunk[14:16])[0]
            if fmt == 0xFFFE:
                fmt = struct.unpack("<H", chunk[24:26])[0]
        elif cid == b"data":
            body = data[pos + 8:pos + 8 + size] if size != 0xFFFFFFFF else data[pos + 8:]
            break
        pos += 8 + size + (size & 1)
    if body is None or ch < 1:
        raise SystemExit(f"{path}: no audio")
    if fmt == 3 and bits == 32:
        n = len(body) // 4
        xs = struct.unpack(f"<{n}f", body[:4 * n])
    elif fmt == 1 and bits == 16:
        n = len(body) // 2
        xs = [v / 32768.0 for v in struct.unpack(f"<{n}h", body[:2 * n])]
    else:
        raise SystemExit(f"{path}: format {fmt}/{bits} bits not read here")
    frames = len(xs) // ch
    return rate, [xs[i * ch] for i in range(frames)]


def onset(x, thr=1e-6):
    for i, v in enumerate(x):
        if abs(v) > thr:
            return i
    return -1


def db(v):
    return 20 * math.log10(v) if v > 0 else -math.inf


def main():
    cmd, path = sys.argv[1], sys.argv[2]
    rate, x = read_wav(path)
    o = onset(x)
    if cmd == "onset":
        print(f"{o / rate:.6f}" if o >= 0 else "-1")
    elif cmd == "peak":
        print(f"{db(max(abs(v) for v in x)):.4f}")
    elif cmd == "rms":
        a = o + int(round(float(sys.argv[3]) * rate))
        n = int(round(float(sys.argv[4]) * rate))
        seg = x[a:a + n]
        if o < 0 or len(seg) < n:
            raise SystemExit(f"{path}: too short")
        if len(sys.argv) > 5:
            f = float(sys.argv[5])
            cycles = math.floor(n * f / rate)
            m = int(round(cycles * rate / f))
            seg = seg[:m]
            re = sum(v * math.cos(2 * math.pi * f * i / rate) for i, v in enumerate(seg))
            im = sum(v * math.sin(2 * math.pi * f * i / rate) for i, v in enumerate(seg))
            amp = 2 * math.hypot(re, im) / m
            print(f"{db(amp / math.sqrt(2)):.4f}")
        else:
            print(f"{db(math.sqrt(sum(v * v for v in seg) / n)):.4f}")
    elif cmd == "level":
        a = o + int(round(float(sys.argv[3]) * rate))
        n = int(round(float(sys.argv[4]) * rate))
        b = rate // 100
        if o < 0 or len(x) < a + n or n < b:
            raise SystemExit(f"{path}: too short")
        peaks = sorted(max(abs(v) for v in x[i:i + b]) for i in range(a, a + n - b + 1, b))
        print(f"{db(peaks[len(peaks) // 2]):.4f}")
    elif cmd == "rmsend":
        last = max(i for i, v in enumerate(x) if abs(v) > 1e-6) if o >= 0 else -1
        a = last - int(round(float(sys.argv[3]) * rate))
        n = int(round(float(sys.argv[4]) * rate))
        if o < 0 or a < 0:
            raise SystemExit(f"{path}: too short")
        print(f"{db(math.sqrt(sum(v * v for v in x[a:a + n]) / n)):.4f}")
    elif cmd == "switch":
        w = int(round(float(sys.argv[3]) * rate / 1000))
        s = int(round(float(sys.argv[4]) * rate))
        if o < 0 or len(x) < o + rate + s:
            raise SystemExit(f"{path}: too short")
        first = db(max(abs(v) for v in x[o:o + w]))
        b = rate // 100
        peaks = sorted(max(abs(v) for v in x[i:i + b]) for i in range(o + rate, o + rate + s - b + 1, b))
        steady = db(peaks[len(peaks) // 2])
        print(f"first={first:.2f} steady={steady:.2f} below={steady - first:.2f}")
    elif cmd == "gaps":
        runs, z = [], 0
        for i in range(max(o, 0), len(x)):
            if x[i] == 0.0:
                z += 1
            else:
                if z >= 64:
                    runs.append(z)
                z = 0
        print(len(runs))
    else:
        raise SystemExit(__doc__)


main()
