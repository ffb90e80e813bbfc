#!/bin/bash
# api: `hpamp play --http` on a headless PipeWire (a null sink, pw-record
# capturing what reaches it), driven through /api/v1/ by webcheck.py.
#   - the token file: mode 0600, holds the printed token, gone at the end
#   - every GET endpoint against its schema; 10 meter events a second
#   - GET curves: the EQ series is the Audio EQ Cookbook's peaking filter
#     computed here
#   - GET curves: the output impedance's response change peaks at the
#     headphone's impedance peak, by the voltage divider's arithmetic
#   - POST volume (db, step_db, spl_db) changes the captured level by what
#     was asked, within 0.05 dB (a steady 1 kHz sine, RMS in python)
#   - above the safe level without "acknowledge": 409 and held at the safe
#     level; with it, as asked; above the ceiling: capped, verdict at_ceiling;
#     out of the table's range: 400 naming the range
#   - POST mute silences the capture; eq and crossfeed switch
#   - the script block of docs/web.md runs against it (its port replaced)
. "$(dirname "$0")/lib.sh" "$@"
pipewire_start

sox -V1 -n -r 48000 -c 2 -b 16 "$T/sine.wav" synth 5 sine 1000 gain -12
printf 'Preamp: -4.0 dB\nFilter 1: ON PK Fc 3000 Hz Gain 3.5 dB Q 1.41\n' >"$T/eq.txt"
web_start $(for _ in $(seq 60); do echo "$T/sine.wav"; done) --device pipewire:test_sink -H hd650 -S 2.0V,75ohm --eq "$T/eq.txt" \
    --crossfeed default --json

say "== the token"
TF=$XDG_RUNTIME_DIR/hpamp/http-$PORT.token
check "the token file $TF is mode 0600 ($(stat -c %a "$TF" 2>&1))" [ "$(stat -c %a "$TF" 2>/dev/null)" = 600 ]
check "it holds the printed token" [ "$(cat "$TF" 2>/dev/null)" = "$TOKEN" ]
check "the token is 64 hex digits (256 bits from getrandom)" grep -Eqx '[0-9a-f]{64}' <<<"$TOKEN"
check "the address is loopback: $BASE" grep -q '^http://127\.0\.0\.1:[0-9]*$' <<<"$BASE"

say "== the endpoints"
$WEBCHECK schema "$BASE" "$TOKEN"
r=$?
check "every endpoint's schema ($r failed)" [ "$r" = 0 ]
$WEBCHECK peaking 3000 3.5 1.41 48000 "$BASE" "$TOKEN"
check "the EQ curve" [ $? = 0 ]

# HD 650: 300 ohm, its impedance peak 480 ohm at 100 Hz (data/headphones.csv); on 75 ohm the
# divider Z/(Z+75) is 20 log10((480/555) / (300/375)) = 0.677 dB higher at the peak than
# where Z is 300 (less where the reference's Z is above it, by the resonance's tail)
$WEBCHECK zout 480 100 300 75 0.1 "$BASE" "$TOKEN"
check "the output-impedance curve" [ $? = 0 ]

say "== volume"
safe=$(jget state 'j["safe_db"]')
ceiling=$(jget state 'j["ceiling_db"]')
spl0=$(jget state 'j["spl_at_0dbfs"]')
say "      safe level $safe dB, ceiling $ceiling dB, $spl0 dB SPL at 0 dBFS"
v1=$(awk -v s="$safe" 'BEGIN { printf "%.2f", s - 6 }')
post volume "{\"db\": $v1}"
check "POST volume db $v1: 200 ($resp)" [ "$st" = 200 ]
l1=$(level a)
post volume '{"step_db": -10}'
check "POST volume step_db -10: 200 ($resp)" [ "$st" = 200 ]
l2=$(level b)
check "the capture fell by 10 dB: $l1 -> $l2" near "$(awk -v a="$l1" -v b="$l2" 'BEGIN { print a - b }')" 10 0.05
spl=$(awk -v s="$spl0" -v v="$v1" 'BEGIN { printf "%.2f", s + v - 10 + 4 }')
post volume "{\"spl_db\": $spl}"
check "POST volume spl_db $spl (4 dB up): 200 ($resp)" [ "$st" = 200 ]
l3=$(level c)
check "the capture rose by 4 dB: $l2 -> $l3" near "$(awk -v a="$l3" -v b="$l2" 'BEGIN { print a - b }')" 4 0.05

