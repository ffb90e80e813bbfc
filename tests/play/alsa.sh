#!/bin/bash
# alsa: `hpamp play` into a real ALSA PCM — the `file` plugin over `null`,
# which writes exactly the bytes snd_pcm_writei received (no clock: seconds
# of audio "play" in milliseconds).
#
# Bit-exact in bypass.  Playback starts muted and ramps to the volume (no
# flag turns that off: a safety rule without an off switch).  The ramp is the
# chain's one-pole smoother (10 ms): at 0 dB its gain reaches exactly 1.0
# after 0.28 s.  So each fixture starts with 0.5 s of digital silence (sox
# pad), the ramp happens over silence, and every sample of the music must
# come out identical to the input as sox decodes it.
. "$(dirname "$0")/lib.sh" "$@"
alsa_conf

I=$T/in
mkdir -p "$I"
sox -V1 -D "$(music loop_compus)" "$I/compus48.wav" rate -v 48000 pad 0.5 0
sox -V1 -D "$(music guit_em9)" -b 24 "$I/guit24.wav" vol 0.7 pad 0.5 0
sox -V1 -D "$(music loop_garzul)" "$I/garzul.wav" pad 0.5 0
sox -V1 -D "$(music ambi_piano)" -e floating-point -b 32 "$I/piano-f32.wav" vol 0.8 pad 0.5 0

bitexact() { # IN FMT [options]: capture == input from 0.5 s on
    local in=$1 fmt=$2
    shift 2
    say "== $(basename "$in") as $fmt $*"
    rm -f "$T/cap.raw"
    run play "$in" --device alsa:capraw --volume 0 --i-understand-loud --json "$@"
    expect_rc 0 || return
    local dev_fmt
    dev_fmt=$(sed -n 's/.*"format": "\([A-Z0-9_]*\)".*/\1/p' "$T/out.txt")
    say "      device format $dev_fmt, rate $(sed -n 's/.*"rate": \([0-9]*\).*/\1/p' "$T/out.txt")"
    local e=signed-integer b=16
    case $fmt in s32) b=32 ;; f32) e=floating-point b=32 ;; esac
    sox -V1 "$in" -t raw -e $e -b $b "$T/ref.raw"
    local n_ref n_cap
    n_ref=$(wc -c <"$T/ref.raw")
    n_cap=$(wc -c <"$T/cap.raw" 2>/dev/null || echo 0)
    check "capture length $n_cap bytes = input $n_ref bytes" [ "$n_cap" = "$n_ref" ]
    local line
    line=$("$PCMCMP" $fmt 2 "$T/ref.raw" "$T/cap.raw" 0.001 0.5 "$(soxi -V1 -r "$in")")
    say "      $line"
    check "offset 0 (the capture starts with the stream)" [ "$(field "$line" offset)" = 0 ]
    check "every sample after the ramp identical" [ "$(field "$line" mismatches)" = 0 ] &&
        [ "$(field "$line" compared)" = "$(field "$line" expected)" ]
    # the start: muted, then ramping (the first 2 ms are far below the input)
    local head
    head=$(sox -V1 -t raw -r "$(soxi -V1 -r "$in")" -e $e -b $b -c 2 "$T/cap.raw" -n trim 0 0.002 stats 2>&1 |
        awk '/^Pk lev dB/ { print $4 }')
    check "the start is a ramp from silence (peak of the first 2 ms: $head dBFS)" le "${head/-inf/-999}" -60
}

bitexact "$I/compus48.wav" s16
bitexact "$I/compus48.wav" s16 --period 64
bitexact "$I/guit24.wav" s32
bitexact "$I/piano-f32.wav" f32
bitexact "$I/garzul.wav" s16 --period 4096

# several files, one format: one chain, gapless — the capture is the files back to back
say "== gapless: compus48 + compus48 + compus48"
rm -f "$T/cap.raw"
run play "$I/compus48.wav" "$I/compus48.wav" "$I/compus48.wav" --device alsa:capraw --volume 0 --i-understand-loud
expect_rc 0
sox -V1 "$I/compus48.wav" "$I/compus48.wav" "$I/compus48.wav" -t raw "$T/ref3.raw"
line=$("$PCMCMP" s16 2 "$T/ref3.raw" "$T/cap.raw" 0.001 0.5 48000)
say "      $line"
check "three files back to back, identical after the first ramp" [ "$(field "$line" mismatches)" = 0 ] &&
    [ "$(field "$line" compared)" = "$(field "$line" expected)" ]

# resampling: 44.1 kHz music to a 96 kHz device; the chain (libsoxr VHQ)
# against sox's own `rate -v`, exact length, then a 48 kHz file (new chain)
say "== resampling: garzul 44.1 kHz -> 96 kHz, then compus 48 kHz -> 96 kHz"
rm -f "$T/cap.raw"
run play "$I/garzul.wav" "$I/compus48.wav" --device alsa:capraw --volume 0 --i-understand-loud --rate 96000 --json
expect_rc 0
n1=$(soxi -V1 -s "$I/garzul.wav")
n2=$(soxi -V1 -s "$I/compus48.wav")
want=$(( (n1 * 96000 + 22050) / 44100 + n2 * 2 ))
got=$(( $(wc -c <"$T/cap.raw") / 4 ))
check "length $got frames = round(n1 x 96000/44100) + 2 x n2 = $want" [ "$got" = "$want" ]
sox -V1 "$I/garzul.wav" -r 96000 "$T/g96.wav" rate -v
sox -V1 "$I/compus48.wav" -r 96000 "$T/c96.wav" rate -v
sox -V1 -t raw -r 96000 -e signed-integer -b 16 -c 2 "$T/cap.raw" "$T/cap96.wav"
ng=$(soxi -V1 -s "$T/g96.wav")
d1=$(sox -V1 -m -v 1 "$T/cap96.wav" -v -1 "$T/g96.wav" -n trim 0.5 7.9 stats 2>&1 | awk '/^RMS lev dB/ { print $4 }')
check "first file agrees with sox rate -v: difference $d1 dB RMS (< -80)" le "${d1/-inf/-999}" -80
sox -V1 "$T/cap96.wav" "$T/cap96b.wav" trim "${ng}s"
d2=$(sox -V1 -m -v 1 "$T/cap96b.wav" -v -1 "$T/c96.wav" -n trim 0.5 5.5 stats 2>&1 | awk '/^RMS lev dB/ { print $4 }')
check "second file (a new chain) agrees with sox rate -v: $d2 dB RMS (< -80)" le "${d2/-inf/-999}" -80

finish
