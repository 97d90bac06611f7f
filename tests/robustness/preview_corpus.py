"""The preview's corpus: hostile requests and unlucky files, each with what the preview must do.

``{port}`` in a string is the running preview's port. Each class is named after what it guards:

- ``HOSTS_*``: the Host header (DNS rebinding: a page on a name the attacker controls, later
  resolved to 127.0.0.1, must not read the drafts); answered only for loopback and ``--host``.
- ``ORIGINS_*``: the WebSocket Origin, checked the same way; no Origin means no browser.
- ``JUNK_FRAMES``: WebSocket frames that are not livereload.js's protocol; the socket closes.
- ``BAD_HANDSHAKES``: broken HTTP and WebSocket handshakes; refused, never a traceback.
- ``BAD_NAMES``: file names that are not UTF-8, which make watchfiles raise; watching goes on.

Two more classes need files too big or too odd to list here, and live in
``tests/test_serve_survives.py``: oversized files on the error page (a 1 GB sparse archive, a
5 MB line, a problem 25 MB into a file, a FIFO, a link out of the project, 20,000 problems),
and watched folders that are moved away and back. ``tests/test_serve_fuzz.py`` mixes them all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

HOSTS_ANSWERED = [
    "127.0.0.1", "127.0.0.1:{port}", "localhost", "localhost:{port}", "LocalHost:{port}",
    "[::1]", "[::1]:{port}", "127.1.2.3", "127.255.255.254:{port}",
    "localhost:1",  # another port: a tunnel (ssh -L 9000:localhost:8000) keeps its own port in Host
]

HOSTS_REFUSED = {
    "rebinding-name": "evil.example:{port}",
    "rebinding-name-no-port": "evil.example",
    "name-that-starts-like-loopback": "127.0.0.1.nip.io:{port}",
    "localhost-under-another-domain": "localhost.evil.example:{port}",
    "localhost-fqdn": "localhost.",
    "userinfo": "localhost@evil.example",
    "lan-address-while-bound-to-loopback": "192.168.1.20:{port}",
    "any-address": "0.0.0.0:{port}",
    "empty": "",
    "absent": None,
    "unbracketed-ipv6": "::1",
    "unclosed-bracket": "[::1",
    "junk-after-bracket": "[::1]x",
    "port-not-a-number": "localhost:http",
    "two-ports": "localhost:1:2",
    "space-inside": "local host",
}

ORIGINS_ACCEPTED = {
    "no-origin": None,  # not a browser: browsers always send one on a WebSocket handshake
    "the-page-itself": "http://127.0.0.1:{port}",
    "localhost": "http://localhost:{port}",
    "ipv6-loopback": "http://[::1]:{port}",
}

ORIGINS_REFUSED = {
    "another-site": "http://evil.example",
    "another-site-same-port": "http://evil.example:{port}",
    "rebinding-lookalike": "http://127.0.0.1.evil.example:{port}",
    "sandboxed-or-file-page": "null",
    "file-scheme": "file://",
    "extension": "chrome-extension://abcdefghijklmnop",
    "websocket-scheme": "ws://evil.example",
    "empty": "",
    "not-a-url": "%%%",
}


@dataclass(frozen=True)
class Frame:
    id: str
    data: bytes | tuple[bytes, int]  # a text payload, or (payload, opcode)
    raw: bytes = b""  # sent as is instead (frames no client library would build)
    masked: bool = True


JUNK_FRAMES = [
    Frame("text-not-json", b"not json"),
    Frame("json-list", b"[1, 2]"),
    Frame("json-null", b"null"),
    Frame("json-string", b'"hello"'),
    Frame("command-not-a-string", b'{"command": 5}'),
    Frame("no-command", b'{"url": "http://127.0.0.1/"}'),
    Frame("deeply-nested-json", b"[" * 60000),
    Frame("invalid-utf8-text", b"\xff\xfe{}"),
    Frame("binary", (json.dumps({"command": "hello"}).encode(), 2)),
    Frame("reserved-opcode", (b"x", 3)),
    Frame("continuation-without-start", (b"x", 0)),
    Frame("unmasked", b"abc", masked=False),
    Frame("over-the-size-limit", b"x" * (70 * 1024)),
    Frame("length-claims-8-exabytes", b"", raw=b"\x81\xff\x7f\xff\xff\xff\xff\xff\xff\xff"),
    Frame("oversized-ping", (b"p" * 200, 9)),
    Frame("random-bytes", b"", raw=bytes(range(256)) * 4),
]

BAD_HANDSHAKES = {
    "no-key": ["GET /livereload HTTP/1.1", "Host: 127.0.0.1", "Upgrade: websocket", "Connection: Upgrade",
               "Sec-WebSocket-Version: 13"],
    "old-version": ["GET /livereload HTTP/1.1", "Host: 127.0.0.1", "Upgrade: websocket", "Connection: Upgrade",
                    "Sec-WebSocket-Version: 8", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="],
    "no-upgrade": ["GET /livereload HTTP/1.1", "Host: 127.0.0.1", "Sec-WebSocket-Version: 13",
                   "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="],
    "upgrade-to-something-else": ["GET /livereload HTTP/1.1", "Host: 127.0.0.1", "Upgrade: h2c",
                                  "Connection: Upgrade"],
    "post": ["POST /livereload HTTP/1.1", "Host: 127.0.0.1", "Upgrade: websocket", "Connection: Upgrade",
             "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Content-Length: 0"],
    "garbage-request-line": ["\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 TLS hello"],
    "header-without-colon": ["GET / HTTP/1.1", "Host: 127.0.0.1", "no colon here"],
    "huge-header": ["GET / HTTP/1.1", "Host: 127.0.0.1", "X-Junk: " + "j" * 200_000],
    "http-0.9": ["GET /"],
    "bad-percent-encoding": ["GET /%ff%fe%zz HTTP/1.1", "Host: 127.0.0.1"],
}

# Cookies a page cannot have been given by the preview: the build number is ignored, the socket works.
BAD_COOKIES = ['preview_build_{port}="\\x;;=;; ==="', "preview_build_{port}=-1", "preview_build_{port}=9" * 50,
               "preview_build_{port}=\u0661", "=", ";;;"]

# Relative to the project, as bytes, with what is written there while the preview runs.
BAD_NAMES = {
    "content-yaml": (b"content/\xff.yaml", b"x: 1\n"),
    "summary": (b"content/summaries/\xfe\xfd.md", b"---\ntitle: Odd name\norder: 5\n---\nSwaps.[[swap-sizes]]\n"),
    "folder-under-seeds": (b"seeds/\xff\xff/a.txt", b"an archive\n"),
    "project-folder": (b"\xff-site.yaml", b"x: 1\n"),
}
