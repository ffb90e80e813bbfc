#!/bin/sh
# clang-format --dry-run --Werror over every .c/.h of src/, include/, tests/,
# bench/ and tools/ (style: .clang-format at the root): a file that is not as
# clang-format would write it fails the test.  To reformat, from the root:
#   find src include tests bench tools -name '*.[ch]' | sort | xargs clang-format -i
# Usage: format.sh CLANG_FORMAT SOURCE_ROOT; CLANG_FORMAT is empty when Meson
# found none, and the test skips (77).
set -eu
fmt=$1
src=$2

if [ -z "$fmt" ]; then
    echo "clang-format not found (Debian: apt-get install clang-format): skipped"
    exit 77
fi

cd "$src"
files=$(find src include tests bench tools -name '*.[ch]' | sort)
echo "$fmt: $(echo "$files" | wc -l) files"
# shellcheck disable=SC2086
if printf '%s\n' $files | xargs "$fmt" --dry-run --Werror; then
    echo "clang-format: all files formatted"
else
    echo "clang-format: files above differ; reformat with:"
    echo "  find src include tests bench tools -name '*.[ch]' | sort | xargs clang-format -i"
    exit 1
fi
