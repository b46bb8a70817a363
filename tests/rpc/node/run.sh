#!/bin/sh
# Runs grpc_node_test.js with its npm dependencies installed in WORKDIR
# (a build directory), not in the source tree:
#   run.sh WORKDIR [grpc_node_test.js arguments...]
# `npm ci` runs when WORKDIR has no node_modules yet or when
# package-lock.json changed since the last install.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$1
shift
mkdir -p "$work"
if [ ! -d "$work/node_modules" ] ||
   ! cmp -s "$here/package-lock.json" "$work/package-lock.json"; then
  cp "$here/package.json" "$here/package-lock.json" "$work/"
  rm -rf "$work/node_modules"
  (cd "$work" && npm ci --no-audit --no-fund) >&2
fi
NODE_PATH="$work/node_modules" exec node "$here/grpc_node_test.js" "$@"
