#!/bin/bash
# normalize: `hpamp render --normalize LUFS` brings the EBU Tech 3341 test
# signals (cases 1-5, made here with sox: 1 kHz sines at the levels and
# durations the document gives, all of which measure -23 LUFS except case 2,
# -33 LUFS) and real music to the target within +-0.1 LU, measured by an
# independent meter (ffmpeg's ebur128 filter).  Without --limit the gain stops
# where the input's true peak would pass 0 dBTP (checked with ffmpeg's true
# peak); a pipe is refused (the input is read twice).
# With --eq as well, the EQ's preamp comes from the programme's true peak
# after the loudness gain plus the bands' largest gain (a +6 dB low shelf:
# +6 dB at DC by the cookbook), expected values computed here from ffmpeg's
# measurements of the input.
. "$(dirname "$0")/lib.sh" "$@"
need ffmpeg

# integrated FILE: integrated loudness by ffmpeg's ebur128 filter, to 0.001 LU
# (its metadata; the printed summary rounds to 0.1)
integrated() {
    ffmpeg -hide_banner -nostats -loglevel error -i "$1" \
        -af ebur128=metadata=1,ametadata=mode=print:key=lavfi.r128.I:file=/dev/stdout -f null - 2>/dev/null |
        tail -1 | cut -d= -f2
}
# true_peak FILE: ffmpeg's ebur128 filter, true peak in dBTP
true_peak() {
    ffmpeg -hide_banner -nostats -i "$1" -af ebur128=peak=true -f null - 2>&1 |
        awk '/True peak:/ { tp = 1 } tp && /Peak:/ { print $2; exit }'
}

# tones OUT LEVEL:SECONDS...: stereo 1 kHz sine segments at 48 kHz/24 bit
tones() {
    local out=$1 i=0 parts=() seg
    shift
    for seg in "$@"; do
        sox -V1 -n -r 48000 -c 2 -b 24 "$T/seg$i.wav" synth "${seg#*:}" sine 1000 gain "${seg%%:*}"
        parts+=("$T/seg$i.wav")
        i=$((i + 1))
    done
    sox -V1 "${parts[@]}" "$out"
}

tones "$T/case1.wav" -23:20
tones "$T/case2.wav" -33:20
tones "$T/case3.wav" -36:10 -23:60 -36:10
tones "$T/case4.wav" -72:10 -36:10 -23:60 -36:10 -72:10
tones "$T/case5.wav" -26:20 -20:20.1 -26:20

for c in 1 2 3 4 5; do
    for target in -18 -23; do
        run render "$T/case$c.wav" -o "$T/out$c.wav" --normalize "$target"
        expect_rc 0 || continue
        il=$(integrated "$T/out$c.wav")
        check "EBU 3341 case $c to $target LUFS: ffmpeg measures $il LUFS (+-0.1)" near "$il" "$target" 0.1
    done
done
run render "$T/case2.wav" -o "$T/out2.wav" --normalize -18 --json
check "json: normalize.target_lufs -18" grep -q '"normalize": {"target_lufs": -18.00,' "$T/out.txt"
check "json: input -33 LUFS (case 2), +-0.1" \
    eval 'near "$(grep -o "\"input_lufs\": [-0-9.]*" "$T/out.txt" | cut -d" " -f2)" -33 0.1'

garzul=$(music loop_garzul)
run render "$garzul" -o "$T/m.wav" --bits float --normalize -23
expect_rc 0
il=$(integrated "$T/m.wav")
check "music to -23 LUFS: ffmpeg measures $il LUFS (+-0.1)" near "$il" -23 0.1

# a target the peaks cannot reach: stopped at 0 dBTP without a limiter
run render "$garzul" -o "$T/loud.wav" --bits float --normalize -3
expect_rc 0
tp=$(true_peak "$T/loud.wav")
check "music to -3 LUFS without --limit: true peak $tp dBTP <= 0.05" le "$tp" 0.05
check "summary says the gain was held back" grep -q "the input's true peak would pass 0 dBTP" "$T/out.txt"
run render "$garzul" -o "$T/loud.wav" --bits float --normalize -3 --limit -1
expect_rc 0
tp=$(true_peak "$T/loud.wav")
check "music to -3 LUFS with --limit -1: true peak $tp dBTP <= -1" le "$tp" -1

