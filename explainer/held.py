"""What the preview holds of the site between saves, held compactly: its large exports and list pages.

At 50,000 facts the preview kept 183 MB of output bytes between saves: the lines of facts.json and
facts.csv in chunks (export_memo.py; 89 MB), so that a save encodes only the chunks whose facts
changed, and every list page (incremental.RenderMemo; 94 MB), so that a save renders only the pages
whose inputs changed. Both are needed only to be written again, or read whole for a rare check.

**Exports** (``InPieces``, ``Span``): once a large export is written, every chunk is in that file.
``InPieces.copy_to`` writes the pieces one after another and then turns each kept chunk into a
``Span``: where it lies in that file, which stays open. The next save reads its unchanged chunks
back from there, those that follow one another in the file together, a megabyte at a time (about as
fast as writing them from memory was), and writes its changed ones from memory. The written file is
the preview's own (write_changes.py replaces it, never writes into it), but another program may
write into output/facts.json in place: a file whose size or modification time is no longer what was
written is not read from (``Written.intact``), and its chunks are made afresh. A file no longer read
from is closed in the background: closing the last handle of a replaced file frees its blocks, which
at 57 MB takes tens of milliseconds (write_changes.release_later). The same build's files written
again (the preview's new search index comes in with them) leave an export alone: the writer
recognises the object (write_changes._held).

**List pages** (``Packed``): compressed with zlib's fastest level as soon as each is rendered (94 MB
of pages in 20 MB; 0.7 s of the first build at 50,000 facts, a millisecond for the page or two a save
renders), and unpacked only to be written (0.2 s of that first build) or read whole. Compressed
once written, as they were, the first build held all 94 MB at once: its peak, 600 MB at 50,000 facts.
"""

from __future__ import annotations

import os
import tempfile
import weakref
import zlib
from collections.abc import Callable
from typing import Any, BinaryIO

from .write import OnDisk

BLOCK = 1 << 20  # the pieces are written about a megabyte at a time (a system call per piece cost more)
SHORT = 4096  # a piece of an export this short may be its head or tail (InPieces.lies_in)
GAP = 8  # a separator this short between two spans may be copied with them (_run)


class Written:
    """A file as the preview wrote it, held open to read its pieces back."""

    def __init__(self, handle: int) -> None:
        self.handle = handle
        found = os.fstat(handle)
        self.state = (found.st_size, found.st_mtime_ns)
        self.inode = found.st_ino
        weakref.finalize(self, _close_later, handle).atexit = False  # the process's exit closes it anyway

    def intact(self) -> bool:
        """Whether the file still holds what was written: nothing has written into it since."""
        try:
            found = os.fstat(self.handle)
        except OSError:
            return False
        return (found.st_size, found.st_mtime_ns) == self.state


class Span:
    """A piece of a large export as it lies in the file written last: read back only to be written again."""

    __slots__ = ("file", "size", "start", "then")

    def __init__(self, file: Written, start: int, size: int, then: bytes | None = None) -> None:
        self.file, self.start, self.size = file, start, size
        self.then = then  # the short separator written right after it, if one was (_run)

    def __len__(self) -> int:
        return self.size

    def __bytes__(self) -> bytes:
        return _read(self.file.handle, self.start, self.size)


def _read(handle: int, start: int, size: int) -> bytes:
    parts, at, left = [], start, size
    while left:
        part = os.pread(handle, left, at)
        if not part:
            raise OSError(f"{size} bytes were written at {start}; the file is shorter now")
        parts.append(part)
        at, left = at + len(part), left - len(part)
    return b"".join(parts)


Piece = bytes | Span


def joined(pieces: list[Piece]) -> bytes:
    """The pieces as one bytes object (a small export: exports.dump)."""
    return b"".join(piece if type(piece) is bytes else bytes(piece) for piece in pieces)


def intact(pieces: list[Piece]) -> bool:
    """Whether every file the pieces lie in still holds what was written (export_memo.ExportMemo.lines)."""
    return all(file.intact() for file in {piece.file for piece in pieces if type(piece) is Span})


