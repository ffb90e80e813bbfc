#!/bin/bash
# errors: bad input to amp and device gives one clear line and the right
# exit status, never a hang or a crash.
#   - amp --input for a node that does not exist: one line naming it and
#     the sinks there are, exit 1
#   - a devices.ini with bad lines: each one a warning naming FILE:LINE, the
#     rest loads (device list --json shows the good profile matched)
#   - device set with an unknown headphone: an error, exit 1, nothing written
#   - a profile naming an unknown headphone: amp warns and plays at the
#     level of unknown gear, -30 dBFS
#   - usage errors: exit 2
. "$(dirname "$0")/lib.sh" "$@"
amp_servers

say "== --input that does not exist"
run amp --input no_such_source
expect_rc 1
check "one line: $(head -c 200 "$T/err.txt")" one_error_line "$T/err.txt"
check "it names the input and lists the sinks" grep -q "no_such_source.*speakers" "$T/err.txt"

say "== usage errors"
run amp --volume loud
expect_rc 2
run amp --headphones hd600
expect_rc 2
run amp --volume -10
expect_rc 2
check "above the safe level without --i-understand-loud: $(head -c 160 "$T/err.txt")" grep -q "i-understand-loud" "$T/err.txt"
run device frobnicate
expect_rc 2
run device set speakers --headphones "Sennheiser HD 600"
expect_rc 2

say "== devices.ini with bad lines"
mkdir -p "$XDG_CONFIG_HOME/hpamp"
INI=$XDG_CONFIG_HOME/hpamp/devices.ini
printf '# outputs\n[speakers]\nnode = speakers\nvolume = loud\nthis is not ini\nwhat = ever\n\n[dac]\nusb = 152a:8750\nmax-volume = -20\n' >"$INI"
run device list --json
expect_rc 0
check "line 4 (bad volume) named: $(grep -m1 ':4:' "$T/err.txt")" grep -q "devices.ini:4: volume takes" "$T/err.txt"
check "line 5 (not INI) named" grep -q "devices.ini:5: not KEY = VALUE" "$T/err.txt"
check "line 6 (unknown key) named" grep -q "devices.ini:6: unknown key 'what'" "$T/err.txt"
check "three warnings, nothing else on stderr" [ "$(wc -l <"$T/err.txt")" = 3 ]
check "the rest loaded: speakers and usb_dac have their profiles" python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
p = {o['node.name']: o['profile'] for o in d['outputs']}
sys.exit(0 if p.get('speakers') == 'speakers' and p.get('usb_dac') == 'dac' else 1)" "$T/out.txt"

say "== device set with an unknown headphone"
cp "$INI" "$T/ini.before"
run device set usb_dac --headphones "No Such Headphone 9000" --source "1.0V,1ohm"
check "exit status 1 or 2 (got $rc)" [ "$rc" = 1 ] || [ "$rc" = 2 ]
check "one line names it: $(head -c 200 "$T/err.txt")" grep -q "No Such Headphone 9000" "$T/err.txt"
check "devices.ini unchanged" cmp -s "$INI" "$T/ini.before"
run device set usb_dac --headphones "300ohm,97dB/mW" --source "1.0V,0.9ohm" --max-volume -10
expect_rc 0
check "device set writes the profile (the old [usb_dac]-less file kept)" \
    eval 'grep -q "^\[usb_dac\]" "$INI" && grep -q "^node = usb_dac" "$INI" && grep -q "^\[speakers\]" "$INI"'

say "== a profile naming an unknown headphone: warned, -30 dBFS"
printf '[speakers]\nnode = speakers\nheadphones = No Such Headphone 9000\nsource = 1.0V,1ohm\n' >"$INI"
amp_start
check "a warning says so: $(grep -m1 'not known' "$T/amp.err")" grep -q "not known; levels as for unknown" "$T/amp.err"
check "it plays at -30 dBFS" grep -q "ramps to -30.0 dBFS" "$T/amp.err"
amp_stop TERM
check "exit status 0 after SIGTERM (got $rc)" [ "$rc" = 0 ]
finish
