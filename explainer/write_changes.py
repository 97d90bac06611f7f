"""Stage 5 for the preview: write only the files that changed since its last write, each atomically.

`explainer build` writes the whole site into a fresh folder and swaps it in (write.py). The
preview rebuilds on every save, and at 10,000 facts that is 13 MB in about 450 files, most of
them the same bytes as last time. `WrittenSite` remembers what its last write put into the
output folder: each file's inode, size, modification time and mode, and (up to HOLD_AT_MOST) the
bytes object it was written from, or the kept list page (held.Packed). On the next write it reads
the folder's listing and:

- skips a file given as the same object as last time, if the file on disk is still the one it
  wrote (a kept page of the render memo is the same object, build after build);
- otherwise compares the new bytes with the file on disk (sizes first, then the bytes), and
  replaces a file that differs through a temporary file beside it and ``os.replace``, so a
  reader sees either the old file or the new one, never part of one;
- writes new files first, then changed files other than pages, then changed pages, then
  removes the files and folders no longer in the site (including any it did not write), so a
  page is written after what it links to and a removed file goes once nothing links to it;
  changed files of a megabyte or more (the exports), all but the first, are written meanwhile,
  each in a thread of its own: writing one is mostly the system's work, and on this project's
  machines it sometimes took 20 times as long as usual (WRITE_BESIDE_AT).

With ``write_large_later`` (the preview's), the changed files of a megabyte or more are not written
with the rest but by `write_later`, which the preview calls once it has told the browsers to reload
(a save at 50,000 facts rewrote 57 MB of `facts.json` and 23 MB of `facts.csv`, 40-70 ms, before
the browser heard of it); the preview's server holds a request for one of them until it is written
(serve_builds.Preview.wait_until_written). The next write writes them first if nothing else did.

A replaced file of a megabyte or more (the exports) is held open across its rename and closed
in a short-lived thread: the file system frees its blocks on that close, which is then not part
of the save's wait (40 ms a save for 81 MB of exports at 50,000 facts). No file is left behind.

The site on disk is the same, byte for byte, as after a whole write (tests/test_incremental.py).
The price is that, while a write runs, another program reading the folder may see some files
of the new site beside others of the old (each file whole). The preview's own server answers
no request while a build runs (serve_builds.Preview.wait_until_built), so the browser never
sees such a mix. The first write of a session, a write into another folder, a write after a
failed one, and a write that meets anything unexpected on disk (a file where a folder should
be) are whole writes, swapped in as `explainer build` does.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from .held import InPieces, Packed
from .write import DIR_MODE, FILE_MODE, MARKER, MARKER_TEXT, OnDisk, Output, explain, resolve_output, write_site

Signature = tuple[int, int, int, int]  # inode, size, modification time (ns), mode: a file we wrote, unchanged
_REGULAR = stat.S_IFREG | FILE_MODE
TEMPORARY = ".explainer-new-"  # a file being written, renamed over its page when whole
# Bytes objects up to this size are held until the next write, to be recognised by identity (as are a
# kept list page and a large export in the preview, held.py, which it holds anyway: the search index
# comes in with the same build's files). Larger bytes (the exports: 18 MB at 10,000 facts) are made
# afresh on every build, so holding them would only cost memory.
HOLD_AT_MOST = 1 << 20
# A replaced file this large is released in the background (release_later): the file system frees
# its blocks when its last link and handle go, which for the exports took a save 14 ms at 10,000
# facts and 40 ms at 50,000 (57 MB of JSON) on this project's machines.
RELEASE_LATER_AT = 1 << 20
WRITE_BESIDE_AT = 1 << 20  # changed files this large, all but one, are written in threads beside the rest
_releasing: list[threading.Thread] = []  # threads closing replaced files (tests join them: released())
_releasing_lock = threading.Lock()


class WrittenSite:
    """What the last write put into one output folder, so the next writes only what changed."""

    def __init__(self) -> None:
        self.folder: Path | None = None
        self.files: dict[str, tuple[Signature, Output | None]] = {}  # path → (signature, what was written)
        self.changed: list[str] = []  # the files the last write wrote or removed (every file after a whole write)
        self.updated = False  # whether the last write wrote only what changed (else it wrote the site whole)
        self.write_large_later = False  # the preview's: large changed files left for write_later
        self.later: dict[str, tuple[Output, Signature | None]] = {}  # left for write_later: data, the file it replaces

    def write_later(self) -> None:
        """Write the large changed files the last write left (``write_large_later``), beside each other.

        On a failure the site on disk may hold the new pages with the old exports: the error says so,
        and the next write writes the site whole."""
        later, self.later = self.later, {}
        if not later or self.folder is None:
            return
        target = self.folder

        def write(name: str) -> None:
            self.files[name] = _written(target / name, *later[name])

        names = list(later)
        try:
            _write_beside(write, names[:1], names[1:])
        except OSError as exc:
            self._forget()
            raise explain(exc, target, kept=f"{target} may hold the new pages with the last build's "
                          f"{', '.join(names)}; the next build writes the site whole") from None

    def write(self, pages: dict[str, Output], output: Path) -> None:
        """Make ``output`` hold exactly ``pages`` (and the marker), writing only what differs."""
        target = resolve_output(output)
        self.write_later()  # what the last write left, before anything compares with the files on disk
        if self.folder == target and self.files:
            updated: list[str] = []
            try:
                self._update(pages, target, updated)
                self.updated = True
                return
            except OSError as exc:
                self._forget()
                if not isinstance(exc, _Unexpected):
                    partly = f"{output} may hold part of the new site; the next build writes it whole"
                    raise explain(exc, output, kept=partly if updated else None) from None
            # Something on disk is not as a site of ours leaves it: the whole site, swapped in.
        self._forget()
        write_site(pages, output)
        self._record_all(pages, target)

    def _forget(self) -> None:
        self.folder, self.files, self.changed, self.updated, self.later = None, {}, [], False, {}

    def _record_all(self, pages: dict[str, Output], target: Path) -> None:
        """After a whole write: every file's signature, as a later write will find it."""
        on_disk, _ = _scan(target)
        files = {}
        for name, data in [*pages.items(), (MARKER, MARKER_TEXT)]:
            files[name] = (on_disk[name], _held(data))
        self.folder, self.files, self.changed = target, files, sorted(files)

    def _update(self, pages: dict[str, Output], target: Path, updated: list[str]) -> None:
        try:
            on_disk, folders = _scan(target)
        except (FileNotFoundError, NotADirectoryError):
            raise _Unexpected("the folder is gone") from None
        if MARKER not in on_disk:
            raise _Unexpected("the folder is not the one written last")  # the whole write checks it is ours
        wanted = {**pages, MARKER: MARKER_TEXT}
        needed = {parent for name in wanted for parent in _parents(name)}
        for folder in sorted(needed - folders):
            if (target / folder).exists() or (target / folder).is_symlink():
                raise _Unexpected(f"{folder} is in the way")
            os.mkdir(target / folder)
            os.chmod(target / folder, DIR_MODE)
        files: dict[str, tuple[Signature, Output | None]] = {}
        todo = []
        for name, data in wanted.items():
            found = on_disk.get(name)
            if found is None and name in folders:
                raise _Unexpected(f"{name} is a folder")
            if found is not None and self._unchanged(name, found, data, target):
                files[name] = (found, _held(data))
            else:
                todo.append((found is not None, name.endswith(".html"), name))
        # Writing a large file is mostly the system's work (at 10,000 facts facts.json, 11.5 MB, took
        # 4 ms in most saves and 80-90 ms in some): all large changed files but one are written in
        # threads beside this one, which writes the rest. 40-50 → 18-32 ms a save at 10k (paired).
        def write(name: str) -> None:
            files[name] = _written(target / name, wanted[name], on_disk.get(name))
            updated.append(name)

        order = [name for _, _, name in sorted(todo)]  # new files, then other files, then pages
        large = [name for name in order if len(wanted[name]) >= WRITE_BESIDE_AT]
        if self.write_large_later and large:  # written by write_later, once the browsers were told
            self.later = {name: (wanted[name], on_disk.get(name)) for name in large}
            updated += large
            order, large = [name for name in order if name not in self.later], []
        beside = large[1:]  # each in a thread of its own
        _write_beside(write, [name for name in order if name not in beside], beside)
        for name in sorted(set(on_disk) - set(wanted)):
            os.unlink(target / name)
            updated.append(name)
        for folder in sorted(folders - needed, key=lambda f: -f.count("/")):  # the deepest first
            shutil.rmtree(target / folder, ignore_errors=True)
        self.files, self.changed = files, sorted(updated)

    def _unchanged(self, name: str, found: Signature, data: Output, target: Path) -> bool:
        """The same object as written last, into a file nobody touched since; else the bytes are compared:
        with the bytes written last while the file is still the one written (no read from disk: a save
        at 10,000 facts made the front page, the embeds and the unchanged exports anew, 1.8 MB), else
        with the file on disk."""
        if isinstance(data, InPieces) and found[3] == _REGULAR and data.lies_in(*found[:3]):  # as written last
            return True
        kept = self.files.get(name)
        if kept is not None and kept[0] == found and kept[1] is not None:
            return kept[1] is data or (isinstance(data, (bytes, Packed)) and kept[1] == data)
        return _same(target / name, found, data)


