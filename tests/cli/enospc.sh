#!/bin/bash
# enospc: a disk that fills up during a render.  tests/cli/enospc.c, preloaded,
# makes writes to hpamp's output while it is written (a file without a name,
# or a temporary ".NAME.hpamp-...") fail with ENOSPC once the file would
# pass HPA_ENOSPC_AFTER bytes.  Expected:
# exit 1, one "hpamp: " line naming OUT and saying "No space left on device",
# no OUT and no temporary file left, and a file already at OUT untouched.
#
# Usage: enospc.sh HPAMP SHIM [stream|finish]
#   stream: the disk fills in the middle of the render (WAV and FLAC)
#   finish: it fills in the last 100 bytes, while the file is finished
#           (for FLAC the encoder's last frame and the STREAMINFO update
#           happen inside sf_close())
. "$(dirname "$0")/lib.sh" "$@"

SHIM=${2:?usage: $0 HPAMP SHIM [stream|finish]}
MODE=${3:-stream finish}
[ -r "$SHIM" ] || { fail "shim $SHIM not built"; finish; }
# Under AddressSanitizer, a preloaded library comes before the ASan runtime.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"

LONG=$(music loop_garzul)       # 8 s: 22 MB as 352.8 kHz float
SHORT=$(music ambi_piano)       # 2.8 s

# full_run NAME LIMIT IN OUT [options]: render under the shim into a fresh dir
full_run() {
    local name=$1 limit=$2 in=$3 out=$4
    shift 4
    D=$(mktemp -d "$T/$name.XXXXXX")
    rm -f "$T/shim.log"
    HPA_ENOSPC_AFTER=$limit HPA_ENOSPC_LOG=$T/shim.log LD_PRELOAD=$SHIM \
        "$HPAMP" render "$in" -o "$D/$out" "$@" >"$T/out.txt" 2>"$T/err.txt"
    rc=$?
}

expect_disk_full() { # OUT [PRE-EXISTING-NAME MD5]
    local out=$1
    check "the shim refused a write (log: $(head -n1 "$T/shim.log" 2>/dev/null))" [ -s "$T/shim.log" ]
    expect_rc 1
    check "one 'hpamp: ' line on stderr" one_error_line "$T/err.txt"
    check "it names $out" grep -qF "$D/$out" "$T/err.txt"
    check "it says 'No space left on device'" grep -qF "No space left on device" "$T/err.txt"
    if [ $# -ge 3 ]; then
        check "only the old $2 is left (no temporary file)" only_entries "$D" "$2"
        check "the old $2 is untouched" [ "$(md5sum <"$D/$2" | cut -d' ' -f1)" = "$3" ]
    else
        check "no OUT and no temporary file left" only_entries "$D"
    fi
    return 0
}

stream_cases() {
    say "== control: the shim with a limit far above the file lets the render through"
    full_run control 1000000000000 "$SHORT" o.wav --bits float
    expect_rc 0
    check "OUT written, no temporary file" only_entries "$D" o.wav
    check "nothing refused" [ ! -e "$T/shim.log" ]

    say "== WAV, 352.8 kHz float, disk full after 100000 bytes"
    full_run wav 100000 "$LONG" o.wav --rate 352800 --bits float
    expect_disk_full o.wav

    say "== FLAC, 352.8 kHz 24-bit, disk full after 100000 bytes"
    full_run flac 100000 "$LONG" o.flac --rate 352800 --bits 24
    expect_disk_full o.flac

    say "== WAV over an existing OUT: the old file survives"
    D=$(mktemp -d "$T/keep.XXXXXX")
    printf 'previous contents\n' >"$D/o.wav"
    old=$(md5sum <"$D/o.wav" | cut -d' ' -f1)
    rm -f "$T/shim.log"
    HPA_ENOSPC_AFTER=100000 HPA_ENOSPC_LOG=$T/shim.log LD_PRELOAD=$SHIM \
        "$HPAMP" render "$LONG" -o "$D/o.wav" --rate 352800 --bits float >"$T/out.txt" 2>"$T/err.txt"
    rc=$?
    expect_disk_full o.wav o.wav "$old"
}

# The disk fills while the last bytes go out, when the file is finished
# (FLAC: the encoder's last frame and its header update happen in close).
# The limit is put just below the size the complete file has; that size is
# not an expected value, only where to put the limit.
finish_cases() {
    local ext size cut
    for ext in wav flac; do
        full_run size 1000000000000 "$SHORT" o.$ext
        if [ "$rc" -ne 0 ]; then
            fail "render without a limit failed: $(cat "$T/err.txt")"
            continue
        fi
        size=$(stat -c %s "$D/o.$ext")
        for cut in 100 1; do
            say "== $ext: disk full in the last $cut bytes (while the file is finished)"
            full_run tail$ext $((size - cut)) "$SHORT" o.$ext
            expect_disk_full o.$ext
            [ -e "$D/o.$ext" ] && say "      the o.$ext left behind: $(stat -c %s "$D/o.$ext") of $size bytes, soxi says $(frames "$D/o.$ext" 2>&1) frames"
        done
    done
}

[[ $MODE == *stream* ]] && stream_cases
[[ $MODE == *finish* ]] && finish_cases

finish
