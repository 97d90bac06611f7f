"""Driving a real `build.py serve` from tests: the server in its own session, raw HTTP and WebSocket.

Requests are written byte for byte on a socket (browsers, urllib and http.client would normalise
the path or the Host), so a test sends exactly the hostile request it names.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import http.client
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TypeVar

import pytest
from conftest import REPO, Project

T = TypeVar("T")
WAIT = 20  # seconds: generous upper bounds for a shared, busy machine; never a timing assertion


def save_named(rel: str) -> str:
    """A line naming a save of ``rel``: its rebuild, or "already built" when a build another change
    started read it first (serve_builds.Preview)."""
    return rf"^(rebuilt|already built:) .*{re.escape(rel)}"


class Server:
    """`build.py serve --port 0` in its own session, with its output collected line by line.

    A subclass runs another serve command the same way (test_install: the installed `explainer serve`).
    """

    wait = WAIT  # seconds for a line to appear or the process to stop

    def __init__(self, project: Project, *args: str):
        self._spawn([sys.executable, "-u", str(REPO / "build.py"), "serve", "--project", str(project.root), *args])

    def _spawn(self, command: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> None:
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self.proc = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            errors="backslashreplace", start_new_session=True)
        threading.Thread(target=self._read, daemon=True).start()
        self.url = ""

    def _read(self) -> None:
        for line in self.proc.stdout:  # type: ignore[union-attr]
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()
        with self._changed:
            self.lines.append("<exit>")
            self._changed.notify_all()

    def wait_for(self, pattern: str, after: int = 0) -> re.Match[str]:
        """The first output line from index ``after`` on matching ``pattern``; fails on exit or timeout."""
        deadline = time.monotonic() + self.wait
        with self._changed:
            while True:
                for line in self.lines[after:]:
                    if found := re.search(pattern, line):
                        return found
                if "<exit>" in self.lines:
                    pytest.fail(f"server exited before printing {pattern!r}:\n" + self.output)
                if not self._changed.wait(timeout=max(0.0, deadline - time.monotonic())):
                    pytest.fail(f"no {pattern!r} within {self.wait} s:\n" + self.output)

    def wait_until_shown(self, text: bytes, after: int, path: str = "/") -> bytes:
        """The page at ``path`` once a rebuild printed from line ``after`` on serves ``text``.

        A save is not always named in a rebuild line of its own: a build that another change set
        started (a folder's watch coming back, say) may read it first, and the save's own report then
        finds nothing new to build ("already built: …"). What the editor sees is the page, so the
        page is what is checked, after each rebuild, until one serves the save or none comes within
        ``wait`` seconds.
        """
        deadline = time.monotonic() + self.wait
        while True:
            found = self.wait_for(r"^rebuilt ", after=after)
            with self._changed:
                after = self.lines.index(found.string, after) + 1
            status, _headers, body = request(self.port, path)
            if status == 200 and text in body:
                return body
            if time.monotonic() > deadline:
                pytest.fail(f"no rebuild served {text!r} within {self.wait} s:\n" + self.output)

    def start(self) -> Server:
        self.url = self.wait_for(r"serving (http://\S+)").group(1)
        return self

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1].strip("/"))

    @property
    def output(self) -> str:
        return "\n".join(line for line in self.lines if line != "<exit>")

    def stop(self, sig: int = signal.SIGINT) -> int:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
        try:
            return self.proc.wait(self.wait)
        finally:
            if self.proc.poll() is None:
                os.killpg(self.proc.pid, signal.SIGKILL)


def request(port: int, raw_path: str = "/", host: str | None = "127.0.0.1", method: str = "GET",
            headers: str = "") -> tuple[int, dict[str, str], bytes]:
    """One request with the path and Host sent exactly as given (``host=None``: no Host header)."""
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as sock:
        host_line = f"Host: {host}\r\n" if host is not None else ""
        sock.sendall(f"{method} {raw_path} HTTP/1.1\r\n{host_line}{headers}Connection: close\r\n\r\n".encode())
        response = http.client.HTTPResponse(sock, method=method)
        response.begin()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()


def get(port: int, raw_path: str) -> tuple[int, bytes]:
    status, _headers, body = request(port, raw_path)
    return status, body


def ws_handshake(port: int, host: str = "127.0.0.1", origin: str | None = None, *,
                 lines: list[str] | None = None) -> tuple[socket.socket, bytes]:
    """A WebSocket handshake on /livereload; returns the open socket and the response head (with
    the body, when the server refused and sent one with a Content-Length)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
    if lines is None:
        lines = ["GET /livereload HTTP/1.1", f"Host: {host}", "Upgrade: websocket", "Connection: Upgrade",
                 "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: " + base64.b64encode(os.urandom(16)).decode()]
        if origin is not None:
            lines.append(f"Origin: {origin}")
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(4096)
        if not chunk:
            break
        head += chunk
    length = re.search(rb"\r\ncontent-length: *(\d+)\r\n", head, re.I)
    if length and not head.startswith(b"HTTP/1.1 101 "):
        while len(head) - head.index(b"\r\n\r\n") - 4 < int(length.group(1)):
            chunk = sock.recv(4096)
            if not chunk:
                break
            head += chunk
    return sock, head


def ws_frame(payload: bytes, opcode: int = 1, *, masked: bool = True, fin: bool = True) -> bytes:
    """One WebSocket frame as a client sends it (masked unless told otherwise)."""
    head = bytes([(0x80 if fin else 0) | opcode])
    mask_bit = 0x80 if masked else 0
    if len(payload) < 126:
        head += bytes([mask_bit | len(payload)])
    elif len(payload) < 65536:
        head += bytes([mask_bit | 126]) + struct.pack(">H", len(payload))
    else:
        head += bytes([mask_bit | 127]) + struct.pack(">Q", len(payload))
    if not masked:
        return head + payload
    key = os.urandom(4)
    return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


def read_until_closed(sock: socket.socket, answer: bool = True) -> bytes:
    """Everything the server sends until it closes the connection (fails after WAIT seconds).

    With ``answer``, a close frame from the server is answered with one, as a browser answers it:
    the server then closes at once. Without, the server waits for that answer (5 s, Tornado's
    wait) before it drops the connection."""
    received = b""
    sock.settimeout(WAIT)
    try:
        while chunk := sock.recv(65536):
            received += chunk
            close = _close_frame(received) if answer else None
            if close is not None:
                answer = False
                with contextlib.suppress(OSError):  # the server may close first
                    sock.sendall(ws_frame(close, 8))
    except ConnectionResetError:
        pass
    return received


def _close_frame(data: bytes) -> bytes | None:
    """The payload of the first close frame in what the server sent after its handshake, if it is whole."""
    at = data.find(b"\r\n\r\n") + 4 if data.startswith(b"HTTP/") else 0
    while at + 2 <= len(data):
        opcode, size, at = data[at] & 0x0F, data[at + 1] & 0x7F, at + 2
        if size >= 126:
            width = 2 if size == 126 else 8
            if at + width > len(data):
                return None
            size, at = int.from_bytes(data[at:at + width], "big"), at + width
        if at + size > len(data):
            return None
        if opcode == 8:
            return data[at:at + size]
        at += size
    return None


def run_in_thread(scenario: Callable[[], Coroutine[object, object, T]]) -> T:
    """asyncio.run in a thread of its own: Playwright's sync API keeps an event loop in the main thread."""
    result: list[T] = []
    runner = threading.Thread(target=lambda: result.append(asyncio.run(scenario())))
    runner.start()
    runner.join(WAIT * 2)
    assert result, "the scenario did not finish"
    return result[0]
