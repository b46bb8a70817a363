#!/usr/bin/python3
"""End-to-end test of gRPC server reflection in `cicflow serve`.

A client that has never seen our .proto files must be able to find the
service, fetch its descriptors and call it. This test is such a client:
its only stubs are for grpc/reflection/v1/reflection.proto (Debian's
grpcio ships no reflection helper), generated at test time with protoc
and grpc_python_plugin from a copy under another top-level directory so
that the installed `grpc` package does not shadow the module. ProcessPcap
is then called with message classes built from the descriptors the server
returned, through google.protobuf's descriptor_pool and message_factory.

Checks, on both /grpc.reflection.v1.ServerReflection/ServerReflectionInfo
and its v1alpha twin: list_services; file_containing_symbol for services,
methods, messages, enums, enum values and members of messages;
file_by_filename with dependencies; NOT_FOUND (error_code 5) for unknown
files, symbols, types and every extension; error_code 12 for a request of
no known kind; valid_host and original_request in every response; many
requests on one stream, a conversation that waits for each answer, an
empty stream; INTERNAL for bytes that are not a request; a real
ProcessPcap call (CSV of edge/tcp-rst.pcap against CICFlowMeter's CSV);
and, with a raw HTTP/2 client that opens no window, that unread answers
end the call with RESOURCE_EXHAUSTED (RST_STREAM ENHANCE_YOUR_CALM once
the response has begun) while the server goes on serving.

Must run with /usr/bin/python3 (Debian's python3-grpcio). The server is
started with server_fixture.py on 127.0.0.1 port 0 and stopped by PID with
SIGTERM. Prints one line per check and `N passed, N failed` last; exit
status 1 on any failure.
"""
import argparse
import collections
import os
import queue
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback

try:
    import grpc
    from google.protobuf import descriptor_pb2, descriptor_pool
    from google.protobuf import message_factory
except ImportError:
    sys.exit("reflection_test: no grpc or protobuf module in " +
             sys.executable + "; run it with /usr/bin/python3")

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server_fixture import Server, ServerError  # noqa: E402

V1 = "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo"
V1ALPHA = "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"
PROCESS_PCAP = "/cicflow.v1.FlowMeter/ProcessPcap"
SERVICES = {"cicflow.v1.FlowMeter", "grpc.health.v1.Health",
            "grpc.reflection.v1.ServerReflection",
            "grpc.reflection.v1alpha.ServerReflection"}
NOT_FOUND, UNIMPLEMENTED = 5, 12
CAPTURE = "edge/tcp-rst.pcap"

refl = None  # the generated reflection_pb2 module, see load_stubs


def load_stubs(args, out):
    """Only the message stubs are needed: calls go through
    channel.stream_stream so that one code path serves v1 and v1alpha."""
    global refl
    src = os.path.join(out, "include")
    os.makedirs(os.path.join(src, "refltest"))
    shutil.copyfile(args.reflection_proto,
                    os.path.join(src, "refltest", "reflection.proto"))
    cmd = [args.protoc, "-I", src, "--python_out=" + out,
           "--grpc_python_out=" + out,
           "--plugin=protoc-gen-grpc_python=" + args.grpc_python_plugin,
           os.path.join(src, "refltest", "reflection.proto")]
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        raise RuntimeError("protoc failed: " + " ".join(cmd) + "\n" +
                           res.stderr)
    sys.path.insert(0, out)
    from refltest import reflection_pb2
    refl = reflection_pb2


# ---------------------------------------------------------------------------
# the test run

class Context:
    def __init__(self, args, work):
        self.args, self.work = args, work
        self.passed = 0
        self.failed = []
        self.server = None
        self.channel = None

    def check(self, ok, what, detail=""):
        if ok:
            self.passed += 1
            print(f"ok   {what}", flush=True)
        else:
            self.failed.append(what)
            text = str(detail).replace("\n", "\n       ")
            print(f"FAIL {what}: {text}", flush=True)

    def reflect(self, requests, path=V1, timeout=15):
        """Sends requests on one stream; (responses, status code name)."""
        call = self.channel.stream_stream(
            path,
            request_serializer=refl.ServerReflectionRequest.SerializeToString,
            response_deserializer=refl.ServerReflectionResponse.FromString)
        got = []
        try:
            for r in call(iter(requests), timeout=timeout):
                got.append(r)
            return got, "OK"
        except grpc.RpcError as e:
            return got, e.code().name


