#!/bin/sh
# Builds cicflow and runs every test: a Release build with -Werror to keep
# optimised builds warning-free, and a Debug build with ASan and UBSan that
# runs the whole CTest suite (unit, conformance, service tests).
set -eu
cd "$(dirname "$0")/.."
jobs=$(nproc)

tools/install-deps.sh test --if-missing
tools/check-format.sh

cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DENABLE_WERROR=ON
cmake --build build/release -j"$jobs"

cmake -S . -B build/test -DCMAKE_BUILD_TYPE=Debug \
  -DENABLE_SANITIZERS=ON -DENABLE_WERROR=ON
cmake --build build/test -j"$jobs"
ctest --test-dir build/test --output-on-failure -j"$jobs"
