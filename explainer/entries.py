"""A content list file read entry by entry, so the preview parses and checks again only what changed.

`content/facts.yaml` at 10,000 facts takes about half a second to parse and a third to check,
while a save usually changes one entry. A list file whose top-level entries each start with
``- `` at the start of a line splits there (`entry_split.py`); each entry's text is parsed on its
own (`yamlsafe.load_yaml(text=...)`) only when no earlier build saw that exact text, and its
checked record is kept with it (`Entry`). Positions are stored relative to the entry and shifted
to where it is now (`EntryView`), so lines inserted above an entry invalidate nothing.

The split is used only where it cannot change the result: a file with tabs, other line breaks
than ``\\n``, a document marker or directive, anything but comments before the first entry, or
no entry at all is parsed whole; so is any file in which an entry's own parse reports anything
(a syntax error, an alias, a bad tag, a duplicate key, a warning), so every message keeps the
whole file's exact line and column and its wording (e.g. "N aliases in this file"). A file whose
parse from that entry on stops at a mistake is reported from that parse: the same message
(`_stops_below`).
"""

from __future__ import annotations

import itertools
import operator
import weakref
from pathlib import Path
from typing import Any

from .entry_split import entry_keys, entry_starts, entry_texts, lines_before, moved_starts
from .errors import Problems
from .model import Where
from .yamlsafe import Doc, KeyPath, Mark, load_yaml

_tokens = itertools.count(1)
# The entry token of each model object made from a kept entry (validate.py), for fingerprints and
# kept export lines (incremental.py); weak, so a finished build is still freed at once.
TOKENS: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()
_VALUE = operator.attrgetter("value")  # an entry's parsed value
_NEWLINES = operator.attrgetter("newlines")


class Entry:
    """One entry's parsed value (and, once checked without a problem, its clean record), by its text.

    ``base`` is the document the value was parsed in: the entry's own, or the whole file's (the
    first build parses the file whole: FirstParse); ``prefix`` is the value's key path there and ``start`` the
    number of lines before it there. ``token`` identifies the text for fingerprints: the same
    token, the same entry.
    """

    __slots__ = ("base", "clean", "made", "newlines", "prefix", "shifted", "start", "token", "value", "wheres")

    def __init__(self, base: Doc | FirstParse, prefix: KeyPath, start: int, value: Any, newlines: int):
        self.base, self.prefix, self.start, self.value = base, prefix, start, value
        self.newlines = newlines  # the line breaks in its text: where the next entry starts, not counted again
        self.clean: Any = None
        self.token = next(_tokens)
        self.wheres: dict[KeyPath, Where] = {}  # positions made for the model, while the entry stays put
        self.shifted = 0
        # (shift, the object made from the clean record there, its id and spot as made): renewed.items
        self.made: tuple[int, Any, str, Any] | None = None


class EntryView:
    """An item of a list file as a document of its own: its positions, shifted to where it is now.

    Key paths are relative to the item (``()`` is the item itself), as the validator checks each
    item on its own. Made for every item in a cold build too (``entry`` is then None), so both
    builds take the same path.
    """

    __slots__ = ("base", "entry", "prefix", "shift")

    def __init__(self, base: Doc | FirstParse, prefix: KeyPath, shift: int = 0, entry: Entry | None = None):
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
        found = self._made(entry).get(keypath)
        if found is None:
            found = entry.wheres[keypath] = Where(self.base.path, *self.mark(keypath))
        return found

    def _made(self, entry: Entry) -> dict[KeyPath, Where]:
        """The positions made for the entry's model, where it is now: made where it was, they move with it."""
        if entry.shifted != self.shift:
            entry.wheres, entry.shifted = _moved(entry.wheres, self.shift - entry.shifted), self.shift
        return entry.wheres

    def mark(self, keypath: KeyPath, key: bool = False) -> Mark:
        if self.entry is not None and not key:  # one the model holds (an item's own): its document is not asked
            made = self._made(self.entry).get(keypath)
            if made is not None:
                return made.line, made.column
        keypath = self.prefix + keypath
        found = None if key else self.base.marks.get(keypath)  # kept (a mapping or list): as Doc.mark finds it
        line, column = found or self.base.mark(keypath, key=key)
        return line + self.shift, column


def _moved(wheres: dict[KeyPath, Where], lines: int) -> dict[KeyPath, Where]:
    """Positions made for an entry, ``lines`` lines further down: an entry's text is the same, so
    each value is where it was, relative to the entry (its document is not asked again: see FirstParse)."""
    return {keypath: Where(where.path, where.line + lines, where.column) for keypath, where in wheres.items()}


