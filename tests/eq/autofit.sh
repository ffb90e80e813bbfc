#!/bin/bash
# autofit: `hpamp eq fit` (src/lib/eq_auto.c) against AutoEq on its own data.
#
# For the HD 600 and HD 650 (tests/eq/data: AutoEq's result.csv with `raw`
# and `target`, and its ParametricEQ.txt), fit_ref.py computes -- with its own
# RBJ biquads, in python3 -- the residual error (RMS of raw + EQ - target over
# 20 Hz..10 kHz on AutoEq's grid, mean removed) of AutoEq's parametric EQ and
# of the file hpamp wrote, with the same number of filters and inside
# AutoEq's bounds (Q <= 6, boosts <= +12 dB); hpamp's must be no worse.  The
# same at hpamp's default +6 dB boost limit.  Every filter written boosts no
# more than --max-gain and is stable at 44.1..768 kHz.  Bad measurement files
# give FILE:LINE and exit 1, and write nothing.
#
# Usage: autofit.sh HPAMP
. "$(dirname "$0")/../harness.sh" eq-fit "$@"
need python3
DATA=$(cd "$(dirname "$0")/data" && pwd)
REF="python3 $(cd "$(dirname "$0")" && pwd)/fit_ref.py"

run() {
    "$HPAMP" "$@" >"$T/out.txt" 2>"$T/err.txt"
    rc=$?
}

for hp in 600 650; do
    dir=$DATA/sennheiser-hd-$hp
    peq=$dir/ParametricEQ.txt
    [ -f "$dir/result_ParametricEQ.txt" ] && peq=$dir/result_ParametricEQ.txt # the .txt of result.csv's commit
    n=$(grep -c '^Filter' "$peq")
    autoeq=$($REF residual "$dir/result.csv" "$peq" 44100)
    for gain in 12 6; do
        out=$T/hd$hp-$gain.txt
        run eq fit "$dir/result.csv" --target harman-over-ear-2018 --rate 44100 --max-filters "$n" \
            --max-q 6 --max-gain "$gain" -o "$out"
        if [ "$rc" -ne 0 ]; then
            fail "HD $hp, +$gain dB: exit $rc: $(cat "$T/err.txt")"
            continue
        fi
        ours=$($REF residual "$dir/result.csv" "$out" 44100)
        say "HD $hp, $n filters, boosts <= +$gain dB: AutoEq $autoeq dB, hpamp $ours dB," \
            "difference $(awk -v a="$autoeq" -v b="$ours" 'BEGIN { printf "%+.3f", b - a }') dB"
        check "HD $hp +$gain dB: hpamp's residual ($ours dB) is no worse than AutoEq's ($autoeq dB)" \
            awk -v a="$autoeq" -v b="$ours" 'BEGIN { exit !(b <= a) }'
        verdict=$($REF check "$out" "$gain" 6 "$n")
        check "HD $hp +$gain dB: $n filters, none boosts > $gain dB or Q > 6, all stable 44.1..768 kHz ($verdict)" \
            [ "$verdict" = ok ]
        said=$(awk '/^residual/ { print $2 }' "$T/out.txt")
        check "HD $hp +$gain dB: the residual printed ($said) is the one computed here ($ours) within 0.01 dB" \
            awk -v a="$said" -v b="$ours" 'BEGIN { d = a - b; exit !(d < 0.01 && d > -0.01) }'
    done
done

# Other limits are kept too: 5 filters, +3 dB, Q <= 2, at 768 kHz
run eq fit "$DATA/sennheiser-hd-650/result.csv" --target harman-over-ear-2018 --rate 768000 --max-filters 5 \
    --max-gain 3 --max-q 2 -o "$T/small.txt"
verdict=$($REF check "$T/small.txt" 3 2 5)
check "5 filters, +3 dB, Q <= 2 at 768 kHz: kept, stable ($verdict)" [ "$rc" -eq 0 ] && [ "$verdict" = ok ]

# The same points as REW writes them (notes, tabs, a phase column) and as
# squig.link (spaces), and with semicolons and decimal commas, fit the same.
csv=$DATA/sennheiser-hd-600/result.csv
python3 - "$csv" "$T" <<'PY'
import csv, sys
rows = [(r['frequency'], r['raw']) for r in csv.DictReader(open(sys.argv[1]))]
with open(sys.argv[2] + '/rew.txt', 'w') as f:
    f.write('* Measurement data measured by REW V5.20\n* Freq(Hz)\tSPL(dB)\tPhase(degrees)\n')
    f.writelines('%s\t%s\t0.0\n' % r for r in rows)
with open(sys.argv[2] + '/squig.txt', 'w') as f:
    f.writelines('%s %s\n' % r for r in rows)
with open(sys.argv[2] + '/semi.csv', 'w') as f:
    f.write('Frequency;dB\n')
    f.writelines('%s;%s\n' % (a.replace('.', ','), b.replace('.', ',')) for a, b in rows)
