#!/bin/sh
# Installs the Debian 12 packages cicflow needs. One script serves the
# Dockerfile and CI so that both prove the same install steps.
#   tools/install-deps.sh build    compilers and -dev packages
#   tools/install-deps.sh runtime  shared libraries only (slim image)
#   tools/install-deps.sh test     build + the real clients the tests drive
# With --if-missing, apt is only run when a package is not installed yet.
set -eu

BUILD_PKGS="build-essential cmake pkg-config
  libpcap-dev libprotobuf-c-dev protobuf-c-compiler protobuf-compiler
  libnghttp2-dev libevent-dev libmicrohttpd-dev libzip-dev zlib1g-dev
  libdouble-conversion-dev check grpc-proto"

# What `ldd cicflow` names (libevent_core and libevent_pthreads live in
# their own packages, not in libevent-2.1-7), tzdata for IANA time zone
# names, and curl for the image's HEALTHCHECK.
RUNTIME_PKGS="libpcap0.8 libprotobuf-c1 libnghttp2-14 libevent-core-2.1-7
  libevent-pthreads-2.1-7 libmicrohttpd12 libzip4 zlib1g
  libdouble-conversion3 libstdc++6 tzdata curl"

TEST_PKGS="python3 python3-grpcio python3-protobuf protobuf-compiler-grpc
  nghttp2-client curl unzip valgrind chromium clang-format time"

case "${1:-build}" in
  build) pkgs="$BUILD_PKGS" ;;
  runtime) pkgs="$RUNTIME_PKGS" ;;
  test) pkgs="$BUILD_PKGS $TEST_PKGS" ;;
  *) echo "usage: $0 build|runtime|test" >&2; exit 2 ;;
esac

all_installed() {
  for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
      return 1
  done
}

if [ "${2:-}" = "--if-missing" ] && all_installed; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "install-deps: missing packages; run as root: $0 ${1:-build}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $pkgs
