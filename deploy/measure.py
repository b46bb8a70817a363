#!/usr/bin/python3
"""Measures what one `cicflow serve` process needs per call, for sizing.

Starts the server on loopback ports, pushes the same capture in N
concurrent calls (for each N given) over gRPC, or with --rest over POST
/process with curl, and samples the server's /proc/PID/status (VmRSS,
VmHWM), its CPU time and the size of its open spool files every 50 ms. A
fresh server is started for each N, so VmHWM is that run's peak. Prints
one line per run and, with --json, the raw figures.

  /usr/bin/python3 deploy/measure.py --binary build-deploy/cli/cicflow \\
      --pcap bench-1m.pcap --concurrency 1 2

Make a capture with shared/tools/gen_bench_pcap.py. Uses Debian's grpcio
(python3-grpcio) and protoc with grpc_python_plugin for the stubs.
"""
import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHUNK = 1024 * 1024


def make_stubs(where):
    subprocess.run(
        ["protoc", "-I", os.path.join(TOP, "proto"),
         "--python_out=" + where, "--grpc_python_out=" + where,
         "--plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin",
         os.path.join(TOP, "proto/cicflow/v1/flowmeter.proto")],
        check=True)
    sys.path.insert(0, where)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status_kib(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # utime and stime are fields 14 and 15 of the whole line.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def spool_bytes(pid, tmp_dir):
    """Bytes in the files the server holds open under tmp_dir (they are
    anonymous or unlinked, so du cannot see them)."""
    total = 0
    fd_dir = f"/proc/{pid}/fd"
    for fd in os.listdir(fd_dir):
        try:
            target = os.readlink(os.path.join(fd_dir, fd))
            if target.startswith(tmp_dir):
                total += os.stat(os.path.join(fd_dir, fd)).st_size
        except OSError:
            pass
    return total


class Sampler(threading.Thread):
    def __init__(self, pid, tmp_dir):
        super().__init__(daemon=True)
        self.pid, self.tmp_dir = pid, tmp_dir
        self.peak_rss = self.peak_spool = 0
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            try:
                self.peak_rss = max(self.peak_rss,
                                    status_kib(self.pid, "VmRSS"))
                self.peak_spool = max(self.peak_spool,
                                      spool_bytes(self.pid, self.tmp_dir))
            except OSError:
                return
            time.sleep(0.05)


def one_call(pb, pb_grpc, addr, pcap, output, result):
    def requests():
        yield pb.ProcessPcapRequest(options=pb.ProcessOptions(
            file_name=os.path.basename(pcap), output=output))
        with open(pcap, "rb") as f:
            while chunk := f.read(CHUNK):
                yield pb.ProcessPcapRequest(chunk=chunk)

    import grpc
    out_bytes = flows = peak_open = 0
    start = time.monotonic()
    with grpc.insecure_channel(addr) as ch:
        stub = pb_grpc.FlowMeterStub(ch)
        for msg in stub.ProcessPcap(requests(), timeout=1800):
            kind = msg.WhichOneof("payload")
            if kind == "output_chunk":
                out_bytes += len(msg.output_chunk)
            elif kind == "flows":
                flows += len(msg.flows.flows)
            elif kind == "summary":
                flows = msg.summary.flows_written
                peak_open = msg.summary.peak_open_flows
    result.append({"seconds": round(time.monotonic() - start, 1),
                   "output_bytes": out_bytes, "flows": flows,
                   "peak_open_flows": peak_open})


def one_rest_call(url, pcap, result):
    start = time.monotonic()
    out = subprocess.run(
        ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code} %{size_download}",
         "-F", f"file=@{pcap}", url],
        capture_output=True, text=True, check=False)
    code, size = (out.stdout.split() + ["", ""])[:2]
    if code != "200":
        print(f"REST call failed: HTTP {code} {out.stderr.strip()}",
              file=sys.stderr)
        return
    result.append({"seconds": round(time.monotonic() - start, 1),
                   "output_bytes": int(size), "flows": None,
                   "peak_open_flows": None})


def wait_ready(addr, proc):
    import grpc
    for _ in range(100):
        if proc.poll() is not None:
            sys.exit(f"server exited with {proc.returncode}")
        try:
            with grpc.insecure_channel(addr) as ch:
                check = ch.unary_unary("/grpc.health.v1.Health/Check")
                if check(b"", timeout=1) == b"\x08\x01":
                    return
        except grpc.RpcError:
            pass
        time.sleep(0.1)
    sys.exit("server did not become ready")


