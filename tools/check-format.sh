#!/bin/sh
# Fails when a C source or header of ours strays from .clang-format.
# Generated protobuf code is not ours and is not checked.
set -eu
cd "$(dirname "$0")/.."
files=$(git ls-files '*.c' '*.h' | grep -v '\.pb-c\.' || true)
[ -n "$files" ] || exit 0
# shellcheck disable=SC2086
clang-format --dry-run -Werror $files
echo "format: $(echo "$files" | wc -l) files clean"
