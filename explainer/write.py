"""Stage 5: write the site atomically — build aside, then swap it in whole.

The new site is written into a temporary directory beside the output directory and exchanged
with the old one in a single ``renameat2(RENAME_EXCHANGE)`` call on Linux, so a failed or killed
build never leaves ``output/`` missing, empty or mixed. Where that call is not available the
swap falls back to two renames (a window of microseconds without ``output/``).

The build only ever replaces a folder of its own: one holding the marker file it writes into
every build, an empty one, or a site built before the marker existed. Any other folder is
refused, so a mistyped ``--output`` cannot swap away ``.git`` or a home folder. A failure of the
disk or the file system is reported in one line with a hint, and the previous site stays.

The preview (`explainer serve`) swaps in only its first site; after that it writes only the files
that changed, each replaced atomically on its own (write_changes.py).
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from .errors import ExplainerError, UsageError, WriteError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from .write_changes import WrittenSite

_PREFIX = ".output-"
STALE_SECONDS = 60
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100  # pragma: no mutate (renameat2 ignores the folder it names for absolute paths, ours)
MARKER = ".explainer-build"
MARKER_TEXT = (b"Written by the explainer generator (explainer build), which replaces this whole folder on every "
               b"build: keep no files of your own here.\n")
# What every build wrote before the marker existed: an output/ from then is recognised as ours.
LEGACY_FILES = ("index.html", "facts.json", "facts.csv", "feed.xml", "sitemap.xml")
SOURCE_FOLDERS = ("content", "templates", "seeds", "static", "tests", "schemas", ".git")
DIR_MODE, FILE_MODE = 0o755, 0o644  # readable by a web server running as another user, whatever the umask
# A generated file larger than this waits on disk, not in memory, until the site is written: at
# 50,000 facts facts.json and facts.csv are 78 MB, which held with the pages took the build past its
# 500 MB budget. Smaller sites (the shipped one, every test) keep every file in memory as bytes.
SPILL_BYTES = 16 * 1024 * 1024  # at 10,000 facts facts.json (11 MB) stays in memory: copying it costs more


class OnDisk:
    """A large output file's bytes in an anonymous temporary file (see Sink), until the site is written."""

    def __init__(self, file: BinaryIO, size: int):
        self.file, self.size = file, size

    def __len__(self) -> int:
        return self.size

    def __bytes__(self) -> bytes:
        self.file.seek(0)
        return self.file.read()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, (bytes, OnDisk)) and len(other) == self.size and bytes(other) == bytes(self)

    __hash__ = None  # type: ignore[assignment]

    def copy_to(self, out: BinaryIO) -> None:
        self.file.seek(0)
        shutil.copyfileobj(self.file, out, 1 << 20)


class Sink(io.RawIOBase):
    """Where a generated file is written piece by piece: memory up to SPILL_BYTES, then a temporary file."""

    def __init__(self) -> None:
        super().__init__()
        self._buffer: io.BytesIO | None = io.BytesIO()
        self._file: BinaryIO | None = None
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.size += len(data)
        if self._file is None and self.size > SPILL_BYTES:
            self._file = tempfile.TemporaryFile(prefix="explainer-")  # noqa: SIM115 - closed with its OnDisk
            assert self._buffer is not None
            self._file.write(self._buffer.getbuffer())
            self._buffer = None
        (self._file or self._buffer).write(data)  # type: ignore[union-attr]
        return len(data)

    def value(self) -> bytes | OnDisk:
        """The file's bytes, or where they wait on disk."""
        if self._file is None:
            assert self._buffer is not None
            return self._buffer.getvalue()
        self._file.flush()
        return OnDisk(self._file, self.size)


Output = bytes | OnDisk  # a file of the site, as pipeline.render() returns it


def check_output_dir(output: Path, root: Path) -> None:
    """Refuse an output directory that is, or holds, the project's sources, or is not ours to replace."""
    out, root = resolve_output(output), root.resolve()
    if out == root or root.is_relative_to(out) or any(out.is_relative_to(root / d) for d in SOURCE_FOLDERS):
        raise UsageError(f"refusing to write the site to {output}: it would overwrite the project's sources",
                         "choose a folder of its own, e.g. --output output")
    for folder in [out, *out.parents]:
        if folder.exists() and not folder.is_dir():
            if folder == out:
                raise UsageError(f"the output path {output} exists and is not a directory",
                                 "choose another --output, or remove that file")
            raise UsageError(f"cannot create {output}: {folder} is a file, not a folder",
                             "choose another --output, or remove or rename that file")
    if not is_ours(out):
        raise not_ours(output, f"choose a new or empty folder with --output; a build only replaces a folder "
                               f"holding its {MARKER} file")


