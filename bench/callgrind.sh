#!/usr/bin/env bash
# callgrind.sh — instruction counts of the chain and of libsoxr alone.
#
# Usage: bench/callgrind.sh PATH/TO/chain_vs_soxr [SECONDS]
#
# Runs chain_vs_soxr --only chain and --only soxr under
# `valgrind --tool=callgrind`, collecting only inside the processing loops
# (chain_run / soxr_run: set-up, warm-up and the test signal are left out),
# for block sizes 4096 and 1 on SECONDS (default 2) of the test signal.
# Instruction counts repeat exactly from run to run, unlike times on a noisy
# machine, so this is the number to watch when changing a kernel.  Valgrind's
# simulated CPU has no AVX-512, so libsoxr may take a different SIMD path
# than it does natively; the counts compare like with like all the same.
#
# Prints Ir for each side, the chain's extra instructions over soxr alone, and
# the chain's own functions with the most instructions.  Exit 0, 1 on error,
# 77 (skip) without valgrind.
set -euo pipefail
export LC_ALL=C

BIN=${1:?usage: callgrind.sh PATH/TO/chain_vs_soxr [SECONDS]}
SECS=${2:-2}
if ! command -v valgrind >/dev/null || ! command -v callgrind_annotate >/dev/null; then
    echo "callgrind: SKIP: valgrind is not installed (apt-get install valgrind)"
    exit 77
fi
WORK=$(mktemp -d "${TMPDIR:-/tmp}/hpamp-callgrind.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# count SIDE BLOCK -> prints the Ir total; keeps the profile in $WORK
count() {
    local side=$1 block=$2 fn
    fn=${side}_run
    if ! valgrind --tool=callgrind --callgrind-out-file="$WORK/$side.$block.out" --toggle-collect="$fn" \
        "$BIN" --only "$side" --blocks "$block" --seconds "$SECS" >"$WORK/log" 2>&1; then
        echo "callgrind: valgrind $BIN --only $side failed:" >&2
        cat "$WORK/log" >&2
        exit 1
    fi
    # "summary: N" (older valgrind) or "totals: N"
    awk '/^(summary|totals):/ { n = $2 } END { if (n == "") exit 1; print n }' "$WORK/$side.$block.out"
}

echo "callgrind: instructions (Ir) inside the processing loops, $SECS s of s16 stereo 44.1 kHz -> 352.8 kHz"
printf '%6s %16s %16s %12s %14s\n' "block" "chain Ir" "soxr Ir" "chain/soxr" "chain extra"
for block in 4096 1; do
    c=$(count chain "$block")
    s=$(count soxr "$block")
    awk -v b="$block" -v c="$c" -v s="$s" -v secs="$SECS" 'BEGIN {
        samples = secs * 352800 * 2
        printf "%6d %16.0f %16.0f %11.2fx %+13.1f %%   (%.1f extra instructions per output sample)\n",
               b, c, s, c / s, (c / s - 1) * 100, (c - s) / samples
    }'
done
echo
# exclusive Ir per function; the library's own lines name a file under src/lib/
callgrind_annotate --inclusive=no --auto=no --threshold=100 "$WORK/chain.4096.out" 2>/dev/null |
    awk '$1 ~ /^[0-9,]+$/ && $0 !~ /PROGRAM TOTALS/' >"$WORK/fns"
awk -v secs="$SECS" '/src\/lib\// { gsub(",", "", $1); own += $1 } END {
    printf "chain, block 4096: %.0f Ir in libhpamp'"'"'s own code (%.1f per output sample); the rest is libsoxr and libc\n",
           own, own / (secs * 352800 * 2) }' "$WORK/fns"
echo "functions by their own instructions (exclusive Ir):"
sed -e 's|^ *|    |' -e 's|[^ ]*\.\./src/lib/|src/lib/|' -e 's|[^ ]*/sysdeps/[^:]*:|glibc:|' -e 's| \[/[^]]*/\([^/]*\)\]$| [\1]|' "$WORK/fns" | head -n 10
exit 0
