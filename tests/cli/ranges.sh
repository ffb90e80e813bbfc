#!/bin/bash
# ranges: each range the help texts and docs/eq.md state is the range hpamp
# takes -- a value at either end is accepted and does what it says, a value
# just past it is refused with the range in the message -- for render's
# --volume, --limit and --crossfeed HZ,DB, play's --volume and --max-volume,
# an EQ file's Preamp, and the preset keys that set the same things.  The
# ranges are read from the texts, not written here; the levels are measured
# by sox.  What "does what it says" means at the ends:
#   --volume LO   the level falls by exactly LO dB on float and 32-bit
#                 outputs (sox, +-0.02 dB); on 16-bit without dither the
#                 music lies below the last bit and rounds to silence, as
#                 render --help says;  HI: the level rises by HI on a quiet input
#   --limit       the output's sample peak is at or below the ceiling
#   --crossfeed   a 30 Hz tone on the left: the right lies the feed level below
#   Preamp        the level falls by the preamp; the highest is lowered to
#                 what the bands need (none: 0 dB), as render --help says
#   play          the ALSA file PCM receives the music LO dB down (sox)
#
# Usage: ranges.sh HPAMP
. "$(dirname "$0")/lib.sh" "$@"
need python3

SRC=$(cd "$(dirname "$0")/../.." && pwd)
IN=$(music ambi_piano)
export XDG_CONFIG_HOME=$T/config
PRESETS=$XDG_CONFIG_HOME/hpamp/presets
mkdir -p "$PRESETS"

"$HPAMP" render --help >"$T/render.help"
"$HPAMP" play --help >"$T/play.help"

# range FILE OPTION: "LO HI [LO2 HI2]", the LO..HI ranges on the lines that
# describe OPTION in a --help text (up to the next option)
range() {
    python3 - "$1" "$2" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
m = re.search(r"^\s+(?:-\w, )?" + re.escape(sys.argv[2]) + r"\b(.*?)(?=^\s+(?:-\w, )?--|\Z)", text, re.S | re.M)
nums = re.findall(r"(-?\d+(?:\.\d+)?)\.\.([+-]?\d+(?:\.\d+)?)", m.group(1)) if m else []
print(" ".join(f"{float(a):g} {float(b):g}" for a, b in nums))
EOF
}
# shown LO HI: the range as the messages write it ("-120..+24", "300..2000")
shown() { awk -v a="$1" -v b="$2" 'BEGIN { printf (a < 0 && b > 0) ? "%s..+%s" : "%s..%s", a, b }'; }
past() { awk -v v="$1" -v d="$2" 'BEGIN { printf "%g", v + d }'; }
change_db() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
# refused DESC RANGE ARGS...: exit 2, one line naming the value's range
refused() {
    local desc=$1 want=$2
    shift 2
    run "$@"
    check "$desc: exit 2 ($rc), one line that gives the range $want: $(head -c 200 "$T/err.txt")" \
        eval '[ "$rc" = 2 ] && one_error_line "$T/err.txt" && grep -qF -- "$want" "$T/err.txt"'
}

in_rms=$(stat_overall "$IN" "RMS lev dB")
in_pk=$(stat_overall "$IN" "Pk lev dB")
sox -V1 "$IN" "$T/quiet.wav" gain -40

say "== render --volume"
read -r vlo vhi _ <<<"$(range "$T/render.help" --volume)"
check "render --help states the --volume range ($vlo..$vhi)" [ -n "$vhi" ]
for bits in float 32; do
    run render "$IN" -o "$T/vlo.wav" --volume "$vlo" --bits "$bits"
    expect_rc 0
    d=$(change_db "$in_rms" "$(stat_overall "$T/vlo.wav" "RMS lev dB")")
    check "--volume $vlo --bits $bits: the RMS level changes by $d dB, want $vlo +-0.02 (sox)" near "$d" "$vlo" 0.02
done
run render "$IN" -o "$T/vlo16.wav" --volume "$vlo" --bits 16 --dither none
expect_rc 0
check "--volume $vlo --bits 16 --dither none: below the last bit, silence ($(stat_overall "$T/vlo16.wav" "Pk lev dB"))" \
    [ "$(stat_overall "$T/vlo16.wav" "Pk lev dB")" = -inf ]