def request(host="", **kind):
    return refl.ServerReflectionRequest(host=host, **kind)


def file_names(resp):
    names = []
    for raw in resp.file_descriptor_response.file_descriptor_proto:
        fd = descriptor_pb2.FileDescriptorProto()
        fd.ParseFromString(raw)
        names.append(fd.name)
    return names


def echo_problems(req, resp):
    problems = []
    if resp.valid_host != req.host:
        problems.append(f"valid_host {resp.valid_host!r}, sent {req.host!r}")
    if resp.original_request != req:
        problems.append(f"original_request {resp.original_request}")
    return problems


def list_services(ctx, path):
    req = request(host="localhost:1", list_services="")
    got, status = ctx.reflect([req], path)
    names = ({s.name for s in got[0].list_services_response.service}
             if got else set())
    problems = [] if status == "OK" else [f"status {status}"]
    if len(got) != 1 or got[0].WhichOneof("message_response") != \
            "list_services_response":
        problems.append(f"answers {got}")
    elif names != SERVICES:
        problems.append(f"services {sorted(names)}")
    else:
        problems += echo_problems(req, got[0])
    ctx.check(not problems, f"{path}: list_services names the four "
              "services", "; ".join(problems))


# (symbol, file that must come first)
SYMBOLS = [
    ("cicflow.v1.FlowMeter", "cicflow/v1/flowmeter.proto"),
    ("cicflow.v1.FlowMeter.ProcessPcap", "cicflow/v1/flowmeter.proto"),
    ("cicflow.v1.ProcessPcapRequest", "cicflow/v1/flowmeter.proto"),
    ("cicflow.v1.OutputFormat", "cicflow/v1/flowmeter.proto"),
    ("cicflow.v1.OUTPUT_FORMAT_CSV", "cicflow/v1/flowmeter.proto"),
    ("cicflow.v1.Flow.flow_id", "cicflow/v1/flowmeter.proto"),
    (".cicflow.v1.Summary", "cicflow/v1/flowmeter.proto"),
    # Symbols added with the corrected profile: the embedded descriptor
    # set must follow the .proto.
    ("cicflow.v1.PROFILE_CORRECTED", "cicflow/v1/flowmeter.proto"),
    ("cicflow.v1.ColumnDialect", "cicflow/v1/flowmeter.proto"),
    ("cicflow.v1.EXTRA_COLUMN_RST", "cicflow/v1/flowmeter.proto"),
    ("cicflow.v1.ProcessOptions.extra_columns", "cicflow/v1/flowmeter.proto"),
    ("cicflow.v1.IgnoredPackets.truncated", "cicflow/v1/flowmeter.proto"),
    ("cicflow.v1.Summary.packets_in_dropped_flows",
     "cicflow/v1/flowmeter.proto"),
    ("cicflow.v1.EndReason", "cicflow/v1/flowmeter.proto"),
    ("cicflow.v1.Flow.bwd_rst_flags", "cicflow/v1/flowmeter.proto"),
    ("grpc.health.v1.Health", "grpc/health/v1/health.proto"),
    ("grpc.health.v1.Health.Check", "grpc/health/v1/health.proto"),
    ("grpc.health.v1.HealthCheckResponse.ServingStatus",
     "grpc/health/v1/health.proto"),
    ("grpc.reflection.v1.ServerReflection",
     "grpc/reflection/v1/reflection.proto"),
    ("grpc.reflection.v1.ServerReflectionRequest",
     "grpc/reflection/v1/reflection.proto"),
    ("grpc.reflection.v1alpha.ServerReflection",
     "grpc/reflection/v1alpha/reflection.proto"),
]
FILES = ["cicflow/v1/flowmeter.proto", "grpc/health/v1/health.proto",
         "grpc/reflection/v1/reflection.proto",
         "grpc/reflection/v1alpha/reflection.proto"]
UNKNOWN_SYMBOLS = ["no.such.Service", "cicflow.v1.Nope",
                   "cicflow.v1.FlowMeter.Nope", "cicflow.v1.FlowMeterX",
                   "cicflow.v1", "cicflow", "", "cicflow.v1.Flow."]


