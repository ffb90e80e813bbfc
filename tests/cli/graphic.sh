#!/bin/bash
# graphic: `hpamp render --eq GraphicEQ.txt` (a GraphicEQ curve fitted with
# peaking filters) end to end.
#
#   AutoEq   a GraphicEQ line made here with awk from AutoEq's own computed
#            response of its HD 600 ParametricEQ.txt (tests/eq/data, the
#            parametric_eq column, sampled linear in log f at AutoEq's 127
#            GraphicEQ frequencies, gains to 0.1 dB as AutoEq prints them).
#            AutoEq states both files describe the same response, so real
#            music rendered through the GraphicEQ must match the render
#            through ParametricEQ.txt: the RMS of the difference lies more
#            than 36 dB below the music (sox measures both; about -42 dB is
#            reached).  Negative control: the HD 650's curve is further off
#            (about -24 dB; the test asks > -30).
#   mixed    Filter lines and a GraphicEQ line in one file apply both: a
#            constant -3 dB curve plus a PK band renders like sox's
#            `gain -13 equalizer ...` (Preamp -10 dB) to better than -90 dB.
#   summary  the GraphicEQ line of the summary and the --json fields.
#   preset   a user preset whose [eq] file is a GraphicEQ renders like --eq.
#   warnings a curve the fit cannot follow (a one-point spike) and points
#            above Nyquist each warn on one stderr line; the render works.
#   errors   a malformed GraphicEQ line names FILE:LINE, exit 1, no output.
. "$(dirname "$0")/lib.sh" "$@"

DATA=$(cd "$(dirname "$0")/../eq/data" && pwd)
garzul=$(music loop_garzul)

# graphic_from_csv CSV: a GraphicEQ line from AutoEq's parametric_eq column,
# at 20 * 1.0563^k Hz rounded (k = 0..126), as AutoEq writes GraphicEQ.txt
graphic_from_csv() {
    awk -F, 'BEGIN { n = 0 } NR > 1 { f[n] = $1 + 0; g[n] = $2 + 0; n++ }
        END {
            printf "GraphicEQ: "
            for (k = 0; k < 127; k++) {
                x = int(20 * 1.0563 ^ k + 0.5)
                if (x <= f[0]) v = g[0]
                else if (x >= f[n - 1]) v = g[n - 1]
                else {
                    for (i = 1; f[i] < x; i++) ;
                    t = log(x / f[i - 1]) / log(f[i] / f[i - 1])
                    v = g[i - 1] + t * (g[i] - g[i - 1])
                }
                printf "%s%d %.1f", k ? "; " : "", x, v
            }
            printf "\n"
        }' "$1"
}

say "== AutoEq: the HD 600 GraphicEQ renders like its ParametricEQ.txt"
# the same preamp in both (more than either needs, so used as given)
{ echo "Preamp: -10 dB"; graphic_from_csv "$DATA/sennheiser-hd-600/parametric_eq.csv"; } >"$T/g600.txt"
{ echo "Preamp: -10 dB"; graphic_from_csv "$DATA/sennheiser-hd-650/parametric_eq.csv"; } >"$T/g650.txt"
sed 's/^Preamp:.*/Preamp: -10 dB/' "$DATA/sennheiser-hd-600/ParametricEQ.txt" >"$T/p600.txt"
check "fixture: 127 points" [ "$(grep -o ';' "$T/g600.txt" | wc -l)" -eq 126 ]
run render "$garzul" -o "$T/p600.wav" --bits float --eq "$T/p600.txt"
expect_rc 0
run render "$garzul" -o "$T/g600.wav" --bits float --eq "$T/g600.txt"
expect_rc 0
check "no warning for AutoEq's curve" [ ! -s "$T/err.txt" ]
run render "$garzul" -o "$T/g650.wav" --bits float --eq "$T/g650.txt"
expect_rc 0
lvl=$(stat_overall "$T/p600.wav" "RMS lev dB")
d600=$(diff_db "$T/g600.wav" "$T/p600.wav")
d650=$(diff_db "$T/g650.wav" "$T/p600.wav")
check "measured: the music and both differences" [ -n "$lvl" ] && [ -n "$d600" ] && [ -n "$d650" ]
rel600=$(awk -v d="$d600" -v l="$lvl" 'BEGIN { printf "%.1f", d - l }')
rel650=$(awk -v d="$d650" -v l="$lvl" 'BEGIN { printf "%.1f", d - l }')
say "   music $lvl dBFS RMS; difference HD 600 graphic - parametric $d600 dBFS ($rel600 dB), HD 650 graphic $d650 dBFS ($rel650 dB)"
check "HD 600: GraphicEQ vs ParametricEQ difference < -36 dB re the music ($rel600)" \
    awk -v r="$rel600" 'BEGIN { exit !(r < -36) }'
check "negative control: the HD 650 curve is off by more (> -30 dB, $rel650)" \
    awk -v r="$rel650" 'BEGIN { exit !(r > -30) }'

