#!/usr/bin/python3
"""End-to-end tests of `cicflow serve` through a real grpcio client.

Python stubs are generated at test time with protoc and Debian's
grpc_python_plugin from proto/cicflow/v1/flowmeter.proto and Debian's
grpc/health/v1/health.proto, so the test sees the API exactly as a client
author does. Two servers run on loopback, port 0:

  main   --workers 2 --queue-length 64, a 1 GiB upload limit: results,
         options, errors, health, cancel, 16 concurrent calls, streaming
  small  --workers 1 --queue-length 1, an upload limit equal to the size
         of one corpus capture: the limit's boundary, busy-server refusal,
         and that a cancelled or timed-out call gives its worker back

Results are checked against CICFlowMeter's CSVs in the shared corpus
(CORPUS/<folder>/expected/<name>_Flow.csv), as multisets of rows. FLOWS
results are compared field by field with the CSV cells as numbers (NaN
equals NaN, "0" equals "0.0"; string columns exactly).

Checks: ZIP, CSV and FLOWS output for corpus captures sent in chunks of 7
bytes to 1 MiB (damaged captures: OK, the rows before the damage and a
warning), with summary.txt and Summary counts equal to `cicflow convert
--stats`; file_name sanitising, label and time zone options; the profile,
column dialect, timeouts, min_packets and extra_columns options (rows
equal to convert's with the same options; Flow fields 100-106 equal to
convert's extra columns); status codes
for inputs that are not captures, bad options, protocol misuse, a message
over 4 MiB, gzip message compression, unknown methods; the health service;
a cancel mid-upload; deadlines; the upload limit; a busy server; 16
concurrent calls on 4 channels; FLOWS results streaming back while a
200,000-packet upload is still running. After each group of calls the
server's --tmp-dir must be empty and the server still running.

Must run with /usr/bin/python3 (Debian's python3-grpcio). Prints one line
per check and `N passed, N failed` last; exit status 1 on any failure.
"""
import argparse
import collections
import concurrent.futures
import datetime
import io
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import zipfile

try:
    import grpc
except ImportError:
    sys.exit("grpc_python_test: no grpc module in " + sys.executable +
             "; run it with /usr/bin/python3 (Debian python3-grpcio)")

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server_fixture import Server, ServerError  # noqa: E402

MiB = 1 << 20
OK = grpc.StatusCode.OK

# Filled in by load_stubs().
pb = pb_grpc = health_pb = health_grpc = None
FLOW_FIELDS = []  # Flow fields 1..84, in CSV column order


# ---------------------------------------------------------------------------
# stubs

def load_stubs(args, out):
    """protoc + grpc_python_plugin into `out`, then import the modules.
    health.proto is compiled from a copy at the top of an include dir so
    that its module is `health_pb2`, not `grpc.health.v1.health_pb2`, which
    the installed `grpc` package would shadow. Its proto package (and so
    the service name grpc.health.v1.Health) is unchanged."""
    global pb, pb_grpc, health_pb, health_grpc, FLOW_FIELDS
    src = os.path.join(out, "include")
    os.makedirs(src)
    shutil.copyfile(args.health_proto, os.path.join(src, "health.proto"))
    cmd = [args.protoc, "-I", args.proto_dir, "-I", src,
           "--python_out=" + out, "--grpc_python_out=" + out,
           "--plugin=protoc-gen-grpc_python=" + args.grpc_python_plugin,
           os.path.join(args.proto_dir, "cicflow", "v1", "flowmeter.proto"),
           os.path.join(src, "health.proto")]
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        raise RuntimeError("protoc failed: " + " ".join(cmd) + "\n" +
                           res.stderr)
    sys.path.insert(0, out)
    from cicflow.v1 import flowmeter_pb2, flowmeter_pb2_grpc
    import health_pb2
    import health_pb2_grpc
    pb, pb_grpc = flowmeter_pb2, flowmeter_pb2_grpc
    health_pb, health_grpc = health_pb2, health_pb2_grpc
    fields = sorted(pb.Flow.DESCRIPTOR.fields, key=lambda f: f.number)
    FLOW_FIELDS = [f for f in fields if 1 <= f.number <= 84]
    if [f.number for f in FLOW_FIELDS] != list(range(1, 85)):
        raise RuntimeError("Flow does not have fields 1..84")


# ---------------------------------------------------------------------------
# corpus and expected results

class Corpus:
    def __init__(self, root, cicflow):
        self.root = root
        self.cicflow = cicflow
        self._stats = {}

    def path(self, rel):
        return os.path.join(self.root, rel)

    def data(self, rel):
        with open(self.path(rel), "rb") as f:
            return f.read()

    def expected(self, rel):
        folder, name = os.path.split(rel)
        with open(os.path.join(self.root, folder, "expected",
                               name + "_Flow.csv"), "rb") as f:
            return f.read()

    def convert(self, path, options=()):
        """`cicflow convert --stats` with options: (CSV bytes, counters),
        to compare with a call's output and Summary; (b"", {}) when they
        cannot be had."""
        with tempfile.TemporaryDirectory() as out:
            res = subprocess.run(
                [self.cicflow, "convert", "-q", "--stats", "-o", out] +
                list(options) + [path], capture_output=True, text=True,
                errors="replace")
            csv_path = os.path.join(out, os.path.basename(path) +
                                    "_Flow.csv")
            csv = b""
            if os.path.exists(csv_path):
                with open(csv_path, "rb") as f:
                    csv = f.read()
        stats = {}
        for line in res.stderr.splitlines():
            if line.startswith("stats "):
                for kv in line.split()[1:]:
                    k, _, v = kv.partition("=")
                    stats[k] = v
        return csv, stats

    def convert_stats(self, path):
        """Counters of `cicflow convert --stats` for the same capture."""
        if path not in self._stats:
            self._stats[path] = self.convert(path)[1]
        return self._stats[path]


def csv_lines(data):
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return lines


def csv_diff(expected, actual):
    """None when `actual` has the header and the rows of `expected` (rows
    in any order), else what differs."""
    problems = []
    if b"\r" in actual:
        problems.append("CR in the CSV")
    if expected.endswith(b"\n") != actual.endswith(b"\n"):
        problems.append("final newline differs")
    exp, act = csv_lines(expected), csv_lines(actual)
    if not act:
        return "empty CSV"
    if exp[0] != act[0]:
        problems.append("header differs: " + act[0][:120].decode(
            "latin-1"))
    missing = collections.Counter(exp[1:]) - collections.Counter(act[1:])
    extra = collections.Counter(act[1:]) - collections.Counter(exp[1:])
    if missing or extra:
        problems.append(f"{sum(missing.values())} rows missing, "
                        f"{sum(extra.values())} extra (of {len(exp) - 1})")
        for row in list(missing)[:2]:
            problems.append("  expected " + row[:200].decode("latin-1"))
        for row in list(extra)[:2]:
            problems.append("  got      " + row[:200].decode("latin-1"))
    return "\n".join(problems) or None


def number(v):
    """A hashable number in which NaN equals NaN; ints and floats of the
    same value compare and hash equal in Python (0 == 0.0)."""
    if isinstance(v, float) and math.isnan(v):
        return "NaN"
    return v


def cell_value(cell, field):
    if field.type == field.TYPE_STRING:
        return cell
    try:
        return int(cell)
    except ValueError:
        return number(float(cell))  # 1.5, 1.2E15, NaN, Infinity


