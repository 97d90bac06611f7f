"""The preview's watch-and-rebuild loop: saves become change sets, change sets become rebuilds.

watchfiles (kernel notifications) reports a save within ~50–100 ms and groups a burst of saves
(an editor's "save all", a ``git checkout``) into one change set, so one rebuild.

Watching never stops until Ctrl-C. watchfiles gives up on the whole batch when it meets a file
name that is not UTF-8 (an ``ExceptionGroup``), a folder that vanished, or an exhausted
inotify limit; whatever it raises, the watch says so in one line, rebuilds (the failed batch's
saves were lost with it) and starts again. A rebuild that raises is reported the same way.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import watchfiles

from .serve_builds import Preview, one_line, to_stderr

WATCHED_DIRS = ("content", "templates", "seeds", "static")
WATCHED_FILES = ("site.yaml",)
WATCH_STEP_MS = 25  # a burst of saves is one change set once no further change came for this long
RETRY_FIRST_S = 0.2  # after a watch failed, wait this long before watching again...
RETRY_MAX_S = 5.0  # ...doubling while it keeps failing at once, up to this

_dir_filter = watchfiles.DefaultFilter()  # skips editors' swap and backup files, .git, caches


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

    async def run(self) -> None:
        root_task = asyncio.create_task(
            self._keep_watching("the project folder", self._watch_root, {self.root / f for f in WATCHED_FILES}))
        try:
            await self._keep_watching(", ".join(d + "/" for d in WATCHED_DIRS), self._watch_folders,
                                      {self.root / d for d in WATCHED_DIRS})
        finally:
            self.stop.set()
            await root_task

    async def _keep_watching(self, what: str, watch: Callable[[], Awaitable[None]], catch_up: set[Path]) -> None:
        """Run ``watch`` until stopped; after any error say so (once per kind), rebuild as if
        ``catch_up`` had changed (the saves in the failed batch are lost), and watch again."""
        delay, last_note = RETRY_FIRST_S, ""
        while not self.stop.is_set():
            started = time.monotonic()
            try:
                await watch()
                continue
            except Exception as exc:  # an ExceptionGroup too: nothing may end the watch
                note = f"note: watching {what} failed ({_explain(exc)}); watching again"
            if note != last_note:
                self.warn(note)
                last_note = note
            self.changes.put_nowait({str(path) for path in catch_up if path.exists()} or {str(self.root)})
            if time.monotonic() - started > RETRY_MAX_S:
                delay = RETRY_FIRST_S  # it had been working for a while: this is a new failure, not a loop
            await _first(self.stop.wait(), asyncio.sleep(delay))
            delay = min(delay * 2, RETRY_MAX_S)

    async def _watch_root(self) -> None:
        names = set(WATCHED_FILES) | set(WATCHED_DIRS)

        def keep(change: watchfiles.Change, path: str) -> bool:
            return Path(path).parent == self.root and Path(path).name in names

        async for batch in watchfiles.awatch(self.root, watch_filter=keep, recursive=False, step=WATCH_STEP_MS,
                                             stop_event=self.stop, ignore_permission_denied=True):
            if any(Path(p).name in WATCHED_DIRS for _c, p in batch):
                self._restart.set()
            self.changes.put_nowait({p for _c, p in batch})

    async def _watch_folders(self) -> None:
        """One watch over the folders that exist now, until one of them appears or goes (or Ctrl-C)."""
        self._restart.clear()
        folders = [self.root / d for d in WATCHED_DIRS if (self.root / d).is_dir()]
        if not folders:
            await _first(self._restart.wait(), self.stop.wait())
            return
        async for batch in watchfiles.awatch(*folders, watch_filter=_dir_filter, step=WATCH_STEP_MS,
                                             stop_event=_AnyEvent(self.stop, self._restart),
                                             ignore_permission_denied=True):
            self.changes.put_nowait({p for _c, p in batch})


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
