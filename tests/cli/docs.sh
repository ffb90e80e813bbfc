#!/bin/bash
# docs: every command README.md, docs/*.md and the --help texts show works.
# doc_commands.py finds them and says the rule: a line with a placeholder
# (FILE, [--json], a|b, ...) is a synopsis, whose command, subcommand and
# options must exist; every other line in a code block or a help text is an
# example, run here in a scratch folder with real music standing for its
# inputs (the table below), and must exit 0 -- or N when its comment says
# "# exit N" -- and write the files its -o/--plot name.  Every --help (each
# command's and subcommand's) exits 0 with its text on stdout only.  An
# example whose input has no entry in the table fails the test: add one.
# play finds no PipeWire here and plays to an ALSA file PCM, as tests/play.
#
# Usage: docs.sh HPAMP
. "$(dirname "$0")/lib.sh" "$@"
need python3 timeout

SRC=$(cd "$(dirname "$0")/../.." && pwd)
EQDATA=$SRC/tests/eq/data

# What stands for each input the examples name: a file, or for a folder
# (~/...) the files it holds.  A .wav made from a .flac is converted by sox.
declare -A INPUT=(
    [loop_garzul.flac]=$SAMPLES/loop_garzul.flac
    [song.flac]=$SAMPLES/loop_garzul.flac
    [song.wav]=$SAMPLES/ambi_piano.flac
    [ParametricEQ.txt]=$EQDATA/sennheiser-hd-600/ParametricEQ.txt
    [hd600.csv]=$EQDATA/sennheiser-hd-600/result.csv
    [~/Music]="$SAMPLES/ambi_piano.flac $SAMPLES/guit_em9.flac $SAMPLES/loop_compus.flac"
    [~/Music/album]="$SAMPLES/ambi_piano.flac $SAMPLES/guit_em9.flac $SAMPLES/loop_compus.flac"
)
# Examples not run, with the reason (keep it short; a stale entry fails).
declare -A SKIP=()

music loop_garzul >/dev/null # skips without the samples
. "$SRC/tests/play/pwserver.sh"
pw_private_env "$T" # HOME, XDG_* in the scratch folder; no session, no PipeWire
export HPAMP_NO_RT_PRIORITY=1 ALSA_CONFIG_PATH=$T/alsa.conf
cat >"$ALSA_CONFIG_PATH" <<EOF
pcm.!default { type file  slave.pcm { type null }  file "$T/default.raw"  format "raw" }
EOF
RUN=$T/work
mkdir -p "$RUN"
for name in "${!INPUT[@]}"; do
    case $name in
    "~/"*)
        mkdir -p "$HOME/${name#"~/"}"
        for f in ${INPUT[$name]}; do ln -sf "$f" "$HOME/${name#"~/"}/"; done
        ;;
    *.wav) sox -V1 "${INPUT[$name]}" "$RUN/$name" || fail "sox made $name" ;;
    *) ln -sf "${INPUT[$name]}" "$RUN/$name" ;;
    esac
done

inputs=()
for name in "${!INPUT[@]}"; do inputs+=(--input "$name"); done
python3 "$SRC/tests/cli/doc_commands.py" "$HPAMP" "$SRC" "${inputs[@]}" >"$T/commands.tsv" 2>"$T/py.err"
check "doc_commands.py read the docs and the help texts ($(head -c 300 "$T/py.err"))" [ ! -s "$T/py.err" ]

n_examples=0
declare -A skipped=()
while IFS=$'\t' read -r kind where a b c; do
    case $kind in
    help)
        check "$where: exit 0 ($a), text on stdout ($b bytes), none on stderr ($c bytes)" \
            eval '[ "$a" = 0 ] && [ "$b" -gt 0 ] && [ "$c" = 0 ]'
        ;;
    synopsis) check "$where: $b -- $a" [ "$a" = ok ] ;;
    bad) fail "$where: $a: $b" ;;
    example)
        n_examples=$((n_examples + 1))
        if [ -n "${SKIP[$b]+x}" ]; then
            say "SKIP  $where: $b (${SKIP[$b]})"
            skipped[$b]=1
            continue
        fi
        eval "args=($c)"
        (cd "$RUN" && timeout 300 "$HPAMP" "${args[@]}" </dev/null >"$T/out.txt" 2>"$T/err.txt")
        rc=$?
        check "$where: $b -> exit $a (got $rc; $(head -c 200 "$T/err.txt" | tr '\n' ' '))" [ "$rc" = "$a" ]
        for ((i = 0; i + 1 < ${#args[@]}; i++)); do
            case ${args[i]} in -o | --output | -p | --plot | --compensation-eq)
                [ "$a" = 0 ] && check "... wrote ${args[i + 1]}" [ -s "$RUN/${args[i + 1]}" ] ;;
            esac
        done
        ;;
    *) fail "unknown record from doc_commands.py: $kind" ;;
    esac
done <"$T/commands.tsv"
for k in "${!SKIP[@]}"; do
    check "skip-table entry '$k' still names an example" [ -n "${skipped[$k]+x}" ]
done
# the extraction itself: README's and the help texts' examples were found
check "examples found and run: $n_examples (README's and the help texts', at least 10)" [ "$n_examples" -ge 10 ]

finish
