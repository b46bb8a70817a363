#!/bin/bash
# Builds the Docker image with buildah and checks it end to end.
#
# NOT RUN BY CI: it needs root, podman/buildah/debootstrap (installed here
# when missing), Debian's mirror for the base image and the image's apt
# steps, and several minutes. Run it by hand before changing the
# Dockerfile, tools/install-deps.sh's runtime list or the serve command:
#
#   sudo tools/container-test.sh [--grpc-only] [CAPTURE...]
#
# No Docker engine exists on our machines, so the image is built with
# `buildah bud --isolation chroot` on a base image made with debootstrap
# (see shared/spec/container-notes.md). `cicflow serve` is then started
# from the image with `buildah run --isolation chroot`, which shares the
# host's network: the server listens on loopback ports only. Each capture
# (default: one from ../shared/corpus) is uploaded over REST (curl, POST
# /process) and over gRPC (a Python client on generated stubs), and both
# results must equal expected/<name>_Flow.csv as multisets of rows. The
# server is stopped with SIGTERM, by its PID, and must exit 0.
#
# The build context is this work tree as it is, uncommitted edits
# included. To check one commit alone: git archive COMMIT | tar -x -C DIR,
# then CICFLOW_SHARED_DIR=$PWD/../shared DIR/tools/container-test.sh.
# The image is built with --format docker: the OCI format has no
# HEALTHCHECK and buildah would drop it.
#
# --grpc-only skips the REST checks (for an image without the gateway).
# Environment: CICFLOW_SHARED_DIR (default ../shared), IMAGE (default
# localhost/cicflow-api), KEEP_IMAGE=0 to remove the image afterwards.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
shared=${CICFLOW_SHARED_DIR:-$top/../shared}
image=${IMAGE:-localhost/cicflow-api}
base=docker.io/library/debian
py=/usr/bin/python3
run_rest=1
captures=()

for arg in "$@"; do
  case "$arg" in
    --grpc-only) run_rest=0 ;;
    -h | --help) sed -n '2,29p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "container-test: unknown option $arg" >&2; exit 2 ;;
    *) captures+=("$(cd "$(dirname "$arg")" && pwd)/$(basename "$arg")") ;;
  esac
done
if [ ${#captures[@]} -eq 0 ]; then
  captures=("$shared/corpus/real/ndpi__netflix.pcap")
fi

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "PASS: $*"; }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }
say() { echo "== $*"; }

if [ "$(id -u)" != 0 ]; then
  echo "container-test: buildah needs root; run as root" >&2
  exit 1
fi

# ---- tools ---------------------------------------------------------------
need=()
for tool in podman buildah debootstrap curl unzip protoc grpc_python_plugin; do
  command -v "$tool" >/dev/null || need+=("$tool")
