#!/usr/bin/env bash
# fuzz.sh — build the libFuzzer targets (tests/fuzz) with clang and
# ASan+UBSan in their own build folder, then run each for a set time, one at
# a time at low priority, and print the executions of each and the total.
# docs/fuzzing.md says more.
#
#   tools/fuzz.sh [NAME...]          fuzz every target (or the ones named)
#   tools/fuzz.sh --merge [NAME...]  minimise the repository's corpus: keep
#                                    the smallest set of files that covers
#                                    what the corpus and the new inputs cover
#
# Environment: FUZZ_SECONDS (default 60) per target, FUZZ_BUILD (build-fuzz),
# FUZZ_WORK (FUZZ_BUILD/work: new inputs and crashes), FUZZ_ARGS (more
# libFuzzer options).  Exit 1 when a target found a crash, a leak, a timeout
# or a broken invariant: the input is under FUZZ_WORK/crashes/NAME/.
set -euo pipefail
cd "$(dirname "$0")/.."

all="eq preset db_csv db_spec tags dose audio"
seconds=${FUZZ_SECONDS:-60}
build=${FUZZ_BUILD:-build-fuzz}
work=${FUZZ_WORK:-$build/work}
merge=0
if [ "${1:-}" = "--merge" ]; then
    merge=1
    shift
fi
names=${*:-$all}
for n in $names; do
    case " $all " in
    *" $n "*) ;;
    *)
        echo "fuzz.sh: no target '$n' (targets: $all)" >&2
        exit 2
        ;;
    esac
done
case $seconds in
'' | *[!0-9]*)
    echo "fuzz.sh: FUZZ_SECONDS must be a whole number of seconds, not '$seconds'" >&2
    exit 2
    ;;
esac

# clang and its libFuzzer runtime (Debian 12's names), installed when missing
need=""
command -v clang >/dev/null || need="clang"
ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 || need="$need libclang-rt-14-dev"
if [ -n "$need" ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "fuzz.sh: needs $need (as root: apt-get install $need)" >&2
        exit 1
    fi
    echo "fuzz.sh: installing $need"
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $need >/dev/null
fi
if [ ! -f "$build/build.ninja" ]; then
    CC=clang meson setup "$build" -Dfuzzing=true -Dtests=false -Dbench=false \
        -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized >/dev/null
fi
ninja -C "$build" >/dev/null

# UBSan findings are failures; leaks are too (libFuzzer checks them), but
# for those inside third-party libraries (tests/fuzz/lsan.supp)
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=detect_leaks=1
export LSAN_OPTIONS=suppressions=$PWD/tests/fuzz/lsan.supp

total=0
failed=""
for n in $names; do
    corpus=tests/fuzz/corpus/$n
    exe=$build/tests/fuzz/fuzz_$n
    if [ "$merge" = 1 ]; then
        # the named files (seeds, and inputs that once broke something) stay;
        # of the others and of what the last runs found, only those that add
        # coverage are kept (libFuzzer names them by their SHA-1)
        fresh=$work/merged/$n
        rm -rf "$fresh"
        mkdir -p "$fresh" "$work/corpus/$n"
        find "$corpus" -maxdepth 1 -type f ! -regex '.*/[0-9a-f]\{40\}' -exec cp {} "$fresh"/ \;
        nice -n 19 "$exe" -merge=1 "$fresh" "$corpus" "$work/corpus/$n" >"$work/merge-$n.log" 2>&1 || {
            echo "fuzz_$n: merge failed, see $work/merge-$n.log" >&2
            exit 1
        }
        before=$(find "$corpus" -type f | wc -l)
        find "$corpus" -type f -delete
        cp "$fresh"/* "$corpus"/
        echo "fuzz_$n: corpus $before -> $(find "$corpus" -type f | wc -l) files ($(du -sk "$corpus" | cut -f1) KiB)"
        continue
    fi
    # new inputs go to the work folder; the repository's corpus is only read.
    # Fork mode (one child at a time) goes on after a finding, so that one
    # known problem does not hide the next: each finding's input is kept.
    mkdir -p "$work/corpus/$n" "$work/crashes/$n"
    log=$work/fuzz-$n.log
    before=$(find "$work/crashes/$n" -type f | wc -l)
    set +e
    # shellcheck disable=SC2086
    nice -n 19 "$exe" -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$work/crashes/$n/" ${FUZZ_ARGS:-} "$work/corpus/$n" "$corpus" >"$log" 2>&1
    rc=$?
    set -e
    # the parent's status lines: "#EXECUTIONS: cov: ... oom/timeout/crash: a/b/c ..."
    execs=$(sed -n 's/^#\([0-9][0-9]*\): cov:.*/\1/p' "$log" | tail -1)
    execs=${execs:-0}
    total=$((total + execs))
    found=$(($(find "$work/crashes/$n" -type f | wc -l) - before))
    if [ $found -gt 0 ] || [ $rc -ne 0 ]; then
        failed="$failed $n"
        printf '%-14s %12s executions  %d finding(s) (rc %d): inputs in %s, log %s\n' "fuzz_$n" "$execs" \
            "$found" "$rc" "$work/crashes/$n" "$log"
    else
        printf '%-14s %12s executions  %s s, nothing found\n' "fuzz_$n" "$execs" "$seconds"
    fi
done
[ "$merge" = 1 ] && exit 0
printf '%-14s %12s executions\n' "total" "$total"
if [ -n "$failed" ]; then
    echo "fuzz.sh: problems found by:$failed (inputs under $work/crashes/)"
    exit 1
fi
