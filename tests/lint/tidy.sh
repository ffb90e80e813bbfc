#!/bin/sh
# clang-tidy over every C file of src/ and tools/, and over the C files of
# tests/ and bench/ that this build compiles (those in compile_commands.json:
# a test whose dependency is missing is not built, and clang-tidy could not
# parse it without its flags).  Checks: .clang-tidy at the root; any finding
# fails the test.
# Usage: tidy.sh CLANG_TIDY SOURCE_ROOT BUILD_ROOT; CLANG_TIDY is empty when
# Meson found none, and the test skips (77).  Two files at a time
# (HPA_LINT_JOBS to change it).
set -eu
tidy=$1
src=$2
build=$3

if [ -z "$tidy" ]; then
    echo "clang-tidy not found (Debian: apt-get install clang-tidy): skipped"
    exit 77
fi
if [ ! -f "$build/compile_commands.json" ]; then
    echo "no $build/compile_commands.json (not a ninja build?): skipped"
    exit 77
fi

# Findings in the project's own headers count too; system headers do not.
filter="^$(printf '%s' "$(cd "$src" && pwd)" | sed 's/[].[^$*+?(){}|\\]/\\&/g')/"

cd "$src"
files=$(
    find src tools -name '*.c'
    find tests bench -name '*.c' | while read -r f; do
        if grep -qF "/$f\"" "$build/compile_commands.json"; then echo "$f"; fi
    done
)
files=$(echo "$files" | sort)
echo "$tidy: $(echo "$files" | wc -l) files"
# shellcheck disable=SC2086
if printf '%s\n' $files | xargs -P "${HPA_LINT_JOBS:-2}" -n 1 \
       "$tidy" -p "$build" --quiet --warnings-as-errors='*' --header-filter="$filter"; then
    echo "clang-tidy: no findings"
else
    echo "clang-tidy: findings above (fix them, or a targeted // NOLINT(check): reason for a false positive)"
    exit 1
fi