def expected_rows(csv_bytes):
    rows = []
    for line in csv_lines(csv_bytes)[1:]:
        cells = line.decode("utf-8").split(",")
        if len(cells) != 84:
            raise ValueError(f"expected CSV row with {len(cells)} cells")
        rows.append(tuple(cell_value(c, f)
                          for c, f in zip(cells, FLOW_FIELDS)))
    return rows


def flow_row(flow):
    return tuple(number(getattr(flow, f.name)) for f in FLOW_FIELDS)


def flows_diff(expected_csv, flows):
    """None when the Flow messages equal the CSV rows as a multiset."""
    exp = collections.Counter(expected_rows(expected_csv))
    act = collections.Counter(flow_row(f) for f in flows)
    missing, extra = exp - act, act - exp
    if not missing and not extra:
        return None
    lines = [f"{sum(missing.values())} flows missing, "
             f"{sum(extra.values())} extra (of {sum(exp.values())})"]
    for row in list(missing)[:3]:
        twin = [x for x in extra if x[0] == row[0] and x[6] == row[6]]
        if twin:
            diffs = [f"{f.name}: want {a!r} got {b!r}"
                     for f, a, b in zip(FLOW_FIELDS, row, twin[0]) if a != b]
            lines.append(f"  {row[0]} {row[6]}: " + "; ".join(diffs[:6]))
        else:
            lines.append(f"  missing {row[0]} {row[6]}")
    for row in list(extra)[:2]:
        if not any(x[0] == row[0] and x[6] == row[6] for x in missing):
            lines.append(f"  extra {row[0]} {row[6]}")
    return "\n".join(lines)


def sanitize(file_name):
    base = file_name.rsplit("/", 1)[-1]
    return "".join(c if re.match(r"[A-Za-z0-9._+-]", c) else "_"
                   for c in base) or "capture"


# ---------------------------------------------------------------------------
# calls

def options(file_name, output, **kw):
    return pb.ProcessOptions(file_name=file_name, output=output, **kw)


def upload(opts, data, chunk, empty_every=0):
    """Request iterator: options, then `data` in chunks of `chunk` bytes
    (and an empty chunk after every `empty_every` chunks)."""
    yield pb.ProcessPcapRequest(options=opts)
    for i, off in enumerate(range(0, len(data), chunk)):
        yield pb.ProcessPcapRequest(chunk=data[off:off + chunk])
        if empty_every and i % empty_every == 0:
            yield pb.ProcessPcapRequest(chunk=b"")


class Outcome:
    def __init__(self, code, details, messages, elapsed):
        self.code, self.details = code, details
        self.messages, self.elapsed = messages, elapsed

    def of(self, kind):
        return [getattr(m, kind) for m in self.messages
                if m.WhichOneof("payload") == kind]

    @property
    def summary(self):
        s = self.of("summary")
        return s[-1] if s else None

    @property
    def output(self):
        return b"".join(self.of("output_chunk"))

    @property
    def flows(self):
        return [f for batch in self.of("flows") for f in batch.flows]

    def status(self):
        return f"{self.code.name} {self.details!r}"


def process(stub, requests, timeout=60.0, on_call=None, on_message=None,
            **kw):
    t0 = time.monotonic()
    call = stub.ProcessPcap(requests, timeout=timeout, **kw)
    if on_call:
        on_call(call)
    messages = []
    try:
        for m in call:
            messages.append(m)
            if on_message:
                on_message(m)
        code, details = OK, ""
    except grpc.RpcError as e:
        code, details = e.code(), e.details() or ""
    return Outcome(code, details, messages, time.monotonic() - t0)


def shape_problems(out, output):
    """The message sequence the API promises for `output`."""
    kinds = [m.WhichOneof("payload") for m in out.messages]
    problems = []
    if kinds.count("summary") != 1 or kinds[-1:] != ["summary"]:
        problems.append("Summary is not the one last message: " +
                        str(collections.Counter(kinds)))
    if output == pb.OUTPUT_FORMAT_FLOWS:
        if "output_start" in kinds or "output_chunk" in kinds:
            problems.append("output_start/output_chunk in FLOWS mode")
    else:
        if "flows" in kinds:
            problems.append("FlowBatch in ZIP/CSV mode")
        if kinds.count("output_start") != 1:
            problems.append(f"{kinds.count('output_start')} OutputStart")
        elif "output_chunk" in kinds and (kinds.index("output_chunk") <
                                          kinds.index("output_start")):
            problems.append("output_chunk before OutputStart")
        big = [len(c) for c in out.of("output_chunk") if len(c) > MiB]
        if big:
            problems.append(f"output_chunk over 1 MiB: {big[:3]}")
        starts = out.of("output_start")
        if starts and starts[0].size_bytes != len(out.output):
            problems.append(f"OutputStart.size_bytes {starts[0].size_bytes}"
                            f" != {len(out.output)} bytes received")
    return problems


IGNORE_REASONS = ("no_ipv4", "malformed", "link_type", "not_ip", "fragment",
                  "truncated")


def summary_counts(s):
    """A Summary's counters under the names of convert's --stats."""
    counts = {f"ignored_{r}": getattr(s.packets_ignored, r)
              for r in IGNORE_REASONS}
    for key in ("packets_read", "packets_used", "flows_written",
                "flows_dropped_single", "packets_out_of_order",
                "packets_in_dropped_flows"):
        counts[key] = getattr(s, key)
    return counts


def summary_vs_stats(s, stats):
    """Where Summary and convert's --stats of the same capture differ."""
    if not stats:
        return ["no --stats line from cicflow convert"]
    return [f"Summary {key} {got} != convert's {stats.get(key)}"
            for key, got in summary_counts(s).items()
            if stats.get(key) != str(got)]


def summary_txt_problems(text, s, warning):
    """summary.txt must hold the Summary's counts and warnings."""
    values, warnings = {}, []
    for line in text.decode("utf-8", "replace").splitlines():
        key, _, value = line.partition(": ")
        if key == "warning":
            warnings.append(value)
        else:
            values[key.replace("packets_ignored.", "ignored_")] = value
    problems = [f"summary.txt {key}: {values.get(key)!r}, Summary {got}"
                for key, got in summary_counts(s).items()
                if values.get(key) != str(got)]
    if warnings != list(s.warnings):
        problems.append(f"summary.txt warnings {warnings} != Summary's "
                        f"{list(s.warnings)}")
    if warning and not any(warning in w for w in warnings):
        problems.append(f"summary.txt lacks {warning!r}")
    return problems


