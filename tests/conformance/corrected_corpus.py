#!/usr/bin/python3
"""Invariants of the corrected profile on every capture of the shared corpus.

Runs, for each capture under CORPUS (all folders, recursively; the
expected/ and engelen/ folders hold outputs, not captures),

    cicflow convert --profile corrected --stats --extra-columns all

and checks what must hold whatever the capture:

* exit status 0, or 4 with a warning on standard error (a capture damaged
  part-way: rows up to the damage); for the captures CICFlowMeter refused
  (a <name>.refused file in expected/, see conformance.py) exit status 3
  and no CSV;
* nothing on standard error from AddressSanitizer or UBSan: in CI the
  binary is the sanitizer build, and a report must fail the test even when
  the run goes on to a normal exit status;
* no cell is empty, NaN, Infinity or -Infinity, and every row has as many
  cells as the header (corrected-profile.md §3: rates are 0, never NaN or
  Infinity);
* every packet is accounted for, by the `stats` line: packets_read equals
  the packets of the rows (Tot Fwd Pkts + Tot Bwd Pkts) plus
  packets_in_dropped_flows plus every ignored_<reason> count, and
  packets_used equals the first two;
* the CSV has flows_written rows;
* in every row: Flow ID is Src IP-Dst IP-Src Port-Dst Port-Protocol
  (corrected §2), Flow Duration >= 0, and Last Packet Time - First Packet
  Time == Flow Duration (docs/corrected-profile.md: the duration is the
  latest timestamp minus the first).

Prints one line per failure and a final count; exit status 0 when all pass.
"""
import argparse
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
import tempfile

EXIT_OK, EXIT_NOT_CAPTURE, EXIT_DAMAGED = 0, 3, 4
NOT_CAPTURES = {"README.md", "MANIFEST.tsv"}
OUTPUT_FOLDERS = {"expected", "engelen"}
SANITIZER_MARKERS = ("runtime error", "AddressSanitizer", "LeakSanitizer",
                     "UndefinedBehaviorSanitizer")
BAD_CELLS = {"nan", "+nan", "-nan", "infinity", "+infinity", "-infinity",
             "inf", "+inf", "-inf"}
# The reasons a packet is ignored (docs/corrected-profile.md, Input); the
# stats line must report each, and every ignored_* key it prints counts.
IGNORE_REASONS = ("no_ipv4", "malformed", "link_type", "not_ip", "fragment",
                  "truncated")
# Packets of flows written to no row (under --min-packets): the stats key
# is packets_in_dropped_flows; the shorter name is accepted too.
DROPPED_KEYS = ("packets_in_dropped", "packets_in_dropped_flows")
NEEDED_COLUMNS = ("Flow ID", "Src IP", "Src Port", "Dst IP", "Dst Port",
                  "Protocol", "Flow Duration", "Tot Fwd Pkts",
                  "Tot Bwd Pkts", "First Packet Time", "Last Packet Time")


def find_captures(corpus):
    """Yields (path, refused) for every capture under corpus."""
    for folder, dirs, files in os.walk(corpus):
        dirs[:] = sorted(d for d in dirs if d not in OUTPUT_FOLDERS)
        for name in sorted(files):
            if name in NOT_CAPTURES:
                continue
            refused = os.path.join(folder, "expected", name + ".refused")
            yield os.path.join(folder, name), os.path.exists(refused)


def parse_stats(stderr):
    """The key=value pairs of the last 'stats' line, or None."""
    lines = [l for l in stderr.splitlines() if l.startswith("stats ")]
    if not lines:
        return None
    return dict(re.findall(r"(\w+)=(\S*)", lines[-1]))


def count(stats, key, problems):
    try:
        return int(stats[key])
    except (KeyError, ValueError):
        problems.append(f"stats line has no whole number {key}")
        return 0


