#!/bin/bash
# ceiling: `hpamp render --limit -1` holds its ceiling in true peak, measured
# by the tests' reference meter (tpref_tool: the exact band-limited
# reconstruction on a 16x grid, tests/common/tpref.c), not by libebur128 or
# ffmpeg, whose 4x meters under-read near Nyquist.
#
# Inputs made by tests/common/adversarial.py (python3, the standard library):
# a full-scale 6 kHz square at 44.1 kHz, sign-of-sinc bursts of +-32 samples
# four a second (48 kHz, 16-bit), a full-scale sine at 0.497 fs (48 kHz),
# uniform white noise at +20 dBFS (32-bit float); and loop_garzul at +6 and
# +12 dB.  Each rendered to float, 16-bit (TPDF) and 24-bit FLAC: the
# output's true peak is at most -1 + 0.01 dBTP.  Then loop_compus and
# loop_mika through `--preset hd600 --normalize -3`: the preset's limiter
# (-1 dBTP) holds the loudness gain back (at -10 LUFS these loops do not
# reach it: the EQ's preamp takes its boost back; at -3 LUFS it takes 4 to
# 12 dB, checked in the JSON).  The meter itself is checked on one burst
# alone: its true peak is the closed form (4/pi) sum_{m=1..32} 1/(2m-1),
# times 32767/32768.
#
#   ceiling.sh HPAMP TPREF_TOOL
. "$(dirname "$0")/lib.sh" "$1"
TPREF=${2:?usage: ceiling.sh HPAMP TPREF_TOOL}
[ -x "$TPREF" ] || { say "tpref_tool not found at $TPREF"; exit 1; }
need python3

garzul=$(music loop_garzul)
CEIL=-1
LIMIT=$(awk -v c=$CEIL 'BEGIN { print c + 0.01 }')
tp() { "$TPREF" "$@"; }

python3 "$(dirname "$0")/../common/adversarial.py" "$T" || exit 1

# the meter on a closed form: the +-32 burst peaks at sum |sinc(n - 1/2)|
want=$(awk 'BEGIN { s = 0; for (m = 1; m <= 32; m++) s += 1 / (2 * m - 1); printf "%.4f", 20 * log(4 / atan2(0, -1) * s * 32767 / 32768) / log(10) }')
got=$(tp "$T/burst1.wav")
check "tpref_tool reads a +-32 burst at $got dBTP = closed form $want (+-0.001)" near "$got" "$want" 0.001

# render_check NAME IN ARGS...: render IN to float, 16-bit WAV and 24-bit FLAC
# with ARGS; each output's true peak <= ceiling + 0.01 dB
render_check() {
    local name=$1 in=$2 out p bits ext what
    shift 2
    say "-- $name: input $(tp "$in") dBTP"
    for fmt in float:wav 16:wav 24:flac; do
        bits=${fmt%%:*} ext=${fmt#*:}
        what=$bits
        [ "$bits" = float ] || what="$bits-bit"
        out=$T/out-$bits.$ext
        rm -f "$out"
        run render "$in" -o "$out" --bits "$bits" "$@"
        expect_rc 0 || continue
        p=$(tp "$out")
        check "$name, $what $ext: true peak $p dBTP <= $LIMIT" le "$p" "$LIMIT"
    done
}

say "== --limit $CEIL on adversarial signals"
render_check "6 kHz square, 44.1 kHz" "$T/sq6k.wav" --limit $CEIL
render_check "sign-of-sinc bursts +-32, 48 kHz" "$T/burst.wav" --limit $CEIL
render_check "sine at 0.497 fs, 48 kHz" "$T/nyq.wav" --limit $CEIL
render_check "white noise +20 dBFS (float)" "$T/noise20.wav" --limit $CEIL

say "== --limit $CEIL on music pushed hot"
render_check "loop_garzul +6 dB" "$garzul" --volume 6 --limit $CEIL
render_check "loop_garzul +12 dB" "$garzul" --volume 12 --limit $CEIL

say "== --preset hd600 --normalize -3: the preset's limiter ($CEIL dBTP)"
run preset show hd600
check "hd600's limiter is at $CEIL dBTP" grep -q "limiter *-1.00 dBTP" "$T/out.txt"
for loop in loop_compus loop_mika; do
    f=$(music $loop)
    run render "$f" -o "$T/preset.wav" --bits float --preset hd600 --normalize -3 --json
    red=$(grep -o '"max_reduction_db": [-0-9.e]*' "$T/out.txt" | awk '{ print $2 }')
    check "$loop, hd600 at -3 LUFS: the limiter took $red dB (> 1)" ge "$red" 1
    render_check "$loop, hd600 at -3 LUFS" "$f" --preset hd600 --normalize -3
done

finish