def _written(path: Path, data: Output, old: Signature | None) -> tuple[Signature, Output | None]:
    """``data`` written over ``path`` (which held the file ``old``, if any): what WrittenSite keeps of it."""
    return _replace(path, data, old is not None and old[1] >= RELEASE_LATER_AT), _held(data)


def _write_beside(write: Callable[[str], None], here: list[str], beside: list[str]) -> None:
    """``write`` each of ``here`` in this thread, in order, and each of ``beside`` in a thread of its own
    meanwhile; then the first error any of them raised, raised here."""
    jobs = [_Beside(write, name) for name in beside]
    try:
        for name in here:
            write(name)
    finally:
        errors = [error for error in (job.done() for job in jobs) if error is not None]
    if errors:
        raise errors[0]


def _held(data: Output) -> Output | None:
    """What is held to be recognised next time: small bytes, and what the preview holds anyway (a kept
    page; a large export, once written no more than where it lies in the file: held.py)."""
    return data if (isinstance(data, bytes) and len(data) <= HOLD_AT_MOST) or isinstance(data, (Packed, InPieces)) \
        else None


class _Beside(threading.Thread):
    """One large file written in a thread of its own while this one writes the rest (WrittenSite._update)."""

    def __init__(self, write: Callable[[str], None], name: str) -> None:
        super().__init__(name=f"write-{name}", daemon=True)
        self._write, self._file = write, name  # (not _name: the thread's own name)
        self._error: BaseException | None = None
        self.start()

    def run(self) -> None:
        try:
            self._write(self._file)
        except BaseException as exc:  # raised again in the writing thread, whatever it is (done)
            self._error = exc

    def done(self) -> BaseException | None:
        self.join()
        return self._error