PY
run eq fit "$csv" --target harman-over-ear-2018 -o "$T/ref.txt"
for form in rew.txt squig.txt semi.csv; do
    run eq fit "$T/$form" --target harman-over-ear-2018 -o "$T/$form.eq"
    check "$form: read as the AutoEq CSV (the same EQ)" cmp -s "$T/ref.txt" "$T/$form.eq"
done

# --bass, --treble, --tilt change the target: with the target itself as the
# measurement, the EQ is the change (mean removed), computed here.
cp "$(dirname "$0")/../../data/targets/harman-over-ear-2018.csv" "$T/self.csv"
for adj in "--bass 4" "--treble -3" "--tilt 0.5" "--bass -2 --tilt -0.3"; do
    # shellcheck disable=SC2086 # the options split on purpose
    run eq fit "$T/self.csv" --target harman-over-ear-2018 -o "$T/adj.txt" $adj
    # shellcheck disable=SC2086
    err=$(python3 - "$T/adj.txt" $adj <<PY
import math, sys
sys.path.insert(0, '$(cd "$(dirname "$0")/../common" && pwd)')
from rbj import read_parametric, set_db
bands = read_parametric(sys.argv[1])
a = dict(zip(sys.argv[2::2], map(float, sys.argv[3::2])))
fs = 48000
want = lambda f: (set_db([('LSC', 105, a.get('--bass', 0), 0.7)], 192000, f) +
                  set_db([('HSC', 10000, a.get('--treble', 0), 0.7)], 192000, f) + a.get('--tilt', 0) * math.log2(f / 1000))
fr = [20 * 2 ** (k / 48) for k in range(0, 430)]
d = [set_db(bands, fs, f) - want(f) for f in fr if f <= 10000]
m = sum(d) / len(d)
print('%.3f' % math.sqrt(sum((x - m) ** 2 for x in d) / len(d)))
PY
)
    check "target $adj: exit $rc, the EQ is the change within 0.3 dB RMS (${err} dB)" \
        awk -v r="$rc" -v e="$err" 'BEGIN { exit !(r == 0 && e != "" && e < 0.3) }'
done

# Bad measurement files: FILE:LINE (or FILE) and the reason, exit 1, no output.
bad() { # NAME CONTENT EXPECTED-PREFIX
    printf '%b' "$2" >"$T/$1"
    rm -f "$T/bad.out"
    run eq fit "$T/$1" --target harman-over-ear-2018 -o "$T/bad.out"
    if [ "$rc" -eq 1 ] && grep -q "^hpamp: $T/$3" "$T/err.txt" && [ "$(wc -l <"$T/err.txt")" -eq 1 ] &&
        [ ! -e "$T/bad.out" ]; then
        pass "$1: exit 1, '$(cut -c1-90 "$T/err.txt" | sed "s|$T/||")'"
    else
        fail "$1: rc $rc, stderr: $(cat "$T/err.txt")"
    fi
}
bad junk.txt '20 1\n100 2\nhello world\n1000 3\n' 'junk.txt:3: '
bad one.txt 'frequency,raw\n1000,0\n' 'one.txt: only one point'
bad empty.txt '' 'empty.txt: no points'
bad unsorted.txt '20 1\n1000 2\n500 3\n' 'unsorted.txt:3: .*unsorted'
bad duplicate.txt '20 1\n1000 2\n1000 3\n' 'duplicate.txt:3: .*duplicate'
bad nan.txt '20 1\n100 nan\n1000 3\n' 'nan.txt:2: .*not finite'
bad inf.txt '20 1\ninf 2\n' 'inf.txt:2: .*not finite'
bad zero.txt '0 1\n20 2\n' 'zero.txt:1: .*above 0 Hz'
bad nolevel.txt '20 1\n100\n' 'nolevel.txt:2: no level'
bad far.txt '30000 1\n40000 2\n50000 3\n' 'far.txt: .*no overlap'
bad binary.txt '20 1\n\0\0\0\n' 'binary.txt:2: '
bad commas.txt '20 1\n, ,\n1000 2\n' 'commas.txt:2: not a point'
run eq fit "$T/missing.txt" --target harman-over-ear-2018 -o "$T/bad.out"
check "a missing file: exit 1, named" [ "$rc" -eq 1 ] && grep -q "missing.txt: cannot read" "$T/err.txt"
run eq fit "$csv" --target "$T/junk.txt" -o "$T/bad.out"
check "a bad target file: exit 1, FILE:LINE" [ "$rc" -eq 1 ] && grep -q "junk.txt:3: " "$T/err.txt"

# Usage errors: exit 2
for args in "--max-gain 31" "--max-filters 0" "--max-filters 33" "--max-q 0.1" "--rate 4000" "--tilt 9" \
    "--bass x" "--preset ../x"; do
    # shellcheck disable=SC2086 # the options split on purpose
    run eq fit "$csv" --target harman-over-ear-2018 -o "$T/u.txt" $args
    check "eq fit $args: exit 2" [ "$rc" -eq 2 ]
done
run eq fit "$csv" -o "$T/u.txt"
check "no --target: exit 2" [ "$rc" -eq 2 ]
run eq nothing
check "eq nothing: exit 2" [ "$rc" -eq 2 ]

finish