done
if [ ${#need[@]} -gt 0 ]; then
  say "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends podman buildah debootstrap \
    curl unzip protobuf-compiler protobuf-compiler-grpc python3-grpcio \
    python3-protobuf
fi

work=$(mktemp -d /tmp/cicflow-container-test.XXXXXX)
ctr=""
server_pid=""  # the cicflow process
runner_pid=""  # the `buildah run` that started it

cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  if [ -n "$runner_pid" ]; then
    wait "$runner_pid" 2>/dev/null || true
  fi
  if [ -n "$ctr" ]; then
    buildah rm "$ctr" >/dev/null 2>&1 || true
  fi
  if [ "${KEEP_IMAGE:-1}" = 0 ]; then
    buildah rmi "$image" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# ---- base images ---------------------------------------------------------
# debian:bookworm cannot be pulled here: make it from Debian's mirror once
# and tag it under the names the Dockerfile uses. Like the published
# images, neither keeps apt's cache or package lists, and the slim one also
# drops manuals, documentation and translations (and tells dpkg to skip
# them in later installs), so the size measured here is close to what a
# real `docker build` gives.
if ! podman image exists "$base:bookworm" ||
  ! podman image exists "$base:bookworm-slim"; then
  say "making $base:bookworm and :bookworm-slim with debootstrap (minutes)"
  rootfs="$work/rootfs"
  debootstrap --variant=minbase bookworm "$rootfs" \
    http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 || {
    tail -20 "$work/debootstrap.log"
    exit 1
  }
  (
    # Every path below is inside the new root file system, never the host.
    cd "$rootfs/usr/share" || exit 1
    rm -rf ../../var/cache/apt/archives/*.deb ../../var/lib/apt/lists/*
    tar -C "$rootfs" -c . | podman import - localhost/debian:bookworm
    printf 'path-exclude %s\n' '/usr/share/doc/*' '/usr/share/man/*' \
      '/usr/share/info/*' '/usr/share/locale/*' \
      >"$rootfs/etc/dpkg/dpkg.cfg.d/slim-image"
    printf 'path-include %s\n' '/usr/share/doc/*/copyright' \
      >>"$rootfs/etc/dpkg/dpkg.cfg.d/slim-image"
    find doc -type f ! -name copyright -delete
    rm -rf man/* info/* locale/*
    tar -C "$rootfs" -c . | podman import - localhost/debian:bookworm-slim
  )
  rm -rf "$rootfs"
  podman tag localhost/debian:bookworm "$base:bookworm"
  podman tag localhost/debian:bookworm-slim "$base:bookworm-slim"
fi
base_size=$(podman image inspect --format '{{.Size}}' "$base:bookworm-slim")

# ---- build ---------------------------------------------------------------
# --format docker keeps HEALTHCHECK, which the OCI format has no field for.
say "building $image"
start=$(date +%s)
old_id=$(podman image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)
if buildah bud --isolation chroot --pull=never --format docker \
  -t "$image" "$top" >"$work/build.log" 2>&1; then
  pass "image builds ($(($(date +%s) - start)) s)"
  # The previous build, now untagged, would otherwise pile up.
  if [ -n "$old_id" ] &&
    [ "$old_id" != "$(podman image inspect --format '{{.Id}}' "$image")" ]; then
    podman rmi "$old_id" >/dev/null 2>&1 || true
  fi
else
  tail -40 "$work/build.log"
  fail "image builds"
  echo "$passed passed, $failed failed"
  exit 1
fi
size=$(podman image inspect --format '{{.Size}}' "$image")
echo "image size: $size bytes ($((size / 1024 / 1024)) MiB)"

echo "runtime base (bookworm-slim): $((base_size / 1024 / 1024)) MiB," \
  "added by cicflow: $(((size - base_size) / 1024 / 1024)) MiB"

user=$(podman image inspect --format '{{.Config.User}}' "$image")
ports=$(podman image inspect --format '{{.Config.ExposedPorts}}' "$image")
cmd=$(podman image inspect --format \
  '{{.Config.Entrypoint}} {{.Config.Cmd}}' "$image")
health=$(buildah inspect --type image --format \
  '{{.Docker.Config.Healthcheck}}' "$image")
if [ "$user" = 10001:10001 ] && [ "$cmd" = "[cicflow] [serve]" ] &&
  [[ "$ports" == *8000/tcp* && "$ports" == *50051/tcp* ]]; then
  pass "image config: user $user, ports $ports, command $cmd"
else
  fail "image config: user $user, ports $ports, command $cmd"
fi
case "$health" in
  *healthz*) pass "image has a HEALTHCHECK: $health" ;;
  *) fail "image has no HEALTHCHECK (built without --format docker?)" ;;
esac

# ---- start the server ----------------------------------------------------
free_ports() {
  "$py" -c '
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))'
}
read -r grpc_port http_port <<<"$(free_ports)"

# The first descendant of $1 whose command name is $2.
find_descendant() {
  local pids=("$1") pid child
  while [ ${#pids[@]} -gt 0 ]; do
    pid=${pids[0]}
    pids=("${pids[@]:1}")
    for child in $(ps -o pid= --ppid "$pid"); do
      if [ "$(ps -o comm= -p "$child")" = "$2" ]; then
        echo "$child"
        return 0
      fi
      pids+=("$child")
    done
  done
  return 1
}

ctr=$(buildah from --pull=never "$image")
say "starting cicflow serve (gRPC 127.0.0.1:$grpc_port, REST 127.0.0.1:$http_port)"
buildah run --isolation chroot --user cicflow "$ctr" \
  cicflow serve --grpc-address "127.0.0.1:$grpc_port" \
  --http-address "127.0.0.1:$http_port" --grace-period 5 \
  </dev/null >"$work/server.log" 2>&1 &
runner_pid=$!

# ---- gRPC client ---------------------------------------------------------
mkdir -p "$work/stubs"
protoc -I "$top/proto" --python_out="$work/stubs" \
  --grpc_python_out="$work/stubs" \
  --plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin \
  "$top/proto/cicflow/v1/flowmeter.proto"
cat >"$work/client.py" <<'PY'
"""Tiny gRPC client: 'health ADDR' or 'process ADDR CAPTURE OUT.csv'."""
import os
import sys

import grpc

from cicflow.v1 import flowmeter_pb2 as pb
from cicflow.v1 import flowmeter_pb2_grpc as pb_grpc

CHUNK = 256 * 1024


def health(addr):
    # Health/Check with service "" has an empty request; the reply holds
    # field 1 (status) as a varint, SERVING = 1.
    with grpc.insecure_channel(addr) as ch:
        check = ch.unary_unary("/grpc.health.v1.Health/Check")
        reply = check(b"", timeout=2)
    if reply != b"\x08\x01":
        sys.exit(f"health: not SERVING: {reply!r}")


def requests(path):
    yield pb.ProcessPcapRequest(options=pb.ProcessOptions(
        file_name=os.path.basename(path),
        output=pb.OUTPUT_FORMAT_CSV))
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            yield pb.ProcessPcapRequest(chunk=chunk)


def process(addr, path, out):
    data = bytearray()
    summary = None
    with grpc.insecure_channel(addr) as ch:
        stub = pb_grpc.FlowMeterStub(ch)
        for msg in stub.ProcessPcap(requests(path), timeout=120):
            kind = msg.WhichOneof("payload")
            if kind == "output_chunk":
                data += msg.output_chunk
            elif kind == "summary":
                summary = msg.summary
    if summary is None:
        sys.exit("process: no Summary message")
    with open(out, "wb") as f:
        f.write(data)
    print(f"flows_written={summary.flows_written} "
          f"packets_read={summary.packets_read}")


if __name__ == "__main__":
    if sys.argv[1] == "health":
        health(sys.argv[2])
    else:
        process(*sys.argv[2:5])
PY
cat >"$work/same_rows.py" <<'PY'
"""same_rows.py EXPECTED ACTUAL: exit 0 when both CSVs hold the same
header and the same multiset of rows."""
import collections
import sys


def load(path):
    with open(path, newline="") as f:
        lines = f.read().splitlines()
    return lines[0], collections.Counter(lines[1:])


want_head, want = load(sys.argv[1])
got_head, got = load(sys.argv[2])
missing = want - got
extra = got - want
print(f"rows expected={sum(want.values())} actual={sum(got.values())} "
      f"missing={sum(missing.values())} extra={sum(extra.values())}")
for row in list(missing)[:3]:
    print("  missing:", row[:160])
for row in list(extra)[:3]:
    print("  extra:  ", row[:160])
sys.exit(0 if want_head == got_head and not missing and not extra else 1)
PY
client() { PYTHONPATH="$work/stubs" "$py" "$work/client.py" "$@"; }

# ---- wait until it serves ------------------------------------------------
ready=0
for _ in $(seq 1 60); do
  if ! kill -0 "$runner_pid" 2>/dev/null; then
    break
  fi
  if client health "127.0.0.1:$grpc_port" 2>/dev/null; then
    ready=1
    break
  fi
  sleep 0.5
done
server_pid=$(find_descendant "$runner_pid" cicflow || true)
if [ "$ready" = 1 ] && [ -n "$server_pid" ]; then
  pass "server up, gRPC health SERVING (pid $server_pid)"
else
  cat "$work/server.log"
  fail "server did not come up"
  echo "$passed passed, $failed failed"
  exit 1
fi
uid=$(awk '/^Uid:/ {print $2}' "/proc/$server_pid/status")
if [ "$uid" = 10001 ]; then
  pass "server runs as uid 10001"
else
  fail "server runs as uid $uid"
fi

if [ "$run_rest" = 1 ]; then
  if curl -fsS "http://127.0.0.1:$http_port/healthz" >"$work/healthz" 2>&1 &&
    grep -q '"status": *"ok"' "$work/healthz"; then
    pass "GET /healthz: $(cat "$work/healthz")"
  else
    fail "GET /healthz: $(cat "$work/healthz")"
  fi
  # The image's own HEALTHCHECK command, run inside the container with the
  # address the test server listens on.
  hc=$(buildah inspect --type image --format \
    '{{index .Docker.Config.Healthcheck.Test 1}}' "$image")
  if buildah run --isolation chroot --user cicflow \
    --env "CICFLOW_HTTP_ADDRESS=127.0.0.1:$http_port" "$ctr" \
    /bin/sh -c "$hc" >"$work/hc.txt" 2>&1; then
    pass "HEALTHCHECK command succeeds inside the image"
  else
    fail "HEALTHCHECK command: $hc: $(cat "$work/hc.txt")"
  fi
fi

# ---- uploads -------------------------------------------------------------
for capture in "${captures[@]}"; do
  name=$(basename "$capture")
  expected="$(dirname "$capture")/expected/${name}_Flow.csv"
  if [ ! -f "$expected" ]; then
    fail "$name: no $expected"
    continue
  fi

  if [ "$run_rest" = 1 ]; then
    out="$work/rest-$name"
    mkdir -p "$out"
    code=$(curl -sS -o "$out/result.zip" -w '%{http_code}' \
      -F "file=@$capture" "http://127.0.0.1:$http_port/process" || true)
    if [ "$code" = 200 ] && unzip -q -o "$out/result.zip" -d "$out" &&
      [ -f "$out/${name}_Flow.csv" ] &&
      "$py" "$work/same_rows.py" "$expected" "$out/${name}_Flow.csv" \
        >"$out/diff.txt"; then
      pass "REST $name: $(head -1 "$out/diff.txt")"
    else
      fail "REST $name: HTTP $code; $(cat "$out/diff.txt" 2>/dev/null || true)"
    fi
  fi

  out="$work/grpc-$name"
  mkdir -p "$out"
  if client process "127.0.0.1:$grpc_port" "$capture" "$out/flows.csv" \
    >"$out/client.txt" 2>&1 &&
    "$py" "$work/same_rows.py" "$expected" "$out/flows.csv" \
      >"$out/diff.txt"; then
    pass "gRPC $name: $(head -1 "$out/diff.txt") ($(cat "$out/client.txt"))"
  else
    fail "gRPC $name: $(tail -3 "$out/client.txt") $(cat "$out/diff.txt" \
      2>/dev/null || true)"
  fi
done

# ---- stop ----------------------------------------------------------------
kill -TERM "$server_pid"
status=0
wait "$runner_pid" || status=$?
runner_pid=""
if [ "$status" = 0 ] && ! kill -0 "$server_pid" 2>/dev/null; then
  pass "SIGTERM: server exited 0"
else
  tail -20 "$work/server.log"
  fail "SIGTERM: exit status $status"
fi
server_pid=""
if [ -n "$(ls -A "$(buildah mount "$ctr")/var/tmp/cicflow")" ]; then
  fail "spool files left in /var/tmp/cicflow"
else
  pass "no spool files left behind"
fi
buildah umount "$ctr" >/dev/null
buildah rm "$ctr" >/dev/null
ctr=""

echo "image size: $((size / 1024 / 1024)) MiB" \
  "($(((size - base_size) / 1024 / 1024)) MiB over bookworm-slim)"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