class InPieces(OnDisk):
    """A large output file as pieces, written one after another: neither joined into one bytes object
    nor copied to a temporary file first. ``kept`` is the memo's list of chunks, whose items are
    among ``pieces``: once the file is written, each becomes a Span of it (the module's docstring)."""

    def __init__(self, pieces: list[Piece], kept: list[Piece] | None = None) -> None:
        self.pieces, self.kept = pieces, kept
        self.size = sum(map(len, pieces))

    def __bytes__(self) -> bytes:
        return joined(self.pieces)

    def lies_in(self, inode: int, size: int, mtime_ns: int) -> bool:
        """Whether the file written last with this signature (write_changes) holds these pieces as they
        are: every piece a Span of it where the file is at that point, or short bytes the same as the
        file's there (the head, the separators). A save that changed none of an export's lines then
        leaves the file alone (81 MB written again at 50,000 facts for a summary edit)."""
        written: Written | None = None
        at = 0  # where the next piece would be in the file
        then: bytes | None = None  # what was written right after the last span
        short, short_at = b"", 0  # short pieces not yet compared with the file, and where they start
        for piece in self.pieces:
            if type(piece) is Span:
                written = written or piece.file
                if piece.file is not written or piece.start != at or not _holds(written, short_at, short):
                    return False
                at, then, short = at + piece.size, piece.then, b""
            elif not short and then is not None and piece == then:
                at, then = at + len(piece), None
            elif len(piece) <= SHORT:
                short, short_at = short + piece, short_at if short else at
                at, then = at + len(piece), None
            else:  # a chunk made this save
                return False
        return (written is not None and (written.inode, *written.state) == (inode, size, mtime_ns) and at == size
                and _holds(written, short_at, short) and written.intact())

    def copy_to(self, out: BinaryIO) -> None:
        """Write the pieces, about a megabyte at a time: spans that follow one another in their file,
        with the same short separators between them there as here (a save's unchanged chunks), are
        read back together (a read per chunk cost a 50,000-fact save 15 ms). Then, if the file can be
        read back, hold it open and make the memo's chunks spans of it."""
        out.flush()  # from here on written through its handle, bypassing its buffer
        handle, pieces = out.fileno(), self.pieces
        block: list[bytes] = []
        size = i = 0
        while i < len(pieces):
            piece = pieces[i]
            if type(piece) is bytes:
                block.append(piece)
                size, i = size + len(piece), i + 1
                if size < BLOCK:
                    continue
            if block:
                _write_all(handle, b"".join(block))
                block, size = [], 0
            if type(piece) is Span:
                i, end = _run(pieces, i)
                _copy(piece.file.handle, handle, piece.start, end - piece.start)
        _write_all(handle, b"".join(block))
        written = _reopened(handle)
        if written is not None:  # from now on read back from the file written, not held in memory
            where: dict[int, tuple[int, bytes | None]] = {}  # a piece (the same object: the same bytes) →
            at = 0  # where it starts, and the short separator after it
            for n, piece in enumerate(pieces):
                after = pieces[n + 1] if n + 1 < len(pieces) else None
                where[id(piece)] = (at, after if type(after) is bytes and len(after) <= GAP else None)
                at += len(piece)
            self.pieces = [Span(written, 0, self.size)]
            if self.kept is not None:
                spans = []
                for piece in self.kept:
                    start, then = where[id(piece)]
                    spans.append(Span(written, start, len(piece), then))
                self.kept[:] = spans
                self.kept = None  # written again (the same build's site, with a new search index): the memo keeps these


class Spill:
    """The chunks of a large export that a build makes afresh, moved to a temporary file as they are
    made once they pass ``limit`` bytes (the first build, or one after a change every line shows):
    otherwise all of them (89 MB at 50,000 facts) were held at once until the site was written, the
    first build's peak. Each such chunk is a Span of that file, with the separator written after it,
    so that writing the export reads them back a megabyte at a time (InPieces.copy_to); once it is
    written they become Spans of the file written, as kept chunks do, and the temporary file goes."""

    def __init__(self, sep: bytes, limit: int) -> None:
        self.sep, self.limit, self.size = sep, limit, 0
        self._file: BinaryIO | None = None
        self._spans: list[Span] = []

    def add(self, piece: bytes) -> Piece:
        """The chunk itself while the chunks so far are small (or ``os.pread`` is missing), else its Span."""
        self.size += len(piece)
        if self.size <= self.limit or not hasattr(os, "pread"):
            return piece
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="explainer-")  # noqa: SIM115 - closed in done()
        start = self._file.tell()
        self._file.write(piece)
        self._file.write(self.sep)
        span = Span(None, start, len(piece), self.sep or None)  # type: ignore[arg-type] - its file: done()
        self._spans.append(span)
        return span

    def done(self) -> None:
        """The chunks are all made: their Spans read from the temporary file, held open until let go."""
        if self._file is None:
            return
        self._file.flush()
        written = Written(os.dup(self._file.fileno()))
        self._file.close()
        for span in self._spans:
            span.file = written
        self._file, self._spans = None, []


def _holds(file: Written, start: int, data: bytes) -> bool:
    """Whether ``file`` holds ``data`` at ``start`` (InPieces.lies_in)."""
    return not data or (start >= 0 and os.pread(file.handle, len(data), start) == data)


