#!/bin/sh
# Fails when a C source or header of ours strays from .clang-format.
# Generated protobuf code is not ours and is not checked. Outside a git
# checkout (an exported tree) the module folders are searched instead.
set -eu
cd "$(dirname "$0")/.."
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  files=$(git ls-files '*.c' '*.h' | grep -v '\.pb-c\.' || true)
else
  files=$(find cli flowengine gateway proto rpc tests bench \
    -name '*.[ch]' ! -name '*.pb-c.*' | sort)
fi
if [ -z "$files" ]; then
  echo "format: no C files found" >&2
  exit 1
fi
# shellcheck disable=SC2086
clang-format --dry-run -Werror $files
echo "format: $(echo "$files" | wc -l) files clean"
