#!/usr/bin/python3
"""Conformance of the cic profile with CICFlowMeter on the shared corpus.

For every capture in CORPUS/<folder>/, runs `cicflow convert` and compares
its CSV with expected/<name>_Flow.csv, the file CICFlowMeter wrote, as
multisets of rows: cicflow writes rows in a different order (flows closed
during reading as they close, the rest in order of their first packet),
but every row must be there, byte for byte.

With --via-service, the same comparison runs through `cicflow serve` and
its client `cicflow process`, so the service path is held to the same
rows.

Captures that CICFlowMeter refused have expected/<name>.refused instead.
cicflow must refuse them too, with exit status 3 and a message that says
what the input really is; REFUSED below states, for each, what that
message must contain and why cicflow cannot read the file either.
"""
import argparse
import collections
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading

# name -> (text the error must contain, why cicflow refuses it as well)
REFUSED = {
    "FTPv6-1.cap": ("first bytes are 47 4d 42 55",
                    "a Microsoft Network Monitor file (magic GMBU); "
                    "libpcap reads only pcap and pcapng"),
    "derived__garbage_random.pcap": ("not a capture: first bytes",
                                     "random bytes, no capture magic"),
    "derived__truncated_file_header.pcap": ("truncated dump file",
                                            "the file header is cut short"),
    "libpcap__pcap-invalid-version-1.pcap": ("archaic pcap savefile",
                                             "pcap version 1 is not "
                                             "supported by libpcap"),
    "libpcap__shb-option-too-long.pcapng": ("block total length",
                                            "the pcapng section header "
                                            "block is invalid"),
    "nfstream__results__ssh.pcap": ("found text starting",
                                    "a CSV file named .pcap"),
    "zeek__smtp__mime-header-size-limit.pcap.gz": (
        "gzip-compressed", "a gzip-compressed capture; unpack it first"),
}

EXIT_OK, EXIT_NOT_CAPTURE, EXIT_DAMAGED = 0, 3, 4


def captures(folder):
    skip = {"README.md", "MANIFEST.tsv"}
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        if os.path.isfile(path) and name not in skip:
            yield name, path


def read_lines(path):
    with open(path, "rb") as f:
        return f.read().split(b"\n")


def compare(expected, actual):
    """Returns None when equal as multisets of rows, else a description."""
    exp, act = read_lines(expected), read_lines(actual)
    if exp[0] != act[0]:
        return "header differs"
    missing = collections.Counter(exp[1:]) - collections.Counter(act[1:])
    extra = collections.Counter(act[1:]) - collections.Counter(exp[1:])
    if not missing and not extra:
        return None
    lines = [f"{sum(missing.values())} rows missing, "
             f"{sum(extra.values())} extra"]
    for row in list(missing)[:2]:
        lines.append(b"  expected: " + row[:160])
    for row in list(extra)[:2]:
        lines.append(b"  actual:   " + row[:160])
    return "\n".join(x if isinstance(x, str) else x.decode("latin-1")
                     for x in lines)


SERVER = []  # ["--server", "HOST:PORT"] when testing through the service


def run(cicflow, outdir, paths):
    verb = ["process"] + SERVER if SERVER else ["convert"]
    cmd = [cicflow] + verb + ["-q", "-o", outdir] + paths
    return subprocess.run(cmd, capture_output=True, text=True,
                          errors="replace")


def start_server(cicflow, tmp):
    """Starts `cicflow serve` on a free loopback port; returns the process."""
    proc = subprocess.Popen(
        [cicflow, "serve", "--grpc-address", "127.0.0.1:0",
         "--http-address", "127.0.0.1:0", "--tmp-dir", tmp],
        stdin=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for line in proc.stderr:
        m = re.search(r"event=listening transport=grpc address=(\S+)", line)
        if m:
            SERVER[:] = ["--server", m.group(1)]
            threading.Thread(target=proc.stderr.read, daemon=True).start()
            return proc
    raise SystemExit("cicflow serve did not start")


class Tally:
    def __init__(self):
        self.passed = 0
        self.failed = []

    def check(self, ok, what, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failed.append(f"{what}: {detail}")


def check_folder(cicflow, folder, tally):
    expected_dir = os.path.join(folder, "expected")
    with_csv, refused = [], []
    for name, path in captures(folder):
        if os.path.exists(os.path.join(expected_dir, name + ".refused")):
            refused.append((name, path))
        elif os.path.exists(os.path.join(expected_dir, name + "_Flow.csv")):
            with_csv.append((name, path))
    with tempfile.TemporaryDirectory() as out:
        result = run(cicflow, out, [p for _, p in with_csv])
        tally.check(result.returncode in (EXIT_OK, EXIT_DAMAGED),
                    f"{folder}: exit status", str(result.returncode) +
                    result.stderr[-500:])
        for name, _ in with_csv:
            actual = os.path.join(out, name + "_Flow.csv")
            expected = os.path.join(expected_dir, name + "_Flow.csv")
            if not os.path.exists(actual):
                tally.check(False, name, "no CSV written")
                continue
            diff = compare(expected, actual)
            tally.check(diff is None, name, diff)
        for name, path in refused:
            check_refused(cicflow, out, name, path, tally)
    return len(with_csv) + len(refused)


def check_refused(cicflow, out, name, path, tally):
    want, why = REFUSED.get(name, (None, None))
    if want is None:
        tally.check(False, name, "refused by CICFlowMeter but not listed "
                    "in REFUSED with cicflow's expected behaviour")
        return
    result = run(cicflow, out, [path])
    ok = (result.returncode == EXIT_NOT_CAPTURE and want in result.stderr
          and not os.path.exists(os.path.join(out, name + "_Flow.csv")))
    tally.check(ok, name, f"expected exit 3 and '{want}' ({why}); got "
                f"{result.returncode}: {result.stderr.strip()}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cicflow", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--via-service", action="store_true")
    args = ap.parse_args()
    tally = Tally()
    total = 0
    server = None
    spool = tempfile.TemporaryDirectory()
    if args.via_service:
        server = start_server(args.cicflow, spool.name)
    for sub in sorted(os.listdir(args.corpus)):
        folder = os.path.join(args.corpus, sub)
        if os.path.isdir(os.path.join(folder, "expected")):
            n = check_folder(args.cicflow, folder, tally)
            print(f"{sub}: {n} captures")
            total += n
    if server is not None:
        server.send_signal(signal.SIGTERM)
        tally.check(server.wait(timeout=60) == 0, "server exit status")
        tally.check(not os.listdir(spool.name), "server temporary files",
                    os.listdir(spool.name))
    spool.cleanup()
    for line in tally.failed:
        print("FAIL " + line)
    if total == 0:
        print("no capture found under " + args.corpus)
        return 1
    print(f"{tally.passed} passed, {len(tally.failed)} failed")
    return 1 if tally.failed else 0


if __name__ == "__main__":
    sys.exit(main())
