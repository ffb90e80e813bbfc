#!/bin/bash
# channels: `hpamp render --balance / --mono` and per-channel EQ (Equalizer
# APO's Channel: sections), against references made without hpamp.
#
#   --balance  a 1 kHz sine on both channels: --balance 6 leaves the right as
#              it is and the left 6 dB down (sox's RMS, +-0.01 dB); -4.5 the
#              right 4.5 dB down; 13 is a usage error (the range is +-12).
#   --mono     a left-only sine: both outputs 20*log10(1/2) = -6.02 dB under
#              the input's left (+-0.01 dB); a mono input is refused (exit 1).
. "$(dirname "$0")/lib.sh" "$@"

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

finish
