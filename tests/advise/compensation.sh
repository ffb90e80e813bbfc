#!/bin/bash
# compensation: `hpamp advise --compensation-eq OUT` end to end.  The fit's
# accuracy against the divider's closed form is tests/model/test_compensation.c;
# here: the file is written and read back by python3 (its own RBJ biquads),
# its bands cancel the change advise reports (a consistency check between two
# outputs of the same model, within 0.1 dB), boosts stay <= 12 dB, a source
# whose output impedance is not known is refused (exit 1, no file), and a
# resistive load needs no bands.
. "$(dirname "$0")/lib.sh" "$@"

run advise --headphones sennheiser-hd-650 --source "1.0V,75ohm" --compensation-eq "$T/comp.txt"
check "HD 650 on 75 ohm: exit 0 (stderr: $(head -c 200 "$T/err"))" [ "$rc" -eq 0 ]
check "... wrote the file" [ -s "$T/comp.txt" ]
# advise's own line: "response  +0.62 dB at 100 Hz worst, ..."
worst=$(awk '$1 == "response" { print $2, $5; exit }' "$T/out")
verdict=$(python3 - "$T/comp.txt" $worst "$(cd "$(dirname "$0")/../common" && pwd)" <<'PY'
import sys
sys.path.insert(0, sys.argv[4])
from rbj import read_parametric, set_db
bands = read_parametric(sys.argv[1])
change, at = float(sys.argv[2]), float(sys.argv[3])
eq = set_db(bands, 48000, at) - set_db(bands, 48000, 1000)
ok = bands and abs(eq + change) <= 0.1 and all(b[2] <= 12 for b in bands)
print('ok' if ok else 'bad', '%d bands, EQ %+.3f dB at %g Hz against the change %+.2f dB' % (len(bands), eq, at, change))
PY
)
check "... the bands cancel the change: $verdict" [ "${verdict%% *}" = ok ]

rm -f "$T/c2.txt"
run advise --headphones sennheiser-hd-650 --source "2.0V" --compensation-eq "$T/c2.txt"
check "output impedance not known: exit 1, said, no file" \
    eval '[ "$rc" -eq 1 ] && grep -q "compensation-eq: the output impedance of 2.0V is not known" "$T/err" && [ ! -e "$T/c2.txt" ]'

run advise --headphones "32ohm,100dB/mW" --source "1.0V,10ohm" --compensation-eq "$T/c3.txt"
check "a resistive load: exit 0, no bands" eval '[ "$rc" -eq 0 ] && [ "$(grep -c "^Filter" "$T/c3.txt")" -eq 0 ]'
finish
