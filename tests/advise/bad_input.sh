#!/bin/bash
# tests/advise/bad_input.sh — every way `hpamp advise` can be asked wrongly.
#
# Unknown or ambiguous names (exit 1, the closest names), nonsense ad-hoc
# specs (exit 2, what a spec looks like), a malformed user data file (a
# file:line warning, the rest loads), non-audio files, an empty folder and
# missing paths in --music, facts that are not known (exit 1: cannot tell),
# usage errors (exit 2).  Always one clear "hpamp: " line, never a crash
# (exit status above 2 or a signal).
. "$(dirname "$0")/lib.sh" "$1"

# error CODE WHAT ARGS... : exit CODE, one "hpamp: " line on stderr, nothing on stdout
error() {
    local code=$1 what=$2
    shift 2
    run "$@"
    expect_rc "$code" "$what"
    check "$what: one 'hpamp: ' line" one_error_line "$T/err"
    check "$what: nothing on stdout" test ! -s "$T/out"
}

GOOD=$(music loop_garzul)

# ---- names ----
error 1 "unknown headphone" advise --headphones "Sennhiser HD 6000X" --source sh-6
check "unknown headphone: closest names" has "$T/err" "closest: "
check "unknown headphone: the HD 600 among them" grep -q "closest: .*Sennheiser HD 6" "$T/err"
error 1 "unknown source" advise --headphones hd600 --source "smsl sh-66"
check "unknown source: closest names" grep -q "closest: .*SMSL SH-6" "$T/err"
error 1 "ambiguous headphone" advise --headphones andromeda --source sh-6
check "ambiguous: both named" grep -q "Andromeda (2020).*Andromeda Emerald Sea" "$T/err"
# a device with two outputs is no longer ambiguous (issue 15): one is chosen and named
run advise --headphones hd600 --source "dawn pro"
expect_rc 0 "a device with two outputs"
check "two outputs: the mode used is named" grep -q "^  mode  .*Moondrop Dawn Pro.*(used)" "$T/out"
# names matching several devices still are ambiguous, and say so
error 1 "sources of two devices" advise --headphones hd600 --source "fiio k1"

# ---- nonsense specs ----
error 2 "headphone spec with a bad unit" advise --headphones "300ohm,97dB/xx" --source sh-6
check "bad unit: says what a spec looks like" has "$T/err" "expected like"
error 2 "headphone spec without sensitivity" advise --headphones "300ohm,0.5V" --source sh-6
error 2 "source spec with a word" advise --headphones hd600 --source "5.0V,banana"
check "source spec: says what a spec looks like" has "$T/err" "1.0V,0.9ohm"
error 2 "negative impedance" advise --headphones "-300ohm,97dB/mW" --source sh-6
error 2 "impedance of zero" advise --headphones "0ohm,97dB/mW" --source sh-6
error 2 "source spec with only a comma" advise --headphones hd600 --source ","
# a value that looks like a spec is a usage error naming the bad figure,
# whether or not it has a comma; physical ranges (docs/advise.md, "Ad-hoc
# specs") keep hostile numbers from the model (1e-300 ohm gave -2872 dB SPL)
error 2 "a lone negative impedance" advise --headphones "-5ohm" --source sh-6
check "-5ohm: names the impedance" grep -q "the impedance -5 ohm is out of range" "$T/err"
error 2 "an impedance of 1e-300 ohm" advise --headphones "1e-300ohm,97dB/mW" --source "1.0V,0.9ohm"
check "1e-300ohm: names the impedance" grep -q "the impedance 1e-300 ohm is out of range (1 " "$T/err"
error 2 "a sensitivity of 1e6 dB/mW" advise --headphones "300ohm,1e6dB/mW" --source sh-6
check "1e6 dB/mW: names the sensitivity" grep -q "the sensitivity 1e+06 dB/mW is out of range" "$T/err"
error 2 "a source of 1e9 V" advise --headphones hd600 --source "1e9V"
check "1e9 V: names the voltage" grep -q "the voltage 1e+09 V is out of range" "$T/err"
error 2 "an output impedance of 1e6 ohm" advise --headphones hd600 --source "1V,1e6ohm"
check "1e6 ohm out: names the output impedance" grep -q "the output impedance 1e+06 ohm is out of range" "$T/err"
error 2 "a current limit of 1e-9 mA" advise --headphones hd600 --source "1V,1e-9mA"
error 2 "a power of 1e9 mW" advise --headphones hd600 --source "1e9mW@32ohm"
# the ends of the ranges are answered (exit 0; 1 is "cannot tell")
for pair in "1ohm,60dB/mW|0.01V,0ohm,0.1mA" "10000ohm,140dB/mW|100V,1000ohm,10000mA" \
    "300ohm,0.5mV|0.01mW@32ohm" "300ohm,50000mV|100000mW@300ohm"; do
    run advise --headphones "${pair%|*}" --source "${pair#*|}" --json
    check "'${pair%|*}' on '${pair#*|}': answered (exit $rc)" eval '[ "$rc" -le 1 ] && json "d.get(\"verdict\") is not None"'
