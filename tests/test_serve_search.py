"""Search in the preview's background (serve_builds.py, search_memo.SearchMemo): a rebuild goes out with the
last search index at once, Pagefind's new one follows, and then the site is a cold build's, byte for byte.

Pagefind runs behind a gate here (a wrapper that starts it only once the test opens the gate), so
"Pagefind has not finished yet" is a state the test sets, not a race it hopes to win. Every wait
is on an event (the preview's ``search_settled``, a line in the terminal), never a sleep.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from _preview import WAIT, Server, run_in_thread
from conftest import MINIMAL, REPO, Project, make_project, tree_hash

from explainer import pagefind, pipeline, serve_builds, serve_http
from explainer.incremental import IncrementalBuilder
from explainer.write import write_site

SPLIT = "pagination: {facts_per_page: 1, events_per_page: 1, sources_per_page: 1}\n"
SAVED = ("content/facts.yaml", "on a Wednesday.", "on a Thursday.")  # a claim: a search record changes


def site_yaml(extra: str) -> dict[str, str]:
    return {"site.yaml": MINIMAL["site.yaml"].rstrip(" ") + "        " + extra.replace("\n", "\n        ").rstrip(" ")}


class Gate:
    """Pagefind behind a gate: each run waits until the gate is open (a file exists), then runs, or fails."""

    def __init__(self, folder: Path, monkeypatch: pytest.MonkeyPatch):
        real = pagefind.executable()
        if real is None:
            pytest.skip("Pagefind is not installed")
        self.flag = folder / "open"
        self.sessions = folder / "sessions"
        self.script = folder / "pagefind"
        self.write(f'exec "{real}" "$@"')
        monkeypatch.setattr(pagefind, "executable", lambda: self.script)
        self.started: list[pagefind.Indexing] = []
        real_init = pagefind.Indexing.__init__

        def spy(indexing: pagefind.Indexing, *args: object, **options: object) -> None:
            real_init(indexing, *args, **options)
            self.started.append(indexing)

        monkeypatch.setattr(pagefind.Indexing, "__init__", spy)
        self.running = threading.Event()  # set when a Pagefind has started
        real_start = pagefind.Indexing.start

        def start(indexing: pagefind.Indexing, *args: object, **options: object) -> None:
            real_start(indexing, *args, **options)  # type: ignore[arg-type]
            if indexing._process is not None:
                self.running.set()

        monkeypatch.setattr(pagefind.Indexing, "start", start)
        self.open()

    def started_sessions(self, count: int) -> list[int]:
        """The sessions of the first ``count`` runs, once that many have started (a condition with a deadline)."""
        deadline = time.monotonic() + WAIT
        while len(found := self.sessions.read_text().split() if self.sessions.exists() else []) < count:
            assert time.monotonic() < deadline, f"{count} Pagefind runs did not start within {WAIT} s"
            time.sleep(0.02)
        return [int(n) for n in found]

    def write(self, then: str) -> None:
        # The wrapper polls for the flag: its own wait, not the test's (the test waits on events).
        # It notes its session first (field 6 of /proc/PID/stat), for the Ctrl-C test.
        self.script.write_text(f'#!/bin/sh\ncut -d" " -f6 /proc/$$/stat >> "{self.sessions}"\n'
                               f'while [ ! -e "{self.flag}" ]; do sleep 0.02; done\n{then}\n')
        self.script.chmod(0o755)

    def open(self) -> None:
        self.flag.touch()

    def close(self) -> None:
        self.flag.unlink()


def preview_of(project: Project, lines: list[str]) -> tuple[serve_builds.Preview, IncrementalBuilder]:
    builder = IncrementalBuilder(background_search=True)
    preview = serve_builds.Preview(project.root, project.output, lambda r, o: builder.build(r, o),
                                   out=lines.append, err=lines.append,
                                   write=lambda pages, o: write_site(pages, o, builder.cache.written))  # as serve's
    return preview, builder


def cold_build(project: Project, folder: Path) -> str:
    pipeline.build(project.root, folder)
    return tree_hash(folder)


def scenario(project: Project, steps: Callable[[serve_builds.Preview], object]) -> tuple[list[str], object]:
    """Run ``steps`` against a preview of ``project`` whose first build is done; stop it afterwards."""
    lines: list[str] = []

    async def run() -> object:
        preview, builder = preview_of(project, lines)
        try:
            await preview.rebuild(set())
            return await steps(preview)  # type: ignore[misc]
        finally:
            preview.close()
            builder.close()

    return lines, run_in_thread(run)


async def settled(preview: serve_builds.Preview) -> None:
    await asyncio.wait_for(preview.search_settled.wait(), WAIT)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return make_project(tmp_path / "site", site_yaml(SPLIT))


def test_a_rebuild_goes_out_with_the_last_index_and_the_new_one_follows(
        project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gate = Gate(tmp_path, monkeypatch)

    async def steps(preview: serve_builds.Preview) -> tuple[str, str, bool, str, str, list[str]]:
        index_before = tree_hash(project.output / "pagefind")
        gate.close()
        project.edit(*SAVED)
        await preview.rebuild({SAVED[0]})
        page = (project.output / "facts-2024-08.html").read_text(encoding="utf-8")
        waiting = not preview.search_settled.is_set()
        index_meanwhile = tree_hash(project.output / "pagefind")
        files = {p: p.stat().st_ino for p in project.output.rglob("*") if p.is_file()}
        gate.open()
        await settled(preview)
        rewritten = sorted(str(p.relative_to(project.output)) for p, inode in files.items()
                           if p.exists() and p.stat().st_ino != inode)
        return index_before, page, waiting, index_meanwhile, tree_hash(project.output), rewritten

    lines, (index_before, page, waiting, index_meanwhile, after, rewritten) = scenario(project, steps)
    assert "on a Thursday." in page, "the rebuilt pages went out before Pagefind finished"
    assert waiting and index_meanwhile == index_before, "with the last index meanwhile"
    assert re.fullmatch(r"built .* in [0-9.]+ s", lines[0]), "the first build waits for its index"
    assert re.fullmatch(r"rebuilt .* after 1 change\(s\): content/facts\.yaml; search index updating", lines[1])
    assert re.fullmatch(r"search index updated in [0-9.]+ s", lines[2]) and len(lines) == 3
    assert after == cold_build(project, tmp_path / "cold"), "caught up, the site is a cold build's, byte for byte"
    assert not any(i.usable() for i in gate.started) and all(i.closed for i in gate.started)
    assert rewritten and all(name.startswith("pagefind/") for name in rewritten), "only the index is written"


def test_a_newer_save_stops_the_pagefind_of_the_one_before(
        project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gate = Gate(tmp_path, monkeypatch)

    async def steps(preview: serve_builds.Preview) -> str:
        gate.close()
        project.edit(*SAVED)
        gate.running.clear()
        await preview.rebuild({SAVED[0]})
        await asyncio.get_running_loop().run_in_executor(None, gate.running.wait, WAIT)  # it runs (behind the gate)
        project.edit("content/facts.yaml", "Swaps exchanged", "Swaps traded")
        await preview.rebuild({SAVED[0]})
        gate.open()
        await settled(preview)
        return tree_hash(project.output)

    lines, after = scenario(project, steps)
    _first, stale, _newest = gate.started
    assert stale.closed and stale._process is not None and stale._process.returncode == -9, "killed"
    assert sum(line.startswith("search index updated") for line in lines) == 1, lines
    assert after == cold_build(project, tmp_path / "cold")


def test_a_save_that_leaves_the_records_alone_takes_pagefind_over(
        project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gate = Gate(tmp_path, monkeypatch)

    states: list[str] = []

    def state(pid: int, stopped: bool) -> str:
        """The process's state once it is (or is no longer) T, stopped: signals arrive a moment later."""
        deadline = time.monotonic() + WAIT
        while True:  # R running, S sleeping, T stopped (/proc/PID/stat, field 3)
            now = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            if (now == "T") == stopped or time.monotonic() > deadline:
                return now
            time.sleep(0.01)

    async def steps(preview: serve_builds.Preview) -> str:
        gate.close()
        project.edit(*SAVED)
        gate.running.clear()
        await preview.rebuild({SAVED[0]})
        await asyncio.get_running_loop().run_in_executor(None, gate.running.wait, WAIT)
        pid = gate.started[1]._process.pid  # type: ignore[union-attr]
        build = preview.build
        preview.build = lambda r, o: (states.append(state(pid, stopped=True)), build(r, o))[1]
        project.edit("content/summaries/01-intro.md", "Swaps were small.", "Swaps were tiny.")
        await preview.rebuild({"content/summaries/01-intro.md"})
        states.append(state(pid, stopped=False))
        gate.open()
        await settled(preview)
        return tree_hash(project.output)

    lines, after = scenario(project, steps)
    assert len(gate.started) == 2, "the summary edit kept the running Pagefind: no third one"
    assert states[0] == "T" and states[1] != "T", "paused while the build ran, then resumed"
    assert lines[2].endswith("01-intro.md; search index updating")
    assert sum(line.startswith("search index updated") for line in lines) == 1, lines
    assert after == cold_build(project, tmp_path / "cold")