class FirstParse:
    """The positions of the entries of the preview's first, whole parse of a list file, for as long
    as they are asked for: what an entry parsed on its own holds in its own document.

    Until `let_go`, the whole document answers. After it (once the first build is checked: the
    model's positions are made by then, and `EntryView.where` moves them with their entry), the
    whole text and its positions go (40 MB at 50,000 facts), and a position asked for later (an
    error in a kept entry) comes from parsing that entry's text alone, as it is now in the file
    (`EntryMemo.text_of`), counted from the lines before it in the first parse: the same line and
    column, as its text is the same.
    """

    __slots__ = ("_doc", "_keys", "_lines", "_memo", "_own", "marks", "path", "refused")

    def __init__(self, doc: Doc, memo: EntryMemo, keys: list[bytes], lines: list[int]):
        self._doc: Doc | None = doc
        self.path, self.marks, self.refused = doc.path, doc.marks, doc.refused
        self._memo, self._keys, self._lines = memo, keys, lines
        self._own: dict[int, Doc | None] = {}  # each entry parsed again, by its place in the first parse

    @property
    def data(self) -> Any:
        return self._doc.data if self._doc is not None else None

    @data.setter
    def data(self, value: Any) -> None:  # EntryMemo.slim drops the parsed values
        if self._doc is not None:
            self._doc.data = value

    def let_go(self) -> None:
        """Drop the whole document: from now on each entry's positions come from its own text."""
        self._doc, self.marks = None, {}

    def mark(self, keypath: KeyPath, key: bool = False) -> Mark:
        if self._doc is not None:
            return self._doc.mark(keypath, key=key)
        if not keypath:
            return (1, 1)
        i = keypath[0]
        own = self._own[i] if i in self._own else self._parse(i)
        if own is None:  # not in the file any more: its first line (no build asks for it)
            return (self._lines[i] + 1, 1)
        return own.mark((0, *keypath[1:]), key=key)

    def _parse(self, i: int) -> Doc | None:
        text = self._memo.text_of(self._keys[i])
        found = Problems(Path("."))
        own = None if text is None else load_yaml(self.path, found, text=text, line_offset=self._lines[i])
        if own is not None and (found.items or not isinstance(own.data, list) or len(own.data) != 1):
            own = None  # parsed clean as part of the whole file: alone too; never met
        self._own[i] = own
        return own


class ListDoc(Doc):
    """A list file put together from its entries: the same data and positions as a whole parse."""

    def __init__(self, path: Path, views: list[EntryView], first: Mark, entries: list[Entry], restored: bool = False):
        super().__init__(path, list(map(_VALUE, entries)))
        self.views, self.entries = views, entries  # each item's view and its entry, in order
        self.marks[()] = first
        # Whether an entry came back that the last build's text did not hold (EntryMemo._dropped): the
        # passes that trust what the last build looked at look at every fact (kept_checks.py).
        self.restored = restored

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


