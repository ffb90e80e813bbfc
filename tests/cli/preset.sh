#!/bin/bash
# preset: `hpamp preset list|show` and `hpamp render --preset NAME`.
#
#   - the built-ins are listed; a user file in $XDG_CONFIG_HOME/hpamp/presets
#     is listed as the user's and replaces a built-in of its name;
#   - the built-in hd600 preset renders exactly like --eq with AutoEq's HD 600
#     ParametricEQ.txt (tests/eq/data, byte-exact from AutoEq) plus
#     --crossfeed default --limit -1 (same samples), so its EQ is AutoEq's;
#   - a user preset with an [eq] file (relative to the preset's folder),
#     fcut_hz/feed_db and a limiter renders like the same flags;
#   - flags win over the preset; a volume ceiling holds the volume (sox
#     measures the level: input - 6 dB, +-0.01);
#   - a bad preset names FILE:LINE and fails (unknown section, unknown key,
#     value out of range, a malformed filter line); an unknown name fails.
. "$(dirname "$0")/lib.sh" "$@"

DATA=$(cd "$(dirname "$0")/../eq/data" && pwd)
garzul=$(music loop_garzul)
export XDG_CONFIG_HOME="$T/config"
P="$XDG_CONFIG_HOME/hpamp/presets"
mkdir -p "$P"

run preset list
expect_rc 0
for n in crossfeed speakers night hd600; do
    check "list: built-in $n" grep -q "^$n *built-in " "$T/out.txt"
done

say "== built-in hd600 = AutoEq's file + crossfeed default + limit -1"
run render "$garzul" -o "$T/a.wav" --bits float --preset hd600
expect_rc 0
run render "$garzul" -o "$T/b.wav" --bits float --eq "$DATA/sennheiser-hd-600/ParametricEQ.txt" \
    --crossfeed default --limit -1
expect_rc 0
check "same samples" [ "$(raw_md5 "$T/a.wav")" = "$(raw_md5 "$T/b.wav")" ]

say "== built-in hd600 on a mono file: the crossfeed is left out with a warning, the rest applies"
kick=$(music drum_heavy_kick)
run render "$kick" -o "$T/m1.wav" --bits float --preset hd600
expect_rc 0
check "one warning naming the preset's crossfeed and mono" \
    eval '[ "$(grep -c "^hpamp: " "$T/err.txt")" = 1 ] && grep -q "hd600.s crossfeed left out" "$T/err.txt"'
run render "$kick" -o "$T/m2.wav" --bits float --eq "$DATA/sennheiser-hd-600/ParametricEQ.txt" --limit -1
expect_rc 0
check "mono: same samples as its EQ and limiter alone" [ "$(raw_md5 "$T/m1.wav")" = "$(raw_md5 "$T/m2.wav")" ]
run render "$kick" -o "$T/m3.wav" --crossfeed default
expect_rc 1
check "an explicit --crossfeed on mono is still an error" grep -q "crossfeed needs a stereo input" "$T/err.txt"

say "== a user preset"
cp "$DATA/sennheiser-hd-650/ParametricEQ.txt" "$P/hd650.txt"
cat >"$P/mine.ini" <<'INI'
# my HD 650
[preset]
title = My HD 650
[eq]
file = hd650.txt   ; beside this file
[crossfeed]
fcut_hz = 800
feed_db = 5
[limiter]
ceiling_dbtp = -2
INI
run preset list
check "list: mine is the user's" grep -q "^mine *user *My HD 650" "$T/out.txt"
run preset show mine
expect_rc 0
check "show: names the file and the crossfeed" \
    eval 'grep -q "file $P/hd650.txt" "$T/out.txt" && grep -q "800 Hz, 5.0 dB" "$T/out.txt"'
run render "$garzul" -o "$T/c.wav" --bits float --preset mine
expect_rc 0
run render "$garzul" -o "$T/d.wav" --bits float --eq "$P/hd650.txt" --crossfeed 800,5 --limit -2
check "renders like the same flags" [ "$(raw_md5 "$T/c.wav")" = "$(raw_md5 "$T/d.wav")" ]
run render "$garzul" -o "$T/c.wav" --preset mine --crossfeed cmoy --json
check "a flag wins over the preset" grep -q '"crossfeed": {"preset": "cmoy"' "$T/out.txt"

say "== a user file replaces a built-in"
printf '[preset]\ntitle = mine now\n[crossfeed]\npreset = cmoy\n' >"$P/speakers.ini"
run preset list
check "speakers is the user's" grep -q "^speakers *user *mine now" "$T/out.txt"
check "and listed once" [ "$(grep -c '^speakers ' "$T/out.txt")" = 1 ]