def test_a_save_back_to_the_indexed_records_publishes_that_index_and_stops_pagefind(
        project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gate = Gate(tmp_path, monkeypatch)

    async def steps(preview: serve_builds.Preview) -> tuple[bool, str]:
        gate.close()
        project.edit(*SAVED)
        await preview.rebuild({SAVED[0]})
        project.edit(SAVED[0], SAVED[2], SAVED[1])  # undone
        await preview.rebuild({SAVED[0]})
        gate.open()
        return preview.search_settled.is_set(), tree_hash(project.output)

    lines, (at_once, after) = scenario(project, steps)
    assert at_once and gate.started[1].closed
    assert lines[2].endswith("content/facts.yaml") and not any("search index updated" in line for line in lines)
    assert after == cold_build(project, tmp_path / "cold")


def test_a_failing_pagefind_in_the_background_is_a_warning(
        project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gate = Gate(tmp_path, monkeypatch)

    async def steps(preview: serve_builds.Preview) -> str:
        gate.write('echo "index: disk on fire" >&2; exit 3')
        project.edit(*SAVED)
        await preview.rebuild({SAVED[0]})
        await settled(preview)
        return (project.output / "facts-2024-08.html").read_text(encoding="utf-8")

    lines, page = scenario(project, steps)
    assert "on a Thursday." in page and (project.output / "pagefind" / "pagefind.js").is_file()
    assert lines[2:] == [
        "site.yaml:1:1: warning: Pagefind failed (index: disk on fire), so search still finds what it did "
        "before the last change\n    hint: install the pinned requirements (pip install -r requirements.txt), "
        "or set `search: false` in site.yaml"], lines


def test_search_pages_reload_when_their_index_is_new_the_others_with_the_rebuild(
        project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gate = Gate(tmp_path, monkeypatch)

    async def steps(preview: serve_builds.Preview) -> dict[str, list[str]]:
        from tornado import httpserver, netutil
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        sockets = netutil.bind_sockets(0, "127.0.0.1")
        port = sockets[0].getsockname()[1]
        http = httpserver.HTTPServer(serve_http.application(preview, port))
        http.add_sockets(sockets)
        seen = str(preview.generation)

        async def connect(page: str) -> object:
            request = HTTPRequest(f"ws://127.0.0.1:{port}/livereload",
                                  headers={"Cookie": f"preview_build_{port}={seen}"})
            ws = await websocket_connect(request)
            ws.write_message(json.dumps({"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"]}))
            await ws.read_message()
            ws.write_message(json.dumps({"command": "info", "url": f"http://127.0.0.1:{port}/{page}", "plugins": {}}))
            return ws

        async def sent(ws: object) -> list[str]:
            """The commands sent to a page so far: a hello asked for now is answered after all of them."""
            ws.write_message(json.dumps({"command": "hello", "protocols": []}))  # type: ignore[attr-defined]
            commands: list[str] = []
            while not commands or commands[-1] != "hello":
                message = await asyncio.wait_for(ws.read_message(), WAIT)  # type: ignore[attr-defined]
                commands.append(json.loads(message)["command"])
            return commands[:-1]

        front, searching = await connect("index.html"), await connect("search.html?q=Thursday")
        got: dict[str, list[list[str]]] = {"front": [], "search": []}
        got["front"].append(await sent(front))  # connected while current: nothing
        got["search"].append(await sent(searching))
        gate.close()
        project.edit(*SAVED)
        await preview.rebuild({SAVED[0]})
        got["front"].append(await sent(front))
        got["search"].append(await sent(searching))
        gate.open()
        await settled(preview)
        got["front"].append(await sent(front))
        got["search"].append(await sent(searching))
        for ws in (front, searching):
            ws.close()  # type: ignore[attr-defined]
        http.stop()
        return got

    _lines, got = scenario(project, steps)
    assert got["front"] == [[], ["reload"], []]
    assert got["search"] == [[], [], ["reload"]]


def test_serve_says_when_search_has_caught_up_and_the_site_is_a_cold_build(tmp_path: Path) -> None:
    if pagefind.executable() is None:
        pytest.skip("Pagefind is not installed")
    project = make_project(tmp_path / "site", site_yaml(SPLIT))
    server = Server(project, "--port", "0").start()
    try:
        before = len(server.lines)
        project.edit(*SAVED)
        server.wait_for(r"search index updating", before)
        server.wait_for(r"^search index updated in [0-9.]+ s$", before)
        after = tree_hash(project.output)
    finally:
        assert server.stop() == 0
    assert after == cold_build(project, tmp_path / "cold")


class GatedServer(Server):
    """`build.py serve` whose Pagefind is the gate's (the variable that pagefind's own lookup reads)."""

    def __init__(self, project: Project, gate: Gate, scratch: Path):
        env = {**os.environ, "PAGEFIND_BINARY_PATH": str(gate.script), "TMPDIR": str(scratch)}
        self._spawn([sys.executable, "-u", str(REPO / "build.py"), "serve", "--project", str(project.root),
                     "--port", "0"], env=env)


def test_ctrl_c_while_search_is_indexed_stops_pagefind_without_a_warning(
        project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gate = Gate(tmp_path, monkeypatch)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    server = GatedServer(project, gate, scratch).start()
    try:
        gate.close()
        before = len(server.lines)
        project.edit(*SAVED)
        server.wait_for(r"search index updating", before)
        assert [p.name for p in scratch.iterdir() if p.name.startswith("explainer-pagefind-")] != []
        first, background = gate.started_sessions(2)
        # The first build's Pagefind is in the preview's session, so Ctrl-C stops it as it stops
        # `build.py build`; the background one is not, so Ctrl-C reaches only the preview, which
        # stops it: no "Pagefind failed" on the way out.
        assert first == server.proc.pid and background != server.proc.pid
    finally:
        code = server.stop()  # Ctrl-C to the preview's process group: Pagefind has a session of its own
    assert code == 0 and server.lines[-2:] == ["stopped", "<exit>"], server.output
    assert "warning" not in server.output
    assert not [p for p in scratch.iterdir() if p.name.startswith("explainer-pagefind-")], "stopped and removed"