def check_csv(path, stats, problems):
    """Checks the rows of one CSV; returns how many packets they hold."""
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        problems.append("empty CSV, not even a header")
        return 0
    header = lines[0].split(",")
    missing = [c for c in NEEDED_COLUMNS if c not in header]
    if missing:
        problems.append(f"header lacks {missing}")
        return 0
    col = {name: i for i, name in enumerate(header)}
    packets = 0
    rows = lines[1:]
    shown = 0

    def bad(n, what):
        nonlocal shown
        if shown < 3:  # the first few per capture are enough to debug
            problems.append(f"row {n}: {what}")
        shown += 1

    for n, line in enumerate(rows, start=1):
        cells = line.split(",")
        if len(cells) != len(header):
            bad(n, f"{len(cells)} cells, header has {len(header)}")
            continue
        for name, cell in zip(header, cells):
            if cell.strip() == "" or cell.strip().lower() in BAD_CELLS:
                bad(n, f"{name} is '{cell}'")
        r = {name: cells[i] for name, i in col.items()}
        want_id = "-".join(r[c] for c in ("Src IP", "Dst IP", "Src Port",
                                          "Dst Port", "Protocol"))
        if r["Flow ID"] != want_id:
            bad(n, f"Flow ID {r['Flow ID']} disagrees with Src/Dst "
                   f"({want_id})")
        try:
            duration = int(r["Flow Duration"])
            first = int(r["First Packet Time"])
            last = int(r["Last Packet Time"])
            packets += int(r["Tot Fwd Pkts"]) + int(r["Tot Bwd Pkts"])
        except ValueError as e:
            bad(n, f"not a whole number: {e}")
            continue
        if duration < 0:
            bad(n, f"Flow Duration {duration} < 0")
        if last - first != duration:
            bad(n, f"Last Packet Time - First Packet Time = {last - first}"
                   f", Flow Duration = {duration}")
    if shown > 3:
        problems.append(f"... {shown - 3} more row problems")
    written = count(stats, "flows_written", problems)
    if len(rows) != written:
        problems.append(f"{len(rows)} rows, stats says flows_written="
                        f"{written}")
    return packets


def check_capture(cicflow, path, refused, tmp_root):
    """Returns a list of problems (empty when the capture passes)."""
    problems = []
    out = tempfile.mkdtemp(dir=tmp_root)
    try:
        result = subprocess.run(
            [cicflow, "convert", "-q", "--profile", "corrected", "--stats",
             "--extra-columns", "all", "-o", out, path],
            capture_output=True, text=True, errors="replace", timeout=600)
        err = result.stderr
        for marker in SANITIZER_MARKERS:
            if marker in err:
                at = err.rfind("\n", 0, err.index(marker)) + 1
                problems.append("sanitizer report: " +
                                err[at:at + 600].replace("\n", " | "))
                break
        csv = os.path.join(out, os.path.basename(path) + "_Flow.csv")
        if refused:
            if result.returncode != EXIT_NOT_CAPTURE or os.path.exists(csv):
                problems.append(f"refused by CICFlowMeter: expected exit 3 "
                                f"and no CSV, got {result.returncode}: "
                                f"{err.strip()[-300:]}")
            return problems
        if result.returncode == EXIT_DAMAGED and "warning" not in err:
            problems.append("exit status 4 without a warning")
        elif result.returncode not in (EXIT_OK, EXIT_DAMAGED):
            problems.append(f"exit status {result.returncode}: "
                            f"{err.strip()[-300:]}")
            return problems
        stats = parse_stats(err)
        if stats is None:
            problems.append("no 'stats' line on standard error")
            return problems
        if not os.path.exists(csv):
            problems.append("no CSV written")
            return problems
        packets = check_csv(csv, stats, problems)
        for reason in IGNORE_REASONS:
            if "ignored_" + reason not in stats:
                problems.append(f"stats line has no ignored_{reason}")
        ignored = sum(count(stats, k, problems) for k in sorted(stats)
                      if k.startswith("ignored_"))
        dropped_key = next((k for k in DROPPED_KEYS if k in stats),
                           DROPPED_KEYS[0])
        dropped = count(stats, dropped_key, problems)
        read = count(stats, "packets_read", problems)
        used = count(stats, "packets_used", problems)
        if used != packets + dropped:
            problems.append(f"packets_used={used} but rows hold {packets} "
                            f"and {dropped_key}={dropped}")
        if read != packets + dropped + ignored:
            problems.append(f"packets_read={read} but rows hold {packets}, "
                            f"{dropped_key}={dropped}, ignored "
                            f"{ignored}: {read - packets - dropped - ignored}"
                            f" packets unaccounted for")
    except subprocess.TimeoutExpired:
        problems.append("cicflow did not finish within 600 s")
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cicflow", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    captures = list(find_captures(args.corpus))
    failed = 0
    with tempfile.TemporaryDirectory() as tmp_root, \
            concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futures = {pool.submit(check_capture, args.cicflow, path, refused,
                               tmp_root): path
                   for path, refused in captures}
        for future in concurrent.futures.as_completed(futures):
            problems = future.result()
            if problems:
                failed += 1
                rel = os.path.relpath(futures[future], args.corpus)
                print(f"FAIL {rel}: " + "; ".join(problems), flush=True)
    if not captures:
        print("no capture found under " + args.corpus)
        return 1
    print(f"{len(captures) - failed} captures passed, {failed} failed "
          f"(of {len(captures)})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
