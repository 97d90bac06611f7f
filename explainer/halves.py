"""A large list file read in two halves at once: the second half by a forked child on another core.

Reading `content/facts.yaml` is a cold build's first and longest stage (0.43 s of YAML at 10,000
facts, 2.1 s at 50,000), and nothing else can start before it: not the checks, not Pagefind. The
file is cut at the top-level entry nearest its middle (`entry_split.entry_starts`, the preview's
split); a forked child (parallel.Forked) parses the second half while this process parses the
first, and sends back its items and their positions, counted from the file's first item.

The halves stand for the whole only where that cannot change the result: each half reports
nothing (no syntax error, alias, bad tag, duplicate key or warning) and holds exactly the entries
the split found in it. Anything else, a child that fails, or no second core, fork or memory for a
copy, and the file is parsed whole as before, so every message keeps the whole file's line,
column and wording. The document is the one a whole parse gives: the same items, the same
positions, and the whole text to find any other position from (yamlsafe.Doc.complete).
"""

from __future__ import annotations

import marshal
from bisect import bisect_left
from pathlib import Path
from typing import Any

from .entry_split import entry_starts
from .errors import Problems
from .textfiles import read_text
from .yamlsafe import Doc, KeyPath, Mark, load_yaml

# Below this size the fork and the items sent back cost about what the second core saves: at 1 MB
# (about 2,300 facts) a half takes ~45 ms to parse, its items a few ms to send and read back.
MIN_BYTES = 1 << 20

Half = tuple[list[Any], dict[KeyPath, Mark]]


def load_list(path: Path, problems: Problems) -> Doc | None:
    """The list file's document as `yamlsafe.load_yaml` reads it, in halves when it is large."""
    text = read_text(path, problems)
    if text is None:
        return None
    doc = in_halves(path, text)
    return doc if doc is not None else load_yaml(path, problems, text=text)


def in_halves(path: Path, text: str) -> Doc | None:
    """The document of ``text`` from its two halves parsed at once, or None: not worth it, not safe to
    split, or a half reported something (the caller then parses it whole, for the whole file's messages)."""
    if len(text) < MIN_BYTES:
        return None
    from . import parallel  # here: it imports Jinja2, which `check` and a small story's load never need

    if not parallel.can_fork_child(small_work=False):
        return None
    cut = split(text)
    if cut is None:
        return None
    at, lines, before, after = cut
    try:
        child = parallel.Forked(lambda: ({}, _packed(parse_half(path, text[at:], lines, before, after))))
    except OSError:  # no process to spare
        return None
    try:
        first = parse_half(path, text[:at], 0, 0, before)
        second = child.result()
    finally:
        child.stop()
    return joined(path, text, first, marshal.loads(second[1]) if second is not None and second[1] else None)


def _packed(half: Half | None) -> bytes | None:
    """A half as the child sends it: with marshal, 5 times quicker than pickle on plain YAML values
    (0.05 against 0.28 s for half of 50,000 facts), which the child would otherwise spend while this
    process waits. Only strings, numbers, lists and dicts (yaml_builder keeps dates as text): the
    same interpreter reads it back from its own child's pipe."""
    return marshal.dumps(half) if half is not None else None


def split(text: str) -> tuple[int, int, int, int] | None:
    """Where the second half starts: its offset, the lines before it, and the entries before and from
    it (the entry nearest the middle of the text); None where the text does not split safely."""
    found = entry_starts(text)
    if found is None or len(found[1]) < 2:
        return None
    starts = found[1]
    n = min(max(bisect_left(starts, len(text) // 2), 1), len(starts) - 1)
    return starts[n], text.count("\n", 0, starts[n]), n, len(starts) - n


def joined(path: Path, text: str, first: Half | None, second: Half | None) -> Doc | None:
    """The whole text's document from its halves' items and positions; None if either half failed."""
    if first is None or second is None:
        return None
    items, marks = first
    more, more_marks = second
    marks.update(more_marks)
    return Doc(path, items + more, marks, text=text)


def parse_half(path: Path, text: str, lines_before: int, items_before: int, count: int) -> Half | None:
    """One half's items and their positions, their key paths counted from the file's first item; None
    when the half reports anything or does not hold the ``count`` entries the split found in it."""
    found = Problems(path.parent)
    doc = load_yaml(path, found, text=text, line_offset=lines_before)
    if doc is None or found.items or doc.key_marks or not isinstance(doc.data, list) or len(doc.data) != count:
        return None
    if not items_before:
        return doc.data, doc.marks
    # The list's own position is the first half's; every other key path starts with its item's index.
    return doc.data, {(keypath[0] + items_before, *keypath[1:]): mark for keypath, mark in doc.marks.items() if keypath}
