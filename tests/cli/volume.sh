#!/bin/bash
# volume: --volume G changes the level by G dB, as sox measures it: the RMS
# amplitude of the output over that of the input is 10^(G/20) within 0.01 dB,
# and the output minus 10^(G/20) times the input (mixed by sox) is nothing
# but rounding noise, from the first sample on.
. "$(dirname "$0")/lib.sh" "$@"

# level_case NAME GAIN_DB BITS RESIDUAL_LIMIT_DB
level_case() {
    local in out g a b got d
    in=$(music "$1")
    out="$T/$1$2.wav"
    say "== $1.flac --volume $2 --bits $3"
    run render "$in" -o "$out" --volume "$2" --bits "$3"
    expect_rc 0 || return
    check "same length (soxi)" [ "$(frames "$out")" = "$(frames "$in")" ]
    a=$(rms_amp "$in")
    b=$(rms_amp "$out")
    got=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.4f", 20 * log(b / a) / log(10) }')
    check "RMS $a -> $b: $got dB, want $2 +- 0.01" near "$got" "$2" 0.01
    a=$(stat_overall "$in" "RMS lev dB")
    b=$(stat_overall "$out" "RMS lev dB")
    check "sox stats RMS level $a -> $b dBFS (2 decimals): $2 +- 0.02" near "$(awk -v a="$a" -v b="$b" 'BEGIN { print b - a }')" "$2" 0.02
    g=$(awk -v g="$2" 'BEGIN { printf "%.12f", 10 ^ (g / 20) }')
    d=$(diff_db "$out" "$in" "$g")
    check "output - $g * input: $d dBFS RMS (<= $4)" le "$d" "$4"
}

level_case loop_compus -6.02 float -120
level_case guit_em9 -20 float -120
level_case ambi_piano 2.5 float -120       # peak -3.3 dBFS: no clipping
# 24-bit with TPDF dither: noise near -139 dBFS RMS, far below the level
level_case loop_compus -10 24 -130

finish
