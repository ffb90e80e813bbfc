#!/bin/bash
# tests/db/cli.sh — `hpamp db list|search|show` end to end.
#
# Expected values come from data/*.csv as written there (HD 600: 300 ohm,
# 97 dB/V; HD 650: 103 dB/V; SMSL SH-6: 1300 mW at 32 ohm), never from
# hpamp's own output.  User files go in a temporary XDG_CONFIG_HOME.
set -u

HPAMP=${1:?usage: $0 PATH-TO-hpamp}
case $HPAMP in /*) ;; *) HPAMP=$PWD/$HPAMP ;; esac
failures=0
checks=0

T=$(mktemp -d "${TMPDIR:-/tmp}/hpamp-db.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
# no stray user files from the machine running the tests
export XDG_CONFIG_HOME="$T/empty-config"
export HOME="$T/home"
mkdir -p "$XDG_CONFIG_HOME" "$HOME"

pass() { checks=$((checks + 1)); printf 'ok    %s\n' "$*"; }
fail() { checks=$((checks + 1)); failures=$((failures + 1)); printf 'FAIL  %s\n' "$*"; }
check() {
    local what=$1
    shift
    if "$@"; then pass "$what"; else fail "$what"; fi
}
command -v python3 >/dev/null || { echo "SKIP python3 missing"; exit 77; }

# run ARGS...: rc, $T/out, $T/err
run() {
    "$HPAMP" "$@" >"$T/out" 2>"$T/err"
    rc=$?
}
expect_rc() {
    if [ "$rc" -eq "$1" ]; then pass "$2: exit $1"; else fail "$2: exit $1 (got $rc): $(head -c 300 "$T/err")"; fi
}
has() { grep -qF -- "$2" "$1"; }
# json EXPR: python3 evaluates EXPR with d = the JSON on stdout; passes when true
json() { python3 -c "import json,sys; d=json.load(open('$T/out')); sys.exit(0 if ($1) else 1)"; }

# ---- help and usage ----
for sub in "" "list " "search " "show "; do
    run db ${sub}--help
    expect_rc 0 "db ${sub}--help"
    check "db ${sub}--help prints usage" has "$T/out" "Usage: hpamp db ${sub}"
done
run db
expect_rc 2 "db alone"
run db frobnicate
expect_rc 2 "db frobnicate"
check "unknown subcommand named" has "$T/err" "hpamp: db: unknown command 'frobnicate'"
run db list --bogus
expect_rc 2 "db list --bogus"
run db show
expect_rc 2 "db show without a name"
run db search
expect_rc 2 "db search without text"
run db show hd600 --headphones
expect_rc 2 "db show takes no --headphones"
run db list extra
expect_rc 2 "db list with a name"
run --help
check "db in the command list" has "$T/out" "  db "

# ---- list ----
run db list
expect_rc 0 "db list"
n_hp=$(sed -n 's/^Headphones (\([0-9]*\))$/\1/p' "$T/out")
n_src=$(sed -n 's/^Sources (\([0-9]*\))$/\1/p' "$T/out")
check "list: at least 80 headphones (got ${n_hp:-none})" test "${n_hp:-0}" -ge 80
check "list: at least 30 sources (got ${n_src:-none})" test "${n_src:-0}" -ge 30
check "list shows HD 600's id" has "$T/out" "sennheiser-hd-600"
run db list --json
expect_rc 0 "db list --json"
check "list --json: counts match the text list" \
    json "len(d['headphones']) == $n_hp and len(d['sources']) == $n_src"
check "list --json: every entry cites its source" \
    json "all(e['source'].startswith(('cross-checked', 'single-source')) for k in d for e in d[k])"
check "list --json: unknown numbers are null" \
    json "[e for e in d['headphones'] if e['id'] == 'sennheiser-hd-600'][0]['sensitivity_db_mw'] is None"
run db list --headphones --json
check "list --headphones --json: headphones only" json "list(d) == ['headphones'] and len(d['headphones']) == $n_hp"
run db list --sources
check "list --sources: no headphone table" bash -c "! grep -q '^Headphones' '$T/out' && grep -q '^Sources' '$T/out'"

# ---- search ----
run db search iem --headphones --json
expect_rc 0 "db search iem"
check "search iem: IEMs only, at least 10" json "len(d['headphones']) >= 10 and all(e['type'] == 'iem' for e in d['headphones'])"
run db search sennheiser iem --json
check "search 'sennheiser iem': Sennheiser's IEMs" \
    json "len(d['headphones']) >= 5 and all(e['brand'] == 'Sennheiser' and e['type'] == 'iem' for e in d['headphones'])"
run db search planar
check "search planar: table with HiFiMAN Susvara" has "$T/out" "HiFiMAN Susvara"
run db search --sources battery --json
check "search battery: battery-powered sources only" json "len(d['sources']) >= 5 and all(e['battery'] is True for e in d['sources'])"
run db search zzzzzz
expect_rc 1 "search with no match"
check "no match said on stderr" has "$T/err" "hpamp: nothing in the database matches 'zzzzzz'"
# a text without a letter or digit has no word to look for: a usage error,
# not the whole database
for q in '*' '' '(' '- -' '?!'; do
    run db search "$q"
    expect_rc 2 "search '$q'"
    check "search '$q': one line, nothing on stdout" eval '[ "$(wc -l <"$T/err")" -eq 1 ] && [ ! -s "$T/out" ]'
done
run db search '*' --json
expect_rc 2 "search '*' --json"
check "search '*' --json: {error: usage, message}" \
    json "d == {'error': 'usage', 'message': open('$T/err').read()[len('hpamp: '):-1]}"

# ---- show ----
run db show hd600
expect_rc 0 "db show hd600"
check "show: name" has "$T/out" "Sennheiser HD 600"
check "show: impedance with unit" has "$T/out" "300 ohm"
check "show: sensitivity with unit" has "$T/out" "97 dB SPL/V"
check "show: measured mV" has "$T/out" "327 mV RMS for 94 dB SPL"
check "show: citation" has "$T/out" "[SL-OFF]"
check "show: unknown facts said so" has "$T/out" "not known (dB SPL/mW)"
cp "$T/out" "$T/hd600.txt"
for name in HD-600 "hd 600" "Sennheiser HD600" sennheiser-hd-600; do
    run db show "$name"
    check "show '$name' = show hd600" cmp -s "$T/out" "$T/hd600.txt"
done
run db show sennheiser hd 600
check "show with the name in several words" cmp -s "$T/out" "$T/hd600.txt"
run db show hd650 --json
expect_rc 0 "db show hd650 --json"
check "show --json: HD 650 at 103 dB/V, 300 ohm" \
    json "len(d['headphones']) == 1 and d['sources'] == [] and d['headphones'][0]['sensitivity_db_v'] == 103 and d['headphones'][0]['impedance_ohm'] == 300"
run db show smsl sh-6
expect_rc 0 "db show smsl sh-6"
check "show SH-6: power at 32 ohm" has "$T/out" "1300 mW"
check "show SH-6: gains" has "$T/out" "0 / +15.5"
run db show dawn pro --json
check "show 'dawn pro': both outputs" json "sorted(e['output'] for e in d['sources']) == ['bal', 'se']"
run db show dawn pro bal --json
check "show 'dawn pro bal': the balanced one" json "[e['output'] for e in d['sources']] == ['bal']"
run db show bose qc35
run db show bose quietcomfort --json
check "show Bose QC35 II: own amplifier" json "d['headphones'][0]['active'] is True"

# unknown and ambiguous names
run db show hd6500
expect_rc 1 "show an unknown name"
check "unknown: closest names" has "$T/err" "hpamp: no headphone or source named 'hd6500'; closest: "
check "unknown: HD 650 among them" has "$T/err" "Sennheiser HD 650"
check "unknown: one line" test "$(wc -l <"$T/err")" -eq 1
check "unknown: nothing on stdout" test ! -s "$T/out"
run db show qqqqqqqqqq
expect_rc 1 "show a name like nothing"
check "nothing close: said so" has "$T/err" "hpamp: no headphone or source named 'qqqqqqqqqq'"
run db show hd 6
expect_rc 1 "show an ambiguous name"
check "ambiguous: candidates listed" has "$T/err" "'hd 6' matches"
# with --json a failure is one object on stdout: {error, message}, the
# message the line on stderr
for c in "not-found hd6500" "ambiguous hd 6" "usage --bogus"; do
    set -- $c
    code=$1
    shift
    run db show "$@" --json
    check "show $* --json: one line on stderr" test "$(wc -l <"$T/err")" -eq 1
    if [ "$code" = usage ]; then
        check "show $* --json: {error: $code, message: the stderr line}" \
            json "d == {'error': '$code', 'message': open('$T/err').read()[len('hpamp: '):-1]}"
    else # issue 15: and the candidates, each named in the message
        check "show $* --json: {error: $code, message: the stderr line, candidates}" \
            json "set(d) == {'error', 'message', 'candidates'} and d['error'] == '$code' and d['message'] == open('$T/err').read()[len('hpamp: '):-1] and len(d['candidates']) > 0 and all(c['name'] in d['message'] for c in d['candidates'])"
    fi
done
# a control character in a name: the message stays one line, escaped
run db show "$(printf 'hd\n6\0337')"
expect_rc 1 "show a name with a newline and an escape"
check "... one line, the name written hd\\n6\\x1b7 ($(head -c 100 "$T/err"))" \
    eval '[ "$(wc -l <"$T/err")" -eq 1 ] && grep -qF "'"'"'hd\n6\x1b7'"'"'" "$T/err"'

# ---- user files ----
CFG="$T/cfg"
mkdir -p "$CFG/hpamp"
cat >"$CFG/hpamp/headphones.csv" <<'EOF'
brand,model,type,driver,impedance_ohm,sensitivity_db_v,source
Acme,Test One,over-ear,dynamic,32,110,my own measurement
Acme,Broken,over-ear,dynamic,thirty,110,typo
Acme,"Test Two, ""Pro""",iem,ba,16,118,"from the box, page 2"
Acme,Short,iem
EOF
printf 'brand,model,kind,output,vout_max_rms_v,zout_ohm,source\r\nAcme,Amp,desktop-amp,se,7.5,0.1,"spec sheet, 2024"\r\n' \
    >"$CFG/hpamp/sources.csv"
XDG_CONFIG_HOME="$CFG" run db list --json
expect_rc 0 "list with user files"
check "malformed line 3 reported as file:line" \
    has "$T/err" "hpamp: warning: $CFG/hpamp/headphones.csv:3: impedance_ohm 'thirty' is not a number"
check "malformed line 5 reported as file:line" \
    has "$T/err" "hpamp: warning: $CFG/hpamp/headphones.csv:5: expected 7 fields, found 3"
check "exactly two warnings" test "$(wc -l <"$T/err")" -eq 2
check "the rest loads: two more headphones, one more source" \
    json "len(d['headphones']) == $n_hp + 2 and len(d['sources']) == $n_src + 1"
XDG_CONFIG_HOME="$CFG" run db show acme test two
expect_rc 0 "show a user entry"
check "user entry: quoted name" has "$T/out" 'Acme Test Two, "Pro"'
check "user entry: its citation" has "$T/out" "from the box, page 2"
check "user entry: where it came from" has "$T/out" "$CFG/hpamp/headphones.csv:4"
XDG_CONFIG_HOME="$CFG" run db show acme amp --json
check "user source with CRLF lines" json "d['sources'][0]['vout_max_rms_v'] == 7.5 and d['sources'][0]['source'] == 'spec sheet, 2024'"

# a user entry with a built-in id replaces it
printf 'id,brand,model,impedance_ohm,source\nsennheiser-hd-600,Sennheiser,HD 600,310,my unit\n' >"$CFG/hpamp/headphones.csv"
XDG_CONFIG_HOME="$CFG" run db show hd600 --json
check "user entry replaces the built-in one" \
    json "len(d['headphones']) == 1 and d['headphones'][0]['impedance_ohm'] == 310 and d['headphones'][0]['source'] == 'my unit'"

# ~/.config/hpamp when XDG_CONFIG_HOME is unset
mkdir -p "$HOME/.config/hpamp"
printf 'brand,model\nHomeBrand,Home Cans\n' >"$HOME/.config/hpamp/headphones.csv"
(unset XDG_CONFIG_HOME; "$HPAMP" db show home cans >"$T/out" 2>"$T/err")
rc=$?
expect_rc 0 "user file under ~/.config/hpamp"
# an unreadable user file is a warning, not a failure
mkdir -p "$T/cfg2/hpamp/headphones.csv"
XDG_CONFIG_HOME="$T/cfg2" run db show hd600
expect_rc 0 "a directory in place of headphones.csv"
check "...is a warning" has "$T/err" "hpamp: warning: $T/cfg2/hpamp/headphones.csv: Is a directory"
# a bad header: said once, built-ins still there
printf 'make,name\nA,B\n' >"$T/cfg2/hpamp/sources.csv"
XDG_CONFIG_HOME="$T/cfg2" run db show smsl sh-6
expect_rc 0 "bad header in sources.csv: built-ins still load"
check "bad header reported on line 1" has "$T/err" "$T/cfg2/hpamp/sources.csv:1: no 'brand' column"

echo "-- $checks checks, $failures failed"
[ "$failures" -eq 0 ]