run render "$T/quiet.wav" -o "$T/vhi.wav" --volume "$vhi" --bits float
expect_rc 0
d=$(change_db "$(stat_overall "$T/quiet.wav" "RMS lev dB")" "$(stat_overall "$T/vhi.wav" "RMS lev dB")")
check "--volume $vhi on a quiet input: the RMS level changes by $d dB, want $vhi +-0.02" near "$d" "$vhi" 0.02
for v in "$(past "$vlo" -0.01)" "$(past "$vhi" 0.01)"; do
    refused "--volume $v" "$(shown "$vlo" "$vhi")" render "$IN" -o "$T/x.wav" --volume "$v"
done

say "== render --limit"
read -r llo lhi _ <<<"$(range "$T/render.help" --limit)"
check "render --help states the --limit range ($llo..$lhi)" [ -n "$lhi" ]
for c in "$llo" "$lhi"; do
    run render "$IN" -o "$T/lim.wav" --volume 12 --limit "$c" --bits float
    expect_rc 0
    pk=$(stat_overall "$T/lim.wav" "Pk lev dB")
    check "--volume 12 --limit $c: sample peak $pk dBFS <= $c" le "$pk" "$(past "$c" 0.005)"
done
for c in "$(past "$llo" -0.01)" "$(past "$lhi" 0.01)"; do
    refused "--limit $c" "$(shown "$llo" "$lhi")" render "$IN" -o "$T/x.wav" --limit "$c"
done

say "== render --crossfeed HZ,DB"
read -r hlo hhi dlo dhi <<<"$(range "$T/render.help" --crossfeed)"
check "render --help states the HZ and DB ranges ($hlo..$hhi Hz, $dlo..$dhi dB)" [ -n "$dhi" ]
sox -V1 -n -r 44100 -b 24 "$T/left.wav" synth 3 sine 30 gain -10 remix 1 0
for spec in "$hlo,$dhi" "$hhi,$dlo"; do
    run render "$T/left.wav" -o "$T/xf.wav" --bits float --crossfeed "$spec"
    expect_rc 0
    rel=$(change_db "$(channel_rms_db "$T/xf.wav" 1)" "$(channel_rms_db "$T/xf.wav" 2)")
    check "--crossfeed $spec: right - left at 30 Hz is $rel dB, want -${spec#*,} +-0.2" near "$rel" "-${spec#*,}" 0.2
done
want="$(shown "$hlo" "$hhi") Hz, $(shown "$dlo" "$dhi") dB"
for spec in "$(past "$hlo" -1),$dlo" "$(past "$hhi" 1),$dlo" "$hlo,$(past "$dlo" -0.1)" "$hlo,$(past "$dhi" 0.1)"; do
    refused "--crossfeed $spec" "$want" render "$T/left.wav" -o "$T/x.wav" --crossfeed "$spec"
done

say "== an EQ file's Preamp (docs/eq.md)"
read -r plo phi <<<"$(python3 -c '
import re, sys
m = re.search(r"^preamp\s+=.*?(-?\d+)\s*(?:…|\.\.\.?)\s*\+?(\d+) dB", open(sys.argv[1]).read(), re.M)
print(m.group(1), m.group(2))' "$SRC/docs/eq.md")"
check "docs/eq.md states the Preamp range ($plo..$phi)" [ -n "$phi" ]
printf 'Preamp: %s dB\n' "$plo" >"$T/plo.txt"
run render "$IN" -o "$T/plo.wav" --bits float --eq "$T/plo.txt"
expect_rc 0
d=$(change_db "$in_rms" "$(stat_overall "$T/plo.wav" "RMS lev dB")")
check "Preamp: $plo dB: the RMS level changes by $d dB, want $plo +-0.02" near "$d" "$plo" 0.02
printf 'Preamp: %s dB\n' "$phi" >"$T/phi.txt"
run render "$T/quiet.wav" -o "$T/phi.wav" --bits float --eq "$T/phi.txt" --json
expect_rc 0
check "Preamp: +$phi dB is taken ($(grep -o '"file_preamp_db": [-0-9.]*' "$T/out.txt"))" \
    grep -q "\"file_preamp_db\": $phi.00" "$T/out.txt"
d=$(change_db "$(stat_overall "$T/quiet.wav" "RMS lev dB")" "$(stat_overall "$T/phi.wav" "RMS lev dB")")
check "... and lowered to what no band needs: the level changes by $d dB, want 0 +-0.001" near "$d" 0 0.001
for p in "$(past "$plo" -0.01)" "$(past "$phi" 0.01)"; do
    printf 'Preamp: %s dB\n' "$p" >"$T/pbad.txt"
    run render "$IN" -o "$T/x.wav" --eq "$T/pbad.txt"
    check "Preamp: $p dB: exit 1 ($rc), one line at pbad.txt:1 giving $(shown "$plo" "$phi"): $(head -c 200 "$T/err.txt")" \
        eval '[ "$rc" = 1 ] && one_error_line "$T/err.txt" && grep -qF "pbad.txt:1: " "$T/err.txt" &&
              grep -qF -- "$(shown "$plo" "$phi")" "$T/err.txt"'
