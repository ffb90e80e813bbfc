#!/bin/bash
# ceiling: the hard ceiling at the end of the chain.  The loudest inputs a
# file can hold — a full-scale square, a quarter-rate sine at 45 degrees
# whose every sample is at full scale (true peak +3 dBTP), and float samples
# at +12 dBFS — and the adversarial ones of issue 9 — a full-scale 6 kHz
# square at 44.1 kHz, sign-of-sinc bursts of +-32 samples (the signs of
# sinc(n - 1/2): +10.8 dBTP) four a second, a full-scale sine at 0.497 fs —
# played at the highest volume asked for come out with a true peak at most
# the ceiling + 0.01 dB, measured by the tests' reference meter (tpref_tool:
# the exact band-limited reconstruction on a 16x grid, tests/common/tpref.c;
# libebur128's 4x meter under-reads these signals).  Through the ALSA file
# PCM, and through a headless PipeWire (pw-record captures float from its
# null sink; skipped when PipeWire is not installed).  The ceiling is
# --max-volume, or with --headphones/--source the level that plays 100 dB SPL
# by the model, computed here from the specs by hand:
# S_V = S_mW + 10 log10(1000/Z), V = Voc Z/(Z + Zout),
# SPL(0 dBFS) = S_V + 20 log10 V, ceiling = min(0, 100 - SPL(0 dBFS)).
. "$(dirname "$0")/lib.sh" "$@"
alsa_conf
[ -x "$TPREF" ] || skip "tpref_tool not built"

# ---- fixtures, and their own true peaks (they are over full scale) ----
sox -V1 -n -r 48000 -c 2 -b 16 "$T/square.wav" synth 2 square 997 vol 1
python3 - "$T" <<'PY'
import struct, sys, wave
T = sys.argv[1]; R = 48000
pat = [32767, 32767, -32767, -32767]
w = wave.open(T + '/isp.wav', 'wb'); w.setnchannels(2); w.setsampwidth(2); w.setframerate(R)
w.writeframes(b''.join(struct.pack('<hh', pat[i % 4], pat[i % 4]) for i in range(2 * R))); w.close()
# float WAV by hand (sox would clip): fs/4 at 45 degrees, then a square, both +-4.0 (+12 dBFS)
fr = [4.0 * pat[i % 4] / 32767 for i in range(R)] + [4.0 if (i * 997 * 2 // R) % 2 == 0 else -4.0 for i in range(R)]
data = b''.join(struct.pack('<ff', v, v) for v in fr)
open(T + '/hot.raw', 'wb').write(data)
fmt = struct.pack('<HHIIHH', 3, 2, R, R * 8, 8, 32)
body = (b'WAVE' + b'fmt ' + struct.pack('<I', len(fmt)) + fmt + b'fact' + struct.pack('<II', 4, len(fr))
        + b'data' + struct.pack('<I', len(data)) + data)
open(T + '/hot.wav', 'wb').write(b'RIFF' + struct.pack('<I', len(body)) + body)
PY
python3 "$(dirname "$0")/../common/adversarial.py" "$T" || exit 1
tp() { "$TPREF" "$@"; }
check "fixture square: true peak $(tp "$T/square.wav") dBTP > 1.5" le 1.5 "$(tp "$T/square.wav")"
check "fixture isp: true peak $(tp "$T/isp.wav") dBTP > 3.0" le 3.0 "$(tp "$T/isp.wav")"
check "fixture hot: true peak $(tp "$T/hot.wav") dBTP > 14.9" le 14.9 "$(tp "$T/hot.wav")"
check "fixture sq6k: true peak $(tp "$T/sq6k.wav") dBTP > 3.5" le 3.5 "$(tp "$T/sq6k.wav")"
check "fixture burst: true peak $(tp "$T/burst.wav") dBTP > 10.7" le 10.7 "$(tp "$T/burst.wav")"
check "fixture nyq: true peak $(tp "$T/nyq.wav") dBTP > 0" le 0 "$(tp "$T/nyq.wav")"
ADVERSARIAL="sq6k burst nyq"

# play FILE CEILING ARGS...: max volume; the capture's true peak <= CEILING
# + 0.01 dB (TPDF dither included), and for the plain fixtures the limiter did
# reach it (0.3 dB; the adversarial ones may lose level in the limiter)
play_at() {
    local f=$1 c=$2
    shift 2
    rm -f "$T/cap.raw"
    run play "$T/$f.wav" --device alsa:capraw --volume 0 --i-understand-loud --json "$@"
    expect_rc 0 || return
    local fmt ff rate
    read -r fmt rate < <(python3 -c 'import json,sys; j = json.load(open(sys.argv[1])); print(j["format"], j["rate"])' "$T/out.txt")
    case $fmt in FLOAT_LE) ff=f32 ;; S16_LE) ff=s16 ;; *) ff=s32 ;; esac
    local p
    p=$(tp "$T/cap.raw" $ff 2 "$rate")
    check "$f ($fmt) $*: true peak $p dBTP <= ceiling $c dBTP + 0.01" le "$p" "$(awk -v c="$c" 'BEGIN { print c + 0.01 }')"
    case " $ADVERSARIAL " in *" $f "*) return ;; esac
    check "... and the ceiling was reached within 0.3 dB" le "$(awk -v c="$c" 'BEGIN { print c - 0.3 }')" "$p"
}

