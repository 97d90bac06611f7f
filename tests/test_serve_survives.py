"""The preview survives: a bounded error page for any file, a rebuild that raises, a folder that goes.

The error page reads only a window around each problem; how much it read is measured with the
kernel's count of bytes this process read (/proc/self/io), not guessed.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from _preview import WAIT, Server, request, run_in_thread, save_named
from conftest import Project, make_project

from explainer import serve_builds, serve_page, serve_watch
from explainer.errors import BuildError, ContentError

GB = 1024 * 1024 * 1024
SCAN_LIMIT = 8 * 1024 * 1024 + 64 * 1024  # the README's promise: never more than 8 MB of a file (+ one chunk)


def bytes_read() -> int:
    """Bytes this process has read through read(2) so far (Linux's rchar)."""
    with open("/proc/self/io", encoding="ascii") as io:
        return int(re.search(r"^rchar: (\d+)$", io.read(), re.M).group(1))


def page_for(root: Path, *problems: ContentError) -> tuple[str, int]:
    """The error page for ``problems`` and how many bytes rendering it read."""
    before = bytes_read()
    html = serve_page.error_page(serve_page.Failure(problems=list(problems)), root).decode()
    return html, bytes_read() - before - 4096  # minus the read of /proc/self/io itself


def shown_lines(html: str) -> list[tuple[int, str]]:
    return [(int(n), text) for n, text in re.findall(r'class="n">(\d+)</span>(.*?)</(?:span|mark)>', html)]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "seeds").mkdir()
    return tmp_path


def test_a_1_gb_archive_costs_a_window_not_a_copy(root: Path) -> None:
    with open(root / "seeds" / "big.txt", "wb") as f:
        f.truncate(GB)  # sparse: one line of a billion NUL bytes, written in no time
    html, read = page_for(root, ContentError("seeds/big.txt", 1, 1, "the file is 1024 MB, over the 64 MB limit"))
    assert read <= SCAN_LIMIT
    assert len(html) < 32 * 1024
    assert shown_lines(html) == [(1, "\ufffd" * serve_page.MAX_LINE_CHARS + "…")]


