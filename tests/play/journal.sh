#!/bin/bash
# journal: the sound-dose journal ($XDG_STATE_HOME/hpamp/dose.log) against
# hostile files, as hostile testing found them (issue 9, item 5):
#   - a journal that is not a regular file (a symbolic link to /dev/zero, a
#     folder, a FIFO) is refused: one line naming it, exit 1, no hang;
#   - a huge journal (a sparse 4 GiB file) is read only as far as its cap:
#     the command answers in seconds;
#   - records whose checksum holds but whose fields are out of range (a time
#     past any clock, seconds or exposure of 1e308) are damaged lines:
#     reported, skipped, and the next writer drops them and keeps writing;
#   - a stale temporary of the compaction (a folder, a symbolic link to
#     someone's file) neither stops a writer nor is written through; old
#     temporaries of hpamp's own are removed.
# The checksums are computed here (FNV-1a over the record, as dose.h states
# the format), not by hpamp.
. "$(dirname "$0")/lib.sh" "$@"
export TZ=UTC
T0=1764000000 # Mon 2025-11-24 16:00 UTC
export XDG_STATE_HOME=$T/state
J=$XDG_STATE_HOME/hpamp/dose.log
fresh() { rm -rf "$XDG_STATE_HOME/hpamp" && mkdir -p "$XDG_STATE_HOME/hpamp"; }
j() { python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$T/out.txt" "$1"; }
# sealed BODY: the journal line for BODY, "BODY %08x" of its FNV-1a hash
sealed() {
    python3 -c '
import sys
h = 2166136261
for b in sys.argv[1].encode():
    h = ((h ^ b) * 16777619) & 0xFFFFFFFF
print("%s %08x" % (sys.argv[1], h))' "$1"
}
# tryrun SECONDS ARGS...: run with a time limit (rc 124 when it hangs)
tryrun() {
    local s=$1
    shift
    timeout -k 2 "$s" "$HPAMP" "$@" </dev/null >"$T/out.txt" 2>"$T/err.txt"
    rc=$?
}

say "== a journal that is not a regular file is refused"
for kind in zero folder fifo; do
    fresh
    case $kind in
    zero) ln -s /dev/zero "$J" ;;
    folder) mkdir "$J" ;;
    fifo) mkfifo "$J" ;;
    esac
    HPAMP_NOW=$T0 tryrun 20 dose
    check "$kind: hpamp dose exits 1, no hang (rc $rc)" [ "$rc" = 1 ]
    check "$kind: one line naming the journal ($(head -c 150 "$T/err.txt"))" \
        eval 'one_error_line "$T/err.txt" && grep -qF "$J: " "$T/err.txt"'
    check "$kind: nothing on stdout" [ ! -s "$T/out.txt" ]
    HPAMP_NOW=$T0 tryrun 20 dose --add 2 --level 80
    check "$kind: a writer is refused too (rc $rc), one line" eval '[ "$rc" = 1 ] && one_error_line "$T/err.txt"'
done
fresh
ln -s /dev/zero "$J"
HPAMP_NOW=$T0 tryrun 20 dose --json
check "zero --json: exit 1 and {error, message}" eval '[ "$rc" = 1 ] && j "j[\"error\"] and j[\"message\"]" >/dev/null'

say "== a huge journal is read only as far as the cap"
fresh
truncate -s 4G "$J"
printf '\n' >>"$J"
sealed "E $((T0 - 100)) 1.000 0.4" >>"$J"
start=$(date +%s)
HPAMP_NOW=$T0 tryrun 120 dose --json
took=$(($(date +%s) - start))
check "a 4 GiB journal: answered (rc $rc) in $took s" eval '[ "$rc" = 0 ] && [ "$took" -le 10 ]'
check "... the record at its end read: 1 s listened" near "$(j 'j["week"]["listened_s"]')" 1 0.001
size=$(stat -c %s "$J")
check "... only the newest 64 MiB read: $((size - 67108864)) bytes left out ($(j 'j["skipped_bytes"]'))" \
    [ "$(j 'j["skipped_bytes"]')" = $((size - 67108864)) ]
