"""Runs the preview's corpus against a real `build.py serve`: hostile requests are refused in a
line of plain text or closed, the terminal stays quiet, and the preview keeps serving."""

from __future__ import annotations

import contextlib
import os
import re
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from _preview import Server, read_until_closed, request, ws_frame, ws_handshake
from conftest import Project, make_project
from preview_corpus import (
    BAD_COOKIES,
    BAD_HANDSHAKES,
    BAD_NAMES,
    HOSTS_ANSWERED,
    HOSTS_REFUSED,
    JUNK_FRAMES,
    ORIGINS_ACCEPTED,
    ORIGINS_REFUSED,
    Frame,
)

from explainer.serve_http import Hosts

DRAFT = b"SBU commandos captured"  # text of the site: a refused request must never carry it


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Project]]:
    project = make_project(tmp_path_factory.mktemp("hostile") / "site")
    running = Server(project, "--port", "0").start()
    yield running, project
    running.stop(signal.SIGKILL)


@pytest.fixture
def server(served: tuple[Server, Project]) -> Iterator[Server]:
    """The shared preview; after each case it must still serve the site and have printed nothing."""
    running = served[0]
    mark = len(running.lines)
    yield running
    status, _headers, body = request(running.port, "/")
    assert status == 200 and DRAFT in body, "the preview stopped serving"
    assert running.lines[mark:] == [], "the terminal is for build results:\n" + "\n".join(running.lines[mark:])


def fill(text: str | None, port: int) -> str | None:
    return None if text is None else text.replace("{port}", str(port))


@pytest.mark.parametrize("host", HOSTS_ANSWERED)
def test_loopback_hosts_are_answered(server: Server, host: str) -> None:
    status, _headers, body = request(server.port, "/", host=fill(host, server.port))
    assert status == 200 and DRAFT in body


@pytest.mark.parametrize("host", list(HOSTS_REFUSED.values()), ids=list(HOSTS_REFUSED))
@pytest.mark.parametrize("path", ["/", "/data/facts.json", "/preview.js", "/livereload"])
def test_any_other_host_gets_a_short_plain_refusal(server: Server, host: str | None, path: str) -> None:
    for method in ("HEAD", "GET"):
        status, headers, body = request(server.port, path, host=fill(host, server.port), method=method)
        assert status in (400, 421), (method, status)  # 400: tornado refuses a request without a Host first
        assert "set-cookie" not in headers
        assert DRAFT not in body and b"preview.js" not in body and len(body) < 300
    if status == 421:
        assert headers["content-type"] == "text/plain; charset=utf-8"
        assert body == (b"421 misdirected request: this preview answers only to localhost, 127.0.0.1, [::1] "
                        b"and the address given with --host\n")


@pytest.mark.parametrize("origin", list(ORIGINS_ACCEPTED.values()), ids=list(ORIGINS_ACCEPTED))
def test_the_reload_socket_opens_for_pages_of_the_preview(server: Server, origin: str | None) -> None:
    sock, head = ws_handshake(server.port, origin=fill(origin, server.port))
    with sock:
        assert head.startswith(b"HTTP/1.1 101 "), head


@pytest.mark.parametrize("origin", list(ORIGINS_REFUSED.values()), ids=list(ORIGINS_REFUSED))
def test_the_reload_socket_refuses_other_origins(server: Server, origin: str) -> None:
    sock, head = ws_handshake(server.port, origin=fill(origin, server.port))
    with sock:
        assert head.startswith(b"HTTP/1.1 403 "), head
        assert head.endswith(b"\r\n\r\n403 forbidden: the live-reload socket accepts only pages of this preview\n")


def test_the_reload_socket_checks_the_host_too(server: Server) -> None:
    sock, head = ws_handshake(server.port, host=f"evil.example:{server.port}", origin=None)
    with sock:
        assert head.startswith(b"HTTP/1.1 421 "), head


def frame_bytes(frame: Frame) -> bytes:
    if frame.raw:
        return frame.raw
    payload, opcode = frame.data if isinstance(frame.data, tuple) else (frame.data, 1)
    return ws_frame(payload, opcode, masked=frame.masked)


@pytest.mark.parametrize("frame", JUNK_FRAMES, ids=[f.id for f in JUNK_FRAMES])
def test_junk_frames_close_the_socket_quietly(server: Server, frame: Frame) -> None:
    sock, head = ws_handshake(server.port)
    with sock:
        assert head.startswith(b"HTTP/1.1 101 ")
        sock.sendall(ws_frame(b'{"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"]}'))
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # closed while we still sent: fine
            sock.sendall(frame_bytes(frame))
        received = read_until_closed(sock)  # returns only once the server closed the connection
    assert b"Traceback" not in received


def test_a_client_that_never_answers_the_close_is_dropped(server: Server) -> None:
    """The server closes after a junk frame and waits for the client's answer to its close frame,
    as the protocol asks; a client that never answers is dropped all the same (Tornado waits 5 s)."""
    sock, head = ws_handshake(server.port)
    with sock:
        assert head.startswith(b"HTTP/1.1 101 ")
        sock.sendall(ws_frame(b"not json"))
        received = read_until_closed(sock, answer=False)
    assert b"\x88" in received and b"Traceback" not in received


