#!/bin/bash
# format: `hpamp play --format FMT` forces the device's sample format, and
# each one is bit-exact through an ALSA `file` PCM (bypass, 0 dB).
#
# The signal is made here by python3 (seeded pseudo-random samples at most
# -12 dBFS, so the true-peak ceiling never acts, after 0.5 s of silence over
# which the start ramp runs) and written as 16- and 24-bit WAV.  The capture
# is decoded here by python3's int.from_bytes/struct with the layout the
# format's name states (S24_3LE: 3 bytes; S24_LE: the low 24 bits of 4) and
# every sample must equal the input widened exactly: an integer shifted left,
# a float divided by 2^(bits-1), from the end of the silence on (over the
# ramp a 24-bit source is dithered, as alsa.sh allows).  The capture's byte
# length proves the packing.
. "$(dirname "$0")/lib.sh" "$@"
alsa_conf
need python3

# gen BITS PATH: 0.5 s of silence, then 1 s of seeded noise, 48 kHz stereo
gen() {
    python3 - "$1" "$2" <<'EOF'
import random, sys, wave
bits, path = int(sys.argv[1]), sys.argv[2]
rng = random.Random(5 + bits)
top = 1 << (bits - 3)                      # -12 dBFS
frames = [0] * (2 * 24000) + [rng.randrange(-top, top) for _ in range(2 * 48000)]
frames[2 * 24000:2 * 24000 + 4] = [top - 1, -top, 1, -1]   # both signs, the smallest steps
with wave.open(path, 'wb') as w:
    w.setnchannels(2); w.setsampwidth(bits // 8); w.setframerate(48000)
    w.writeframes(b''.join(v.to_bytes(bits // 8, 'little', signed=True) for v in frames))
EOF
}

# compare SOURCE_WAV FORMAT CAPTURE: prints "bytes=N want=M samples=K mismatches=J first=..."
compare() {
    python3 - "$@" <<'EOF'
import struct, sys, wave
src, fmt, cap = sys.argv[1:4]
with wave.open(src, 'rb') as w:
    width = w.getsampwidth(); raw = w.readframes(w.getnframes())
bits = 8 * width
ref = [int.from_bytes(raw[i:i + width], 'little', signed=True) for i in range(0, len(raw), width)]
data = open(cap, 'rb').read()
size = {'S16_LE': 2, 'S24_3LE': 3, 'S24_LE': 4, 'S32_LE': 4, 'FLOAT_LE': 4}[fmt]
def dec(b):
    if fmt == 'FLOAT_LE':
        return struct.unpack('<f', b)[0]
    if fmt == 'S24_LE':
        b = b[:3]                              # the low 24 bits; the top byte is padding
    return int.from_bytes(b, 'little', signed=True)
def want(v):
    if fmt == 'FLOAT_LE':
        return v / float(1 << (bits - 1))      # exact: |v| < 2^24
    out_bits = {'S16_LE': 16, 'S24_3LE': 24, 'S24_LE': 24, 'S32_LE': 32}[fmt]
    return v << (out_bits - bits)
got = [dec(data[i:i + size]) for i in range(0, len(data) - size + 1, size)]
start = 2 * 24000                              # after the 0.5 s of silence (the start ramp)
bad = [i for i in range(start, min(len(got), len(ref))) if got[i] != want(ref[i])]
print('bytes=%d want=%d samples=%d mismatches=%d first=%s' % (len(data), len(ref) * size, min(len(got), len(ref)) - start,
      len(bad), ('%d:%r!=%r' % (bad[0], got[bad[0]], want(ref[bad[0]]))) if bad else '-'))
EOF
}

gen 16 "$T/n16.wav"
gen 24 "$T/n24.wav"
# the generator's own check: sox reads the files as intended (peak -12 dBFS)
check "sox reads the 16-bit fixture: peak $(soxstat "$T/n16.wav" 'Pk lev dB') dBFS" \
    near "$(soxstat "$T/n16.wav" 'Pk lev dB')" -12.04 0.01
check "sox reads the 24-bit fixture as 24-bit" [ "$(soxi -V1 -b "$T/n24.wav")" = 24 ]

forced() { # SOURCE FORMAT
    local src=$1 fmt=$2
    say "== $(basename "$src") forced to $fmt"
    rm -f "$T/cap.raw"
    run play "$src" --device alsa:capraw --volume 0 --i-understand-loud --json --format "$fmt"
    expect_rc 0 || return
    check "the device was opened as $fmt" grep -q "\"format\": \"$fmt\"" "$T/out.txt"
    local line
    line=$(compare "$src" "$fmt" "$T/cap.raw")
    say "      $line"
    check "capture length $(field "$line" bytes) bytes = $(field "$line" want) (packing)" \
        [ "$(field "$line" bytes)" = "$(field "$line" want)" ]
    check "every sample bit-exact ($(field "$line" samples) compared)" [ "$(field "$line" mismatches)" = 0 ]
}
for f in S16_LE S24_3LE S24_LE S32_LE FLOAT_LE; do forced "$T/n16.wav" $f; done
for f in S24_3LE S24_LE S32_LE FLOAT_LE; do forced "$T/n24.wav" $f; done

say "== usage errors: exit 2, one line"
for bad in S8 S24 float '' 'S16_LE,S32_LE'; do
    run play "$T/n16.wav" --device alsa:capraw --format "$bad"
    [ "$rc" -eq 2 ] && one_error_line "$T/err.txt" && pass "--format '$bad': exit 2, one line" ||
        fail "--format '$bad': exit 2, one line (got $rc: $(head -c 200 "$T/err.txt"))"
done
run play "$T/n16.wav" --device pipewire --format S24_3LE
expect_rc 2
check "PipeWire and S24_3LE: one line that says why ($(head -c 120 "$T/err.txt"))" \
    eval 'one_error_line "$T/err.txt" && grep -q "PipeWire" "$T/err.txt"'
run play "$T/n16.wav" --format s24_3le --device alsa:capraw --volume 0 --i-understand-loud --json
expect_rc 0
check "names in any case: s24_3le is S24_3LE" grep -q '"format": "S24_3LE"' "$T/out.txt"

say "== a device that does not take the format: exit 1, one line naming it"
# alsa-lib's `linear` plugin takes integer formats only
cat >>"$T/alsa.conf" <<EOF
pcm.lin16 { type linear  slave { pcm { type file  slave.pcm { type null }  file "$T/lin16.raw"  format "raw" }  format S16_LE } }
EOF
run play "$T/n16.wav" --device alsa:lin16 --format FLOAT_LE --volume 0 --i-understand-loud
expect_rc 1
check "one line: $(head -c 200 "$T/err.txt")" eval 'one_error_line "$T/err.txt" && grep -q "lin16.*FLOAT_LE" "$T/err.txt"'
run play --help
check "--help names --format" grep -q -- "--format FMT" "$T/out.txt"

finish
