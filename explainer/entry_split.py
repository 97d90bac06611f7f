"""Where a content list file's top-level entries start: in the whole text, or, for a text saved
again, only where it changed since the last split (`moved_starts`). entries.py keys and parses the
entries cut here.

An entry runs from a ``- `` (or a lone ``-``) at the start of a line to the next one, comments and
blank lines included. A text is split only where that cannot change the result (`entry_starts`):
not with tabs or other line breaks than ``\\n``, a document marker or directive, or anything but
comments before the first entry.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable

# After a line break: a top-level list entry ('- ', or a lone '-'), a document marker or a
# directive. One pass over the text finds them all (5 ms at 10,000 facts, against 10 ms for one
# `in` per marker: a line break is too common a first character for a quick search).
_BREAK = re.compile(r"\n(?=-(?:[ \n]|\Z)|-(?=--)|\.(?=\.\.)|%)")
_MARKERS = ("---", "...", "%")  # what a piece must not start with: a document marker or directive
# Tabs and line breaks other than \n (YAML counts these as lines too).
_UNSAFE = ("\t", "\r", "\x85", "\u2028", "\u2029")  # each a quick find()


def entry_keys(pieces: list[str]) -> list[bytes]:
    """Each entry's text as the memo's key: a digest, so the memo does not hold every entry's text
    (25 MB at 50,000 facts) beside what it was parsed into. SHA-256, which the processor computes
    itself where it can (0.75 µs an entry at 10,000 facts, against 1 µs for BLAKE2b)."""
    sha256 = hashlib.sha256
    return [sha256(piece.encode("utf-8", "surrogatepass")).digest() for piece in pieces]


def split_entries(text: str) -> tuple[list[int], list[str]] | None:
    """The lines before each top-level entry and its text, or None where splitting is not safe."""
    found = entry_starts(text)
    if found is None:
        return None
    pieces = entry_texts(text, found[1])
    return lines_before(found[0], list(map(str.count, pieces, itertools.repeat("\n")))), pieces


def lines_before(first: int, newlines: Iterable[int]) -> list[int]:
    """The lines before each entry, from those before the first and the line breaks in each."""
    lines = list(itertools.accumulate(newlines, initial=first))
    lines.pop()
    return lines


def entry_starts(text: str) -> tuple[int, list[int]] | None:
    """The lines before the first top-level entry and where each entry starts, or None where
    splitting is not safe.

    An entry runs from its ``- `` line to the next one, comments and blank lines included. Only
    comments and blank lines may come before the first entry. Each step runs over every entry
    in C (map): a Python loop over 10,000 entries costs more than the pass that finds them.
    """
    if text.startswith(_MARKERS) or any(unsafe in text for unsafe in _UNSAFE):
        return None
    starts = [match.end() for match in _BREAK.finditer(text)]
    if text.startswith("-") and text[1:2] in (" ", "\n", ""):
        starts.insert(0, 0)
    if not starts or any(map(text.startswith, itertools.repeat(_MARKERS), starts)):
        return None
    for line in text[: starts[0]].split("\n"):
        if line.strip() and not line.lstrip().startswith("#"):
            return None
    return text.count("\n", 0, starts[0]), starts


def entry_texts(text: str, starts: list[int], stop: int | None = None) -> list[str]:
    """The text of each entry starting at ``starts``, the last one running to ``stop`` (the end)."""
    ends = starts[1:]
    ends.append(len(text) if stop is None else stop)
    return list(map(text.__getitem__, map(slice, starts, ends)))


def moved_starts(old: str, starts: list[int], new: str) -> tuple[int, int, list[int]] | None:
    """Where the entries of ``new`` start, found from ``old`` (split safely at ``starts``) by looking
    only at the part that changed: a save changes one entry, and splitting and hashing them all
    again (`entry_starts`, `entry_keys`) was most of reading a list file at 10,000 facts.

    Returns ``(a, b, middle)``: the entries before ``a`` are the same texts at the same places;
    those from ``b`` on are the same texts, moved by the change in length; ``middle`` is where the
    entries between them start in ``new``. None when the change reaches the text before the first
    entry (the whole split decides then), or when what changed cannot be split safely.

    An entry starts after a line break followed by ``-`` and a space, a line break or the end, so
    whether a place starts one depends on the character before it and the three from it (a
    document marker, ``---``, is three long). Where those all lie in the part both texts share at
    their start, or in the part they share at their end, ``new`` splits where ``old`` did.
    """
    prefix = _common_prefix(old, new)
    suffix = _common_suffix(old, new, min(len(old), len(new)) - prefix)
    a = bisect_right(starts, prefix - 3) - 1  # the last start whose place and three characters are shared
    if a < 0:
        return None
    b = bisect_left(starts, len(old) - suffix + 1)  # the first start whose line break before it is shared
    stop = starts[b] + len(new) - len(old) if b < len(starts) else len(new)
    if any(unsafe in new[starts[a]:stop] for unsafe in _UNSAFE):
        return None
    middle = [starts[a]]
    for match in _BREAK.finditer(new, starts[a]):
        start = match.end()
        if start >= stop:  # the first start of the shared end: found at once, as it is one
            break
        if new.startswith(_MARKERS, start):
            return None
        middle.append(start)
    return a, b, middle


_BLOCK = 1 << 16  # characters compared at a time by _common_prefix and _common_suffix


def _common_prefix(a: str, b: str) -> int:
    """How many characters ``a`` and ``b`` share at their start: a block at a time in C, then halving
    the block that differs (about 1 ms for two 4 MB texts that differ in the middle)."""
    n = min(len(a), len(b))
    lo = hi = 0
    while lo < n:
        hi = min(lo + _BLOCK, n)
        if not b.startswith(a[lo:hi], lo):
            break
        lo = hi
    else:
        return n
    while hi - lo > 1:  # a[:lo] == b[:lo]; the two differ in [lo, hi)
        mid = (lo + hi) // 2
        if b.startswith(a[lo:mid], lo):
            lo = mid
        else:
            hi = mid
    return lo


def _common_suffix(a: str, b: str, limit: int) -> int:
    """How many characters ``a`` and ``b`` share at their end, at most ``limit``, as _common_prefix."""
    la, lb = len(a), len(b)
    lo = hi = 0
    while lo < limit:
        hi = min(lo + _BLOCK, limit)
        if not b.endswith(a[la - hi:la - lo], 0, lb - lo):
            break
        lo = hi
    else:
        return limit
    while hi - lo > 1:  # the last lo characters are the same; the two differ within the hi before
        mid = (lo + hi) // 2
        if b.endswith(a[la - mid:la - lo], 0, lb - lo):
            lo = mid
        else:
            hi = mid
    return lo
