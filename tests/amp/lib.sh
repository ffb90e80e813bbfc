# tests/amp/lib.sh — shared by the `hpamp amp` tests (suite 'amp').
# Sourced as: . "$(dirname "$0")/lib.sh" HPAMP PCMCMP TPREF RTCHECK SANITIZE
#
# Each test starts its own headless PipeWire + WirePlumber (tests/play/pwserver.sh)
# in a private scratch folder with two null sinks, "speakers" (the default,
# priority 2000) and "usb_dac" (priority 1000, with the properties a USB DAC
# reports), and ends everything it started by PID.  What reaches a sink is
# captured by pw-record from its monitor; levels are measured by sox, python3
# or the reference true-peak meter, never taken from hpamp's own output.

PCMCMP=${2:-}
TPREF=${3:-}
RTCHECK=${4:-}
SANITIZE=${5:-none}
PIDS=""
. "$(dirname "${BASH_SOURCE[0]}")/../play/pwserver.sh"
CLEANUP_EXTRA=pw_stop_pids
. "$(dirname "${BASH_SOURCE[0]}")/../harness.sh" amp "$@"

pw_private_env "$T"
export HPAMP_NO_RT_PRIORITY=${HPAMP_NO_RT_PRIORITY-1}
need sox soxi awk python3 pipewire wireplumber pw-metadata pw-record pw-play pw-dump pw-cli

# amp_servers: PipeWire with speakers + usb_dac, WirePlumber; speakers the default
amp_servers() {
    mkdir -p "$XDG_CONFIG_HOME/pipewire/pipewire.conf.d"
    cat >"$XDG_CONFIG_HOME/pipewire/pipewire.conf.d/11-usb-dac.conf" <<'CONF'
context.objects = [
  { factory = adapter
    args = { factory.name = support.null-audio-sink  node.name = "usb_dac"
             node.description = "USB DAC"  media.class = "Audio/Sink"
             audio.position = "FL,FR"  audio.rate = 48000
             device.bus = "usb"  device.vendor.id = "0x152a"  device.product.id = "0x8750"
             api.alsa.card.name = "E30"
             monitor.channel-volumes = true  object.linger = true  priority.session = 1000 } } ]
CONF
    pipewire_start speakers
}

# node_id NAME: the id of the node named NAME (empty when none)
node_id() {
    pw-dump 2>/dev/null | python3 -c "
import json, sys
for o in json.JSONDecoder().raw_decode(sys.stdin.read())[0]:
    if o.get('type', '').endswith('Node') and o.get('info', {}).get('props', {}).get('node.name') == sys.argv[1]:
        print(o['id']); break" "$1"
}

# node_prop NAME KEY: a property of the node named NAME
node_prop() {
    pw-dump 2>/dev/null | python3 -c "
import json, sys
for o in json.JSONDecoder().raw_decode(sys.stdin.read())[0]:
    p = o.get('info', {}).get('props', {}) if o.get('type', '').endswith('Node') else {}
    if p.get('node.name') == sys.argv[1]:
        print(p.get(sys.argv[2], '')); break" "$1" "$2"
}

default_sink() { pw-metadata 0 default.audio.sink 2>/dev/null | sed -n "s/.*value:'{ *\"name\": *\"\([^\"]*\)\".*/\1/p" | head -1; }

# amp_start ARGS...: hpamp amp in the background (AMP_PID), stderr in $T/amp.err;
# waits (30 s at most) until its sink (AMP_NODE, default hpamp) is in the graph
amp_start() {
    env ${AMP_ENV:-} "$HPAMP" amp "$@" </dev/null >"$T/amp.out" 2>"$T/amp.err" &
    AMP_PID=$!
    PIDS="$AMP_PID $PIDS"
    local i
    for i in $(seq 600); do
        grep -q "volume ramps to" "$T/amp.err" 2>/dev/null && [ -n "$(node_id "${AMP_NODE:-hpamp}")" ] && return 0
        kill -0 "$AMP_PID" 2>/dev/null || break
        sleep 0.05
    done
    fail "hpamp amp $* came up (stderr: $(head -c 300 "$T/amp.err"))"
    return 1
}

# amp_stop [SIGNAL]: end it and wait; rc its exit status
amp_stop() {
    kill -"${1:-TERM}" "$AMP_PID" 2>/dev/null
    local i
    for i in $(seq 200); do kill -0 "$AMP_PID" 2>/dev/null || break; sleep 0.05; done
    if kill -0 "$AMP_PID" 2>/dev/null; then
        fail "hpamp amp stops within 10 s of SIG${1:-TERM}"
        kill -9 "$AMP_PID"
    fi
    wait "$AMP_PID"
    rc=$?
}

# record_start SINK FILE [FORMAT]: pw-record of what reaches SINK, f32 stereo
# 48 kHz; with REC_STAY=1 it stays on SINK when the default output changes
# (WirePlumber otherwise makes a stream on the default follow the default)
record_start() {
    pw-record --target "$1" -P "{ stream.capture.sink = true ${REC_STAY:+node.dont-reconnect = true} }" --rate 48000 --channels 2 --format "${3:-f32}" \
        "$2" >"$T/record-$1.log" 2>&1 &
    REC_PID=$!
    PIDS="$REC_PID $PIDS"
    sleep 0.4
}
record_stop() {
    sleep 0.3
    kill -INT "$REC_PID" 2>/dev/null
    wait "$REC_PID" 2>/dev/null
}

. "$(dirname "${BASH_SOURCE[0]}")/../common/checks.sh"