check "... the 64 MiB of zeros before the record one damaged line ($(j 'j["skipped_lines"]'))" [ "$(j 'j["skipped_lines"]')" = 1 ]

say "== checksummed records with fields out of range are damaged lines"
fresh
{
    sealed "E $((T0 - 3600)) 1.000 0.4"
    sealed "E 9223372036854775807 1.000 0.4"
    sealed "E 99999999999999999999 1.000 0.4"
    sealed "E $((T0 - 60)) 1e308 0.4"
    sealed "E $((T0 - 60)) 1.000 1e308"
    sealed "E -9223372036854775807 1.000 0.4"
    sealed "A 9223372036854775807 0"
    sealed "A $((T0 - 60)) 1e308"
    sealed "E $((T0 - 1800)) 2.000 0.8"
} >"$J"
cp "$J" "$T/hostile.log"
HPAMP_NOW=$T0 run dose --json
expect_rc 0
check "7 of 9 lines skipped ($(j 'j["skipped_lines"]')), 2 records read ($(j 'j["records"]'))" \
    eval '[ "$(j "j[\"skipped_lines\"]")" = 7 ] && [ "$(j "j[\"records\"]")" = 2 ]'
check "... the good ones count: 3 s, 1.2 Pa2s = 1.2/3600 Pa2h" \
    eval 'near "$(j "j[\"week\"][\"listened_s\"]")" 3 0.0001 && near "$(j "j[\"week\"][\"pa2h\"] * 3600")" 1.2 0.000001'
check "... no acknowledgement taken from them" [ "$(j 'j["acknowledged"]')" = False ]
HPAMP_NOW=$T0 run dose
expect_rc 0
check "the text report says 7 damaged lines were skipped" grep -q "7 damaged lines skipped" "$T/out.txt"
for i in 1 2 3; do
    HPAMP_NOW=$((T0 + i)) run dose --add 1 --level 80
    check "writer $i after them: exit 0 ($(head -c 120 "$T/err.txt"))" [ "$rc" = 0 ]
done
HPAMP_NOW=$((T0 + 3)) run dose --json
check "... the journal kept every write: 6 s, nothing skipped any more" \
    eval 'near "$(j "j[\"week\"][\"listened_s\"]")" 6 0.0001 && [ "$(j "j[\"skipped_lines\"]")" = 0 ]'

say "== a stale temporary neither stops a writer nor is written through"
fresh
mkdir "$J.tmp"
HPAMP_NOW=$T0 run dose --add 2 --level 80
check "a folder named dose.log.tmp: the writer goes on (rc $rc, $(head -c 120 "$T/err.txt"))" [ "$rc" = 0 ]
HPAMP_NOW=$T0 run dose --json
check "... and its 2 s are in the journal" near "$(j 'j["week"]["listened_s"]')" 2 0.0001
fresh
printf 'keep me\n' >"$T/victim"
ln -s "$T/victim" "$J.tmp"
HPAMP_NOW=$T0 run dose --add 2 --level 80
check "a symbolic link named dose.log.tmp: the writer goes on (rc $rc)" [ "$rc" = 0 ]
check "... and the file it points to is untouched" [ "$(cat "$T/victim")" = "keep me" ]
check "... the journal is a regular file of its own" eval '[ -f "$J" ] && [ ! -L "$J" ]'
fresh
HPAMP_NOW=$T0 run dose --add 1 --level 80
printf 'E 1 1.000 0 00000000\n' >"$J.tmp.OLD123"
printf 'E 1 1.000 0 00000000\n' >"$J.tmp"
touch -d '3 hours ago' "$J.tmp.OLD123" "$J.tmp"
printf 'E 1 1.000 0 00000000\n' >"$J.tmp.NEW123"
HPAMP_NOW=$T0 run dose --add 1 --level 80
check "temporaries of its own older than an hour are removed" eval '[ ! -e "$J.tmp.OLD123" ] && [ ! -e "$J.tmp" ]'
check "... a recent one (another writer's, maybe) is left" [ -e "$J.tmp.NEW123" ]
check "... no other temporary is left behind" [ "$(find "$XDG_STATE_HOME/hpamp" -name 'dose.log.tmp*' | wc -l)" = 1 ]

finish
