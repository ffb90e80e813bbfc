#!/bin/bash
# help: `hpamp --help` and `hpamp render --help` exit 0, print on stdout and
# mention every command / option (and every filter and dither name); each
# option the help lists is accepted in both its short and long spelling;
# `hpamp` alone and `hpamp frobnicate` are usage errors (exit 2);
# `hpamp --version` prints the version from meson.build.
#
# Usage: help.sh HPAMP VERSION
. "$(dirname "$0")/lib.sh" "$@"

VERSION=${2:-}

say "== hpamp --help"
for h in --help -h help; do
    run $h
    expect_rc 0
done
run --help
check "stderr empty" [ ! -s "$T/err.txt" ]
for w in render --help --version; do
    check "mentions '$w'" grep -qF -- "$w" "$T/out.txt"
done

say "== hpamp render --help"
for h in --help -h; do
    run render $h
    expect_rc 0
done
run render --help
check "stderr empty" [ ! -s "$T/err.txt" ]
cp "$T/out.txt" "$T/help.txt"
for w in -o --output -r --rate -f --filter -b --bits -v --volume -d --dither --json -q --quiet -h --help \
    linear steep minimum intermediate tpdf shaped none 16 24 32 float double .wav .flac 8000 768000; do
    check "mentions '$w'" grep -qwF -- "$w" "$T/help.txt"
done
# every long option in the help text is one render accepts
for opt in $(grep -oE -- '--[a-z][a-z-]+' "$T/help.txt" | sort -u); do
    [ "$opt" = --help ] && continue
    run render "$opt"
    check "render knows $opt (exit 2 for the missing operands, not unknown option)" eval '[ "$rc" -eq 2 ] && ! grep -q "unknown option" "$T/err.txt"'
done

say "== every option works in its short and its long spelling"
IN=$(music ambi_piano)
short_long() { # SHORT LONG VALUE
    local s=$1 l=$2 v=$3 a b
    if [ -n "$v" ]; then
        run render "$IN" -o "$T/s.wav" "$s" "$v"; a=$rc
        run render "$IN" -o "$T/l.wav" "$l" "$v"; b=$rc
    else
        run render "$IN" -o "$T/s.wav" "$s"; a=$rc
        run render "$IN" -o "$T/l.wav" "$l"; b=$rc
    fi
    check "$s $v and $l $v exit 0 (got $a, $b)" [ "$a$b" = 00 ]
    check "... and give the same file" cmp -s "$T/s.wav" "$T/l.wav"
}
short_long -r --rate 48000
check "... at 48000 Hz (soxi)" [ "$(srate "$T/s.wav")" = 48000 ]
short_long -f --filter steep
short_long -b --bits 24
check "... 24-bit (soxi)" [ "$(nbits "$T/s.wav")" = 24 ]
short_long -v --volume -3
short_long -d --dither shaped
short_long -q --quiet ""
run render "$IN" --output="$T/eq.wav" --rate=96000
expect_rc 0
check "--output=FILE --rate=HZ spelling: soxi says 96000 Hz" [ "$(srate "$T/eq.wav")" = 96000 ]
for f in linear steep minimum intermediate; do
    run render "$IN" -o "$T/f.wav" --rate 48000 --filter "$f"
    check "--filter $f accepted (exit $rc)" [ "$rc" -eq 0 ]
done
for d in tpdf shaped none; do
    run render "$IN" -o "$T/d.wav" --volume -1 --dither "$d"
    check "--dither $d accepted (exit $rc)" [ "$rc" -eq 0 ]
done

say "== usage errors at the top"
run
expect_rc 2
check "usage goes to stderr, not stdout" eval '[ ! -s "$T/out.txt" ] && grep -q render "$T/err.txt"'
run frobnicate
expect_rc 2
check "one 'hpamp: ' line naming 'frobnicate'" eval 'one_error_line "$T/err.txt" && grep -qF frobnicate "$T/err.txt"'
run --frobnicate
expect_rc 2

say "== hpamp --version"
for v in --version -V; do
    run $v
    expect_rc 0
done
run --version
if [ -n "$VERSION" ]; then
    check "prints 'hpamp $VERSION' (meson.build's version)" grep -qx "hpamp $VERSION" "$T/out.txt"
else
    check "prints 'hpamp X.Y.Z'" grep -qxE 'hpamp [0-9]+\.[0-9]+\.[0-9]+.*' "$T/out.txt"
fi

finish