def result_problems(ctx, out, output, data, expected_csv, file_name,
                    warning=None, stats_path=None, label_tz=None):
    """Everything wrong with `out` as the result of uploading `data`;
    `warning`: text one warning must contain (a damaged capture)."""
    if out.code != OK:
        return [f"status {out.status()}"]
    problems = shape_problems(out, output)
    s = out.summary
    if s is None:
        return problems
    n_rows = len(csv_lines(expected_csv)) - 1
    # A classic pcap is all header and packets, so every byte is read. A
    # pcapng may end with blocks after its last packet (statistics) and a
    # damaged capture stops at the damage: at most the upload there.
    exact = warning is None and data[:4] in (b"\xd4\xc3\xb2\xa1",
                                             b"\xa1\xb2\xc3\xd4",
                                             b"\x4d\x3c\xb2\xa1",
                                             b"\xa1\xb2\x3c\x4d")
    if (s.bytes_read != len(data)) if exact else not (
            0 < s.bytes_read <= len(data)):
        problems.append(f"Summary.bytes_read {s.bytes_read}, upload "
                        f"{len(data)} bytes")
    if s.flows_written != n_rows:
        problems.append(f"Summary.flows_written {s.flows_written} != "
                        f"{n_rows} rows expected")
    if warning is None and list(s.warnings):
        problems.append(f"unexpected warnings {list(s.warnings)}")
    if warning is not None and not any(warning in w for w in s.warnings):
        problems.append(f"no warning containing {warning!r}: "
                        f"{list(s.warnings)}")
    if stats_path:
        problems += summary_vs_stats(s, ctx.corpus.convert_stats(stats_path))
    name = sanitize(file_name)
    if output == pb.OUTPUT_FORMAT_FLOWS:
        if len(out.flows) != s.flows_written:
            problems.append(f"{len(out.flows)} flows != Summary."
                            f"flows_written {s.flows_written}")
        diff = flows_diff(expected_csv, out.flows)
        if diff:
            problems.append(diff)
        return problems
    start = out.of("output_start")
    if not start:
        return problems
    start = start[0]
    if list(start.warnings) != list(s.warnings):
        problems.append(f"OutputStart.warnings {list(start.warnings)} != "
                        f"Summary.warnings {list(s.warnings)}")
    if output == pb.OUTPUT_FORMAT_CSV:
        if start.file_name != name + "_Flow.csv":
            problems.append(f"OutputStart.file_name {start.file_name!r}, "
                            f"want {name + '_Flow.csv'!r}")
        if not start.content_type.startswith("text/csv"):
            problems.append(f"content_type {start.content_type!r}")
        csv = out.output
    else:
        if not start.file_name.endswith(".zip"):
            problems.append(f"OutputStart.file_name {start.file_name!r}")
        if start.content_type != "application/zip":
            problems.append(f"content_type {start.content_type!r}")
        try:
            zf = zipfile.ZipFile(io.BytesIO(out.output))
            bad = zf.testzip()
            if bad:
                problems.append(f"zip member {bad} has a bad CRC")
            names = sorted(zf.namelist())
            want = sorted([name + "_Flow.csv", "summary.txt"])
            if names != want:
                problems.append(f"zip holds {names}, want {want}")
            csv = zf.read(name + "_Flow.csv") if name + "_Flow.csv" in \
                names else b""
            if "summary.txt" in names:
                problems += summary_txt_problems(zf.read("summary.txt"), s,
                                                 warning)
        except zipfile.BadZipFile as e:
            return problems + [f"not a zip: {e}"]
    diff = csv_diff(expected_csv, csv)
    if diff:
        problems.append(diff)
    return problems


# ---------------------------------------------------------------------------
# the test run

class Context:
    def __init__(self, args, corpus, work):
        self.args, self.corpus, self.work = args, corpus, work
        self.passed = 0
        self.failed = []
        self.servers = {}
        self.configs = {}
        self.starts = {}
        self.dead = []
        self.stubs = {}
        self.channels = []
        self.lock = threading.Lock()

    def check(self, ok, what, detail=""):
        with self.lock:
            if ok:
                self.passed += 1
                print(f"ok   {what}", flush=True)
            else:
                self.failed.append(what)
                text = str(detail).replace("\n", "\n       ")
                print(f"FAIL {what}: {text}", flush=True)

    def channel(self, server):
        ch = grpc.insecure_channel(
            self.servers[server].grpc_address,
            options=[("grpc.use_local_subchannel_pool", 1)])
        self.channels.append(ch)
        return ch

    def stub(self, server):
        if server not in self.stubs:
            self.stubs[server] = pb_grpc.FlowMeterStub(self.channel(server))
        return self.stubs[server]

    def start_server(self, name):
        """Starts server `name` from self.configs; False if it failed."""
        n = self.starts[name] = self.starts.get(name, 0) + 1
        suffix = "" if n == 1 else f"-{n}"
        srv = Server(self.args.cicflow,
                     os.path.join(self.work, f"tmp-{name}{suffix}"),
                     os.path.join(self.work, f"server-{name}{suffix}.log"),
                     **self.configs[name])
        try:
            srv.start()
        except ServerError as e:
            self.check(False, f"start {name} server", e)
            return False
        self.servers[name] = srv
        self.stubs.pop(name, None)
        self.check(True, f"start {name} server ({srv.grpc_address}, "
                   f"{' '.join(srv.args[2:])})")
        return True

    def ensure_alive(self, name):
        """A server that died is a failure; start a new one so that the
        remaining tests still run."""
        srv = self.servers.get(name)
        if srv is None:
            return
        answering = srv.alive() and self.answers_health(srv)
        if not answering:
            try:  # a crashing process may take a moment to go
                srv.proc.wait(3)
            except subprocess.TimeoutExpired:
                pass
        if not answering:
            code = srv.proc.poll()
            self.check(False, f"{name} server died" if code is not None else
                       f"{name} server does not answer health checks",
                       f"exit status {code}; log:\n" + srv.log_tail(15))
            srv.stop()
            self.dead.append(srv)
            self.start_server(name)

    @staticmethod
    def answers_health(srv):
        with grpc.insecure_channel(srv.grpc_address) as ch:
            try:
                health_grpc.HealthStub(ch).Check(
                    health_pb.HealthCheckRequest(), timeout=10)
                return True
            except grpc.RpcError:
                return False

    def after_call(self, server, what, timeout=5.0):
        """The server is alive and its tmp dir empty once a call ended."""
        srv = self.servers[server]
        left = srv.wait_tmp_empty(timeout)
        self.check(not left, f"{what}: tmp dir empty afterwards",
                   f"left in --tmp-dir after {timeout} s: {left[:5]}")
        self.ensure_alive(server)


TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


Z, C, F = "OUTPUT_FORMAT_ZIP", "OUTPUT_FORMAT_CSV", "OUTPUT_FORMAT_FLOWS"

# (capture, output, chunk size, warning a damaged capture must give)
RESULT_CASES = [
    ("edge/tcp-nopad.pcap", C, 7, None),
    ("edge/zero-duration.pcap", F, 7, None),          # NaN and Infinity
    ("delta/d01-fin-teardown.pcap", Z, 4096, None),
    ("delta/d13-subflow-active-idle.pcap", F, 4096, None),
    ("edge/nanosec.pcap", Z, 65536, None),
    ("edge/ng-as.pcap", F, 4096, None),               # pcapng
    ("edge/tcp-sll.pcap", C, 4096, None),
    ("real/ndpi__443-firefox.pcap", Z, 4096, None),
    ("real/ndpi__netflix.pcap", C, 65536, None),
    ("real/ndpi__netflix.pcap", F, MiB, None),
    ("real/zeek__irc-dcc-send.pcapng", Z, MiB, None),
    ("real/ndpi__sites.pcapng", F, 65536, None),      # NaN and Infinity
    ("real/nfstream__skype.pcap", C, MiB, None),
    ("real/ndpi__gnutella.pcap", F, MiB, None),
    ("jnet/test-http-jpeg.pcap", F, 65536, None),
    ("jnet/tc_TC_IDPRE_EXT0140.pcap", Z, 4096, "damaged capture at packet 588"),
    ("jnet/tc_TC_IDPRE_EXT0140.pcap", F, 65536, "damaged capture at packet 588"),
    ("jnet/tc_TC_IDPRE_EXT0140.pcap", C, MiB, "damaged capture at packet 588"),
    ("real/ndpi__fuzz-2021-10-13.pcap", C, 7, "damaged capture at packet 2"),
    ("real/ndpi__fuzz-2021-10-13.pcap", Z, MiB, "damaged capture at packet 2"),
    ("real/ndpi__fuzz-2021-10-13.pcap", F, 4096, "damaged capture at packet 2"),
]