@pytest.mark.parametrize("lines", list(BAD_HANDSHAKES.values()), ids=list(BAD_HANDSHAKES))
def test_broken_handshakes_are_refused_quietly(server: Server, lines: list[str]) -> None:
    try:
        sock, head = ws_handshake(server.port, lines=lines)
        sock.close()
    except (BrokenPipeError, ConnectionResetError):
        head = b""  # closed while the request was still being sent: refused
    assert re.match(rb"HTTP/1.1 4\d\d |$", head), head
    assert DRAFT not in head


@pytest.mark.parametrize("cookie", BAD_COOKIES)
def test_a_cookie_the_preview_never_set_is_ignored(server: Server, cookie: str) -> None:
    base = ["GET /livereload HTTP/1.1", "Host: 127.0.0.1", "Upgrade: websocket", "Connection: Upgrade",
            "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="]
    sock, head = ws_handshake(server.port, lines=[*base, "Cookie: " + fill(cookie, server.port)])
    with sock:
        assert head.startswith(b"HTTP/1.1 101 ")
        sock.sendall(ws_frame(b'{"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"]}'))
        sock.sendall(ws_frame(b'{"command": "info", "url": "http://127.0.0.1/", "plugins": {}}'))
        assert b'"command": "hello"' in sock.recv(4096)


def test_a_named_host_and_any_address_when_bound_to_every_interface() -> None:
    named = Hosts.for_bind("preview.lan")
    assert named.allows("preview.lan:8000") and named.allows("PREVIEW.LAN") and named.allows("localhost:8000")
    assert not named.allows("other.lan:8000") and not named.allows("192.168.1.20:8000")
    everywhere = Hosts.for_bind("0.0.0.0")
    assert everywhere.allows("192.168.1.20:8000") and everywhere.allows("[fe80::1]:8000")
    assert not everywhere.allows("evil.example:8000"), "a name can be rebound; an address cannot"
    assert everywhere.allows_origin("http://192.168.1.20:8000") and not everywhere.allows_origin("http://evil.example")


def test_a_phone_on_the_network_reaches_a_preview_bound_to_every_interface(tmp_path: Path) -> None:
    running = Server(make_project(tmp_path / "site"), "--host", "0.0.0.0", "--port", "0").start()
    try:
        assert request(running.port, "/", host=f"192.168.1.20:{running.port}")[0] == 200
        assert request(running.port, "/", host=f"evil.example:{running.port}")[0] == 421
    finally:
        assert running.stop() == 0


@pytest.mark.parametrize(("name", "data"), list(BAD_NAMES.values()), ids=list(BAD_NAMES))
def test_a_file_name_that_is_not_utf8_does_not_stop_the_watch(served: tuple[Server, Project],
                                                              name: bytes, data: bytes) -> None:
    """watchfiles raises an ExceptionGroup at such a name (even when the build only reads the file)."""
    running, project = served
    path = os.path.join(os.fsencode(project.root), name)
    new_folder = None if os.path.isdir(os.path.dirname(path)) else os.path.dirname(path)
    mark = len(running.lines)
    # Made aside and moved in whole: written in place, the file could be seen empty by the watch's
    # catch-up and then again, full, with the edit below (one more file in its rebuild's change set).
    aside = os.fsencode(project.root.parent / "aside")
    os.makedirs(aside)
    made = os.path.join(aside, os.path.basename(new_folder or path))
    if new_folder:
        os.makedirs(made)
    with open(os.path.join(made, os.path.basename(path)) if new_folder else made, "wb") as f:
        f.write(data)
    os.rename(made, new_folder or path)
    os.rmdir(aside)
    edit = "site.yaml" if b"/" not in name else "content/facts.yaml"
    old, new = ("Test explainer", "Test explainer!") if edit == "site.yaml" else ("on a Wednesday.", "on a Wednesday!")
    edited = False
    try:
        note = running.wait_for(r"^note: watching (.*) failed \(.*decode path.*not UTF-8: rename it\); watching again$",
                                after=mark)
        assert ("the project folder" if b"/" not in name else "content/") in note.group(1)
        running.wait_for(r"^rebuilt .* after ", after=mark)  # the catch-up, once the new watch is up
        later = len(running.lines)
        project.edit(edit, old, new)
        edited = True
        running.wait_for(only(edit), after=later)
        status, _headers, body = request(running.port, "/")
        assert status == 200 and new.encode() in body
        later = len(running.lines)
        project.edit(edit, new, old)
        edited = False
        running.wait_for(only(edit), after=later)
    finally:
        if edited:  # the next case edits the same words
            project.edit(edit, new, old)
        os.unlink(path)
        if new_folder:
            os.rmdir(new_folder)
    assert "Traceback" not in running.output


def only(edit: str) -> str:
    """The line naming the save of ``edit`` alone: its rebuild, or "already built" when a build of the
    catch-up read it first (the hostile file is never in the change set)."""
    name = re.escape(edit)
    return rf"^(rebuilt .* after 1 change\(s\): {name}|already built: {name} \(the last build read this save\))$"


def test_nothing_ever_printed_a_traceback(served: tuple[Server, Project]) -> None:
    running = served[0]
    assert running.proc.poll() is None
    assert "Traceback" not in running.output and "Uncaught" not in running.output
