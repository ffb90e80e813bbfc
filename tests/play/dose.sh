#!/bin/bash
# dose: the sound-dose journal and `hpamp dose`.
#   - arithmetic against hand-computed cases: 1 h at 90 dBA is
#     10^((90-80)/10) x 1 h / 40 h = 25 % of the week (0.4 Pa2h); 100 dBA
#     uses the week in 24 minutes; mode 2 (75 dBA x 40 h): 1 h at 90 dBA is
#     10^1.5 / 40 = 79.06 %; time left at 80/85/90 dBA;
#   - the 7-day window rolls old records off (the clock set with HPAMP_NOW);
#   - kill -9 of a writer while it writes, again and again: the journal
#     always parses and loses at most the record (a minute) being written; a torn line
#     (power loss) is skipped and the rest reads;
#   - play with --headphones/--source records what it played: a 1 kHz sine
#     at the 85 dB SPL start level reads 85 dBA, a 100 Hz one 19.1 dB less
#     (the A-weighting), the time is the audio's.
. "$(dirname "$0")/lib.sh" "$@"
export TZ=UTC
T0=1764000000   # Mon 2025-11-24 16:00 UTC
j() { python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$T/out.txt" "$1"; }
dose_json() { run dose --json "$@"; expect_rc 0 >/dev/null; }
fresh() { rm -rf "$XDG_STATE_HOME/hpamp"; }
export XDG_STATE_HOME=$T/state

say "== arithmetic"
fresh
HPAMP_NOW=$T0 run dose --add 3600 --level 90 --json
expect_rc 0
check "1 h at 90 dBA = 25 % ($(j 'j["week"]["percent"]'))" near "$(j 'j["week"]["percent"]')" 25 0.001
check "... = 0.4 Pa2h ($(j 'j["week"]["pa2h"]'))" near "$(j 'j["week"]["pa2h"]')" 0.4 0.000001
check "... listened 3600 s" near "$(j 'j["week"]["listened_s"]')" 3600 0.01
check "time left at 80 dBA: 30 h ($(j 'j["remaining_s"]["80"]') s)" near "$(j 'j["remaining_s"]["80"]')" 108000 1
check "time left at 90 dBA: 3 h" near "$(j 'j["remaining_s"]["90"]')" 10800 1
r85=$(awk 'BEGIN { print 30 * 3600 / 10 ^ 0.5 }')
check "time left at 85 dBA: 30 h / 10^0.5 = $r85 s" near "$(j 'j["remaining_s"]["85"]')" "$r85" 1
check "today holds it all" near "$(j 'j["days"][0]["percent"]')" 25 0.001
HPAMP_NOW=$T0 run dose --dose-mode 2 --json
m2=$(awk 'BEGIN { print 100 * 10 ^ 1.5 / 40 }')
check "mode 2: the same hour is $m2 % ($(j 'j["week"]["percent"]'))" near "$(j 'j["week"]["percent"]')" "$m2" 0.001
fresh
HPAMP_NOW=$T0 run dose --add 1440 --level 100 --json
check "24 min at 100 dBA = 100 % ($(j 'j["week"]["percent"]'))" near "$(j 'j["week"]["percent"]')" 100 0.001
check "... and nothing left at 80 dBA" near "$(j 'j["remaining_s"]["80"]')" 0 0.1
HPAMP_NOW=$T0 run dose
expect_rc 0
check "text: the week line says 100.0 %" grep -Eq '^  week .* 100\.0 %' "$T/out.txt"

say "== the 7-day window rolls"
fresh
HPAMP_NOW=$T0 run dose --add 3600 --level 90                       # day 0, 15:00-16:00
HPAMP_NOW=$((T0 + 3 * 86400)) run dose --add 3600 --level 90       # day 3
HPAMP_NOW=$((T0 + 3 * 86400)) dose_json
check "two hours at 90 dBA in the window: 50 %" near "$(j 'j["week"]["percent"]')" 50 0.01
check "... 25 % today (day 3) and 25 % three days ago" \
    near "$(j 'j["days"][0]["percent"] + 10 * j["days"][3]["percent"]')" 275 0.01
HPAMP_NOW=$((T0 + 7 * 86400 + 60)) dose_json
check "7 days after the first hour ended: it rolled off (25 %)" near "$(j 'j["week"]["percent"]')" 25 0.01
HPAMP_NOW=$((T0 + 7 * 86400 - 3600 - 60)) dose_json
check "... but not a minute before it began (50 %)" near "$(j 'j["week"]["percent"]')" 50 0.01
HPAMP_NOW=$((T0 + 10 * 86400 + 60)) dose_json
check "10 days on: 0 %" near "$(j 'j["week"]["percent"]')" 0 0.0001
lines=$(wc -l <"$XDG_STATE_HOME/hpamp/dose.log")
HPAMP_NOW=$((T0 + 10 * 86400 + 60)) run dose --add 60 --level 70
check "a writer compacts: old records gone, the new minute in one or two lines ($lines -> $(wc -l <"$XDG_STATE_HOME/hpamp/dose.log"))" \
    [ "$(wc -l <"$XDG_STATE_HOME/hpamp/dose.log")" -le 61 ]
HPAMP_NOW=$((T0 + 10 * 86400 + 60)) run dose --add 1 --level 70
check "... and the second writer merged the first's seconds into minutes ($(wc -l <"$XDG_STATE_HOME/hpamp/dose.log") lines)" \
    [ "$(wc -l <"$XDG_STATE_HOME/hpamp/dose.log")" -le 3 ]

say "== kill -9 while writing"
fresh
prev=0
bad=0
for i in $(seq 1 25); do
    HPAMP_NOW=$T0 HPAMP_DOSE_PROGRESS=1 "$HPAMP" dose --add 604800 --level 85 >"$T/progress.txt" 2>/dev/null &
    pid=$!
    sleep "0.$(( (RANDOM % 20) + 1 ))"
    kill -9 $pid
    wait $pid 2>/dev/null
    k=$(tail -n 1 "$T/progress.txt")
    k=${k%.*}
    k=${k:-0}
    HPAMP_NOW=$T0 run dose --json
    # one python per run (it parses, then prints the two fields)
    if [ "$rc" -ne 0 ] || ! read -r now sk < <(python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(j["week"]["listened_s"], j["skipped_lines"])' "$T/out.txt" 2>/dev/null); then
        bad=$((bad + 1)); say "  run $i: the journal did not parse"; continue
    fi
    d=$(awk -v a="$now" -v b="$prev" 'BEGIN { printf "%.0f", a - b }')
    if [ "$d" -lt "$k" ] || [ "$d" -gt $((k + 60)) ] || [ "$sk" != 0 ]; then
        bad=$((bad + 1)); say "  run $i: synced $k s, the journal gained $d s, skipped $sk lines"
    fi
    prev=$now
done
check "25 kills: the journal parsed every time and kept every synced second (at most the minute being written lost; total $prev s)" [ "$bad" = 0 ]
check "... and the kills hit while records were being written (total > 0)" le 1 "$prev"

printf 'E 1764000000 1.000 0.4 deadbe' >>"$XDG_STATE_HOME/hpamp/dose.log" # a torn line
HPAMP_NOW=$T0 run dose --json
expect_rc 0
check "a torn last line is skipped ($(j 'j["skipped_lines"]')) and the rest reads ($(j 'j["week"]["listened_s"]') s)" \
    [ "$(j 'j["skipped_lines"]')" = 1 ] && near "$(j 'j["week"]["listened_s"]')" "$prev" 0.01
HPAMP_NOW=$T0 run dose --add 1 --level 85
HPAMP_NOW=$T0 run dose --json
check "... and the next writer drops it: 0 skipped, one more second" \
    [ "$(j 'j["skipped_lines"]')" = 0 ] && near "$(j 'j["week"]["listened_s"]')" "$((${prev%.*} + 1))" 0.01

say "== play records what it played"
alsa_conf
fresh
sox -V1 -n -r 48000 -c 2 -b 24 "$T/t1k.wav" synth 5 sine 1000 vol 0.999
sox -V1 -n -r 48000 -c 2 -b 24 "$T/t100.wav" synth 5 sine 100 vol 0.999
HP="300ohm,97dB/mW" SRC="1.0V,0.9ohm" # 0 dBFS = 102.2 dB SPL: start at -17.2 dBFS = 85 dB SPL
level() { python3 -c 'import json,math,sys; w=json.load(open(sys.argv[1]))["week"]; print(10*math.log10(w["pa2h"]*3600/w["listened_s"]/4e-10))' "$T/out.txt"; }
run play "$T/t1k.wav" --device alsa:capraw -H "$HP" -S "$SRC"
expect_rc 0
dose_json
check "5 s recorded ($(j 'j["week"]["listened_s"]'))" near "$(j 'j["week"]["listened_s"]')" 5 0.001
check "a 0 dBFS 1 kHz sine at the start level: $(level) dBA = 85 (0.1)" near "$(level)" 85 0.1
fresh
run play "$T/t100.wav" --device alsa:capraw -H "$HP" -S "$SRC"
expect_rc 0
dose_json
check "the same at 100 Hz: $(level) dBA = 85 - 19.1 (IEC 61672-1; 0.2)" near "$(level)" 65.9 0.2
fresh
run play "$T/t1k.wav" --device alsa:capraw
dose_json
check "without headphones and source nothing is recorded" near "$(j 'j["week"]["listened_s"]')" 0 0.0001

say "== a warning at 100 % during play"
fresh
HPAMP_NOW=$T0 run dose --add 1438 --level 100   # 99.86 %, and 5 s at 100 dBA is 0.35 %
HPAMP_NOW=$((T0 + 10)) run play "$T/t1k.wav" --device alsa:capraw -H "$HP" -S "$SRC" --volume 0 --i-understand-loud
expect_rc 0
check "5 s more at the 100 dB SPL ceiling: '$(grep -m1 'sound dose' "$T/err.txt" | head -c 120)'" \
    grep -q "sound dose has reached 100 %" "$T/err.txt"
check "... once" [ "$(grep -c 'sound dose has reached' "$T/err.txt")" = 1 ]

say "== the acknowledgement: stored, and asked again after 20 h of listening"
fresh
HPAMP_NOW=$T0 run play "$T/t1k.wav" --device alsa:capraw -H "$HP" -S "$SRC" --volume -10
expect_rc 2
check "above 85 dB SPL (-17.2 dBFS) without it: refused ($(head -c 120 "$T/err.txt"))" grep -q "i-understand-loud" "$T/err.txt"
HPAMP_NOW=$T0 run play "$T/t1k.wav" --device alsa:capraw -H "$HP" -S "$SRC" --volume -10 --i-understand-loud
expect_rc 0
HPAMP_NOW=$((T0 + 100)) run play "$T/t1k.wav" --device alsa:capraw -H "$HP" -S "$SRC" --volume -10
expect_rc 0
HPAMP_NOW=$((T0 + 100)) dose_json
check "the acknowledgement holds in the next session ($(j 'j["ack_listened_s"]') s since)" [ "$(j 'j["acknowledged"]')" = True ]
HPAMP_NOW=$((T0 + 200 + 71985)) run dose --add 71985 --level 70   # 19 h 59 min 45 s after it
HPAMP_NOW=$((T0 + 72300)) dose_json
check "just under 20 h since: still holds ($(j 'j["ack_listened_s"]') s)" [ "$(j 'j["acknowledged"]')" = True ]
sox -V1 -n -r 48000 -c 2 -b 24 "$T/long.wav" synth 60 sine 1000 vol 0.5
HPAMP_NOW=$((T0 + 72300)) run play "$T/long.wav" --device alsa:capraw -H "$HP" -S "$SRC" --volume -10
expect_rc 0
check "during play the 20 h ran out: a warning, back to 85 dB SPL ($(grep -m1 '20 h' "$T/err.txt" | head -c 150))" \
    grep -q "20 h of listening since the acknowledgement" "$T/err.txt"
HPAMP_NOW=$((T0 + 72400)) run play "$T/t1k.wav" --device alsa:capraw -H "$HP" -S "$SRC" --volume -10
expect_rc 2
check "... and the next session must acknowledge again" grep -q "i-understand-loud" "$T/err.txt"

finish
