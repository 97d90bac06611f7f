"""The preview's HTTP and WebSocket side: which hosts it answers, the files it serves, the reload channel.

- **Host check** (against DNS rebinding: a page on evil.example whose name later resolves to
  127.0.0.1 would otherwise read unpublished drafts): a request is answered only when its Host
  is a loopback name or address (``localhost``, ``127.x.x.x``, ``[::1]``, with or without a port)
  or the ``--host`` address. Bound to every interface (``0.0.0.0``, ``::``), any IP address is
  accepted too: an address typed into a browser cannot be rebound, only a name can. Anything else
  gets ``421`` and one line of text.
- **WebSocket Origin**: the reload socket checks the Origin's host the same way (``403``
  otherwise). Browsers always send an Origin on a WebSocket handshake, so a handshake without
  one is not from a web page, and the Host check alone decides.
- **The reload channel** speaks livereload.js's protocol (hello, info, then reload messages).
  The client is our own ``serve_client.js``, first in the head of every HTML page served: on a
  reload message it updates the page in place, or reloads it when that is not safe. A frame
  that is not that protocol closes the socket; nothing a client sends reaches the editor's
  terminal as a traceback. The info message names the page: a search page reloads in full when
  its index is new, not with each rebuild (serve_builds.py: search in the background).
"""

from __future__ import annotations

import functools
import ipaddress
import json
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from tornado import web
from tornado.websocket import WebSocketClosedError, WebSocketHandler

from .search import PAGE as SEARCH_PAGE
from .serve_builds import Preview
from .serve_page import error_page, not_found_page
from .terminal import one_line

RELOAD = {"command": "reload", "path": "*", "liveCSS": False, "liveImg": False}
# A search page whose index is new: a page that imported the old index's script must load it again,
# so a client that updates pages in place reloads this one in full ("full", unknown to livereload.js).
SEARCH_RELOAD = {**RELOAD, "full": True}
HELLO = {"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"],
         "serverName": "explainer-preview"}
MAX_FRAME_BYTES = 64 * 1024  # the client's messages are a few hundred bytes
HEAD_START, HEAD_END = b"<head>", b"</head>"
WILDCARD_HOSTS = ("", "0.0.0.0", "::")


# ---------------------------------------------------------------- which hosts the preview answers


@dataclass(frozen=True)
class Hosts:
    """The Host names (and WebSocket Origins) the preview answers to."""

    given: str = "127.0.0.1"  # the --host address, lower case, without brackets
    any_address: bool = False  # bound to every interface: any IP address reaches this machine

    @classmethod
    def for_bind(cls, host: str) -> Hosts:
        given = host.strip().strip("[]").lower()
        return cls(given=given, any_address=given in WILDCARD_HOSTS)

    def allows(self, host_header: str | None) -> bool:
        """Whether a Host header (``name``, ``name:port``, ``[v6]`` or ``[v6]:port``) is ours."""
        name = host_name(host_header or "")
        if name is None:
            return False
        if name == "localhost" or name == self.given:
            return True
        try:
            address = ipaddress.ip_address(name)
        except ValueError:
            return False
        return address.is_loopback or self.any_address

    def allows_origin(self, origin: str | None) -> bool:
        """An absent Origin is not a browser (browsers always send one); ``null`` and other sites are refused."""
        if origin is None:
            return True
        try:
            parts = urlsplit(origin)
        except ValueError:
            return False
        return parts.scheme in ("http", "https") and not parts.path.strip("/") and self.allows(parts.netloc)


def host_name(header: str) -> str | None:
    """The name in a Host header, lower case and without brackets or port; None when malformed."""
    header = header.strip().lower()
    if header.startswith("["):
        name, bracket, rest = header[1:].partition("]")
        if not bracket or rest[:1] not in ("", ":"):
            return None
        port = rest[1:]
    else:
        name, _colon, port = header.partition(":")
        if ":" in port:
            return None  # an IPv6 address must be in brackets
    port_ok = port == "" or (port.isascii() and port.isdigit())
    if not name or not port_ok or any(c in name for c in "@/\\ \t"):
        return None
    return name


class _HostChecked(web.RequestHandler):
    """Refuses, before anything else, a request whose Host (or WebSocket Origin) is not ours."""

    hosts: Hosts
    origin_checked = False  # the reload socket's handshake checks the Origin too

    def prepare(self) -> None:
        if not self.hosts.allows(self.request.headers.get("Host")):
            self.refuse(421, "421 misdirected request: this preview answers only to localhost, 127.0.0.1, [::1] "
                             "and the address given with --host")
        elif self.origin_checked and not self.hosts.allows_origin(self.request.headers.get("Origin")):
            self.refuse(403, "403 forbidden: the live-reload socket accepts only pages of this preview")

    def refuse(self, status: int, text: str) -> None:
        self.clear_header("Set-Cookie")
        self.set_status(status)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(text + "\n")