def not_ours(output: Path, hint: str) -> UsageError:
    """The refusal to replace a folder the build did not write, before the build and at the swap."""
    return UsageError(f"refusing to replace {output}: it holds files that the explainer generator did not write", hint)


def is_ours(folder: Path) -> bool:
    """May a build replace ``folder``? Yes if it is missing, empty, marked, or an unmarked build of ours."""
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return True
    if not names or MARKER in names:
        return True
    return all((folder / name).is_file() for name in LEGACY_FILES)


def write_site(pages: dict[str, Output], output: Path, written: WrittenSite | None = None,
               staging: Staging | None = None) -> None:
    """Write every page into a fresh directory, then swap it in place of ``output``.

    ``written`` (the preview's, write_changes.py) writes only the files that changed since its last write.
    ``staging`` is the folder the build started writing into already (`start_site`).
    """
    if written is not None:
        written.write(pages, output)
        return
    with _explained(output):
        if staging is None:
            staging = Staging(resolve_output(output))
        staging.finish(pages)


def start_site(output: Path) -> Staging:
    """A staging folder for the site at ``output``, to write files into before the build is done."""
    with _explained(output):
        return Staging(resolve_output(output))


def write_early(staging: Staging, pages: dict[str, Output], output: Path) -> None:
    """Write files into the staging folder before the rest (the folder is removed on failure)."""
    with _explained(output):
        staging.add(pages)


@contextlib.contextmanager
def _explained(output: Path) -> Iterator[None]:
    """What the system refused while writing ``output``, as one line that says what to do (explain)."""
    try:
        yield
    except OSError as exc:
        raise explain(exc, output) from None


def resolve_output(output: Path) -> Path:
    try:
        return output.resolve()
    except (OSError, RuntimeError):  # Python 3.11 raises RuntimeError for a symlink loop
        raise UsageError(f"the output path {output} is a loop of symbolic links",
                         "remove the link, or choose another --output") from None


class Staging:
    """A new site written into a fresh folder beside ``output``, then swapped in whole (`finish`).

    ``add`` writes files that are ready before the rest: a cold build writes its list pages and
    exports while it waits for Pagefind (pipeline.py), so only the search index and the front
    page are left to write once it is done. Nothing is visible in ``output`` before the swap; a
    build that fails removes the folder (`close`). Raises OSError, which write_site explains.
    """

    def __init__(self, output: Path):
        parent = output.parent
        parent.mkdir(parents=True, exist_ok=True)
        _remove_stale(parent, output.name)
        self.output = output
        self.folder = Path(tempfile.mkdtemp(prefix=f"{_PREFIX}{output.name}-", dir=parent))
        self._folders = {self.folder}
        self._written: dict[str, Output] = {}  # path → what was written there

    def add(self, pages: dict[str, Output]) -> None:
        """Write these files now (the same ones may come again, here or to `finish`: they are not written twice)."""
        try:
            for rel, data in sorted(pages.items()):
                self._write(rel, data)
        except BaseException:
            self.close()
            raise

    def finish(self, pages: dict[str, Output]) -> None:
        """Write the rest of the site and swap it in; the folder is removed either way."""
        try:
            for rel in self._written.keys() - pages.keys():  # written early, then dropped from the site
                os.remove(self.folder / rel)
            for rel, data in sorted(pages.items()):
                self._write(rel, data)
            _write_file(self.folder / MARKER, MARKER_TEXT)
            for folder in self._folders:
                os.chmod(folder, DIR_MODE)
            _swap_in(self.folder, self.output)
        finally:
            self.close()

    def close(self) -> None:
        """Remove the folder: the old site after a swap, or a half-written new one after a failure."""
        if self.folder.exists():
            remove_ours(self.folder)

    def _write(self, rel: str, data: Output) -> None:
        """Write one file, unless it was written already as this same object."""
        if self._written.get(rel) is data:
            return
        path = self.folder / rel
        if rel in self._written:  # changed since it was written early
            os.remove(path)
        elif path.parent not in self._folders:  # a folder made once, so it never exists already
            path.parent.mkdir(parents=True)
            self._folders.update(p for p in path.parents if p.is_relative_to(self.folder))
        _write_file(path, data)
        self._written[rel] = data