@test
def results_match_cicflowmeter(ctx):
    stub = ctx.stub("main")
    for rel, output, chunk, warning in RESULT_CASES:
        fmt = pb.OutputFormat.Value(output)
        data = ctx.corpus.data(rel)
        name = os.path.basename(rel)
        out = process(stub, upload(options(name, fmt), data, chunk))
        problems = result_problems(ctx, out, fmt, data,
                                   ctx.corpus.expected(rel), name, warning,
                                   stats_path=ctx.corpus.path(rel))
        ctx.check(not problems, f"{rel} {output[14:]} chunks of {chunk}",
                  "\n".join(problems))
    ctx.after_call("main", "result calls")


@test
def file_name_and_defaults(ctx):
    stub = ctx.stub("main")
    rel = "delta/d01-fin-teardown.pcap"
    data, exp = ctx.corpus.data(rel), ctx.corpus.expected(rel)
    for name in ["some/dir/my trace;1(copy).pcap", "", "a+b-c_d.e.pcap"]:
        for output in (C, Z):
            fmt = pb.OutputFormat.Value(output)
            out = process(stub, upload(options(name, fmt), data, 4096))
            problems = result_problems(ctx, out, fmt, data, exp, name)
            ctx.check(not problems, f"file_name {name!r} {output[14:]} -> "
                      f"{sanitize(name)}_Flow.csv", "\n".join(problems))
    # Every option set to its documented default value explicitly.
    opts = pb.ProcessOptions(
        file_name="x.pcap", profile=pb.PROFILE_CIC,
        flow_timeout_us=120000000, activity_timeout_us=5000000,
        label="No Label", output=pb.OUTPUT_FORMAT_CSV, time_zone="UTC",
        columns=pb.COLUMN_DIALECT_CICFLOWMETER, min_packets=2,
        extra_columns=[pb.EXTRA_COLUMN_UNSPECIFIED])
    out = process(stub, upload(opts, data, 4096))
    problems = result_problems(ctx, out, pb.OUTPUT_FORMAT_CSV, data, exp,
                               "x.pcap")
    ctx.check(not problems, "options set to their defaults explicitly",
              "\n".join(problems))
    # Empty chunks anywhere in the upload are ignored.
    out = process(stub, upload(options("e.pcap", pb.OUTPUT_FORMAT_FLOWS),
                               data, 100, empty_every=1))
    problems = result_problems(ctx, out, pb.OUTPUT_FORMAT_FLOWS, data, exp,
                               "e.pcap")
    ctx.check(not problems, "empty chunks between the chunks are ignored",
              "\n".join(problems))
    ctx.after_call("main", "file_name calls")


def relabel(csv_bytes, label, zone):
    """`csv_bytes` as it would be with another Label and time zone."""
    lines = csv_lines(csv_bytes)
    out = [lines[0]]
    for line in lines[1:]:
        cells = line.decode().split(",")
        t = datetime.datetime.strptime(cells[6], "%d/%m/%Y %I:%M:%S %p")
        t = t.replace(tzinfo=datetime.timezone.utc).astimezone(zone)
        cells[6] = t.strftime("%d/%m/%Y %I:%M:%S %p")
        cells[83] = label
        out.append(",".join(cells).encode())
    return b"\n".join(out) + b"\n"


@test
def label_and_time_zone(ctx):
    from zoneinfo import ZoneInfo
    stub = ctx.stub("main")
    cases = [
        ("edge/epoch0.pcap", "+05:30",
         datetime.timezone(datetime.timedelta(hours=5, minutes=30))),
        ("delta/d01-fin-teardown.pcap", "Europe/Paris",
         ZoneInfo("Europe/Paris")),
        ("real/ndpi__443-firefox.pcap", "-03:00",
         datetime.timezone(datetime.timedelta(hours=-3))),
    ]
    for rel, tz, zone in cases:
        data = ctx.corpus.data(rel)
        exp = relabel(ctx.corpus.expected(rel), "Benign-1", zone)
        for output in (C, F):
            fmt = pb.OutputFormat.Value(output)
            opts = options("t.pcap", fmt, label="Benign-1", time_zone=tz)
            out = process(stub, upload(opts, data, 65536))
            problems = result_problems(ctx, out, fmt, data, exp, "t.pcap")
            ctx.check(not problems, f"{rel} {output[14:]} label Benign-1 "
                      f"time_zone {tz}", "\n".join(problems))
    ctx.after_call("main", "label/time zone calls")


def option_cases():
    """(capture, ProcessOptions keywords, the same options for convert),
    each chosen so that the option changes the capture's rows."""
    corrected = dict(profile=pb.PROFILE_CORRECTED)
    return [
        ("delta/d01-fin-teardown.pcap",
         dict(columns=pb.COLUMN_DIALECT_CICIDS2017),
         ["--columns", "cicids2017"]),
        ("delta/d10-icmp.pcap",
         dict(columns=pb.COLUMN_DIALECT_SNAKE,
              extra_columns=[pb.EXTRA_COLUMN_RST, pb.EXTRA_COLUMN_END_REASON,
                             pb.EXTRA_COLUMN_ICMP, pb.EXTRA_COLUMN_TIMES]),
         ["--columns", "snake", "--extra-columns", "all"]),
        ("delta/d08-tcp-timeout.pcap", dict(flow_timeout_us=10000000),
         ["--active-timeout", "10"]),
        ("real/ndpi__reddit.pcap", dict(min_packets=3),
         ["--min-packets", "3"]),
        ("delta/d07-single-packet.pcap", corrected,
         ["--profile", "corrected"]),
        ("delta/d10-icmp.pcap",
         dict(corrected, columns=pb.COLUMN_DIALECT_CICIDS2017,
              extra_columns=[pb.EXTRA_COLUMN_ICMP, pb.EXTRA_COLUMN_TIMES,
                             pb.EXTRA_COLUMN_ICMP]),
         ["--profile", "corrected", "--columns", "cicids2017",
          "--extra-columns", "icmp,times"]),
        ("delta/d05-half-close.pcap",
         dict(corrected, teardown_grace_us=1000,
              extra_columns=[pb.EXTRA_COLUMN_END_REASON]),
         ["--profile", "corrected", "--teardown-grace", "0.001",
          "--extra-columns", "end_reason"]),
        ("real/ndpi__reddit.pcap",
         dict(corrected, flow_timeout_us=7500000, idle_timeout_us=1500000,
              min_packets=2),
         ["--profile", "corrected", "--active-timeout", "7.5",
          "--idle-timeout", "1.5", "--min-packets", "2"]),
        ("edge/nonip-ipv6.pcap", corrected, ["--profile", "corrected"]),
        ("edge/ipfrag.pcap", corrected, ["--profile", "corrected"]),
    ]