# ---------------------------------------------------------------- the reload channel


class Browsers:
    """The pages connected to the reload channel."""

    def __init__(self) -> None:
        self.sockets: set[PreviewSocket] = set()

    def reload_all(self, search_too: bool = True) -> None:
        """Tell every connected page to update now (livereload's protocol, without its 3 s guard);
        without ``search_too``, all but the search pages, whose index is still being made."""
        for socket in list(self.sockets):
            if search_too or not socket.searches:
                socket.send(RELOAD)

    def reload_search_pages(self) -> None:
        """The search index is new: the open search pages reload (and search again, with its query)."""
        for socket in list(self.sockets):
            if socket.searches:
                socket.send(SEARCH_RELOAD)

    def close_all(self) -> None:
        for socket in list(self.sockets):
            socket.close()


class PreviewSocket(_HostChecked, WebSocketHandler):
    """The reload channel, plus a catch-up for a page whose build was replaced while it loaded.

    Without it, a save that lands between a page load and its socket handshake (tens of ms) never
    reaches that page. Each HTML response carries the build generation in a cookie; the socket
    handshake sends it back, and a page older than the current build is reloaded at once (a
    search page: older than the current search index).
    """

    searches = False  # the page is the search page (its info message says which page it is)

    def initialize(self, preview: Preview, browsers: Browsers, hosts: Hosts) -> None:
        self.preview = preview
        self.browsers = browsers
        self.hosts = hosts

    origin_checked = True

    def check_origin(self, origin: str) -> bool:
        return True  # checked in prepare(), with the Host, and with a message of our own

    def on_message(self, message: str | bytes) -> None:
        command = _command(message)
        if command is None:
            self.close(1003, "expected livereload.js messages")
        elif command == "hello":
            self.send(HELLO)
        elif command == "info":
            self.searches = _page_path(message) == "/" + SEARCH_PAGE
            self.browsers.sockets.add(self)
            if self._page_is_stale():
                self.send(RELOAD)

    def send(self, message: dict) -> None:
        try:
            self.write_message(json.dumps(message))
        except WebSocketClosedError:
            self.browsers.sockets.discard(self)

    def on_close(self) -> None:
        self.browsers.sockets.discard(self)

    def _page_is_stale(self) -> bool:
        seen = self.get_cookie(self.preview.cookie, "") or ""
        current = self.preview.search_generation if self.searches else self.preview.pages_generation
        return seen.isdigit() and int(seen) < current


def _command(message: str | bytes) -> str | None:
    """The command of a livereload.js message; None for anything else (binary, not JSON, no command)."""
    if not isinstance(message, str):
        return None
    try:
        data = json.loads(message)
    except (ValueError, RecursionError):
        return None
    command = data.get("command") if isinstance(data, dict) else None
    return command if isinstance(command, str) else None


CLIENT_PATH = "/preview.js"  # where pages load the client from; no file of a built site has this name


def _page_path(message: str | bytes) -> str:
    """The path of the page that sent a livereload.js info message ("" when it names none)."""
    try:
        url = json.loads(message).get("url")
        return urlsplit(url).path if isinstance(url, str) else ""
    except (ValueError, AttributeError):
        return ""


@functools.cache
def client_script() -> bytes:
    """The browser side of the reload channel (serve_client.js)."""
    return Path(__file__).with_name("serve_client.js").read_bytes()


class ClientScript(_HostChecked):
    """Serves the preview's client script (GET and HEAD)."""

    def initialize(self, hosts: Hosts) -> None:
        self.hosts = hosts

    def get(self) -> None:
        self.send(include_body=True)

    def head(self) -> None:
        self.send(include_body=False)

    def send(self, include_body: bool) -> None:
        script = client_script()
        self.set_header("Content-Type", "application/javascript; charset=utf-8")
        self.set_header("Cache-Control", "no-cache")
        self.set_header("Content-Length", str(len(script)))
        self.finish(script if include_body else None)


# ---------------------------------------------------------------- the site