say "== unknown headphones: the ceiling is --max-volume"
for f in square isp hot $ADVERSARIAL; do
    play_at $f 0
    play_at $f -6 --max-volume -6
done
play_at isp -20 --max-volume -20

say "== known headphones and source: 100 dB SPL by the model"
# spl0 ZOHM SMW VOC ZOUT: dB SPL at 0 dBFS by hand; ceiling SPL0: its ceiling in dBTP
spl0() { awk -v z="$1" -v s="$2" -v v="$3" -v zo="$4" 'BEGIN { sv = s + 10 * log(1000 / z) / log(10); print sv + 20 * log(v * z / (z + zo)) / log(10) }'; }
ceiling() { awk -v s="$1" 'BEGIN { c = 100 - s; if (c > 0) c = 0; printf "%.4f", c }'; }
# model HP SRC ZOHM SMW VOC ZOUT: the ceiling by hand, then checked against play
model() {
    local hp=$1 src=$2
    local spl0 c
    spl0=$(spl0 "$3" "$4" "$5" "$6")
    c=$(ceiling "$spl0")
    say "-- $hp on $src: 0 dBFS = $spl0 dB SPL, ceiling $c dBTP"
    for f in square isp hot $ADVERSARIAL; do
        play_at $f "$c" --headphones "$hp" --source "$src"
    done
    local got
    got=$(python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(j["spl_at_0dbfs"], j["limit_dbtp"], j["ceiling_spl_db"])' "$T/out.txt")
    set -- $got
    check "play's model: $1 dB SPL at 0 dBFS = $spl0 (0.01)" near "$1" "$spl0" 0.01
    check "play's limiter at $2 dBTP = $c (0.01)" near "$2" "$c" 0.01
    if awk -v s="$spl0" 'BEGIN { exit !(s >= 100) }'; then
        check "ceiling at $3 = 100 dB SPL" near "$3" 100 0.01
    fi
}
model "32ohm,100dB/mW" "1.0V,2ohm" 32 100 1.0 2
model "300ohm,97dB/mW" "1.0V,0.9ohm" 300 97 1.0 0.9
model "300ohm,97dB/mW" "0.5V,0ohm" 300 97 0.5 0
PW_CEILING=$(ceiling "$(spl0 300 97 1.0 0.9)") # 300ohm,97dB/mW on 1.0V,0.9ohm, below

say "== a pair louder than the limiter can hold (-30 dBTP) is refused"
run play "$T/isp.wav" --device alsa:capraw --headphones "32ohm,110dB/mW" --source "2.0V,1ohm"
expect_rc 1
check "one line says why: $(head -c 200 "$T/err.txt")" one_error_line "$T/err.txt"

say "== --max-volume -40: below the limiter's range the volume cap holds sample peaks"
rm -f "$T/cap.raw"
run play "$T/square.wav" --device alsa:capraw --max-volume -40 --volume -35 --i-understand-loud
expect_rc 0
check "a warning says the volume was capped: $(grep -m1 capped "$T/err.txt")" grep -q "capped" "$T/err.txt"
sox -V1 -t raw -r 48000 -e signed-integer -b 16 -c 2 "$T/cap.raw" "$T/cap.wav"
p=$(soxstat "$T/cap.wav" "Pk lev dB")
check "sample peak $p dBFS <= -40 + 1 LSB" le "$p" "$(awk 'BEGIN { g = 10 ^ (-2); print -40 + 20 * log(1 + 1 / (32767 * g)) / log(10) + 0.005 }')"

say "== PipeWire: the adversarial signals at 100 dB SPL ($PW_CEILING dBTP), captured as float"
if command -v pipewire >/dev/null && command -v wireplumber >/dev/null && command -v pw-record >/dev/null &&
    command -v pw-metadata >/dev/null && [ -r /usr/share/wireplumber/wireplumber.conf ]; then
    pipewire_start
    lim=$(awk -v c="$PW_CEILING" 'BEGIN { print c + 0.01 }')
    # A real-time server on a loaded machine may drop a cycle, a step in the
    # capture that rings: a capture over the ceiling is taken once more.
    for f in $ADVERSARIAL; do
        for fmt in FLOAT_LE S16_LE; do
            [ $fmt = S16_LE ] && [ $f != burst ] && continue
            for attempt in 1 2; do
                record_start "$T/rec.wav" f32
                run play "$T/$f.wav" --device pipewire:test_sink --rate 48000 --format $fmt --volume 0 \
                    --i-understand-loud --headphones "300ohm,97dB/mW" --source "1.0V,0.9ohm" --json
                record_stop
                p=$(tp "$T/rec.wav")
                le "$p" "$lim" && break
                say "      (attempt $attempt: $p dBTP; once more)"
            done
            expect_rc 0
            check "PipeWire, $f ($fmt): true peak $p dBTP <= ceiling $PW_CEILING dBTP + 0.01" le "$p" "$lim"
        done
    done
else
    say "SKIP  PipeWire, WirePlumber or pw-record is not installed"
fi

finish