done

# ---- facts not known: cannot tell ----
error 1 "headphone without sensitivity" advise --headphones apple-earpods-3-5-mm --source sh-6
check "says the sensitivity is not known" grep -q "cannot tell: the sensitivity of Apple EarPods.*is not known" "$T/err"
error 1 "source without output figures" advise --headphones hd600 --source "apple-usb-c-adapter-eu-a2155"
check "says the output is not known" grep -q "cannot tell: the output voltage or power of .* is not known" "$T/err"

# ---- usage ----
error 2 "no --source" advise --headphones hd600
error 2 "no --headphones" advise --source sh-6
error 2 "--level out of range" advise --headphones hd600 --source sh-6 --level 300
error 2 "--level not a number" advise --headphones hd600 --source sh-6 --level loud
error 2 "--plot with an unknown extension" advise --headphones hd600 --source sh-6 --plot out.jpg
error 2 "unknown option" advise --headphones hd600 --source sh-6 --bogus
error 2 "a stray argument" advise --headphones hd600 --source sh-6 song.flac
error 2 "--threads 0" advise --headphones hd600 --source sh-6 --threads 0
run advise --help
expect_rc 0 "advise --help"
check "help: usage" has "$T/out" "Usage: hpamp advise"
run --help
check "advise in the command list" has "$T/out" "  advise "

# ---- --music ----
mkdir -p "$T/empty" "$T/notes" "$T/mixed"
error 1 "an empty folder" advise --headphones hd600 --source sh-6 --music "$T/empty"
check "empty folder: named" has "$T/err" "$T/empty"
error 1 "a path that does not exist" advise --headphones hd600 --source sh-6 --music "$T/nowhere.flac"
printf 'not music at all\n' >"$T/notes/readme.txt"
head -c 5000 /dev/urandom >"$T/notes/noise.flac"
: >"$T/notes/empty.wav"
run advise --headphones hd600 --source sh-6 --music "$T/notes"
expect_rc 1 "a folder with no audio"
check "no audio: every file warned about" test "$(grep -c '^hpamp: warning: .*(skipped)$' "$T/err")" -eq 3
check "no audio: then one error" test "$(grep -vc '^hpamp: warning: ' "$T/err")" -eq 1
check "no audio: says so" grep -q "^hpamp: no audio to measure in" "$T/err"
check "no audio: the text file named" has "$T/err" "readme.txt: not an audio file"
check "no audio: nothing on stdout" test ! -s "$T/out"
cp "$T/notes/readme.txt" "$T/mixed/"
ln -s "$GOOD" "$T/mixed/garzul.flac"
run advise --headphones hd600 --source sh-6 --music "$T/mixed" --json
expect_rc 0 "a non-audio file beside music"
check "non-audio: a warning naming it" grep -q "^hpamp: warning: .*readme.txt: .*(skipped)$" "$T/err"
check "non-audio: skipped in the JSON, the music measured" \
    json "len(d['tracks']) == 1 and len(d['skipped']) == 1 and d['skipped'][0]['path'].endswith('readme.txt')"
# a too-short sound: measured by nobody, said so
run advise --headphones hd600 --source sh-6 --music "$(music elec_tick)" --music "$GOOD" --json
expect_rc 0 "a sound too short for a loudness, beside music"
check "too short: said so" grep -q "elec_tick.flac: too short" "$T/err"
# a dangling link and a folder that cannot be read: warned about, and in
# the JSON's skipped list like every other file that was not measured
mkdir -p "$T/holes/locked"
ln -s "$GOOD" "$T/holes/garzul.flac"
ln -s "$T/nowhere.flac" "$T/holes/dangling.flac"
cp "$GOOD" "$T/holes/locked/"
chmod 000 "$T/holes/locked"
run advise --headphones hd600 --source sh-6 --music "$T/holes" --json
chmod 755 "$T/holes/locked"
expect_rc 0 "a dangling link and a locked folder beside music"
check "dangling link: warned" grep -q "^hpamp: warning: .*dangling.flac: .*(skipped)$" "$T/err"
check "dangling link: in skipped, with its reason" \
    json "[s['why'] for s in d['skipped'] if s['path'] == '$T/holes/dangling.flac'] != []"
if [ "$(id -u)" != 0 ]; then # root reads any folder
    check "locked folder: warned" grep -q "^hpamp: warning: .*holes/locked: .*(skipped)$" "$T/err"
    check "locked folder: in skipped" json "'$T/holes/locked' in [s['path'] for s in d['skipped']]"
fi
check "as many skipped in the JSON as warnings on stderr" \
    json "len(d['skipped']) == $(grep -c '(skipped)$' "$T/err")"