def _stops_below(path: Path, text: str, start: int, problems: Problems) -> bool:
    """Whether the file's whole parse stops at a mistake at or after ``start``, where the first entry
    that reported anything parsed alone starts: then that mistake is reported, as the whole parse
    reports it, and True is returned.

    Everything before ``start`` parsed cleanly (the kept entries, and new ones that parsed alone
    reporting nothing), and the text splits safely there (entry_split: nothing but ``\n`` breaks
    lines, no document marker), so a parse of the text from ``start``, its lines counted from there,
    stops where the whole parse stops, with the same message, line and column: a syntax error (or
    a control character, or nesting too deep) is the first the whole parse meets. A parse that
    does not stop proves nothing (an alias, a duplicate key or a warning is reported only by a
    whole parse, with the whole file's counts): the caller parses the file whole. A mistake in the
    middle of 10,000 facts was a whole parse up to it, 0.1 s of each broken save.
    """
    found = Problems(problems.root)
    if load_yaml(path, found, text=text[start:], line_offset=text.count("\n", 0, start)) is not None:
        return False
    problems.items.extend(found.items)
    return True


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
        self._places: dict[bytes, int] | None = None  # each key's place in _last, once text_of asks (per load)
        self._whole: list[FirstParse] = []  # whole parses whose positions slim() lets go
        # The entries the loads since the last good build let go (settle): a build that failed, on a
        # file read half written or half deleted, does not cost the next one every entry it lacked.
        self._dropped: dict[bytes, Entry] = {}
        self._restored = False  # whether this load took an entry back from _dropped

    def load(self, path: Path, text: str, problems: Problems, most_new: int) -> Doc | None:
        """The file's document, parsing only entries not seen before; whole when that is safer.

        ``most_new``: above this many new entries a whole parse is quicker (an entry parsed on
        its own costs about 1.3 times its share of a whole parse: 0.084 against 0.066 ms at 10k).
        """
        self._places, self._restored = None, False
        split = self._split(text)
        if split is not None:
            first, starts, keys, texts = split
            doc = self._from_entries(path, first, keys, texts, most_new)
            if isinstance(doc, ListDoc):
                self._last = (text, first, starts, keys)
                return doc
            if doc is not None and _stops_below(path, text, starts[keys.index(doc)], problems):
                return None  # the entries kept so far stay for the next build (an error is usually repaired)
        found = Problems(problems.root)
        doc = load_yaml(path, found, text=text)
        problems.items.extend(found.items)
        if (doc is None or found.items or split is None or not isinstance(doc.data, list)
                or len(doc.data) != len(split[2])):
            return doc  # the entries kept so far stay for the next build (an error is usually repaired)
        first, starts, keys, _ = split
        newlines = list(map(str.count, entry_texts(text, starts), itertools.repeat("\n")))
        lines = lines_before(first, newlines)
        base = FirstParse(doc, self, keys, lines)
        kept: dict[bytes, Entry] = {}
        for i, (start, key) in enumerate(zip(lines, keys, strict=True)):
            entry = self.entries.get(key) or kept.get(key)  # the same text keeps its token
            if entry is None and key in self._dropped:
                entry, self._restored = self._dropped[key], True
            if entry is None:
                entry = Entry(base, (i,), start, doc.data[i], newlines[i])
                self._fresh.append(entry)
            kept[key] = entry
        self._keep(kept)
        self._last = (text, first, starts, keys)
        self._whole.append(base)
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
                pieces = entry_texts(text, middle, after[0] if after else None)
                fresh = entry_keys(pieces)
                texts = dict(zip(fresh, pieces, strict=True))
                return first, starts[:a] + middle + after, keys[:a] + fresh + keys[b:], texts
        found = entry_starts(text)
        if found is None:
            return None
        pieces = entry_texts(text, found[1])
        keys = entry_keys(pieces)
        return found[0], found[1], keys, dict(zip(keys, pieces, strict=True))

    def _from_entries(self, path: Path, first: int, keys: list[bytes], texts: dict[bytes, str],
                      most_new: int) -> ListDoc | bytes | None:
        """The document of the entries with these keys, parsing those not seen before: ``texts`` holds
        the text of every key that may be new (every key not in it is a kept entry's). Else the key
        of the first new entry that reported anything parsed alone, or None (too many new entries)."""
        known = self.entries
        new = set(texts).difference(known)
        back = new.intersection(self._dropped)
        if back:  # entries the last good build had: not new
            new -= back
            known = {**known, **{key: self._dropped[key] for key in back}}
            self._restored = True
        if len(new) > most_new or not known:
            return None
        if new:
            parsed: dict[bytes, Entry] = {}
            for key in filter(new.__contains__, texts):  # in file order
                found, piece = Problems(Path(".")), texts[key]
                doc = load_yaml(path, found, text=piece)
                if doc is None or found.items or not isinstance(doc.data, list) or len(doc.data) != 1:
                    return key  # the file is parsed whole (or from here: _stops_below), for its messages
                parsed[key] = Entry(doc, (0,), 0, doc.data[0], piece.count("\n"))
            known = {**known, **parsed}
            self._fresh += parsed.values()
        entries = list(map(known.__getitem__, keys))
        self._keep(dict(zip(keys, entries, strict=True)))  # the entries no longer in the file go (aside)
        lines = lines_before(first, map(_NEWLINES, entries))  # a kept entry's text is the same: so are its lines
        return self._doc(path, (lines[0] + 1, 1), lines, entries)

    def _keep(self, entries: dict[bytes, Entry]) -> None:
        """These are the file's entries now; those let go are set aside until a build succeeds."""
        for key in self.entries.keys() - entries.keys():  # in C: 2 ms at 50,000 entries
            self._dropped[key] = self.entries[key]
        for key in self._dropped.keys() & entries.keys():
            del self._dropped[key]
        self.entries = entries

    def settle(self) -> None:
        """A build succeeded: the entries it let go are gone for good."""
        self._dropped.clear()

    def slim(self) -> bool:
        """Let go of the parsed YAML of every entry checked clean: its record stands for its value
        from now on (validate._check_item), and its document is kept only for its positions. At
        50,000 facts the parsed values are about 90 MB the preview would otherwise hold. Only the
        entries parsed since the last slim can hold any: the others were slimmed then, or were not
        clean and are looked at again. Returns whether any was slimmed."""
        for whole in self._whole:
            whole.let_go()
        self._whole.clear()
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

    def text_of(self, key: bytes) -> str | None:
        """The text of the entry with this key in the last text loaded, or None if it is not there."""
        if self._last is None:
            return None
        text, _, starts, keys = self._last
        if self._places is None:  # looked up rarely (an error's position): the index is made then
            self._places = {k: i for i, k in reversed(list(enumerate(keys)))}
        i = self._places.get(key)
        if i is None:
            return None
        return text[starts[i]: starts[i + 1] if i + 1 < len(starts) else len(text)]

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
        return ListDoc(path, views, first, entries, restored=self._restored)