loud=$(awk -v s="$safe" 'BEGIN { printf "%.2f", s + 3 }')
post volume "{\"db\": $loud}"
check "above the safe level without acknowledge: 409 ($resp)" [ "$st" = 409 ]
check "... and held at the safe level" near "$(jget state 'j["volume_db"]')" "$safe" 0.001
check "... the state says not acknowledged" [ "$(jget state 'j["acknowledged"]')" = False ]
post volume "{\"db\": $loud, \"acknowledge\": true}"
check "with \"acknowledge\": true: 200 ($resp)" [ "$st" = 200 ]
check "... at $loud dB" near "$(jget state 'j["volume_db"]')" "$loud" 0.001
over=$(awk -v c="$ceiling" 'BEGIN { printf "%.2f", c + 1 }')
post volume "{\"db\": $over}"
check "above the ceiling: capped, at_ceiling ($resp)" grep -q '"verdict":"at_ceiling"' <<<"$resp"
check "... at the ceiling $ceiling" near "$(jget state 'j["volume_db"]')" "$ceiling" 0.001
post volume '{"db": 1000}'
check "out of the table's range: 400 naming it ($resp)" grep -Eq '^400 .*db takes -120\.\.\+?[0-9]+ dB, not 1000' <<<"$resp"
post volume '{"db": "loud"}'
check "not a number: 400 ($resp)" [ "$st" = 400 ]
post volume '{"db": -40, "step_db": 1}'
check "two of db, step_db: 400 ($resp)" [ "$st" = 400 ]
post volume '{"db": -40, "volume": 1}'
check "an unknown field: 400 ($resp)" [ "$st" = 400 ]

say "== mute, eq, crossfeed"
post volume "{\"db\": $v1}"
post mute '{"mute": true}'
check "POST mute true: 200 ($resp)" [ "$st" = 200 ]
lm=$(level m)
check "the capture is silent when muted ($lm dBFS)" le "$lm" -90
post mute '{"mute": false}'
lu=$(level u)
check "unmuted: back to $l1 dB ($lu)" near "$lu" "$l1" 0.05
post eq '{"on": false}'
check "POST eq off: 200, off ($resp)" [ "$(jget state 'j["eq"]["on"]')" = False ]
post eq '{"on": "toggle"}'
check "POST eq toggle: on again ($resp)" [ "$(jget state 'j["eq"]["on"]')" = True ]
post crossfeed '{"on": false}'
check "POST crossfeed off ($resp)" [ "$(jget state 'j["crossfeed"]["on"]')" = False ]
post eq '{"on": 2}'
check "eq on 2: 400 ($resp)" [ "$st" = 400 ]

say "== docs/web.md's commands (its port 8765 stands for this one's)"
need curl
awk '/^```sh$/ { on = 1; next } /^```/ { on = 0 } on' "$WEB_DIR/../../docs/web.md" >"$T/doc.sh"
check "docs/web.md has a script block ($(wc -l <"$T/doc.sh") lines)" [ "$(wc -l <"$T/doc.sh")" -ge 5 ]
while IFS= read -r line; do
    cmd=${line//8765/$PORT}
    want=0
    [[ $line =~ \#\ exit\ ([0-9]+) ]] && want=${BASH_REMATCH[1]}
    out=$(TOKEN= && eval "$(head -1 "$T/doc.sh" | sed "s/8765/$PORT/")" && eval "$cmd" 2>&1)
    r=$?
    check "docs: ${line:0:90} -> exit $want (got $r: ${out:0:80})" [ "$r" = "$want" ]
    case $line in
    curl*events*) check "... meter events" grep -q '^event: meters' <<<"$out" ;;
    curl*) check "... a JSON object, no error" "$PY" -c 'import json,sys; j=json.loads(sys.argv[1]); sys.exit("error" in j)' "$out" ;;
    esac
done <"$T/doc.sh"

say "== the end"
web_stop
check "play ends on SIGINT (status $rc)" [ "$rc" = 130 ]
check "the token file is removed" [ ! -e "$TF" ]
check "no xruns, no underruns ($(grep -o '"xruns": [0-9]*, "underruns": [0-9]*' "$T/play.out"))" \
    grep -q '"xruns": 0, "underruns": 0' "$T/play.out"
finish
