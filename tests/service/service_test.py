#!/usr/bin/python3
"""Operational tests of `cicflow serve`: graceful shutdown and metrics.

Shutdown: calls run on both transports, SIGTERM arrives in the middle of
long uploads, and each call must either complete or end with a clean
status (gRPC UNAVAILABLE, or an HTTP error answer or closed connection),
the process must exit 0 within its grace period, and the temporary
directory must be empty.

Metrics: /metrics on the HTTP port is scraped before and after calls, and
the counters must move by what the calls did.

Prints `N passed, N failed`; exits non-zero on failure.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "rpc"))
from server_fixture import Server  # noqa: E402

RESULTS = {"passed": 0, "failed": 0}


def http_address(srv, timeout=10.0):
    """The REST address, once the server has logged it."""
    deadline = time.monotonic() + timeout
    while "http" not in srv.addresses and time.monotonic() < deadline:
        time.sleep(0.05)
    return srv.addresses.get("http")


def check(ok, what, detail=""):
    if ok:
        RESULTS["passed"] += 1
        print("ok   " + what)
    else:
        RESULTS["failed"] += 1
        print("FAIL " + what + (": " + str(detail) if detail else ""))


def make_stubs(proto_dir, work):
    subprocess.run(["protoc", "-I", proto_dir, "--python_out", work,
                    "--grpc_python_out", work,
                    "--plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin",
                    "cicflow/v1/flowmeter.proto"], check=True)
    sys.path.insert(0, work)
    from cicflow.v1 import flowmeter_pb2, flowmeter_pb2_grpc
    return flowmeter_pb2, flowmeter_pb2_grpc


def slow_requests(pb, data, chunk, pause, name="slow.pcap"):
    yield pb.ProcessPcapRequest(options=pb.ProcessOptions(
        file_name=name, output=pb.OUTPUT_FORMAT_ZIP))
    for i in range(0, len(data), chunk):
        time.sleep(pause)
        yield pb.ProcessPcapRequest(chunk=data[i:i + chunk])


def grpc_call(pb, pbg, address, data, chunk, pause, outcome):
    import grpc
    stub = pbg.FlowMeterStub(grpc.insecure_channel(address))
    try:
        kinds = [r.WhichOneof("payload") for r in
                 stub.ProcessPcap(slow_requests(pb, data, chunk, pause))]
        outcome["code"] = "OK" if kinds and kinds[-1] == "summary" else "?"
    except grpc.RpcError as e:
        outcome["code"] = e.code().name
        outcome["detail"] = e.details()


def curl_upload(url, path, rate, outcome):
    """A slow multipart upload with curl; records the HTTP status."""
    proc = subprocess.run(
        ["curl", "-sS", "-o", os.devnull, "-w", "%{http_code}",
         "--limit-rate", rate, "-F", f"file=@{path}", url],
        capture_output=True, text=True)
    outcome["status"] = proc.stdout.strip()
    outcome["curl_exit"] = proc.returncode


def shutdown_case(args, pb, pbg, data, path, grace, pause, expect):
    """SIGTERM while one gRPC and one REST upload run."""
    with tempfile.TemporaryDirectory() as tmp:
        srv = Server(args.cicflow, os.path.join(tmp, "spool"),
                     os.path.join(tmp, "server.log"),
                     extra_args=["--grace-period", str(grace)]).start()
        http = http_address(srv)
        check(bool(http), f"shutdown grace={grace}s: REST listens")
        g, h = {}, {}
        threads = [threading.Thread(target=grpc_call, args=(
            pb, pbg, srv.grpc_address, data, 64 * 1024, pause, g))]
        if http:
            rate = f"{int(64 * 1024 / max(pause, 0.001))}"
            threads.append(threading.Thread(target=curl_upload, args=(
                f"http://{http}/process", path, rate, h)))
        for t in threads:
            t.start()
        time.sleep(1.0)
        status, took, killed = srv.stop(grace=grace + 20)
        for t in threads:
            t.join(60)
        label = f"shutdown grace={grace}s"
        check(status == 0 and not killed, f"{label}: server exits 0",
              f"status={status} killed={killed} after {took:.1f}s")
        check(took <= grace + 8, f"{label}: exit within the grace period",
              f"{took:.1f}s")
        check(g.get("code") in expect, f"{label}: gRPC call ends cleanly",
              g)
        if http:
            ok = h.get("status") in ("200", "503") or h.get("curl_exit") in (
                52, 55, 56)
            check(ok, f"{label}: REST call completes or is refused", h)
        check(not srv.tmp_files(), f"{label}: no temporary file left",
              srv.tmp_files())


def scrape(http):
    with urllib.request.urlopen(f"http://{http}/metrics", timeout=10) as r:
        text = r.read().decode()
    values = {}
    for line in text.splitlines():
        m = re.match(r"^([a-z_]+(?:\{[^}]*\})?) (\S+)$", line)
        if m:
            values[m.group(1)] = float(m.group(2))
    return values


def metrics_case(args, pb, pbg, data, path):
    import grpc
    with tempfile.TemporaryDirectory() as tmp:
        srv = Server(args.cicflow, os.path.join(tmp, "spool"),
                     os.path.join(tmp, "server.log")).start()
        http = http_address(srv)
        try:
            check(bool(http), "metrics: the HTTP transport listens")
            if not http:
                return
            before = scrape(http)
            stub = pbg.FlowMeterStub(grpc.insecure_channel(srv.grpc_address))
            summary = None
            for r in stub.ProcessPcap(slow_requests(pb, data, 1 << 20, 0)):
                if r.WhichOneof("payload") == "summary":
                    summary = r.summary
            subprocess.run(["curl", "-sS", "-o", os.devnull, "-F",
                            f"file=@{path}", f"http://{http}/process"],
                           check=True)
            subprocess.run(["curl", "-sS", "-o", os.devnull, "-F",
                            "file=@/etc/hostname", f"http://{http}/process"],
                           check=True)
            after = scrape(http)
        finally:
            srv.stop()

    def moved(key):
        return after.get(key, 0) - before.get(key, 0)

    ok_grpc = 'cicflow_calls_total{transport="grpc",status="OK"}'
    ok_rest = 'cicflow_calls_total{transport="rest",status="OK"}'
    bad_rest = ('cicflow_calls_total{transport="rest",'
                'status="INVALID_ARGUMENT"}')
    check(moved(ok_grpc) == 1, "metrics: gRPC OK calls +1", moved(ok_grpc))
    check(moved(ok_rest) == 1, "metrics: REST OK calls +1", moved(ok_rest))
    check(moved(bad_rest) == 1, "metrics: REST INVALID_ARGUMENT +1",
          moved(bad_rest))
    check(moved("cicflow_packets_total") == 2 * summary.packets_read + 0,
          "metrics: packets counted for both calls",
          (moved("cicflow_packets_total"), summary.packets_read))
    check(moved("cicflow_flows_total") == 2 * summary.flows_written,
          "metrics: flows counted for both calls")
    check(moved("cicflow_bytes_total") >= 2 * len(data) - 64,
          "metrics: bytes counted")
    count = 'cicflow_call_duration_seconds_count{transport="rest"}'
    check(moved(count) >= 2, "metrics: REST durations observed")
    check("cicflow_calls_running" in after and
          "cicflow_calls_waiting" in after, "metrics: load gauges present")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cicflow", required=True)
    ap.add_argument("--proto-dir", required=True)
    ap.add_argument("--corpus", required=True)
    args = ap.parse_args()
    path = os.path.join(args.corpus, "real", "ndpi__reddit.pcap")
    with open(path, "rb") as f:
        data = f.read()
    with tempfile.TemporaryDirectory() as work:
        pb, pbg = make_stubs(args.proto_dir, work)
        # Upload takes ~12 s at 64 KiB per 1 s; a 30 s grace lets it end.
        shutdown_case(args, pb, pbg, data, path, grace=30, pause=1.0,
                      expect=("OK",))
        # A 2 s grace cuts it: the call must end with UNAVAILABLE.
        shutdown_case(args, pb, pbg, data, path, grace=2, pause=1.0,
                      expect=("UNAVAILABLE",))
        metrics_case(args, pb, pbg, data, path)
    print(f"{RESULTS['passed']} passed, {RESULTS['failed']} failed")
    return 1 if RESULTS["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