@test
def new_options(ctx):
    """Each option reaches the handler: the CSV equals convert's with the
    same options (and differs from the defaults'), Summary equals its
    --stats; FLOWS gives as many flows."""
    stub = ctx.stub("main")
    for rel, kw, cli in option_cases():
        path = ctx.corpus.path(rel)
        data = ctx.corpus.data(rel)
        want, stats = ctx.corpus.convert(path, cli)
        default, _ = ctx.corpus.convert(path)
        for output in (C, Z, F):
            fmt = pb.OutputFormat.Value(output)
            out = process(stub, upload(options("o.pcap", fmt, **kw), data,
                                       65536))
            if out.code != OK or out.summary is None:
                ctx.check(False, f"{rel} {kw}", out.status())
                continue
            problems = summary_vs_stats(out.summary, stats)
            if output == F:
                n = len(csv_lines(want)) - 1
                if len(out.flows) != n:
                    problems.append(f"{len(out.flows)} flows, want {n}")
            else:
                problems += result_problems(ctx, out, fmt, data, want,
                                            "o.pcap")
            ctx.check(not problems, f"{rel} {output[14:]} "
                      f"{' '.join(cli)}: convert's rows and counts",
                      "\n".join(problems))
        ctx.check(csv_diff(default, want) is not None,
                  f"{rel} {' '.join(cli)}: differs from the defaults")
    ctx.after_call("main", "new option calls")


@test
def dialect_headers_and_single_packet_flows(ctx):
    stub = ctx.stub("main")
    data = ctx.corpus.data("delta/d01-fin-teardown.pcap")
    opts = options("h.pcap", pb.OUTPUT_FORMAT_CSV,
                   columns=pb.COLUMN_DIALECT_CICIDS2017)
    out = process(stub, upload(opts, data, 65536))
    lines = csv_lines(out.output)
    head = lines[0].decode() if lines else ""
    names = head.split(",")
    ctx.check(out.code == OK and len(names) == 85 and
              names[1] == " Source IP" and
              [n.strip() for n in names].count("Fwd Header Length") == 2 and
              all(len(l.split(b",")) == 85 for l in lines[1:]),
              "COLUMN_DIALECT_CICIDS2017: 85 columns with leading spaces, "
              "Fwd Header Length twice", head[:120])
    opts = options("h.pcap", pb.OUTPUT_FORMAT_CSV,
                   columns=pb.COLUMN_DIALECT_SNAKE)
    out = process(stub, upload(opts, data, 65536))
    head = csv_lines(out.output)[0].decode() if out.output else ""
    ctx.check(out.code == OK and head.startswith("flow_id,src_ip,") and
              len(head.split(",")) == 84 and head == head.lower(),
              "COLUMN_DIALECT_SNAKE: 84 snake_case names", head[:120])
    data = ctx.corpus.data("delta/d07-single-packet.pcap")
    for profile, rows, dropped in ((pb.PROFILE_CIC, 0, 5),
                                   (pb.PROFILE_CORRECTED, 5, 0)):
        out = process(stub, upload(options("s.pcap", pb.OUTPUT_FORMAT_CSV,
                                           profile=profile), data, 65536))
        s = out.summary
        got = len(csv_lines(out.output)) - 1
        ctx.check(out.code == OK and got == rows and s is not None and
                  s.flows_dropped_single == dropped and
                  s.packets_in_dropped_flows == dropped,
                  f"d07-single-packet {pb.Profile.Name(profile)}: {rows} "
                  f"rows, {dropped} flows dropped", f"{got} rows; {s}")
    ctx.after_call("main", "dialect calls")


def extras_of_csv(csv):
    """(Flow ID, Timestamp, the 7 extra cells) of each row of a CSV
    written with --extra-columns all in the cicflowmeter dialect."""
    rows = collections.Counter()
    for line in csv_lines(csv)[1:]:
        c = line.decode().split(",")
        rows[(c[0], c[6], c[84]) + tuple(int(x) for x in c[85:91])] += 1
    return rows


def extras_of_flows(flows):
    return collections.Counter(
        (f.flow_id, f.timestamp, pb.EndReason.Name(f.end_reason)[11:].lower(),
         f.first_packet_us, f.last_packet_us, f.icmp_type, f.icmp_code,
         f.fwd_rst_flags, f.bwd_rst_flags) for f in flows)


@test
def flow_extra_fields(ctx):
    """Flow fields 100-106 carry what convert's extra columns say."""
    stub = ctx.stub("main")
    for rel, profile in (("delta/d10-icmp.pcap", pb.PROFILE_CORRECTED),
                         ("delta/d03-rst.pcap", pb.PROFILE_CORRECTED),
                         ("delta/d08-tcp-timeout.pcap", pb.PROFILE_CORRECTED),
                         ("real/ndpi__reddit.pcap", pb.PROFILE_CIC)):
        name = pb.Profile.Name(profile)[8:].lower()
        want, _ = ctx.corpus.convert(ctx.corpus.path(rel),
                                     ["--profile", name, "--extra-columns",
                                      "all"])
        out = process(stub, upload(options("x.pcap", pb.OUTPUT_FORMAT_FLOWS,
                                           profile=profile),
                                   ctx.corpus.data(rel), 65536))
        exp, got = extras_of_csv(want), extras_of_flows(out.flows)
        ctx.check(out.code == OK and exp == got and sum(exp.values()) > 0,
                  f"{rel} {name}: Flow end_reason, times, ICMP and RST "
                  "fields equal convert's extra columns",
                  f"{out.status()}; missing {list(exp - got)[:2]}, extra "
                  f"{list(got - exp)[:2]}")
    ctx.after_call("main", "flow extra fields")


def expect_status(ctx, what, out, code, *texts):
    ok = out.code == code and all(t in out.details for t in texts)
    if code != OK and out.messages and out.code == code:
        kinds = collections.Counter(m.WhichOneof("payload")
                                    for m in out.messages)
        if kinds.get("summary") or kinds.get("output_chunk"):
            ok = False
            texts = texts + (f"(but results were sent: {dict(kinds)})",)
    want = code.name + (" with " + " and ".join(repr(t) for t in texts)
                        if texts else "")
    ctx.check(ok, what, f"want {want}; got {out.status()}")


@test
def not_a_capture(ctx):
    stub = ctx.stub("main")
    text = b"id,src_ip,dst_ip,bytes\n1,10.0.0.1,10.0.0.2,100\n" * 50
    for output in (Z, F):
        fmt = pb.OutputFormat.Value(output)
        out = process(stub, upload(options("notes.pcap", fmt), text, 4096))
        expect_status(ctx, f"text file {output[14:]} -> INVALID_ARGUMENT",
                      out, grpc.StatusCode.INVALID_ARGUMENT, "not a capture",
                      "found text starting")
    cases = [
        ("real/nfstream__results__ssh.pcap", ["found text starting"]),
        ("real/zeek__smtp__mime-header-size-limit.pcap.gz", ["gzip"]),
        ("jnet/FTPv6-1.cap", ["not a capture", "47 4d 42 55"]),
        ("real/derived__garbage_random.pcap", ["not a capture"]),
        ("real/derived__truncated_file_header.pcap", ["truncated"]),
    ]
    for rel, texts in cases:
        data = ctx.corpus.data(rel)
        out = process(stub, upload(options(os.path.basename(rel),
                                           pb.OUTPUT_FORMAT_CSV), data, 7))
        expect_status(ctx, f"{rel} -> INVALID_ARGUMENT", out,
                      grpc.StatusCode.INVALID_ARGUMENT, *texts)
    out = process(stub, upload(options("empty.pcap", pb.OUTPUT_FORMAT_ZIP),
                               b"", 1))
    expect_status(ctx, "empty upload -> INVALID_ARGUMENT", out,
                  grpc.StatusCode.INVALID_ARGUMENT)
    ctx.after_call("main", "not-a-capture calls")


