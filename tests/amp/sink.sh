#!/bin/bash
# sink: `hpamp amp` is a PipeWire sink that real clients play into.
#   - it appears in pw-dump as an Audio/Sink named hpamp whose description
#     names what it plays on, and wpctl status lists it under Sinks
#   - pw-play (a native client) into hpamp reaches the default output at the
#     volume: the safe start level of unknown gear, -30 dBFS, and a
#     profile's volume (-33), within 0.05 dB (sox stats on the steady part)
#   - bit-transparent at 0 dB (--i-understand-loud) with nothing in the
#     chain: S16 music in, S16 out of the output's monitor, sample for sample
#   - paplay (PulseAudio, through pipewire-pulse) plays into it too
#   - --default makes it the default sink, a client with no target lands in
#     it, and SIGTERM (then SIGINT) gives the previous default back; SIGTERM
#     exits 0 and removes the sink
# A real-time server on a loaded 2-core machine may drop a cycle: a capture
# that disagrees is taken once more and the second must agree.
. "$(dirname "$0")/lib.sh" "$@"
amp_servers

I=$T/in
mkdir -p "$I"
sox -V1 -n -r 48000 -c 2 -b 16 "$I/sine.wav" synth 3 sine 1000 vol 0.5 pad 0.5 0.2
sox -V1 -D "$(music loop_compus)" "$I/music.wav" rate -v 48000 gain -3 trim 0 2.5 pad 0.5 0.2
sox -V1 "$I/music.wav" -t raw "$T/ref.raw"
in_rms=$(python3 "$(dirname "$0")/measure.py" rms "$I/sine.wav" 0.6 2)

# level CLIENT VOLUME: play the sine into hpamp with CLIENT, the steady level at speakers
level() {
    local client=$1 want=$2 attempt got
    for attempt in 1 2; do
        record_start speakers "$T/rec.wav"
        case $client in
        pw-play) pw-play --target hpamp "$I/sine.wav" ;;
        paplay) paplay -d hpamp "$I/sine.wav" ;;
        esac
        record_stop
        got=$(python3 "$(dirname "$0")/measure.py" rms "$T/rec.wav" 0.6 2)
        d=$(awk -v a="$got" -v b="$in_rms" 'BEGIN { printf "%.4f", a - b }')
        say "      $client: capture $got dBFS, input $in_rms dBFS: $d dB"
        near "$d" "$want" 0.05 && [ "$(python3 "$(dirname "$0")/measure.py" gaps "$T/rec.wav")" = 0 ] && break
        say "      (attempt $attempt disagrees; once more)"
    done
    check "$client into hpamp: level $d dB = $want dB within 0.05" near "$d" "$want" 0.05
}

say "== the sink in the graph"
amp_start
check "pw-dump: node hpamp is an Audio/Sink" [ "$(node_prop hpamp media.class)" = Audio/Sink ]
desc=$(node_prop hpamp node.description)
check "its description names the output ('$desc')" eval '[[ "$desc" == hpamp*"Null Sink speakers"* ]]'
if command -v wpctl >/dev/null; then
    check "wpctl status lists it under Sinks" eval 'wpctl status | sed -n "/Sinks:/,/Sink endpoints:/p" | grep -q "hpamp"'
fi
check "it says it plays on speakers at -30 dBFS: $(grep -m1 'ramps to' "$T/amp.err")" \
    grep -q "ramps to -30.0 dBFS" "$T/amp.err"
level pw-play -30

say "== paplay through pipewire-pulse"
if command -v pipewire-pulse >/dev/null && command -v paplay >/dev/null; then
    pipewire-pulse >"$T/pulse.log" 2>&1 &
    PIDS="$! $PIDS"
    for _ in $(seq 200); do [ -S "$XDG_RUNTIME_DIR/pulse/native" ] && break; sleep 0.05; done
    level paplay -30
else
    say "SKIP  pipewire-pulse or paplay is not installed"
fi

say "== SIGTERM: exit 0, the sink removed"
amp_stop TERM
check "exit status 0 after SIGTERM (got $rc)" [ "$rc" = 0 ]
check "no node hpamp any more" [ -z "$(node_id hpamp)" ]

say "== a profile's volume: -33 dBFS"
mkdir -p "$XDG_CONFIG_HOME/hpamp"
printf '[speakers]\nnode = speakers\nvolume = -33\n' >"$XDG_CONFIG_HOME/hpamp/devices.ini"
amp_start
check "it names the profile: $(grep -m1 'output ' "$T/amp.err")" grep -q "output speakers (profile speakers)" "$T/amp.err"
level pw-play -33
amp_stop TERM
rm "$XDG_CONFIG_HOME/hpamp/devices.ini"

say "== bit-transparent at 0 dB"
amp_start --volume 0 --i-understand-loud
for attempt in 1 2; do
    record_start speakers "$T/bit.wav" s16
    pw-play --target hpamp "$I/music.wav"
    record_stop
    sox -V1 "$T/bit.wav" -t raw -e signed-integer -b 16 "$T/cap.raw"
    line=$("$PCMCMP" s16 2 "$T/ref.raw" "$T/cap.raw" 0.001 0.5 48000)
    say "      $line"
    [ "$(field "$line" mismatches)" = 0 ] && break
    say "      (attempt $attempt disagrees; once more)"
done
check "every sample after the ramp as it went in" [ "$(field "$line" mismatches)" = 0 ] &&
    [ "$(field "$line" compared)" = "$(field "$line" expected)" ]
amp_stop TERM

say "== --default: taken while it runs, given back on SIGTERM and on SIGINT"
before=$(default_sink)
for sig in TERM INT; do
    amp_start --default
    for _ in $(seq 100); do [ "$(default_sink)" = hpamp ] && break; sleep 0.05; done
    check "the default sink is hpamp while it runs (was $before)" [ "$(default_sink)" = hpamp ]
    if [ $sig = TERM ]; then
        record_start speakers "$T/rec.wav"
        pw-play "$I/sine.wav"
        record_stop
        got=$(python3 "$(dirname "$0")/measure.py" rms "$T/rec.wav" 0.6 2)
        d=$(awk -v a="$got" -v b="$in_rms" 'BEGIN { printf "%.4f", a - b }')
        check "pw-play with no target goes through the amp ($d dB, -30 within 0.1)" near "$d" -30 0.1
    fi
    amp_stop $sig
    check "exit status 0 after SIG$sig (got $rc)" [ "$rc" = 0 ]
    for _ in $(seq 100); do [ "$(default_sink)" = "$before" ] && break; sleep 0.05; done
    check "after SIG$sig the default is $before again (now '$(default_sink)')" [ "$(default_sink)" = "$before" ]
    check "... and the sink is gone" [ -z "$(node_id hpamp)" ]
done

finish
