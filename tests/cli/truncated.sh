#!/bin/bash
# truncated: inputs with less audio than their header gives are failures,
# not shorter outputs.  Expected for each: exit 1, one "hpamp: " line naming
# the input, nothing on stdout, no OUT and no temporary left.
#   - a FLAC cut right after its metadata (STREAMINFO gives the length);
#   - a WAV cut short before the render (its data chunk gives the length);
#   - a WAV and a FLAC truncated by another process in the middle of the
#     render: hpamp is stopped (SIGSTOP) once it has read 1 MiB, with its
#     output open, the input is cut 256 KiB past where hpamp has read
#     (/proc/PID/fdinfo), and hpamp continued.
# Controls that must still render whole: a WAV with a chunk after its data,
# a WAV written as a stream (data size 0xFFFFFFFF, ffmpeg to a pipe).
. "$(dirname "$0")/lib.sh" "$@"
need python3 ffmpeg truncate

SRC=$(music loop_garzul) # 8 s
I=$T/in
mkdir -p "$I"

# expect_failure IN: the last run's verdict, as above ($D: the output folder)
expect_failure() {
    expect_rc 1
    if one_error_line "$T/err.txt"; then
        pass "one 'hpamp: ' line: $(cat "$T/err.txt")"
    else
        fail "stderr is not one 'hpamp: ' line: $(head -c 400 "$T/err.txt")"
    fi
    check "it names $1" grep -qF -- "$1" "$T/err.txt"
    check "nothing on stdout" [ ! -s "$T/out.txt" ]
    check "no OUT and no temporary left" only_entries "$D"
}

say "== a FLAC cut right after its metadata"
sox -V1 "$SRC" "$I/whole.flac"
python3 - "$I/whole.flac" "$I/head.flac" <<'EOF'
import sys
d = open(sys.argv[1], 'rb').read()
assert d[:4] == b'fLaC'
i = 4
while True:  # metadata blocks: 1 byte last-flag + type, 3 bytes length
    last, n = d[i] & 0x80, int.from_bytes(d[i + 1:i + 4], 'big')
    i += 4 + n
    if last:
        break
open(sys.argv[2], 'wb').write(d[:i])
EOF
check "fixture: the header still gives the whole length (soxi)" [ "$(frames "$I/head.flac")" = "$(frames "$SRC")" ]
D=$(mktemp -d "$T/o.XXXXXX")
run render "$I/head.flac" -o "$D/o.wav"
expect_failure "$I/head.flac"

say "== a WAV cut short before the render"
sox -V1 "$SRC" "$I/whole.wav"
head -c $(($(stat -c %s "$I/whole.wav") / 2)) "$I/whole.wav" >"$I/half.wav"
D=$(mktemp -d "$T/o.XXXXXX")
run render "$I/half.wav" -o "$D/o.wav"
expect_failure "$I/half.wav"

# truncate_mid_render EXT: render a long input (SRC repeated, as EXT), stop
# hpamp once it has read 1 MiB of it (a loop of shell builtins watching
# /proc/PID/fdinfo), cut the input 256 KiB past that, let hpamp go on; if
# hpamp was already too far (a loaded machine), again with a longer input
truncate_mid_render() {
    local in=$I/long.$1 repeats=11 attempt fd infd pos pid size k v
    for attempt in 1 2 3; do
        sox -V1 "$SRC" "$in" repeat $repeats
        size=$(stat -c %s "$in")
        D=$(mktemp -d "$T/o.XXXXXX")
        "$HPAMP" render "$in" -o "$D/o.wav" --rate 352800 --filter steep >"$T/out.txt" 2>"$T/err.txt" &
        pid=$!
        infd=
        pos=0
        for _ in $(seq 100000); do
            if [ -z "$infd" ]; then
                for fd in /proc/"$pid"/fd/*; do
                    [ "$fd" -ef "$in" ] && infd=${fd##*/}
                done
            fi
            if [ -n "$infd" ]; then
                while read -r k v; do [ "$k" = pos: ] && pos=$v; done <"/proc/$pid/fdinfo/$infd" 2>/dev/null
                [ "$pos" -gt 1048576 ] && break
            fi
            kill -0 "$pid" 2>/dev/null || break
        done
        kill -STOP "$pid" 2>/dev/null
        [ -n "$infd" ] && while read -r k v; do [ "$k" = pos: ] && pos=$v; done <"/proc/$pid/fdinfo/$infd" 2>/dev/null
        if output_open "$pid" "$D" && [ $((pos + 262144)) -lt "$size" ]; then
            say "      hpamp stopped with its output open at $pos of $size bytes; the input cut to $((pos + 262144))"
            truncate -s $((pos + 262144)) "$in"
            kill -CONT "$pid"
            wait "$pid"
            rc=$?
            return 0
        fi
        kill -CONT "$pid" 2>/dev/null
        wait "$pid"
        say "      hpamp was too far ($pos of $size bytes) when stopped; a longer input"
        repeats=$((repeats * 2 + 1))
    done
    fail "hpamp could not be stopped early in the render"
    return 1
}

say "== a WAV truncated by another process mid-render"
truncate_mid_render wav && expect_failure "$I/long.wav"

say "== a FLAC truncated by another process mid-render"
truncate_mid_render flac && expect_failure "$I/long.flac"

say "== control: a WAV with a chunk after its data renders whole"
python3 - "$I/whole.wav" "$I/trailer.wav" <<'EOF'
import struct, sys
d = bytearray(open(sys.argv[1], 'rb').read())
d += b'LIST' + struct.pack('<I', 12) + b'INFOISFT' + struct.pack('<I', 4) + b'sox\0'
d[4:8] = struct.pack('<I', len(d) - 8)
open(sys.argv[2], 'wb').write(d)
EOF
D=$(mktemp -d "$T/o.XXXXXX")
run render "$I/trailer.wav" -o "$D/o.wav" -q
expect_rc 0
check "the whole length (soxi)" [ "$(frames "$D/o.wav")" = "$(frames "$SRC")" ]

say "== control: a WAV written as a stream (ffmpeg to a pipe: data size 0xFFFFFFFF)"
ffmpeg -v error -i "$I/whole.wav" -f wav - >"$I/stream.wav"
check "fixture: the data size is 0xFFFFFFFF" \
    python3 -c "import sys; d = open(sys.argv[1], 'rb').read(); i = d.index(b'data'); sys.exit(d[i + 4:i + 8] != b'\xff' * 4)" \
    "$I/stream.wav"
D=$(mktemp -d "$T/o.XXXXXX")
run render "$I/stream.wav" -o "$D/o.wav" -q
expect_rc 0
check "the whole length (soxi)" [ "$(frames "$D/o.wav")" = "$(frames "$SRC")" ]

finish
