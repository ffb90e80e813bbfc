#!/bin/bash
# rf64: a WAV output over 4 GiB.  A WAV's RIFF and data sizes are 32-bit; a
# bigger output must be RF64 (EBU Tech 3306: "RF64" and a ds64 chunk with
# 64-bit sizes), never a WAV with wrapped sizes.  A real one is rendered:
# 8 channels, 384 kHz, double, 180 s (4.4 GB), from an 8 kHz input (--rate).
# python3's struct reads the header back, independently of hpamp and
# libsndfile (and ffprobe reads the length), and checks
#   - "RF64", the ds64 sizes against the file's size and the closed form
#     180 s * 384000 frames * 8 channels * 8 bytes;
#   - samples past the 4 GiB mark are where they belong: the input is
#     0.5 sin(2 pi 1000 t), so frame n is 0.5 sin(2 pi 1000 n / 384000)
#     (to 1e-3; one frame off is 8e-3 off).
# An input whose length is not known in advance (ffmpeg writing WAV to a pipe
# says 0xFFFFFFFF) is written safely and, being small, as a plain WAV with
# the right sizes.
. "$(dirname "$0")/lib.sh" "$@"
need python3 ffmpeg

# check_header FILE MAGIC FRAMES CHANNELS RATE BYTES: python3 reads the RIFF
# or RF64 header; prints what is wrong, nothing if it is right
check_header() {
    python3 - "$@" <<'EOF'
import os, struct, sys
path, magic, frames, ch, rate, width = sys.argv[1], sys.argv[2].encode(), *map(int, sys.argv[3:])
size = os.path.getsize(path)
bad = []
with open(path, 'rb') as f:
    head = f.read(12)
    if head[:4] != magic or head[8:12] != b'WAVE':
        print(f'starts {head[:4]!r}...{head[8:12]!r}, not {magic!r}...WAVE'); sys.exit()
    riff = struct.unpack('<I', head[4:8])[0]
    ds64 = None
    fmt = None
    while True:
        h = f.read(8)
        if len(h) < 8:
            bad.append('no data chunk'); break
        cid, n = h[:4], struct.unpack('<I', h[4:])[0]
        if cid == b'ds64':
            ds64 = struct.unpack('<QQQ', f.read(24)); f.seek(n - 24, 1)
        elif cid == b'fmt ':
            fmt = struct.unpack('<HHIIHH', f.read(16)); f.seek(n - 16, 1)
        elif cid == b'data':
            data_at, data_n = f.tell(), n
            break
        else:
            f.seek(n + (n & 1), 1)
if fmt is None:
    bad.append('no fmt chunk')
elif fmt[1] != ch or fmt[2] != rate or fmt[5] != width * 8:
    bad.append(f'fmt says {fmt[1]} ch, {fmt[2]} Hz, {fmt[5]} bits')
want = frames * ch * width
if magic == b'RF64':
    if riff != 0xFFFFFFFF or data_n != 0xFFFFFFFF:
        bad.append(f'RF64 32-bit sizes {riff:#x}, {data_n:#x}, not 0xffffffff')
    if ds64 is None:
        bad.append('no ds64 chunk')
    else:
        riff, data_n, count = ds64
        if count != frames:
            bad.append(f'ds64 sample count {count}, not {frames}')
elif ds64 is not None:
    bad.append('a ds64 chunk in a RIFF file')
if riff != size - 8:
    bad.append(f'RIFF size {riff}, the file has {size} - 8')
if data_n != want:
    bad.append(f'data size {data_n}, not {frames} frames = {want} bytes')
if data_at + want != size:
    bad.append(f'data at {data_at} + {want} bytes is not the end of the file ({size})')
print('; '.join(bad))
EOF
}

# check_sine FILE START COUNT: frames START.. of a double RF64 file against
# 0.5 sin(2 pi 1000 n / 384000) on every channel; prints the worst error
check_sine() {
    python3 - "$@" <<'EOF'
import math, struct, sys
path, start, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ch = 8
with open(path, 'rb') as f:
    f.seek(12)
    while True:
        cid, n = struct.unpack('<4sI', f.read(8))
        if cid == b'data':
            break
        f.seek(n + (n & 1), 1)
    f.seek(start * ch * 8, 1)
    x = struct.unpack(f'<{count * ch}d', f.read(count * ch * 8))
worst = 0.0
for i in range(count):
    want = 0.5 * math.sin(2 * math.pi * 1000 * (start + i) / 384000)
    for c in range(ch):
        worst = max(worst, abs(x[i * ch + c] - want))
print(f'{worst:.3g}')
EOF
}

say "== 8 ch, 384 kHz, double, 180 s: 4.4 GB"
free_kb=$(df -Pk "$T" | awk 'NR == 2 { print $4 }')
if [ "${free_kb:-0}" -lt $((6 * 1024 * 1024)) ]; then
    say "SKIP  the 4.4 GB case: less than 6 GiB free in $T"
else
    sox -V1 -D -n -r 8000 -c 8 -b 16 "$T/in.wav" synth 180 sine 1000 vol 0.5
    check "fixture: soxi says 1440000 frames" [ "$(frames "$T/in.wav")" = 1440000 ]
    run render "$T/in.wav" -o "$T/big.wav" --rate 384000 --bits double --json
    expect_rc 0
    if [ -f "$T/big.wav" ]; then
        bad=$(check_header "$T/big.wav" RF64 $((180 * 384000)) 8 384000 8)
        check "RF64 with 64-bit sizes that match the file and 69120000 frames${bad:+ ($bad)}" [ -z "$bad" ]
        # frame 68736000 (179 s) starts 4399104000 + header bytes in: past 4 GiB
        err=$(check_sine "$T/big.wav" 68736000 2000)
        check "frames at 179 s (past 4 GiB) are the sine (worst error $err)" le "$err" 1e-3
        err=$(check_sine "$T/big.wav" 192000 2000)
        check "frames at 0.5 s are the sine (worst error $err)" le "$err" 1e-3
        n=$(ffprobe -v error -select_streams a:0 -show_entries stream=duration_ts -of csv=p=0 "$T/big.wav")
        check "ffprobe reads 69120000 frames (got $n)" [ "$n" = 69120000 ]
        check "--json says container rf64" grep -qF '"container": "rf64"' "$T/out.txt"
    fi
    rm -f "$T/big.wav" "$T/in.wav"
fi

say "== a WAV from a pipe whose header does not give the length (ffmpeg)"
sox -V1 -D -n -r 44100 -c 2 -b 16 "$T/short.wav" synth 2 sine 1000 vol 0.5
ffmpeg -v error -i "$T/short.wav" -f wav - | "$HPAMP" render /dev/stdin -o "$T/piped.wav" -q \
    >"$T/out.txt" 2>"$T/err.txt"
rc=$?
expect_rc 0
bad=$(check_header "$T/piped.wav" RIFF 88200 2 44100 2)
check "a plain WAV with sizes that match the file and 88200 frames${bad:+ ($bad)}" [ -z "$bad" ]
check "its samples are the input's" [ "$(raw_md5 "$T/piped.wav")" = "$(raw_md5 "$T/short.wav")" ]

finish
