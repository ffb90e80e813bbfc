#!/bin/bash
# security: who may talk to `hpamp play --http`, and what it survives.
#   - no token, a wrong one, one character short: 401; the token in
#     X-Hpamp-Token: 200
#   - Origin of another site (or "null"): 403; Host evil.example: 403
#   - a 10 MB body (Content-Length) and a 2.5 MB chunked one: 413
#   - the page: CSP default-src 'none', no inline script, nothing from elsewhere
#   - the default listens on 127.0.0.1 only (/proc/net/tcp); a named address
#     warns; a name instead of an address, a bad port: usage errors; a port
#     in use: one error line
#   - the token file is 0600 in a 0700 folder even under umask 000
#   - 1500 random JSON bodies, then 1000 requests 100 at a time: every answer
#     a JSON 200/400/409, the volume never over the ceiling, no crash, no
#     xrun, no underrun, and no allocator, lock, sleep or I/O call on the
#     audio thread (tests/play/rtcheck, as tests/play/rt.sh)
. "$(dirname "$0")/lib.sh" "$@"
pipewire_start

sox -V1 -n -r 48000 -c 2 -b 16 "$T/sine.wav" synth 5 sine 1000 gain -12
web_rt_probe "${3:-}" "${4:-none}"
umask 000
web_start $(for _ in $(seq 60); do echo "$T/sine.wav"; done) --device pipewire:test_sink --json
umask 022

say "== the token file"
TF=$XDG_RUNTIME_DIR/hpamp/http-$PORT.token
check "under umask 000 the token file is 0600 ($(stat -c %a "$TF" 2>&1))" [ "$(stat -c %a "$TF" 2>/dev/null)" = 600 ]
check "... in a 0700 folder ($(stat -c %a "$XDG_RUNTIME_DIR/hpamp" 2>&1))" [ "$(stat -c %a "$XDG_RUNTIME_DIR/hpamp")" = 700 ]

say "== where it listens"
hexport=$(printf '%04X' "$PORT")
listening() { awk -v p=":$hexport" '$4 == "0A" && substr($2, length($2) - 4) == p { print $2 }' /proc/net/tcp /proc/net/tcp6; }
check "--http 0 listens on 127.0.0.1 only ($(listening | tr '\n' ' '))" [ "$(listening)" = "0100007F:$hexport" ]

say "== the gates"
$WEBCHECK security "$BASE" "$TOKEN"
r=$?
check "the gates ($r failed)" [ "$r" = 0 ]

say "== a fuzz over the bodies, then a storm"
$WEBCHECK fuzz "$BASE" "$TOKEN" 1500 11
r=$?
check "the fuzz ($r failed)" [ "$r" = 0 ]
$WEBCHECK storm "$BASE" "$TOKEN" 1000
r=$?
check "the storm ($r failed)" [ "$r" = 0 ]
check "play is still running" kill -0 "$PLAY_PID"

say "== --http's argument"
run play "$T/sine.wav" --device alsa:null --http evil.example:80
expect_rc 2
check "a host name instead of an address: one line ($(head -c 200 "$T/err.txt"))" one_error_line "$T/err.txt"
run play "$T/sine.wav" --device alsa:null --http 70000
expect_rc 2
check "port 70000: one line ($(head -c 200 "$T/err.txt"))" one_error_line "$T/err.txt"
run play "$T/sine.wav" --device alsa:null --http "$PORT" -q
expect_rc 1
check "a port in use: one line ($(head -c 200 "$T/err.txt"))" one_error_line "$T/err.txt"
run play "$T/sine.wav" --device alsa:null --http 0.0.0.0:0 -q
expect_rc 0
check "a named address other than loopback warns ($(head -c 200 "$T/err.txt"))" grep -q 'reachable from other machines' "$T/err.txt"

web_end
finish