@test
def bad_requests(ctx):
    stub = ctx.stub("main")
    data = ctx.corpus.data("edge/tcp-nopad.pcap")
    inv = grpc.StatusCode.INVALID_ARGUMENT

    def reqs(*msgs):
        return iter(list(msgs))

    opts = options("a.pcap", pb.OUTPUT_FORMAT_CSV)
    chunk = pb.ProcessPcapRequest(chunk=data)
    out = process(stub, reqs(chunk))
    expect_status(ctx, "chunk before options -> INVALID_ARGUMENT", out, inv)
    out = process(stub, reqs())
    expect_status(ctx, "no message at all -> INVALID_ARGUMENT", out, inv)
    for what, kw in [("label with a comma", {"label": "a,b"}),
                     ("label with a quote", {"label": 'a"b'}),
                     ("label of 128 bytes", {"label": "x" * 128}),
                     ("unknown time zone", {"time_zone": "Mars/Olympus"}),
                     ("unknown output format 9", {"output": 9})]:
        o = pb.ProcessOptions(file_name="a.pcap", **kw)
        if "output" not in kw:
            o.output = pb.OUTPUT_FORMAT_CSV
        out = process(stub, upload(o, data, 4096))
        expect_status(ctx, f"{what} -> INVALID_ARGUMENT", out, inv)
    corrected = pb.PROFILE_CORRECTED
    for what, kw, text in [
            ("unknown profile 7", {"profile": 7}, "unknown profile 7"),
            ("unknown columns 9", {"columns": 9}, "unknown columns 9"),
            ("unknown extra column 9", {"extra_columns": [1, 9]},
             "unknown extra_columns value 9"),
            ("idle_timeout_us without a profile", {"idle_timeout_us": 5},
             "idle_timeout_us applies only to PROFILE_CORRECTED"),
            ("teardown_grace_us with PROFILE_CIC",
             {"teardown_grace_us": 5, "profile": pb.PROFILE_CIC},
             "teardown_grace_us applies only to PROFILE_CORRECTED"),
            ("idle_timeout_us of 2^63", {"idle_timeout_us": 1 << 63,
                                         "profile": corrected},
             "idle_timeout_us is 9223372036854775808"),
            ("teardown_grace_us over ten years",
             {"teardown_grace_us": 316224000000001, "profile": corrected},
             "teardown_grace_us"),
            ("flow_timeout_us of 2^64-1", {"flow_timeout_us": (1 << 64) - 1},
             "flow_timeout_us")]:
        o = pb.ProcessOptions(file_name="a.pcap", output=pb.OUTPUT_FORMAT_CSV,
                              **kw)
        out = process(stub, upload(o, data, 4096))
        expect_status(ctx, f"{what} -> INVALID_ARGUMENT", out, inv,
                      "invalid options", text)
    o = options("a.pcap", pb.OUTPUT_FORMAT_CSV, label="y" * 127)
    out = process(stub, upload(o, data, 4096))
    exp = relabel(ctx.corpus.expected("edge/tcp-nopad.pcap"), "y" * 127,
                  datetime.timezone.utc)
    problems = result_problems(ctx, out, pb.OUTPUT_FORMAT_CSV, data, exp,
                               "a.pcap")
    ctx.check(not problems, "label of 127 bytes is accepted",
              "\n".join(problems))
    # A message over the 4 MiB limit.
    out = process(stub, reqs(pb.ProcessPcapRequest(options=opts),
                             pb.ProcessPcapRequest(chunk=data[:24]),
                             pb.ProcessPcapRequest(chunk=b"\0" * (5 * MiB))))
    expect_status(ctx, "5 MiB message -> RESOURCE_EXHAUSTED", out,
                  grpc.StatusCode.RESOURCE_EXHAUSTED)
    # Message compression other than identity.
    out = process(stub, upload(opts, data, 4096),
                  compression=grpc.Compression.Gzip)
    expect_status(ctx, "grpc-encoding gzip -> UNIMPLEMENTED", out,
                  grpc.StatusCode.UNIMPLEMENTED)
    # Options again after the first message.
    out = process(stub, reqs(pb.ProcessPcapRequest(options=opts),
                             pb.ProcessPcapRequest(chunk=data[:24]),
                             pb.ProcessPcapRequest(options=opts),
                             pb.ProcessPcapRequest(chunk=data[24:])))
    expect_status(ctx, "options twice -> INVALID_ARGUMENT", out, inv)
    ctx.after_call("main", "bad requests")


@test
def unknown_methods(ctx):
    ch = ctx.channel("main")
    for path in ["/cicflow.v1.FlowMeter/Nope", "/cicflow.v1.Nope/ProcessPcap",
                 "/grpc.health.v1.Health/Nope"]:
        try:
            ch.unary_unary(path)(b"", timeout=10)
            got = "OK"
        except grpc.RpcError as e:
            got = e.code().name
        ctx.check(got == "UNIMPLEMENTED", f"{path} -> UNIMPLEMENTED",
                  "got " + got)
    ctx.check(ctx.servers["main"].alive(), "server alive after unknown "
              "methods")


@test
def health(ctx):
    stub = health_grpc.HealthStub(ctx.channel("main"))
    for service in ["", "cicflow.v1.FlowMeter"]:
        try:
            r = stub.Check(health_pb.HealthCheckRequest(service=service),
                           timeout=10)
            got = health_pb.HealthCheckResponse.ServingStatus.Name(r.status)
        except grpc.RpcError as e:
            got = f"error {e.code().name} {e.details()!r}"
        ctx.check(got == "SERVING", f"health {service!r} -> SERVING",
                  "got " + got)
    for service in ["nope.Service", "cicflow.v1.FlowMeterX"]:
        try:
            r = stub.Check(health_pb.HealthCheckRequest(service=service),
                           timeout=10)
            got = "OK " + str(r.status)
        except grpc.RpcError as e:
            got = e.code().name
        ctx.check(got == "NOT_FOUND", f"health {service!r} -> NOT_FOUND",
                  "got " + got)


@test
def cancel_mid_upload(ctx):
    """Cancels a ZIP upload after 8 MiB of a large capture, while the
    client is still sending; the server must drop the call and its spool
    file and take the next call as usual."""
    stub = ctx.stub("main")
    data = ctx.bench()
    sent = threading.Event()
    holder = []

    def reqs():
        yield pb.ProcessPcapRequest(options=options("big.pcap",
                                                    pb.OUTPUT_FORMAT_ZIP))
        for i, off in enumerate(range(0, len(data), MiB)):
            if i == 8:
                sent.set()
            yield pb.ProcessPcapRequest(chunk=data[off:off + MiB])

    def canceller():
        if sent.wait(60) and holder:
            time.sleep(0.2)
            holder[0].cancel()

    t = threading.Thread(target=canceller)
    t.start()
    out = process(stub, reqs(), timeout=120, on_call=holder.append)
    t.join()
    ctx.check(out.code == grpc.StatusCode.CANCELLED and out.summary is None,
              "cancel mid-upload ends the call as CANCELLED",
              f"got {out.status()} after {out.elapsed:.1f} s")
    ctx.after_call("main", "cancel mid-upload")
    rel = "real/ndpi__443-firefox.pcap"
    small = ctx.corpus.data(rel)
    out = process(stub, upload(options("after.pcap", pb.OUTPUT_FORMAT_ZIP),
                               small, 65536))
    problems = result_problems(ctx, out, pb.OUTPUT_FORMAT_ZIP, small,
                               ctx.corpus.expected(rel), "after.pcap")
    ctx.check(not problems, "a call after the cancel works",
              "\n".join(problems))
    ctx.after_call("main", "call after cancel")


