#!/bin/bash
# nm: neither library prints or exits.  `nm -D --undefined-only` lists what
# a shared library imports; libhpamp and libhpamp-host must import no
# printing function (the printf family that writes to a stream or fd, puts,
# fputs, putchar, fwrite, perror) and no exit or abort: they return errors
# and reasons, and the front end decides what to print.  (snprintf and
# vsnprintf, which format into the caller's buffer, are how they return
# reasons.)  The same check on the hpamp command, which prints, must find
# imports: the check can see what it looks for.
. "$(dirname "$0")/../harness.sh" nm "$@"
LIBHPAMP=$2
LIBHOST=$3
need nm

BANNED='^(printf|fprintf|vprintf|vfprintf|dprintf|vdprintf|__printf_chk|__fprintf_chk|__vprintf_chk|__vfprintf_chk|__dprintf_chk|__vdprintf_chk|puts|fputs|fputs_unlocked|putchar|fputc|putc|fwrite|fwrite_unlocked|perror|exit|_exit|_Exit|quick_exit|abort)(@.*)?$'

banned_imports() {
    nm -D --undefined-only "$1" | awk '{ print $NF }' | grep -E "$BANNED"
}

for lib in "$LIBHPAMP" "$LIBHOST"; do
    found=$(banned_imports "$lib" | tr '\n' ' ')
    if [ -z "$found" ]; then
        pass "$(basename "$lib"): no printing, exit or abort imports"
    else
        fail "$(basename "$lib") imports: $found"
    fi
done

found=$(banned_imports "$HPAMP" | wc -l)
if [ "$found" -gt 0 ]; then
    pass "the check sees the command's own printing imports ($found)"
else
    fail "the check found nothing in the hpamp command, which prints: it cannot see"
fi
finish