def test_reading_stops_after_the_window(root: Path) -> None:
    lines = [f"line {n:06d} " + "x" * 88 for n in range(1, 300_001)]  # 30 MB
    (root / "seeds" / "long.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    html, read = page_for(root, ContentError("seeds/long.txt", 10, 6, "a problem on line 10"))
    assert read < 256 * 1024
    assert shown_lines(html) == [(n, lines[n - 1]) for n in range(7, 14)]
    assert re.search(r'<span class="ln caret" aria-hidden="true"><span class="n"></span> {5}\^</span>', html)


def test_a_problem_past_the_scan_limit_is_listed_without_its_lines(root: Path) -> None:
    lines = [f"line {n:06d} " + "x" * 88 for n in range(1, 300_001)]
    (root / "seeds" / "long.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    html, read = page_for(root, ContentError("seeds/long.txt", 250_000, 1, "a problem far down"))
    assert read <= SCAN_LIMIT
    assert "seeds/long.txt:250000:1" in html and "a problem far down" in html
    assert shown_lines(html) == []


def test_a_long_line_is_cut_and_a_caret_past_the_cut_is_left_out(root: Path) -> None:
    (root / "seeds" / "one.txt").write_text("y" * 5_000_000, encoding="utf-8")
    html, _read = page_for(root, ContentError("seeds/one.txt", 1, 3_000_000, "far along the line"))
    assert shown_lines(html) == [(1, "y" * serve_page.MAX_LINE_CHARS + "…")]
    assert "caret" not in html.split("</style>")[1]
    assert len(html) < 32 * 1024


def test_line_ends_and_control_characters(root: Path) -> None:
    (root / "seeds" / "a.txt").write_bytes(b"one\r\ntwo\x1b[31m\tred\r\nthree\n")
    html, _read = page_for(root, ContentError("seeds/a.txt", 2, 1, "m"),
                           ContentError("seeds/a.txt", 4, 1, "past the last line"))
    assert shown_lines(html) == [(1, "one"), (2, "two\ufffd[31m    red"), (3, "three")]


def test_a_fifo_or_a_file_outside_the_project_shows_no_lines(root: Path,
                                                             tmp_path_factory: pytest.TempPathFactory) -> None:
    os.mkfifo(root / "seeds" / "pipe.txt")  # reading it would wait for a writer forever
    outside = tmp_path_factory.mktemp("outside") / "secret.txt"
    outside.write_text("secret\n", encoding="utf-8")
    (root / "seeds" / "link.txt").symlink_to(outside)
    html, _read = page_for(root, ContentError("seeds/pipe.txt", 1, 1, "m"), ContentError("seeds/link.txt", 1, 1, "m"),
                           ContentError("../" + outside.parent.name + "/secret.txt", 1, 1, "m"))
    assert shown_lines(html) == [] and "secret\n" not in html


def test_thousands_of_problems_give_a_bounded_page(root: Path) -> None:
    problems = [ContentError("content/facts.yaml", n, 1, f"problem {n}") for n in range(1, 20_001)]
    html, _read = page_for(root, *problems)
    assert "20000 more problems" not in html and f"{20_000 - serve_page.MAX_EXCERPTS} more problems" in html
    assert f"and {20_000 - serve_page.MAX_LISTED} more, listed in the terminal" in html
    assert len(html) < 100 * 1024


def test_a_1_gb_archive_in_a_running_preview(tmp_path: Path) -> None:
    project = make_project(tmp_path / "site")
    with open(project.root / "seeds" / "a.txt", "wb") as f:
        f.truncate(GB)
    running = Server(project, "--port", "0").start()
    try:
        running.wait_for(r"^seeds/a\.txt:1:1: error: the file is 1024 MB")
        status, headers, body = request(running.port, "/")
        assert status == 500 and b"the file is 1024 MB" in body
        assert int(headers["content-length"]) == len(body) < 64 * 1024
        peak = re.search(r"^VmHWM:\s+(\d+) kB$", Path(f"/proc/{running.proc.pid}/status").read_text(), re.M)
        assert int(peak.group(1)) < 400 * 1024, "the preview's peak memory grew with the archive"
    finally:
        assert running.stop() == 0


# ---------------------------------------------------------------- rebuilds that raise


def test_a_rebuild_whose_report_raises_is_an_error_on_the_page_and_the_next_one_works(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    said: list[str] = []
    attempts = iter([BuildError([ContentError("content/facts.yaml", 1, 1, "broken")]), None])

    def build(_root: Path, _output: Path) -> None:
        if problem := next(attempts):
            raise problem

    def broken_page(*_args: object) -> bytes:
        raise RuntimeError("the error page broke")

    monkeypatch.setattr(serve_builds, "error_page", broken_page)

    async def scenario() -> tuple[object, object]:
        preview = serve_builds.Preview(tmp_path, tmp_path / "output", build, out=said.append, err=said.append)
        await preview.rebuild({"content/facts.yaml"})
        first = preview.failure
        await preview.rebuild({"content/facts.yaml"})
        preview.close()
        return first, preview.failure

    first, second = run_in_thread(scenario)
    assert isinstance(first, serve_page.Failure)
    assert first.message.startswith("internal error (RuntimeError: the error page broke)")
    assert second is None
    assert said[-1].startswith("rebuilt ")


def test_the_rebuild_loop_outlives_a_rebuild_that_raises(tmp_path: Path) -> None:
    said: list[str] = []

    class Flaky:
        def __init__(self) -> None:
            self.calls: list[set[str]] = []
            self.warn = said.append

        async def rebuild(self, changed: set[str]) -> bool:
            self.calls.append(changed)
            if len(self.calls) == 1:
                raise KeyError("boom")
            return True

    async def scenario() -> list[set[str]]:
        changes: asyncio.Queue[set[str]] = asyncio.Queue()
        flaky = Flaky()
        loop = asyncio.create_task(serve_watch.rebuild_on_changes(flaky, changes, tmp_path))  # type: ignore[arg-type]
        changes.put_nowait({str(tmp_path / "a.yaml")})
        while not flaky.calls:
            await asyncio.sleep(0)
        changes.put_nowait({str(tmp_path / "b.yaml")})
        while len(flaky.calls) < 2:
            await asyncio.sleep(0)
        loop.cancel()
        return flaky.calls

    assert run_in_thread(lambda: asyncio.wait_for(scenario(), WAIT)) == [{"a.yaml"}, {"b.yaml"}]
    assert said == ["error: the rebuild failed (KeyError: 'boom'); the preview keeps watching"]


# ---------------------------------------------------------------- folders that go


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[Server, Project]]:
    project = make_project(tmp_path / "site")
    running = Server(project, "--port", "0").start()
    yield running, project
    running.stop(signal.SIGKILL)


def test_a_folder_that_goes_and_comes_back(live: tuple[Server, Project], tmp_path: Path) -> None:
    running, project = live
    aside = tmp_path / "aside"
    mark = len(running.lines)
    shutil.move(project.root / "templates", aside)  # the package's theme takes over: still a good build
    running.wait_for(r"^rebuilt .*templates", after=mark)
    assert request(running.port, "/")[0] == 200
    shutil.move(aside, project.root / "templates")
    for folder in ("content/summaries", "seeds"):
        mark = len(running.lines)
        shutil.move(project.root / folder, aside)
        running.wait_for(r"^build failed |^error: ", after=mark)
        assert request(running.port, "/")[0] == 500
        mark = len(running.lines)
        shutil.move(aside, project.root / folder)
        running.wait_for(r"^rebuilt ", after=mark)
        status, _headers, body = request(running.port, "/")
        assert status == 200 and b"SBU commandos captured" in body, folder
    mark = len(running.lines)
    project.edit("content/facts.yaml", "on a Wednesday.", "on a Wednesday, still watched.")
    running.wait_until_shown(b"on a Wednesday, still watched.", after=mark)
    running.wait_for(save_named("content/facts.yaml"), after=mark)  # the watch saw the save
    assert "Traceback" not in running.output


# ---------------------------------------------------------------- a bug in the preview itself


def test_a_request_handler_that_raises_is_one_line_not_a_traceback(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import logging

    from tornado import httpserver, netutil
    from tornado.httpclient import AsyncHTTPClient

    from explainer import serve, serve_http

    async def broken_wait() -> None:
        raise RuntimeError("boom")

    async def scenario() -> int:
        preview = serve_builds.Preview(tmp_path, tmp_path / "output", lambda _r, _o: None,
                                       out=lambda _t: None, err=lambda _t: None)
        preview.wait_until_built = broken_wait  # type: ignore[method-assign]
        sockets = netutil.bind_sockets(0, "127.0.0.1")
        port = sockets[0].getsockname()[1]
        http = httpserver.HTTPServer(serve_http.application(preview, port))
        http.add_sockets(sockets)
        response = await AsyncHTTPClient().fetch(f"http://127.0.0.1:{port}/", raise_error=False)
        http.stop()
        preview.close()
        return response.code

    saved = {name: (logging.getLogger(name).handlers[:], logging.getLogger(name).propagate,
                    logging.getLogger(name).level) for name in (*serve.NOISE_LOGS, *serve.BUG_LOGS)}
    try:
        serve.quiet_network_noise(debug=False)
        capsys.readouterr()
        assert run_in_thread(scenario) == 500
        err = capsys.readouterr().err
    finally:
        for name, (handlers, propagate, level) in saved.items():
            log = logging.getLogger(name)
            log.handlers[:], log.propagate = handlers, propagate
            log.setLevel(level)
    assert err.splitlines() == ["error: internal error in the preview (Uncaught exception GET / (127.0.0.1): "
                                "RuntimeError: boom); rerun with --debug for the traceback"]


# ---------------------------------------------------------------- what a lost change set changed


def test_a_save_one_watch_has_not_reported_is_not_forgotten_when_the_other_reports(project: Project) -> None:
    """The project folder's watch reports site.yaml; content/'s watch, down at that moment, must
    still find the facts.yaml save when it compares the files (sizes and times, not reads)."""
    watcher = serve_watch.Watcher(project.root, asyncio.Queue())
    facts, site = project.root / "content" / "facts.yaml", project.root / "site.yaml"
    facts.write_text(facts.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    site.write_text(site.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    watcher.report({str(site)})
    assert watcher.missed() == {str(facts)}
    (project.root / "content" / "summaries" / "01-intro.md").read_bytes()  # a read is not a save
    assert watcher.missed() == {str(facts)}
    watcher.report({str(project.root / "content")})  # a folder covers the files in it
    assert watcher.missed() == set()


def test_after_a_folder_watch_restarts_it_builds_once_even_if_nothing_looks_changed(project: Project) -> None:
    """A folder that went and came back while the folders' watch was restarting (a build may have
    read the project without it) leaves every file as last reported: the new watch still asks for
    one build, so the preview does not keep showing a failure of a moment that has passed."""
    changes: asyncio.Queue[set[str]] = asyncio.Queue()
    watcher = serve_watch.Watcher(project.root, changes)
    calls = 0

    async def restarting_watch(started):  # the first watch ends (a folder appeared); the second starts
        nonlocal calls
        calls += 1
        if calls == 1:
            return
        started()
        watcher.stop.set()

    watcher._watch_folders = restarting_watch  # type: ignore[method-assign]

    async def run() -> None:
        await watcher._keep_watching("the folders", watcher._watch_folders)

    run_in_thread(run)  # not asyncio.run here: Playwright's sync API may hold this thread's event loop
    assert watcher.missed() == set()  # nothing looks changed …
    reported = changes.get_nowait()  # … and yet one build is asked for, of the folders the watch covers
    assert str(project.root / "content") in reported and changes.empty()


# ---------------------------------------------------------------- a save the watch missed while up


def test_a_save_that_differs_at_two_comparisons_is_reported_once(project: Project) -> None:
    """Watcher.reconcile, the watch's safety net: a save no change set reported is reported at the
    second comparison that finds it unchanged since the first (a working watch would have reported
    it in between), with a note; a file still being written waits; nothing else is reported."""
    changes: asyncio.Queue[set[str]] = asyncio.Queue()
    notes: list[str] = []
    watcher = serve_watch.Watcher(project.root, changes, warn=notes.append)
    facts = project.root / "content" / "facts.yaml"
    facts.write_text(facts.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    suspects = watcher.reconcile(watcher.snapshot(), {})
    assert changes.empty() and set(suspects) == {str(facts)}
    facts.write_text(facts.read_text(encoding="utf-8") + "\n\n", encoding="utf-8")  # still changing
    suspects = watcher.reconcile(watcher.snapshot(), suspects)
    assert changes.empty() and set(suspects) == {str(facts)}
    suspects = watcher.reconcile(watcher.snapshot(), suspects)  # the same as last time: lost
    assert changes.get_nowait() == {str(facts)} and changes.empty()
    assert notes == ["note: the watch missed 1 change(s); rebuilding for them"]
    assert suspects == {} and watcher.reconcile(watcher.snapshot(), suspects) == {}  # reported once


def test_a_save_reported_between_two_comparisons_is_not_reported_again(project: Project) -> None:
    changes: asyncio.Queue[set[str]] = asyncio.Queue()
    watcher = serve_watch.Watcher(project.root, changes, warn=lambda note: None)
    facts = project.root / "content" / "facts.yaml"
    facts.write_text(facts.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    suspects = watcher.reconcile(watcher.snapshot(), {})
    watcher.report({str(facts)})  # the watch's own change set
    assert changes.get_nowait() == {str(facts)}
    assert watcher.reconcile(watcher.snapshot(), suspects) == {} and changes.empty()


def test_what_the_watch_ignores_is_never_a_missed_save(project: Project) -> None:
    """An editor's swap and backup files and .git change as the editor likes: the watch ignores
    them (watchfiles.DefaultFilter), and so do the comparisons."""
    watcher = serve_watch.Watcher(project.root, asyncio.Queue())
    content = project.root / "content"
    (content / ".facts.yaml.swp").write_bytes(b"swap")
    (content / "facts.yaml~").write_text("backup", encoding="utf-8")
    (content / ".git").mkdir()
    (content / ".git" / "index").write_bytes(b"index")
    assert watcher.missed() == set()
    (content / "facts.yaml.bak").write_text("kept by the editor", encoding="utf-8")  # not ignored by the watch
    assert watcher.missed() == {str(content / "facts.yaml.bak")}


def deaf_watcher(project: Project, monkeypatch) -> tuple[serve_watch.Watcher, asyncio.Queue[set[str]], list[str]]:
    """A Watcher whose two watches are up and report nothing (as one that lost its notifications
    does), its comparisons every 20 ms: what it reports, and its notes."""
    monkeypatch.setattr(serve_watch, "RECONCILE_S", 0.02)
    changes: asyncio.Queue[set[str]] = asyncio.Queue()
    notes: list[str] = []
    watcher = serve_watch.Watcher(project.root, changes, warn=notes.append)

    async def silent(started):
        started()
        await watcher.stop.wait()

    watcher._watch_root = watcher._watch_folders = silent  # type: ignore[method-assign]
    return watcher, changes, notes


def first_report_of_a_save(watcher: serve_watch.Watcher, changes: asyncio.Queue[set[str]], path: Path) -> set[str]:
    """Run the watcher, save ``path`` and return the first change set it reports."""
    async def scenario() -> set[str]:
        running = asyncio.create_task(watcher.run())
        path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        reported = await asyncio.wait_for(changes.get(), WAIT)
        watcher.stop.set()
        await running
        return reported

    return run_in_thread(scenario)


def test_a_watch_that_is_up_but_reports_nothing_still_rebuilds_a_save(project: Project, monkeypatch) -> None:
    """The save is reported by the comparisons every RECONCILE_S, once."""
    watcher, changes, notes = deaf_watcher(project, monkeypatch)
    facts = project.root / "content" / "facts.yaml"
    assert first_report_of_a_save(watcher, changes, facts) == {str(facts)}
    assert changes.empty() and notes == ["note: the watch missed 1 change(s); rebuilding for them"]


def test_a_comparison_that_raises_is_one_note_and_the_next_ones_still_run(project: Project, monkeypatch) -> None:
    watcher, changes, notes = deaf_watcher(project, monkeypatch)
    snapshot, calls = watcher.snapshot, []

    def flaky() -> dict[str, tuple[int, int]]:
        calls.append(1)
        if len(calls) <= 3:
            raise RuntimeError("boom")
        return snapshot()

    watcher.snapshot = flaky  # type: ignore[method-assign]
    facts = project.root / "content" / "facts.yaml"
    assert first_report_of_a_save(watcher, changes, facts) == {str(facts)}
    assert notes == ["note: comparing the files failed (RuntimeError: boom); the watch goes on",
                     "note: the watch missed 1 change(s); rebuilding for them"]
