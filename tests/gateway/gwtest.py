"""Shared pieces of the REST gateway tests: a `cicflow serve` process,
curl as the HTTP client, and CSV/zip helpers.

Each test script starts its own servers on 127.0.0.1 with port 0 and its
own --tmp-dir, so the scripts can run in parallel with each other and with
other suites.
"""
import collections
import io
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import zipfile

LISTEN_RE = re.compile(r"event=listening transport=(\w+) address=(\S+)")


class Checks:
    """Counts checks and prints one line for each failure."""

    def __init__(self):
        self.passed = 0
        self.failed = 0
        self._lock = threading.Lock()

    def check(self, ok, what, detail=""):
        with self._lock:
            if ok:
                self.passed += 1
                print(f"ok   {what}", flush=True)
            else:
                self.failed += 1
                extra = f": {detail}" if detail else ""
                print(f"FAIL {what}{extra}", flush=True)
        return ok

    def finish(self):
        print(f"{self.passed} passed, {self.failed} failed", flush=True)
        return 0 if self.failed == 0 and self.passed > 0 else 1


class Server:
    """One `cicflow serve` on loopback; its stderr goes to a log file."""

    def __init__(self, binary, tmp_dir, log_path, args=(), env=None):
        self.cmd = [binary, "serve", "--grpc-address", "127.0.0.1:0",
                    "--http-address", "127.0.0.1:0", "--tmp-dir", tmp_dir]
        self.cmd += list(args)
        self.log_path = log_path
        self.env = env
        self.lines = []
        self.http = None
        self.proc = None
        self._ready = threading.Event()
        self._thread = None

    def start(self, timeout=20):
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, env=self.env)
        self._thread = threading.Thread(target=self._drain, daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout) or self.http is None:
            self.stop()
            raise RuntimeError("server did not report its HTTP address; "
                               f"see {self.log_path}")
        return self

    def _drain(self):
        with open(self.log_path, "a", encoding="utf-8") as log:
            for raw in self.proc.stderr:
                line = raw.decode("utf-8", "replace").rstrip("\n")
                self.lines.append(line)
                log.write(line + "\n")
                log.flush()
                m = LISTEN_RE.search(line)
                if m and m.group(1) == "http":
                    self.http = m.group(2)
                    self._ready.set()
        self._ready.set()

    @property
    def url(self):
        return f"http://{self.http}"

    @property
    def pid(self):
        return self.proc.pid

    def peak_rss_kib(self):
        """VmHWM of the server process, in KiB."""
        with open(f"/proc/{self.proc.pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        return -1

    def request_lines(self):
        return [l for l in self.lines if "mod=gw event=request" in l]

    def stop(self, timeout=30):
        """SIGTERM by PID, then SIGKILL if it does not exit in time."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self._thread is not None:
            self._thread.join(5)
        return self.proc.returncode

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class Reply:
    def __init__(self, status, headers, body, curl_rc, stderr):
        self.status = status
        self.headers = headers  # lower-case name -> value (last wins)
        self.body = body
        self.curl_rc = curl_rc
        self.stderr = stderr

    def json(self):
        try:
            return json.loads(self.body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            return None

    def detail(self):
        doc = self.json()
        return doc.get("detail") if isinstance(doc, dict) else None

    def __repr__(self):
        return (f"<{self.status} {self.headers.get('content-type')} "
                f"{len(self.body)} bytes {self.body[:200]!r}>")


def parse_headers(raw):
    """The last header block of curl -D output (after any 100 Continue)."""
    blocks = [b for b in raw.replace(b"\r\n", b"\n").split(b"\n\n") if b]
    status, headers = 0, {}
    for block in blocks:
        lines = block.decode("latin-1").split("\n")
        if not lines[0].startswith("HTTP/"):
            continue
        code = int(lines[0].split()[1])
        if code == 100:
            continue
        status, headers = code, {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
    return status, headers


def curl(url, args=(), work_dir=None, timeout=600, tag="r"):
    """Runs curl; returns a Reply with the status, headers and body."""
    work_dir = work_dir or "."
    head = os.path.join(work_dir, f"{tag}.{threading.get_ident()}.head")
    body = os.path.join(work_dir, f"{tag}.{threading.get_ident()}.body")
    cmd = ["curl", "-sS", "-D", head, "-o", body] + list(args) + [url]
    proc = subprocess.run(cmd, capture_output=True, timeout=timeout)
    raw_head = b""
    data = b""
    if os.path.exists(head):
        with open(head, "rb") as f:
            raw_head = f.read()
        os.unlink(head)
    if os.path.exists(body):
        with open(body, "rb") as f:
            data = f.read()
        os.unlink(body)
    status, headers = parse_headers(raw_head)
    return Reply(status, headers, data, proc.returncode,
                 proc.stderr.decode("utf-8", "replace"))


def csv_lines(data):
    return [l for l in data.split(b"\n") if l]


def same_rows(expected, actual):
    """None when equal as multisets of rows (header first), else why."""
    e, a = csv_lines(expected), csv_lines(actual)
    if not e or not a:
        return f"empty CSV (expected {len(e)} lines, got {len(a)})"
    if e[0] != a[0]:
        return "headers differ"
    ce, ca = collections.Counter(e[1:]), collections.Counter(a[1:])
    if ce == ca:
        return None
    missing = sum((ce - ca).values())
    extra = sum((ca - ce).values())
    return f"{missing} rows missing, {extra} extra (of {len(e) - 1})"


def zip_members(data):
    """name -> bytes of every member, or None if data is not a zip."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return {n: z.read(n) for n in z.namelist()}
    except zipfile.BadZipFile:
        return None


def tmp_files(tmp_dir):
    return sorted(os.listdir(tmp_dir))


def wait_until(predicate, timeout=10.0, step=0.05):
    """predicate's first true value within timeout, else its last."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()


def log(*args):
    print(*args, flush=True)
    sys.stdout.flush()