def site_file(output: Path, raw_path: str) -> Path | None:
    """Map a request path to a file under output/, or None when it tries to leave output/.

    The raw (still percent-encoded) path is decoded once, then every segment is checked, so
    `/../x`, `/%2e%2e/x`, `//etc/passwd` and `\\`-separated tricks are refused; a symlink that
    points outside output/ is refused too.
    """
    if not raw_path.startswith("/"):
        return None
    decoded = unquote(raw_path, errors="strict") if "%" in raw_path else raw_path
    if "\0" in decoded or "\\" in decoded:
        return None
    parts = decoded.split("/")[1:]
    if any(part in (".", "..") for part in parts) or any(part == "" for part in parts[:-1]):
        return None
    base = output.resolve()
    target = base.joinpath(*[p for p in parts if p])
    if target.is_dir():
        target = target / "index.html"
    resolved = target.resolve()
    if not resolved.is_relative_to(base):
        return None
    return resolved


class SiteHandler(_HostChecked):
    """Serves output/ (or the error page while the last build failed), never from a build in progress."""

    def initialize(self, preview: Preview, hosts: Hosts, script: bytes) -> None:
        self.preview = preview
        self.hosts = hosts
        self.script = script

    def compute_etag(self) -> None:
        return None  # always fresh: the preview changes under the browser's feet

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")

    async def get(self) -> None:
        await self.respond(include_body=True)

    async def head(self) -> None:
        await self.respond(include_body=False)

    async def respond(self, include_body: bool) -> None:
        await self.preview.wait_until_built()
        try:
            target = site_file(self.preview.output, self.request.path)
        except (UnicodeDecodeError, ValueError, OSError):
            target = None
        if target is None:
            self.refuse(403, "403 forbidden: only files of the built site are served")
            return
        await self.preview.wait_until_written(target)  # an export the build left to write after the reload
        failure = self.preview.failure
        if failure is not None and (target.suffix == ".html" or not target.is_file()):
            self.send(failure.page or self._render_failure(), "text/html; charset=utf-8", 500, include_body)
            return
        try:
            data = target.read_bytes()
        except OSError:  # gone, a folder, unreadable: whatever it is, it is not a page of the site
            self.send(not_found_page(self.request.path), "text/html; charset=utf-8", 404, include_body)
            return
        self.send(data, content_type(target), 200, include_body)

    def _render_failure(self) -> bytes:
        failure = self.preview.failure
        assert failure is not None
        try:
            return error_page(failure, self.preview.root)
        except Exception as exc:  # the page itself broke: say why in plain words rather than a bare 500
            return f"<!doctype html><title>Build failed</title><p>The build failed ({one_line(exc)}).</p>".encode()

    def send(self, data: bytes, ctype: str, status: int, include_body: bool) -> None:
        """The response, with the client script in HTML; HEAD gets GET's headers, Content-Length included."""
        self.set_status(status)
        if ctype.startswith("text/html"):
            self.set_cookie(self.preview.cookie, str(self.preview.generation), samesite="Strict")
            data = with_client(data, self.script)
        self.set_header("Content-Type", ctype)
        self.set_header("Content-Length", str(len(data)))
        self.finish(data if include_body else None)


def with_client(html: bytes, script: bytes) -> bytes:
    """The page with the client script first in its head: deferred scripts run in order, so the
    client sees the page as built before the page's own scripts add to it (serve_client.js)."""
    if HEAD_START in html:
        return html.replace(HEAD_START, HEAD_START + script, 1)
    return html.replace(HEAD_END, script + HEAD_END, 1)


def content_type(path: Path) -> str:
    guessed = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if guessed.startswith("text/") or guessed in ("application/javascript", "application/json", "image/svg+xml"):
        return guessed + "; charset=utf-8"
    return guessed


def application(preview: Preview, port: int, hosts: Hosts | None = None) -> web.Application:
    """The reload socket and its client script, and our own handler for the site.

    The client script is external (not inline), so a page's own Content-Security-Policy with
    script-src 'self' does not block it. ``application.settings["browsers"]`` are the open pages.
    """
    hosts = hosts or Hosts()
    preview.cookie = f"preview_build_{port}"
    browsers = Browsers()
    preview.on_new_build = browsers.reload_all
    preview.on_search_updated = browsers.reload_search_pages
    script = f'<script src="{CLIENT_PATH}" defer></script>'.encode()
    return web.Application(
        [(r"/livereload", PreviewSocket, {"preview": preview, "browsers": browsers, "hosts": hosts}),
         (re.escape(CLIENT_PATH), ClientScript, {"hosts": hosts}),
         (r"/.*", SiteHandler, {"preview": preview, "hosts": hosts, "script": script})],
        debug=False,
        browsers=browsers,
        websocket_max_message_size=MAX_FRAME_BYTES,
        log_function=lambda _handler: None,  # no access log: the terminal is for build results
    )
