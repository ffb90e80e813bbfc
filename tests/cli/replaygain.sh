#!/bin/bash
# replaygain: `hpamp render --normalize LUFS` takes its gain from ReplayGain
# 2.0 tags when the file has them.  The tags are written here by the formats'
# own tools (metaflac for FLAC, vorbiscomment for Ogg Vorbis, ffmpeg's ID3v2
# muxer for MP3 TXXX frames, opusenc for Opus R128 comments); the expected gain is the closed form
#   gain = G + (T + 18)
# (ReplayGain 2.0's reference is -18 LUFS: a gain tag G brings the programme
# to -18 LUFS, so its loudness is -18 - G and the gain to a target T is
# T - (-18 - G)).  The level change is measured by sox (RMS amplitude of
# output over input, within 0.01 dB).  Without a peak limiter the gain stops
# where the peak tag would pass 0 dBFS.  --album picks the album tags,
# --normalize-measure and untagged files measure, malformed tags are warned
# about (naming the tag) and ignored.
. "$(dirname "$0")/lib.sh" "$@"
need metaflac vorbiscomment ffmpeg opusenc

# change_db A B: 20 log10(RMS(B) / RMS(A)), sox's RMS amplitudes
change_db() {
    awk -v a="$(rms_amp "$1")" -v b="$(rms_amp "$2")" 'BEGIN { if (a > 0 && b > 0) printf "%.4f", 20 * log(b / a) / log(10) }'
}
json_field() { grep -o "\"$1\": [^,}]*" "$T/out.txt" | head -1 | cut -d' ' -f2 | tr -d '"'; }
expected() { awk -v g="$1" -v t="$2" 'BEGIN { printf "%.4f", g + t + 18 }'; }

garzul=$(music loop_garzul)
# a quiet copy of real music, so that gains of +10 dB stay far from full scale
sox -V1 "$garzul" -b 24 "$T/plain.flac" gain -20
cp "$T/plain.flac" "$T/track.flac"
metaflac --set-tag="REPLAYGAIN_TRACK_GAIN=-4.50 dB" --set-tag=REPLAYGAIN_TRACK_PEAK=0.500000 "$T/track.flac"

for target in -18 -23 -12; do
    run render "$T/track.flac" -o "$T/o.wav" --bits float --normalize "$target" --json
    expect_rc 0 || continue
    want=$(expected -4.50 "$target")
    got=$(change_db "$T/track.flac" "$T/o.wav")
    check "FLAC track gain -4.50 dB to $target LUFS: level change $got dB = $want (+-0.01)" near "$got" "$want" 0.01
    check "json: source replaygain-track" [ "$(json_field source)" = replaygain-track ]
    check "json: replaygain_gain_db -4.50" [ "$(json_field replaygain_gain_db)" = -4.50 ]
done

# the human summary names the tag
run render "$T/track.flac" -o "$T/o.wav" --bits float --normalize -18
check "summary: ReplayGain track gain -4.50 dB" grep -q "ReplayGain track gain -4.50 dB" "$T/out.txt"

# album tags: --album picks them, without it the track's
cp "$T/plain.flac" "$T/album.flac"
metaflac --set-tag="REPLAYGAIN_TRACK_GAIN=-4.50 dB" --set-tag=REPLAYGAIN_TRACK_PEAK=0.5 \
    --set-tag="REPLAYGAIN_ALBUM_GAIN=+2.25 dB" --set-tag=REPLAYGAIN_ALBUM_PEAK=0.25 "$T/album.flac"
run render "$T/album.flac" -o "$T/o.wav" --bits float --normalize -20 --album --json
expect_rc 0
got=$(change_db "$T/album.flac" "$T/o.wav")
check "FLAC --album: album gain +2.25 to -20 LUFS: change $got dB = 0.25 (+-0.01)" near "$got" 0.25 0.01
check "json: source replaygain-album" [ "$(json_field source)" = replaygain-album ]
run render "$T/album.flac" -o "$T/o.wav" --bits float --normalize -20 --json
got=$(change_db "$T/album.flac" "$T/o.wav")
check "FLAC without --album: track gain -4.50 to -20 LUFS: change $got dB = -6.50 (+-0.01)" near "$got" -6.50 0.01
# --album on a file with only track tags: the track gain, and the summary says so
run render "$T/track.flac" -o "$T/o.wav" --bits float --normalize -18 --album
expect_rc 0
got=$(change_db "$T/track.flac" "$T/o.wav")
check "--album without album tags: track gain, change $got dB = -4.50 (+-0.01)" near "$got" -4.50 0.01
check "summary: no album gain tag" grep -q "no album gain tag" "$T/out.txt"

