"""Pagefind in a process of its own: its binary found, the records written for it, its index collected.

Pagefind is a pinned runtime dependency (`pagefind[bin]`, a Rust binary in a wheel); this module is
not that package (`pagefind.service`), which it never imports. The build starts `Indexing` as soon as
the content is valid (reach.py) and reads its bundle last; the preview keeps the last index per
language and the Pagefind making a newer one (search_memo.py). What is indexed, one `search.Record`
per fact, event and glossary entry, is made by search.py.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
import time
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import subprocess
    from collections.abc import Callable

    from .forked_exec import ForkedExec
    from .search import Record

FOLDER = "pagefind"
# Pagefind's own UI bundles: search.html has its own few lines of script, so they are not published.
UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
          "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js")
TIMEOUT = 600  # seconds; Pagefind takes about 1.5 s for 11,000 records
# The preview's background index leaves the other core to the browser and the editor's next save.
BACKGROUND_THREADS = 1
RECORDS_PER_PAGE = 150  # of Pagefind's input: see write_records


def _spare_cores() -> int | None:
    """Pagefind's threads in a build: every core the build may use but one, which the build itself renders on.

    Pagefind otherwise takes every core for a second or two, right while the build renders on one of
    them: on two cores both then crawl, and the build waits for the slower. None leaves it to
    Pagefind's default (its own RAYON_NUM_THREADS set by the user, or a one-core machine).
    """
    if "RAYON_NUM_THREADS" in os.environ:
        return None
    from .parallel import workers_available

    cores = workers_available()
    return cores - 1 if cores > 1 else None


def _write_aside() -> bool:
    """Whether a forked child writes the records and then becomes Pagefind (forked_exec.py), so the
    build goes on at once: from two cores, where the process may fork (not in the preview, whose
    threads forbid it; it starts Pagefind once the site is out anyway)."""
    from .parallel import can_fork_child

    return can_fork_child(small_work=False, copies=False)


class SearchUnavailable(Exception):
    """Pagefind is not installed or did not finish; the message says which, and that the site has no search."""

    def __init__(self, reason: str):
        super().__init__(f"{reason}, so the site has no search")
        self.reason = reason  # "Pagefind failed (...)": the preview's background index says what it keeps instead


def executable() -> Path | None:
    """Pagefind's binary, found where `pagefind.service.get_executable` looks, in the same order:
    $PAGEFIND_BINARY_PATH, the `pagefind_bin_extended` or `pagefind_bin` wheel, then the PATH.

    Not by calling it: importing `pagefind.service` imports asyncio and ssl (~0.1 s), which a
    cold build paid just before starting Pagefind, on its critical path.
    """
    path = _find_binary()
    return path if path is not None and path.is_file() else None


def _find_binary() -> Path | None:
    named = os.getenv("PAGEFIND_BINARY_PATH")
    if named is not None:
        return Path(named)
    for wheel in ("pagefind_bin_extended", "pagefind_bin"):
        try:
            module = __import__(wheel)
        except ImportError:
            continue
        try:
            return module.get_executable()
        except FileNotFoundError:  # the wheel without its binary: pagefind.service would fail here too
            return None
    import shutil

    found = shutil.which("pagefind_extended") or shutil.which("pagefind")
    return Path(found) if found else None


class Indexing:
    """Pagefind indexing the records in a process of its own, started by `start` and read by `finish`.

    The build starts it as soon as the project is verified (the records need nothing rendered), so
    Pagefind works on the second core while this process renders the pages. The preview's
    background index is made with ``later``, and started once the rebuilt site is out (`start`).
    """

    def __init__(self, items: list[Record], language: str, later: bool = False):
        binary = executable()
        if binary is None:
            raise SearchUnavailable("Pagefind is not installed")
        self._binary, self._items, self._language = binary, items, language
        self._scratch = tempfile.TemporaryDirectory(prefix="explainer-pagefind-")
        scratch = Path(self._scratch.name)
        self._bundle = scratch / "bundle"
        self._errors = open(scratch / "stderr", "w+b")  # noqa: SIM115 - closed by close()
        self._process: subprocess.Popen[bytes] | ForkedExec | None = None
        self.started = time.perf_counter()
        self.closed = False  # stopped, or finished and cleaned up: its files are gone
        self._lock = threading.Lock()
        # The preview writes the records in a thread of its own, outside the lock, page by page: a
        # rebuild pauses the writing (cleared) or stops it (close) at once, instead of waiting for
        # it (0.3 s at 50,000 facts, which the next save spent waiting for the lock).
        self._go = threading.Event()
        self._go.set()
        # Cleared while records are written outside the lock: Pagefind starts after them, and that
        # thread removes the scratch folder if the index is closed meanwhile.
        self._written = threading.Event()
        self._written.set()
        self.finished: Callable[[dict[str, bytes]], None] | None = None  # told the files (the preview keeps them)
        if not later:
            self.start()

    def start(self, threads: int | None = None, detached: bool = False) -> None:
        """Write the records and start Pagefind (once; never after `close`).

        ``threads`` caps its threads (rayon's; by default all cores but the build's own, see
        `_spare_cores`); ``detached`` gives it a session of its own, so the
        preview's Ctrl-C reaches only the preview, which then stops it (a failure otherwise).
        """
        with self._lock:  # the preview starts it in one thread and may stop it from another
            if self._process is not None or self.closed or not self._written.is_set():
                return
            self.started = time.perf_counter()
            scratch = Path(self._scratch.name)
            threads = threads or _spare_cores()
            env = None if threads is None else {**os.environ, "RAYON_NUM_THREADS": str(threads)}
            site, language = scratch / "site", self._language
            argv = [str(self._binary), "--site", str(site), "--output-path", str(self._bundle), "--silent",
                    "--force-language", language.split("-")[0].lower()]
            items, self._items = self._items, []  # written: not kept alive while the build renders (50k: ~20 MB)
            aside = not detached and _write_aside()
            if not aside:
                self._written.clear()
            if aside:
                from .forked_exec import ForkedExec

                try:
                    self._process = ForkedExec(lambda: write_records(items, site, language), argv,
                                               env or dict(os.environ), str(scratch), self._errors.fileno())
                    return
                except OSError as exc:
                    failed: BaseException | None = exc
        if not aside:
            failed = self._write_then_run(items, site, argv, env, detached)
            if failed is None:
                return
        self.close()
        raise SearchUnavailable(f"Pagefind failed ({failed})")

    def _write_then_run(self, items: list[Record], site: Path, argv: list[str], env: dict[str, str] | None,
                        detached: bool) -> BaseException | None:
        """Write the records here, then start Pagefind; the failure, or None (started, or stopped meanwhile)."""
        import subprocess

        failed: BaseException | None = None
        try:
            write_records(items, site, self._language, self._may_go)
        except _Stopped:
            pass
        except OSError as exc:
            failed = exc
        with self._lock:
            try:
                if self.closed:  # stopped while writing: close() left the clean-up to this thread
                    self._clean_up()
                    return None
                if failed is None:
                    try:
                        self._process = subprocess.Popen(
                            argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self._errors,
                            cwd=self._scratch.name, env=env, start_new_session=detached)
                    except OSError as exc:
                        failed = exc
            finally:
                self._written.set()
        return failed

    def _may_go(self) -> None:
        """Between two pages of records: wait while paused; stop once closed."""
        self._go.wait()
        if self.closed:
            raise _Stopped

    def wait(self) -> None:
        """Return once Pagefind has exited (finished, failed or stopped), for the preview's background index.

        Only waits: `finish` reads the files, in the preview's build thread (serve_builds.py).
        """
        import subprocess

        self._written.wait()  # another thread still writing the records (a save took this index over) starts it
        if self._process is None:
            return  # stopped before it started
        with contextlib.suppress(subprocess.TimeoutExpired):  # finish() reports it
            self._process.wait(timeout=TIMEOUT)

    def pause(self, paused: bool = True) -> None:
        """Stop Pagefind's clock while the preview rebuilds, so the rebuild has every core (SIGSTOP),
        and start it again after (SIGCONT); records still being written wait likewise."""
        import signal

        if paused:
            self._go.clear()  # records still being written wait at the next page
        else:
            self._go.set()
        with self._lock:
            if self.running():
                self._process.send_signal(signal.SIGSTOP if paused else signal.SIGCONT)  # type: ignore[union-attr]

    def running(self) -> bool:
        """Pagefind is still indexing: `finish` would wait for it."""
        return self._process is not None and self._process.poll() is None and not self.closed

    def usable(self) -> bool:
        """Not started yet, still indexing, or finished without an error and not yet collected: a
        rebuild may take it over."""
        return not self.closed and (self._process is None or self._process.poll() in (None, 0))

    def finish(self) -> dict[str, bytes]:
        """Pagefind's bundle as output path → bytes, once it has finished (see `write_records`)."""
        import subprocess

        assert self._process is not None
        try:
            code = self._process.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.close()
            raise SearchUnavailable(f"Pagefind took over {TIMEOUT} s") from None
        if code != 0:
            self._errors.seek(0)
            detail = self._errors.read().decode("utf-8", "replace").strip()[:300]
            self.close()
            raise SearchUnavailable(f"Pagefind failed ({detail or f'exit code {code}'})")
        bundle = self._bundle
        files = {f"{FOLDER}/{p.relative_to(bundle).as_posix()}": p.read_bytes()
                 for p in sorted(bundle.rglob("*")) if p.is_file() and p.name not in UNUSED}
        finished = self.finished
        self.close()
        if f"{FOLDER}/pagefind.js" not in files:
            raise SearchUnavailable("Pagefind wrote no pagefind.js")
        if finished is not None:
            finished(files)
        return files

    def close(self) -> None:
        """Stop Pagefind if it still runs (the build failed meanwhile) and remove its scratch folder."""
        with self._lock:
            self.closed = True
            # The records and the callback (which refers back to this object: a cycle the preview's
            # frozen collector would keep, with every record, 18 MB a save at 50,000 facts) go now.
            self._items, self.finished = [], None
            self._go.set()  # a paused writer wakes, and stops (_may_go)
            if self._process is not None and self._process.poll() is None:
                self._process.kill()
                self._process.wait()
            if self._written.is_set():  # else the writing thread cleans up once it has stopped
                self._clean_up()

    def _clean_up(self) -> None:
        self._errors.close()
        self._scratch.cleanup()