def many_questions(ctx, path):
    """Every kind of question on one stream, sent at once: each gets its
    answer, in order, and the call ends OK."""
    cases = []  # (request, check(resp) -> problem or None, what)
    for sym, first in SYMBOLS:
        cases.append((request(host="h", file_containing_symbol=sym),
                      lambda r, first=first: None if file_names(r)[:1] ==
                      [first] else f"files {file_names(r)}",
                      f"file_containing_symbol {sym}"))
    for name in FILES:
        cases.append((request(file_by_filename=name),
                      lambda r, name=name: None if file_names(r)[:1] ==
                      [name] else f"files {file_names(r)}",
                      f"file_by_filename {name}"))
    for sym in UNKNOWN_SYMBOLS:
        cases.append((request(file_containing_symbol=sym),
                      lambda r: error_problem(r, NOT_FOUND),
                      f"unknown symbol {sym!r} -> NOT_FOUND"))
    cases.append((request(file_by_filename="nope.proto"),
                  lambda r: error_problem(r, NOT_FOUND),
                  "unknown file -> NOT_FOUND"))
    cases.append((request(file_containing_extension=refl.ExtensionRequest(
                      containing_type="cicflow.v1.Flow", extension_number=5)),
                  lambda r: error_problem(r, NOT_FOUND),
                  "file_containing_extension -> NOT_FOUND"))
    cases.append((request(all_extension_numbers_of_type="cicflow.v1.Flow"),
                  lambda r: None if (
                      r.WhichOneof("message_response") ==
                      "all_extension_numbers_response" and
                      r.all_extension_numbers_response.base_type_name ==
                      "cicflow.v1.Flow" and
                      not r.all_extension_numbers_response.extension_number)
                  else str(r),
                  "all_extension_numbers_of_type -> empty list"))
    cases.append((request(all_extension_numbers_of_type="cicflow.v1.Nope"),
                  lambda r: error_problem(r, NOT_FOUND),
                  "all_extension_numbers_of_type of unknown -> NOT_FOUND"))
    cases.append((request(host="only-a-host"),
                  lambda r: error_problem(r, UNIMPLEMENTED),
                  "request of no kind -> error_code 12"))

    got, status = ctx.reflect([c[0] for c in cases], path)
    ctx.check(status == "OK" and len(got) == len(cases),
              f"{path}: {len(cases)} questions on one stream -> as many "
              "answers, OK", f"status {status}, {len(got)} answers")
    for (req, judge, what), resp in zip(cases, got):
        problems = echo_problems(req, resp)
        if not problems:
            problem = judge(resp)
            problems = [problem] if problem else []
        ctx.check(not problems, f"{path}: {what}", "; ".join(problems))


def error_problem(resp, code):
    if resp.WhichOneof("message_response") != "error_response":
        return "no error_response: " + str(resp)[:200]
    err = resp.error_response
    if err.error_code != code or not err.error_message:
        return f"error_code {err.error_code} {err.error_message!r}"
    return None


def flowmeter_descriptor(ctx):
    got, status = ctx.reflect(
        [request(file_containing_symbol="cicflow.v1.FlowMeter")])
    fd = descriptor_pb2.FileDescriptorProto()
    fd.ParseFromString(got[0].file_descriptor_response.file_descriptor_proto[0])
    methods = {m.name: m for s in fd.service if s.name == "FlowMeter"
               for m in s.method}
    m = methods.get("ProcessPcap")
    ok = (status == "OK" and fd.package == "cicflow.v1" and m is not None and
          m.client_streaming and m.server_streaming and
          m.input_type == ".cicflow.v1.ProcessPcapRequest" and
          m.output_type == ".cicflow.v1.ProcessPcapResponse")
    ctx.check(ok, "FlowMeter's descriptor: ProcessPcap is bidi streaming "
              "with its request and response types", str(m))


def dependencies_follow(ctx):
    """Every import of an answered file is in the same answer. The served
    files import nothing today; test_reflection.c covers a chain of
    imports."""
    problems = []
    for name in FILES:
        got, _ = ctx.reflect([request(file_by_filename=name)])
        protos = got[0].file_descriptor_response.file_descriptor_proto
        fds = []
        for raw in protos:
            fd = descriptor_pb2.FileDescriptorProto()
            fd.ParseFromString(raw)
            fds.append(fd)
        have = {fd.name for fd in fds}
        for fd in fds:
            for dep in fd.dependency:
                if dep not in have:
                    problems.append(f"{name}: {fd.name} needs {dep}")
    ctx.check(not problems, "every dependency of an answered file is in "
              "the answer", "; ".join(problems))