CONCURRENT = [
    ("real/ndpi__443-firefox.pcap", Z),
    ("real/ndpi__netflix.pcap", F),
    ("jnet/test-http-jpeg.pcap", C),
    ("real/ndpi__reddit.pcap", Z),
    ("real/zeek__http__bro.org.pcap", F),
    ("jnet/tc_TC_IDPRE_EXT0140.pcap", C),
    ("real/ndpi__gnutella.pcap", Z),
    ("delta/d12-bulk.pcap", F),
]


@test
def sixteen_concurrent_calls(ctx):
    stubs = [pb_grpc.FlowMeterStub(ctx.channel("main")) for _ in range(4)]
    jobs = []
    for i in range(16):
        rel, output = CONCURRENT[i % len(CONCURRENT)]
        jobs.append((i, stubs[i % 4], rel, pb.OutputFormat.Value(output)))
    damaged = {"jnet/tc_TC_IDPRE_EXT0140.pcap":
               "damaged capture at packet 588"}

    def run(job):
        i, stub, rel, fmt = job
        data = ctx.corpus.data(rel)
        name = f"c{i}-{os.path.basename(rel)}"
        out = process(stub, upload(options(name, fmt), data, 65536),
                      timeout=120)
        return job, out, result_problems(ctx, out, fmt, data,
                                         ctx.corpus.expected(rel), name,
                                         damaged.get(rel))

    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        results = list(pool.map(run, jobs))
    took = time.monotonic() - t0
    for (i, _, rel, fmt), out, problems in results:
        ctx.check(not problems, f"concurrent call {i:2} {rel} "
                  f"{pb.OutputFormat.Name(fmt)[14:]} ({out.elapsed:.1f} s)",
                  "\n".join(problems))
    print(f"     16 concurrent calls on 4 channels took {took:.1f} s")
    ctx.after_call("main", "16 concurrent calls")


@test
def flows_stream_before_upload_ends(ctx):
    """FLOWS mode on a 200,000-packet capture: the request iterator stops
    half way and waits for a FlowBatch; one must come while the upload is
    unfinished. The flows must equal `cicflow convert`'s CSV."""
    stub = ctx.stub("main")
    data = ctx.bench()
    got_batch = threading.Event()
    state = {"iterator_done": False, "batch_while_uploading": None,
             "waited": None}
    n_chunks = (len(data) + MiB - 1) // MiB

    def reqs():
        yield pb.ProcessPcapRequest(options=options(
            "bench.pcap", pb.OUTPUT_FORMAT_FLOWS))
        for i, off in enumerate(range(0, len(data), MiB)):
            if i == n_chunks // 2:
                t0 = time.monotonic()
                got_batch.wait(30)
                state["waited"] = time.monotonic() - t0
            yield pb.ProcessPcapRequest(chunk=data[off:off + MiB])
        state["iterator_done"] = True

    def on_message(m):
        if m.WhichOneof("payload") == "flows" and not got_batch.is_set():
            state["batch_while_uploading"] = not state["iterator_done"]
            got_batch.set()

    out = process(stub, reqs(), timeout=150, on_message=on_message)
    ctx.check(state["batch_while_uploading"] is True,
              "FLOWS: first FlowBatch arrives before the upload ends",
              f"batch while uploading: {state['batch_while_uploading']}, "
              f"iterator waited {state['waited']} s at chunk "
              f"{n_chunks // 2}/{n_chunks}; status {out.status()}")
    exp = ctx.bench_csv()
    problems = result_problems(ctx, out, pb.OUTPUT_FORMAT_FLOWS, data, exp,
                               "bench.pcap", stats_path=ctx.bench_path)
    ctx.check(not problems, f"FLOWS of {len(data) // MiB} MiB capture equal "
              f"convert's CSV ({out.elapsed:.1f} s)", "\n".join(problems))
    prog = out.of("progress")
    mono = all(a.bytes_read <= b.bytes_read for a, b in zip(prog, prog[1:]))
    ctx.check(len(prog) >= 1 and mono, "Progress messages sent, bytes_read "
              "not decreasing", f"{len(prog)} Progress messages: "
              f"{[p.bytes_read for p in prog[:5]]}")
    ctx.after_call("main", "large FLOWS call")


# --- the small server: 1 worker, queue of 1, limit = LIMIT_CAPTURE -----

LIMIT_CAPTURE = "jnet/test-http-jpeg.pcap"
SMALL_CAPTURE = "real/ndpi__ocs.pcap"  # under the limit


@test
def upload_limit(ctx):
    stub = ctx.stub("small")
    data = ctx.corpus.data(LIMIT_CAPTURE)
    out = process(stub, upload(options("l.pcap", pb.OUTPUT_FORMAT_CSV),
                               data, 65536))
    problems = result_problems(ctx, out, pb.OUTPUT_FORMAT_CSV, data,
                               ctx.corpus.expected(LIMIT_CAPTURE), "l.pcap")
    ctx.check(not problems, f"upload of exactly --max-upload-bytes "
              f"({len(data)}) is accepted", "\n".join(problems))
    for output in (C, F):
        fmt = pb.OutputFormat.Value(output)
        out = process(stub, upload(options("l.pcap", fmt), data + b"\0",
                                   65536))
        expect_status(ctx, f"upload of --max-upload-bytes + 1 {output[14:]} "
                      "-> RESOURCE_EXHAUSTED", out,
                      grpc.StatusCode.RESOURCE_EXHAUSTED)
    big = ctx.corpus.data("real/zeek__irc-dcc-send.pcapng")
    out = process(stub, upload(options("b.pcap", pb.OUTPUT_FORMAT_ZIP),
                               big, MiB))
    expect_status(ctx, f"upload of {len(big)} bytes -> RESOURCE_EXHAUSTED",
                  out, grpc.StatusCode.RESOURCE_EXHAUSTED)
    ctx.after_call("small", "upload limit")


def stalled_upload(data, release, fmt=None):
    """Options and the capture's first 24 bytes, then nothing until
    `release` is set, then the rest."""
    fmt = pb.OUTPUT_FORMAT_FLOWS if fmt is None else fmt
    yield pb.ProcessPcapRequest(options=options("s.pcap", fmt))
    yield pb.ProcessPcapRequest(chunk=data[:24])
    release.wait(60)
    for off in range(24, len(data), 4096):
        yield pb.ProcessPcapRequest(chunk=data[off:off + 4096])


