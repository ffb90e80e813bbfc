#!/bin/bash
# edges: the limits of what `hpamp render` takes, each checked with soxi/sox:
#   - 1 and 8 channels, 8 kHz in, 8 kHz and 768 kHz out (the documented
#     limits), with frames = input frames * out rate / in rate; minimum
#     phase below its documented 64x and refused beyond;
#   - an input with no samples (a valid, empty WAV): either a valid empty
#     output and exit 0, or exit 1 and nothing left;
#   - an output name as long as the file system allows (sox can write it);
#   - input from a pipe (`hpamp render <(cat x.wav) -o y.wav`), which
#     libsndfile can read.
. "$(dirname "$0")/lib.sh" "$@"

SRC=$(music loop_compus)
I=$T/in
mkdir -p "$I"

# render_ok IN OUT RATE CHANNELS [options]
render_ok() {
    local in=$1 out=$2 rate=$3 ch=$4 n
    shift 4
    say "== $(basename "$in") ($(nchan "$in") ch, $(srate "$in") Hz) -> $(basename "$out") $*"
    run render "$in" -o "$out" "$@"
    expect_rc 0 || return
    check "soxi: $rate Hz, $ch channels" [ "$(srate "$out") $(nchan "$out")" = "$rate $ch" ]
    n=$(frames "$out")
    check "frames $n = $(frames "$in") * $rate / $(srate "$in")" resampled_frames_ok "$n" "$(frames "$in")" "$(srate "$in")" "$rate"
    check "carries the music (RMS $(stat_overall "$out" "RMS lev dB") dBFS > -60)" ge "$(stat_overall "$out" "RMS lev dB")" -60
}

sox -V1 "$SRC" "$I/mono.wav" remix 1
sox -V1 "$SRC" "$I/eight.wav" remix 1 2 1v0.5 2v0.5 1v0.25 2v0.25 1,2 1v-1
check "fixture: 8 channels" [ "$(nchan "$I/eight.wav")" = 8 ]
sox -V1 "$SRC" -r 8000 "$I/r8k.wav" remix 1 rate -v 8000
render_ok "$I/mono.wav" "$T/mono8k.flac" 8000 1 --rate 8000
render_ok "$I/mono.wav" "$T/mono768k.wav" 768000 1 --rate 768000 --bits float
render_ok "$I/eight.wav" "$T/eight96k.wav" 96000 8 --rate 96000 --bits 24
render_ok "$I/eight.wav" "$T/eight.flac" 44100 8
render_ok "$I/r8k.wav" "$T/r8k-768k.wav" 768000 1 --rate 768000 --filter intermediate
render_ok "$I/r8k.wav" "$T/r8k-504k.wav" 504000 1 --rate 504000 --filter minimum

# libsoxr's minimum-phase design breaks above ~90x (negative delay, then a
# crash while flushing): hpamp documents a limit of less than 64x and refuses beyond it
say "== minimum phase beyond 64x is refused with the reason"
D=$(mktemp -d "$T/minphase.XXXXXX")
run render "$I/r8k.wav" -o "$D/o.wav" --rate 768000 --filter minimum
expect_rc 1
check "one 'hpamp: ' line naming the input and the 64x limit" eval 'one_error_line "$T/err.txt" && grep -qF r8k.wav "$T/err.txt" && grep -qF 64x "$T/err.txt"'
check "nothing left" only_entries "$D"

# eight channels at the same rate: the channels come out in order, unchanged
say "== 8 channels keep their order"
for c in 1 4 8; do
    sox -V1 "$I/eight.wav" "$T/in-c$c.wav" remix $c
    sox -V1 "$T/eight.flac" "$T/out-c$c.wav" remix $c
    check "channel $c identical" [ "$(raw_md5 "$T/in-c$c.wav")" = "$(raw_md5 "$T/out-c$c.wav")" ]
done

say "== an input with no samples"
sox -V1 -n -r 44100 -c 2 -b 16 "$I/empty.wav" trim 0 0
check "fixture: soxi says 0 frames" [ "$(frames "$I/empty.wav")" = 0 ]
D=$(mktemp -d "$T/empty.XXXXXX")
run render "$I/empty.wav" -o "$D/o.wav" --rate 48000
if [ "$rc" -eq 0 ]; then
    check "exit 0: a valid output with 0 frames (soxi)" [ "$(frames "$D/o.wav")" = 0 ]
    check "no temporary file left" only_entries "$D" o.wav
else
    expect_rc 1
    check "exit 1: one 'hpamp: ' line naming the input" eval 'one_error_line "$T/err.txt" && grep -qF empty.wav "$T/err.txt"'
    check "nothing left" only_entries "$D"
fi

say "== an output name of 244 characters (a legal name: sox writes it)"
D=$(mktemp -d "$T/long.XXXXXX")
long=$(printf 'n%.0s' $(seq 240)).wav
if sox -V1 "$SRC" "$D/$long" 2>/dev/null; then
    rm -f "$D/$long"
    run render "$SRC" -o "$D/$long"
    expect_rc 0
    check "the file is there, samples identical to the input" eval '[ "$(raw_md5 "$D/$long" 2>/dev/null)" = "$(raw_md5 "$SRC")" ]'
    check "no temporary file left" eval 'only_entries "$D" "$long" || only_entries "$D"'
else
    say "SKIP  this file system does not take a 244-character name"
fi

say "== input from a pipe (process substitution)"
sox -V1 "$SRC" "$I/pipe-src.wav"
D=$(mktemp -d "$T/pipe.XXXXXX")
run render <(cat "$I/pipe-src.wav") -o "$D/o.wav"
expect_rc 0
check "samples identical to the input (md5)" eval '[ "$(raw_md5 "$D/o.wav" 2>/dev/null)" = "$(raw_md5 "$I/pipe-src.wav")" ]'
check "no temporary file left" eval 'only_entries "$D" o.wav || only_entries "$D"'

finish
