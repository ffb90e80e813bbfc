#!/bin/bash
# browser: the control page in headless Chromium (Debian's /usr/bin/chromium)
# driven by playwright-core (npm, pinned in tests/web/package-lock.json and
# installed by `make check`; nothing downloads a browser): the knob by keys
# and by pointer, the safe level at the page, EQ out and in, the meters
# moving while music plays, a phone's taps and width, the dark scheme; each
# effect checked through the API.  Screenshots go to the build folder
# (web-desktop.png, web-phone.png, web-dark.png).
. "$(dirname "$0")/lib.sh" "$@"
OUT=${2:?usage: $0 HPAMP BUILD-FOLDER}
CHROMIUM=${HPA_CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || skip "no Chromium at $CHROMIUM (apt-get install chromium)"
need node
[ -d "$WEB_DIR/node_modules/playwright-core" ] ||
    skip "playwright-core is not installed (make deps runs npm ci in tests/web)"
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' ||
    skip "node $(node --version) is older than playwright-core's 20"
pipewire_start

sox -V1 -D "$(music loop_compus)" "$T/music.wav" rate -v 48000 gain -3
printf 'Preamp: -4.0 dB\nFilter 1: ON PK Fc 3000 Hz Gain 3.5 dB Q 1.41\n' >"$T/eq.txt"
web_start $(for _ in $(seq 40); do echo "$T/music.wav"; done) --device pipewire:test_sink --eq "$T/eq.txt" \
    -H hd600 -S apple-usb-c-adapter-us-a2049 --json

node "$WEB_DIR/browser.mjs" "$URL" "$OUT" "$CHROMIUM"
r=$?
check "the page in Chromium ($r failed)" [ "$r" = 0 ]
for s in desktop phone dark; do
    check "screenshot $OUT/web-$s.png" [ -s "$OUT/web-$s.png" ]
done
web_stop
check "play ends on SIGINT (status $rc)" [ "$rc" = 130 ]
finish
