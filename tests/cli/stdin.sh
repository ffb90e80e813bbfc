#!/bin/bash
# stdin: `hpamp render - -o OUT` reads its input from standard input.
#   - FLAC through a pipe (`cat x.flac | hpamp render - ...`), a WAV that sox
#     writes to a pipe with its length, and one of unknown length (sox's
#     stream header) longer than the 1 MiB kept for replay, through a rate
#     change and the headphone stages: the output file is byte for byte the
#     one rendered from the same input by path (sha256), and its samples are
#     the input's as sox decodes them where nothing changes them;
#   - headerless PCM with --raw ENC:RATE:CH, from a pipe and from a file: the
#     samples of the by-path render (sox -t raw | sha256sum);
#   - standard input redirected from a regular file (`< x.flac`);
#   - garbage, nothing at all, or a raw stream of nothing: one line naming
#     "-", exit 1, no output and no temporary file left;
#   - --normalize with "-" (it reads the input twice) and --raw with a bad
#     spec are usage errors (exit 2, one line); "-" redirected from the
#     output file itself is refused and leaves it untouched.
. "$(dirname "$0")/lib.sh" "$@"
need sha256sum

I=$T/in
mkdir -p "$I"
SRC=$(music loop_garzul) # 44.1 kHz 16-bit stereo FLAC
cp "$SRC" "$I/x.flac"
sox -V1 "$SRC" "$I/x.wav"
# 30 s of 24-bit stereo: its 8.6 MB pass the replay window many times over
sox -V1 -D "$SRC" "$SRC" "$SRC" "$SRC" "$SRC" -b 24 "$I/long.wav" rate -v 48000 repeat 4 trim 0 30
sha() { sha256sum "$1" | cut -d' ' -f1; }
samples_sha() { sox -V1 "$1" -t raw -e signed-integer -b 32 - | sha256sum | cut -d' ' -f1; }

D=$T/out
mkdir -p "$D"
# same_as_path NAME "PIPELINE PRODUCER" [render options]: render - from the
# producer and the file by path; the two outputs must be the same bytes
same_as_path() {
    local name=$1 producer=$2 path=$3
    shift 3
    say "== $producer | hpamp render - -o $name $*"
    rm -f "$D/$name" "$D/ref-$name"
    bash -c "$producer" | "$HPAMP" render - -o "$D/$name" --quiet "$@" 2>"$T/err.txt"
    rc=$?
    expect_rc 0 || return
    "$HPAMP" render "$path" -o "$D/ref-$name" --quiet "$@" 2>/dev/null
    check "the same bytes as rendering $(basename "$path") by path (sha256 $(sha "$D/$name" | head -c 12))" \
        [ "$(sha "$D/$name")" = "$(sha "$D/ref-$name")" ]
}

same_as_path flac.wav "cat '$I/x.flac'" "$I/x.flac"
check "and the samples are the FLAC's as sox decodes it (bypass)" \
    [ "$(samples_sha "$D/flac.wav")" = "$(samples_sha "$I/x.flac")" ]
same_as_path wav.flac "sox -V1 '$I/x.flac' -t wav -" "$I/x.wav" --rate 48000 --bits 24
same_as_path long.wav "cat '$I/long.wav'" "$I/long.wav" --rate 44100 --preset hd600
same_as_path long.flac "cat '$I/long.wav'" "$I/long.wav" --volume -6 --bits 16 --dither shaped

say "== a WAV stream of unknown length (sox raw -> wav on a pipe), 8.6 MB"
bash -c "sox -V1 '$I/long.wav' -t raw - | sox -V1 -t raw -r 48000 -c 2 -b 24 -e signed-integer - -t wav -" |
    "$HPAMP" render - -o "$D/unknown.wav" --quiet --rate 44100 2>"$T/err.txt"
rc=$?
expect_rc 0
"$HPAMP" render "$I/long.wav" -o "$D/ref-unknown.wav" --quiet --rate 44100
check "the samples of the by-path render" [ "$(samples_sha "$D/unknown.wav")" = "$(samples_sha "$D/ref-unknown.wav")" ]

