#!/usr/bin/env bash
# advise_vs_ffmpeg.sh — the `hpamp advise --music` scan beside ffmpeg's
# ebur128 filter, over the same files, in one run.
#
# Usage: bench/advise_vs_ffmpeg.sh PATH/TO/hpamp [ROUNDS]
#
# The music: every CC0 Sonic Pi sample but loop_amen* (about 160 FLAC files,
# 44.1 kHz/16-bit stereo, about 320 s in all), through symbolic links in one
# folder.  Both measure integrated loudness and true peak of every file:
#   hpamp   hpamp advise --headphones hd600 --source sh-6 --music DIR --json
#           (one process, a worker per core)
#   ffmpeg  ffmpeg -nostdin -i F -af ebur128=peak=true -f null -
#           for each file in turn, as ffmpeg is used for this
# ROUNDS times (default 5), alternating which goes first; prints the median
# wall time of each, the throughput in seconds of audio per second, and
# hpamp's speed over ffmpeg's (goal >= 2x on this 2-core machine).  For
# information: hpamp on one thread, and how far the two measurements agree.
#
# Then the same over full-length songs (goal >= 4x; issue 13): 8 songs of
# about 3.7 minutes, each the Sonic Pi loops (no loop_amen*) concatenated
# three times in its own order by sox, 44.1 kHz/16-bit stereo FLAC; there
# ffmpeg's start-up is a small share of its time, and what counts is the
# work per second of audio.  HPA_BENCH_SONGS=0 leaves this part out.
#
# Not a test: a missed goal prints MISS and still exits 0.  Exit 1 means
# something failed to run; 77 (skip) when ffmpeg or the samples are missing.
set -euo pipefail
export LC_ALL=C

HPAMP=${1:?usage: advise_vs_ffmpeg.sh PATH/TO/hpamp [ROUNDS]}
ROUNDS=${2:-5}
SAMPLES=${HPA_BENCH_SAMPLES:-/usr/share/sonic-pi/samples}
GOAL=2

if [[ ! -x $HPAMP ]]; then
    echo "advise_vs_ffmpeg: $HPAMP is not an executable" >&2
    exit 1
fi
if ! command -v ffmpeg >/dev/null; then
    echo "advise_vs_ffmpeg: SKIP: ffmpeg is not installed (apt-get install ffmpeg)"
    exit 77
fi
if ! command -v python3 >/dev/null; then
    echo "advise_vs_ffmpeg: SKIP: python3 is not installed"
    exit 77
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/hpamp-bench-advise.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# no user database files from the machine running this
export XDG_CONFIG_HOME=$WORK/config
mkdir -p "$XDG_CONFIG_HOME" "$WORK/music"

FILES=()
for f in "$SAMPLES"/*.flac; do
    case $(basename "$f") in loop_amen*) continue ;; esac
    ln -s "$f" "$WORK/music/"
    FILES+=("$WORK/music/$(basename "$f")")
done
if ((${#FILES[@]} < 20)); then
    echo "advise_vs_ffmpeg: SKIP: fewer than 20 samples in $SAMPLES (apt-get install sonic-pi-samples)"
    exit 77
fi
DUR=$(for f in "${FILES[@]}"; do soxi -D "$f" 2>/dev/null || echo 0; done | awk '{ s += $1 } END { printf "%.1f", s }')
if [[ $DUR == 0.0 ]]; then
    # no soxi: ask ffmpeg's demuxer for the durations
    DUR=$(for f in "${FILES[@]}"; do
              ffmpeg -nostdin -hide_banner -i "$f" 2>&1 | sed -n 's/.*Duration: \([0-9:.]*\).*/\1/p'
          done | awk -F: '{ s += $1 * 3600 + $2 * 60 + $3 } END { printf "%.1f", s }')
fi

echo "advise_vs_ffmpeg: $("$HPAMP" --version | head -n1) vs $(ffmpeg -version | head -n1 | cut -d' ' -f1-3)"
echo "input: ${#FILES[@]} CC0 Sonic Pi samples (no loop_amen*), $DUR s of 44.1 kHz stereo FLAC; $(nproc) cores"
echo "$ROUNDS rounds, alternating; median wall seconds per run"
echo

