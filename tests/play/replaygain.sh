#!/bin/bash
# replaygain: `hpamp play --replaygain track|album` on the ALSA file PCM.
# Files tagged by the Debian tools (metaflac; opusenc's R128 comments), a
# 1 kHz sine at 0.25 (-12 dBFS peak); levels by sox stats on the capture
# against the input's, at --volume -30:
#   FLAC  REPLAYGAIN_TRACK_GAIN -6.00 dB, ALBUM -2.50 dB: track -36, album
#         -32.5 (0.05 dB); an untagged copy -30;
#   Opus  R128_TRACK_GAIN -1536 (RFC 7845: 1/256 dB to -23 LUFS, so -6 dB
#         there and -1 dB to ReplayGain's -18 LUFS): -31 (0.1 dB, lossy);
#   EQ    with --eq one +6 dB peaking band at 1 kHz and the peak tag 0.25:
#         without ReplayGain the preamp is -6 (the band's peak) and 1 kHz
#         plays at -30; with it, as render --normalize does, the headroom
#         comes from the peak after the gain (-12 - 6 = -18 dBTP, 18 dB
#         below the limiter's 0 dBTP, more than the band's 6): preamp 0,
#         so 1 kHz plays at -30 - 6 + 6 = -30 (taken after the preamp had
#         been the band's, it would be -36).
. "$(dirname "$0")/lib.sh" "$@"
need metaflac opusenc ffmpeg
alsa_conf
rms() { sox -V1 -t raw -r 48000 -e signed-integer -b 32 -c 2 "$T/cap.raw" -n trim 1 1 remix 1 stats 2>&1 | awk '/^RMS lev dB/ { print $4 }'; }
inrms() { sox -V1 "$1" -n trim 1 1 remix 1 stats 2>&1 | awk '/^RMS lev dB/ { print $4 }'; }

sox -V1 -n -r 48000 -c 2 -b 16 "$T/s.wav" synth 3 sine 1000 vol 0.25
sox -V1 "$T/s.wav" "$T/a.flac"
cp "$T/a.flac" "$T/plain.flac"
metaflac --set-tag="REPLAYGAIN_TRACK_GAIN=-6.00 dB" --set-tag="REPLAYGAIN_ALBUM_GAIN=-2.50 dB" \
    --set-tag="REPLAYGAIN_TRACK_PEAK=0.250000" "$T/a.flac"
opusenc --quiet --comment R128_TRACK_GAIN=-1536 "$T/s.wav" "$T/b.opus"
ffmpeg -v error -i "$T/b.opus" -ar 48000 "$T/b.wav"
in=$(inrms "$T/s.wav")
inopus=$(inrms "$T/b.wav")

# playlevel FILE WANT TOL ARGS...: play at -30 and check the capture's level
playlevel() {
    local f=$1 want=$2 tol=$3
    shift 3
    rm -f "$T/cap.raw"
    run play "$f" --device alsa:capraw --volume -30 --json "$@"
    expect_rc 0
    check "$(basename "$f") $*: $(rms) dB, want $want ($tol)" near "$(rms)" "$want" "$tol"
}
playlevel "$T/a.flac" "$(awk -v i="$in" 'BEGIN { print i - 36 }')" 0.05 --replaygain track
playlevel "$T/a.flac" "$(awk -v i="$in" 'BEGIN { print i - 32.5 }')" 0.05 --replaygain album
playlevel "$T/plain.flac" "$(awk -v i="$in" 'BEGIN { print i - 30 }')" 0.05 --replaygain track
playlevel "$T/b.opus" "$(awk -v i="$inopus" 'BEGIN { print i - 31 }')" 0.1 --replaygain track
playlevel "$T/a.flac" "$(awk -v i="$in" 'BEGIN { print i - 30 }')" 0.05

printf 'Filter 1: ON PK Fc 1000 Hz Gain 6.0 dB Q 1.00\n' >"$T/eq.txt"
playlevel "$T/a.flac" "$(awk -v i="$in" 'BEGIN { print i - 30 }')" 0.05 --eq "$T/eq.txt"
playlevel "$T/a.flac" "$(awk -v i="$in" 'BEGIN { print i - 30 }')" 0.05 --eq "$T/eq.txt" --replaygain track

run play "$T/a.flac" --device alsa:capraw --replaygain loud
check "--replaygain loud: exit 2, said" eval '[ "$rc" -eq 2 ] && grep -q "replaygain takes track or album" "$T/err.txt"'
finish
