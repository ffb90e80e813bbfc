#!/bin/bash
# channels: `hpamp render --balance / --mono` and per-channel EQ (Equalizer
# APO's Channel: sections), against references made without hpamp.
#
#   --balance  a 1 kHz sine on both channels: --balance 6 leaves the right as
#              it is and the left 6 dB down (sox's RMS, +-0.01 dB); -4.5 the
#              right 4.5 dB down; 13 is a usage error (the range is +-12).
#   --mono     a left-only sine: both outputs 20*log10(1/2) = -6.02 dB under
#              the input's left (+-0.01 dB); a mono input is refused (exit 1).
#   Channel:   an Equalizer APO file with a Preamp for all, a Channel: L band,
#              a Channel: R band with its own Preamp, and a Channel: all band:
#              sines at 200 Hz, 1, 3 and 7 kHz come out, per channel, at the
#              sum of the RBJ cookbook responses of that channel's bands plus
#              its preamp (tests/common/rbj.py), +-0.02 dB; an unknown channel
#              (Channel: L X) and an empty Channel: are errors naming FILE:LINE
#              (exit 1, nothing written).
. "$(dirname "$0")/lib.sh" "$@"

COMMON=$(cd "$(dirname "$0")/../common" && pwd)
rel() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f", a - b }'; }

sox -V1 -n -r 48000 -b 24 "$T/both.wav" synth 3 sine 1000 gain -10 remix 1 1
sox -V1 -n -r 48000 -b 24 "$T/left.wav" synth 3 sine 1000 gain -10 remix 1 0
in_l=$(channel_rms_db "$T/both.wav" 1)

say "== --balance"
run render "$T/both.wav" -o "$T/b.wav" --bits float --balance 6
expect_rc 0
d=$(rel "$(channel_rms_db "$T/b.wav" 1)" "$in_l")
check "--balance 6: left $d dB, expected -6 +-0.01" near "$d" -6 0.01
d=$(rel "$(channel_rms_db "$T/b.wav" 2)" "$in_l")
check "--balance 6: right $d dB, expected 0 +-0.01" near "$d" 0 0.01
run render "$T/both.wav" -o "$T/b.wav" --bits float --balance -4.5
expect_rc 0
d=$(rel "$(channel_rms_db "$T/b.wav" 1)" "$in_l")
check "--balance -4.5: left $d dB, expected 0 +-0.01" near "$d" 0 0.01
d=$(rel "$(channel_rms_db "$T/b.wav" 2)" "$in_l")
check "--balance -4.5: right $d dB, expected -4.5 +-0.01" near "$d" -4.5 0.01
run render "$T/both.wav" -o "$T/b.wav" --balance 13
expect_rc 2
check "--balance 13: one error line naming the range" grep -q -- "--balance takes -12..+12 dB, not '13'" "$T/err.txt"

say "== --mono"
run render "$T/left.wav" -o "$T/m.wav" --bits float --mono
expect_rc 0
half=$(awk 'BEGIN { printf "%.4f", 20 * log(0.5) / log(10) }')
for ch in 1 2; do
    d=$(rel "$(channel_rms_db "$T/m.wav" $ch)" "$in_l")
    check "--mono of a left-only sine: channel $ch at $d dB, expected $half +-0.01" near "$d" "$half" 0.01
done
sox -V1 -n -r 48000 -b 16 "$T/mono.wav" synth 1 sine 1000
run render "$T/mono.wav" -o "$T/m.wav" --mono
expect_rc 1
check "--mono of a mono file: says it needs stereo" grep -q "needs a stereo input" "$T/err.txt"

say "== per-channel EQ (Channel: sections) against the RBJ cookbook"
cat >"$T/lr.txt" <<'TXT'
Preamp: -8 dB
Channel: L
Filter 1: ON PK Fc 1000 Hz Gain 6 dB Q 1.41
Channel: R
Preamp: -2 dB
Filter 2: ON PK Fc 3000 Hz Gain -4 dB Q 2
Channel: all
Filter 3: ON PK Fc 200 Hz Gain 3 dB Q 1
TXT
for f in 200 1000 3000 7000; do
    sox -V1 -n -r 48000 -b 24 "$T/s.wav" synth 3 sine $f gain -20 remix 1 1
    run render "$T/s.wav" -o "$T/e.wav" --bits float --eq "$T/lr.txt"
    expect_rc 0 || continue
    ref=$(channel_rms_db "$T/s.wav" 1)
    # left: bands 1 and 3 under the -8 dB preamp; right: 2 and 3 under -8 - 2
    want=$(python3 -c "
import sys; sys.path.insert(0, '$COMMON'); import rbj
f = $f
print('%.4f %.4f' % (-8 + rbj.set_db([('PK', 1000, 6, 1.41), ('PK', 200, 3, 1)], 48000, f),
                     -10 + rbj.set_db([('PK', 3000, -4, 2), ('PK', 200, 3, 1)], 48000, f)))")
    for ch in 1 2; do
        w=$(echo "$want" | cut -d' ' -f$ch)
        d=$(rel "$(channel_rms_db "$T/e.wav" $ch)" "$ref")
        check "$f Hz, channel $ch: $d dB, the cookbook gives $w (+-0.02)" near "$d" "$w" 0.02
    done
done

say "== Channel: errors name FILE:LINE"
printf 'Preamp: -3 dB\nChannel: L X\nFilter: ON PK Fc 1000 Hz Gain 3 dB Q 1\n' >"$T/bad1.txt"
fail_case "an unknown channel" 1 "$T/bad1.txt:2: unknown channel 'X'" "$T/both.wav" -o out.wav --eq "$T/bad1.txt"
printf 'Channel:\n' >"$T/bad2.txt"
fail_case "a Channel: line naming nothing" 1 "$T/bad2.txt:1:" "$T/both.wav" -o out.wav --eq "$T/bad2.txt"

finish