def _run(pieces: list[Piece], i: int) -> tuple[int, int]:
    """The index after the Span at ``i`` and the pieces after it that lie after it in its file (Spans
    right after it there, or short separators that were written there too, each then a Span), and
    where the last of them ends."""
    first = last = pieces[i]
    assert type(first) is Span
    end, j = first.start + first.size, i + 1
    while j < len(pieces):
        after = pieces[j]
        if type(after) is Span and after.file is first.file and after.start == end:  # nothing between
            last, end, j = after, end + after.size, j + 1
            continue
        if j + 1 == len(pieces) or type(after) is not bytes or last.then is None or after != last.then:  # type: ignore[union-attr]
            break
        gap, after = after, pieces[j + 1]
        if type(after) is not Span or after.file is not first.file or after.start != end + len(gap):
            break
        last, end, j = after, after.start + after.size, j + 2
    return j, end


def _copy(source: int, target: int, start: int, size: int) -> None:
    """Copy part of one file to the end of another, a megabyte at a time. (``os.copy_file_range``,
    the kernel's copy, took 45 ms for the 81 MB of a 50,000-fact save's exports on this project's
    machines; this takes about 30 ms, as writing them from memory did.)"""
    for at in range(start, start + size, BLOCK):
        _write_all(target, _read(source, at, min(BLOCK, start + size - at)))


def _write_all(handle: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(handle, view):]


def _reopened(handle: int) -> Written | None:
    """The file just written, held open for reading; None if it cannot be read back: opened for
    writing only, or on Windows, which has no ``os.pread`` and cannot replace a file held open (the
    pieces then stay in memory, as before)."""
    if not hasattr(os, "pread"):
        return None
    try:
        os.pread(handle, 0, 0)  # refused (EBADF) on a handle opened for writing only
    except OSError:
        return None
    return Written(os.dup(handle))


def _close_later(handle: int) -> None:
    from .write_changes import release_later

    release_later(handle)


class Packed(OnDisk):
    """A kept list page, compressed as soon as it is rendered (the module's docstring): the same object
    build after build while the page is kept, which the writer recognises (write_changes.WrittenSite).
    Unpacked only to be written or read whole."""

    def __init__(self, data: bytes) -> None:  # no temporary file: OnDisk.__init__ is not called
        self.packed = zlib.compress(data, 1)
        self.size = len(data)

    def __bytes__(self) -> bytes:
        return zlib.decompress(self.packed)

    def copy_to(self, out: BinaryIO) -> None:
        out.write(bytes(self))


def give_back_freed() -> None:
    """Hand the memory freed since the last build back to the system, where the C library allows it.

    glibc keeps freed blocks of its heap for the process's next allocations, and gives back on its
    own only what lies above the last block in use: after a 50,000-fact save the preview held
    about 200 MB it had freed (the pages and lines a save replaces, and the last build's state),
    which ``malloc_trim`` returns in about 20 ms. `serve` calls this after each build, in the
    build's thread. Elsewhere (macOS, Windows, musl) there is no such call and nothing is done."""
    trim = _libc_function("malloc_trim")
    if trim is not None:
        trim(0)


def map_large_blocks() -> None:
    """Have glibc give every block of LARGE_BLOCK or more a mapping of its own, handed back to the
    system as soon as it is freed (`serve` calls this once, before its first build).

    glibc does so from 128 KB, but raises that size to the largest such block freed so far (up to
    32 MB): after the first save, a 50,000-fact save's largest blocks (facts.yaml's 20 MB of bytes,
    then its text beside the last build's) came from the heap and stayed there, freed, through the
    save's render: its peak, 500 MB, 20 MB more than with this (480 MB), which costs about 13 ms of
    CPU a save (paired median; their pages are the system's new ones each time). Nothing is done
    where there is no ``mallopt`` (as give_back_freed)."""
    mallopt = _libc_function("mallopt")
    if mallopt is not None:
        mallopt(_M_MMAP_THRESHOLD, LARGE_BLOCK)


LARGE_BLOCK = 16 << 20  # map_large_blocks: a 10,000-fact story's facts.yaml is 4.5 MB
_M_MMAP_THRESHOLD = -3  # glibc's malloc.h


def _libc_function(name: str) -> Callable[..., int] | None:
    """A function of the C library this process runs on, once looked up; None where there is none."""
    if name not in _LIBC:
        import ctypes

        try:
            _LIBC[name] = getattr(ctypes.CDLL(None), name, None)
        except (OSError, TypeError):  # Windows: no C library of the process by that name
            _LIBC[name] = None
    return _LIBC[name]


_LIBC: dict[str, Any] = {}  # the C library's functions looked up so far (None: not there)
