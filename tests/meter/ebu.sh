#!/bin/bash
# ebu: the meter's integrated loudness and true peak of EBU Tech 3341's
# signals, as tests/advise/gen_ebu writes them (its header lists them), against
# the values Tech 3341 gives: cases 1-5 -23.0 / -33.0 / -23.0 / -23.0 / -23.0
# LUFS within 0.1 LU; true-peak cases 1-5 -6.02 dBTP (4 of them) and +2.98
# dBTP within +0.2 / -0.4 dB; a mono 1 kHz sine at -23 dBFS, counted as dual
# mono (BS.1770: a channel heard in both ears), -23.0 LUFS.
#   Usage: ebu.sh GEN_EBU METER_FILE
GEN=${1:?gen_ebu}
METER=${2:?meter_file}
T=$(mktemp -d "${TMPDIR:-/tmp}/hpamp-meter-ebu.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
"$GEN" "$T" || { echo "FAIL gen_ebu"; exit 1; }
fails=0
check() { # name, measured, low, high
    if awk -v m="$2" -v lo="$3" -v hi="$4" 'BEGIN { exit !(m >= lo && m <= hi) }'; then
        echo "PASS $1: $2 in [$3, $4]"
    else
        echo "FAIL $1: $2 not in [$3, $4]"
        fails=$((fails + 1))
    fi
}
for c in case1:-23 case2:-33 case3:-23 case4:-23 case5:-23 mono1k:-23; do
    name=${c%%:*} want=${c#*:}
    read -r i _ < <("$METER" "$T/$name.wav") || { echo "FAIL $name: meter_file"; fails=$((fails + 1)); continue; }
    check "$name integrated (LUFS)" "$i" "$(awk -v w="$want" 'BEGIN { print w - 0.1 }')" \
        "$(awk -v w="$want" 'BEGIN { print w + 0.1 }')"
done
for c in tp1:-6.02 tp2:-6.02 tp3:-6.02 tp4:-6.02 tp5:2.98; do
    name=${c%%:*} want=${c#*:}
    read -r _ tp < <("$METER" "$T/$name.wav") || { echo "FAIL $name: meter_file"; fails=$((fails + 1)); continue; }
    check "$name true peak (dBTP)" "$tp" "$(awk -v w="$want" 'BEGIN { print w - 0.4 }')" \
        "$(awk -v w="$want" 'BEGIN { print w + 0.2 }')"
done
[ "$fails" -eq 0 ] || { echo "$fails failed"; exit 1; }
echo "all passed"