# --normalize with --eq: one headroom for the programme's true peak, the
# loudness gain and the bands (+6 dB low shelf), not the bands alone.
printf 'Filter 1: ON LSC Fc 100 Hz Gain 6 dB Q 0.707\n' >"$T/ls6.txt"
printf 'Preamp: -12 dB\nFilter 1: ON LSC Fc 100 Hz Gain 6 dB Q 0.707\n' >"$T/ls6pre.txt"
lin=$(integrated "$garzul")
tpin=$(true_peak "$garzul")
json_num() { grep -o "\"$1\": [-0-9.]*" "$T/out.txt" | head -1 | cut -d" " -f2; }
# expected preamp: TARGET CEILING (empty: no limiter)
want_preamp() {
    python3 - "$lin" "$tpin" "$1" "$2" <<'PY'
import sys
lin, tp, target = float(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
ceiling = float(sys.argv[4]) if sys.argv[4] else None
g = target - lin
if ceiling is None:
    g = min(g, -tp)                       # without a limiter the gain stops at 0 dBTP
    top = 0.0
else:
    top = ceiling
before = tp + g
pre = -6.0 if before >= top else top - before - 6.0
print(f"{min(pre, 0.0):.3f}")
PY
}
for eqf in ls6 ls6pre; do
    run render "$garzul" -o "$T/e.wav" --bits float --normalize -14 --eq "$T/$eqf.txt" --json
    expect_rc 0
    want=$(want_preamp -14 "")
    got=$(json_num preamp_db)
    check "$eqf, -14 LUFS, no limiter: preamp $got dB, from ffmpeg's $lin LUFS / $tpin dBTP: $want (+-0.15)" \
        near "$got" "$want" 0.15
    check "$eqf: preamp_basis true-peak" grep -q '"preamp_basis": "true-peak"' "$T/out.txt"
    check "$eqf: no clipped samples" grep -q '"clipped_samples": 0,' "$T/out.txt"
    tp=$(true_peak "$T/e.wav")
    check "$eqf: true peak $tp dBTP <= 0.05" le "$tp" 0.05
done
run render "$garzul" -o "$T/e.wav" --bits float --normalize -18 --eq "$T/ls6.txt" --limit -1 --json
expect_rc 0
want=$(want_preamp -18 -1)
got=$(json_num preamp_db)
check "-18 LUFS, --limit -1 (room below the ceiling): preamp $got dB, expected $want (+-0.15)" near "$got" "$want" 0.15
run render "$garzul" -o "$T/e.wav" --bits float --normalize -8 --eq "$T/ls6.txt" --limit -1 --json
expect_rc 0
got=$(json_num preamp_db)
check "-8 LUFS, --limit -1 (the gain alone passes the ceiling): preamp $got dB = -6 (the shelf's own boost)" \
    near "$got" -6 0.001
tp=$(true_peak "$T/e.wav")
check "-8 LUFS, --limit -1: true peak $tp dBTP <= -1" le "$tp" -1
run render "$garzul" -o "$T/e.wav" --bits float --eq "$T/ls6pre.txt" --json
expect_rc 0
check "without --normalize the file's Preamp stands: preamp -12, basis file" \
    eval 'near "$(json_num preamp_db)" -12 0.001 && grep -q "\"preamp_basis\": \"file\"" "$T/out.txt"'

run render <(cat "$T/case1.wav") -o "$T/p.wav" --normalize -18
expect_rc 2
check "pipe: one usage error line" one_error_line "$T/err.txt"
for bad in 5 -80 x; do
    run render "$T/case1.wav" -o "$T/x.wav" --normalize "$bad"
    expect_rc 2
done

finish