class _Stopped(Exception):
    """The records were being written when the index was stopped (Indexing.close)."""


def write_records(items: list[Record], folder: Path, language: str, between: Callable[[], None] = lambda: None
                  ) -> None:
    """Records as pages for Pagefind's command line, RECORDS_PER_PAGE each, in order.

    Each record is a section under a heading whose id is the item's address on the site
    (`facts-2024-08.html#sbu-102`): Pagefind answers with that heading as a sub-result
    (`0003.html#facts-2024-08.html#sbu-102`) and search.js links to what follows the first `#`.
    Pages rather than a file per record: Pagefind's own per-record API answers one record per
    0.1 s, and 11,000 files take seconds just to write. Pagefind's memory grows with the pages:
    one page per page of the site (about 90 records at 50,000 facts) took it to 543 MB, 20
    records a page to 999 MB, 150 to 453 MB (with the facts' numbers left out: `records`). A
    search fetches the text of its five best pages, so larger pages cost readers more bytes.
    """
    folder.mkdir(parents=True)
    lang = escape(language)
    for n, start in enumerate(range(0, len(items), RECORDS_PER_PAGE)):
        between()  # the preview's: wait while a rebuild runs, stop if the index was stopped
        # html.escape: the same entities for Pagefind's parser as markupsafe's, without a Markup object each
        sections = "".join(f'<section><h2 id="{escape(r.url)}">{escape(r.title)}</h2><p>{escape(r.content)}</p>'
                           "</section>" for r in items[start:start + RECORDS_PER_PAGE])
        (folder / f"{n:04d}.html").write_bytes(
            f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{n:04d}</title></head>'
            f"<body><main data-pagefind-body>{sections}</main></body></html>".encode())
