#!/bin/bash
# rt: test_meter_rt under tests/play's rtcheck.so, which counts allocator,
# lock, sleep and I/O calls inside the sections test_meter_rt marks around
# the meter's [RT] calls; none allowed.  Under ASan/UBSan the sanitizer owns
# malloc: skipped (exit 77).
#   Usage: rt.sh TEST_METER_RT RTCHECK_SO SANITIZE
PROG=${1:?test_meter_rt}
RTCHECK=${2:?rtcheck.so}
SANITIZE=${3:-none}
[ "$SANITIZE" = none ] || { echo "skipped: built with -Db_sanitize=$SANITIZE (the sanitizer owns malloc)"; exit 77; }
OUT=$(mktemp "${TMPDIR:-/tmp}/hpamp-meter-rt.XXXXXX") || exit 1
trap 'rm -f "$OUT"' EXIT
HPA_RTCHECK_OUT=$OUT LD_PRELOAD=$RTCHECK "$PROG" || { echo "FAIL test_meter_rt"; exit 1; }
line=$(cat "$OUT")
echo "$line"
sections=$(sed -n 's/.*sections=\([0-9]*\).*/\1/p' <<<"$line")
calls=$(sed -n 's/.*calls=\([0-9]*\).*/\1/p' <<<"$line")
[ "${sections:-0}" -gt 100 ] || { echo "FAIL: the marked sections did not run (${sections:-0})"; exit 1; }
[ "${calls:-x}" = 0 ] || { echo "FAIL: $calls allocator/lock/sleep/I/O calls inside them"; exit 1; }
echo "PASS: ${sections} sections, no allocator, lock, sleep or I/O call"