say "== volume ceiling"
sox -V1 -n -r 48000 -c 2 -b 24 "$T/tone.wav" synth 2 sine 1000 gain -20
printf '[volume]\nmax_db = -6\n' >"$P/quiet.ini"
run render "$T/tone.wav" -o "$T/q.wav" --bits float --preset quiet --volume 3
expect_rc 0
want=$(awk -v a="$(stat_overall "$T/tone.wav" "RMS lev dB")" 'BEGIN { print a - 6 }')
got=$(stat_overall "$T/q.wav" "RMS lev dB")
check "level is input - 6 dB: $got vs $want" near "$got" "$want" 0.01

say "== errors"
bad() { # NAME LINE TEXT...: the preset fails naming FILE:LINE
    local name=$1 line=$2
    shift 2
    printf '%b' "$*" >"$P/$name.ini"
    rm -f "$T/x.wav"
    run render "$garzul" -o "$T/x.wav" --preset "$name"
    expect_rc 1
    check "$name: one error line naming $P/$name.ini:$line" \
        eval 'one_error_line "$T/err.txt" && grep -q "^hpamp: $P/$name.ini:$line: " "$T/err.txt"'
    check "$name: nothing written" [ ! -e "$T/x.wav" ]
}
bad badsection 3 '[preset]\n[speaker]\nx = 1\n'
bad badkey 3 '# c\n[limiter]\nceiling = -1\n'
bad badvalue 2 '[limiter]\nceiling_dbtp = 3\n'
bad badfilter 3 '[eq]\npreamp = -3\nfilter = ON PK Fc abc Hz Gain 3 dB Q 1\n'
bad badxf 2 '[crossfeed]\npreset = loud\n'
bad notini 1 'this is not ini\n'
bad ctrlvalue 2 '[limiter]\nceiling_dbtp = \033[31m-1\n'
check "ctrlvalue: the value quoted with its escape written \\x1b" grep -qF "'\\x1b[31m-1' is not a number" "$T/err.txt"
bad keyfirst 1 'title = x\n[preset]\n'
check "keyfirst: says the key comes before any section" grep -q "before any \\[section\\]" "$T/err.txt"
bad unclosed 2 '[preset]\n[eq\nfilter = ON PK Fc 1000 Hz Gain 3 dB Q 1\n'
check "unclosed: says the section is not closed ($(head -c 150 "$T/err.txt"))" grep -q "closing ']'" "$T/err.txt"

say "== lines longer than inih reads whole are refused, not split"
# inih reads a line into INI_MAX_LINE bytes (its header; 200 by default),
# newline and NUL included: 198 bytes of text is the most a line can hold.
imax=$(sed -n 's/^#define INI_MAX_LINE \([0-9]*\)$/\1/p' /usr/include/ini.h)
fits=$((${imax:-200} - 2))
# pad TEXT N: TEXT followed by spaces and one 'x' to exactly N bytes
pad() { python3 -c 'import sys; t=sys.argv[1]; n=int(sys.argv[2]); print(t + " " * (n - len(t) - 1) + "x", end="")' "$1" "$2"; }
# a filter whose comment runs past the limit, and a +12 dB filter written
# where the split would start a new line (the case found by hostile testing)
first='filter = ON PK Fc 100 Hz Gain -1 dB Q 1 ; '
long="$(pad "$first" $((fits + 1)))filter = ON PK Fc 1000 Hz Gain 12 dB Q 1"
len=${#long}
printf '[eq]\n%s\n' "$long" >"$P/longline.ini"
run preset show longline
expect_rc 1
check "a $len-byte line: one error naming $P/longline.ini:2" \
    eval 'one_error_line "$T/err.txt" && grep -q "^hpamp: $P/longline.ini:2: " "$T/err.txt"'
check "... which says how long it is ($len) and the most ($fits)" eval 'grep -q "$len" "$T/err.txt" && grep -q "$fits" "$T/err.txt"'
run render "$garzul" -o "$T/x.wav" --preset longline
expect_rc 1
check "render --preset longline: nothing written" [ ! -e "$T/x.wav" ]
for n in $fits $((fits + 1)); do
    printf '[preset]\r\n%s\r\n' "$(pad 'title = T' "$n")" >"$P/edge$n.ini"
done
run preset show "edge$fits"
expect_rc 0
check "a $fits-byte title line (CRLF) reads whole: its last character kept" \
    grep -q "^edge$fits (.*): T *x\$" "$T/out.txt"
run preset show "edge$((fits + 1))"
expect_rc 1
check "a $((fits + 1))-byte line is refused naming :2" grep -q "edge$((fits + 1)).ini:2: " "$T/err.txt"
rm -f "$P"/edge*.ini "$P/longline.ini"

run render "$garzul" -o "$T/x.wav" --preset no-such-preset
expect_rc 1
check "unknown preset: one error line" one_error_line "$T/err.txt"
run preset show ../etc/passwd
expect_rc 1
run preset show "$(printf 'no\nsuch\033]0;x')"
expect_rc 1
check "a name with a newline and an escape: one line, written no\\nsuch\\x1b]0;x" \
    eval 'one_error_line "$T/err.txt" && grep -qF "'"'"'no\nsuch\x1b]0;x'"'"'" "$T/err.txt"'
run preset
expect_rc 2

finish
