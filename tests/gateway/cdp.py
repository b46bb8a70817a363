"""A small Chrome DevTools Protocol client on the standard library only:
Chromium started headless with --remote-debugging-port=0, and a minimal
RFC 6455 websocket (client frames masked, text messages, fragments, pings)
to send commands and collect events.
"""
import base64
import json
import os
import re
import select
import signal
import socket
import struct
import subprocess
import time

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync",
         "--remote-debugging-address=127.0.0.1",
         "--remote-debugging-port=0"]

WS_RE = re.compile(rb"DevTools listening on (ws://\S+)")


class CdpError(Exception):
    pass


class WebSocket:
    """Just enough of RFC 6455 for one DevTools connection."""

    def __init__(self, url, timeout=30):
        m = re.match(r"ws://([^/:]+):(\d+)(/.*)", url)
        if not m:
            raise CdpError(f"bad websocket URL {url}")
        host, port, path = m.group(1), int(m.group(2)), m.group(3)
        self.sock = socket.create_connection((host, port), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        request = (f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
                   "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                   f"Sec-WebSocket-Key: {key}\r\n"
                   "Sec-WebSocket-Version: 13\r\n\r\n")
        self.sock.sendall(request.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            data = self.sock.recv(4096)
            if not data:
                raise CdpError("websocket handshake: connection closed")
            head += data
        head, self.buf = head.split(b"\r\n\r\n", 1)
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise CdpError(f"websocket handshake refused: {head[:100]!r}")

    def _read(self, n):
        while len(self.buf) < n:
            data = self.sock.recv(1 << 16)
            if not data:
                raise CdpError("websocket closed")
            self.buf += data
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def _send_frame(self, opcode, payload):
        head = bytes([0x80 | opcode])
        n = len(payload)
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 1 << 16:
            head += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            head += bytes([0x80 | 127]) + struct.pack(">Q", n)
        mask = os.urandom(4)
        body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(head + mask + body)

    def send(self, text):
        self._send_frame(0x1, text.encode("utf-8"))

    def pending(self, timeout):
        if self.buf:
            return True
        ready, _, _ = select.select([self.sock], [], [], timeout)
        return bool(ready)

    def recv(self):
        """The next text message (fragments joined, pings answered)."""
        parts = []
        while True:
            b0, b1 = self._read(2)
            opcode, n = b0 & 0x0F, b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._read(8))[0]
            mask = self._read(4) if b1 & 0x80 else None
            payload = self._read(n)
            if mask:
                payload = bytes(b ^ mask[i % 4] for i, b in
                                enumerate(payload))
            if opcode == 0x9:
                self._send_frame(0xA, payload)
                continue
            if opcode == 0x8:
                raise CdpError("websocket closed by the browser")
            if opcode in (0x0, 0x1, 0x2):
                parts.append(payload)
                if b0 & 0x80:
                    return b"".join(parts).decode("utf-8")

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class Browser:
    """A headless Chromium and one DevTools connection to it."""

    def __init__(self, chromium, profile_dir, log_path):
        self.log = open(log_path, "wb")
        self.proc = subprocess.Popen(
            [chromium] + FLAGS + [f"--user-data-dir={profile_dir}",
                                  "about:blank"],
            stdin=subprocess.DEVNULL, stdout=self.log,
            stderr=subprocess.PIPE)
        url = self._devtools_url(30)
        self.ws = WebSocket(url)
        self.next_id = 0
        self.events = []

    def _devtools_url(self, timeout):
        end = time.monotonic() + timeout
        seen = b""
        fd = self.proc.stderr.fileno()
        while time.monotonic() < end:
            ready, _, _ = select.select([fd], [], [], 0.5)
            if not ready:
                if self.proc.poll() is not None:
                    break
                continue
            data = os.read(fd, 4096)
            if not data:
                break
            seen += data
            self.log.write(data)
            m = WS_RE.search(seen)
            if m:
                return m.group(1).decode()
        raise CdpError("Chromium did not report its DevTools URL: " +
                       seen[-500:].decode("utf-8", "replace"))

    def call(self, method, params=None, session=None, timeout=60):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        self.ws.send(json.dumps(msg))
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if not self.ws.pending(0.5):
                continue
            reply = json.loads(self.ws.recv())
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise CdpError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)
        raise CdpError(f"{method}: no answer in {timeout} s")

    def wait_event(self, method, timeout=30):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for i, ev in enumerate(self.events):
                if ev.get("method") == method:
                    return self.events.pop(i)
            if self.ws.pending(0.5):
                self.events.append(json.loads(self.ws.recv()))
        raise CdpError(f"no {method} event in {timeout} s")

    def close(self):
        try:
            self.call("Browser.close", timeout=10)
        except (CdpError, OSError):
            pass
        self.ws.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
        self.proc.stderr.close()
        self.log.close()


class Page:
    """One tab, attached with a flat session."""

    def __init__(self, browser):
        self.b = browser
        target = browser.call("Target.createTarget", {"url": "about:blank"})
        attached = browser.call("Target.attachToTarget",
                                {"targetId": target["targetId"],
                                 "flatten": True})
        self.session = attached["sessionId"]
        self.call("Page.enable")
        self.call("Runtime.enable")

    def call(self, method, params=None, timeout=60):
        return self.b.call(method, params, self.session, timeout)

    def navigate(self, url):
        self.call("Page.navigate", {"url": url})
        self.b.wait_event("Page.loadEventFired")

    def evaluate(self, expression, timeout=60):
        res = self.call("Runtime.evaluate",
                        {"expression": expression, "returnByValue": True,
                         "awaitPromise": True}, timeout)
        if "exceptionDetails" in res:
            raise CdpError(f"script failed: {res['exceptionDetails']}")
        return res.get("result", {}).get("value")

    def set_files(self, selector, paths):
        root = self.call("DOM.getDocument")["root"]["nodeId"]
        node = self.call("DOM.querySelector",
                         {"nodeId": root, "selector": selector})["nodeId"]
        self.call("DOM.setFileInputFiles", {"nodeId": node, "files": paths})