def conversation(ctx):
    """The client waits for each answer before it asks again."""
    asks = queue.Queue()

    def requests():
        while True:
            r = asks.get()
            if r is None:
                return
            yield r

    call = ctx.channel.stream_stream(
        V1, request_serializer=refl.ServerReflectionRequest.SerializeToString,
        response_deserializer=refl.ServerReflectionResponse.FromString)
    answers = call(requests(), timeout=15)
    problems = []
    try:
        for sym in ["cicflow.v1.FlowMeter", "grpc.health.v1.Health",
                    "no.such.Thing"]:
            asks.put(request(file_containing_symbol=sym))
            r = next(answers)
            if r.original_request.file_containing_symbol != sym:
                problems.append(f"answer to {sym}: {r.original_request}")
        asks.put(None)
        rest = list(answers)
        if rest:
            problems.append(f"{len(rest)} answers too many")
    except grpc.RpcError as e:
        problems.append(f"status {e.code().name} {e.details()}")
    finally:
        asks.put(None)
    ctx.check(not problems, "a conversation: one answer per question, as "
              "it is asked; OK after the half-close", "; ".join(problems))


def empty_stream(ctx):
    got, status = ctx.reflect([])
    ctx.check(status == "OK" and not got, "no questions -> no answers, OK",
              f"status {status}, {len(got)} answers")


def not_a_request(ctx):
    call = ctx.channel.stream_stream(V1)  # bytes in, bytes out
    try:
        got = list(call(iter([b"\xff\xff\xff"]), timeout=10))
        status = f"OK with {len(got)} answers"
    except grpc.RpcError as e:
        status = e.code().name
    ctx.check(status == "INTERNAL", "bytes that are not a request -> "
              "INTERNAL", "got " + status)


def health_still_answers(ctx):
    """Health answers share the loop-thread answer queue now."""
    try:
        out = ctx.channel.unary_unary("/grpc.health.v1.Health/Check")(
            b"", timeout=10)
        got = out.hex()
    except grpc.RpcError as e:
        got = e.code().name
    ctx.check(got == "0801", "health check -> SERVING (08 01)", "got " + got)


# ---------------------------------------------------------------------------
# a call built from the served descriptors alone

def pool_from(protos):
    """A descriptor pool of the answered files, each added after the
    files it imports, whatever order they came in."""
    pool = descriptor_pool.DescriptorPool()
    fds = []
    for raw in protos:
        fd = descriptor_pb2.FileDescriptorProto()
        fd.ParseFromString(raw)
        fds.append(fd)
    added = set()
    while fds:
        ready = [fd for fd in fds if set(fd.dependency) <= added]
        if not ready:
            raise RuntimeError("unresolvable imports: " +
                               ", ".join(fd.name for fd in fds))
        for fd in ready:
            pool.Add(fd)
            added.add(fd.name)
            fds.remove(fd)
    return pool


def message_class(pool, full_name):
    desc = pool.FindMessageTypeByName(full_name)
    if hasattr(message_factory, "GetMessageClass"):
        return message_factory.GetMessageClass(desc)
    return message_factory.MessageFactory(pool).GetPrototype(desc)