say "== summary and --json"
run render "$garzul" -o "$T/s.wav" --eq "$T/g600.txt"
check "summary: GraphicEQ line" \
    grep -Eq '^        GraphicEQ: 127 points fitted with [0-9]+ peaking filters and 2 shelves, within 0\.[0-9]{2} dB \(max at [0-9.]+ k?Hz\)$' \
    "$T/out.txt"
run render "$garzul" -o "$T/s.wav" --eq "$T/g600.txt" --json
check "json: graphic_eq with 127 points, none ignored" \
    grep -q '"graphic_eq": {"points": 127, "points_ignored": 0, "bands": [0-9]*, "peaking": [0-9]*, "max_deviation_db": 0\.[0-9]*' \
    "$T/out.txt"
run render "$garzul" -o "$T/s.wav" --eq "$T/p600.txt" --json
check "json: graphic_eq null without a GraphicEQ line" grep -q '"graphic_eq": null' "$T/out.txt"

say "== Filter lines and a GraphicEQ line apply both"
printf 'Preamp: -10 dB\nFilter 1: ON PK Fc 1000 Hz Gain 6 dB Q 1.41\nGraphicEQ: 20 -3; 20000 -3\n' >"$T/mixed.txt"
run render "$garzul" -o "$T/mixed.wav" --bits float --eq "$T/mixed.txt" --json
expect_rc 0
check "json: 3 bands (1 + a shelf pair for the constant)" grep -q '"bands": 3, "preamp_db": -10.00' "$T/out.txt"
sox -V1 "$garzul" -e floating-point -b 32 "$T/mixed-sox.wav" gain -13 equalizer 1000 1.41q 6
d=$(diff_db "$T/mixed.wav" "$T/mixed-sox.wav")
check "vs sox gain -13 equalizer 1000 1.41q 6: difference $d dBFS < -90" awk -v d="$d" 'BEGIN { exit !(d < -90) }'

say "== a preset naming a GraphicEQ file"
export XDG_CONFIG_HOME="$T/config"
mkdir -p "$XDG_CONFIG_HOME/hpamp/presets"
cp "$T/g600.txt" "$XDG_CONFIG_HOME/hpamp/presets/g600.txt"
printf '[preset]\ntitle = HD 600 graphic\n[eq]\nfile = g600.txt\n' >"$XDG_CONFIG_HOME/hpamp/presets/g.ini"
run render "$garzul" -o "$T/pre.wav" --bits float --preset g
expect_rc 0
check "renders like --eq with the same file" \
    eval '[ -s "$T/pre.wav" ] && [ -s "$T/g600.wav" ] && [ "$(raw_md5 "$T/pre.wav")" = "$(raw_md5 "$T/g600.wav")" ]'

say "== warnings: a curve the fit cannot follow, points above Nyquist"
printf 'GraphicEQ: 20 0; 990 0; 1000 12; 1010 0; 20000 0\n' >"$T/spike.txt"
run render "$garzul" -o "$T/spike.wav" --eq "$T/spike.txt"
expect_rc 0
check "one warning line naming the file and the miss" \
    eval '[ "$(wc -l <"$T/err.txt")" -eq 1 ] && grep -q "^hpamp: warning: $T/spike.txt: the GraphicEQ fit misses the curve by up to [0-9.]* dB (at [0-9]* Hz)\$" "$T/err.txt"'
check "the output was written" [ -s "$T/spike.wav" ]
printf 'GraphicEQ: 20 -2; 1000 -1; 22050 -3; 30000 -4\n' >"$T/nyq.txt"
run render "$garzul" -o "$T/nyq.wav" --eq "$T/nyq.txt" --json
expect_rc 0
check "one warning: 2 points at or above 22050 Hz ignored" \
    eval '[ "$(wc -l <"$T/err.txt")" -eq 1 ] && grep -q "^hpamp: warning: $T/nyq.txt: 2 GraphicEQ points at or above 22050 Hz" "$T/err.txt"'
check "json: points_ignored 2" grep -q '"points": 4, "points_ignored": 2,' "$T/out.txt"
run render "$garzul" -o "$T/nyq.wav" --eq "$T/nyq.txt" --quiet
check "--quiet: no warning" [ ! -s "$T/err.txt" ]

say "== errors"
bad() { # NAME LINE TEXT: a malformed GraphicEQ names FILE:LINE, exit 1, nothing written
    printf "$3" >"$T/$1.txt"
    run render "$garzul" -o "$T/$1.wav" --eq "$T/$1.txt"
    check "$1: exit 1" [ "$rc" -eq 1 ]
    local where="^hpamp: $T/$1.txt:$2: .*GraphicEQ"
    check "$1: one line naming $1.txt:$2 and the GraphicEQ" \
        eval 'one_error_line "$T/err.txt" && grep -q "$where" "$T/err.txt"'
    check "$1: no output" [ ! -e "$T/$1.wav" ]
}
bad decreasing 2 '# comment\nGraphicEQ: 20 1; 10 2\n'
bad notanumber 1 'GraphicEQ: 20 1; 100 loud\n'
bad empty 3 'Preamp: -3 dB\n\nGraphicEQ:\n'
bad second 2 'GraphicEQ: 20 1\nGraphicEQ: 20 2\n'

finish
