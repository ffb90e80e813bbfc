#!/bin/bash
# tests/advise/plot.sh — --plot writes a valid PNG or SVG, chosen by extension.
#
# PNG: the 8-byte signature 89 50 4E 47 0D 0A 1A 0A, then an IHDR chunk
# whose width and height are those hpamp draws (1100 x 520), checked by
# python3 reading the bytes (and by `file` when installed).  SVG: an XML
# document whose root is <svg> with that width and height, parsed by
# python3's xml.etree.  A failed write leaves nothing behind.
. "$(dirname "$0")/lib.sh" "$1"

GOOD=$(music loop_garzul)

png_ok() {
    python3 - "$1" <<'EOF'
import struct, sys
b = open(sys.argv[1], "rb").read()
sig = b[:8] == b"\x89PNG\r\n\x1a\n"
ihdr = b[12:16] == b"IHDR"
w, h = struct.unpack(">II", b[16:24])
end = b[-8:-4] == b"IEND"
print("      PNG: signature %s, IHDR %s, %dx%d, IEND %s, %d bytes" % (sig, ihdr, w, h, end, len(b)))
sys.exit(0 if sig and ihdr and (w, h) == (1100, 520) and end and len(b) > 5000 else 1)
EOF
}

svg_ok() {
    python3 - "$1" <<'EOF'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
w, h = root.get("width"), root.get("height")
n = sum(1 for _ in root.iter())
print("      SVG: root %s, %s x %s, %d elements" % (root.tag, w, h, n))
sys.exit(0 if root.tag.endswith("svg") and float(w.rstrip("pt")) == 1100 and float(h.rstrip("pt")) == 520 and n > 20 else 1)
EOF
}

run advise --headphones hd650 --source a2049 --music "$GOOD" --plot "$T/hd650.png"
expect_rc 0 "--plot PNG"
check "PNG is valid, 1100 x 520" png_ok "$T/hd650.png"
if command -v file >/dev/null; then
    check "file(1) says PNG" grep -q "PNG image data, 1100 x 520" <(file "$T/hd650.png")
fi
check "text says where the plot went" has "$T/out" "plot written to $T/hd650.png"

run advise --headphones "dt 880 600" --source sh-6 --music "$GOOD" --plot "$T/dt880.SVG" --json
expect_rc 0 "--plot SVG (upper-case extension) with --json"
check "SVG is valid XML with an <svg> root, 1100 x 520" svg_ok "$T/dt880.SVG"
check "--json output stays pure JSON" json "d['verdict'] in ('not-needed', 'recommended', 'required')"

# no music: the full-scale sine alone
run advise --headphones "32ohm,110dB/mW" --source "1.0V,10ohm" --plot "$T/spec.png"
expect_rc 0 "--plot without music"
check "PNG without music is valid" png_ok "$T/spec.png"

# a folder that does not exist: exit 1 before the analysis (nothing on stdout)
run advise --headphones hd600 --source sh-6 --plot "$T/no-such-folder/x.png"
expect_rc 1 "--plot into a missing folder"
check "missing folder: one error line naming the file" grep -q "^hpamp: --plot $T/no-such-folder/x.png: " "$T/err"
check "missing folder: said before the analysis (stdout empty)" test ! -s "$T/out"

# a folder that cannot be written: exit 1, nothing left
mkdir -p "$T/ro"
chmod 555 "$T/ro"
if [ ! -w "$T/ro" ]; then
    run advise --headphones hd600 --source sh-6 --plot "$T/ro/x.png"
    expect_rc 1 "--plot into a read-only folder"
    check "read-only: one error line naming the file" grep -q "^hpamp: --plot $T/ro/x.png: " "$T/err"
    check "read-only: nothing left" test -z "$(ls -A "$T/ro")"
else
    say "SKIP  read-only folder (running as a user who can write anywhere)"
fi
chmod 755 "$T/ro"
# an active headphone: nothing to draw
run advise --headphones bose-quietcomfort-35-ii --source sh-6 --plot "$T/bose.png"
expect_rc 1 "--plot for a headphone with its own amp"
check "own amp: says there is nothing to draw" has "$T/err" "nothing to draw"
check "own amp: no file" test ! -e "$T/bose.png"

finish
