#!/usr/bin/env bash
# eq_setup_scaling.sh — the EQ set-up's work is linear in the band count.
#
# Usage: eq_setup_scaling.sh PATH/TO/eq_setup_work [SMALL BIG]   (default 256 4096)
#
# Runs eq_setup_work at SMALL and at BIG bands under valgrind --tool=callgrind
# and takes each stage's inclusive instruction count (exact and repeatable,
# unlike a time): parsing the text, the automatic headroom (hpa_eq_peak_db),
# creating the chain and handing it the band set.  A stage passes when its
# count at BIG bands is at most 1.25 x (BIG / SMALL) its count at SMALL bands:
# linear work, with room for the fixed part.  The quadratic search before
# issue 9, item 12 does 16x more per band at 4096 than at 256.
# Exit 0 pass, 1 fail or error, 77 skip (no valgrind, or a sanitizer build).
set -euo pipefail
export LC_ALL=C

BIN=${1:?usage: eq_setup_scaling.sh PATH/TO/eq_setup_work [SMALL BIG]}
SMALL=${2:-256}
BIG=${3:-4096}
if ! command -v valgrind >/dev/null || ! command -v callgrind_annotate >/dev/null; then
    echo "eq_setup_scaling: SKIP: valgrind is not installed"
    exit 77
fi
if [[ $("$BIN" --sanitized) != 0 ]]; then
    echo "eq_setup_scaling: SKIP: a sanitizer build (valgrind cannot run it)"
    exit 77
fi
WORK=$(mktemp -d "${TMPDIR:-/tmp}/hpamp-eq-scaling.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# counts N -> "parse peak chain" inclusive Ir
counts() {
    local n=$1
    if ! valgrind --tool=callgrind --callgrind-out-file="$WORK/$n.out" "$BIN" "$n" >"$WORK/log" 2>&1; then
        echo "eq_setup_scaling: valgrind $BIN $n failed:" >&2
        cat "$WORK/log" >&2
        exit 1
    fi
    callgrind_annotate --inclusive=yes --auto=no --threshold=100 "$WORK/$n.out" 2>/dev/null |
        awk '$1 ~ /^[0-9,]+$/ {
                v = $1; gsub(",", "", v)
                for (k = 1; k <= 3; k++) if ($0 ~ (":stage_" name[k] "( |$)") && v + 0 > ir[k] + 0) ir[k] = v
            }
            BEGIN { split("parse peak chain", name, " ") }
            END { if (ir[1] == "" || ir[2] == "" || ir[3] == "") exit 1; print ir[1], ir[2], ir[3] }'
}

read -r p1 k1 c1 < <(counts "$SMALL") || { echo "eq_setup_scaling: no counts at $SMALL bands" >&2; exit 1; }
read -r p2 k2 c2 < <(counts "$BIG") || { echo "eq_setup_scaling: no counts at $BIG bands" >&2; exit 1; }
echo "eq_setup_scaling: instructions (callgrind, inclusive) at $SMALL and $BIG bands"
fail=0
row() {
    local name=$1 a=$2 b=$3
    awk -v name="$name" -v a="$a" -v b="$b" -v s="$SMALL" -v g="$BIG" 'BEGIN {
        limit = 1.25 * g / s; r = b / a
        printf "  %-36s %12.0f Ir %12.0f Ir  %8.1f per band -> %8.1f  ratio %6.2f <= %5.2f %s\n",
            name, a, b, a / s, b / g, r, limit, r <= limit ? "PASS" : "FAIL"
        exit r <= limit ? 0 : 1 }' || fail=1
}
row "parse (hpa_eq_parse, twice)" "$p1" "$p2"
row "automatic headroom (hpa_eq_peak_db)" "$k1" "$k2"
row "chain (create, set_eq)" "$c1" "$c2"
exit $fail
