#!/bin/bash
# render: the plugin in lv2apply (which gives it no features) renders music
# with control values; the result, after the latency the plugin reports
# (which must be silence), matches `hpamp render` with the same settings to
# -120 dB.  lv2host runs the same at other block sizes, with and without
# bufsz:maxBlockLength: the output never depends on the host's blocks.
. "$(dirname "$0")/lib.sh" "$@"
need lv2apply

# a stereo loop at 44.1 kHz and a mono one at 48 kHz, as float WAV
sox -V1 "$(music loop_compus)" -e floating-point -b 32 "$T/st.wav" trim 0 3
sox -V1 "$(music loop_garzul)" -e floating-point -b 32 -r 48000 "$T/mono.wav" remix 1 trim 0 2
sox -V1 "$T/st.wav" -t f32 "$T/st.f32"
sox -V1 "$T/mono.wav" -t f32 "$T/mono.f32"
LAT_ST=$(latency 44100 "$STEREO")
LAT_MONO=$(latency 48000 "$MONO")
check "the latency port reports a delay at 44.1 kHz (${LAT_ST:-none} frames)" [ "${LAT_ST:-0}" -gt 0 ]
check "the latency port reports a delay at 48 kHz (${LAT_MONO:-none} frames)" [ "${LAT_MONO:-0}" -gt 0 ]

# same WHAT URI IN LAT "LV2APPLY CONTROLS" "RENDER FLAGS"
same() {
    local what=$1 uri=$2 in=$3 lat=$4 ctl=$5 flags=$6 ch=2
    case $uri in *mono) ch=1 ;; esac
    rm -f "$T/lv2.wav" "$T/ref.wav"
    # shellcheck disable=SC2086
    host lv2apply -i "$T/$in.wav" -o "$T/lv2.wav" $ctl "$uri" >"$T/apply.log" 2>&1
    # shellcheck disable=SC2086
    "$HPAMP" render "$T/$in.wav" -o "$T/ref.wav" --bits float --quiet $flags >"$T/render.log" 2>&1
    if [ ! -s "$T/lv2.wav" ] || [ ! -s "$T/ref.wav" ]; then
        fail "$what: lv2apply and hpamp render both write a file: $(head -c 300 "$T/apply.log" "$T/render.log")"
        return
    fi
    sox -V1 "$T/lv2.wav" -t f32 "$T/lv2.f32"
    sox -V1 "$T/ref.wav" -t f32 "$T/ref.f32"
    local r
    r=$(f32cmp "$T/lv2.f32" "$T/ref.f32" "$ch" "$lat")
    check "$what: the first $lat frames are silence ($r)" [ "$(field "$r" lead)" = 0 ]
    check "$what: matches hpamp render $flags to -120 dB" le "$(field "$r" err_db)" -120
}

same "defaults, limiter off" "$STEREO" st "$LAT_ST" "-c limiter_enable 0" ""
same "volume -6 dB" "$STEREO" st "$LAT_ST" "-c limiter_enable 0 -c volume_db -6" "--volume -6"
same "volume +12 dB into the limiter at -3 dBTP" "$STEREO" st "$LAT_ST" \
    "-c volume_db 12 -c limiter_ceiling_dbtp -3" "--volume 12 --limit -3"
same "crossfeed 650 Hz 9.5 dB, +6 dB, limiter -1 dBTP" "$STEREO" st "$LAT_ST" \
    "-c volume_db 6 -c crossfeed_enable 1 -c crossfeed_fcut_hz 650 -c crossfeed_feed_db 9.5" \
    "--volume 6 --limit -1 --crossfeed 650,9.5"
same "mono at 48 kHz, -3 dB, limiter -2 dBTP" "$MONO" mono "$LAT_MONO" \
    "-c volume_db -3 -c limiter_ceiling_dbtp -2" "--volume -3 --limit -2"

# the limiter at work is seen on its port, and the ceiling on the output
"$HPAMP" render "$T/st.wav" -o "$T/ref.wav" --bits float --quiet --volume 12 --limit -3 >/dev/null 2>&1
sox -V1 "$T/ref.wav" -t f32 "$T/ref.f32"
for args in "1" "4096" "64 -f" "100000 -f" "3000 -f"; do
    # shellcheck disable=SC2086
    "$LV2HOST" "$PLUGIN_SO" "$STEREO" 44100 $args -c volume_db=12 -c limiter_ceiling_dbtp=-3 \
        <"$T/st.f32" >"$T/host.f32" 2>"$T/host.log"
    r=$(f32cmp "$T/host.f32" "$T/ref.f32" 2 "$LAT_ST")
    check "lv2host, block $args: silence, then hpamp render's output to -120 dB ($r)" \
        bash -c "[ '$(field "$r" lead)' = 0 ] && awk 'BEGIN { exit !($(field "$r" err_db) <= -120) }'"
done
gr=$(sed -n 's/.*gain_reduction_db=\([^ ]*\).*/\1/p' "$T/host.log")
check "the gain-reduction port shows the limiter working (${gr:-none} dB)" awk "BEGIN { exit !(${gr:-0} > 1) }"
peak=$(sed -n 's/.*peak_db=\([^ ]*\).*/\1/p' "$T/host.log")
check "the peak port stays at or below the -3 dBTP ceiling (${peak:-none} dBFS)" le "${peak:-99}" -3
# the last block of 3000 frames is the file's last 132300 mod 3000 = 300 frames
want=$(python3 -c "
import array, math
a = array.array('f'); a.frombytes(open('$T/host.f32', 'rb').read())
print('%.4f' % (20 * math.log10(max(abs(x) for x in a[-300 * 2:]))))")
check "the peak port is the last block's peak (${peak:-none} dBFS, python3: $want)" \
    awk "BEGIN { d = ${peak:-99} - ($want); exit !(d < 0.001 && d > -0.001) }"

# a rate outside 8 kHz .. 768 kHz is refused at instantiation, not a crash
head -c 800 /dev/zero | "$LV2HOST" "$PLUGIN_SO" "$STEREO" 4000 64 >/dev/null 2>"$T/rate.log"
check "4 kHz: instantiate fails cleanly" grep -q "instantiate failed" "$T/rate.log"
finish
