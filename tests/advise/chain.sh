#!/bin/bash
# tests/advise/chain.sh — issue 15 end to end: hiss and the volume's travel,
# gain staging (DAC -> amp -> headphones), a device's modes chosen by itself,
# battery.  Every expected number is worked out in python3 from the facts of
# data/*.csv (quoted beside each case) and the formulas of docs/advise.md,
# never taken from hpamp's output.
. "$(dirname "$0")/lib.sh" "$1"
need ffmpeg sox soxi

# a library with songs (Sonic Pi loops repeated by sox past 30 s) and
# one-shots (a cymbal with the largest crest of all, a choir hit); each
# file's loudness and true peak by ffmpeg's ebur128, its length by soxi
mkdir -p "$T/lib/one-shots"
sox "$(music loop_garzul)" "$T/lib/garzul-song.flac" repeat 15
sox "$(music guit_em9)" "$T/lib/guitar-song.flac" repeat 5
sox "$(music loop_compus)" "$T/lib/compus-song.flac" repeat 4
ln -s "$(music drum_cymbal_soft)" "$T/lib/one-shots/"
ln -s "$(music ambi_choir)" "$T/lib/one-shots/"
: >"$T/lib.txt"
for f in "$T"/lib/*.flac "$T"/lib/one-shots/*.flac; do
    ffmpeg -nostdin -hide_banner -nostats -i "$f" -af ebur128=peak=true -f null - 2>&1 |
        awk -v f="$(basename "$f")" -v d="$(soxi -D "$f")" '/^ *I:/ { i = $2 } /^ *Peak:/ { p = $2 } END { print f, i, p, d }' >>"$T/lib.txt"
done
sed 's/^/      /' "$T/lib.txt"

CHECKS_DIR="$(dirname "$0")" HPAMP="$HPAMP" T="$T" python3 - <<'PY'
import json, math, os, subprocess, sys

HPAMP = os.environ["HPAMP"]
lg = math.log10
sys.path.insert(0, os.environ["CHECKS_DIR"])
from checks import ok, done, music_crest

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

# ---- gain staging: HD 600 (327 mV for 94 dB SPL) behind Apple's US USB-C
# adapter (30 mW into 32 ohm, Zout 0.9 ohm) into the SMSL SH-6 (1300 mW into
# 32 ohm, Zout not known, gains 0 / +15.5 dB, SNR 134 dB) -- data/*.csv
S_V = 94 - 20 * lg(0.327)
dac_v = math.sqrt(0.030 * 32) * (32 + 0.9) / 32          # open circuit
amp_v = math.sqrt(1.300 * 32)                             # Zout taken as 0
drive = [dac_v, dac_v * 10 ** (15.5 / 20)]
spl = [S_V + 20 * lg(min(v, amp_v)) for v in drive]
d = advise("--headphones", "hd600", "--source", "apple usb-c us", "--amp", "sh-6")
ch = d.get("chain", {})
near(ch.get("dac_v"), dac_v, 1e-4, "the DAC's full scale (%.4f V)" % dac_v)
near(ch.get("amp_voc_v"), amp_v, 1e-4, "the SH-6 clips at %.4f V" % amp_v)
st = ch.get("settings", [])
ok(len(st) == 2 and [x["gain_db"] for x in st] == [0, 15.5], "both settings of the SH-6")
for i, x in enumerate(st):
    near(x["drive_v"], drive[i], 1e-4, "setting %g: full scale asks %.4f V" % (x["gain_db"], drive[i]))
    near(x["clip_margin_db"], 20 * lg(amp_v / drive[i]), 0.005, "setting %g: clip margin" % x["gain_db"])
    near(x["max_spl_db"], spl[i], 0.005, "setting %g: loudest clean %.2f dB SPL" % (x["gain_db"], spl[i]))
ok(ch.get("gain_db") == 15.5 and ch.get("chosen_auto") is True, "+15.5 dB: the lowest setting clean at 110 dB SPL")
near(ch.get("digital_atten_db"), spl[1] - 85, 0.005, "the digital volume at 85 dB SPL")
near(ch.get("bits_lost"), (spl[1] - 85) / (20 * lg(2)), 0.001, "the bits it costs")
ok(d.get("verdict") == "not-needed", "not-needed on +15.5 dB")
near(d.get("headroom_db"), spl[1] - 110, 0.005, "headroom on +15.5 dB")
ok("at +15.5 dB after Apple" in d.get("summary", ""), "the verdict line names the gain and the DAC")
d = advise("--headphones", "hd600", "--source", "apple usb-c us", "--amp", "sh-6", "--gain", "low")
ok(d.get("chain", {}).get("gain_db") == 0 and d.get("verdict") == "required", "--gain low: 0 dB, required")
near(d.get("headroom_db"), spl[0] - 110, 0.005, "headroom on 0 dB")
d = advise("--headphones", "hd600", "--source", "apple usb-c us", "--amp", "sh-6", "--gain", "6")
near(d.get("max_spl_db"), S_V + 20 * lg(dac_v * 10 ** (6 / 20)), 0.005, "--gain 6: the caller's gain")
ok(d.get("chain", {}).get("chosen_auto") is False, "--gain 6: not chosen automatically")
# an amp whose settings are not numbers in the database: cannot tell without --gain
p = subprocess.run([HPAMP, "advise", "-H", "hd600", "-S", "apple usb-c us", "--amp", "k19 se"], capture_output=True, text=True)
ok(p.returncode == 1 and "give --gain DB" in p.stderr and p.stderr.count("\n") == 1, "no numeric gains: exit 1, says --gain DB")
p = subprocess.run([HPAMP, "advise", "-H", "hd600", "-S", "apple usb-c us", "--gain", "6"], capture_output=True, text=True)
ok(p.returncode == 2, "--gain without --amp: usage error")
p = subprocess.run([HPAMP, "advise", "-H", "hd600", "-S", "apple usb-c us", "--amp", "sh-6", "--gain", "loud"], capture_output=True, text=True)
ok(p.returncode == 2 and "--gain 'loud'" in p.stderr, "--gain loud: usage error naming it")

# ---- a device's modes, chosen for the headphone: the MacBook Pro jack gives
# 1.25 V below 150 ohm and 3 V from 150 ohm to 1 kohm (Apple's document,
# data/sources.csv rows with mode_of apple-macbook-pro-2021)
d = advise("--headphones", "hd600", "--source", "macbook pro")
m = d.get("mode", {})
ok(m.get("used") == "apple-macbook-pro-2021-150-to-1000-ohm" and m.get("how") == "load-range",
   "HD 600 (300 ohm) on 'macbook pro': the 150-1000 ohm mode, by its load range")
near(d.get("max_spl_db"), S_V + 20 * lg(3.0), 0.005, "... 3 V into the HD 600")
d = advise("--headphones", "aria 2", "--source", "macbook pro")
ok(d.get("mode", {}).get("used") == "apple-macbook-pro-2021-under-150-ohm", "Aria 2 (33 ohm): the under-150 ohm mode")
near(d.get("max_spl_db"), 122 + 20 * lg(1.25), 0.005, "... 1.25 V into the Aria 2 (122 dB/V)")
# se and bal of the K19 for an over-ear of 300 ohm: both play 110 dB SPL; the most headroom, bal
d = advise("--headphones", "hd600", "--source", "k19")
ok(d.get("mode", {}).get("used") == "fiio-k19-bal" and d.get("mode", {}).get("how") == "best",
   "HD 600 on 'k19': the balanced output (most headroom)")
ok("FiiO K19 (balanced)" in d.get("summary", ""), "the verdict line names the mode used")
t = text("--headphones", "hd600", "--source", "k19")
ok("  mode " in t and "(used)" in t, "the text report names the modes and the one used")

# ---- battery: the Topping G5 (balanced, 1200 mW into 32 ohm, Zout 0.1 ohm,
# battery up to 25 h) on the Aria 2 (33 ohm, 122 dB/V): 85 dB SPL needs
# 10^((85-122)/20) V into 33 ohm; the G5 gives sqrt(1.2*32) V open circuit
# (one rating: stated into 32 ohm, so open circuit x (32+0.1)/32) into 33 ohm
v_lev = 10 ** ((85 - 122) / 20)
p_lev = v_lev ** 2 / 33 * 1000
voc = math.sqrt(1.2 * 32) * 32.1 / 32
v_max = voc * 33 / 33.1
p_max = v_max ** 2 / 33 * 1000
d = advise("--headphones", "aria 2", "--source", "topping g5")
ok(d.get("battery") is True and d.get("battery_h") == 25, "the G5: battery, rated 25 h")
near(d.get("level_mw"), p_lev, 1e-6, "the average level's power (%.5f mW)" % p_lev)
near(d.get("level_share"), p_lev / p_max, 1e-6, "its share of the G5's power (%.5f %%)" % (100 * p_lev / p_max))
t = text("--headphones", "aria 2", "--source", "topping g5")
ok("  battery          rated 25 h;" in t, "the text report has the battery line")

# ---- the music target: the 95th percentile by playing time of the songs'
# crest; the one-shots (under 30 s) not counted, though the cymbal has the
# largest crest of all
T = os.environ["T"]
rows = [l.split() for l in open(os.path.join(T, "lib.txt"))]
tracks = [(f, float(p) - float(i), float(dur)) for f, i, p, dur in rows]
lib = os.path.join(T, "lib")
for pct in (95.0, 80.0, 100.0):
    want, name, counted = music_crest(tracks, pct)
    args = ["--headphones", "hd600", "--source", "sh-6", "--music", lib]
    if pct != 95.0:
        args += ["--percentile", "%g" % pct]
    d = advise(*args)
    near(d.get("crest_db"), want, 0.3, "--percentile %g: the crest of %s" % (pct, name))
    ok(d.get("crest_tracks") == 3 and d.get("all_short") is False, "--percentile %g: the three songs counted" % pct)
    near(d.get("crest_seconds"), sum(t[2] for t in tracks if t[0] in counted), 0.05, "--percentile %g: their playing time" % pct)
    cnt = {os.path.basename(t["path"]): t["counted"] for t in d.get("tracks", [])}
    ok(cnt.get("drum_cymbal_soft.flac") is False and cnt.get("ambi_choir.flac") is False and
       all(cnt.get(f) for f in counted), "--percentile %g: the one-shots are not counted, the songs are" % pct)
biggest = max(tracks, key=lambda t: t[1])
ok(biggest[0] == "drum_cymbal_soft.flac", "(the one-shot cymbal has the largest crest: %s)" % biggest[0])
t = text("--headphones", "hd600", "--source", "sh-6", "--music", lib)
ok("not counted in the target, shorter than 30 s" in t and "drum_cymbal_soft.flac" in t, "the text report names the one-shots")
p = subprocess.run([HPAMP, "advise", "-H", "hd600", "-S", "sh-6", "--percentile", "40"], capture_output=True, text=True)
ok(p.returncode == 2 and "--percentile '40'" in p.stderr, "--percentile 40: usage error")

done()
PY
rc=$?
[ $rc -eq 0 ] && pass "issue 15 chain checks" || fail "issue 15 chain checks"
finish
