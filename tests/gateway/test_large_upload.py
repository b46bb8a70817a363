#!/usr/bin/python3
"""A ~2 GB capture through the REST gateway, against `cicflow convert`.

Generates the capture with shared/tools/gen_bench_pcap.py (2.8 M packets,
seed 7), converts it with `cicflow convert`, then uploads it with curl to
`cicflow serve` and reads the server's peak RSS (VmHWM) afterwards. Prints
both times and the peak RSS; checks only sane bounds: the upload succeeds,
its CSV has the same rows as convert's, the peak RSS stays under
--max-rss-mib (the upload is streamed, never held), and no spool file is
left behind.

Prints `N passed, N failed`; exits non-zero on failure.
"""
import argparse
import collections
import os
import subprocess
import sys
import tempfile
import time
import zipfile

# No __pycache__ in the source tree.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gwtest  # noqa: E402

C = gwtest.Checks()


def generate(tool, packets, seed, out):
    start = time.monotonic()
    subprocess.run(["/usr/bin/python3", tool, "--packets", str(packets),
                    "--seed", str(seed), "--out", out], check=True,
                   stdout=subprocess.DEVNULL)
    return time.monotonic() - start


def rows(lines):
    """Rows (header excluded) of an iterable of CSV lines, as a multiset."""
    out = collections.Counter()
    header = None
    for line in lines:
        line = line.rstrip(b"\r\n")
        if not line:
            continue
        if header is None:
            header = line
            continue
        out[line] += 1
    return header, out


def run_convert(cicflow, capture, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    start = time.monotonic()
    proc = subprocess.run([cicflow, "convert", "-q", "-o", out_dir, capture],
                          capture_output=True)
    took = time.monotonic() - start
    csv = os.path.join(out_dir, os.path.basename(capture) + "_Flow.csv")
    with open(csv, "rb") as f:
        header, counted = rows(f)
    os.unlink(csv)
    return proc.returncode, took, header, counted


def sanitized(binary):
    """True for a build with AddressSanitizer linked in."""
    with open(binary, "rb") as f:
        return b"__asan_init" in f.read()


def server_env(binary):
    """ASan keeps 256 MiB of freed blocks poisoned by default; the upload
    frees one chunk message per 64 KiB, so VmHWM would measure that
    quarantine rather than the gateway. A small one keeps the check
    meaningful in sanitizer builds."""
    env = dict(os.environ)
    if sanitized(binary):
        opts = env.get("ASAN_OPTIONS", "")
        env["ASAN_OPTIONS"] = (opts + ":" if opts else "") + \
            "quarantine_size_mb=16"
    return env


def run_upload(srv, capture, out):
    start = time.monotonic()
    proc = subprocess.run(
        ["curl", "-sS", "-o", out, "-w", "%{http_code}", "-F",
         f"file=@{capture}", srv.url + "/process"],
        capture_output=True, timeout=1100)
    took = time.monotonic() - start
    return proc.stdout.decode().strip(), took, proc.stderr.decode()


def zip_rows(path, name):
    with zipfile.ZipFile(path) as z:
        with z.open(name + "_Flow.csv") as f:
            return rows(f)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cicflow", required=True)
    ap.add_argument("--gen-tool", required=True)
    ap.add_argument("--packets", type=int, default=2800000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--max-rss-mib", type=int, default=256)
    ap.add_argument("--capture", help="use this capture, do not generate")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="gw-large-") as work:
        capture = args.capture
        if capture is None:
            capture = os.path.join(work, "bench.pcap")
            took = generate(args.gen_tool, args.packets, args.seed, capture)
            print(f"generated {capture}: {os.path.getsize(capture)} bytes "
                  f"in {took:.0f} s", flush=True)
        size = os.path.getsize(capture)
        name = os.path.basename(capture)

        rc, convert_s, conv_header, conv_rows = run_convert(
            args.cicflow, capture, os.path.join(work, "convert"))
        C.check(rc == 0 and len(conv_rows) > 0,
                f"cicflow convert: {sum(conv_rows.values())} rows", rc)

        tmp = os.path.join(work, "spool")
        os.makedirs(tmp)
        srv = gwtest.Server(args.cicflow, tmp,
                            os.path.join(work, "server.log"),
                            ["--workers", "2"], env=server_env(args.cicflow))
        if sanitized(args.cicflow):
            print("sanitizer build: the server runs with ASan's quarantine "
                  "at 16 MiB", flush=True)
        with srv:
            idle_rss = srv.peak_rss_kib()
            status, upload_s, err = run_upload(srv, capture,
                                               os.path.join(work, "out.zip"))
            peak_rss = srv.peak_rss_kib()
            C.check(status == "200", "upload answered 200", (status, err))
            C.check(gwtest.wait_until(lambda: not gwtest.tmp_files(tmp)),
                    "no spool file left", gwtest.tmp_files(tmp))
        C.check(gwtest.tmp_files(tmp) == [], "tmp dir empty after the server")
        if status == "200":
            header, got = zip_rows(os.path.join(work, "out.zip"), name)
            n_got, n_conv = sum(got.values()), sum(conv_rows.values())
            C.check(n_got == n_conv, f"zip CSV rows ({n_got}) equal convert's "
                    f"({n_conv})")
            C.check(header == conv_header and got == conv_rows,
                    "zip CSV rows are convert's rows")
        mib = size / 1048576
        print(f"capture: {size} bytes ({mib:.0f} MiB)")
        print(f"cicflow convert: {convert_s:.1f} s "
              f"({mib / convert_s:.0f} MiB/s)")
        print(f"REST upload (curl -F, response included): {upload_s:.1f} s "
              f"({mib / upload_s:.0f} MiB/s), "
              f"{upload_s / convert_s:.2f}x convert")
        print(f"server peak RSS (VmHWM): {peak_rss / 1024:.1f} MiB "
              f"(idle: {idle_rss / 1024:.1f} MiB)", flush=True)
        C.check(0 < peak_rss < args.max_rss_mib * 1024,
                f"server peak RSS under {args.max_rss_mib} MiB",
                f"{peak_rss / 1024:.1f} MiB")
    return C.finish()


if __name__ == "__main__":
    sys.exit(main())