def csv_rows(data):
    lines = data.decode("utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines[0] if lines else "", collections.Counter(lines[1:])


def dynamic_process_pcap(ctx):
    got, status = ctx.reflect(
        [request(file_containing_symbol="cicflow.v1.FlowMeter")])
    try:
        pool = pool_from(got[0].file_descriptor_response.file_descriptor_proto)
        method = pool.FindServiceByName("cicflow.v1.FlowMeter") \
            .methods_by_name["ProcessPcap"]
        req_cls = message_class(pool, method.input_type.full_name)
        resp_cls = message_class(pool, method.output_type.full_name)
        csv_fmt = pool.FindEnumTypeByName("cicflow.v1.OutputFormat") \
            .values_by_name["OUTPUT_FORMAT_CSV"].number
    except Exception as e:
        ctx.check(False, "message classes from the served descriptors",
                  f"{type(e).__name__}: {e}")
        return
    ctx.check(True, "message classes from the served descriptors "
              f"({method.input_type.full_name}, "
              f"{method.output_type.full_name})")

    with open(os.path.join(ctx.args.corpus, CAPTURE), "rb") as f:
        data = f.read()
    name = os.path.basename(CAPTURE)
    reqs = [req_cls(options={"file_name": name, "output": csv_fmt})]
    reqs += [req_cls(chunk=data[i:i + 4096])
             for i in range(0, len(data), 4096)]
    call = ctx.channel.stream_stream(
        PROCESS_PCAP, request_serializer=req_cls.SerializeToString,
        response_deserializer=resp_cls.FromString)
    kinds, csv, summary = [], b"", None
    try:
        for m in call(iter(reqs), timeout=60):
            kind = m.WhichOneof("payload")
            kinds.append(kind)
            if kind == "output_chunk":
                csv += m.output_chunk
            elif kind == "summary":
                summary = m.summary
        status = "OK"
    except grpc.RpcError as e:
        status = f"{e.code().name} {e.details()}"
    folder, base = os.path.split(CAPTURE)
    with open(os.path.join(ctx.args.corpus, folder, "expected",
                           base + "_Flow.csv"), "rb") as f:
        expected = f.read()
    problems = [] if status == "OK" else [f"status {status}"]
    if summary is None or kinds[-1:] != ["summary"]:
        problems.append(f"messages {collections.Counter(kinds)}")
    if csv_rows(csv) != csv_rows(expected):
        problems.append(f"CSV differs: {len(csv)} bytes, expected "
                        f"{len(expected)}")
    ctx.check(not problems, f"ProcessPcap with dynamic messages: {CAPTURE} "
              "as CSV equals CICFlowMeter's", "; ".join(problems))


# ---------------------------------------------------------------------------
# a client that asks and never reads, in raw HTTP/2 (RFC 9113)

def frame(kind, flags, stream, payload=b""):
    return (struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) +
            struct.pack(">I", stream) + payload)


def literal(name, value):
    """RFC 7541 §6.2.2: literal without indexing, new name, no Huffman;
    both strings shorter than 127 bytes."""
    return b"\x00" + bytes([len(name)]) + name + bytes([len(value)]) + value


def read_frame(sock, buf):
    while len(buf) < 9 or len(buf) < 9 + int.from_bytes(buf[:3], "big"):
        more = sock.recv(65536)
        if not more:
            raise EOFError("connection closed")
        buf += more
    n = int.from_bytes(buf[:3], "big")
    kind, flags = buf[3], buf[4]
    stream = int.from_bytes(buf[5:9], "big") & 0x7fffffff
    payload = bytes(buf[9:9 + n])
    del buf[:9 + n]
    return kind, flags, stream, payload


DATA, HEADERS, RST_STREAM, SETTINGS = 0, 1, 3, 4
END_STREAM, END_HEADERS, ACK = 1, 4, 1
ENHANCE_YOUR_CALM = 0xb


def grpc_frame(req):
    one = req.SerializeToString()
    return b"\x00" + struct.pack(">I", len(one)) + one


def data_frames(data, size=16384):
    """DATA frames of at most the default SETTINGS_MAX_FRAME_SIZE."""
    return b"".join(frame(DATA, 0, 1, data[i:i + size])
                    for i in range(0, len(data), size))


def never_reads(ctx, began):
    """Opens no window (SETTINGS_INITIAL_WINDOW_SIZE 0), so no answer can
    leave. began: one request, answered in its own DATA frame, starts the
    response, then 400 requests for the 5 KB FlowMeter file overflow the
    queue: RST_STREAM ENHANCE_YOUR_CALM. Else a single request whose
    answer alone is over the limit (its 600 KB host comes back twice):
    a trailers-only HEADERS with END_STREAM."""
    host, port = ctx.server.grpc_address.rsplit(":", 1)
    headers = b"".join([
        literal(b":method", b"POST"), literal(b":scheme", b"http"),
        literal(b":path", V1.encode()), literal(b":authority", b"test"),
        literal(b"content-type", b"application/grpc"),
        literal(b"te", b"trailers")])
    small = grpc_frame(request(file_containing_symbol="cicflow.v1.FlowMeter"))
    if began:
        data = frame(DATA, 0, 1, small) + data_frames(small * 400)
    else:
        data = data_frames(grpc_frame(request(host="h" * 600000,
                                              list_services="")))
    mark = ctx.server.log_mark()
    seen = "nothing"
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" +
                     frame(SETTINGS, 0, 0, struct.pack(">HI", 4, 0)))
        buf = bytearray()
        while True:  # the server's own settings take effect on our ACK
            kind, flags, stream, _ = read_frame(sock, buf)
            if kind == SETTINGS and not flags & ACK:
                break
        sock.sendall(frame(SETTINGS, ACK, 0) +
                     frame(HEADERS, END_HEADERS, 1, headers) + data)
        try:
            while True:
                kind, flags, stream, payload = read_frame(sock, buf)
                if stream != 1:
                    continue
                if kind == RST_STREAM:
                    seen = f"RST_STREAM {int.from_bytes(payload, 'big')}"
                    break
                if kind == HEADERS and flags & END_STREAM:
                    seen = "HEADERS with END_STREAM"
                    break
                if kind == DATA:
                    seen = "DATA despite a zero window"
                    break
        except (OSError, EOFError) as e:
            seen += f" then {e}"
    want = (f"RST_STREAM {ENHANCE_YOUR_CALM}" if began
            else "HEADERS with END_STREAM")
    logged = wait_log(ctx, mark, V1, "RESOURCE_EXHAUSTED")
    how = "after" if began else "before"
    ctx.check(seen == want and logged, f"answers over 1 MiB unread {how} "
              f"the response began -> {want}, logged RESOURCE_EXHAUSTED",
              f"saw {seen}; call logged: {logged}")


