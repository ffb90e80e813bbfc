#!/bin/bash
# errors: every way `hpamp render` can fail.  Each case checks
#   - the exit status (hpamp render --help: 1 failure, 2 usage error),
#   - stderr is exactly one line starting "hpamp: " that names the offending
#     file (or option value), and stdout is empty,
#   - the output folder holds no OUT and no temporary ".NAME.hpamp-...".
. "$(dirname "$0")/lib.sh" "$@"

SRC=$(music ambi_piano)
I=$T/inputs                     # inputs live apart from the output folders
mkdir -p "$I"
cp "$SRC" "$I/in.flac"

# ---------------------------------------------------------------- bad inputs (exit 1)
fail_case "missing input" 1 "$I/nosuch.flac" "$I/nosuch.flac" -o o.wav
grep -qi "no such file" "$T/err.txt" && pass "says why (No such file)" || fail "does not say why"

printf 'This is a text file, not audio.\n%.0s' $(seq 50) >"$I/text.wav"
fail_case "a text file named .wav" 1 "$I/text.wav" "$I/text.wav" -o o.wav

: >"$I/empty.flac"
fail_case "an empty file" 1 "$I/empty.flac" "$I/empty.flac" -o o.wav

mkdir -p "$I/adir.flac"
fail_case "a folder as input" 1 "$I/adir.flac" "$I/adir.flac" -o o.wav

head -c $(($(stat -c %s "$SRC") / 2)) "$SRC" >"$I/truncated.flac"
fail_case "a FLAC cut in half" 1 "$I/truncated.flac" "$I/truncated.flac" -o o.wav

cp "$SRC" "$I/corrupt.flac"
size=$(stat -c %s "$I/corrupt.flac")
yes garbage | head -c 4096 | dd of="$I/corrupt.flac" bs=1 seek=$((size / 2)) conv=notrunc status=none
fail_case "a FLAC with 4 KiB of garbage in the middle" 1 "$I/corrupt.flac" "$I/corrupt.flac" -o o.wav

cp "$SRC" "$I/bitflip.flac"
byte=$(od -An -tu1 -j $((size / 2)) -N1 "$SRC" | tr -d ' ')
printf "\\$(printf %03o $((255 - byte)))" | dd of="$I/bitflip.flac" bs=1 seek=$((size / 2)) conv=notrunc status=none
check "fixture: one byte differs" [ "$(cmp -l "$SRC" "$I/bitflip.flac" | wc -l)" -eq 1 ]
fail_case "a FLAC with one byte inverted (frame CRC mismatch)" 1 "$I/bitflip.flac" "$I/bitflip.flac" -o o.wav

head -c 100 "$SRC" >"$I/stub.flac"
fail_case "a FLAC cut to its first 100 bytes" 1 "$I/stub.flac" "$I/stub.flac" -o o.wav

sox -V1 -n -r 44100 -c 9 -b 16 "$I/nine.wav" synth 0.2 sine 440
check "fixture: soxi says 9 channels" [ "$(nchan "$I/nine.wav")" = 9 ]
fail_case "a 9-channel file (most is 8)" 1 "$I/nine.wav" "$I/nine.wav" -o o.wav

sox -V1 -n -r 4000 -c 1 -b 16 "$I/4k.wav" synth 0.2 sine 440
check "fixture: soxi says 4000 Hz" [ "$(srate "$I/4k.wav")" = 4000 ]
fail_case "a 4 kHz file (least is 8 kHz)" 1 "$I/4k.wav" "$I/4k.wav" -o o.wav

# ---------------------------------------------------------------- bad outputs
fail_case "output in a folder that does not exist" 1 "/nonexistent-hpamp-dir/o.wav" \
    "$I/in.flac" -o /nonexistent-hpamp-dir/o.wav
fail_case "output under a regular file (/etc/passwd/x.wav)" 1 "/etc/passwd/x.wav" \
    "$I/in.flac" -o /etc/passwd/x.wav