@test
def busy_server_refuses_at_once(ctx):
    """1 worker, queue of 1: with one call running and one waiting, a
    third is refused at once; cancelling the first lets the second run."""
    stub = ctx.stub("small")
    rel = SMALL_CAPTURE
    data, exp = ctx.corpus.data(rel), ctx.corpus.expected(rel)
    releases = [threading.Event(), threading.Event()]
    calls = [[], []]
    pool = concurrent.futures.ThreadPoolExecutor(2)
    try:
        first = pool.submit(process, stub, stalled_upload(data, releases[0]),
                            60, calls[0].append)
        time.sleep(0.7)
        second = pool.submit(process, stub, stalled_upload(data, releases[1]),
                             60, calls[1].append)
        time.sleep(0.7)
        out = process(stub, upload(options("third.pcap",
                                           pb.OUTPUT_FORMAT_CSV), data, 65536),
                      timeout=20)
        expect_status(ctx, "third call while worker and queue are taken -> "
                      "RESOURCE_EXHAUSTED", out,
                      grpc.StatusCode.RESOURCE_EXHAUSTED)
        ctx.check(out.elapsed < 3.0, "... and at once",
                  f"took {out.elapsed:.1f} s")
        calls[0][0].cancel()
        r1 = first.result(30)
        ctx.check(r1.code == grpc.StatusCode.CANCELLED,
                  "cancelled running call ends CANCELLED", r1.status())
        releases[1].set()
        r2 = second.result(60)
        problems = result_problems(ctx, r2, pb.OUTPUT_FORMAT_FLOWS, data,
                                   exp, "s.pcap")
        ctx.check(not problems, "queued call runs once the worker is free",
                  "\n".join(problems))
    finally:
        for ev in releases:
            ev.set()
        for c in calls:
            if c:
                c[0].cancel()
        pool.shutdown(wait=True)
    out = process(stub, upload(options("fourth.pcap", pb.OUTPUT_FORMAT_ZIP),
                               data, 65536), timeout=20)
    problems = result_problems(ctx, out, pb.OUTPUT_FORMAT_ZIP, data, exp,
                               "fourth.pcap")
    ctx.check(not problems, "next call after that works", "\n".join(problems))
    ctx.after_call("small", "busy server")


@test
def deadline(ctx):
    """A 0.5 s deadline on an upload that stalls after its first bytes:
    DEADLINE_EXCEEDED, and the single worker is free again afterwards."""
    stub = ctx.stub("small")
    rel = SMALL_CAPTURE
    data, exp = ctx.corpus.data(rel), ctx.corpus.expected(rel)
    for output in (F, Z):
        fmt = pb.OutputFormat.Value(output)
        release = threading.Event()
        try:
            out = process(stub, stalled_upload(data, release, fmt),
                          timeout=0.5)
        finally:
            release.set()
        ctx.check(out.code == grpc.StatusCode.DEADLINE_EXCEEDED and
                  out.elapsed < 3.0, f"stalled {output[14:]} upload with a "
                  "0.5 s deadline -> DEADLINE_EXCEEDED",
                  f"got {out.status()} after {out.elapsed:.2f} s")
        ctx.after_call("small", f"deadline {output[14:]}")
        out = process(stub, upload(options("n.pcap", fmt), data, 65536),
                      timeout=20)
        problems = result_problems(ctx, out, fmt, data, exp, "n.pcap")
        ctx.check(not problems, "the worker is free again after the "
                  "deadline", "\n".join(problems))


# ---------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cicflow", required=True)
    ap.add_argument("--proto-dir", required=True,
                    help="the repository's proto/ folder")
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--bench-tool", required=True,
                    help="gen_bench_pcap.py, to make the large capture")
    ap.add_argument("--health-proto", default="/usr/share/grpc-proto/grpc/"
                    "health/v1/health.proto")
    ap.add_argument("--protoc", default=shutil.which("protoc") or "protoc")
    ap.add_argument("--grpc-python-plugin", default="/usr/bin/"
                    "grpc_python_plugin")
    ap.add_argument("--keep", action="store_true",
                    help="keep the work dir (server logs, stubs)")
    ap.add_argument("--only", action="append", default=[],
                    help="run only tests whose name contains this")
    ap.add_argument("--time-limit", type=float, default=540,
                    help="stop everything after this many seconds")
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="cicflow-rpc-py-")
    corpus = Corpus(args.corpus, args.cicflow)
    ctx = Context(args, corpus, work)
    watchdog = threading.Timer(args.time_limit, time_out, (ctx,))
    watchdog.daemon = True
    watchdog.start()
    try:
        return run_all(ctx)
    finally:
        watchdog.cancel()
        for ch in ctx.channels:
            ch.close()
        for name, srv in ctx.servers.items():
            if srv.proc and srv.returncode is None:
                srv.stop()
        if args.keep or ctx.failed:
            # Logs and stubs stay for a look; the 150 MB capture does not.
            for big in ("bench.pcap", os.path.join("convert",
                                                   "bench.pcap_Flow.csv")):
                if os.path.exists(os.path.join(work, big)):
                    os.unlink(os.path.join(work, big))
            print(f"work dir kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def time_out(ctx):
    print(f"TIME LIMIT of {ctx.args.time_limit} s reached; threads:",
          flush=True)
    for tid, frame in sys._current_frames().items():
        print("".join(traceback.format_stack(frame)[-4:]), flush=True)
    for srv in ctx.servers.values():
        srv.stop(grace=3)
        print("server log tail:\n" + srv.log_tail(20))
    print(f"{ctx.passed} passed, {len(ctx.failed) + 1} failed", flush=True)
    os._exit(1)


def run_all(ctx):
    args, work = ctx.args, ctx.work
    t_start = time.monotonic()
    try:
        load_stubs(args, os.path.join(work, "stubs"))
    except Exception as e:
        ctx.check(False, "generate Python stubs with protoc", e)
        print(f"{ctx.passed} passed, {len(ctx.failed)} failed")
        return 1
    ctx.check(True, "generate Python stubs with protoc")

    bench_path = os.path.join(work, "bench.pcap")
    cache = {}

    def bench():
        if "data" not in cache:
            subprocess.run([sys.executable, args.bench_tool, "--packets",
                            "200000", "--seed", "3", "--quiet", "--out",
                            bench_path], check=True)
            with open(bench_path, "rb") as f:
                cache["data"] = f.read()
        return cache["data"]

    def bench_csv():
        bench()
        out = os.path.join(work, "convert")
        os.makedirs(out, exist_ok=True)
        subprocess.run([args.cicflow, "convert", "-q", "-o", out,
                        bench_path], check=True)
        with open(os.path.join(out, "bench.pcap_Flow.csv"), "rb") as f:
            return f.read()

    ctx.bench, ctx.bench_csv, ctx.bench_path = bench, bench_csv, bench_path

    limit = os.path.getsize(corpus_path(args, LIMIT_CAPTURE))
    ctx.configs = {
        "main": dict(workers=2, queue_length=64, max_upload_bytes=1 << 30),
        "small": dict(workers=1, queue_length=1, max_upload_bytes=limit),
    }
    for name in ctx.configs:
        if not ctx.start_server(name):
            print(f"{ctx.passed} passed, {len(ctx.failed)} failed")
            return 1

    for fn in TESTS:
        if args.only and not any(o in fn.__name__ for o in args.only):
            continue
        for name in list(ctx.servers):
            ctx.ensure_alive(name)
        t0 = time.monotonic()
        print(f"--- {fn.__name__}", flush=True)
        try:
            fn(ctx)
        except Exception:
            ctx.check(False, fn.__name__, "exception:\n" +
                      traceback.format_exc())
        print(f"    ({time.monotonic() - t0:.1f} s)", flush=True)

    for name, srv in ctx.servers.items():
        code, took, killed = srv.stop()
        ctx.check(not killed, f"{name} server exits on SIGTERM "
                  f"(status {code}, {took:.1f} s)",
                  "did not exit within 10 s; killed")
    for srv in ctx.dead + list(ctx.servers.values()):
        if ctx.failed:
            print(f"--- server log {srv.log_path} (last lines):\n" +
                  srv.log_tail(30))
    print(f"total {time.monotonic() - t_start:.0f} s")
    print(f"{ctx.passed} passed, {len(ctx.failed)} failed")
    return 1 if ctx.failed else 0


def corpus_path(args, rel):
    return os.path.join(args.corpus, rel)


if __name__ == "__main__":
    sys.exit(main())
