"""The preview's watch-and-rebuild loop: saves become change sets, change sets become rebuilds.

watchfiles (kernel notifications) reports a save once one watch step (``WATCH_STEP_MS``) passed
without a further change, and groups a burst of saves (an editor's "save all", a ``git checkout``)
into one change set, so one rebuild; saves that come while a build runs are merged into the next.

Watching never stops until Ctrl-C. watchfiles raises, and loses the batch it was reporting,
when it meets a file name that is not UTF-8 (an ``ExceptionGroup``, even when the build only
reads that file), a folder that vanished, or an exhausted inotify limit. Whatever it raises,
the watch says so in one line and starts again; until it is up, the files are compared with
what the last change set saw, every ``POLL_S``, so saves are still rebuilt (and named). A
rebuild that raises is reported in one line too, and the loop goes on.

A watch that is up can still miss a save without raising (the kernel's queue overflowing in a large
checkout, a folder replaced between two notifications, a machine so loaded that a restart races a
save): every ``RECONCILE_S`` the files are compared with the change sets reported, and a file that
differs twice in a row, the same both times, is reported as changed. A working watch reports a save
within milliseconds, long before the second comparison, so this never doubles a build.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import watchfiles

from .serve_builds import Preview
from .terminal import one_line, to_stderr

WATCHED_DIRS = ("content", "templates", "seeds", "static", "locales")
WATCHED_FILES = ("site.yaml",)
# A burst of saves is one change set once no further change came for this long. watchfiles looks at
# the end of each step, and reports after a step without a new change: a save is seen 1 to 2 steps
# after it was made, 1.5 on average (7.5 ms; with 25 ms steps it was 37.5 ms of every save's wait).
# Each step wakes a thread for a few microseconds; a save spread over more than a step (or a burst
# with a pause longer than one) at worst gives a second build, merged with what came meanwhile.
WATCH_STEP_MS = 5
RETRY_FIRST_S = 0.2  # after a watch failed, wait this long before watching again...
RETRY_MAX_S = 5.0  # ...doubling while it keeps failing at once, up to this
POLL_S = 0.3  # meanwhile, how often the files are compared with the last change set
RECONCILE_S = 2.0  # while watching, how often the files are compared anyway (a save the watch missed)

# An empty change set after 200 ms of quiet: a sign the watch is up (after a failure, the catch-up
# rebuild waits for it, so no save falls between the failed watch and the new one).
WATCH_OPTIONS = {"step": WATCH_STEP_MS, "rust_timeout": 200, "yield_on_timeout": True,
                 "ignore_permission_denied": True}
_dir_filter = watchfiles.DefaultFilter()  # skips editors' swap and backup files, .git, caches
_IGNORED_DIRS = frozenset(watchfiles.DefaultFilter.ignore_dirs)


class Watcher:
    """Reports saves under the watched folders and to site.yaml, grouped into change sets.

    site.yaml is watched through its folder (not recursively: the project folder also holds
    .venv/ and output/), so editors that save by replacing the file are seen too. When a watched
    folder appears, vanishes or is replaced, its watch is restarted.
    """

    def __init__(self, root: Path, changes: asyncio.Queue[set[str]], warn: Callable[[str], None] = to_stderr):
        self.root = root
        self.changes = changes
        self.warn = warn
        self.stop = asyncio.Event()
        self._restart = asyncio.Event()
        self._seen = self.snapshot()  # the files as of the last change set reported

    def snapshot(self) -> dict[str, tuple[int, int]]:
        """Each watched file's size and modification time, by path: what a lost change set changed.

        Reading a file changes neither, so the build's own reads (which make watchfiles fail again
        when they touch a file name that is not UTF-8) never look like a save. What the watch
        ignores (an editor's swap and backup files, .git) is left out here too.
        """
        seen: dict[str, tuple[int, int]] = {}
        for top in [self.root / name for name in (*WATCHED_FILES, *WATCHED_DIRS)]:
            for folder, dirs, files in os.walk(top) if top.is_dir() else [(str(top.parent), [], [top.name])]:
                dirs[:] = [name for name in dirs if name not in _IGNORED_DIRS]
                for name in files:
                    path = os.path.join(folder, name)
                    if not _dir_filter(watchfiles.Change.modified, path):
                        continue
                    with contextlib.suppress(OSError):
                        info = os.lstat(path)
                        seen[path] = (info.st_size, info.st_mtime_ns)
        return seen

    def report(self, paths: set[str]) -> None:
        """Queue a change set (which the rebuild loop turns into one build), and remember the
        files it covers as they are now; the other files keep what was last reported of them, so
        a change the other watch has not reported yet is not forgotten."""
        now = self.snapshot()
        covered = {path for path in now.keys() | self._seen.keys() if _under(path, paths)}
        self._seen = {path: state for path, state in self._seen.items() if path not in covered}
        self._seen.update({path: now[path] for path in covered if path in now})
        self.changes.put_nowait(paths)

    def missed(self) -> set[str]:
        """The files that differ from what the change sets reported so far."""
        return set(self._differing(self.snapshot()))

    def _differing(self, now: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int] | None]:
        """Each file whose size or time in ``now`` is not what was last reported, with its state now."""
        return {path: now.get(path) for path in now.keys() | self._seen.keys() if now.get(path) != self._seen.get(path)}

    async def run(self) -> None:
        root_task = asyncio.create_task(self._keep_watching("the project folder", self._watch_root))
        reconcile_task = asyncio.create_task(self._reconcile())
        try:
            await self._keep_watching(", ".join(d + "/" for d in WATCHED_DIRS), self._watch_folders)
        finally:
            self.stop.set()
            await root_task
            await reconcile_task

    async def _reconcile(self) -> None:
        """Every RECONCILE_S, report the files that differed from the change sets at the last
        comparison too, in the same state: saves no watch reported (see the module's docstring).
        The files are looked at in a thread (about 9 ms for the 1,000 archives of 50,000 facts):
        the server answers meanwhile."""
        suspects: dict[str, tuple[int, int] | None] = {}
        failed = False
        while not self.stop.is_set():
            await _first(self.stop.wait(), asyncio.sleep(RECONCILE_S))
            if self.stop.is_set():
                return
            try:
                suspects = self.reconcile(await asyncio.to_thread(self.snapshot), suspects)
            except Exception as exc:  # a bug here must not end the preview: said once, then tried again
                if not failed:
                    self.warn(f"note: comparing the files failed ({one_line(exc)}); the watch goes on")
                failed = True

    def reconcile(self, now: dict[str, tuple[int, int]],
                  suspects: dict[str, tuple[int, int] | None]) -> dict[str, tuple[int, int] | None]:
        """One comparison: report the files that differ from the change sets in ``now`` as they did,
        in the same state, at the last (``suspects``); return what differs now for the next."""
        differing = self._differing(now)
        lost = {path for path, state in differing.items() if path in suspects and suspects[path] == state}
        if lost:
            self.warn(f"note: the watch missed {len(lost)} change(s); rebuilding for them")
            self.report(lost)
        return {path: state for path, state in differing.items() if path not in lost}

    async def _keep_watching(self, what: str, watch: Callable[[Callable[[], None]], Awaitable[None]]) -> None:
        """Run ``watch`` until stopped; after any error say so (once per kind) and watch again.

        The change set the failed watch was reporting is lost, and so is any save made while no
        watch ran: once the new watch is up, the files that differ from the last change set
        reported are reported as changed.
        """
        delay, last_note, lost, up = RETRY_FIRST_S, "", False, False

        def started() -> None:
            nonlocal lost, up
            up = True
            if lost:
                lost = False
                # A build may have read the files while no watch ran (a folder gone for a moment, then
                # back as it was): build once more even when every file looks as last reported.
                self.report(self.missed() or {str(self.root / d) for d in WATCHED_DIRS if (self.root / d).is_dir()})

        while not self.stop.is_set():
            up = False
            try:
                await watch(started)
                lost = True  # a folder appeared or went: the next watch checks what it missed
                continue
            except Exception as exc:  # an ExceptionGroup too: nothing may end the watch
                note = f"note: watching {what} failed ({_explain(exc)}); watching again"
            lost = True
            if note != last_note:
                self.warn(note)
                last_note = note
            if up:
                delay = RETRY_FIRST_S  # it had been watching: a new failure, not a watch that cannot start
            await self._poll(delay)
            delay = min(delay * 2, RETRY_MAX_S)

    async def _poll(self, seconds: float) -> None:
        """While no watch runs (e.g. watchfiles cannot start at a folder whose name is not UTF-8),
        compare snapshots every ``POLL_S``, so a save is still rebuilt."""
        deadline = time.monotonic() + seconds
        while not self.stop.is_set():
            self._report_missed()
            left = deadline - time.monotonic()
            if left <= 0:
                return
            await _first(self.stop.wait(), asyncio.sleep(min(POLL_S, left)))

    def _report_missed(self) -> None:
        if missed := self.missed():
            self.report(missed)

    async def _watch_root(self, started: Callable[[], None]) -> None:
        names = set(WATCHED_FILES) | set(WATCHED_DIRS)

        def keep(change: watchfiles.Change, path: str) -> bool:
            return Path(path).parent == self.root and Path(path).name in names

        async for batch in watchfiles.awatch(self.root, watch_filter=keep, recursive=False, stop_event=self.stop,
                                             **WATCH_OPTIONS):
            started()
            if any(Path(p).name in WATCHED_DIRS for _c, p in batch):
                self._restart.set()
            if batch:
                self.report({p for _c, p in batch})

    async def _watch_folders(self, started: Callable[[], None]) -> None:
        """One watch over the folders that exist now, until one of them appears or goes (or Ctrl-C)."""
        self._restart.clear()
        folders = [self.root / d for d in WATCHED_DIRS if (self.root / d).is_dir()]
        if not folders:
            started()
            await _first(self._restart.wait(), self.stop.wait())
            return
        async for batch in watchfiles.awatch(*folders, watch_filter=_dir_filter,
                                             stop_event=_AnyEvent(self.stop, self._restart), **WATCH_OPTIONS):
            started()
            if batch:
                self.report({p for _c, p in batch})


def _under(path: str, reported: set[str]) -> bool:
    """Whether ``path`` is one of the ``reported`` paths or inside one of them (a folder)."""
    while True:
        if path in reported:
            return True
        parent = os.path.dirname(path)
        if parent == path:
            return False
        path = parent


def _explain(exc: Exception) -> str:
    text = one_line(exc)
    if "decode path" in text:
        text += "; a file name that is not UTF-8: rename it"
    return text


class _AnyEvent:
    """Looks like one event to watchfiles; set when either of two events is."""

    def __init__(self, *events: asyncio.Event):
        self.events = events

    def is_set(self) -> bool:
        return any(e.is_set() for e in self.events)

    def set(self) -> None:
        for event in self.events:
            event.set()


async def _first(*awaitables: Awaitable[object]) -> None:
    tasks = [asyncio.ensure_future(a) for a in awaitables]
    _done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()


async def rebuild_on_changes(preview: Preview, changes: asyncio.Queue[set[str]], root: Path) -> None:
    """One rebuild per change set; sets that arrive during a build are merged into the next one."""
    while True:
        batch = await changes.get()
        while not changes.empty():
            batch |= changes.get_nowait()
        try:
            await preview.rebuild({_relative(p, root) for p in batch})
        except Exception as exc:  # Preview.rebuild reports its own failures; this is the last line of defence
            preview.warn(f"error: the rebuild failed ({one_line(exc)}); the preview keeps watching")


def _relative(path: str, root: Path) -> str:
    try:
        return Path(path).relative_to(root).as_posix() or "."
    except ValueError:
        return path
