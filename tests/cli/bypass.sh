#!/bin/bash
# bypass: when nothing changes the signal (same rate, 0 dB, same or wider
# sample format) the output holds exactly the input's samples — no dither,
# no rounding.  Compared as sox decodes both: md5 of the samples exported as
# 32-bit integers (a 16-bit value and the same value widened to 24/32 bits
# or to float export identically), and the peak of their difference.
. "$(dirname "$0")/lib.sh" "$@"

I=$T/in
mkdir -p "$I"
cp "$(music loop_compus)" "$I/compus.flac"
cp "$(music guit_em9)" "$I/guit.flac"
# a genuinely 24-bit source and a float one, from real music with sox
sox -V1 "$I/guit.flac" -b 24 "$I/guit24.wav" vol 0.7 dither -s
sox -V1 "$I/compus.flac" -e floating-point -b 32 "$I/compus-f32.wav" vol 0.9
check "fixture: 24-bit WAV (soxi -b $(nbits "$I/guit24.wav"))" [ "$(nbits "$I/guit24.wav")" = 24 ]

identical() { # IN OUT-NAME [options]
    local in=$1 out="$T/$2" d
    shift 2
    say "== $(basename "$in") -> $(basename "$out") $*"
    run render "$in" -o "$out" "$@"
    expect_rc 0 || return
    check "same length (soxi: $(frames "$out") vs $(frames "$in"))" [ "$(frames "$out")" = "$(frames "$in")" ]
    check "same rate and channels" [ "$(srate "$out") $(nchan "$out")" = "$(srate "$in") $(nchan "$in")" ]
    check "samples identical (md5 of the samples as sox decodes them)" [ "$(raw_md5 "$out")" = "$(raw_md5 "$in")" ]
    d=$(peak_diff_db "$out" "$in")
    check "peak of the difference is $d (must be -inf)" [ "$d" = "-inf" ]
}

identical "$I/compus.flac" compus.wav
identical "$I/guit.flac" guit.wav
identical "$I/guit.flac" guit.flac
identical "$I/compus.flac" compus-24.wav --bits 24
identical "$I/compus.flac" compus-32.wav --bits 32
identical "$I/compus.flac" compus-float.wav --bits float
identical "$I/compus.flac" compus-24.flac --bits 24
identical "$I/guit24.wav" guit24.wav
identical "$I/guit24.wav" guit24.flac
identical "$I/guit24.wav" guit24-float.wav --bits float
identical "$I/compus-f32.wav" compus-f32.wav
# sox decodes floats through 32-bit integers, blind below 2^-31: compare the
# float data chunks byte for byte too (both files end with their data chunk)
n=$(($(frames "$I/compus-f32.wav") * 2 * 4))
check "float data chunk byte-identical ($n bytes)" cmp -s <(tail -c "$n" "$I/compus-f32.wav") <(tail -c "$n" "$T/compus-f32.wav")
identical "$I/compus-f32.wav" compus-f64.wav --bits double
# dither settings do not matter when nothing is requantized
identical "$I/compus.flac" compus-shaped.wav --dither shaped
identical "$I/compus.flac" compus-v0.wav --volume 0 --rate 44100

finish
