#!/bin/bash
# eq: the EQ file as the plugin's patch:Parameter (atom:Path), set by a
# patch:Set on the control port, read and designed in the worker and
# crossfaded in.  Sines through lv2host: each level within 0.1 dB of the
# Audio EQ Cookbook's response computed here in python3 (tone.py).  A
# malformed or missing file is reported through the log feature, naming the
# file (and line), and the EQ playing stays; state save/restore round-trips.
# Channel: sections: a band and a Preamp under Channel: R reach the right
# channel only (each channel against the cookbook with its own preamp).
. "$(dirname "$0")/lib.sh" "$@"
TONE="python3 $HERE/tone.py"
RATE=48000
AMP=0.25

# the Preamp is below the bands' largest gain (+6 dB), so it is used as given
cat >"$T/eq.txt" <<'EQ'
# AutoEq style
Preamp: -8 dB
Filter 1: ON PK Fc 1000 Hz Gain 6.0 dB Q 1.41
Filter 2: ON LSC Fc 105 Hz Gain 4.0 dB Q 0.70
Filter 3: ON PK Fc 6000 Hz Gain -5.5 dB Q 3.00
EQ
DESIGN="-8 PK 1000 6.0 1.41 LSC 105 4.0 0.70 PK 6000 -5.5 3.00"
printf 'Preamp: -3 dB\nFilter 1: ON PK Fc 1000 Hz Gain 6.0 dB Q 1.41\nFilter 2: ON PK Fc 2k Hz Gain 1 dB Q 1\n' \
    >"$T/bad.txt" # line 3: "2k" is no frequency

tone() { [ -s "$T/tone$1.f32" ] || $TONE gen "$1" $RATE "${2:-1.0}" $AMP "$T/tone$1.f32"; }
# level F FILE FROM TO: the sine's level in dB
level() { $TONE gain "$2" "$1" $RATE "$3" "$4" $AMP; }
near() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= t) }'; }

# the EQ is set with block 1 (1024 frames); the crossfade is 20 ms: measured from 0.3 s
for f in 40 105 300 700 1000 1500 3000 6000 12000; do
    tone $f
    "$LV2HOST" "$PLUGIN_SO" "$STEREO" $RATE 1024 -f -e "$T/eq.txt" <"$T/tone$f.f32" >"$T/out.f32" 2>"$T/log.txt"
    got=$(level $f "$T/out.f32" 0.3 0.9)
    want=$($TONE peq $f $RATE $DESIGN)
    check "$f Hz: $got dB, the cookbook's $want dB, within 0.1 dB" near "$got" "$want" 0.1
done
check "a good file logs nothing: $(head -c 200 "$T/log.txt")" bash -c "! grep -q '^log:' '$T/log.txt'"

# the same through the mono plugin at 1 kHz
rm -f "$T/tone1000.f32"
tone 1000 2.2
python3 -c "
import array
a = array.array('f'); a.frombytes(open('$T/tone1000.f32', 'rb').read())
b = array.array('f', a[0::2]); b.tofile(open('$T/mono.f32', 'wb'))"
"$LV2HOST" "$PLUGIN_SO" "$MONO" $RATE 1024 -f -e "$T/eq.txt" <"$T/mono.f32" >"$T/out1.f32" 2>/dev/null
python3 -c "
import array
a = array.array('f'); a.frombytes(open('$T/out1.f32', 'rb').read())
b = array.array('f'); [b.extend((x, x)) for x in a]; b.tofile(open('$T/out.f32', 'wb'))"
got=$(level 1000 "$T/out.f32" 0.3 0.9)
want=$($TONE peq 1000 $RATE $DESIGN)
check "mono, 1000 Hz: $got dB, the cookbook's $want dB" near "$got" "$want" 0.1

# a malformed file and a missing one after the good one: logged, the good EQ plays on.
# -e sends the files with blocks 1, 65 and 129 (1.39 s, 2.73 s): measured after the second
"$LV2HOST" "$PLUGIN_SO" "$STEREO" $RATE 1024 -f -e "$T/eq.txt" -e "$T/bad.txt" <"$T/tone1000.f32" \
    >"$T/out.f32" 2>"$T/log.txt"
check "the malformed file is logged with its name and line: $(grep '^log:' "$T/log.txt" | head -c 300)" \
    grep -q "^log: hpamp: $T/bad.txt:3: .*the EQ playing is kept" "$T/log.txt"
