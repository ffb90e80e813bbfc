#!/bin/bash
# json: `hpamp render --json` prints one JSON object (and nothing else) whose
# values agree with what soxi and sox measure on the files:
#   input/output rate, channels, frames (soxi), format (soxi's bits), filter,
#   peak_dbfs (sox's "Pk lev dB" of a float output, within 0.1 dB),
#   clipped_samples (0 when nothing clips; at +12.4 dB into 16 bits the count
#   of input samples with |s| * 10^(12.4/20) > 32768, counted with awk), and a
#   positive realtime_factor.  --quiet prints nothing.
. "$(dirname "$0")/lib.sh" "$@"

PY=$(command -v python3) || skip "python3 is not installed"
IN=$(music loop_compus)

# flatten JSON OUT: parse JSON (one object, or fail) and write one line per
# leaf, "dotted.key<TAB>type<TAB>value", for jv/jt below
flatten() {
    "$PY" -c 'import json, sys
j = json.load(open(sys.argv[1]))
assert isinstance(j, dict), "not an object"
out = open(sys.argv[2], "w")
def walk(p, v):
    if isinstance(v, dict):
        out.write("%s\tobject\t\n" % p) if p else None
        for k, x in v.items():
            walk(p + "." + k if p else k, x)
    else:
        t = {bool: "bool", int: "int", float: "float", str: "string", type(None): "null"}.get(type(v), "other")
        out.write("%s\t%s\t%s\n" % (p, t, json.dumps(v) if t in ("bool", "null") else v))
walk("", j)' "$1" "$2"
}
jv() { awk -F'\t' -v k="$2" '$1 == k { print $3; f = 1 } END { exit !f }' "$1"; }
jt() { awk -F'\t' -v k="$2" '$1 == k { print $2; f = 1 } END { exit !f }' "$1"; }

say "== --json, 44.1 kHz 16-bit FLAC -> 48 kHz float, --volume -3"
OUT=$T/o48.wav
run render "$IN" -o "$OUT" --rate 48000 --bits float --volume -3 --json
expect_rc 0
check "stderr is empty" [ ! -s "$T/err.txt" ]
check "stdout is one line" [ "$(wc -l <"$T/out.txt")" -eq 1 ]
if flatten "$T/out.txt" "$T/j1.txt" 2>"$T/py.txt"; then
    pass "stdout parses as one JSON object"
else
    fail "stdout is not one JSON object: $(head -c 300 "$T/py.txt") / $(head -c 300 "$T/out.txt")"
    finish
fi
J=$T/j1.txt
for k in input output filter peak_dbfs clipped_samples realtime_factor \
    input.rate input.channels input.format input.frames output.rate output.channels output.format output.frames; do
    check "has key '$k'" eval 'jt "$J" "$k" >/dev/null'
done
for k in input.rate input.channels input.frames output.rate output.channels output.frames clipped_samples; do
    check "$k is an integer ($(jt "$J" "$k"))" [ "$(jt "$J" "$k")" = int ]
done
for k in peak_dbfs realtime_factor; do
    check "$k is a number ($(jt "$J" "$k"))" eval '[[ "$(jt "$J" "$k")" == @(int|float) ]]'
done
check "input.rate = soxi's $(srate "$IN")" [ "$(jv "$J" input.rate)" = "$(srate "$IN")" ]
check "input.channels = soxi's $(nchan "$IN")" [ "$(jv "$J" input.channels)" = "$(nchan "$IN")" ]
check "input.frames = soxi's $(frames "$IN")" [ "$(jv "$J" input.frames)" = "$(frames "$IN")" ]
check "input.format is s16 (soxi: $(nbits "$IN")-bit)" [ "$(jv "$J" input.format)" = "s$(nbits "$IN")" ]
check "output.rate = soxi's $(srate "$OUT")" [ "$(jv "$J" output.rate)" = "$(srate "$OUT")" ]
check "output.rate is 48000" [ "$(jv "$J" output.rate)" = 48000 ]
check "output.channels = soxi's $(nchan "$OUT")" [ "$(jv "$J" output.channels)" = "$(nchan "$OUT")" ]
check "output.frames = soxi's $(frames "$OUT")" [ "$(jv "$J" output.frames)" = "$(frames "$OUT")" ]
check "output.format is f32 (soxi: $(encoding "$OUT"))" [ "$(jv "$J" output.format)" = f32 ]
check "filter is the default, linear" [ "$(jv "$J" filter)" = linear ]
pk=$(stat_overall "$OUT" "Pk lev dB")
got=$(jv "$J" peak_dbfs)
check "peak_dbfs $got within 0.1 dB of sox's $pk" near "$got" "$pk" 0.1
check "clipped_samples is 0" [ "$(jv "$J" clipped_samples)" = 0 ]
check "realtime_factor $(jv "$J" realtime_factor) > 0" eval 'awk -v x="$(jv "$J" realtime_factor)" "BEGIN { exit !(x > 0) }"' 

