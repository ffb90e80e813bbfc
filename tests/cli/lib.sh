# tests/cli/lib.sh — shared by the end-to-end tests of `hpamp render`.
# Sourced by each test script as: . "$(dirname "$0")/lib.sh" "$@"
#
# Every expected value in these tests comes from outside hpamp: sox/soxi
# measurements of the input or of a sox-made reference, or a closed form.
# Never paste hpamp's own output in as an expected value.

. "$(dirname "$0")/../harness.sh" cli "$@"
need sox soxi awk md5sum

# run hpamp ARGS...: sets rc, and leaves stdout/stderr in $T/out.txt, $T/err.txt
run() {
    "$HPAMP" "$@" >"$T/out.txt" 2>"$T/err.txt"
    rc=$?
}

# expect_rc N: the last run exited N (prints stderr when not); returns its verdict
expect_rc() {
    if [ "$rc" -eq "$1" ]; then
        pass "exit status $1"
    else
        fail "exit status $1 (got $rc); stderr: $(head -c 300 "$T/err.txt")"
        return 1
    fi
}

# sox wrappers; -V1 keeps sox's own warnings out of the measurements
frames() { soxi -V1 -s "$1"; }
srate() { soxi -V1 -r "$1"; }
nchan() { soxi -V1 -c "$1"; }
nbits() { soxi -V1 -b "$1"; }
encoding() { soxi -V1 -e "$1"; }

# stat_overall FILE FIELD: the Overall column of `sox FILE -n stats`
# (FIELD e.g. "RMS lev dB", "Pk lev dB")
stat_overall() {
    sox -V1 "$1" -n stats 2>&1 | awk -v f="$2" 'index($0, f) == 1 { print $(split(f, x, " ") + 1); exit }'
}

# channel_rms_db FILE CHANNEL: RMS level (dBFS) of one channel after its first second
channel_rms_db() {
    sox -V1 "$1" -n remix "$2" trim 1 stats 2>&1 | awk '/^RMS lev dB/ { print $4; exit }'
}

# rms_amp FILE: RMS amplitude over all samples (6 decimals, sox stat)
rms_amp() {
    sox -V1 "$1" -n stat 2>&1 | awk '/^RMS +amplitude:/ { print $3; exit }'
}

# diff_db A B [GAIN_B]: RMS level (dBFS) of A - GAIN_B*B, measured by sox
diff_db() {
    sox -V1 -m -v 1 "$1" -v "-${3:-1}" "$2" -n stats 2>&1 |
        awk '/^RMS lev dB/ { print $4; exit }'
}

# peak_diff_db A B: peak level (dBFS) of A - B
peak_diff_db() {
    sox -V1 -m -v 1 "$1" -v -1 "$2" -n stats 2>&1 | awk '/^Pk lev dB/ { print $4; exit }'
}

# raw_md5 FILE: md5 of the samples as 32-bit signed integers (a 16-bit value
# and the same value widened to 24 bits export identically)
raw_md5() {
    sox -V1 "$1" -t raw -e signed-integer -b 32 - | md5sum | cut -d' ' -f1
}

# le X Y / ge X Y / near X Y TOL: numeric comparisons ("-inf" allowed)
num() { awk -v v="$1" 'BEGIN { if (v ~ /^-inf/) print -1e300; else if (v ~ /^inf/) print 1e300; else print v + 0 }'; }
le() { [ -n "$1" ] && awk -v a="$(num "$1")" -v b="$(num "$2")" 'BEGIN { exit !(a <= b) }'; }
ge() { [ -n "$1" ] && awk -v a="$(num "$1")" -v b="$(num "$2")" 'BEGIN { exit !(a >= b) }'; }
near() { [ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= t) }'; }

# resampled_frames_ok GOT IN_FRAMES IN_RATE OUT_RATE: GOT is the exact
# length IN_FRAMES * OUT_RATE / IN_RATE, rounded either way
resampled_frames_ok() {
    awk -v got="$1" -v n="$2" -v a="$3" -v b="$4" 'BEGIN {
        x = n * b / a; f = int(x); c = (f == x) ? f : f + 1
        exit !(got == f || got == c) }'
}

# one_error_line FILE: exactly one line, ending in a newline, starting "hpamp: "
one_error_line() {
    [ -s "$1" ] && [ "$(wc -l <"$1")" -eq 1 ] && [ "$(tail -c1 "$1" | od -An -c | tr -d ' ')" = '\n' ] &&
        head -c 7 "$1" | grep -qx 'hpamp: '
}

# only_entries DIR NAME...: DIR holds exactly these entries (hidden ones counted)
only_entries() {
    local dir=$1
    shift
    local want got
    want=$(printf '%s\n' "$@" | sed '/^$/d' | sort)
    got=$(ls -A "$dir" | sort)
    [ "$want" = "$got" ] || { say "      $dir holds: $(ls -A "$dir" | tr '\n' ' ')"; return 1; }
}

# output_open PID DIR: the render PID has its output open in DIR, as a file
# without a name (O_TMPFILE: "DIR/#INODE (deleted)") or as a hidden
# temporary "DIR/.NAME.hpamp-..." (filesystems without O_TMPFILE); one ls,
# so that a poll is quick next to a render
output_open() {
    local links
    links=$(ls -l "/proc/$1/fd" 2>/dev/null) || return 1
    [[ $links == *" -> $2/#"*" (deleted)"* || $links == *" -> $2/."*".hpamp-"* ]]
}

# fail_case DESC STATUS MUST-MENTION ARGS...: run `hpamp render ARGS` with
# the current folder a fresh empty one ($D), and check a failure: the exit
# status, one "hpamp: " line naming MUST-MENTION, nothing on stdout (with
# --json: its error object, for the caller to check), no OUT and no
# temporary file in the folder.
fail_case() {
    local desc=$1 want=$2 mention=$3
    shift 3
    D=$(mktemp -d "$T/case.XXXXXX")
    say "== $desc"
    (cd "$D" && "$HPAMP" render "$@") >"$T/out.txt" 2>"$T/err.txt"
    rc=$?
    expect_rc "$want"
    if one_error_line "$T/err.txt"; then
        pass "one 'hpamp: ' line: $(cat "$T/err.txt")"
    else
        fail "stderr is not one 'hpamp: ' line: $(head -c 400 "$T/err.txt")"
    fi
    [ -z "$mention" ] || check "it names '$mention'" grep -qF -- "$mention" "$T/err.txt"
    case " $* " in
        *" --json "*) ;;
        *) check "nothing on stdout" [ ! -s "$T/out.txt" ] ;;
    esac
    check "no OUT and no temporary file in the output folder" only_entries "$D"
}
