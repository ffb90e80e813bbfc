#!/bin/bash
# ceiling: --max-volume is a hard maximum.  A full-scale square (every sample
# at +-full scale, the loudest a PCM file can be) played with a --volume above
# the ceiling comes out no louder than the ceiling: the request is capped with
# a warning, and the chain caps it again.
. "$(dirname "$0")/lib.sh" "$@"
alsa_conf

# full scale: sox's square at vol 1 clips to +-32767; then checked with sox
sox -V1 -n -r 48000 -c 2 -b 16 "$T/square.wav" synth 2 square 997 vol 1
pk=$(soxstat "$T/square.wav" "Pk lev dB")
check "fixture at full scale (sox: $pk dBFS)" near "$pk" 0 0.01

ceiling() { # MAX VOLUME
    say "== --max-volume $1 --volume $2"
    rm -f "$T/cap.raw"
    run play "$T/square.wav" --device alsa:capraw --max-volume "$1" --volume "$2" --i-understand-loud
    expect_rc 0 || return
    check "a warning says the volume was capped: $(grep -m1 capped "$T/err.txt")" grep -q "capped" "$T/err.txt"
    sox -V1 -t raw -r 48000 -e signed-integer -b 16 -c 2 "$T/cap.raw" "$T/cap.wav"
    local p
    p=$(soxstat "$T/cap.wav" "Pk lev dB")
    # TPDF dither may add 1 LSB: 20 log10(1 + 1/(32767 g)) dB, then sox's 2 decimals
    local lim
    lim=$(awk -v c="$1" 'BEGIN { g = 10 ^ (c / 20); print c + 20 * log(1 + 1 / (32767 * g)) / log(10) + 0.005 }')
    check "peak $p dBFS <= ceiling $1 dBFS + 1 LSB ($lim)" le "$p" "$lim"
    check "... and the ceiling was reached (within 0.05 dB)" near "$p" "$1" 0.05
}
ceiling 0 6
ceiling -6 0
ceiling -20 -3
ceiling -40 -35

finish
