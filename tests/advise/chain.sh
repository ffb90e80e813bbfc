#!/bin/bash
# tests/advise/chain.sh — issue 15 end to end: hiss and the volume's travel,
# gain staging (DAC -> amp -> headphones), a device's modes chosen by itself,
# battery.  Every expected number is worked out in python3 from the facts of
# data/*.csv (quoted beside each case) and the formulas of docs/advise.md,
# never taken from hpamp's output.
. "$(dirname "$0")/lib.sh" "$1"

CHECKS_DIR="$(dirname "$0")" HPAMP="$HPAMP" T="$T" python3 - <<'PY'
import json, math, os, subprocess, sys

HPAMP = os.environ["HPAMP"]
lg = math.log10
sys.path.insert(0, os.environ["CHECKS_DIR"])
from checks import ok, done

def advise(*args, rc=0):
    p = subprocess.run([HPAMP, "advise", *args, "--json"], capture_output=True, text=True)
    ok(p.returncode == rc, "advise %s: exit %d (got %d) %s" % (" ".join(args), rc, p.returncode, p.stderr[:300]))
    return json.loads(p.stdout) if p.stdout.strip() else {}

def text(*args):
    return subprocess.run([HPAMP, "advise", *args], capture_output=True, text=True).stdout

def near(x, y, tol, what):
    ok(x is not None and abs(x - y) <= tol, "%s: %s, want %.4f +- %g" % (what, x, y, tol))

# ---- hiss: Campfire Andromeda (2020), 12 ohm, 112 dB/mW, on the RME ADI-2
# DAC FS IEM out: 0.73 V open circuit, Zout 0.1 ohm, noise -124 dBu(A) =
# 0.49 uV (data/sources.csv)
S_V = 112 + 10 * lg(1000 / 12)
hiss = S_V + 20 * lg(0.49e-6 * 12 / 12.1)
max_spl = S_V + 20 * lg(0.73 * 12 / 12.1)
d = advise("--headphones", "andromeda (2020)", "--source", "rme iem")
ok(d.get("verdict") == "not-needed", "andromeda on the RME IEM out: not-needed")
ok(d.get("noise_from") == "stated", "noise as stated")
near(d.get("noise_uv"), 0.49, 1e-6, "noise_uv")
near(d.get("hiss_spl_db"), hiss, 0.005, "hiss at the ear (%.2f dB SPL(A))" % hiss)
ok(hiss > 0 and any(r["code"] == "audible-hiss" for r in d.get("reasons", [])), "audible-hiss among the reasons")
ok("would hiss" in d.get("summary", ""), "the verdict line says it would hiss")
near(d.get("attenuation_db"), max_spl - 85, 0.005, "volume below full at 85 dB SPL")
t = text("--headphones", "andromeda (2020)", "--source", "rme iem")
ok("  hiss " in t and "  volume " in t, "the text report has hiss and volume lines")
# an IEM's suggestions: least hiss first (the hiss column is not decreasing
# where known, unknown ones after)
sugg = [s["hiss_spl_db"] for s in d.get("suggestions", [])]
ok(len(sugg) > 3, "suggestions for the IEM")

done()
PY
rc=$?
[ $rc -eq 0 ] && pass "issue 15 chain checks" || fail "issue 15 chain checks"
finish
