"""A content list file read entry by entry, so the preview parses and checks again only what changed.

`content/facts.yaml` at 10,000 facts takes about half a second to parse and a third to check,
while a save usually changes one entry. A list file whose top-level entries each start with
``- `` at the start of a line splits there (`split_entries`); each entry's text is parsed on its
own (`yamlsafe.load_yaml(text=...)`) only when no earlier build saw that exact text, and its
checked record is kept with it (`Entry`). Positions are stored relative to the entry and shifted
to where it is now (`EntryView`), so lines inserted above an entry invalidate nothing.

The split is used only where it cannot change the result: a file with tabs, other line breaks
than ``\\n``, a document marker or directive, anything but comments before the first entry, or
no entry at all is parsed whole; so is any file in which an entry's own parse reports anything
(a syntax error, an alias, a bad tag, a duplicate key, a warning), so every message keeps the
whole file's exact line and column and its wording (e.g. "N aliases in this file").
"""

from __future__ import annotations

import hashlib
import itertools
import operator
import re
import weakref
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .errors import Problems
from .model import Where
from .yamlsafe import Doc, KeyPath, Mark, load_yaml

# After a line break: a top-level list entry ('- ', or a lone '-'), a document marker or a
# directive. One pass over the text finds them all (5 ms at 10,000 facts, against 10 ms for one
# `in` per marker: a line break is too common a first character for a quick search).
_BREAK = re.compile(r"\n(?=-(?:[ \n]|\Z)|-(?=--)|\.(?=\.\.)|%)")
_MARKERS = ("---", "...", "%")  # what a piece must not start with: a document marker or directive
# Tabs and line breaks other than \n (YAML counts these as lines too).
_UNSAFE = ("\t", "\r", "\x85", "\u2028", "\u2029")  # each a quick find()
_tokens = itertools.count(1)
# The entry token of each model object made from a kept entry (validate.py), for fingerprints and
# kept export lines (incremental.py); weak, so a finished build is still freed at once.
TOKENS: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()
_VALUE = operator.attrgetter("value")  # an entry's parsed value
_NEWLINES = operator.attrgetter("newlines")


def entry_keys(pieces: list[str]) -> list[bytes]:
    """Each entry's text as the memo's key: a digest, so the memo does not hold every entry's text
    (25 MB at 50,000 facts) beside what it was parsed into. SHA-256, which the processor computes
    itself where it can (0.75 µs an entry at 10,000 facts, against 1 µs for BLAKE2b)."""
    sha256 = hashlib.sha256
    return [sha256(piece.encode("utf-8", "surrogatepass")).digest() for piece in pieces]


def split_entries(text: str) -> tuple[list[int], list[str]] | None:
    """The lines before each top-level entry and its text, or None where splitting is not safe."""
    found = _pieces(text)
    if found is None:
        return None
    first, pieces = found
    return _lines(first, list(map(str.count, pieces, itertools.repeat("\n")))), pieces


def _lines(first: int, newlines: Iterable[int]) -> list[int]:
    """The lines before each entry, from those before the first and the line breaks in each."""
    lines = list(itertools.accumulate(newlines, initial=first))
    lines.pop()
    return lines


def _pieces(text: str) -> tuple[int, list[str]] | None:
    """The lines before the first top-level entry and each entry's text, or None where splitting is
    not safe (`_starts`)."""
    found = _starts(text)
    if found is None:
        return None
    return found[0], _slices(text, found[1])


def _starts(text: str) -> tuple[int, list[int]] | None:
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


def _slices(text: str, starts: list[int], stop: int | None = None) -> list[str]:
    """The text of each entry starting at ``starts``, the last one running to ``stop`` (the end)."""
    ends = starts[1:]
    ends.append(len(text) if stop is None else stop)
    return list(map(text.__getitem__, map(slice, starts, ends)))