check "one line for it" [ "$(grep -c '^log:' "$T/log.txt")" -eq 1 ]
got=$(level 1000 "$T/out.f32" 1.6 2.1)
check "after it the first EQ still plays at 1 kHz ($got dB, want $want)" near "$got" "$want" 0.1
"$LV2HOST" "$PLUGIN_SO" "$STEREO" $RATE 1024 -f -e "$T/eq.txt" -e "$T/none.txt" <"$T/tone1000.f32" \
    >"$T/out.f32" 2>"$T/log.txt"
check "a missing file is logged: $(grep '^log:' "$T/log.txt" | head -c 300)" \
    grep -q "^log: hpamp: $T/none.txt: cannot open the EQ file: No such file or directory; the EQ playing is kept" \
    "$T/log.txt"
got=$(level 1000 "$T/out.f32" 1.6 2.1)
check "after it the first EQ still plays ($got dB)" near "$got" "$want" 0.1
"$LV2HOST" "$PLUGIN_SO" "$STEREO" $RATE 1024 -f -e "$T" <"$T/tone1000.f32" >/dev/null 2>"$T/log.txt"
check "a folder is refused: $(grep '^log:' "$T/log.txt" | head -c 300)" grep -q "^log: hpamp: $T: not a regular file" \
    "$T/log.txt"

# state: saved after the EQ was set, restored into a new instance before it runs
"$LV2HOST" "$PLUGIN_SO" "$STEREO" $RATE 1024 -f -e "$T/eq.txt" -s "$T/state.txt" <"$T/tone1000.f32" >/dev/null 2>&1
check "the state holds the EQ file's path" grep -qx "$T/eq.txt" "$T/state.txt"
"$LV2HOST" "$PLUGIN_SO" "$STEREO" $RATE 1024 -f -r "$T/state.txt" <"$T/tone1000.f32" >"$T/out.f32" 2>"$T/log.txt"
got=$(level 1000 "$T/out.f32" 0.1 0.6)
check "restored, the EQ plays from the start at 1 kHz ($got dB, want $want)" near "$got" "$want" 0.1
"$LV2HOST" "$PLUGIN_SO" "$STEREO" $RATE 1024 -f -r "$T/state.txt" -s "$T/state2.txt" </dev/null >/dev/null 2>&1
check "saved again, the same path" cmp -s "$T/state.txt" "$T/state2.txt"
printf '%s\n' "$T/gone.txt" >"$T/state3.txt"
"$LV2HOST" "$PLUGIN_SO" "$STEREO" $RATE 1024 -f -r "$T/state3.txt" <"$T/tone1000.f32" >"$T/out.f32" 2>"$T/log.txt"
check "a state naming a missing file: restore fails and says why" \
    bash -c "grep -q 'restore failed' '$T/log.txt' && grep -q '^log: hpamp: $T/gone.txt: cannot open' '$T/log.txt'"
got=$(level 1000 "$T/out.f32" 0.1 0.6)
check "and the plugin plays on, flat ($got dB)" near "$got" 0 0.01

# without the features (lv2apply's case) the EQ cannot be set: flat, no crash
"$LV2HOST" "$PLUGIN_SO" "$STEREO" $RATE 1024 -e "$T/eq.txt" <"$T/tone1000.f32" >"$T/out.f32" 2>/dev/null
got=$(level 1000 "$T/out.f32" 0.3 0.9)
check "no features: flat at 1 kHz ($got dB)" near "$got" 0 0.01
# Channel: sections (Equalizer APO): the right channel's band and Preamp
printf 'Preamp: -8 dB\nChannel: R\nPreamp: -2 dB\nFilter 1: ON PK Fc 1000 Hz Gain 6.0 dB Q 1.41\n' >"$T/lr.txt"
tone 1000
"$LV2HOST" "$PLUGIN_SO" "$STEREO" $RATE 1024 -f -e "$T/lr.txt" <"$T/tone1000.f32" >"$T/out.f32" 2>/dev/null
python3 -c "
import array
a = array.array('f'); a.frombytes(open('$T/out.f32', 'rb').read())
b = array.array('f'); [b.extend((a[i + 1], a[i])) for i in range(0, len(a), 2)]; b.tofile(open('$T/swap.f32', 'wb'))"
got=$(level 1000 "$T/out.f32" 0.3 0.9)
check "Channel: R file, left at 1 kHz: $got dB, its preamp alone -8 dB" near "$got" -8 0.1
got=$(level 1000 "$T/swap.f32" 0.3 0.9)
want=$($TONE peq 1000 $RATE -10 PK 1000 6.0 1.41)
check "Channel: R file, right at 1 kHz: $got dB, the cookbook's $want dB with -8 - 2 dB" near "$got" "$want" 0.1

finish