def _write_file(path: Path, data: Output) -> None:
    """Write one new file with mode 0644 (the umask is not asked: a public site is world-readable)."""
    with open(path, "xb+") as f:  # readable too: the preview reads a large export's pieces back (held.py)
        if isinstance(data, OnDisk):
            data.copy_to(f)
        else:
            f.write(data)
        os.fchmod(f.fileno(), FILE_MODE)


def _remove_stale(parent: Path, name: str) -> None:
    """Clear leftovers of a build that was killed before it could tidy up.

    Only leftovers older than a minute go, so a build running alongside keeps its staging area.
    """
    now = time.time()
    for leftover in parent.glob(f"{_PREFIX}{name}-*"):
        with contextlib.suppress(OSError):  # gone meanwhile: another build tidied up
            if now - leftover.stat().st_mtime > STALE_SECONDS:
                remove_ours(leftover)


def _swap_in(staging: Path, output: Path) -> None:
    if not output.exists():
        try:
            os.rename(staging, output)
            return
        except OSError as exc:  # another build created output/ meanwhile: swap with it, as on a rebuild
            if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                raise
    if not is_ours(output):  # checked before the build too; a folder filled since then still is not ours
        raise not_ours(output, "choose a new or empty folder with --output")
    if _exchange(staging, output):
        return  # staging now holds the old site; the caller removes it
    old = Path(tempfile.mkdtemp(prefix=f"{_PREFIX}{output.name}-old-", dir=output.parent))
    os.rmdir(old)  # pragma: no mutate (a unique free name; Linux would also rename over the empty folder)
    os.rename(output, old)
    try:
        os.rename(staging, output)
    except OSError:
        os.rename(old, output)  # put the previous site back
        raise
    remove_ours(old)


def remove_ours(folder: Path) -> None:
    """Remove one of our own folders (a staging folder, or the old site swapped out), even one a user
    made read-only: an `output/` someone ran `chmod 555` on is swapped out whole, and rmtree alone
    cannot empty it, so it stayed beside `output/` after every later build. Errors are ignored: a
    later build clears what is left (_remove_stale). Symbolic links are never followed."""
    shutil.rmtree(folder, ignore_errors=True)
    if not os.path.lexists(folder) or os.path.islink(folder):
        return
    with contextlib.suppress(OSError):
        os.chmod(folder, 0o700)
        for top, dirs, _files in os.walk(folder):
            for name in dirs:
                path = os.path.join(top, name)
                if not os.path.islink(path):
                    os.chmod(path, 0o700)
    shutil.rmtree(folder, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two directories (Linux renameat2); False where unsupported."""
    import ctypes  # only when an old site is swapped out; not ctypes.util, whose lookup runs ldconfig

    try:
        libc = ctypes.CDLL(None, use_errno=True)  # the running process's symbols, libc's among them
    except OSError:
        return False
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    if ctypes.get_errno() in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()), str(b))


def explain(exc: OSError, output: Path, kept: str | None = None) -> ExplainerError:
    """One line saying what the system refused, and what to do; ``kept``: what ``output`` holds now
    (by default the previous site, as a whole write leaves it)."""
    kept = kept or f"{output} still holds the previous site"
    where = Path(exc.filename).parent if exc.filename else output.parent
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return WriteError(f"the disk is full: the new site could not be written beside {output}",
                          f"free some space and build again; {kept}")
    if exc.errno == errno.EROFS:
        return UsageError(f"cannot write to {where}: the file system is read-only",
                          f"choose another --output on a writable disk; {kept}")
    if exc.errno in (errno.EACCES, errno.EPERM):
        return UsageError(f"cannot write to {where}: permission denied",
                          f"choose another --output, or make the folder writable; {kept}")
    if exc.errno in (errno.EBUSY, errno.EXDEV):
        return UsageError(f"cannot replace {output}: it is a mount point, or on another disk than its folder",
                          f"write into a folder inside it instead, e.g. --output {output / 'site'}; {kept}")
    if exc.errno == errno.ELOOP:
        return UsageError(f"the output path {output} is a loop of symbolic links",
                          "remove the link, or choose another --output")
    if exc.errno in (errno.ENOTDIR, errno.EEXIST):
        return UsageError(f"cannot create {output}: a file is in the way ({exc.filename})",
                          "choose another --output, or remove or rename that file")
    return WriteError(f"could not write the site to {output}: {exc.strerror or exc}",
                      f"check the disk and the folder, then build again; {kept}")