# the peak tag holds the gain back without --limit: +10 dB wanted, peak 0.5
# (-6.02 dBFS) allows 20 log10(2) = 6.0206 dB
cp "$T/plain.flac" "$T/hot.flac"
metaflac --set-tag="REPLAYGAIN_TRACK_GAIN=+10.00 dB" --set-tag=REPLAYGAIN_TRACK_PEAK=0.5 "$T/hot.flac"
run render "$T/hot.flac" -o "$T/o.wav" --bits float --normalize -18 --json
expect_rc 0
got=$(change_db "$T/hot.flac" "$T/o.wav")
check "peak tag 0.5 holds +10 dB at 6.0206 dB: change $got (+-0.01)" near "$got" 6.0206 0.01
check "json: wanted_gain_db 10.00" [ "$(json_field wanted_gain_db)" = 10.00 ]
run render "$T/hot.flac" -o "$T/o.wav" --bits float --normalize -18 --limit -1 --json
check "with --limit the whole +10 dB is asked" [ "$(json_field gain_db)" = 10.00 ]

# Ogg Vorbis (lower-case keys, as some taggers write them)
sox -V1 "$T/plain.flac" -C 5 "$T/v.ogg"
vorbiscomment -w -t "replaygain_track_gain=-3.20 dB" -t "replaygain_track_peak=0.3" "$T/v.ogg"
run render "$T/v.ogg" -o "$T/o.wav" --bits float --normalize -18 --json
expect_rc 0
got=$(change_db "$T/v.ogg" "$T/o.wav")
check "Ogg Vorbis track gain -3.20 dB: change $got dB = -3.20 (+-0.01)" near "$got" -3.20 0.01
check "json: Ogg source replaygain-track" [ "$(json_field source)" = replaygain-track ]

# MP3 with ID3v2.3 and ID3v2.4 TXXX frames written by ffmpeg; compared with
# hpamp's own 0 dB decode (sox's MP3 decoder may trim differently)
sox -V1 "$T/plain.flac" -C 192 "$T/raw.mp3"
for v in 3 4; do
    ffmpeg -hide_banner -loglevel error -y -i "$T/raw.mp3" -c copy -id3v2_version $v \
        -metadata REPLAYGAIN_TRACK_GAIN="-7.25 dB" -metadata REPLAYGAIN_TRACK_PEAK=0.4 "$T/t$v.mp3"
    run render "$T/t$v.mp3" -o "$T/mp3plain.wav" --bits float
    run render "$T/t$v.mp3" -o "$T/o.wav" --bits float --normalize -18 --json
    expect_rc 0 || continue
    got=$(change_db "$T/mp3plain.wav" "$T/o.wav")
    check "MP3 ID3v2.$v TXXX gain -7.25 dB: change $got dB = -7.25 (+-0.01)" near "$got" -7.25 0.01
    check "json: MP3 ID3v2.$v source replaygain-track" [ "$(json_field source)" = replaygain-track ]
done

# no tags: measured
for f in plain.flac raw.mp3; do
    run render "$T/$f" -o "$T/o.wav" --bits float --normalize -18 --json
    expect_rc 0
    check "$f without tags: source measured" [ "$(json_field source)" = measured ]
    check "$f without tags: replaygain_gain_db null" [ "$(json_field replaygain_gain_db)" = null ]