D=$(mktemp -d "$T/case.XXXXXX")
mkdir "$D/o.wav"
say "== output is an existing folder o.wav"
(cd "$D" && "$HPAMP" render "$I/in.flac" -o o.wav) >"$T/out.txt" 2>"$T/err.txt"
rc=$?
expect_rc 1
check "one 'hpamp: ' line naming o.wav" eval 'one_error_line "$T/err.txt" && grep -qF o.wav "$T/err.txt"'
check "only the folder is left (no temporary file)" only_entries "$D" o.wav
check "the folder is still empty" only_entries "$D/o.wav"

fail_case "output extension .mp3" 2 "o.mp3" "$I/in.flac" -o o.mp3
fail_case "output with no extension" 2 "out" "$I/in.flac" -o out
fail_case "output extension .ogg" 2 "o.ogg" "$I/in.flac" -o o.ogg

# ---------------------------------------------------------------- bad options (exit 2)
for v in 7999 768001 abc 44100.5 -48000 '' 4.41e4 '48000 '; do
    fail_case "--rate '$v'" 2 "'$v'" "$I/in.flac" -o o.wav --rate "$v"
done
for v in 8 20 64 floats ''; do
    fail_case "--bits '$v'" 2 "'$v'" "$I/in.flac" -o o.wav --bits "$v"
done
for v in sinc fast vhq ''; do
    fail_case "--filter '$v'" 2 "'$v'" "$I/in.flac" -o o.wav --filter "$v"
done
for v in rectangular triangular yes ''; do
    fail_case "--dither '$v'" 2 "'$v'" "$I/in.flac" -o o.wav --dither "$v"
done
for v in 24.01 -120.5 nan inf -inf 1e 6dB '' loud; do
    fail_case "--volume '$v'" 2 "'$v'" "$I/in.flac" -o o.wav --volume "$v"
done
fail_case "missing -o" 2 "" "$I/in.flac"
fail_case "-o without a value" 2 "-o" "$I/in.flac" -o
fail_case "--rate without a value" 2 "--rate" "$I/in.flac" -o o.wav --rate
fail_case "no input" 2 "" -o o.wav
fail_case "two inputs" 2 "$I/in.flac" "$I/in.flac" "$I/in.flac" -o o.wav
fail_case "unknown long option" 2 "--frobnicate" "$I/in.flac" -o o.wav --frobnicate
fail_case "unknown short option" 2 "-x" "$I/in.flac" -o o.wav -x

# ---------------------------------------------------------------- OUT is IN (exit 2)
# same_as_input DESC OUT-NAME [setup]: the input folder is the output folder
same_as_input() {
    local desc=$1 out=$2 before after
    set -- "$@" ""
    D=$(mktemp -d "$T/same.XXXXXX")
    cp "$SRC" "$D/in.flac"
    case $3 in
        hard) ln "$D/in.flac" "$D/$out" ;;
        sym) ln -s in.flac "$D/$out" ;;
        symin) mv "$D/in.flac" "$D/real.flac" && ln -s real.flac "$D/in.flac" ;;
        parent) out="../$(basename "$D")/in.flac" ;;
    esac
    before=$(ls -A "$D")
    local sum0
    sum0=$(md5sum <"$SRC" | cut -d' ' -f1)
    say "== $desc"
    (cd "$D" && "$HPAMP" render in.flac -o "$out") >"$T/out.txt" 2>"$T/err.txt"
    rc=$?
    expect_rc 2
    check "one 'hpamp: ' line naming $out" eval 'one_error_line "$T/err.txt" && grep -qF -- "$out" "$T/err.txt"'
    after=$(ls -A "$D")
    check "folder unchanged: no temporary file" [ "$before" = "$after" ]
    check "input untouched (md5)" [ "$(md5sum <"$D/in.flac" | cut -d' ' -f1)" = "$sum0" ]
}
same_as_input "OUT is IN" in.flac
same_as_input "OUT is ./IN" ./in.flac
same_as_input "OUT is IN by another path (../DIR/in.flac)" in.flac parent
same_as_input "OUT is a hard link to IN" hard.flac hard
same_as_input "OUT is a symlink to IN" sym.flac sym
same_as_input "IN is a symlink to OUT" real.flac symin

finish
