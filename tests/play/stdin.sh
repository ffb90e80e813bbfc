#!/bin/bash
# stdin: `hpamp play -` plays what arrives on standard input, into a real
# ALSA PCM (the `file` plugin over `null`, as alsa.sh).  play opens "-"
# twice (the first file sets the device's format, then the decoder reads
# it), so this also proves the kept head of the stream is replayed.
#   - `sox IN -t wav - | hpamp play -`, `cat IN.flac | hpamp play -` and
#     headerless PCM with --raw: the capture is byte for byte the capture of
#     playing the file by path, and after the start ramp every sample is the
#     input's as sox decodes it (pcmcmp);
#   - garbage on standard input: one line naming "-", exit 1.
. "$(dirname "$0")/lib.sh" "$@"
alsa_conf

I=$T/in
mkdir -p "$I"
# 0.5 s of silence first: the start ramp happens there (alsa.sh)
sox -V1 -D "$(music loop_compus)" "$I/compus.wav" rate -v 48000 pad 0.5 0
sox -V1 "$I/compus.wav" "$I/compus.flac"
sox -V1 "$I/compus.wav" -t raw "$I/ref.raw"

"$HPAMP" play "$I/compus.wav" --device alsa:capraw --volume 0 --i-understand-loud --quiet </dev/null 2>"$T/err.txt"
cp "$T/cap.raw" "$T/bypath.raw" 2>/dev/null
check "by path: played (the reference capture, $(wc -c <"$T/bypath.raw" 2>/dev/null) bytes)" [ -s "$T/bypath.raw" ]

from_stdin() { # WHAT PRODUCER [options]: hpamp play - fed by PRODUCER
    local what=$1 producer=$2
    shift 2
    say "== $what | hpamp play - $*"
    rm -f "$T/cap.raw"
    bash -c "$producer" | "$HPAMP" play - --device alsa:capraw --volume 0 --i-understand-loud --quiet "$@" \
        >"$T/out.txt" 2>"$T/err.txt"
    rc=$?
    expect_rc 0 || return
    check "the capture is the by-path capture, byte for byte" cmp -s "$T/cap.raw" "$T/bypath.raw"
    local line
    line=$("$PCMCMP" s16 2 "$I/ref.raw" "$T/cap.raw" 0.001 0.5 48000)
    say "      $line"
    check "every sample after the ramp is the input's" [ "$(field "$line" mismatches)" = 0 ] &&
        [ "$(field "$line" compared)" = "$(field "$line" expected)" ]
}
from_stdin "sox compus.wav -t wav -" "sox -V1 '$I/compus.wav' -t wav -"
from_stdin "cat compus.flac" "cat '$I/compus.flac'"
from_stdin "sox compus.wav -t raw -" "sox -V1 '$I/compus.wav' -t raw -" --raw s16le:48000:2

say "== garbage on standard input"
head -c 100000 /dev/urandom | "$HPAMP" play - --device alsa:capraw --quiet >"$T/out.txt" 2>"$T/err.txt"
rc=$?
expect_rc 1
check "one line naming '-' ($(head -c 160 "$T/err.txt"))" eval 'one_error_line "$T/err.txt" && grep -q "^hpamp: -: " "$T/err.txt"'
finish
