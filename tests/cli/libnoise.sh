#!/bin/bash
# libnoise: what third-party libraries print stays out of hpamp's output.
# libmpg123 (libsndfile's MP3 decoder) prints "Note: Illegal Audio-MPEG-Header
# ..." and "[src/libmpg123/...] error: ..." lines to stderr on its own, and a
# file it gives up on was reported as "File does not exist or is not a
# regular file".  Expected, for render and for advise --music (which opens
# files on worker threads): every stderr line is hpamp's own ("hpamp: "), a
# file that is not audio is said to be so (the file exists), and render
# fails with exit 1 and one line naming the file.
. "$(dirname "$0")/lib.sh" "$@"
need python3

SRC=$(music ambi_piano)
I=$T/in
mkdir -p "$I"
sox -V1 "$SRC" "$I/good.mp3" 2>/dev/null || skip "this sox cannot write MP3"

python3 - "$I" <<'EOF'
import random, sys
d = sys.argv[1]
rnd = random.Random(9)
junk = lambda n: bytes(rnd.randrange(256) for _ in range(n))
# an ID3v2 tag whose length is not synchsafe, then noise
open(d + '/id3junk.mp3', 'wb').write(b'ID3\x03\x00\x00\x57\x84\x32\xd0' + junk(5000))
# an MPEG audio frame header, then noise
open(d + '/sync.mp3', 'wb').write(bytes([0xff, 0xfb, 0x90, 0x64]) + junk(3000))
# text named .mp3
open(d + '/text.mp3', 'w').write('hello, this is not audio\n' * 4)
# a real MP3 with noise over 4 KiB in its middle
m = bytearray(open(d + '/good.mp3', 'rb').read())
mid = len(m) // 2
m[mid:mid + 4096] = junk(4096)
open(d + '/middle.mp3', 'wb').write(bytes(m))
EOF

# only_hpamp_lines FILE: every line of FILE starts "hpamp: "
only_hpamp_lines() {
    ! grep -qv '^hpamp: ' "$1"
}

for f in id3junk sync text; do
    fail_case "render of $f.mp3 (not audio)" 1 "$I/$f.mp3" "$I/$f.mp3" -o o.wav
    check "it says it is not audio" grep -qF "not an audio file" "$T/err.txt"
    check "not that the file does not exist" eval '! grep -qi "does not exist" "$T/err.txt"'
done

say "== render of an MP3 with 4 KiB of noise in its middle"
D=$(mktemp -d "$T/case.XXXXXX")
run render "$I/middle.mp3" -o "$D/o.wav" -q
say "      exit $rc; stderr: $(head -c 300 "$T/err.txt")"
check "nothing on stderr but hpamp's lines" only_hpamp_lines "$T/err.txt"
if [ "$rc" -ne 0 ]; then # libmpg123 gives up on this one; were it to resync, exit 0 is right too
    expect_rc 1
    check "one 'hpamp: ' line naming the file" eval 'one_error_line "$T/err.txt" && grep -qF "$I/middle.mp3" "$T/err.txt"'
    check "it says the MP3 is corrupt" grep -qF "corrupt MPEG audio" "$T/err.txt"
    check "no OUT and no temporary file left" only_entries "$D"
fi

say "== advise --music over the same files (worker threads)"
run advise --headphones hd600 --source sh-6 --music "$I" --threads 4
expect_rc 0
check "nothing on stderr but hpamp's lines" only_hpamp_lines "$T/err.txt"
for f in id3junk sync text; do
    check "$f.mp3 skipped as not audio" grep -qF "$I/$f.mp3: not an audio file" "$T/err.txt"
done

finish
