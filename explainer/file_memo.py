"""The preview's content files: each read once a save, keyed by its bytes, parsed again only when they changed.

A build reads site.yaml, the content YAML files and the summaries through ``FileMemo.load``: a file
whose bytes are the last build's gives the last build's document (and the problems found reading
it); a list file's changed text is parsed again only in its changed entries (entries.py). The
preview also asks, after every save, whether the files reported changed hold what the last build
read (``holds``: a second report of one save builds nothing) and, when a build fails, whether a
file changed again since the build read it (``changed_since_read``: a large save caught
half-written, whose failure is not the editor's). incremental.py keeps one FileMemo per preview.

A file is read once no save is writing it (``_read_saved``): the watch reports a save from its first
change, and an editor that writes a large file in place truncates it first and writes it over tens of
milliseconds (``facts.yaml`` at 50,000 facts: 20 MB, empty for 15–30 ms and then growing for 10–15 ms,
on this project's machines). A build that read it then failed on the half it read, and the rest of the
save was a second build: at 50,000 facts a save caught so took 1.6–1.9 s instead of about 1 s.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from .entries import EntryMemo, ListDoc
from .errors import ContentError, Problems
from .textfiles import Unreadable, decode_utf8, read_bytes, read_text
from .yamlsafe import Doc

T = TypeVar("T")
State = tuple[int, int, int]  # a file's inode, size and modification time (_file_state)

SETTLE_STEP_S = 0.005  # how often a file being saved is looked at again (the watch's own step, serve_watch.py)
# ...and for how many steps in a row it must hold still to be taken as saved: a writer may pause (a 20 MB
# file written into pages the system had not given out yet took 155-330 ms, in bursts 26-30 ms apart,
# on this project's machines). Waiting costs only a save caught changing, which otherwise fails its build.
SETTLE_QUIET_STEPS = 10
SETTLE_MAX_S = 1.0  # a file still changing after this long is read as it is (a failed build says the rest)
# A file last read at this size or more and empty now is taken as a save between its truncation and its
# first bytes, and waited for: smaller files are written in microseconds, and an editor may empty one.
EMPTIED_AT = 1 << 20


def _file_digest(raw: bytes) -> bytes:
    """What FileMemo keys a file by: a digest of its bytes (the bytes would double the memory).
    SHA-256, which the processor computes itself where it can: 2.8 ms for the 4 MB of facts.yaml at
    10,000 facts, against 5.1 for BLAKE2b."""
    return hashlib.sha256(raw).digest()


def _file_state(path: Path) -> State:
    """A file's inode, size and modification time: what a save changes (FileMemo.holds)."""
    info = os.stat(path)
    return info.st_ino, info.st_size, info.st_mtime_ns


def _read_saved(path: Path, last: State | None) -> tuple[bytes, State]:
    """The file's bytes and its state before they were read, once no save is still writing it.

    A file that changed while it was read (its state after the read is not the state before it), or
    that was large when last read and is empty now, is being saved: it is looked at every
    SETTLE_STEP_S until it has grown and held still for SETTLE_QUIET_STEPS steps, and read again.
    After SETTLE_MAX_S it is read as it is. Raises OSError (the file is gone) or Unreadable, as its
    reading does.
    """
    deadline = time.monotonic() + SETTLE_MAX_S
    state = _file_state(path)
    while not state[1] and last is not None and last[1] >= EMPTIED_AT and time.monotonic() < deadline:
        state = _settled(path, state, deadline)
    while True:
        raw = read_bytes(path)
        after = _file_state(path)
        if after == state or time.monotonic() >= deadline:
            return raw, state
        state = _settled(path, after, deadline)


def _settled(path: Path, state: State, deadline: float) -> State:
    """The file's state once it held still for SETTLE_QUIET_STEPS steps in a row (a save being written
    changes it every millisecond or two), or at the deadline (a file that never does)."""
    quiet = 0
    while quiet < SETTLE_QUIET_STEPS and time.monotonic() < deadline:
        time.sleep(SETTLE_STEP_S)
        now = _file_state(path)
        quiet = quiet + 1 if now == state else 0
        state = now
    return state


