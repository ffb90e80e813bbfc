# tests/play/lib.sh — shared by the `hpamp play` tests (suite 'play').
# Sourced as: . "$(dirname "$0")/lib.sh" HPAMP PCMCMP [RTCHECK SANITIZE TRUEPEAK ALSAFAULT TPREF]
#
# Every test runs in a private scratch folder (HOME, TMPDIR, XDG_* point
# into it), starts the audio servers it needs itself and ends them by PID.
# Expected values come from outside hpamp: sox decodes the inputs, pcmcmp
# compares samples, sox stats measures levels.  HPA_KEEP=1 keeps the scratch
# folder of a failing test (captures, server logs) and prints its path.

PCMCMP=${2:?usage: $0 PATH-TO-hpamp PATH-TO-pcmcmp}
case $PCMCMP in /*) ;; *) PCMCMP=$PWD/$PCMCMP ;; esac
TRUEPEAK=${5:-} # tests/play/truepeak (libebur128)
TPREF=${7:-}    # tests/common/tpref_tool (the reference true-peak meter), for the ceiling
PIDS=""
# the servers and clients a test started are ended by PID before the scratch goes
. "$(dirname "$0")/pwserver.sh"
CLEANUP_EXTRA=pw_stop_pids
. "$(dirname "$0")/../harness.sh" play "$@"

pw_private_env "$T"
# The ALSA file PCM has no clock: its audio thread writes as fast as it can.
# At real-time priority that would take a core from the tests running beside.
export HPAMP_NO_RT_PRIORITY=1

need sox soxi awk

. "$(dirname "${BASH_SOURCE[0]}")/../common/checks.sh"

# soxstat FILE FIELD [sox effects]: the Overall column of sox stats ("Pk lev dB", "RMS lev dB")
soxstat() {
    local f=$1 k=$2
    shift 2
    sox -V1 "$f" -n "$@" stats 2>&1 | awk -v f="$k" 'index($0, f) == 1 { print $(split(f, x, " ") + 1); exit }'
}

# ---- ALSA: a `file` PCM over `null` writes exactly what was played ----
# alsa_conf: writes $T/alsa.conf with pcm.capraw -> $T/cap.raw; exports ALSA_CONFIG_PATH
alsa_conf() {
    cat >"$T/alsa.conf" <<EOF
pcm.capraw { type file  slave.pcm { type null }  file "$T/cap.raw"  format "raw" }
pcm.!default { type file  slave.pcm { type null }  file "$T/default.raw"  format "raw" }
EOF
    export ALSA_CONFIG_PATH=$T/alsa.conf
}

# ---- PipeWire: a headless server with a null sink, and WirePlumber ----

