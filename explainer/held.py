"""What the preview holds of the site between saves, held compactly: its large exports and list pages.

At 50,000 facts the preview kept 183 MB of output bytes between saves: the lines of facts.json and
facts.csv in chunks (export_memo.py; 89 MB), so that a save encodes only the chunks whose facts
changed, and every list page (incremental.RenderMemo; 94 MB), so that a save renders only the pages
whose inputs changed. Both are needed only to be written again, or read whole for a rare check.

**Exports** (``InPieces``, ``Span``): once a large export is written, every chunk is in that file.
``InPieces.copy_to`` writes the pieces one after another and then turns each kept chunk into a
``Span``: where it lies in that file, which stays open. The next save writes its unchanged chunks
from there (``os.pread``: 4 ms more than from memory for 57 MB on this project's machines) and its
changed ones from memory. The written file is the preview's own (write_changes.py replaces it, never
writes into it), but another program may write into output/facts.json in place: a file whose size or
modification time is no longer what was written is not read from (``Written.intact``), and its
chunks are made afresh. A file no longer read from is closed in the background: closing the last
handle of a replaced file frees its blocks, which at 57 MB takes tens of milliseconds
(write_changes.release_later).

**List pages** (``Packed``): compressed with zlib's fastest level once written (94 MB of pages in
20 MB; 0.7 s of the first build at 50,000 facts, a millisecond for the page or two a save renders),
and unpacked only when written again (the file was touched) or read whole.
"""
from __future__ import annotations

import fcntl
import os
import weakref
import zlib
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

from .write import OnDisk

BLOCK = 1 << 20  # the pieces are written about a megabyte at a time (a system call per piece cost more)
GAP = 8  # a separator this short between two pieces read back is read with them (_read_run)


class Written:
    """A file as the preview wrote it, held open to read its pieces back."""

    def __init__(self, handle: int) -> None:
        self.handle = handle
        found = os.fstat(handle)
        self.state = (found.st_size, found.st_mtime_ns)
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

    __slots__ = ("file", "size", "start")

    def __init__(self, file: Written, start: int, size: int) -> None:
        self.file, self.start, self.size = file, start, size

    def __len__(self) -> int:
        return self.size

    def __bytes__(self) -> bytes:
        parts, at, left = [], self.start, self.size
        while left:
            part = os.pread(self.file.handle, left, at)
            if not part:
                raise OSError(f"{self.size} bytes were written at {self.start}; the file is shorter now")
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

    def copy_to(self, out: BinaryIO) -> None:
        for block in _blocks(self.pieces):
            out.write(block)
        out.flush()
        written = _reopened(out)
        if written is not None:  # from now on read back from the file written, not held in memory
            starts: dict[int, int] = {}  # a piece (by identity: the same object, the same bytes) → where it is
            at = 0
            for piece in self.pieces:
                starts[id(piece)] = at
                at += len(piece)
            self.pieces = [Span(written, 0, self.size)]
            if self.kept is not None:
                self.kept[:] = [Span(written, starts[id(piece)], len(piece)) for piece in self.kept]


def _blocks(pieces: list[Piece]) -> Iterator[bytes]:
    """The pieces' bytes, about a megabyte at a time. Spans that follow one another in their file, with
    the same short separators between them there as here (a save's unchanged chunks), are read in one
    go: a read per chunk, and a copy of each into the block, cost a 50,000-fact save 15 ms."""
    block: list[bytes] = []
    size = i = 0
    while i < len(pieces):
        piece = pieces[i]
        data, i = (piece, i + 1) if type(piece) is bytes else _read_run(pieces, i)
        block.append(data)
        size += len(data)
        if size >= BLOCK:
            yield b"".join(block) if len(block) > 1 else data
            block, size = [], 0
    yield b"".join(block)


def _read_run(pieces: list[Piece], i: int) -> tuple[bytes, int]:
    """The bytes of the Span at ``i`` and of the pieces after it that lie after it in its file (short
    separators, each followed by a Span), up to about a megabyte, in one read; and the index after them."""
    first = pieces[i]
    assert type(first) is Span
    end, j = first.start + first.size, i + 1
    while j + 1 < len(pieces) and end - first.start < BLOCK:
        gap, after = pieces[j], pieces[j + 1]
        if (type(gap) is not bytes or len(gap) > GAP or type(after) is not Span or after.file is not first.file
                or after.start != end + len(gap)):
            break
        end, j = after.start + after.size, j + 2
    data = bytes(Span(first.file, first.start, end - first.start))
    view = memoryview(data)
    for k in range(i + 1, j, 2):  # the separators as they are in the file: the same, or only the first piece
        at = pieces[k + 1].start - len(pieces[k]) - first.start  # type: ignore[union-attr]
        if view[at:at + len(pieces[k])] != pieces[k]:
            return data[:first.size], i + 1
    return data, j


def _reopened(out: BinaryIO) -> Written | None:
    """The file just written, held open for reading; None if it cannot be read back (not a file of the
    disk, or opened for writing only)."""
    try:
        handle = out.fileno()
    except (AttributeError, OSError, ValueError):
        return None
    if fcntl.fcntl(handle, fcntl.F_GETFL) & os.O_ACCMODE != os.O_RDWR:
        return None
    return Written(os.dup(handle))


def _close_later(handle: int) -> None:
    from .write_changes import release_later

    release_later(handle)


class Packed(OnDisk):
    """A kept list page: its bytes until written (the first write needs them as they are), then
    compressed (the module's docstring). The same object build after build while the page is kept,
    which the writer recognises (write_changes.WrittenSite)."""

    def __init__(self, data: bytes) -> None:
        self.data: bytes | None = data
        self.packed = b""
        self.size = len(data)

    def __bytes__(self) -> bytes:
        return self.data if self.data is not None else zlib.decompress(self.packed)

    def copy_to(self, out: BinaryIO) -> None:
        out.write(bytes(self))
        if self.data is not None:
            self.packed, self.data = zlib.compress(self.data, 1), None


def give_back_freed() -> None:
    """Hand the memory freed since the last build back to the system, where the C library allows it.

    glibc keeps freed blocks of its heap for the process's next allocations, and gives back on its
    own only what lies above the last block in use: after a 50,000-fact save the preview held
    about 200 MB it had freed (the pages and lines a save replaces, and the last build's state),
    which ``malloc_trim`` returns in about 20 ms. `serve` calls this after each build, in the
    build's thread. Elsewhere (macOS, musl) there is no such call and nothing is done."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def _malloc_trim() -> Callable[[int], int] | None:
    global _TRIM
    if _TRIM is False:
        import ctypes

        _TRIM = getattr(ctypes.CDLL(None), "malloc_trim", None)
    return _TRIM  # type: ignore[return-value]


_TRIM: Any = False  # glibc's malloc_trim, once looked up (None where there is none)
