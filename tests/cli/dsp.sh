#!/bin/bash
# dsp: `hpamp render --eq / --crossfeed / --limit` end to end, against
# references made without hpamp.
#
#   --eq       Equalizer APO text with two peaking bands and a Preamp of -7 dB
#              (more than the bands need, so it is used as given): the render
#              of real music agrees with sox's `gain -7 equalizer ...` (RBJ
#              peaking filters, the same cookbook) to better than -90 dB RMS;
#              without a Preamp line a single +6 dB band gets a -6 dB preamp
#              (the peak of a peaking band is its gain).  JSON keys carry both.
#   --crossfeed  a 30 Hz sine on the left only: the right output lies the
#              preset's feed level below the left (cmoy 6 dB, jmeier 9.5 dB,
#              HZ,DB 3 dB), +-0.2 dB (libbs2b: feed is the level at low
#              frequencies); a mono input is refused.
#   --limit    music driven 12 dB hot stays at or below the ceiling measured
#              as true peak by ffmpeg's ebur128 filter (and would be above
#              0 dBTP without the limiter); a quiet render is unchanged by it.
#   errors     a malformed Filter line names FILE:LINE and fails (exit 1,
#              nothing written); an unknown line is a warning naming the line;
#              a band above Nyquist is an error; bad flag values are usage
#              errors (exit 2).
. "$(dirname "$0")/lib.sh" "$@"
need ffmpeg

garzul=$(music loop_garzul)

# true_peak FILE: true peak in dBTP by ffmpeg's ebur128 filter
true_peak() {
    ffmpeg -hide_banner -nostats -i "$1" -af ebur128=peak=true -f null - 2>&1 |
        awk '/True peak:/ { tp = 1 } tp && /Peak:/ { print $2; exit }'
}

json_num() { # KEY PATH: first number after "KEY": in $T/out.txt
    grep -o "\"$1\": [-0-9.e]*" "$T/out.txt" | head -1 | awk '{ print $2 }'
}

say "== --eq: two PK bands and Preamp -7 dB vs sox gain -7 equalizer x2"
cat >"$T/two.txt" <<'TXT'
Preamp: -7 dB
Filter 1: ON PK Fc 1000 Hz Gain 6 dB Q 1.41
Filter 2: ON PK Fc 3000 Hz Gain -4 dB Q 2
TXT
run render "$garzul" -o "$T/eq.wav" --bits float --eq "$T/two.txt" --json
expect_rc 0
sox -V1 "$garzul" -e floating-point -b 32 "$T/eq-sox.wav" gain -7 equalizer 1000 1.41q 6 equalizer 3000 2q -4
check "same length as sox" [ "$(frames "$T/eq.wav")" = "$(frames "$T/eq-sox.wav")" ]
d=$(diff_db "$T/eq.wav" "$T/eq-sox.wav")
check "RMS of hpamp - sox is $d dBFS <= -90" le "$d" -90
lvl=$(stat_overall "$T/eq.wav" "RMS lev dB")
check "output carries the music (RMS $lvl dBFS > -40)" ge "$lvl" -40
check "json: eq.bands is 2" grep -q '"bands": 2,' "$T/out.txt"
check "json: eq.preamp_db is -7.00 (the file's)" grep -q '"preamp_db": -7.00,' "$T/out.txt"
check "json: eq.file_preamp_db is -7.00" grep -q '"file_preamp_db": -7.00,' "$T/out.txt"

say "== --eq without a Preamp: the bands' peak sets it"
printf 'Filter: ON PK Fc 1000 Hz Gain 6 dB Q 1\n' >"$T/one.txt"
run render "$garzul" -o "$T/eq1.wav" --bits float --eq "$T/one.txt" --json
expect_rc 0
check "json: preamp_db -6.00 (a +6 dB peaking band peaks at +6 dB)" grep -q '"preamp_db": -6.00,' "$T/out.txt"
check "json: file_preamp_db null" grep -q '"file_preamp_db": null' "$T/out.txt"
p=$(json_num response_peak_hz)
check "json: the response peaks at 1000 Hz (got $p)" near "$p" 1000 1
run render "$garzul" -o "$T/eq1.wav" --bits float --eq "$T/one.txt"
expect_rc 0
check "summary: eq line names the file and the band count" grep -q "^eq      $T/one.txt: 1 band\$" "$T/out.txt"
check "summary: says why the preamp" grep -q "preamp -6.00 dB, headroom for the bands' combined response" "$T/out.txt"

