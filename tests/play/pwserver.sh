# tests/play/pwserver.sh — a private headless PipeWire for play's tests and
# bench/play_cpu.sh.  Sourced (bash); defines functions only:
#
#   pw_private_env DIR       HOME, TMPDIR and XDG_* into DIR, the session's
#                            audio and D-Bus variables unset
#   pw_server_start SINK LOG start PipeWire with a null sink named SINK
#                            (48 kHz, FL,FR) and WirePlumber without its
#                            hardware monitors, logs in LOG/pipewire.log and
#                            LOG/wireplumber.log; appends both PIDs to $PIDS
#                            (the caller ends them) and sets PW_PID, WP_PID;
#                            returns 1 when the sink is not the default
#                            within 30 s, 2 when wireplumber.conf is missing
#   pw_eq10 FILE             a 10-band AutoEq ParametricEQ.txt across the
#                            audio range, for runs with the full chain
#   PLAY_LOOPS               the CC0 Sonic Pi loops those runs play
#   record_start FILE [FMT]  pw-record what reaches test_sink (sets REC_PID)
#   record_stop              ... and end it
#   pw_stop_pids             end every PID in $PIDS (the servers and the
#                            clients a run started): TERM, up to 0.5 s, KILL
#   pw_force_quantum Q       force the graph to Q frames at 48 kHz
#                            (pw-metadata settings) and print the quantum the
#                            settings then hold (2 s at most), for a check

PIDS=${PIDS:-}

pw_stop_pids() {
    local p
    for p in $PIDS; do kill "$p" 2>/dev/null; done
    for p in $PIDS; do
        for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
        kill -9 "$p" 2>/dev/null
    done
}

pw_force_quantum() {
    local q=""
    pw-metadata -n settings 0 clock.force-quantum "$1" >/dev/null
    pw-metadata -n settings 0 clock.force-rate 48000 >/dev/null
    for _ in $(seq 40); do
        q=$(pw-metadata -n settings 0 clock.force-quantum 2>/dev/null |
            sed -n "s/.*key:'clock.force-quantum' value:'\([0-9]*\)'.*/\1/p")
        [ "$q" = "$1" ] && break
        sleep 0.05
    done
    printf '%s\n' "$q"
}

PLAY_LOOPS="loop_compus loop_garzul loop_mika loop_safari loop_tabla loop_drone_g_97"

pw_private_env() {
    export HOME=$1/home TMPDIR=$1/tmp XDG_RUNTIME_DIR=$1/run XDG_CONFIG_HOME=$1/config XDG_STATE_HOME=$1/state
    export XDG_DATA_HOME=$1/data XDG_CACHE_HOME=$1/cache
    unset DBUS_SESSION_BUS_ADDRESS PIPEWIRE_REMOTE PIPEWIRE_RUNTIME_DIR PULSE_SERVER
    mkdir -p "$HOME" "$TMPDIR" "$XDG_RUNTIME_DIR" "$XDG_CONFIG_HOME" "$XDG_STATE_HOME" "$XDG_DATA_HOME" \
        "$XDG_CACHE_HOME"
    chmod 700 "$XDG_RUNTIME_DIR"
}

pw_server_start() {
    local sink=$1 log=$2 i
    [ -r /usr/share/wireplumber/wireplumber.conf ] || return 2
    mkdir -p "$XDG_CONFIG_HOME/pipewire/pipewire.conf.d" "$XDG_CONFIG_HOME/wireplumber/main.lua.d"
    cat >"$XDG_CONFIG_HOME/pipewire/pipewire.conf.d/10-null-sink.conf" <<EOF
context.objects = [
  { factory = adapter
    args = { factory.name = support.null-audio-sink  node.name = "$sink"
             node.description = "Null Sink $sink"  media.class = "Audio/Sink"
             audio.position = "FL,FR"  audio.rate = 48000
             monitor.channel-volumes = true  object.linger = true  priority.session = 2000 } } ]
EOF
    # WirePlumber 0.4 exits without D-Bus unless its bluetooth part is dropped
    grep -v 'bluetooth.lua' /usr/share/wireplumber/wireplumber.conf >"$XDG_CONFIG_HOME/wireplumber/wireplumber.conf"
    cat >"$XDG_CONFIG_HOME/wireplumber/main.lua.d/60-headless.lua" <<'EOF'
alsa_monitor.enabled = false
alsa_monitor.properties["alsa.reserve"] = false
alsa_monitor.properties["alsa.midi"] = false
default_access.properties["enable-flatpak-portal"] = false
v4l2_monitor.enabled = false
libcamera_monitor.enabled = false
EOF
    pipewire >"$log/pipewire.log" 2>&1 &
    PW_PID=$!
    PIDS="$PIDS $PW_PID"
    for i in $(seq 600); do # WirePlumber gives up if the socket is not there yet
        [ -S "$XDG_RUNTIME_DIR/pipewire-0" ] && break
        sleep 0.05
    done
    wireplumber >"$log/wireplumber.log" 2>&1 &
    WP_PID=$!
    PIDS="$WP_PID $PIDS"
    # up to 30 s: under ASan with the other core busy the first start is slow;
    # a WirePlumber that gave up meanwhile is started once more
    for i in $(seq 600); do
        pw-metadata 0 default.audio.sink 2>/dev/null | grep -q "$sink" && return 0
        if [ "$i" = 200 ] && ! kill -0 "$WP_PID" 2>/dev/null; then
            wireplumber >>"$log/wireplumber.log" 2>&1 &
            WP_PID=$!
            PIDS="$WP_PID $PIDS"
        fi
        sleep 0.05
    done
    return 1
}

pw_eq10() {
    cat >"$1" <<'EOF'
Preamp: -6.0 dB
Filter 1: ON LSC Fc 105 Hz Gain 4.0 dB Q 0.70
Filter 2: ON PK Fc 32 Hz Gain -1.5 dB Q 1.20
Filter 3: ON PK Fc 64 Hz Gain 2.0 dB Q 0.90
Filter 4: ON PK Fc 250 Hz Gain -2.5 dB Q 1.40
Filter 5: ON PK Fc 500 Hz Gain 1.0 dB Q 2.00
Filter 6: ON PK Fc 1000 Hz Gain -1.0 dB Q 1.00
Filter 7: ON PK Fc 2000 Hz Gain 3.0 dB Q 2.50
Filter 8: ON PK Fc 4000 Hz Gain -4.0 dB Q 3.00
Filter 9: ON PK Fc 8000 Hz Gain 2.5 dB Q 1.50
Filter 10: ON HSC Fc 10000 Hz Gain -3.0 dB Q 0.70
EOF
}

# record_start FILE [FORMAT]: pw-record of what reaches test_sink, stereo 48 kHz,
# as FORMAT (pw-record's name: s16, the default, or f32)
record_start() {
    pw-record --target test_sink -P '{ stream.capture.sink = true }' --rate 48000 --channels 2 --format "${2:-s16}" \
        "$1" >"$T/record.log" 2>&1 &
    REC_PID=$!
    PIDS="$REC_PID $PIDS"
    sleep 0.3 # until it is linked
}
record_stop() {
    sleep 0.3
    kill -INT "$REC_PID" 2>/dev/null
    wait "$REC_PID" 2>/dev/null # exits 1 after SIGINT; its file is valid
}