now() { echo "$EPOCHREALTIME"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f\n", b - a }'; }
median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.4f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# run_hpamp THREADS OUT: one scan of $MUSIC, prints the wall seconds
MUSIC=$WORK/music
run_hpamp() {
    local t0 t1 args=()
    [[ $1 != 0 ]] && args=(--threads "$1")
    t0=$(now)
    if ! "$HPAMP" advise --headphones hd600 --source sh-6 --music "$MUSIC" --json "${args[@]}" \
        >"$2" 2>"$WORK/hpamp.err"; then
        echo "advise_vs_ffmpeg: hpamp failed:" >&2
        cat "$WORK/hpamp.err" >&2
        exit 1
    fi
    t1=$(now)
    elapsed "$t0" "$t1"
}

# run_ffmpeg LOG: every file in turn, prints the wall seconds
run_ffmpeg() {
    local t0 t1 f
    : >"$1"
    t0=$(now)
    for f in "${FILES[@]}"; do
        echo "== $f" >>"$1"
        ffmpeg -nostdin -i "$f" -af ebur128=peak=true -f null - >>"$1" 2>&1 || {
            echo "advise_vs_ffmpeg: ffmpeg failed on $f" >&2
            exit 1
        }
    done
    t1=$(now)
    elapsed "$t0" "$t1"
}

# compare GOAL: ROUNDS rounds over $MUSIC and FILES (DUR s), medians and the ratio
compare() {
    local goal=$1 r
    th=() tf=() t1=()
    for ((r = 0; r < ROUNDS; r++)); do
        if ((r % 2 == 0)); then
            th+=("$(run_hpamp 0 "$WORK/hpamp.json")")
            tf+=("$(run_ffmpeg "$WORK/ffmpeg.log")")
        else
            tf+=("$(run_ffmpeg "$WORK/ffmpeg.log")")
            th+=("$(run_hpamp 0 "$WORK/hpamp.json")")
        fi
        t1+=("$(run_hpamp 1 "$WORK/hpamp1.json")")
    done
    mh=$(median "${th[@]}")
    mf=$(median "${tf[@]}")
    m1=$(median "${t1[@]}")

    printf '%-44s %9s %10s\n' "" "median s" "audio s/s"
    awk -v l="hpamp advise --music (all cores)" -v t="$mh" -v d="$DUR" 'BEGIN { printf "%-44s %9.3f %10.0f\n", l, t, d / t }'
    awk -v l="ffmpeg -af ebur128=peak=true, file by file" -v t="$mf" -v d="$DUR" 'BEGIN { printf "%-44s %9.3f %10.0f\n", l, t, d / t }'
    awk -v l="hpamp advise --music --threads 1" -v t="$m1" -v d="$DUR" 'BEGIN { printf "%-44s %9.3f %10.0f  (information)\n", l, t, d / t }'
    echo "    rounds: hpamp ${th[*]} | ffmpeg ${tf[*]} | hpamp 1 thread ${t1[*]}"
    echo
    awk -v h="$mh" -v f="$mf" -v g="$goal" 'BEGIN {
        ratio = f / h
        verdict = (ratio >= g) ? "PASS" : "MISS"
        printf "hpamp/ffmpeg throughput: %.2fx  goal >= %sx  %s\n", ratio, g, verdict }'
}
compare "$GOAL"

# how far the two agree, file by file (information): integrated loudness and
# true peak from ffmpeg's summary, against hpamp's JSON
python3 - "$WORK/hpamp.json" "$WORK/ffmpeg.log" <<'EOF'
import json, math, os, re, sys
d = json.load(open(sys.argv[1]))
hp = {os.path.basename(t["path"]): t for t in d["tracks"]}
ff, cur = {}, None
for line in open(sys.argv[2], errors="replace"):
    if line.startswith("== "):
        cur = os.path.basename(line[3:].strip()); ff[cur] = {}
    m = re.match(r"\s+I:\s+(-?[\d.]+) LUFS", line)
    if m and cur: ff[cur]["I"] = float(m.group(1))
    m = re.match(r"\s+Peak:\s+(-?[\d.]+) dBFS", line)
    if m and cur: ff[cur]["TP"] = float(m.group(1))
both = [k for k in hp if k in ff and "I" in ff[k] and "TP" in ff[k]]
# a mono file plays in both ears: hpamp counts it twice (BS.1770 dual mono),
# ffmpeg's filter by default once, 10·log10(2) = 3.01 LU lower
dual = lambda k: 10 * math.log10(2) if hp[k]["channels"] == 1 else 0.0
if both:
    di = max(abs(hp[k]["loudness_lufs"] - dual(k) - ff[k]["I"]) for k in both)
    dt = max(abs(hp[k]["true_peak_dbtp"] - ff[k]["TP"]) for k in both)
    n_mono = sum(1 for k in both if hp[k]["channels"] == 1)
    print("agreement on the %d files both measured (%d mono, compared less hpamp's +3.01 LU for dual mono;\n"
          "ffmpeg prints 0.1 dB steps): loudness within %.2f LU, true peak within %.2f dB" % (len(both), n_mono, di, dt))
print("hpamp skipped %d files (shorter than 0.4 s: no integrated loudness); ffmpeg reads those as -70 LUFS"
      % len(d.get("skipped", [])))
EOF

SONGS=${HPA_BENCH_SONGS:-8}
if ((SONGS > 0)) && command -v sox >/dev/null; then
    echo
    mkdir -p "$WORK/songs"
    LOOPS=()
    for f in "$SAMPLES"/loop_*.flac; do
        case $(basename "$f") in loop_amen*) continue ;; esac
        LOOPS+=("$f")
    done
    FILES=()
    for ((k = 0; k < SONGS; k++)); do
        # the loops three times over, rotated by k: each song its own order
        order=()
        for ((j = 0; j < 3 * ${#LOOPS[@]}; j++)); do order+=("${LOOPS[(j + 5 * k) % ${#LOOPS[@]}]}"); done
        sox "${order[@]}" -r 44100 -b 16 -c 2 "$WORK/songs/song$k.flac" 2>/dev/null || {
            echo "advise_vs_ffmpeg: sox could not make the songs" >&2
            exit 1
        }
        FILES+=("$WORK/songs/song$k.flac")
    done
    DUR=$(for f in "${FILES[@]}"; do soxi -D "$f"; done | awk '{ s += $1 } END { printf "%.1f", s }')
    MUSIC=$WORK/songs
    echo "full-length songs: $SONGS of $(awk -v d="$DUR" -v n="$SONGS" 'BEGIN { printf "%.0f", d / n }') s each (the Sonic Pi loops concatenated), $DUR s in all"
    compare 4
fi
echo
echo "ratio = ffmpeg median seconds / hpamp median seconds (above 1: hpamp is faster)."
echo "A MISS is reported, not a failure.  ffmpeg starts once per file, as a script calling it would."
exit 0
