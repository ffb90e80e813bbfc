#!/bin/bash
# docs: every command docs/lv2.md shows works.  Each ```sh block of it is run
# as one bash script (set -e) in a scratch folder where `build` is this build
# and song.wav real music, with hpamp on PATH and HOME in the scratch folder;
# each must exit 0, and the files its commands name must be written (under
# the sanitizers with their runtimes preloaded, as lib.sh's host does).
# (tests/cli/docs checks the hpamp lines of every doc the same way.)
. "$(dirname "$0")/lib.sh" "$@"
need lv2ls lv2info lv2apply
DOC=$SRCDIR/docs/lv2.md
RUN=$T/work
mkdir -p "$RUN" "$T/bin" "$T/home"
ln -s "$(cd "$BUNDLES/../../.." && pwd)" "$RUN/build"
ln -s "$HPAMP" "$T/bin/hpamp"
sox -V1 "$(music loop_garzul)" "$RUN/song.wav" trim 0 2
unset LV2_PATH XDG_CONFIG_HOME

python3 - "$DOC" "$T/block" <<'PY'
import sys
lines, n, block = open(sys.argv[1]).read().split("\n"), 0, None
for line in lines:
    if block is None and line.strip() == "```sh":
        block = []
    elif block is not None and line.strip() == "```":
        n += 1
        open("%s%d.sh" % (sys.argv[2], n), "w").write("\n".join(block) + "\n")
        block = None
    elif block is not None:
        block.append(line)
PY
n=0
for b in "$T"/block*.sh; do
    [ -e "$b" ] || break
    n=$((n + 1))
    (cd "$RUN" && HOME=$T/home PATH=$T/bin:$PATH host bash -e "$b" >"$T/out$n.txt" 2>"$T/err.txt")
    rc=$?
    check "docs/lv2.md block $n ($(head -1 "$b")...): exit 0 (got $rc; $(head -c 200 "$T/err.txt" | tr '\n' ' '))" \
        [ "$rc" -eq 0 ]
done
check "the doc's sh blocks were found and run ($n)" [ "$n" -ge 3 ]
check "the first block's lv2ls and lv2info showed the plugin" grep -q "urn:hpamp:lv2:stereo" "$T/out1.txt"
check "lv2apply wrote out.wav" [ -s "$RUN/out.wav" ]
check "the PipeWire block wrote hpamp-night.conf" \
    grep -q "libpipewire-module-filter-chain" "$T/home/.config/pipewire/pipewire.conf.d/hpamp-night.conf"
finish
