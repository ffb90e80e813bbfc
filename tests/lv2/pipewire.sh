#!/bin/bash
# pipewire: a host no one here wrote.  A headless PipeWire (tests/play's
# pwserver.sh: a null sink, WirePlumber) loads hpamp.lv2 through its
# filter-chain module as a virtual sink with volume +12 dB and the limiter's
# ceiling at -3 dBTP.  pw-play into that sink, pw-record at the null sink:
# a quiet sine comes out 12 dB louder (within 0.1 dB) and loud music never
# passes the ceiling.  (Debian 12's PipeWire 0.3.65 gives LV2 plugins no
# atom ports, patch:Set or state: the EQ file cannot be set there; tests/lv2/eq
# covers it in a host that can.)
. "$(dirname "$0")/lib.sh" "$@"
. "$HERE/../play/pwserver.sh"
CLEANUP_EXTRA=pw_stop_pids
need pipewire wireplumber pw-play pw-record pw-metadata
[ "$SANITIZE" = none ] || skip "built with -Db_sanitize=$SANITIZE: PipeWire would load the sanitized plugin"
pw_private_env "$T"
export LV2_PATH=$BUNDLES

mkdir -p "$XDG_CONFIG_HOME/pipewire/pipewire.conf.d"
cat >"$XDG_CONFIG_HOME/pipewire/pipewire.conf.d/20-hpamp.conf" <<'EOF2'
context.modules = [
  { name = libpipewire-module-filter-chain
    args = {
      node.description = "hpamp test"
      media.name = "hpamp test"
      filter.graph = {
        nodes = [
          { type = lv2  name = hpamp  plugin = "urn:hpamp:lv2:stereo"
            control = { "volume_db" = 12.0  "limiter_ceiling_dbtp" = -3.0 } }
        ]
      }
      audio.channels = 2
      audio.position = [ FL FR ]
      capture.props = { node.name = "hpamp_test_in"  media.class = Audio/Sink  audio.rate = 48000
                        priority.session = 100 }
      playback.props = { node.name = "hpamp_test_out"  node.passive = true  target.object = "test_sink" }
    }
  }
]
EOF2
HOME=$T/home "$HPAMP" preset export night --filter-chain \
    >"$XDG_CONFIG_HOME/pipewire/pipewire.conf.d/30-hpamp-night.conf" 2>"$T/export.err"
check "hpamp preset export night --filter-chain: exit 0" [ $? -eq 0 ]
check "it warns once, that normalisation is left out: $(cat "$T/export.err")" \
    bash -c "[ \$(wc -l <'$T/export.err') -eq 1 ] && grep -q normalisation '$T/export.err'"
pw_server_start test_sink "$T"
case $? in
0) ;;
2) skip "wireplumber.conf not found" ;;
*)
    say "pipewire log: $(tail -5 "$T/pipewire.log")"
    fail "PipeWire with a null sink started within 30 s"
    finish
    ;;
esac
for _ in $(seq 100); do
    pw-cli ls Node 2>/dev/null | grep -q hpamp_test_in && break
    sleep 0.1
done
check "the filter-chain sink with hpamp.lv2 is there $(grep -i lv2 "$T/pipewire.log" | head -c 300)" \
    bash -c "pw-cli ls Node 2>/dev/null | grep -q hpamp_test_in"

# rec FILE PLAYFILE [SINK]: capture at the null sink while pw-play plays into a plugin's sink
rec() {
    pw-record --target test_sink -P '{ stream.capture.sink = true }' --rate 48000 --channels 2 --format f32 "$1" \
        >"$T/record.log" 2>&1 &
    local rp=$!
    PIDS="$rp $PIDS"
    sleep 0.5
    timeout 30 pw-play --target "${3:-hpamp_test_in}" "$2" >"$T/play.log" 2>&1
    sleep 0.5
    kill -INT "$rp" 2>/dev/null
    wait "$rp" 2>/dev/null
}

# a 1 kHz sine at -30 dBFS, 2 s: +12 dB takes it to -18 dBFS, under the ceiling
sox -V1 -n -r 48000 -c 2 -e floating-point -b 32 "$T/sine.wav" synth 2 sine 1000 vol 0.031622776601683794
rec "$T/cap.wav" "$T/sine.wav"
check "a capture of the sine" [ -s "$T/cap.wav" ]
# the RMS of a sine is its amplitude / sqrt 2
# sox's loudest 50 ms RMS (50 whole periods)
lvl=$(sox -V1 "$T/cap.wav" -n remix 1 stats 2>&1 | awk '/^RMS Pk dB/ { print $4 }')
want=$(python3 -c "import math; print('%.4f' % (20 * math.log10(0.031622776601683794 / math.sqrt(2)) + 12))")
check "the sine comes out 12 dB louder: RMS $lvl dBFS, want $want" \
    awk -v a="${lvl:-0}" -v b="$want" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= 0.1) }'

# loud music, +12 dB into the -3 dBTP ceiling
sox -V1 "$(music loop_compus)" -r 48000 -e floating-point -b 32 "$T/music.wav" trim 0 4 gain -n -0.1
rec "$T/cap2.wav" "$T/music.wav"
pk=$(sox -V1 "$T/cap2.wav" -n stats 2>&1 | awk '/^Pk lev dB/ { print $4 }')
rms=$(sox -V1 "$T/cap2.wav" -n stats 2>&1 | awk '/^RMS lev dB/ { print $4 }')
check "the music reached the null sink (RMS ${rms:-none} dBFS)" awk -v a="${rms:--999}" 'BEGIN { exit !(a > -30) }'
check "its sample peak ${pk:-none} dBFS stays at the -3 dBTP ceiling" le "${pk:-99}" -2.99
if [ -x "$TPREF" ]; then
    tp=$("$TPREF" "$T/cap2.wav")
    check "its true peak ${tp:-none} dBTP (the reference meter) within 0.05 dB of the ceiling" le "${tp:-99}" -2.95
fi

# the exported preset: volume -10 dB
for _ in $(seq 100); do
    pw-cli ls Node 2>/dev/null | grep -q hpamp_night && break
    sleep 0.1
done
check "the exported filter-chain's sink is there" bash -c "pw-cli ls Node 2>/dev/null | grep -q hpamp_night"
rec "$T/cap3.wav" "$T/sine.wav" hpamp_night
lvl=$(sox -V1 "$T/cap3.wav" -n remix 1 stats 2>&1 | awk '/^RMS Pk dB/ { print $4 }')
want=$(python3 -c "import math; print('%.4f' % (20 * math.log10(0.031622776601683794 / math.sqrt(2)) - 10))")
check "night: the sine comes out 10 dB quieter: RMS $lvl dBFS, want $want" \
    awk -v a="${lvl:-0}" -v b="$want" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= 0.1) }'
finish
