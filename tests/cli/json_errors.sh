#!/bin/bash
# json_errors: limits known before the render fail before it, and --json
# failures are JSON too.
#   - A FLAC output above 655350 Hz (the most a FLAC frame header codes in
#     its subset, and the most libsndfile writes) is a usage error:
#     exit 2, one line naming --rate and 655350, nothing written; at 655350
#     Hz it renders (soxi).  An input above it without --rate says the same.
#   - With --json every failure prints exactly one JSON object on stdout,
#     {"error": CODE, "message": MESSAGE}, MESSAGE being the stderr line
#     without "hpamp: " (stderr keeps it), the exit status unchanged.
. "$(dirname "$0")/lib.sh" "$@"
need python3

SRC=$(music ambi_piano)
I=$T/in
mkdir -p "$I"
sox -V1 "$SRC" "$I/in.wav" trim 0 0.5

# json_failure CODE: stdout is one object {"error": CODE, "message": the
# stderr line without "hpamp: "}
json_failure() {
    local why
    why=$(python3 - "$1" "$T/out.txt" "$T/err.txt" <<'EOF'
import json, sys
code, out, err = sys.argv[1], open(sys.argv[2]).read(), open(sys.argv[3]).read()
try:
    j = json.loads(out)
except ValueError as e:
    print(f'stdout is not one JSON value ({e}): {out[:200]!r}'); sys.exit()
if out.count('\n') != 1 or not out.endswith('\n'):
    print('stdout is not one line'); sys.exit()
line = err.rstrip('\n')
want = {'error': code, 'message': line[len('hpamp: '):] if line.startswith('hpamp: ') else None}
if j != want:
    print(f'{j} is not {want}')
EOF
    )
    check "stdout: {\"error\": \"$1\", \"message\": the stderr line}${why:+ ($why)}" [ -z "$why" ]
}

for rate in 655351 705600 768000; do
    fail_case "FLAC output at --rate $rate" 2 "--rate" "$I/in.wav" -o o.flac --rate $rate
    check "it says 655350" grep -qF 655350 "$T/err.txt"
done
sox -V1 "$I/in.wav" -r 705600 "$I/705k.wav"
fail_case "FLAC output of a 705600 Hz input, no --rate" 2 "--rate" "$I/705k.wav" -o o.flac
check "it says 655350" grep -qF 655350 "$T/err.txt"
say "== FLAC output at --rate 655350 (the limit)"
run render "$I/in.wav" -o "$T/max.flac" --rate 655350 -q
expect_rc 0
check "soxi: 655350 Hz" [ "$(srate "$T/max.flac")" = 655350 ]

say "-- --json failures"
fail_case "--json: FLAC above its rate" 2 "--rate" "$I/in.wav" -o o.flac --rate 705600 --json
json_failure usage
fail_case "--json: a bad --rate value" 2 "'abc'" "$I/in.wav" -o o.wav --json --rate abc
json_failure usage
fail_case "--json: --json before an unknown option" 2 "--frobnicate" --json "$I/in.wav" -o o.wav --frobnicate
json_failure usage
fail_case "--json: a missing input" 1 "$I/nosuch.wav" "$I/nosuch.wav" -o o.wav --json
json_failure input
printf 'This is a text file, not audio.\n' >"$I/text.wav"
fail_case "--json: a text file as input" 1 "$I/text.wav" "$I/text.wav" -o o.wav --json
json_failure input
fail_case "--json: output in a folder that does not exist" 1 "/nonexistent-hpamp-dir/o.wav" \
    "$I/in.wav" -o /nonexistent-hpamp-dir/o.wav --json
json_failure output
printf 'Filter 1: ON PK Fc 1000 Hz Gain banana dB Q 1\n' >"$I/bad-eq.txt"
fail_case "--json: a bad EQ file" 1 "$I/bad-eq.txt" "$I/in.wav" -o o.wav --eq "$I/bad-eq.txt" --json
json_failure eq
fail_case "--json: no such preset" 1 "no-such-preset" "$I/in.wav" -o o.wav --preset no-such-preset --json
json_failure preset
sox -V1 -n -r 44100 -c 1 -b 16 "$I/mono.wav" synth 0.2 sine 440
fail_case "--json: crossfeed on a mono input" 1 "$I/mono.wav" "$I/mono.wav" -o o.wav --crossfeed default --json
json_failure input

finish
