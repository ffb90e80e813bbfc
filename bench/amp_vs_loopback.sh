#!/usr/bin/env bash
# amp_vs_loopback.sh — `hpamp amp` beside PipeWire's own pw-loopback, each a
# virtual sink moving the same stream to a null sink.
#
# Usage: bench/amp_vs_loopback.sh PATH/TO/hpamp [ROUNDS] [SECONDS]
#
# Starts its own PipeWire with a null sink, "speakers" (and WirePlumber), in
# a private runtime folder, forces the graph to 256 frames at 48 kHz, and
# ROUNDS times (default 3), rotating the order, starts each of:
#   flat      hpamp amp --volume 0 --i-understand-loud --quiet: nothing in the
#             chain but the volume and the true-peak limiter (1.5 ms lookahead)
#   full      the same with --preset hd600: 10-band EQ, crossfeed, limiter
#   loopback  pw-loopback, its capture an Audio/Sink, its playback to speakers
#             (PipeWire's module-loopback, the pattern the amp follows)
# and measures, on each:
#   latency   pw-play plays a stereo impulse (0.5, one sample, 4 s in: the
#             amp builds its chain once the sink runs, then ramps up) into
#             the sink under test, and pw-link also links pw-play's left
#             output straight to speakers: pw-record of the speakers' monitor
#             holds the direct impulse on the left and the one through the
#             sink on both, so the frames between the left's first impulse
#             and the right's is what the sink adds (python3 finds them)
#   CPU       SECONDS (default 15) of music (CC0 Sonic Pi loops) played into
#             it; from 1 s in, the CPU time of the sink's process over
#             SECONDS: the sum over its threads of /proc/PID/task/*/schedstat
#             (nanoseconds on a CPU), and utime+stime of /proc/PID/stat (10 ms
#             ticks) beside it; % of one core
# Prints the medians and the ratios to pw-loopback.  Goals (issue 10): the
# amp's latency <= pw-loopback's + the limiter's lookahead (72 frames at
# 48 kHz); CPU flat within 20 % of pw-loopback; full under 2 % of a core.
# A missed goal prints MISS, not a failure.  Exit 77 when a tool is missing.
set -uo pipefail
export LC_ALL=C

LOOKAHEAD=72 # 1.5 ms at 48 kHz: the amp's limiter (docs/amp.md)

# shellcheck source=pwbench.sh
. "$(dirname "$0")/pwbench.sh"
pwbench_args amp_vs_loopback 15 "$@"
pwbench_start speakers pw-record pw-loopback pw-link pw-cli python3
DUT=""
[ "$(pw_force_quantum 256)" = 256 ] || { echo "$NAME: the graph's quantum could not be forced to 256" >&2; exit 1; }
export PIPEWIRE_LATENCY=256/48000

MUSIC=$WORK/music.wav
sox -V1 "${FILES[@]}" "${FILES[@]}" "${FILES[@]}" -b 16 "$MUSIC" rate -v 48000 trim 0 $((SECS + 3))
IMPULSE=$WORK/impulse.wav
sox -V1 -n -r 48000 -c 2 -b 32 -e floating-point "$IMPULSE" synth 1s sine 0 vol 0 pad 192000s 48000s
python3 - "$IMPULSE" <<'PY'
import struct, sys
# the 0.5 impulse at frame 192000 (4 s) of the float WAV sox wrote (data after a 'data' chunk)
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
i = b.find(b'data') + 8
for ch in range(2):
    struct.pack_into('<f', b, i + (192000 * 2 + ch) * 4, 0.5)
open(p, 'wb').write(b)
PY

has_node() { pw-cli ls Node 2>/dev/null | grep -q "node.name = \"$1\""; }

# start_dut KIND: the sink under test in the background; DUT its PID, SINK
# its node name; returns once its playback side (OUT) is linked to speakers
# (before that the amp drops what arrives, and its volume ramp starts later)
start_dut() {
    case $1 in
    flat) "$HPAMP" amp --volume 0 --i-understand-loud --quiet </dev/null >"$WORK/dut.log" 2>&1 &
        SINK=hpamp OUT=hpamp.output ;;
    full) "$HPAMP" amp --preset hd600 --volume 0 --i-understand-loud --quiet </dev/null >"$WORK/dut.log" 2>&1 &
        SINK=hpamp OUT=hpamp.output ;;
    loopback) pw-loopback -n benchloop --capture-props='media.class=Audio/Sink node.name=loopsink' \
        --playback-props='target.object=speakers node.passive=true node.name=loopout' >"$WORK/dut.log" 2>&1 &
        SINK=loopsink OUT=loopout ;;
    esac
    DUT=$!
    PIDS="$DUT $PIDS"
    local i up=0
    for i in $(seq 300); do
        has_node "$SINK" && has_node "$OUT" && pw-link -l 2>/dev/null | grep -q "^$OUT:" && { up=1; break; }
        kill -0 "$DUT" 2>/dev/null || break
        sleep 0.05
    done
    [ $up = 1 ] || { echo "amp_vs_loopback: $1 did not come up: $(head -c 400 "$WORK/dut.log")" >&2; exit 1; }
    sleep 1
}
stop_dut() {
    kill "$DUT" 2>/dev/null
    local i
    for i in $(seq 100); do kill -0 "$DUT" 2>/dev/null || break; sleep 0.05; done
    kill -9 "$DUT" 2>/dev/null
    wait "$DUT" 2>/dev/null
    for i in $(seq 100); do has_node "$SINK" || break; sleep 0.05; done
    sleep 0.5 # the server forgets the node (its playback side too)
}

