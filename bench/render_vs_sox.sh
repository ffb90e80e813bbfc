#!/usr/bin/env bash
# render_vs_sox.sh — `hpamp render` beside sox, file to file, in one run.
#
# Usage: bench/render_vs_sox.sh PATH/TO/hpamp [ROUNDS]
#
# Makes 60 s of real music (CC0 loops from Sonic Pi, 44.1 kHz/16-bit stereo
# FLAC) and converts it to 352.8 kHz/24-bit WAV:
#   hpamp  hpamp render IN -o OUT.wav --rate 352800 --bits 24      (linear, TPDF)
#   sox    sox IN -b 24 OUT.wav rate -v 352800 dither -s
# ROUNDS times (default 5), alternating which goes first, and prints the median
# wall time of each, x realtime, and hpamp's speed over sox's (goal >= 2x).
# For information, the same for `--filter steep` (peer: sox rate -v -b 99.5)
# and for the default filter with both writing to tmpfs (/dev/shm), which
# leaves the disk's writeback out.
#
# Not a test: a missed goal prints MISS and still exits 0.  Exit 1 means
# something failed to run; 77 (skip) when sox or the samples are missing.
set -euo pipefail
export LC_ALL=C

HPAMP=${1:?usage: render_vs_sox.sh PATH/TO/hpamp [ROUNDS]}
ROUNDS=${2:-5}
SAMPLES=${HPA_BENCH_SAMPLES:-/usr/share/sonic-pi/samples}
SECONDS_OF_MUSIC=60
GOAL=2

if [[ ! -x $HPAMP ]]; then
    echo "render_vs_sox: $HPAMP is not an executable" >&2
    exit 1
fi
if ! command -v sox >/dev/null; then
    echo "render_vs_sox: SKIP: sox is not installed (apt-get install sox libsox-fmt-all)"
    exit 77
fi
# every loop but loop_amen*: all are 44.1 kHz, 16-bit, stereo
LOOPS=(loop_garzul loop_compus loop_mika loop_safari loop_tabla loop_3d_printer loop_drone_g_97
       loop_weirdo loop_electric loop_mehackit1 loop_breakbeat loop_perc1)
FILES=()
for l in "${LOOPS[@]}"; do
    f=$SAMPLES/$l.flac
    if [[ ! -r $f ]]; then
        echo "render_vs_sox: SKIP: $f is missing (apt-get install sonic-pi-samples)"
        exit 77
    fi
    FILES+=("$f")
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/hpamp-bench.XXXXXX")
SHM=
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
    rm -rf "$WORK"
    if [[ -n $SHM ]]; then rm -rf "$SHM"; fi
}
trap cleanup EXIT
if [[ -d /dev/shm && -w /dev/shm ]]; then
    SHM=$(mktemp -d /dev/shm/hpamp-bench.XXXXXX)
fi

IN=$WORK/music.flac
# the loops, twice over, cut to exactly 60 s
sox "${FILES[@]}" "${FILES[@]}" "$IN" trim 0 "$SECONDS_OF_MUSIC"
DUR=$(soxi -D "$IN")
echo "render_vs_sox: $("$HPAMP" --version 2>/dev/null | head -n1) vs sox $(sox --version | sed "s/^.*SoX v//")"
echo "input: $(printf %.1f "$DUR") s of music (${#LOOPS[@]} CC0 Sonic Pi loops), $(soxi -r "$IN") Hz, $(soxi -b "$IN")-bit, $(soxi -c "$IN") ch FLAC"
echo "output: 352800 Hz 24-bit WAV; $ROUNDS rounds, hpamp and sox alternating; median wall seconds per run"
echo

# run_timed OUTFILE CMD... : run, print the wall seconds, delete OUTFILE
run_timed() {
    local out=$1
    shift
    local t0=$EPOCHREALTIME
    if ! "$@" >"$WORK/log" 2>&1; then
        echo "render_vs_sox: failed: $*" >&2
        cat "$WORK/log" >&2
        exit 1
    fi
    local t1=$EPOCHREALTIME
    if [[ ! -s $out ]]; then
        echo "render_vs_sox: $* wrote no $out" >&2
        exit 1
    fi
    rm -f "$out"
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f\n", b - a }'
}

median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.4f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

printf '%-34s %8s %7s  %8s %7s  %14s\n' "case" "hpamp s" "x rt" "sox s" "x rt" "hpamp/sox speed"

# compare LABEL DIR GOAL HPAMP_ARGS -- SOX_EFFECTS   (GOAL empty: information only)
compare() {
    local label=$1 dir=$2 goal=$3
    shift 3
    local hargs=() sargs=()
    while [[ $1 != -- ]]; do hargs+=("$1"); shift; done
    shift
    sargs=("$@")
    local th=() ts=() r
    for ((r = 0; r < ROUNDS; r++)); do
        if ((r % 2 == 0)); then
            th+=("$(run_timed "$dir/hpamp.wav" "$HPAMP" render "$IN" -o "$dir/hpamp.wav" -q "${hargs[@]}")")
            ts+=("$(run_timed "$dir/sox.wav" sox "$IN" -b 24 "$dir/sox.wav" "${sargs[@]}")")
        else
            ts+=("$(run_timed "$dir/sox.wav" sox "$IN" -b 24 "$dir/sox.wav" "${sargs[@]}")")
            th+=("$(run_timed "$dir/hpamp.wav" "$HPAMP" render "$IN" -o "$dir/hpamp.wav" -q "${hargs[@]}")")
        fi
    done
    local mh ms
    mh=$(median "${th[@]}")
    ms=$(median "${ts[@]}")
    awk -v l="$label" -v h="$mh" -v s="$ms" -v d="$DUR" -v g="$goal" 'BEGIN {
        ratio = s / h
        verdict = g == "" ? "(information)" : (ratio >= g ? "goal >= " g "x  PASS" : "goal >= " g "x  MISS")
        printf "%-34s %8.3f %7.1f  %8.3f %7.1f  %13.2fx  %s\n", l, h, d / h, s, d / s, ratio, verdict
    }'
    echo "    rounds: hpamp ${th[*]} | sox ${ts[*]}"
    echo "    hpamp render ${hargs[*]} | sox -b 24 ${sargs[*]}"
}

compare "linear (default filter), TPDF" "$WORK" "$GOAL" --rate 352800 --bits 24 -- rate -v 352800 dither -s
compare "steep" "$WORK" "" --rate 352800 --bits 24 --filter steep -- rate -v -b 99.5 352800 dither -s
if [[ -n $SHM ]]; then
    compare "linear, both writing to tmpfs" "$SHM" "" --rate 352800 --bits 24 -- rate -v 352800 dither -s
fi
echo
echo "ratio = sox median seconds / hpamp median seconds (above 1: hpamp is faster)."
echo "A MISS is reported, not a failure.  sox has no shaped dither at 352.8 kHz and falls back to TPDF;"
echo "The tmpfs row leaves the disk out: on disk a render this size is bound by writeback, for both."
exit 0
