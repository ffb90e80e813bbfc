#!/bin/bash
# formats: `hpamp render` reads WAV, FLAC, Ogg Vorbis and MP3 (fixtures made
# from real music with sox) and writes WAV or FLAC chosen by OUT's extension,
# with the rate, channel count, sample size and length soxi reports:
# frames = input frames * out rate / in rate.  FLAC cannot hold 32-bit or
# float samples: asking for them is a usage error (exit 2).
. "$(dirname "$0")/lib.sh" "$@"

SRC=$(music ambi_piano)          # 2.8 s, 44.1 kHz/16-bit stereo
I=$T/in
mkdir -p "$I"
cp "$SRC" "$I/in.flac"
sox -V1 "$SRC" "$I/in.wav" || { fail "sox could not make the WAV fixture"; finish; }
sox -V1 "$SRC" "$I/in.ogg" || { fail "sox could not make the Ogg Vorbis fixture"; finish; }
have_mp3=0
if sox -h 2>&1 | grep -i '^AUDIO FILE FORMATS' | grep -qw mp3 && sox -V1 "$SRC" "$I/in.mp3" 2>/dev/null; then
    have_mp3=1
else
    say "SKIP  reading MP3: this sox cannot write MP3 fixtures"
fi
N_IN=$(frames "$SRC")
umask 022

# ---------------------------------------------------------------- reading
read_case() { # FILE BITS_EXPECTED
    local f=$1 name out n_ref
    name=$(basename "$f")
    out="$T/read-$name.wav"
    say "== read $name"
    run render "$f" -o "$out"
    expect_rc 0 || return 1
    check "rate 44100, 2 channels, $2-bit" [ "$(srate "$out") $(nchan "$out") $(nbits "$out")" = "44100 2 $2" ]
}

for f in in.wav in.flac; do
    if read_case "$I/$f" 16; then
        out="$T/read-$f.wav"
        check "frames = soxi's $N_IN" [ "$(frames "$out")" = "$N_IN" ]
        check "samples identical to sox's decode of $f (md5)" [ "$(raw_md5 "$out")" = "$(raw_md5 "$I/$f")" ]
    fi
done

# decoded lossy files: 24-bit by default; same length as libvorbis says
if read_case "$I/in.ogg" 24; then
    out="$T/read-in.ogg.wav"
    n_ref=$(frames "$I/in.ogg")
    check "frames = soxi's $n_ref" [ "$(frames "$out")" = "$n_ref" ]
    # sox decodes Vorbis to 16 bits: its own rounding is near -101 dBFS RMS
    sox -V1 "$I/in.ogg" -e floating-point -b 32 "$T/ogg-sox.wav"
    d=$(diff_db "$out" "$T/ogg-sox.wav")
    check "matches sox's decode of the Ogg to $d dBFS RMS (<= -90)" le "$d" -90
fi

if [ "$have_mp3" = 1 ] && read_case "$I/in.mp3" 24; then
    out="$T/read-in.mp3.wav"
    # MP3 decoders differ in how much encoder delay/padding they trim (sox
    # uses libmad, libsndfile mpg123): allow two MP3 frames, and compare
    # levels instead of samples.
    n_ref=$(frames "$I/in.mp3")
    n=$(frames "$out")
    check "frames $n within 2304 of soxi's $n_ref" near "$n" "$n_ref" 2304
    a=$(stat_overall "$out" "RMS lev dB")
    b=$(stat_overall "$I/in.mp3" "RMS lev dB")
    check "RMS level $a dBFS within 0.2 dB of sox's decode ($b dBFS)" near "$a" "$b" 0.2
fi

# ---------------------------------------------------------------- writing
# write_case OUTNAME BITS_EXPECTED ENCODING_GLOB MAGIC RATE [hpamp options...]
write_case() {
    local name=$1 bits=$2 enc=$3 magic=$4 rate=$5 out got
    shift 5
    out="$T/$name"
    say "== in.flac -> $name $*"
    run render "$I/in.flac" -o "$out" "$@"
    expect_rc 0 || return
    check "file starts with '$magic'" [ "$(head -c 4 "$out")" = "$magic" ]
    got="$(srate "$out") $(nchan "$out") $(nbits "$out")"
    check "soxi: rate $rate, 2 channels, $bits bits (got $got)" [ "$got" = "$rate 2 $bits" ]
    got=$(encoding "$out")
    check "soxi encoding '$got' is $enc" eval "[[ \"\$got\" == $enc ]]"
    got=$(frames "$out")
    check "frames $got = $N_IN * $rate / 44100" resampled_frames_ok "$got" "$N_IN" 44100 "$rate"
    got=$(stat -c %a "$out")
    check "mode $got is 644 (0666 less umask 022)" [ "$got" = 644 ]
}

write_case w16.wav 16 '*Signed*' RIFF 44100 --bits 16 --volume -1
write_case w24.wav 24 '*Signed*' RIFF 48000 --bits 24 --rate 48000
write_case w32.wav 32 '*Signed*' RIFF 96000 --bits 32 --rate 96000
write_case wf.wav 32 '*Floating*' RIFF 352800 --bits float --rate 352800
write_case wd.wav 64 '*Floating*' RIFF 22050 --bits double --rate 22050
write_case same.wav 16 '*Signed*' RIFF 44100
write_case f16.flac 16 '*FLAC*' fLaC 44100 --volume -3
write_case f24.flac 24 '*FLAC*' fLaC 88200 --bits 24 --rate 88200
write_case UPPER.FLAC 16 '*FLAC*' fLaC 32000 --rate 32000 --bits 16

# a float source into FLAC with no --bits: FLAC's widest, 24-bit
sox -V1 "$SRC" -e floating-point -b 32 "$I/float.wav" vol 0.5
say "== float WAV -> FLAC, no --bits"
run render "$I/float.wav" -o "$T/fromfloat.flac"
expect_rc 0 && check "24-bit FLAC (soxi -b: $(nbits "$T/fromfloat.flac"))" [ "$(nbits "$T/fromfloat.flac")" = 24 ]

# FLAC holds 16 or 24 bits only: usage error, nothing written
for b in 32 float double; do
    say "== FLAC with --bits $b"
    d=$(mktemp -d "$T/flac$b.XXXXXX")
    run render "$I/in.flac" -o "$d/o.flac" --bits "$b"
    expect_rc 2
    check "one 'hpamp: ' line on stderr naming o.flac" eval 'one_error_line "$T/err.txt" && grep -q "o.flac" "$T/err.txt"'
    check "nothing written" only_entries "$d"
done

finish
