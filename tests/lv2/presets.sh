#!/bin/bash
# presets: hpamp's built-in presets are the plugin's LV2 presets (presets.ttl,
# written at build time by `hpamp preset export NAME --lv2`).  lv2info lists
# each built-in's title; the crossfeed of "speakers" is libbs2b's jmeier
# level as bs2b.h defines it; the EQ that "hd600"'s state carries, restored
# into the plugin, has the response of AutoEq's ParametricEQ.txt for the
# HD 600 (tests/eq/data) by the Audio EQ Cookbook, within 0.1 dB.
. "$(dirname "$0")/lib.sh" "$@"
need lv2info serdi
TONE="python3 $HERE/tone.py"
PRESETS=$BUNDLES/hpamp.lv2/presets.ttl

HOME=$T XDG_CONFIG_HOME=$T "$HPAMP" preset list | awk '$2 == "built-in"' >"$T/list.txt"
check "hpamp has built-in presets" [ -s "$T/list.txt" ]
lv2info "$STEREO" >"$T/info.txt" 2>&1
while read -r name _ title; do
    check "lv2info lists preset $name: $title" grep -qF "$title" "$T/info.txt"
done <"$T/list.txt"

serdi -i turtle -o ntriples "$PRESETS" >"$T/presets.nt" 2>"$T/serdi.err"
check "presets.ttl parses (serdi): $(head -c 200 "$T/serdi.err")" [ -s "$T/presets.nt" ]
# value PRESET SYMBOL: a port value of a preset, from the N-Triples
value() {
    python3 - "$T/presets.nt" "$1" "$2" <<'PY'
import re, sys
nt, preset, symbol = open(sys.argv[1]).read(), "<urn:hpamp:lv2:preset:%s>" % sys.argv[2], sys.argv[3]
triples = [re.match(r'(\S+) (\S+) (.*) \.$', l).groups() for l in nt.splitlines() if l.strip()]
ports = [o for s, p, o in triples if s == preset and p.endswith("lv2core#port>")]
for node in ports:
    props = {p: o for s, p, o in triples if s == node}
    if props.get("<http://lv2plug.in/ns/lv2core#symbol>") == '"%s"' % symbol:
        print(re.match(r'"([^"]*)"', props["<http://lv2plug.in/ns/ext/presets#value>"]).group(1))
PY
}
# libbs2b's jmeier level: cut frequency | feed in tenths of a dB << 16
read -r fcut feed < <(sed -n 's/.*BS2B_JMEIER_CLEVEL.*( *uint32_t *) *\([0-9]*\) *|.*( *uint32_t *) *\([0-9]*\) *<<.*/\1 \2/p' \
    /usr/include/bs2b/bs2b.h)
if [ -n "${fcut:-}" ]; then
    got=$(value speakers crossfeed_fcut_hz)
    check "speakers: crossfeed cut $got Hz, bs2b.h's jmeier $fcut Hz" awk "BEGIN { exit !($got == $fcut) }"
    got=$(value speakers crossfeed_feed_db)
    check "speakers: crossfeed feed $got dB, bs2b.h's jmeier $feed/10 dB" awk "BEGIN { exit !($got == $feed / 10) }"
    check "speakers: the crossfeed is on" [ "$(value speakers crossfeed_enable)" = 1.0 ]
else
    say "SKIP  bs2b.h not found: the jmeier level is not checked"
fi

# the EQ text in hd600's state, then into the plugin
python3 - "$T/presets.nt" >"$T/hd600.txt" <<'PY'
import json, re, sys
for l in open(sys.argv[1]):
    m = re.match(r'(\S+) <urn:hpamp:lv2#eq_text> ("(?:[^"\\]|\\.)*")', l)
    if m:
        sys.stdout.write(json.loads(m.group(2)))
        break
PY
check "hd600's state carries an EQ" grep -q "^Filter" "$T/hd600.txt"
AUTOEQ=$SRCDIR/tests/eq/data/sennheiser-hd-600/ParametricEQ.txt
ref=1000
for f in 1000 60 105 300 2166 5434 8445 14000; do
    $TONE gen $f 48000 0.6 0.25 "$T/tone.f32"
    "$LV2HOST" "$PLUGIN_SO" "$STEREO" 48000 1024 -f -t "$T/hd600.txt" <"$T/tone.f32" >"$T/out.f32" 2>"$T/log.txt"
    got=$($TONE gain "$T/out.f32" $f 48000 0.1 0.5 0.25)
    want=$($TONE apo "$AUTOEQ" $f 48000)
    if [ $f = $ref ]; then
        got_ref=$got want_ref=$want
        continue
    fi
    rel=$(awk "BEGIN { printf \"%.4f\", $got - ($got_ref) }")
    wrel=$(awk "BEGIN { printf \"%.4f\", $want - ($want_ref) }")
    check "hd600 preset at $f Hz: $rel dB re 1 kHz, AutoEq's file by the cookbook $wrel dB" \
        awk "BEGIN { d = $rel - ($wrel); exit !(d <= 0.1 && d >= -0.1) }"
done
# hpamp preset export: its usage errors and a missing preset
export_run() { HOME=$T XDG_CONFIG_HOME=$T "$HPAMP" preset export "$@" >"$T/out.txt" 2>"$T/err.txt"; }
for args in "" "hd600" "--lv2" "hd600 --lv2 --filter-chain" "hd600 --lv2 extra" "hd600 --bogus"; do
    # shellcheck disable=SC2086
    export_run $args
    rc=$?
    check "preset export $args: exit 2 and one line naming the command ($(head -c 150 "$T/err.txt"))" \
        bash -c "[ $rc -eq 2 ] && [ \$(wc -l <'$T/err.txt') -eq 1 ] && grep -q '^hpamp: preset export' '$T/err.txt' && [ ! -s '$T/out.txt' ]"
done
export_run nosuch --lv2
rc=$?
check "preset export nosuch --lv2: exit 1, one line ($(cat "$T/err.txt"))" \
    bash -c "[ $rc -eq 1 ] && [ \$(wc -l <'$T/err.txt') -eq 1 ] && [ ! -s '$T/out.txt' ]"
HOME=$T XDG_CONFIG_HOME=$T "$HPAMP" preset export hd600 --lv2 >/dev/full 2>"$T/err.txt"
rc=$?
check "preset export to a full disk: exit 1 ($(cat "$T/err.txt"))" [ $rc -eq 1 ]
# a user preset with an [eq] file: the LV2 preset carries the file's text
mkdir -p "$T/hpamp/presets"
printf 'Preamp: -2 dB\nFilter 1: ON PK Fc 440 Hz Gain 2 dB Q 2\n' >"$T/hpamp/presets/mine.txt"
printf '[preset]\ntitle = Mine\n[eq]\nfile = mine.txt\n' >"$T/hpamp/presets/mine.ini"
export_run mine --lv2
check "a user preset's EQ file goes into its LV2 preset" \
    bash -c "grep -qF 'Filter 1: ON PK Fc 440 Hz Gain 2 dB Q 2' '$T/out.txt' && serdi -i turtle -o ntriples '$T/out.txt' >/dev/null"

check "restoring the preset logs nothing: $(head -c 200 "$T/log.txt")" bash -c "! grep -q '^log:\|restore failed' '$T/log.txt'"
finish