def moved_starts(old: str, starts: list[int], new: str) -> tuple[int, int, list[int]] | None:
    """Where the entries of ``new`` start, found from ``old`` (split safely at ``starts``) by looking
    only at the part that changed: a save changes one entry, and splitting and hashing them all
    again (`_starts`, `entry_keys`) was most of reading a list file at 10,000 facts.

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


class Entry:
    """One entry's parsed value (and, once checked without a problem, its clean record), by its text.

    ``base`` is the document the value was parsed in: the entry's own, or the whole file's (the
    first build parses the file whole); ``prefix`` is the value's key path there and ``start`` the
    number of lines before it there. ``token`` identifies the text for fingerprints: the same
    token, the same entry.
    """

    __slots__ = ("base", "clean", "made", "newlines", "prefix", "shifted", "start", "token", "value", "wheres")

    def __init__(self, base: Doc, prefix: KeyPath, start: int, value: Any, newlines: int):
        self.base, self.prefix, self.start, self.value = base, prefix, start, value
        self.newlines = newlines  # the line breaks in its text: where the next entry starts, not counted again
        self.clean: Any = None
        self.token = next(_tokens)
        self.wheres: dict[KeyPath, Where] = {}  # positions made for the model, while the entry stays put
        self.shifted = 0
        # (shift, the object made from the clean record there, its id and spot as made): validate._items
        self.made: tuple[int, Any, str, Any] | None = None


class EntryView:
    """An item of a list file as a document of its own: its positions, shifted to where it is now.

    Key paths are relative to the item (``()`` is the item itself), as the validator checks each
    item on its own. Made for every item in a cold build too (``entry`` is then None), so both
    builds take the same path.
    """

    __slots__ = ("base", "entry", "prefix", "shift")

    def __init__(self, base: Doc, prefix: KeyPath, shift: int = 0, entry: Entry | None = None):
        self.base, self.prefix, self.shift, self.entry = base, prefix, shift, entry

    @property
    def path(self) -> Path:
        return self.base.path

    @property
    def refused(self) -> set[Mark]:
        """Where the loader already reported a value (never anything for a kept entry: see FileMemo)."""
        if not self.shift:
            return self.base.refused
        return {(line + self.shift, column) for line, column in self.base.refused}

    def where(self, keypath: KeyPath) -> Where:
        """A value's position for the model; a kept entry that has not moved gives the same objects."""
        entry = self.entry
        if entry is None:
            return Where(self.base.path, *self.mark(keypath))
        if entry.shifted != self.shift:
            entry.wheres, entry.shifted = {}, self.shift
        found = entry.wheres.get(keypath)
        if found is None:
            found = entry.wheres[keypath] = Where(self.base.path, *self.mark(keypath))
        return found

    def mark(self, keypath: KeyPath, key: bool = False) -> Mark:
        keypath = self.prefix + keypath
        found = None if key else self.base.marks.get(keypath)  # kept (a mapping or list): as Doc.mark finds it
        line, column = found or self.base.mark(keypath, key=key)
        return line + self.shift, column


class ListDoc(Doc):
    """A list file put together from its entries: the same data and positions as a whole parse."""

    def __init__(self, path: Path, views: list[EntryView], first: Mark, entries: list[Entry]):
        super().__init__(path, list(map(_VALUE, entries)))
        self.views, self.entries = views, entries  # each item's view and its entry, in order
        self.marks[()] = first

    def mark(self, keypath: KeyPath, key: bool = False) -> Mark:
        if keypath:
            return self.views[keypath[0]].mark(keypath[1:], key=key)
        return self.marks[()]

    def complete(self) -> None:  # each entry completes its own positions
        return None

    def slim(self) -> None:
        """Drop the parsed values of the entries checked clean (EntryMemo.slim): None in their place."""
        self.data = list(map(_VALUE, self.entries))


def views(doc: Doc) -> list[EntryView]:
    """One view per item of a list document (a whole parse's items are viewed in place)."""
    if isinstance(doc, ListDoc):
        return doc.views
    return [EntryView(doc, (i,)) for i in range(len(doc.data))]


