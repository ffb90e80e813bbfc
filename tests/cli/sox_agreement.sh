#!/bin/bash
# sox_agreement: on real music, `hpamp render` with the default (linear)
# filter agrees with sox's own very-high-quality resampler (`rate -v`), an
# independent implementation, to better than -100 dB RMS relative to full
# scale.  Both trim the filter's latency, so the two outputs must have the
# same length and line up sample for sample; a misalignment of even one
# sample would leave a difference far above -100 dB on this material.
. "$(dirname "$0")/lib.sh" "$@"

LIMIT_DB=-100

agree() { # NAME RATE
    local in out ref n_in n_out n_ref d lvl
    in=$(music "$1")
    out="$T/$1-$2.wav"
    ref="$T/$1-$2-sox.wav"
    say "== $1.flac (44.1 kHz/16) -> $2 Hz float, hpamp vs sox rate -v"
    run render "$in" -o "$out" --rate "$2" --bits float
    expect_rc 0 || return
    sox -V1 "$in" -e floating-point -b 32 "$ref" rate -v "$2" || { fail "sox rate -v failed"; return; }

    check "output rate is $2 Hz (soxi)" [ "$(srate "$out")" = "$2" ]
    check "output is 32-bit float (soxi: $(encoding "$out"))" eval '[[ "$(encoding "$out")" == *Floating* ]]'
    n_in=$(frames "$in")
    n_out=$(frames "$out")
    n_ref=$(frames "$ref")
    check "same length as sox: hpamp $n_out frames, sox $n_ref frames" [ "$n_out" = "$n_ref" ]
    check "length is $n_in * $2 / 44100 (got $n_out)" resampled_frames_ok "$n_out" "$n_in" 44100 "$2"
    [ "$n_out" = "$n_ref" ] || return

    lvl=$(stat_overall "$out" "RMS lev dB")
    check "output carries the music (RMS $lvl dBFS > -40)" ge "$lvl" -40
    d=$(diff_db "$out" "$ref")
    check "RMS of hpamp - sox is $d dBFS <= $LIMIT_DB dB" le "$d" "$LIMIT_DB" || misalignment "$out" "$ref"
}

# on failure: would shifting hpamp's output by a few samples line it up?
misalignment() {
    local k
    for k in 1 2 3 4 8 16; do
        sox -V1 "$1" "$T/early.wav" trim "${k}s"
        sox -V1 "$1" "$T/late.wav" pad "${k}s" 0
        say "      hpamp $k samples earlier: $(diff_db "$T/early.wav" "$2") dB, later: $(diff_db "$T/late.wav" "$2") dB"
    done
}

agree loop_garzul 352800
agree loop_compus 352800
agree loop_garzul 48000
agree guit_em9 48000

finish