# latency: frames the sink adds, or exit 1
latency() {
    rm -f "$WORK/rec.wav"
    pw-record --target speakers -P '{ stream.capture.sink = true node.name = "bench.rec" }' --rate 48000 \
        --channels 2 --format f32 "$WORK/rec.wav" >"$WORK/rec.log" 2>&1 &
    local rec=$! i
    PIDS="$rec $PIDS"
    for i in $(seq 100); do
        pw-link -l 2>/dev/null | grep -q '^bench.rec:input_FR' && break
        sleep 0.05
    done
    sleep 0.2
    pw-play --target "$SINK" -P '{ node.name = "bench.impulse" }' "$IMPULSE" >"$WORK/play.log" 2>&1 &
    local play=$!
    PIDS="$play $PIDS"
    for i in $(seq 100); do
        pw-link -o 2>/dev/null | grep -q '^bench.impulse:output_FL$' && break
        sleep 0.01
    done
    pw-link bench.impulse:output_FL speakers:playback_FL >/dev/null 2>&1 ||
        { echo "amp_vs_loopback: pw-link bench.impulse:output_FL speakers:playback_FL failed" >&2; exit 1; }
    wait "$play"
    sleep 0.3
    kill -INT "$rec" 2>/dev/null
    wait "$rec" 2>/dev/null
    python3 - "$WORK/rec.wav" <<'PY' || { echo "$NAME: $1: no impulse found in the capture" >&2; exit 1; }
import struct, sys, wave
# pw-record writes float WAV (format 3), which wave.py does not take: read the chunks by hand
b = open(sys.argv[1], 'rb').read()
i = 12
while i + 8 <= len(b):
    tag, n = b[i:i + 4], struct.unpack('<I', b[i + 4:i + 8])[0]
    if tag == b'data':
        data = b[i + 8:i + 8 + n] if n and n != 0xffffffff else b[i + 8:]
        break
    i += 8 + n + (n & 1)
x = struct.unpack('<%df' % (len(data) // 4), data[:len(data) // 8 * 8])
L, R = x[0::2], x[1::2]
def first(ch):
    m = max(abs(v) for v in ch)
    if m < 1e-4:
        return None
    return next(k for k, v in enumerate(ch) if abs(v) > 0.25 * m)
l, r = first(L), first(R)
if l is None or r is None or r < l:
    print("left first over a quarter of its peak at %s, right at %s; peaks %.3f %.3f" % (
        l, r, max(abs(v) for v in L), max(abs(v) for v in R)), file=sys.stderr)
    sys.exit(1)
print(r - l)
PY
}

# per_thread PID: "TID NAME NS" for each of its threads
per_thread() {
    local t
    for t in /proc/"$1"/task/*; do
        printf '%s %s %s\n' "${t##*/}" "$(tr ' ' '_' <"$t/comm")" "$(cut -d' ' -f1 "$t/schedstat")"
    done 2>/dev/null
}
# ns_on_cpu PID: nanoseconds its threads have run; ticks PID: utime+stime
ns_on_cpu() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f\n", s }'; }
ticks() { awk '{ print $14 + $15 }' /proc/"$1"/stat; }

# cpu: "% (schedstat) % (stat)" of the sink's process over SECS s of music
cpu() {
    pw-play --target "$SINK" "$MUSIC" >"$WORK/play.log" 2>&1 &
    local play=$!
    PIDS="$play $PIDS"
    sleep 1
    local n0 t0 w0 n1 t1 w1
    per_thread "$DUT" >"$WORK/threads0"
    n0=$(ns_on_cpu "$DUT") t0=$(ticks "$DUT") w0=$(date +%s.%N)
    sleep "$SECS"
    n1=$(ns_on_cpu "$DUT") t1=$(ticks "$DUT") w1=$(date +%s.%N)
    per_thread "$DUT" >"$WORK/threads1"
    # where it went, thread by thread (% of one core), for the summary
    awk -v w="$(awk -v a="$w0" -v b="$w1" 'BEGIN { print b - a }')" 'NR == FNR { t0[$1] = $3; next }
        { printf "%s%s %.2f", sep, $2, 100 * ($3 - t0[$1]) / 1e9 / w; sep = ", " } END { print "" }' \
        "$WORK/threads0" "$WORK/threads1" >>"$WORK/threads-$1"
    kill "$play" 2>/dev/null
    wait "$play" 2>/dev/null
    awk -v n0="$n0" -v n1="$n1" -v t0="$t0" -v t1="$t1" -v w0="$w0" -v w1="$w1" -v hz="$(getconf CLK_TCK)" \
        'BEGIN { w = w1 - w0; printf "%.3f %.3f\n", 100 * (n1 - n0) / 1e9 / w, 100 * (t1 - t0) / hz / w }'
}


echo "amp_vs_loopback: $("$HPAMP" --version 2>/dev/null | head -n1) vs pw-loopback ($(pw-loopback --version 2>/dev/null | sed -n 's/.*libpipewire \(.*\)/libpipewire \1/p' | head -n1))"
echo "graph: quantum 256 at 48 kHz, a null sink; $ROUNDS rounds, rotating the order; $SECS s of music for CPU; $(nproc) cores"
declare -A LAT CPU TCK SILENT
KINDS=(flat full loopback)
for ((r = 0; r < ROUNDS; r++)); do
    for k in 0 1 2; do
        kind=${KINDS[$(((k + r) % 3))]}
        # a sink that passes nothing (the amp, now and then: docs/amp.md,
        # "Known problems") is started again, three times at most
        l=""
        for attempt in 1 2 3; do
            start_dut "$kind"
            l=$(latency "$kind") && break
            SILENT[$kind]=$((${SILENT[$kind]:-0} + 1))
            stop_dut
            l=""
        done
        [ -n "$l" ] || { echo "$NAME: $kind passed no impulse in 3 starts" >&2; exit 1; }
        read -r c t <<<"$(cpu "$kind")"
        stop_dut
        LAT[$kind]="${LAT[$kind]:-} $l"
        CPU[$kind]="${CPU[$kind]:-} $c"
        TCK[$kind]="${TCK[$kind]:-} $t"
    done
done

echo
printf '%-9s %14s %12s %14s   %s\n' sink "latency frames" "CPU % (ns)" "CPU % (ticks)" "rounds: latency | CPU (ns)"
for kind in "${KINDS[@]}"; do
    # shellcheck disable=SC2086  # the lists split on purpose
    printf '%-9s %14s %12s %14s   %s |%s\n' "$kind" "$(median ${LAT[$kind]})" "$(median ${CPU[$kind]})" \
        "$(median ${TCK[$kind]})" "${LAT[$kind]# }" "${CPU[$kind]}"
done
# shellcheck disable=SC2086
awk -v lf="$(median ${LAT[flat]})" -v lu="$(median ${LAT[full]})" -v ll="$(median ${LAT[loopback]})" \
    -v cf="$(median ${CPU[flat]})" -v cu="$(median ${CPU[full]})" -v cl="$(median ${CPU[loopback]})" \
    -v la="$LOOKAHEAD" 'BEGIN {
    print ""
    printf "latency: amp flat %d frames (%.2f ms), full %d (%.2f ms); pw-loopback %d (%.2f ms)\n",
           lf, lf / 48, lu, lu / 48, ll, ll / 48
    printf "latency added over pw-loopback: flat %+d, full %+d frames (%.2f quanta of 256); goal <= +%d (the limiter lookahead): %s\n",
           lf - ll, lu - ll, (lf - ll) / 256, la, (lf <= ll + la && lu <= ll + la) ? "PASS" : "MISS"
    printf "CPU flat / pw-loopback: %.2f%% / %.2f%% = %.2fx; goal within 20 %%: %s\n", cf, cl, (cl > 0 ? cf / cl : 0),
           (cl > 0 && cf <= 1.2 * cl) ? "PASS" : "MISS"
    printf "CPU full (10-band EQ, crossfeed, limiter): %.2f%% of a core (%.2fx pw-loopback); goal under 2 %%: %s\n",
           cu, (cl > 0 ? cu / cl : 0), (cu < 2 ? "PASS" : "MISS")
}'
for kind in "${KINDS[@]}"; do
    [ -n "${SILENT[$kind]:-}" ] && echo "$kind: started again ${SILENT[$kind]} time(s): its sink passed nothing to speakers"
done
echo
echo "By thread (% of one core, the last round):"
for kind in "${KINDS[@]}"; do
    printf '  %-9s %s\n' "$kind" "$(tail -n1 "$WORK/threads-$kind")"
done
echo
echo "Whole processes: the amp's figures include its control thread (a 20 ms poll), PipeWire's client"
echo "library and the data thread; pw-loopback's likewise. A MISS is reported, not a failure."
exit 0
