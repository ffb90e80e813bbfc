#!/bin/bash
# kill9: `kill -9` in the middle of a render.  SIGKILL cannot be caught, so
# hpamp must make its output so that nothing has a name until it is
# complete (O_TMPFILE, linked in at the end).  Expected:
#   - while the render runs, the output folder holds no entry at all;
#   - after the kill, the folder is empty: no OUT, no temporary.
# Where the filesystem has no O_TMPFILE (tests/cli/notmpfile.c, preloaded,
# makes the kernel's answer EOPNOTSUPP), a hidden temporary that names this
# host and the process is the fallback; a kill leaves it, and the next render
# into that folder removes it, but not a temporary of a process still alive
# nor one made on another host.
#
# Usage: kill9.sh HPAMP SHIM
. "$(dirname "$0")/lib.sh" "$@"

SHIM=${2:?usage: $0 HPAMP SHIM}
[ -r "$SHIM" ] || { fail "shim $SHIM not built"; finish; }
# Under AddressSanitizer, a preloaded library comes before the ASan runtime.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
HOST=$(uname -n | cut -c1-32)

SRC=$(music loop_garzul) # 8 s
SHORT=$(music ambi_piano)
sox -V1 "$SRC" "$T/long.wav" || { fail "sox could not make the input"; finish; }
mkfifo "$T/fifo" || { fail "mkfifo failed"; finish; }

# kill_mid_render DIR [PRELOAD]: render into DIR/o.wav from a FIFO that is
# given the first 256 KiB of a WAV and then nothing more, so hpamp is sure to
# be in the middle of the render; SIGKILL it once its output is open.  Sets
# pid, rc, open (1 if the output was seen open) and named (the folder's
# entries seen while it ran).
kill_mid_render() {
    local dir=$1 preload=${2:-}
    named=
    open=
    LD_PRELOAD=$preload "$HPAMP" render "$T/fifo" -o "$dir/o.wav" >"$T/out.txt" 2>"$T/err.txt" &
    pid=$!
    exec 4>"$T/fifo"
    head -c 262144 "$T/long.wav" >&4
    for _ in $(seq 1000); do
        named+=$(ls -A "$dir")
        output_open "$pid" "$dir" && open=1 && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.02
    done
    sleep 0.2
    named+=$(ls -A "$dir")
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    rc=$?
    exec 4>&-
}

say "== kill -9 mid-render (O_TMPFILE)"
D=$(mktemp -d "$T/k.XXXXXX")
kill_mid_render "$D"
check "the output was open when the kill came" [ -n "$open" ]
expect_rc 137
check "no name in the folder while it ran (saw: '$named')" [ -z "$named" ]
check "nothing left: no OUT, no temporary" only_entries "$D"

say "== a render into the same folder afterwards"
run render "$SHORT" -o "$D/o.wav" -q
expect_rc 0
check "only OUT" only_entries "$D" o.wav

say "== kill -9 mid-render on a filesystem without O_TMPFILE (shim)"
D=$(mktemp -d "$T/f.XXXXXX")
kill_mid_render "$D" "$SHIM"
killed=$pid
check "the output was open when the kill came" [ -n "$open" ]
expect_rc 137
left=$(ls -A "$D")
check "the hidden temporary names the host and the killed process ($left)" \
    [ "$(printf '%s\n' "$left" | grep -cE "^\\.o\\.wav\\.hpamp-$HOST\\.$killed-[A-Za-z0-9]{6}\$")" -eq 1 ]

say "== the next render removes it, and only it"
sleep 300 &
alive=$!
: >"$D/.x.wav.hpamp-$HOST.$alive-abcdef"            # a live process's: kept
: >"$D/.x.wav.hpamp-otherhost.$killed-abcdef"      # another host's: kept
: >"$D/.keep.wav"                                   # not a temporary: kept
LD_PRELOAD=$SHIM "$HPAMP" render "$SHORT" -o "$D/o.wav" -q >"$T/out.txt" 2>"$T/err.txt"
rc=$?
kill "$alive" 2>/dev/null
wait "$alive" 2>/dev/null
expect_rc 0
check "OUT written, the dead process's temporary gone, the others kept" \
    only_entries "$D" o.wav ".x.wav.hpamp-$HOST.$alive-abcdef" ".x.wav.hpamp-otherhost.$killed-abcdef" .keep.wav
check "OUT has the input's length (soxi)" [ "$(frames "$D/o.wav")" = "$(frames "$SHORT")" ]

finish
