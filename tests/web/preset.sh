#!/bin/bash
# preset: POST /api/v1/preset while `hpamp play --http` plays a 1 kHz sine
# to a headless PipeWire (pw-record capturing what reaches the null sink).
#   - an unknown preset: 404, the message naming it
#   - a user preset with one peaking band (+6 dB at 2 kHz, no preamp line):
#     200; GET state and GET presets name it; GET curves is that band (the
#     Audio EQ Cookbook, computed here); the capture at 1 kHz changes by the
#     band's response there less the 6 dB of headroom the band needs (as
#     --preset at the start: never louder), within 0.1 dB
#   - another (-4 dB at 1 kHz, Q 2, preamp -2.5 dB): the capture is the
#     baseline plus that band's response and the preamp, within 0.1 dB
#   - a preset whose file is broken: 409 naming FILE:LINE; nothing changes
#   - the meter events' short-term loudness (LUFS) agrees with ffmpeg's
#     ebur128 filter on 4 s of the capture (its last short-term value), 0.5 LU
#   - through it all the audio thread's probe (tests/play/rtcheck, as
#     tests/play/rt.sh) counts no allocator, lock, sleep or I/O call: the
#     band sets are built and the loudness measured off the audio thread
. "$(dirname "$0")/lib.sh" "$@"
need ffmpeg
pipewire_start
web_rt_probe "${3:-}" "${4:-none}"

sox -V1 -n -r 48000 -c 2 -b 16 "$T/sine.wav" synth 5 sine 1000 gain -12
P=$XDG_CONFIG_HOME/hpamp/presets
mkdir -p "$P"
printf '[preset]\ntitle = one band up\n[eq]\nfilter = ON PK Fc 2000 Hz Gain 6 dB Q 1.41\n' >"$P/pkboost.ini"
printf '[preset]\ntitle = one band down\n[eq]\npreamp = -2.5\nfilter = ON PK Fc 1000 Hz Gain -4 dB Q 2\n' >"$P/pkcut.ini"
web_start $(for _ in $(seq 60); do echo "$T/sine.wav"; done) --device pipewire:test_sink --json

say "== an unknown preset"
l0=$(level base)
say "      the baseline: $l0 dBFS"
post preset '{"name": "no-such-preset"}'
check "POST preset no-such-preset: 404 ($resp)" [ "$st" = 404 ]
check "... the message names it" grep -q '"error":"[^"]*no-such-preset' <<<"$resp"
post preset '{"name": 3}'
check "POST preset with a number for a name: 400 ($resp)" [ "$st" = 400 ]

# apply NAME F0 GAIN Q PREAMP: POST preset NAME, whose EQ is one peaking band
# and PREAMP; the state, the curves and the capture at 1 kHz follow
apply() {
    post preset "{\"name\": \"$1\"}"
    check "POST preset $1: 200 ($resp)" [ "$st" = 200 ]
    check "GET state: the preset in use is $1, the EQ on" [ "$(jget state 'j.get("preset"), j["eq"]["on"]')" = "$1 True" ]
    check "GET presets: the current one is $1" [ "$(jget presets 'j["current"]')" = "$1" ]
    $WEBCHECK peaking "$2" "$3" "$4" 48000 "$BASE" "$TOKEN"
    check "GET curves follows the preset" [ $? = 0 ]
    local l want
    l=$(level "$1")
    want=$(awk -v h="$($WEBCHECK rbj "$2" "$3" "$4" 48000 1000)" -v p="$5" 'BEGIN { printf "%.4f", h + p }')
    check "the capture at 1 kHz is the baseline plus the band's response and a preamp of $5 dB ($want dB): $l0 -> $l" \
        near "$(awk -v a="$l" -v b="$l0" 'BEGIN { print a - b }')" "$want" 0.1
}
say "== one band up: the preamp is the headroom it needs"
apply pkboost 2000 6 1.41 -6
say "== one band down: its own preamp"
apply pkcut 1000 -4 2 -2.5

say "== a broken preset"
printf '[preset]\ntitle = broken\n[eq]\nfilter = ON PK Fc 0 Hz Gain 3 dB Q 1\n' >"$P/broken.ini"
post preset '{"name": "broken"}'
check "POST preset broken: 409 ($resp)" [ "$st" = 409 ]
check "... naming its file and line" grep -q 'broken\.ini:4: ' <<<"$resp"
check "... and the preset in use is still pkcut" [ "$(jget state 'j.get("preset")')" = pkcut ]

say "== short-term loudness"
record_start "$T/lufs.wav" f32
sleep 4
lufs=$($WEBCHECK lufs "$BASE" "$TOKEN")
record_stop
ref=$(ffmpeg -nostdin -hide_banner -nostats -i "$T/lufs.wav" -af ebur128 -f null - 2>&1 |
    grep -o 'S: *-\?[0-9.]*' | tail -1 | grep -o -- '-\?[0-9.]*$')
say "      the meter events: $lufs LUFS; ffmpeg's ebur128 on the capture: $ref LUFS"
check "the events' short-term loudness is within 0.5 LU of ffmpeg's ($lufs, $ref)" near "$lufs" "${ref:-none}" 0.5

say "== the end"
web_end
finish