# Clipping: --volume 12.4 into 16 bits.  Integer outputs are clamped to
# -32768..32767 after TPDF dither (|d| < 1 LSB), so a sample s is certainly
# clamped when |s| * g lies above 32770 and certainly not when below 32766
# (g = 10^(12.4/20) = 4.1687: the multiples nearest the rails are 7860 * g
# = 32765.9 and 7861 * g = 32770.1).  The expected count is then exact:
# the input samples with |s| * g > 32768, counted by awk over sox's export.
G=12.4
say "== --json, same rate into 16 bits at +$G dB: clipping"
OUT=$T/loud.wav
run render "$IN" -o "$OUT" --volume "$G" --bits 16 --json
expect_rc 0
flatten "$T/out.txt" "$T/j2.txt" || fail "stdout is not one JSON object"
J=$T/j2.txt
sox -V1 "$IN" -t raw -e signed-integer -b 16 -L - | od -An -v -td2 -w32 |
    awk -v g="$(awk -v G="$G" 'BEGIN { printf "%.15f", 10 ^ (G / 20) }')" '
        { for (i = 1; i <= NF; i++) {
              y = ($i < 0 ? -$i : $i) * g
              if (y > 32768) n++
              if (y > 32766 && y < 32770) amb++ } }
        END { print n + 0, amb + 0 }' >"$T/count.txt"
read -r want ambiguous <"$T/count.txt"
check "fixture: no input sample lands within 2 LSB of the rails ($ambiguous do)" [ "$ambiguous" = 0 ]
got=$(jv "$J" clipped_samples)
check "clipped_samples $got = $want input samples with |s| * 10^($G/20) > 32768" [ "$got" = "$want" ]
check "that is more than none" [ "$want" -gt 0 ]
pk=$(stat_overall "$IN" "Pk lev dB")
got=$(jv "$J" peak_dbfs)
check "peak_dbfs $got (before clamping) within 0.1 dB of the input's $pk + $G" \
    near "$got" "$(awk -v p="$pk" -v G="$G" 'BEGIN { print p + G }')" 0.1
check "output peak is at full scale (sox: $(stat_overall "$OUT" "Pk lev dB") dBFS)" \
    near "$(stat_overall "$OUT" "Pk lev dB")" 0 0.01
check "output.format is s16" [ "$(jv "$J" output.format)" = s16 ]
check "output.frames = soxi's $(frames "$OUT")" [ "$(jv "$J" output.frames)" = "$(frames "$OUT")" ]

say "== --json with file names that need escaping"
D=$(mktemp -d "$T/names.XXXXXX")
in_name='in "quoted" \ back\slash	tab.flac'
out_name='out "x" \.wav'
cp "$IN" "$D/$in_name"
(cd "$D" && "$HPAMP" render "$in_name" -o "$out_name" --json) >"$T/out.txt" 2>"$T/err.txt"
rc=$?
expect_rc 0
if flatten "$T/out.txt" "$T/j3.txt" 2>"$T/py.txt"; then
    pass "still one valid JSON object"
    "$PY" -c 'import json, sys; j = json.load(open(sys.argv[1])); print(j["input"]["path"]); print(j["output"]["path"])' \
        "$T/out.txt" >"$T/paths.txt"
    check "input.path is the name given, unmangled" [ "$(sed -n 1p "$T/paths.txt")" = "$in_name" ]
    check "output.path is the name given, unmangled" [ "$(sed -n 2p "$T/paths.txt")" = "$out_name" ]
    check "the output file exists under that name" [ -f "$D/$out_name" ]
else
    fail "not valid JSON: $(head -c 300 "$T/py.txt") / $(head -c 300 "$T/out.txt")"
fi

say "== the filter's printed delay is the resampler's alone, with or without the limiter"
# Without --limit the chain's latency is the resampler's alone (latency_frames);
# the summary's "its X ms delay" must say the same number with --limit too.
run render "$IN" -o "$T/d0.wav" --rate 96000 --json
expect_rc 0
RS=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["latency_frames"])' "$T/out.txt")
for lim in "" "--limit -1"; do
    # shellcheck disable=SC2086
    run render "$IN" -o "$T/d1.wav" --rate 96000 $lim
    expect_rc 0
    MS=$(sed -n 's/.*its \([0-9.]*\) ms delay.*/\1/p' "$T/out.txt")
    check "the filter's delay ${lim:-without a limiter}: $MS ms = $RS frames at 96 kHz (within 0.05 ms)" \
        "$PY" -c 'import sys; sys.exit(abs(float(sys.argv[1]) - 1000 * float(sys.argv[2]) / 96000) > 0.05)' "$MS" "$RS"
done

say "== --quiet prints nothing"
run render "$IN" -o "$T/q.wav" --quiet
expect_rc 0
check "stdout and stderr empty" eval '[ ! -s "$T/out.txt" ] && [ ! -s "$T/err.txt" ]'
check "the file is written" [ "$(frames "$T/q.wav")" = "$(frames "$IN")" ]

say "== without --json: a summary on stdout, not JSON"
run render "$IN" -o "$T/s.wav"
expect_rc 0
check "stdout names the output file" grep -qF "$T/s.wav" "$T/out.txt"
check "stderr is empty (no progress bar when stderr is not a terminal)" [ ! -s "$T/err.txt" ]

finish
