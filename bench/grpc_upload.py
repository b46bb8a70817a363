#!/usr/bin/python3
"""Measures a large upload through the gRPC service against convert.

usage: grpc_upload.py --cicflow BIN [--packets N] [--capture FILE]
                      [--chunk BYTES]

Generates (or reuses) a capture with ../shared/tools/gen_bench_pcap.py,
starts `cicflow serve` on a loopback port, and in the same run measures:
  * `cicflow convert` on the file: wall seconds;
  * a ZIP-mode ProcessPcap upload of the file: wall seconds and the
    server's peak RSS (VmHWM), checking that the zip's CSV has as many
    rows as convert's;
  * a FLOWS-mode upload: the time from the start of the call to the first
    FlowBatch, and whether it came before the upload ended.
Prints a small table. Needs Debian's grpcio (run with /usr/bin/python3).
"""
import argparse
import io
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SHARED = os.path.join(ROOT, "..", "shared")


def generate(packets, path):
    if os.path.exists(path):
        return
    tool = os.path.join(SHARED, "tools", "gen_bench_pcap.py")
    subprocess.run(["/usr/bin/python3", tool, "--packets", str(packets),
                    "--seed", "11", "--out", path + ".tmp", "--quiet"],
                   check=True)
    os.rename(path + ".tmp", path)


def stubs(workdir):
    subprocess.run(["protoc", "-I", os.path.join(ROOT, "proto"),
                    "--python_out", workdir, "--grpc_python_out", workdir,
                    "--plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin",
                    "cicflow/v1/flowmeter.proto"], check=True)
    sys.path.insert(0, workdir)
    from cicflow.v1 import flowmeter_pb2, flowmeter_pb2_grpc
    return flowmeter_pb2, flowmeter_pb2_grpc


def start_server(cicflow, tmp):
    proc = subprocess.Popen(
        [cicflow, "serve", "--grpc-address", "127.0.0.1:0",
         "--http-address", "127.0.0.1:0", "--tmp-dir", tmp, "--workers", "1"],
        stderr=subprocess.PIPE, text=True)
    for line in proc.stderr:
        m = re.search(r"transport=grpc address=(\S+)", line)
        if m:
            threading.Thread(target=lambda: [None for _ in proc.stderr],
                             daemon=True).start()
            return proc, m.group(1)
    raise SystemExit("server did not start")


def peak_rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def requests(pb, path, output, chunk, done):
    yield pb.ProcessPcapRequest(options=pb.ProcessOptions(
        file_name=os.path.basename(path), output=output))
    with open(path, "rb") as f:
        while True:
            data = f.read(chunk)
            if not data:
                break
            yield pb.ProcessPcapRequest(chunk=data)
    done.append(time.monotonic())


def upload_zip(pb, stub, path, chunk):
    done, out = [], io.BytesIO()
    t0 = time.monotonic()
    for r in stub.ProcessPcap(requests(pb, path, pb.OUTPUT_FORMAT_ZIP,
                                       chunk, done)):
        if r.WhichOneof("payload") == "output_chunk":
            out.write(r.output_chunk)
    seconds = time.monotonic() - t0
    with zipfile.ZipFile(out) as z:
        rows = z.read(z.namelist()[0]).count(b"\n") - 1
    return seconds, rows


def first_flow(pb, stub, path, chunk):
    done = []
    t0 = time.monotonic()
    first, before_end = None, False
    for r in stub.ProcessPcap(requests(pb, path, pb.OUTPUT_FORMAT_FLOWS,
                                       chunk, done)):
        if first is None and r.WhichOneof("payload") == "flows":
            first = time.monotonic() - t0
            before_end = not done
    return first, before_end, time.monotonic() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cicflow", required=True)
    ap.add_argument("--packets", type=int, default=2800000)
    ap.add_argument("--capture")
    ap.add_argument("--chunk", type=int, default=1 << 20)
    a = ap.parse_args()
    capture = a.capture or os.path.join(HERE, "out",
                                        f"upload-{a.packets}.pcap")
    os.makedirs(os.path.dirname(capture), exist_ok=True)
    generate(a.packets, capture)
    size = os.path.getsize(capture)
    import grpc
    with tempfile.TemporaryDirectory() as work:
        pb, pbg = stubs(work)
        t0 = time.monotonic()
        subprocess.run([a.cicflow, "convert", "-q", "-o", work, capture],
                       check=True)
        convert_s = time.monotonic() - t0
        with open(os.path.join(work, os.path.basename(capture) +
                               "_Flow.csv"), "rb") as f:
            convert_rows = sum(1 for _ in f) - 1
        tmp = os.path.join(work, "tmp")
        os.mkdir(tmp)
        proc, address = start_server(a.cicflow, tmp)
        try:
            stub = pbg.FlowMeterStub(grpc.insecure_channel(
                address, options=[("grpc.max_receive_message_length",
                                   8 << 20)]))
            base_rss = peak_rss_kib(proc.pid)
            zip_s, zip_rows = upload_zip(pb, stub, capture, a.chunk)
            zip_rss = peak_rss_kib(proc.pid)
            first, before_end, flows_s = first_flow(pb, stub, capture,
                                                    a.chunk)
            leftovers = os.listdir(tmp)
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=60)
    print(f"capture            {capture} ({size / 1e9:.2f} GB)")
    print(f"convert            {convert_s:.2f} s, {convert_rows} rows")
    print(f"gRPC ZIP upload    {zip_s:.2f} s ({zip_s / convert_s:.2f} x "
          f"convert), {zip_rows} rows, server peak RSS "
          f"{zip_rss / 1024:.1f} MiB (idle {base_rss / 1024:.1f} MiB)")
    print(f"gRPC FLOWS upload  first flow after {first:.3f} s "
          f"({'before' if before_end else 'after'} the upload ended), "
          f"whole call {flows_s:.2f} s")
    print(f"temporary files left: {len(leftovers)}")
    ok = zip_rows == convert_rows and before_end and not leftovers
    print("OK" if ok else "MISMATCH")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
