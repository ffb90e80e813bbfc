#!/bin/bash
# switch: the amp follows the output, and each output gets its own profile.
# Two null sinks: speakers (the default) and usb_dac (a "USB DAC" reporting
# vendor:product 152a:8750).  devices.ini gives speakers a volume of -25 dBFS
# (above the safe level: --i-understand-loud) and the DAC, matched by its USB
# ids, a ceiling of -20 dBFS and no volume: unknown headphones start at -30.
# One client plays into hpamp all along: a 1 kHz sine at -6 dBFS, then the
# sign-of-sinc bursts of tests/common/adversarial.py (+10.77 dBTP), then the
# sine again.
#   - on speakers the sine arrives at -31 dBFS (peak, within 0.05 dB)
#   - wpctl set-default usb_dac: the sound moves there; its first 5 ms are at
#     least 20 dB below the steady level that follows, -36 dBFS (within
#     0.05 dB): the DAC never gets the speakers' -25 dB
#   - the bursts on the DAC stay at or under its -20 dBTP ceiling (true peak
#     by the reference meter, 16x)
#   - the DAC is destroyed (pw-cli destroy) while the sine plays: the amp
#     lives on and goes back to speakers, its first 5 ms again 20 dB below
#     the steady -31 dBFS: no burst
#   - the DAC comes back (pw-cli create-node, the same properties): it is the
#     configured default again, the amp moves there, and no sample it gets
#     is above its steady -36 dBFS: no burst, not the speakers' level
# The last two (the unplug) run only with SWITCH_UNPLUG=1.  The script is not
# in the suite: the amp's node group still stalls in some runs (docs/amp.md,
# "Known problems").
# Made reliable on a busy machine: the recorders stay on their sink when the
# default changes (WirePlumber makes a stream on the default follow it), the
# DAC's recorder ends before the DAC is destroyed, and steady levels are the
# median of 10 ms peaks (a late cycle's dropout moves a block, not the median).
. "$(dirname "$0")/lib.sh" "$@"
[ -x "$TPREF" ] || skip "tpref_tool not built"
need wpctl
amp_servers
mkdir -p "$XDG_CONFIG_HOME/hpamp"
cat >"$XDG_CONFIG_HOME/hpamp/devices.ini" <<'INI'
# the two outputs of this test
[speakers]
node = speakers
volume = -25

[usb-dac]
usb = 152a:8750
max-volume = -20
INI

REC_STAY=1
python3 "$(dirname "$0")/../common/adversarial.py" "$T" || exit 1
sox -V1 -n -r 48000 -c 2 -b 16 "$T/sine.wav" synth 30 sine 1000 vol 0.5
M="python3 $(dirname "$0")/measure.py"
# wait_for N TEXT: until amp.err holds TEXT N times (15 s at most)
wait_for() {
    local i
    for i in $(seq 300); do
        [ "$(grep -c "$2" "$T/amp.err")" -ge "$1" ] && return 0
        sleep 0.05
    done
    return 1
}
play_bg() { # the sine into hpamp, in the background (PLAY)
    pw-play --target hpamp "$T/sine.wav" &
    PLAY=$!
    PIDS="$PLAY $PIDS"
}

amp_start --i-understand-loud
check "speakers get their profile: $(grep -m1 'output ' "$T/amp.err")" \
    grep -q "output speakers (profile speakers)" "$T/amp.err"
DAC=$(node_id usb_dac)
record_start speakers "$T/a.wav"
REC_A=$REC_PID
record_start usb_dac "$T/b.wav"
REC_B=$REC_PID
play_bg
sleep 2.5
say "      wpctl set-default usb_dac"
wpctl set-default "$DAC"
wait_for 1 "output usb_dac" || fail "the amp moved to usb_dac within 15 s"
sleep 2.5
kill "$PLAY"
wait "$PLAY" 2>/dev/null
say "      the bursts"
pw-play --target hpamp "$T/burst.wav"
sleep 0.3
kill -INT "$REC_B" 2>/dev/null
wait "$REC_B" 2>/dev/null
if [ "${SWITCH_UNPLUG:-0}" = 1 ]; then
play_bg
sleep 1
record_start speakers "$T/c.wav"
REC_C=$REC_PID
say "      pw-cli destroy usb_dac"
pw-cli destroy "$DAC" >/dev/null
wait_for 2 "output speakers (profile speakers)" || fail "the amp went back to speakers within 15 s"
sleep 2.5
say "      usb_dac comes back"
pw-cli create-node adapter '{ factory.name = support.null-audio-sink node.name = "usb_dac"
    node.description = "USB DAC" media.class = "Audio/Sink" audio.position = "FL,FR" audio.rate = 48000
    device.bus = "usb" device.vendor.id = "0x152a" device.product.id = "0x8750" api.alsa.card.name = "E30"
    monitor.channel-volumes = true object.linger = true priority.session = 1000 }' >/dev/null
for i in $(seq 100); do [ -n "$(node_id usb_dac)" ] && break; sleep 0.05; done
record_start usb_dac "$T/d.wav"
REC_D=$REC_PID
wait_for 2 "output usb_dac (profile usb-dac)" || fail "the amp moved to usb_dac again when it came back"
sleep 2.5
kill "$PLAY"
wait "$PLAY" 2>/dev/null
sleep 0.3
fi
for p in $REC_A ${REC_C:-} ${REC_D:-}; do kill -INT "$p" 2>/dev/null; wait "$p" 2>/dev/null; done

check "it moved to usb_dac with the DAC's profile: $(grep -m1 'output usb_dac' "$T/amp.err")" \
    grep -q "output usb_dac (profile usb-dac)" "$T/amp.err"

a=$($M level "$T/a.wav" 1 1)
check "speakers: the sine at $a dBFS peak = -6 - 25 within 0.05" near "$a" -31 0.05

line=$($M switch "$T/b.wav" 5 1)
say "      usb_dac: $line"
check "usb_dac: the first 5 ms $(field "$line" below) dB below the steady level (>= 20)" \
    le 20 "$(field "$line" below)"
check "usb_dac: steady at $(field "$line" steady) dBFS = -6 - 30 within 0.05" near "$(field "$line" steady)" -36 0.05
tp=$("$TPREF" "$T/b.wav")
check "usb_dac: true peak $tp dBTP with the bursts <= its ceiling -20 + 0.01" le "$tp" -19.99

if [ "${SWITCH_UNPLUG:-0}" = 1 ]; then
check "hpamp amp is alive after its output was destroyed" kill -0 "$AMP_PID"
check "... and back to speakers when the DAC went away" \
    eval '[ "$(grep -c "output speakers (profile speakers)" "$T/amp.err")" -ge 2 ]'
line=$($M switch "$T/c.wav" 5 1)
say "      speakers again: $line"
check "speakers again: the first 5 ms $(field "$line" below) dB below the steady level (>= 20)" \
    le 20 "$(field "$line" below)"
check "speakers again: steady at $(field "$line" steady) dBFS = -31 within 0.05" near "$(field "$line" steady)" -31 0.05

d=$($M level "$T/d.wav" 1.5 0.5)
check "usb_dac back: steady at $d dBFS = -36 within 0.05" near "$d" -36 0.05
pk=$($M peak "$T/d.wav")
check "usb_dac back: no sample above it (peak $pk dBFS <= -36 + 0.05)" le "$pk" -35.95

fi

amp_stop TERM
check "exit status 0 after SIGTERM (got $rc)" [ "$rc" = 0 ]
finish
