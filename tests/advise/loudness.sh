#!/bin/bash
# tests/advise/loudness.sh — the --music scan on the EBU Tech 3341 signals.
#
# gen_ebu writes the cases of docs/physics.md (1 kHz stereo sines at known dBFS;
# the true-peak sines at fs/4, fs/6, fs/8) as WAV files; `hpamp advise
# --music DIR --json` measures them through its own scanning code (the
# worker pool, libsndfile, libebur128), and each track's loudness and true
# peak are checked against the values the standard gives:
#   loudness  +-0.1 LU            true peak  +0.2 / -0.4 dB
# The same folder is scanned on 1 and on 2 threads: the results must be
# identical (each file is measured whole by one worker).
. "$(dirname "$0")/lib.sh" "$1"
GEN=${2:?usage: $0 HPAMP GEN_EBU}

mkdir -p "$T/ebu"
"$GEN" "$T/ebu" || { fail "gen_ebu wrote the signals"; finish; }

for j in 2 1; do
    run advise --headphones hd600 --source sh-6 --music "$T/ebu" --json --threads "$j"
    expect_rc 0 "scan of the EBU signals on $j thread(s)"
    cp "$T/out" "$T/scan$j.json"
done
cp "$T/scan2.json" "$T/out"

# expected: name -> (LUFS or None, dBTP or None)
python3 - "$T/out" <<'EOF'
import json, math, os, sys
d = json.load(open(sys.argv[1]))
tracks = {os.path.basename(t["path"])[:-4]: t for t in d["tracks"]}
minus6 = 20 * math.log10(0.5)      # -6.0206 dBTP
plus3 = 20 * math.log10(1.41)      # +2.9844 dBTP
cases = [  # name, LUFS, dBTP (None: not checked)
    ("case1", -23.0, None), ("case2", -33.0, None), ("case3", -23.0, None),
    ("case4", -23.0, None), ("case5", -23.0, None), ("mono1k", -23.0, None),
    ("tp1", None, minus6), ("tp2", None, minus6), ("tp3", None, minus6),
    ("tp4", None, minus6), ("tp5", None, plus3),
]
bad = 0
for name, lufs, tp in cases:
    t = tracks.get(name)
    if t is None:
        print("FAIL  %s: not among the measured tracks" % name); bad += 1; continue
    if lufs is not None:
        ok = abs(t["loudness_lufs"] - lufs) <= 0.1
        print("%s  %s: I = %.3f LUFS, want %.1f +-0.1" % ("ok   " if ok else "FAIL ", name, t["loudness_lufs"], lufs))
        bad += not ok
    if tp is not None:
        ok = tp - 0.4 <= t["true_peak_dbtp"] <= tp + 0.2
        print("%s  %s: TP = %.3f dBTP, want %.2f +0.2/-0.4" % ("ok   " if ok else "FAIL ", name, t["true_peak_dbtp"], tp))
        bad += not ok
    # the crest is true peak minus loudness, as the verdict uses it
    ok = abs(t["crest_db"] - (t["true_peak_dbtp"] - t["loudness_lufs"])) < 1e-3  # 6 digits in the JSON
    bad += not ok
    if not ok:
        print("FAIL  %s: crest_db is not true peak minus loudness" % name)
# the target's crest is the largest of the tracks'
crest = max(t["true_peak_dbtp"] - t["loudness_lufs"] for t in d["tracks"])
ok = abs(d["crest_db"] - crest) < 1e-3 and d["crest_from"] == "music"
print("%s  crest_db is the largest track crest" % ("ok   " if ok else "FAIL "))
bad += not ok
ok = len(d["tracks"]) == 11 and d["skipped"] == []
print("%s  11 tracks measured, none skipped" % ("ok   " if ok else "FAIL "))
bad += not ok
sys.exit(1 if bad else 0)
EOF
check "EBU Tech 3341 loudness and true-peak cases" test $? -eq 0

check "1 and 2 threads give the same measurements" python3 -c "
import json, sys
a = json.load(open('$T/scan1.json'))['tracks']; b = json.load(open('$T/scan2.json'))['tracks']
key = lambda t: t['path']
sys.exit(0 if sorted(a, key=key) == sorted(b, key=key) else 1)"

finish