class FileMemo:
    """Each file's load result and the problems found reading it, keyed by a hash of the file's bytes."""

    def __init__(self) -> None:
        self._files: dict[Path, tuple[bytes, Any, list[ContentError]]] = {}
        self._states: dict[Path, State] = {}  # each file's _file_state before its digest was taken
        self._entries: dict[Path, EntryMemo] = {}  # the entries of each list file, by their text
        self._seen: set[Path] = set()
        self._read: set[Path] = set()  # the files the latest build read (as they were then: _states)

    def load(self, path: Path, problems: Problems, read: Callable[[Problems, str], T | None]) -> T | None:
        """``read(problems, text)`` for ``path``'s text, or its last result if the file's bytes are unchanged.

        The file is read once no save is writing it (_read_saved; textfiles.read_bytes refuses a FIFO
        or a device unopened, as a cold build does), its bytes hashed and, when new, decoded; a file
        that cannot be read or decoded is reported as read_text reports it.
        """
        try:
            raw, state = _read_saved(path, self._states.get(path))
        except OSError:  # gone since it was listed: read_text says so, as in a cold build
            text = read_text(path, problems)
            return read(problems, text) if text is not None else None
        except Unreadable as exc:
            problems.error(path, exc.line, exc.column, exc.message, exc.hint)
            return None
        data = _file_digest(raw)
        self._states[path] = state
        self._seen.add(path)
        hit = self._files.get(path)
        if hit is not None and hit[0] == data:
            problems.items.extend(hit[2])
            return hit[1]
        self._files.pop(path, None)  # the old document goes before the new one is built, not after
        found = Problems(problems.root)
        try:
            text: str | None = decode_utf8(raw)
        except Unreadable as exc:
            found.error(path, exc.line, exc.column, exc.message, exc.hint)
            text = None
        del raw  # the bytes go before the text is parsed (20 MB for facts.yaml at 50,000 facts)
        result = read(found, text) if text is not None else None
        problems.items.extend(found.items)
        self._files[path] = (data, result, found.items)
        return result

    def holds(self, paths: list[Path]) -> bool:
        """Whether each of these files holds the bytes its last load read (False for a file never
        loaded here, such as a template, or one that cannot be read).

        A file whose inode, size or time is not what it was before its last load is taken as changed
        without reading it (a save changes its time; the preview asks after every save, and reading
        and hashing facts.yaml costs ~25 ms at 50,000 facts): at worst a build of the same bytes. The
        same state is confirmed by the bytes, since a save within the clock's tick keeps the time.
        """
        for path in paths:
            hit = self._files.get(path)
            if hit is None or self._changed(path):
                return False
            try:
                if _file_digest(read_bytes(path)) != hit[0]:
                    return False
            except Unreadable:
                return False
        return True

    def _changed(self, path: Path) -> bool:
        """Whether the file's inode, size or time is not what it was when it was last loaded (or it is gone)."""
        try:
            return _file_state(path) != self._states.get(path)
        except OSError:
            return True

    def load_list(self, path: Path, problems: Problems) -> Doc | None:
        """A list file's document, parsing again only its entries whose text changed (entries.py)."""
        def read(found: Problems, text: str) -> Doc | None:
            memo = self._entries.setdefault(path, EntryMemo())
            return memo.load(path, text, found, most_new=len(memo.entries) // 2)

        return self.load(path, problems, read)

    def slim(self) -> None:
        """Once the build's items are checked: drop the parsed values of the entries checked clean
        (entries.EntryMemo.slim), in the memos and in the documents kept for the next build."""
        for path, memo in self._entries.items():
            if not memo.slim():
                continue  # nothing new was checked clean: the document kept holds no value to drop
            hit = self._files.get(path)
            if hit is not None and isinstance(hit[1], ListDoc):
                hit[1].slim()

    def settle(self) -> None:
        """A build succeeded: what its list files let go is gone for good (entries.EntryMemo.settle),
        and their documents are the last good build's (ListDoc.restored no longer holds)."""
        for path, memo in self._entries.items():
            memo.settle()
            hit = self._files.get(path)
            if hit is not None and isinstance(hit[1], ListDoc):
                hit[1].restored = False

    def begin(self) -> None:
        """A build starts: what the last one read is no longer what this one read."""
        self._read = set()

    def changed_since_read(self, paths: list[Path]) -> list[Path]:
        """Those of these files the latest build read and that changed since (inode, size or time):
        a save still being written as the build read it, which the watch reports again."""
        return [path for path in paths if path in self._read and self._changed(path)]

    def forget_unseen(self) -> None:
        """Drop files no longer read (removed or renamed), once a build has read the content."""
        self._read = set(self._seen)
        for path in set(self._files) - self._seen:
            del self._files[path]
            self._states.pop(path, None)
        for path in set(self._entries) - self._seen:
            del self._entries[path]
        self._seen.clear()