say "== --raw s24le:48000:2 from a pipe and from a file"
sox -V1 "$I/long.wav" -t raw "$I/long.raw"
sox -V1 "$I/long.wav" -t raw - | "$HPAMP" render - --raw s24le:48000:2 -o "$D/raw.wav" --quiet 2>"$T/err.txt"
rc=$?
expect_rc 0
check "from a pipe: the input's samples" [ "$(samples_sha "$D/raw.wav")" = "$(samples_sha "$I/long.wav")" ]
run render "$I/long.raw" --raw s24le:48000:2 -o "$D/raw2.wav" --quiet --rate 96000
expect_rc 0
"$HPAMP" render "$I/long.wav" -o "$D/ref-raw2.wav" --quiet --rate 96000
check "from a file, resampled: the samples of the WAV's render" \
    [ "$(samples_sha "$D/raw2.wav")" = "$(samples_sha "$D/ref-raw2.wav")" ]
sox -V1 "$I/x.wav" -t raw -e floating-point -b 32 -B - |
    "$HPAMP" render - --raw f32be:44100:2 -o "$D/rawf.wav" --bits 16 --dither none --quiet 2>"$T/err.txt"
rc=$?
expect_rc 0
check "f32be back to 16 bits: the input's samples" [ "$(samples_sha "$D/rawf.wav")" = "$(samples_sha "$I/x.wav")" ]

say "== standard input redirected from a file"
"$HPAMP" render - -o "$D/redir.wav" --quiet <"$I/x.flac" 2>"$T/err.txt"
rc=$?
expect_rc 0
check "the same bytes as by path" [ "$(sha "$D/redir.wav")" = "$(sha "$D/flac.wav")" ]

bad_stdin() { # WHAT PRODUCER [options]: one line naming "-", exit 1, nothing left
    local what=$1 producer=$2
    shift 2
    say "== $what on standard input"
    local E
    E=$(mktemp -d "$T/bad.XXXXXX")
    bash -c "$producer" | "$HPAMP" render - -o "$E/o.wav" "$@" >"$T/out.txt" 2>"$T/err.txt"
    rc=$?
    expect_rc 1
    check "one line naming '-' ($(head -c 160 "$T/err.txt"))" eval 'one_error_line "$T/err.txt" && grep -q "^hpamp: -: " "$T/err.txt"'
    check "no output and no temporary left" only_entries "$E"
}
bad_stdin "garbage (100 kB of random bytes)" "head -c 100000 /dev/urandom"
bad_stdin "a FLAC cut after 3000 bytes" "head -c 3000 '$I/x.flac'"
bad_stdin "nothing" "true"
bad_stdin "nothing, as --raw" "true" --raw s16le:48000:2

say "== usage errors"
E=$(mktemp -d "$T/use.XXXXXX")
"$HPAMP" render - -o "$E/o.wav" --normalize -18 <"$I/x.flac" >"$T/out.txt" 2>"$T/err.txt"
rc=$?
expect_rc 2
check "--normalize with '-': one line saying it needs a file ($(cat "$T/err.txt"))" \
    eval 'one_error_line "$T/err.txt" && grep -q "give a file" "$T/err.txt"'
for spec in s16:48000:2 s16le:48000 s16le:4000:2 s16le:48000:0 s16le:48k:2; do
    run render - --raw "$spec" -o "$E/o.wav" </dev/null
    expect_rc 2
    check "--raw $spec: one line ($(head -c 120 "$T/err.txt"))" eval 'one_error_line "$T/err.txt" && grep -q -- "--raw" "$T/err.txt"'
done
check "nothing written" only_entries "$E"
cp "$I/x.wav" "$E/self.wav"
"$HPAMP" render - -o "$E/self.wav" <"$E/self.wav" >"$T/out.txt" 2>"$T/err.txt"
rc=$?
expect_rc 2
check "'-' from the output file itself: refused, the file untouched" \
    eval 'one_error_line "$T/err.txt" && cmp -s "$E/self.wav" "$I/x.wav"'
finish
