#!/bin/bash
# ports: lv2ls and lv2info list hpamp.lv2's plugins and ports; each control
# port is the parameter table's entry (paramtab prints the table through the
# public API); the .ttl files pass sord_validate against the LV2 specs.
. "$(dirname "$0")/lib.sh" "$@"
need lv2ls lv2info

lv2ls >"$T/ls.txt" 2>"$T/ls.err"
check "lv2ls lists the stereo plugin" grep -qx "$STEREO" "$T/ls.txt"
check "lv2ls lists the mono plugin" grep -qx "$MONO" "$T/ls.txt"
check "lv2ls says nothing on stderr: $(head -c 300 "$T/ls.err")" [ ! -s "$T/ls.err" ]

"$PARAMTAB" >"$T/table.txt"
check "the parameter table has entries" [ -s "$T/table.txt" ]

for uri in "$STEREO" "$MONO"; do
    case $uri in *mono) ch=1 ;; *) ch=2 ;; esac
    lv2info "$uri" >"$T/info.txt" 2>"$T/info.err"
    check "$uri: lv2info succeeds" [ -s "$T/info.txt" ]
    # every fact about the ports checked in python from lv2info's text
    python3 - "$T/info.txt" "$T/table.txt" "$ch" >"$T/ports.txt" 2>&1 <<'PY'
import re, sys
info, table, ch = open(sys.argv[1]).read(), open(sys.argv[2]).read().split("\n"), int(sys.argv[3])
ports = {}
parts = re.split(r"\n\s*Port (\d+):\n", info)
for i in range(1, len(parts), 2):
    body = parts[i + 1]
    d = {"index": int(parts[i]), "types": re.findall(r"lv2core#(\w+Port)", body),
         "props": re.findall(r"lv2core#(toggled|integer|reportsLatency)", body)}
    for key in ("Symbol", "Minimum", "Maximum", "Default", "Designation"):
        m = re.search(r"\s%s:\s+(\S+)" % key, body)
        if m:
            d[key] = m.group(1)
    ports[d["Symbol"]] = d
bad = 0
def check(ok, what):
    global bad
    print(("ok    " if ok else "FAIL  ") + what)
    bad += not ok
audio = [p for p in ports.values() if "AudioPort" in p["types"]]
check(len([p for p in audio if "InputPort" in p["types"]]) == ch, "%d audio inputs" % ch)
check(len([p for p in audio if "OutputPort" in p["types"]]) == ch, "%d audio outputs" % ch)
for line in table:
    if not line:
        continue
    sym, lo, hi, dflt, toggle, unit = line.split()
    p = ports.get(sym)
    check(p is not None and "InputPort" in p["types"] and "ControlPort" in p["types"], sym + ": an input control port")
    if p is None:
        continue
    for key, want in (("Minimum", lo), ("Maximum", hi), ("Default", dflt)):
        got = p.get(key)
        check(got is not None and abs(float(got) - float(want)) <= 1e-6 * max(1.0, abs(float(want))),
              "%s: %s %s (table: %s)" % (sym, key.lower(), got, want))
    check(("toggled" in p["props"]) == (toggle == "1"), "%s: toggled exactly when the table says so" % sym)
lat = ports.get("latency", {})
check("OutputPort" in lat.get("types", []) and lat.get("Designation", "").endswith("#latency")
      and "reportsLatency" in lat.get("props", []), "latency: an output port designated lv2:latency")
for sym in ("peak_db", "gain_reduction_db", "clips"):
    check("OutputPort" in ports.get(sym, {}).get("types", []), sym + ": an output control port")
n_controls = len([p for p in ports.values() if "ControlPort" in p["types"] and "InputPort" in p["types"]])
check(n_controls == len([l for l in table if l]), "no control ports beyond the table's (%d)" % n_controls)
sys.exit(1 if bad else 0)
PY
    rc=$?
    sed 's/^/      /' "$T/ports.txt"
    check "$uri: every port as the table says" [ "$rc" -eq 0 ]
done

if command -v sord_validate >/dev/null && [ -d /usr/lib/lv2/core.lv2 ]; then
    sord_validate /usr/lib/lv2/*.lv2/*.ttl "$BUNDLES"/hpamp.lv2/*.ttl >"$T/validate.txt" 2>&1
    tail -3 "$T/validate.txt" | sed 's/^/      /'
    check "sord_validate: 0 errors against the LV2 specs" grep -q "^Found 0 errors" "$T/validate.txt"
    check "sord_validate: no warnings either" bash -c "! grep -qi warn '$T/validate.txt'"
else
    say "SKIP  sord_validate (sordi, lv2-dev) not installed"
fi
finish
