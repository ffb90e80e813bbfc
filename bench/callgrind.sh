#!/usr/bin/env bash
# callgrind.sh — instruction counts of the chain and of libsoxr alone.
#
# Usage: bench/callgrind.sh PATH/TO/chain_vs_soxr [SECONDS]
#        bench/callgrind.sh PATH/TO/stages_vs_sox [SECONDS]
#
# With stages_vs_sox: the headphone stages of issue 4 (no resampling), blocks
# of 4096 then 513 frames on SECONDS (default 4) of signal each, collecting
# inside chain_loop only; prints the total, each stage's inclusive Ir and the
# most expensive functions.
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

BIN=${1:?usage: callgrind.sh PATH/TO/chain_vs_soxr|stages_vs_sox [SECONDS]}
STAGES=0
[[ $(basename "$BIN") == stages_vs_sox* ]] && STAGES=1
if ((STAGES)); then SECS=${2:-4}; else SECS=${2:-2}; fi
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

# the stages: one profile of both block sizes, Ir per stage (inclusive)
if ((STAGES)); then
    if ! valgrind --tool=callgrind --callgrind-out-file="$WORK/stages.out" --toggle-collect=chain_loop \
        "$BIN" --only chain --seconds "$SECS" >"$WORK/log" 2>&1; then
        echo "callgrind: valgrind $BIN --only chain failed:" >&2
        cat "$WORK/log" >&2
        exit 1
    fi
    total=$(awk '/^(summary|totals):/ { n = $2 } END { if (n == "") exit 1; print n }' "$WORK/stages.out")
    echo "callgrind: the headphone stages, 2 x $SECS s of s16 stereo 44.1 kHz (blocks of 4096, then 513)"
    awk -v t="$total" -v secs="$SECS" 'BEGIN { printf "chain_loop: %d Ir (%.1f per frame)\n", t, t / (2 * secs * 44100) }'
    echo "stages (inclusive Ir):"
    callgrind_annotate --inclusive=yes --auto=no --threshold=100 "$WORK/stages.out" 2>/dev/null |
        awk -v secs="$SECS" 'BEGIN {
            # the stages in chain order: the s16 input, EQ (with its preamp),
            # crossfeed, volume (with the scan the limiter needs), limiter,
            # requantization to s16 (with the output scan)
            n = split("input eq crossfeed volume limiter requantize", label, " ")
            split("(hpa_to_double|[a-z0-9]+_s16_to_double) eq_run bs2b_cross_feed_d hpa_volume_process hpa_limiter_process hpa_requant_process", fn, " ")
        }
        $1 ~ /^[0-9,]+$/ {
            v = $1; gsub(",", "", v)
            # a function may be listed more than once (inlined header code,
            # the same file by two paths): its largest inclusive count is all of it
            for (k = 1; k <= n; k++) if ($0 ~ (":" fn[k] "( |$)") && v + 0 > ir[k] + 0) ir[k] = v
        }
        END { for (k = 1; k <= n; k++) printf "    %-11s %12d Ir  %6.1f per frame\n", label[k], ir[k], ir[k] / (2 * secs * 44100) }'
    echo "functions by their own instructions (exclusive Ir):"
    # through a file: head closing the pipe early would fail the script (pipefail)
    callgrind_annotate --inclusive=no --auto=no --threshold=100 "$WORK/stages.out" 2>/dev/null |
        awk '$1 ~ /^[0-9,]+$/ && $0 !~ /PROGRAM TOTALS/' >"$WORK/fns"
    sed -e 's|^ *|    |' -e 's|[^ ]*\.\./src/lib/|src/lib/|' -e 's|[^ ]*/sysdeps/[^:]*:|glibc:|' \
            -e 's| \[/[^]]*/\([^/]*\)\]$| [\1]|' "$WORK/fns" | head -n 12
    exit 0
fi

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