def wait_log(ctx, mark, method, status, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in ctx.server.log_since(mark):
            if (f"method={method} " in line and "event=call" in line and
                    f"status={status} " in line):
                return True
        time.sleep(0.05)
    return False


# ---------------------------------------------------------------------------

def run_all(ctx):
    try:
        load_stubs(ctx.args, os.path.join(ctx.work, "stubs"))
    except Exception as e:
        ctx.check(False, "generate reflection stubs with protoc", e)
        return
    ctx.check(True, "generate reflection stubs with protoc")
    ctx.server = Server(ctx.args.cicflow, os.path.join(ctx.work, "tmp"),
                        os.path.join(ctx.work, "server.log"))
    try:
        ctx.server.start()
    except ServerError as e:
        ctx.check(False, "start the server", e)
        return
    ctx.check(True, f"start the server ({ctx.server.grpc_address})")
    ctx.channel = grpc.insecure_channel(ctx.server.grpc_address)
    steps = [lambda: list_services(ctx, V1),
             lambda: list_services(ctx, V1ALPHA),
             lambda: many_questions(ctx, V1),
             lambda: many_questions(ctx, V1ALPHA),
             lambda: flowmeter_descriptor(ctx),
             lambda: dependencies_follow(ctx), lambda: conversation(ctx),
             lambda: empty_stream(ctx), lambda: not_a_request(ctx),
             lambda: dynamic_process_pcap(ctx),
             lambda: never_reads(ctx, True), lambda: never_reads(ctx, False),
             lambda: list_services(ctx, V1), lambda: health_still_answers(ctx)]
    for step in steps:
        try:
            step()
        except Exception:
            ctx.check(False, "a step raised", traceback.format_exc())
    ctx.channel.close()
    code, took, killed = ctx.server.stop()
    ctx.check(not killed and code == 0, f"server exits on SIGTERM (status "
              f"{code}, {took:.1f} s)", "killed" if killed else "")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cicflow", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--reflection-proto", default="/usr/share/grpc-proto/"
                    "grpc/reflection/v1/reflection.proto")
    ap.add_argument("--protoc", default=shutil.which("protoc") or "protoc")
    ap.add_argument("--grpc-python-plugin",
                    default="/usr/bin/grpc_python_plugin")
    ap.add_argument("--keep", action="store_true",
                    help="keep the work dir (server log, stubs)")
    ap.add_argument("--time-limit", type=float, default=240)
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="cicflow-rpc-refl-")
    ctx = Context(args, work)

    def time_out():
        print(f"TIME LIMIT of {args.time_limit} s reached", flush=True)
        if ctx.server is not None:
            ctx.server.stop(grace=3)
            print("server log tail:\n" + ctx.server.log_tail(20))
        print(f"{ctx.passed} passed, {len(ctx.failed) + 1} failed",
              flush=True)
        os._exit(1)

    watchdog = threading.Timer(args.time_limit, time_out)
    watchdog.daemon = True
    watchdog.start()
    try:
        run_all(ctx)
    finally:
        watchdog.cancel()
        if ctx.server is not None and ctx.server.returncode is None:
            ctx.server.stop()
    if ctx.failed and ctx.server is not None:
        print("--- server log (last lines):\n" + ctx.server.log_tail(30))
    if args.keep or ctx.failed:
        print(f"work dir kept: {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{ctx.passed} passed, {len(ctx.failed)} failed")
    return 1 if ctx.failed else 0


if __name__ == "__main__":
    sys.exit(main())