class EntryMemo:
    """The entries of one list file seen by the last good build, by a digest of their text (`entry_keys`)."""

    def __init__(self) -> None:
        self.entries: dict[bytes, Entry] = {}
        self._fresh: list[Entry] = []  # the entries parsed since the last slim(): only they hold a value to drop
        self._views: list[EntryView] = []  # the last document's views (_doc)
        # The text of the last good build's document, the lines before its first entry, where its
        # entries start and their keys, in order: the next text is split where it differs (moved_starts).
        # The text is kept (4 MB at 10,000 facts): comparing with it costs 1 ms, hashing every entry 10.
        self._last: tuple[str, int, list[int], list[bytes]] | None = None

    def load(self, path: Path, text: str, problems: Problems, most_new: int) -> Doc | None:
        """The file's document, parsing only entries not seen before; whole when that is safer.

        ``most_new``: above this many new entries a whole parse is quicker (an entry parsed on
        its own costs about 1.3 times its share of a whole parse: 0.084 against 0.066 ms at 10k).
        """
        split = self._split(text)
        if split is not None:
            first, starts, keys, texts = split
            doc = self._from_entries(path, first, keys, texts, most_new)
            if doc is not None:
                self._last = (text, first, starts, keys)
                return doc
        found = Problems(problems.root)
        doc = load_yaml(path, found, text=text)
        problems.items.extend(found.items)
        if (doc is None or found.items or split is None or not isinstance(doc.data, list)
                or len(doc.data) != len(split[2])):
            return doc  # the entries kept so far stay for the next build (an error is usually repaired)
        first, starts, keys, _ = split
        newlines = list(map(str.count, _slices(text, starts), itertools.repeat("\n")))
        lines = _lines(first, newlines)
        kept: dict[bytes, Entry] = {}
        for i, (start, key) in enumerate(zip(lines, keys, strict=True)):
            entry = self.entries.get(key) or kept.get(key)  # the same text keeps its token
            if entry is None:
                entry = Entry(doc, (i,), start, doc.data[i], newlines[i])
                self._fresh.append(entry)
            kept[key] = entry
        self.entries = kept
        self._last = (text, first, starts, keys)
        return self._doc(path, doc.mark(()), lines, list(map(kept.__getitem__, keys)))

    def _split(self, text: str) -> tuple[int, list[int], list[bytes], dict[bytes, str]] | None:
        """The lines before the first entry, where each entry starts, each entry's key, and the text of
        each key that may be new; or None where splitting is not safe. Only the entries that changed
        since the last good build are cut out and hashed again (moved_starts), when it can tell."""
        if self._last is not None:
            old, first, starts, keys = self._last
            moved = moved_starts(old, starts, text)
            if moved is not None:
                a, b, middle = moved
                shift = len(text) - len(old)
                after = list(map(shift.__add__, starts[b:]))
                pieces = _slices(text, middle, after[0] if after else None)
                fresh = entry_keys(pieces)
                texts = dict(zip(fresh, pieces, strict=True))
                return first, starts[:a] + middle + after, keys[:a] + fresh + keys[b:], texts
        found = _starts(text)
        if found is None:
            return None
        pieces = _slices(text, found[1])
        keys = entry_keys(pieces)
        return found[0], found[1], keys, dict(zip(keys, pieces, strict=True))

    def _from_entries(self, path: Path, first: int, keys: list[bytes], texts: dict[bytes, str],
                      most_new: int) -> Doc | None:
        """The document of the entries with these keys, parsing those not seen before: ``texts`` holds
        the text of every key that may be new (every key not in it is a kept entry's)."""
        known = self.entries
        new = set(texts).difference(known)
        if len(new) > most_new or not known:
            return None
        if new:
            parsed: dict[bytes, Entry] = {}
            for key in filter(new.__contains__, texts):  # in file order
                found, piece = Problems(Path(".")), texts[key]
                doc = load_yaml(path, found, text=piece)
                if doc is None or found.items or not isinstance(doc.data, list) or len(doc.data) != 1:
                    return None  # the whole file is parsed, for the whole file's messages
                parsed[key] = Entry(doc, (0,), 0, doc.data[0], piece.count("\n"))
            known = {**known, **parsed}
            self._fresh += parsed.values()
        entries = list(map(known.__getitem__, keys))
        self.entries = dict(zip(keys, entries, strict=True))  # the entries no longer in the file go
        lines = _lines(first, map(_NEWLINES, entries))  # a kept entry's text is the same: so are its lines
        return self._doc(path, (lines[0] + 1, 1), lines, entries)

    def slim(self) -> bool:
        """Let go of the parsed YAML of every entry checked clean: its record stands for its value
        from now on (validate._check_item), and its document is kept only for its positions. At
        50,000 facts the parsed values are about 90 MB the preview would otherwise hold. Only the
        entries parsed since the last slim can hold any: the others were slimmed then, or were not
        clean and are looked at again. Returns whether any was slimmed."""
        fresh, self._fresh = self._fresh, []
        slimmed = False
        for entry in fresh:
            if entry.clean is not None:
                entry.value = None
                entry.base.data = None
                slimmed = True
            else:
                self._fresh.append(entry)
        if self._fresh:  # only those still in the file stay looked at
            current = set(map(id, self.entries.values()))
            self._fresh = [entry for entry in self._fresh if id(entry) in current]
        return slimmed

    def _doc(self, path: Path, first: Mark, lines: list[int], entries: list[Entry]) -> ListDoc:
        """The document of these entries, each viewed where it is now. An entry in the same place as
        in the last document, not moved, keeps its view (a view holds nothing but where the entry is):
        one comparison instead of a new object per entry. (The views are kept here, not on their
        entries: an entry holding its view, which holds the entry, would outlive its build.)"""
        last = self._views
        views = []
        append = views.append
        for i, (start, entry) in enumerate(zip(lines, entries, strict=True)):
            shift = start - entry.start
            view = last[i] if i < len(last) else None
            if view is None or view.entry is not entry or view.shift != shift:
                view = EntryView(entry.base, entry.prefix, shift, entry)
            append(view)
        self._views = views
        return ListDoc(path, views, first, entries)