class _Unexpected(OSError):
    """The folder holds something a site of ours never has where it is: write the site whole instead."""


def _parents(name: str) -> list[str]:
    parts = name.split("/")[:-1]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def _scan(target: Path) -> tuple[dict[str, Signature], set[str]]:
    """Every file (or link) under ``target`` with its signature, and every folder, by path inside it."""
    files: dict[str, Signature] = {}
    folders: set[str] = set()
    todo = [("", str(target))]
    while todo:
        prefix, path = todo.pop()
        with os.scandir(path) as listing:
            for entry in listing:
                name = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    folders.add(name)
                    todo.append((name + "/", entry.path))
                else:
                    found = entry.stat(follow_symlinks=False)
                    files[name] = (found.st_ino, found.st_size, found.st_mtime_ns, found.st_mode)
    return files, folders


def _same(path: Path, found: Signature, data: Output) -> bool:
    """Whether the file on disk is a file of the site holding ``data``: compared, not assumed."""
    if found[3] != _REGULAR or found[1] != len(data) or isinstance(data, OnDisk):
        return False  # a large file waiting on disk is written again: reading it back costs as much
    with contextlib.suppress(OSError), open(path, "rb") as f:
        return f.read() == data
    return False


def _replace(path: Path, data: Output, large: bool = False) -> Signature:
    """Write ``data`` beside ``path`` and rename it over ``path``: a reader sees the old file or the new one.

    A ``large`` old file is held open across the rename and closed in the background: the rename
    then returns at once, and its blocks are freed by that close, while the preview goes on.
    """
    handle, temporary = tempfile.mkstemp(prefix=TEMPORARY, dir=path.parent)
    old = _open_quietly(path) if large else None
    try:
        with open(handle, "wb") as f:
            if isinstance(data, OnDisk):
                data.copy_to(f)
            else:
                f.write(data)
            f.flush()
            os.fchmod(f.fileno(), FILE_MODE)
            found = os.fstat(f.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    finally:
        if old is not None:
            release_later(old)
    return (found.st_ino, found.st_size, found.st_mtime_ns, found.st_mode)


def _open_quietly(path: Path) -> int | None:
    """A read-only handle on the file about to be replaced, or None (gone meanwhile, or a link: not
    held; and on Windows, which cannot replace a file held open)."""
    if os.name == "nt":
        return None
    try:
        return os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)  # a FIFO would block
    except OSError:
        return None


def release_later(handle: int) -> None:
    """Close a replaced file's last handle in a short-lived thread: freeing its blocks is that close's work.
    Called from the threads writing large files too (_Beside): the list of closing threads is locked."""
    thread = threading.Thread(target=os.close, args=(handle,), name="release-replaced-file", daemon=True)
    with _releasing_lock:
        _releasing[:] = [running for running in _releasing if running.is_alive()]
        thread.start()
        _releasing.append(thread)


def released() -> None:
    """Wait until every replaced file is closed (the tests; nothing else needs to)."""
    with _releasing_lock:
        threads = list(_releasing)
    for thread in threads:
        thread.join()


__all__ = ["WrittenSite"]
