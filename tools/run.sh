#!/bin/sh
# Builds cicflow (Release) if needed and runs it with the given arguments,
# e.g. 'tools/run.sh convert -o out capture.pcap'.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
tools="$top/tools"

"$tools/install-deps.sh" build --if-missing >&2
cmake -S "$top" -B "$top/build/release" -DCMAKE_BUILD_TYPE=Release >&2
cmake --build "$top/build/release" -j"$(nproc)" >&2
exec "$top/build/release/cli/cicflow" "$@"