done
# --normalize-measure ignores the tags: the measured gain is not the tag's
run render "$T/track.flac" -o "$T/o.wav" --bits float --normalize -18 --normalize-measure --json
expect_rc 0
check "--normalize-measure: source measured" [ "$(json_field source)" = measured ]
check "--normalize-measure: no tag gain" [ "$(json_field replaygain_gain_db)" = null ]
run render "$T/plain.flac" -o "$T/o.wav" --bits float --normalize -18 --json
plain_gain=$(json_field gain_db)
run render "$T/track.flac" -o "$T/o.wav" --bits float --normalize -18 --normalize-measure --json
check "--normalize-measure: the same gain as the untagged file ($plain_gain)" [ "$(json_field gain_db)" = "$plain_gain" ]

# malformed values: a warning naming the tag and value, then measured
for bad in "loud" "-7,03 dB" "-4.5 dBFS" "nan" "+99 dB" ""; do
    cp "$T/plain.flac" "$T/bad.flac"
    metaflac --set-tag="REPLAYGAIN_TRACK_GAIN=$bad" "$T/bad.flac"
    run render "$T/bad.flac" -o "$T/o.wav" --bits float --normalize -18 --json
    expect_rc 0
    check "malformed '$bad': warned" grep -q "REPLAYGAIN_TRACK_GAIN '$bad'.*ignored" "$T/err.txt"
    check "malformed '$bad': measured" [ "$(json_field source)" = measured ]
done
# a malformed peak: the gain is used, the peak ignored (no cap)
cp "$T/plain.flac" "$T/badpeak.flac"
metaflac --set-tag="REPLAYGAIN_TRACK_GAIN=+10 dB" --set-tag="REPLAYGAIN_TRACK_PEAK=-1" "$T/badpeak.flac"
run render "$T/badpeak.flac" -o "$T/o.wav" --bits float --normalize -18 --json
expect_rc 0
check "malformed peak: warned" grep -q "REPLAYGAIN_TRACK_PEAK '-1'" "$T/err.txt"
got=$(change_db "$T/badpeak.flac" "$T/o.wav")
check "malformed peak: the gain +10 dB applies uncapped: change $got (+-0.01)" near "$got" 10 0.01
# a malformed album gain with --album: the track gain
cp "$T/track.flac" "$T/badalbum.flac"
metaflac --set-tag="REPLAYGAIN_ALBUM_GAIN=x" "$T/badalbum.flac"
run render "$T/badalbum.flac" -o "$T/o.wav" --bits float --normalize -18 --album --json
check "malformed album gain: warned" grep -q "REPLAYGAIN_ALBUM_GAIN 'x'" "$T/err.txt"
check "malformed album gain with --album: track gain" [ "$(json_field source)" = replaygain-track ]

# usage: --album / --normalize-measure need --normalize
for flag in --album --normalize-measure; do
    run render "$T/track.flac" -o "$T/o.wav" "$flag"
    expect_rc 2
    check "$flag without --normalize: one error line" one_error_line "$T/err.txt"
done

# Ogg Opus: R128_TRACK_GAIN / R128_ALBUM_GAIN (RFC 7845) written by opusenc,
# 1/256 dB to -23 LUFS: G = Q/256 + 5 to -18 LUFS.  The level change is
# measured against ffmpeg's decoding of the same file (0.01 dB)
sox -V1 "$T/plain.flac" -b 16 -r 48000 "$T/plain48.wav"
opusenc --quiet --comment R128_TRACK_GAIN=-1024 --comment R128_ALBUM_GAIN=512 "$T/plain48.wav" "$T/t.opus"
ffmpeg -v error -i "$T/t.opus" -ar 48000 -c:a pcm_f32le "$T/t-dec.wav"
for mode in track album; do
    q=$([ $mode = track ] && echo -1024 || echo 512)
    run render "$T/t.opus" -o "$T/o.wav" --bits float --normalize -18 $([ $mode = album ] && echo --album) --json
    expect_rc 0 || continue
    want=$(awk -v q="$q" 'BEGIN { printf "%.4f", q / 256 + 5 }')
    got=$(change_db "$T/t-dec.wav" "$T/o.wav")
    check "Opus R128 $mode gain $q/256 dB at -23 LUFS to -18 LUFS: level change $got dB = $want (+-0.01)" \
        near "$got" "$want" 0.01
    check "json: source replaygain-$mode" [ "$(json_field source)" = "replaygain-$mode" ]
done

finish
