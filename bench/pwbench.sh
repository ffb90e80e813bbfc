# bench/pwbench.sh — what the PipeWire benchmarks (play_cpu.sh,
# amp_vs_loopback.sh) share.  Sourced, then:
#
#   pwbench_args NAME SECS "$@" the script's arguments (PATH/TO/hpamp
#                               [ROUNDS] [SECONDS]) into HPAMP, ROUNDS
#                               (default 3) and SECS (default SECS); NAME
#                               and SAMPLES (HPA_BENCH_SAMPLES, else the
#                               Sonic Pi samples) set
#   pwbench_start SINK TOOL...  checks hpamp and the tools (exit 77, "SKIP",
#                               when one is missing), sources
#                               tests/play/pwserver.sh, fills FILES with the
#                               CC0 Sonic Pi loops of PLAY_LOOPS, makes WORK
#                               (removed at exit, with every PID in PIDS
#                               ended) and starts a private PipeWire with
#                               WirePlumber and a null sink SINK in it.
#   median N...                 the median of the numbers

pwbench_args() {
    NAME=$1
    HPAMP=${3:?usage: $1.sh PATH/TO/hpamp [ROUNDS] [SECONDS]}
    ROUNDS=${4:-3}
    SECS=${5:-$2}
    SAMPLES=${HPA_BENCH_SAMPLES:-/usr/share/sonic-pi/samples}
}

median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

pwbench_start() {
    local sink=$1 t l f
    shift
    [[ -x $HPAMP ]] || { echo "$NAME: $HPAMP is not an executable" >&2; exit 1; }
    for t in pipewire wireplumber pw-metadata pw-play sox "$@"; do
        command -v "$t" >/dev/null || { echo "$NAME: SKIP: $t is not installed"; exit 77; }
    done
    [[ -r /usr/share/wireplumber/wireplumber.conf ]] || { echo "$NAME: SKIP: wireplumber.conf not found"; exit 77; }
    # shellcheck source=../tests/play/pwserver.sh
    . "$(dirname "${BASH_SOURCE[0]}")/../tests/play/pwserver.sh"
    read -ra LOOPS <<<"$PLAY_LOOPS"
    FILES=()
    for l in "${LOOPS[@]}"; do
        f=$SAMPLES/$l.flac
        [[ -r $f ]] || { echo "$NAME: SKIP: $f is missing (apt-get install sonic-pi-samples)"; exit 77; }
        FILES+=("$f")
    done
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/hpamp-bench.XXXXXX")
    PIDS=""
    trap pwbench_cleanup EXIT
    trap 'exit 130' INT TERM
    # a private PipeWire with a null sink (the tests' own, tests/play/pwserver.sh)
    pw_private_env "$WORK"
    pw_server_start "$sink" "$WORK" ||
        { echo "$NAME: PipeWire with a null sink did not start" >&2; tail -5 "$WORK/pipewire.log" >&2; exit 1; }
}

# shellcheck disable=SC2317  # called by the EXIT trap
pwbench_cleanup() {
    pw_stop_pids
    rm -rf "$WORK"
}
