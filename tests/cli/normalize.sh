#!/bin/bash
# normalize: `hpamp render --normalize LUFS` brings the EBU Tech 3341 test
# signals (cases 1-5, made here with sox: 1 kHz sines at the levels and
# durations the document gives, all of which measure -23 LUFS except case 2,
# -33 LUFS) and real music to the target within +-0.1 LU, measured by an
# independent meter (ffmpeg's ebur128 filter).  Without --limit the gain stops
# where the input's true peak would pass 0 dBTP (checked with ffmpeg's true
# peak); a pipe is refused (the input is read twice).
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

run render <(cat "$T/case1.wav") -o "$T/p.wav" --normalize -18
expect_rc 2
check "pipe: one usage error line" one_error_line "$T/err.txt"
for bad in 5 -80 x; do
    run render "$T/case1.wav" -o "$T/x.wav" --normalize "$bad"
    expect_rc 2
done

finish