done
half=$(awk -v a="$plo" 'BEGIN { printf "%g", a * 0.6 }')
printf 'Preamp: %s dB\nPreamp: %s dB\n' "$half" "$half" >"$T/psum.txt"
run render "$IN" -o "$T/x.wav" --eq "$T/psum.txt"
check "two Preamp lines of $half dB add up past $plo: exit 1 ($rc) at psum.txt:2: $(head -c 200 "$T/err.txt")" \
    eval '[ "$rc" = 1 ] && grep -qF "psum.txt:2: " "$T/err.txt"'

say "== preset keys take the same ranges"
preset_case() { # SECTION KEY LO HI [ANOTHER KEY = VALUE the section needs]
    local v want
    want=$(shown "$3" "$4")
    for v in "$3" "$4" "$(past "$3" -0.01)" "$(past "$4" 0.01)"; do
        printf '[%s]\n%s = %s\n%s\n' "$1" "$2" "$v" "${5:-}" >"$PRESETS/r.ini"
        run preset show r
        if [ "$v" = "$3" ] || [ "$v" = "$4" ]; then
            check "[$1] $2 = $v: accepted ($rc; $(head -c 160 "$T/err.txt"))" [ "$rc" = 0 ]
        else
            check "[$1] $2 = $v: exit 1 ($rc), r.ini:2 and $want: $(head -c 200 "$T/err.txt")" \
                eval '[ "$rc" = 1 ] && grep -qF "r.ini:2" "$T/err.txt" && grep -qF -- "$want" "$T/err.txt"'
        fi
    done
}
preset_case eq preamp "$plo" "$phi"
preset_case volume max_db "$vlo" "$vhi"
preset_case limiter ceiling_dbtp "$llo" "$lhi"
preset_case crossfeed fcut_hz "$hlo" "$hhi" "feed_db = $dlo"
preset_case crossfeed feed_db "$dlo" "$dhi" "fcut_hz = $hlo"

say "== play --volume and --max-volume (ALSA file PCM)"
. "$SRC/tests/play/pwserver.sh"
pw_private_env "$T" # no session, no PipeWire: play takes ALSA's default
export HPAMP_NO_RT_PRIORITY=1 ALSA_CONFIG_PATH=$T/alsa.conf
cat >"$ALSA_CONFIG_PATH" <<EOF
pcm.!default { type file  slave.pcm { type null }  file "$T/cap.raw"  format "raw" }
EOF
read -r pvlo pvhi _ <<<"$(range "$T/play.help" --volume)"
read -r mlo mhi _ <<<"$(range "$T/play.help" --max-volume)"
check "play --help states the --volume ($pvlo..$pvhi) and --max-volume ($mlo..$mhi) ranges" eval '[ -n "$pvhi" ] && [ -n "$mhi" ]'
for args in "--volume $pvlo" "--max-volume $mlo"; do
    rm -f "$T/cap.raw"
    # shellcheck disable=SC2086 # two words on purpose
    run play "$IN" --format FLOAT_LE $args </dev/null
    expect_rc 0
    pk=$(sox -V1 -t f32 -r 44100 -c 2 "$T/cap.raw" -n stats 2>&1 | awk '/^Pk lev dB/ { print $4; exit }')
    d=$(change_db "$in_pk" "$pk")
    check "play $args: the device gets the music $d dB down, want ${args##* } +-0.05 (sox)" near "$d" "${args##* }" 0.05
done
run play "$IN" --format FLOAT_LE --volume "$pvhi" --i-understand-loud </dev/null
check "play --volume $pvhi: accepted, capped at the ceiling ($rc; $(grep -m1 capped "$T/err.txt"))" \
    eval '[ "$rc" = 0 ] && grep -q "capped" "$T/err.txt"'
run play "$IN" --max-volume "$mhi" </dev/null
expect_rc 0
for v in "$(past "$pvlo" -0.01)" "$(past "$pvhi" 0.01)"; do
    refused "play --volume $v" "$(shown "$pvlo" "$pvhi")" play "$IN" --volume "$v"
done
for v in "$(past "$mlo" -0.01)" "$(past "$mhi" 0.01)"; do
    refused "play --max-volume $v" "$(shown "$mlo" "$mhi")" play "$IN" --max-volume "$v"
done

finish