say "== --crossfeed: feed level at 30 Hz"
sox -V1 -n -r 44100 -b 24 "$T/left.wav" synth 3 sine 30 gain -10 remix 1 0
for spec in cmoy:6.0 jmeier:9.5 default:4.5 1000,3:3.0; do
    name=${spec%%:*}
    feed=${spec##*:}
    run render "$T/left.wav" -o "$T/xf.wav" --bits float --crossfeed "$name"
    expect_rc 0 || continue
    l=$(channel_rms_db "$T/xf.wav" 1)
    r=$(channel_rms_db "$T/xf.wav" 2)
    rel=$(awk -v a="$r" -v b="$l" 'BEGIN { printf "%.3f", a - b }')
    check "--crossfeed $name: right - left at 30 Hz is $rel dB, expected -$feed +-0.2" near "$rel" "-$feed" 0.2
done
run render "$T/left.wav" -o "$T/xf.wav" --crossfeed 1000,3
check "summary names the setting" grep -q "^crossfeed 1000 Hz, 3.0 dB (libbs2b)" "$T/out.txt"
run render "$T/left.wav" -o "$T/xf.wav" --crossfeed cmoy --json
check "json: crossfeed preset and numbers" grep -q '"crossfeed": {"preset": "cmoy", "fcut_hz": 700, "feed_db": 6.0}' "$T/out.txt"
sox -V1 -n -r 44100 -b 16 "$T/mono.wav" synth 1 sine 440
run render "$T/mono.wav" -o "$T/xfm.wav" --crossfeed default
expect_rc 1
check "mono input: one error line saying stereo" eval 'one_error_line "$T/err.txt" && grep -q stereo "$T/err.txt"'
check "mono input: nothing written" [ ! -e "$T/xfm.wav" ]

say "== --limit: music 12 dB hot"
run render "$garzul" -o "$T/hot.wav" --bits float --volume 12
tp=$(true_peak "$T/hot.wav")
check "control: without the limiter the render peaks at $tp dBTP > 0" ge "$tp" 0
for ceil in -1 -3; do
    run render "$garzul" -o "$T/lim.wav" --bits float --volume 12 --limit "$ceil" --json
    expect_rc 0
    tp=$(true_peak "$T/lim.wav")
    check "--limit $ceil: true peak (ffmpeg ebur128) $tp dBTP <= $ceil" le "$tp" "$ceil"
    check "--limit $ceil: same length as the input" [ "$(frames "$T/lim.wav")" = "$(frames "$garzul")" ]
    red=$(json_num max_reduction_db)
    check "--limit $ceil: json reduction $red dB > 10 (12 dB hot)" ge "$red" 10
done
# loop_garzul peaks near -0.9 dBTP: 6 dB down it stays clear of a -1 dBTP ceiling
run render "$garzul" -o "$T/quiet-ref.wav" --bits float --volume -6
run render "$garzul" -o "$T/quiet.wav" --bits float --volume -6 --limit -1
expect_rc 0
check "--limit on a render below the ceiling: samples as without it" \
    [ "$(raw_md5 "$T/quiet.wav")" = "$(raw_md5 "$T/quiet-ref.wav")" ]
run render "$garzul" -o "$T/quiet16.wav" --volume -20 --dither none --limit -1
check "--limit, 16-bit, no dither: as without it" \
    eval '"$HPAMP" render "$garzul" -o "$T/quiet16-ref.wav" --volume -20 --dither none -q && [ "$(raw_md5 "$T/quiet16.wav")" = "$(raw_md5 "$T/quiet16-ref.wav")" ]'
check "summary: limiter line" grep -q "^limiter -1.00 dBTP ceiling, 2.0 ms lookahead: took up to 0.00 dB, from 0 frames" "$T/out.txt"

say "== errors"
printf 'Preamp: -3 dB\nFilter 1: ON PK Fc abc Hz Gain 3 dB Q 1\n' >"$T/bad.txt"
run render "$garzul" -o "$T/bad.wav" --eq "$T/bad.txt"
expect_rc 1
check "malformed Filter line: stderr names $T/bad.txt:2" grep -q "^hpamp: $T/bad.txt:2: " "$T/err.txt"
check "malformed Filter line: nothing written" only_entries "$T" $(ls -A "$T" | grep -v '^bad.wav$')
printf 'Filter 1: ON PK Fc 30000 Hz Gain 3 dB Q 1\n' >"$T/nyq.txt"
run render "$garzul" -o "$T/bad.wav" --eq "$T/nyq.txt"
expect_rc 1
check "band above Nyquist at 44.1 kHz: stderr names line 1 and Nyquist" \
    eval 'grep -q "^hpamp: $T/nyq.txt:1: " "$T/err.txt" && grep -qi nyquist "$T/err.txt"'
printf 'Hello there\nFilter 1: ON PK Fc 1000 Hz Gain -3 dB Q 1\n' >"$T/warn.txt"
run render "$garzul" -o "$T/warn.wav" --eq "$T/warn.txt"
expect_rc 0
check "unknown line: a warning naming $T/warn.txt:1" grep -q "^hpamp: $T/warn.txt:1: warning: " "$T/err.txt"
# Channel: sections (per-channel EQ: tests/cli/channels.sh): an unknown channel refused at FILE:LINE
printf 'Preamp: -3 dB\nChannel: Q\nFilter 1: ON PK Fc 1000 Hz Gain 3 dB Q 1\n' >"$T/chan.txt"
run render "$garzul" -o "$T/chan.wav" --eq "$T/chan.txt"
expect_rc 1
check "Channel: Q: one error at $T/chan.txt:2 ($(head -c 200 "$T/err.txt"))" \
    eval 'one_error_line "$T/err.txt" && grep -q "^hpamp: $T/chan.txt:2: unknown channel .Q." "$T/err.txt"'
check "... nothing written" test ! -e "$T/chan.wav"
printf 'Preamp: -3 dB\nChannel: all\nFilter 1: ON PK Fc 1000 Hz Gain 3 dB Q 1\n' >"$T/chall.txt"
printf 'Preamp: -3 dB\nFilter 1: ON PK Fc 1000 Hz Gain 3 dB Q 1\n' >"$T/chnone.txt"
run render "$garzul" -o "$T/chall.wav" --bits float --eq "$T/chall.txt"
expect_rc 0
check "Channel: all: no word on stderr" [ ! -s "$T/err.txt" ]
run render "$garzul" -o "$T/chnone.wav" --bits float --eq "$T/chnone.txt"
check "Channel: all: the same samples as without the line" [ "$(raw_md5 "$T/chall.wav")" = "$(raw_md5 "$T/chnone.wav")" ]
run render "$garzul" -o "$T/x.wav" --eq "$T/no-such-file.txt"
expect_rc 1
check "missing EQ file: one error line naming it" eval 'one_error_line "$T/err.txt" && grep -q no-such-file "$T/err.txt"'
mkdir -p "$T/eqdir"
run render "$garzul" -o "$T/x.wav" --eq "$T/eqdir"
expect_rc 1
check "a directory as EQ file: one error line saying so" eval 'one_error_line "$T/err.txt" && grep -q "eqdir: a directory" "$T/err.txt"'
check "a directory as EQ file: nothing written" test ! -e "$T/x.wav"
for bad in "--crossfeed speakers" "--crossfeed 100,3" "--crossfeed 700,30" "--crossfeed 700" "--limit 1" "--limit x"; do
    # shellcheck disable=SC2086
    run render "$garzul" -o "$T/x.wav" $bad
    expect_rc 2
    check "$bad: one usage error line" one_error_line "$T/err.txt"
done

finish
