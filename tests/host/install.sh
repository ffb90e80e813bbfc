#!/bin/bash
# install: `meson install` into a scratch prefix gives what a real library
# gives — both shared libraries with their sonames, the headers, hpamp.pc
# and hpamp-host.pc, the command and its man pages — and a tiny program
# built out of tree from nothing but the installed .pc files compiles, links
# and runs against the installed libraries.
. "$(dirname "$0")/../harness.sh" install "$@"
BUILD=$2
VERSION=$3
SANITIZE=${4:-none}
need pkg-config cc man

DEST=$T/root
if ! meson install -C "$BUILD" --no-rebuild --destdir "$DEST" >"$T/install.log" 2>&1; then
    fail "meson install: $(tail -3 "$T/install.log")"
    finish
fi
pass "meson install --destdir"

prefix=$(meson introspect "$BUILD" --buildoptions | python3 -c '
import json, sys
o = {x["name"]: x["value"] for x in json.load(sys.stdin)}
print(o["prefix"], o["libdir"], o["includedir"], o["mandir"], o["bindir"])')
read -r PREFIX LIBDIR INCDIR MANDIR BINDIR <<<"$prefix"
case $LIBDIR in /*) ;; *) LIBDIR=$PREFIX/$LIBDIR ;; esac
case $INCDIR in /*) ;; *) INCDIR=$PREFIX/$INCDIR ;; esac
case $MANDIR in /*) ;; *) MANDIR=$PREFIX/$MANDIR ;; esac
case $BINDIR in /*) ;; *) BINDIR=$PREFIX/$BINDIR ;; esac
L=$DEST$LIBDIR

for so in libhpamp.so libhpamp-host.so; do
    soname=$(readelf -d "$L/$so" 2>/dev/null | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
    if [ -n "$soname" ] && [ -e "$L/$soname" ]; then
        pass "$so: soname $soname installed"
    else
        fail "$so: no soname, or $soname not installed in $L"
    fi
done
for h in hpamp/chain.h hpamp/settings.h hpamp/safety.h hpamp/dose.h hpamp/format.h hpamp/host/session.h \
         hpamp/host/player.h hpamp/host/device.h; do
    check "header $h installed" test -f "$DEST$INCDIR/$h"
done
check "the command installed" test -x "$DEST$BINDIR/hpamp"

# out of tree: the .pc files, read through the staging root (pkg-config's
# sysroot: every -I and -L they give is under $DEST)
cat >"$T/tiny.c" <<'C'
#include <stdio.h>
#include <hpamp/hpamp.h>
#include <hpamp/safety.h>
#include <hpamp/host/session.h>
static void vol(void *u, double db) { *(double *)u = db; }
static void mute(void *u, int on) { (void)u; (void)on; }
int main(void)
{
    hpa_safety sf;
    hpa_safety_unknown(&sf, 0.0);
    double v = 1.0;
    hph_session_config cfg = {.safety = sf, .start_db = sf.start_db};
    hph_session_target t = {.user = &v, .set_volume_db = vol, .set_mute = mute};
    hph_session *s = hph_session_new(&cfg, &t);
    double got = 0.0;
    int verdict = hph_session_request(s, HPH_REQ_VOLUME_DB, -6.0, &got);
    hph_session_destroy(s);
    printf("%s %d %g\n", hpa_version_string(), verdict, got);
    return 0;
}
C
export PKG_CONFIG_PATH=$L/pkgconfig PKG_CONFIG_SYSROOT_DIR=$DEST
flags=$(pkg-config --cflags --libs hpamp-host 2>"$T/pc.err")
if [ $? -ne 0 ]; then
    fail "pkg-config hpamp-host: $(cat "$T/pc.err")"
    finish
fi
case $flags in *"$DEST"*) pass "pkg-config points into the installed prefix" ;;
    *) fail "pkg-config flags do not point into $DEST: $flags" ;; esac
# libraries built with sanitizers need the program built with them too
# (their runtime must come first)
[ "$SANITIZE" = none ] || flags="$flags -fsanitize=$SANITIZE"
# shellcheck disable=SC2086
if cc -std=c11 -o "$T/tiny" "$T/tiny.c" $flags 2>"$T/cc.err"; then
    pass "a program builds out of tree from the .pc files"
    out=$(LD_LIBRARY_PATH=$L "$T/tiny")
    # a request for -6 dB from an unknown pair is capped at its safe level, -30 dBFS: HPH_NEEDS_ACK (2)
    want="$VERSION 2 -30"
    check "it runs against the installed libraries ($out)" test "$out" = "$want"
    # (meson puts the build tree on LD_LIBRARY_PATH for tests: replaced here)
    if LD_LIBRARY_PATH=$L ldd "$T/tiny" | grep -q "libhpamp-host.so.0 => $L/"; then
        pass "it loads the installed libhpamp-host"
    else
        fail "it does not load the installed library: $(LD_LIBRARY_PATH=$L ldd "$T/tiny" | grep hpamp)"
    fi
else
    fail "cc: $(head -5 "$T/cc.err")"
fi

page=$(MANPATH=$DEST$MANDIR man -P cat hpamp-render 2>"$T/man.err")
case $page in *"hpamp render"*"--output"*) pass "man hpamp-render shows the page" ;;
    *) fail "man hpamp-render: $(head -3 "$T/man.err")" ;; esac
for c in "" -preset -db -play -advise -dose -eq -amp -device; do
    check "man page hpamp$c.1 installed" test -f "$DEST$MANDIR/man1/hpamp$c.1"
done
finish