def run(args, pb, pb_grpc, n):
    grpc_port, http_port = free_port(), free_port()
    addr = f"127.0.0.1:{grpc_port}"
    with tempfile.TemporaryDirectory(prefix="cicflow-measure-") as tmp:
        proc = subprocess.Popen(
            [args.binary, "serve", "--grpc-address", addr,
             "--http-address", f"127.0.0.1:{http_port}",
             "--workers", str(args.workers or n), "--tmp-dir", tmp,
             "--log-level", "warn"],
            stdin=subprocess.DEVNULL)
        try:
            wait_ready(addr, proc)
            idle_hwm = status_kib(proc.pid, "VmHWM")
            idle_cpu = cpu_seconds(proc.pid)
            sampler = Sampler(proc.pid, tmp)
            sampler.start()
            results = []
            if args.rest:
                url = f"http://127.0.0.1:{http_port}/process"
                calls = [threading.Thread(
                    target=one_rest_call, args=(url, args.pcap, results))
                    for _ in range(n)]
            else:
                calls = [threading.Thread(
                    target=one_call,
                    args=(pb, pb_grpc, addr, args.pcap, args.output,
                          results))
                    for _ in range(n)]
            start = time.monotonic()
            for c in calls:
                c.start()
            for c in calls:
                c.join()
            wall = time.monotonic() - start
            sampler.stop.set()
            sampler.join()
            hwm = status_kib(proc.pid, "VmHWM")
            cpu = cpu_seconds(proc.pid) - idle_cpu
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=60)
    if len(results) != n:
        sys.exit(f"{n - len(results)} of {n} calls failed")
    return {"concurrent_calls": n, "workers": args.workers or n,
            "idle_hwm_kib": idle_hwm,
            "vmhwm_kib": hwm, "peak_rss_sampled_kib": sampler.peak_rss,
            "per_call_kib": (hwm - idle_hwm) // n,
            "peak_spool_bytes": sampler.peak_spool,
            "wall_seconds": round(wall, 1),
            "server_cpu_seconds": round(cpu, 2), "calls": results,
            "exit_status": proc.returncode}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--binary", required=True)
    ap.add_argument("--pcap", required=True)
    ap.add_argument("--concurrency", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--workers", type=int, default=0,
                    help="server workers; 0 (default) = as many as calls")
    ap.add_argument("--output", choices=["zip", "csv", "flows"],
                    default="zip")
    ap.add_argument("--rest", action="store_true",
                    help="upload with curl to POST /process (zip output)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    args.binary = os.path.abspath(args.binary)
    with tempfile.TemporaryDirectory(prefix="cicflow-stubs-") as stubs:
        make_stubs(stubs)
        from cicflow.v1 import flowmeter_pb2 as pb
        from cicflow.v1 import flowmeter_pb2_grpc as pb_grpc
        args.output = {"zip": pb.OUTPUT_FORMAT_ZIP,
                       "csv": pb.OUTPUT_FORMAT_CSV,
                       "flows": pb.OUTPUT_FORMAT_FLOWS}[args.output]
        size = os.path.getsize(args.pcap)
        for n in args.concurrency:
            r = run(args, pb, pb_grpc, n)
            print(f"{'REST' if args.rest else 'gRPC'} "
                  f"calls={n} workers={r['workers']} "
                  f"capture={size / 2**20:.0f}MiB "
                  f"open_flows={r['calls'][0]['peak_open_flows']} "
                  f"idle_hwm={r['idle_hwm_kib'] / 1024:.1f}MiB "
                  f"VmHWM={r['vmhwm_kib'] / 1024:.1f}MiB "
                  f"per_call={r['per_call_kib'] / 1024:.1f}MiB "
                  f"spool_peak={r['peak_spool_bytes'] / 2**20:.1f}MiB "
                  f"wall={r['wall_seconds']}s "
                  f"server_cpu={r['server_cpu_seconds']}s "
                  f"exit={r['exit_status']}", flush=True)
            if args.json:
                print(json.dumps(r), flush=True)


if __name__ == "__main__":
    main()
