"""Runs one `cicflow serve` process for a test and tells where it listens.

The server logs one key=value line per event on stderr. A thread drains
that pipe for the whole life of the process (so the server never blocks
on a full pipe), keeps every line, copies it to a log file, and notes the
`event=listening transport=... address=...` lines that announce the
ports the server picked for port 0.

Stop the server with stop(): SIGTERM to its PID (never SIGINT, which a
non-interactive shell may have the child ignore), then SIGKILL if it has
not exited after a grace period.
"""
import os
import re
import signal
import subprocess
import threading
import time

_PAIR = re.compile(r'([A-Za-z_][A-Za-z0-9_.-]*)=("(?:[^"\\]|\\.)*"|\S*)')


def parse_event(line):
    """key=value pairs of one log line as a dict (quotes removed)."""
    out = {}
    for key, value in _PAIR.findall(line):
        if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
            value = value[1:-1]
        out[key] = value
    return out


class ServerError(Exception):
    pass


class Server:
    def __init__(self, binary, tmp_dir, log_path, workers=2, queue_length=16,
                 max_upload_bytes=1 << 30, extra_args=()):
        self.binary = binary
        self.tmp_dir = tmp_dir
        self.log_path = log_path
        self.args = [
            binary, "serve",
            "--grpc-address", "127.0.0.1:0",
            "--http-address", "127.0.0.1:0",
            "--workers", str(workers),
            "--queue-length", str(queue_length),
            "--max-upload-bytes", str(max_upload_bytes),
            "--tmp-dir", tmp_dir,
        ] + list(extra_args)
        self.proc = None
        self.lines = []
        self.addresses = {}
        self._cond = threading.Condition()
        self._reader = None
        self._log = None
        self.returncode = None

    # -- life cycle ---------------------------------------------------
    def start(self, timeout=20.0):
        os.makedirs(self.tmp_dir, exist_ok=True)
        self._log = open(self.log_path, "w", encoding="utf-8",
                         errors="replace")
        self._log.write("$ " + " ".join(self.args) + "\n")
        self._log.flush()
        self.proc = subprocess.Popen(
            self.args, stdin=subprocess.DEVNULL, stdout=self._log,
            stderr=subprocess.PIPE)
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()
        deadline = time.monotonic() + timeout
        with self._cond:
            while "grpc" not in self.addresses:
                if self.proc.poll() is not None:
                    break
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(min(left, 0.2))
        if "grpc" not in self.addresses:
            self.stop()
            raise ServerError(
                "server did not report event=listening transport=grpc "
                f"(exit status {self.returncode}); log:\n" + self.log_tail())
        return self

    def _drain(self):
        for raw in iter(self.proc.stderr.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\n")
            with self._cond:
                self.lines.append(line)
                self._log.write(line + "\n")
                self._log.flush()
                ev = parse_event(line)
                if ev.get("event") == "listening" and "transport" in ev:
                    self.addresses[ev["transport"]] = ev.get("address", "")
                self._cond.notify_all()
        self.proc.stderr.close()

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, grace=10.0):
        """SIGTERM by PID, wait, SIGKILL if needed. Returns (exit status,
        seconds it took to exit after SIGTERM, killed?)."""
        if self.proc is None:
            return None, 0.0, False
        killed = False
        t0 = time.monotonic()
        if self.proc.poll() is None:
            try:
                os.kill(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(grace)
            except subprocess.TimeoutExpired:
                killed = True
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        took = time.monotonic() - t0
        if self._reader is not None:
            self._reader.join(5)
        self.returncode = self.proc.returncode
        if self._log is not None and not self._log.closed:
            with self._cond:
                self._log.write(f"# exit status {self.returncode}\n")
                self._log.close()
        return self.returncode, took, killed

    # -- what the tests look at ---------------------------------------
    @property
    def grpc_address(self):
        return self.addresses.get("grpc")

    def log_mark(self):
        with self._cond:
            return len(self.lines)

    def log_since(self, mark):
        with self._cond:
            return list(self.lines[mark:])

    def log_tail(self, n=40):
        with self._cond:
            return "\n".join(self.lines[-n:])

    def tmp_files(self):
        """Files (not directories) under the tmp dir, relative paths."""
        found = []
        for root, _dirs, files in os.walk(self.tmp_dir):
            for name in files:
                found.append(os.path.relpath(os.path.join(root, name),
                                             self.tmp_dir))
        return sorted(found)

    def wait_tmp_empty(self, timeout=5.0):
        """Polls until nothing is left in the tmp dir; returns what is
        still there after `timeout` seconds (empty list: clean)."""
        deadline = time.monotonic() + timeout
        while True:
            left = self.tmp_files()
            if not left or time.monotonic() >= deadline:
                return left
            time.sleep(0.05)