# a folder nested too deep (64 levels below --music) is skipped the same way
deep="$T/deep/$(printf 'd/%.0s' $(seq 64))"
mkdir -p "$deep"
cp "$GOOD" "$deep/"
ln -s "$GOOD" "$T/deep/garzul.flac"
run advise --headphones hd600 --source sh-6 --music "$T/deep" --json
expect_rc 0 "music beside folders nested 64 deep"
check "too deep: warned and in skipped" eval 'grep -q "nested deeper.*(skipped)$" "$T/err" &&
    json "[s for s in d[\"skipped\"] if s[\"path\"].rstrip(\"/\") == \"${deep%/}\"] != []"'

# ---- control characters in a file name: the message stays one line ----
nl="$T/new"$'\n'"line"$'\e'"[31m.flac"
error 1 "a missing --music path with a newline and an escape in its name" \
    advise --headphones hd600 --source sh-6 --music "$nl"
check "the name written with \\n and \\x1b ($(head -c 200 "$T/err"))" \
    grep -qF "$T/new\\nline\\x1b[31m.flac: " "$T/err"
# with --json too: the same line, and one JSON object on stdout saying it
run advise --headphones hd600 --source sh-6 --music "$nl" --json
expect_rc 1 "the same with --json"
check "--json failure: one error line on stderr" one_error_line "$T/err"
check "--json failure: {error, message} on stdout, the message the stderr line's" \
    json "set(d) == {'error', 'message'} and d['error'] == 'not-found' and 'hpamp: ' + d['message'] + '\\n' == open('$T/err').read()"

# every failure with --json: one object {error, message} on stdout, the
# message the same as the one line on stderr, a code saying which failure
json_failure() { # CODE RC WHAT ARGS...
    local code=$1 want=$2 what=$3
    shift 3
    run "$@" --json
    expect_rc "$want" "$what --json"
    check "$what --json: one error line on stderr" one_error_line "$T/err"
    # issue 15: a name not found or ambiguous also lists the candidates, each named in the message
    local keys="{'error', 'message'}"
    case $code in not-found | ambiguous) keys="{'error', 'message', 'candidates'}" ;; esac
    check "$what --json: {\"error\": \"$code\", \"message\": the stderr line} ($(head -c 120 "$T/out"))" \
        json "set(d) == $keys and d['error'] == '$code' and 'hpamp: ' + d['message'] + '\\n' == open('$T/err').read()"
    case $code in not-found | ambiguous)
        check "$what --json: candidates, each with an id and a name in the message" \
            json "len(d['candidates']) > 0 and all(c['id'] and c['name'] in d['message'] for c in d['candidates'])" ;;
    esac
}
json_failure not-found 1 "unknown headphone" advise --headphones "Sennhiser HD 6000X" --source sh-6
json_failure ambiguous 1 "ambiguous headphone" advise --headphones andromeda --source sh-6
check "ambiguous --json: the candidates are both Andromedas (data/headphones.csv)" \
    json "[c['id'] for c in d['candidates']] == ['campfire-audio-andromeda-2020', 'campfire-audio-andromeda-emerald-sea']"
json_failure not-found 1 "a name far from every entry" advise --headphones hd600 --source "qqqqqqqqqqqq"
json_failure bad-spec 2 "a bad spec" advise --headphones "300ohm,97dB/xx" --source sh-6
json_failure usage 2 "an unknown option before --json" advise --bogus --headphones hd600 --source sh-6
json_failure no-audio 1 "an empty folder" advise --headphones hd600 --source sh-6 --music "$T/empty"
json_failure io 1 "--plot into a missing folder" advise --headphones hd600 --source sh-6 --plot "$T/no/dir/p.png"
run advise --headphones apple-earpods-3-5-mm --source sh-6 --json
expect_rc 1 "cannot tell --json"
check "cannot tell --json: the answer, verdict unknown (one object)" json "d['verdict'] == 'unknown'"

# ---- a malformed user data file ----
mkdir -p "$XDG_CONFIG_HOME/hpamp"
cat >"$XDG_CONFIG_HOME/hpamp/headphones.csv" <<'CSV'
id,brand,model,type,driver,back,impedance_ohm,sensitivity_db_mw,sensitivity_db_v,spl_measured_mv_for_94db,impedance_peak_ohm,impedance_peak_hz,max_input_mw,active,source
my-cans,Mine,Cans,over-ear,dynamic,open,80,,105,,,,,,my own measurement
broken,Mine,Broken,over-ear,dynamic,open,eighty,,105,,,,,,a bad number
CSV
run advise --headphones "mine cans" --source sh-6
expect_rc 0 "advise with a malformed user file"
check "malformed line reported as file:line" grep -q "^hpamp: warning: .*hpamp/headphones.csv:3: " "$T/err"
check "the good user entry answers" grep -q "^not-needed: Mine Cans on SMSL SH-6" "$T/out"
rm -rf "$XDG_CONFIG_HOME/hpamp"

finish
