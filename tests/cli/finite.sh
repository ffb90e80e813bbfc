#!/bin/bash
# finite: float outputs hold finite numbers only.  A finite input that
# overflows float32 (a double beyond 3.4e38), or --volume on a float near
# float32's largest value, or --volume on a double near double's largest,
# would make +-Inf; such samples are clamped to the format's largest finite
# value, and the summary and --json say how many.  Expected values come from
# python3: the input's samples times 10^(dB/20), rounded to float32 with
# struct, clamped where their magnitude passes the format's largest value.
. "$(dirname "$0")/lib.sh" "$@"
need python3

FLT_MAX=3.4028234663852886e38

# write_wav FILE BITS VALUE...: a stereo IEEE float WAV (32 or 64 bits) of
# these samples, interleaved, repeated to 1000 frames
write_wav() {
    python3 - "$@" <<'EOF'
import struct, sys
path, bits, vals = sys.argv[1], int(sys.argv[2]), [float(v) for v in sys.argv[3:]]
code = 'f' if bits == 32 else 'd'
x = (vals * (2000 // len(vals) + 1))[:2000]
data = struct.pack(f'<{len(x)}{code}', *x)
fmt = struct.pack('<HHIIHH', 3, 2, 48000, 48000 * 2 * bits // 8, 2 * bits // 8, bits)
body = b'WAVE' + b'fmt ' + struct.pack('<I', len(fmt)) + fmt + b'fact' + struct.pack('<II', 4, 1000) + \
    b'data' + struct.pack('<I', len(data)) + data
open(path, 'wb').write(b'RIFF' + struct.pack('<I', len(body)) + body)
EOF
}

# verify OUT BITS DB IN_BITS VALUE...: prints "clamped=N" and what is wrong
# with OUT (a float WAV of BITS bits) against the VALUEs (as IN_BITS-bit
# floats) times 10^(DB/20), clamped
verify() {
    python3 - "$@" <<'EOF'
import math, struct, sys
path, bits, db, in_bits, vals = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), \
    [float(v) for v in sys.argv[5:]]
big = struct.unpack('<f', struct.pack('<I', 0x7f7fffff))[0] if bits == 32 else sys.float_info.max
if in_bits == 32:
    vals = [struct.unpack('<f', struct.pack('<f', v))[0] for v in vals]
x = (vals * (2000 // len(vals) + 1))[:2000]
g = 10 ** (db / 20)
want, clamped = [], 0
for v in x:
    y = v * g
    if math.isinf(y) or abs(y) > big:
        y, clamped = math.copysign(big, y), clamped + 1
    want.append(y)
d = open(path, 'rb').read()
i = 12
while d[i:i + 4] != b'data':
    i += 8 + struct.unpack('<I', d[i + 4:i + 8])[0]
n = struct.unpack('<I', d[i + 4:i + 8])[0]
got = struct.unpack(f'<{n * 8 // bits}{"f" if bits == 32 else "d"}', d[i + 8:i + 8 + n])
bad = []
if len(got) != len(want):
    bad.append(f'{len(got)} samples, not {len(want)}')
nonfinite = sum(1 for v in got if not math.isfinite(v))
if nonfinite:
    bad.append(f'{nonfinite} samples are not finite')
worst = max((abs(a - b) / max(abs(b), 1e-30) for a, b in zip(got, want)), default=0)
if worst > 1e-6:
    bad.append(f'off by {worst:.3g} (relative) from the expected samples')
print(f'clamped={clamped}', '; '.join(bad))
EOF
}

# case DESC IN_BITS OUT VALUES --- ARGS: one render and its checks
case_() {
    local desc=$1 in_bits=$2 out=$3 db=$4 vals=$5 bits want bad clamped
    say "== $desc"
    write_wav "$T/in.wav" "$in_bits" $vals
    [ "$out" = float ] && bits=32 || bits=64
    run render "$T/in.wav" -o "$T/o.wav" --bits "$out" --volume "$db" --json
    expect_rc 0 || return
    read -r want bad < <(verify "$T/o.wav" "$bits" "$db" "$in_bits" $vals)
    want=${want#clamped=}
    check "every sample finite, each the input times the gain or clamped${bad:+ ($bad)}" [ -z "$bad" ]
    clamped=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1])).get("float_clamped_samples"))' \
        "$T/out.txt" 2>/dev/null)
    check "--json float_clamped_samples $clamped = $want (python3's count)" [ "$clamped" = "$want" ]
    run render "$T/in.wav" -o "$T/o.wav" --bits "$out" --volume "$db"
    check "the summary says '$want samples beyond the float range'" \
        grep -qF "$want samples beyond the float range" "$T/out.txt"
}

case_ "float32 near its largest value, +6 dB, float output" 32 float 6 \
    "3e38 -3e38 1e38 -1e38 0.5 -0.25 $FLT_MAX -$FLT_MAX 1.5e38 -2e38"
case_ "doubles beyond float32's range, 0 dB, float output" 64 float 0 \
    "1e300 -1e300 4e38 -3.5e38 3e38 0.5 -1e39 1e-3"
case_ "doubles near double's largest value, +6 dB, double output" 64 double 6 \
    "1.7e308 -1.7e308 1e308 -8e307 0.5 -0.25 1e300 -1e-300"

finish
