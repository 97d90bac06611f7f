"""The preview's lines of the exports (facts.json, facts.csv, timeline.json, sources.json), kept from build to build.

A one-fact save at 10,000 facts would otherwise encode every line of every export again. The lines
are kept in chunks of about 64 items, each joined once and keyed by its items (incremental.py's
RenderMemo holds one ExportMemo per edition; exports.data_files calls what `lines` returns). The
chunks of a large export, once written, are read back from the file written; a build that makes many
anew (the first) puts them in a temporary file as they are made (held.Spill) until then.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from itertools import compress, repeat
from operator import attrgetter, is_, ne, not_
from typing import TYPE_CHECKING, Any

from . import exports
from .fingerprints import digest, entry_tokens, source_state
from .held import Spill, intact
from .two_builds import TwoBuilds

if TYPE_CHECKING:
    from .exports import Lines
    from .render import Renderer

CHUNK_BITS = 63  # kept export lines come in chunks of about 64 items (ExportMemo.lines)
_ID, _NUMBER, _CITED_BY = attrgetter("id"), attrgetter("number"), attrgetter("cited_by")


class ExportMemo:
    """The last build's export lines in chunks, with what each chunk was keyed by, per file."""

    def __init__(self) -> None:
        # file → (the items' columns: entry tokens, ids, numbers, addresses; where its chunks end; their lines)
        self._files: TwoBuilds[dict[str, tuple[list[list], list[int], list[bytes]]]] = TwoBuilds(dict)
        self._shared = b""  # what every line may show, when the kept lines were made
        self._cited: TwoBuilds[dict[tuple, tuple[str, ...]]] = TwoBuilds(dict)  # citing facts → their ids
        self._cuts: dict[str, tuple[list[str], list[int]]] = {}  # each file's item ids → where its chunks end

    def start(self) -> None:
        """Begin a build (RenderMemo.start)."""
        self._files.start()
        self._cited.start()

    def finish(self) -> None:
        """Keep the chunks this build made (RenderMemo.finish)."""
        self._files.finish()
        self._cited.finish()

    def lines(self, renderer: Renderer) -> Lines:
        """``lines`` for exports.data_files: the facts', events' and sources' lines, kept in chunks of
        about 64 items. A chunk is joined again only when one of its items changed: its entry, its
        number (a source: the facts citing it) or its address, or anything every line may show (the
        sources, the site's address).

        A chunk ends after an item whose id's hash has its low bits clear, so chunks are cut by
        the items they hold rather than by their count: an item added or removed changes only
        its own chunk (and, for facts, those whose numbers it shifts)."""
        layout = renderer.layout
        # An item's address is its page (page_of) or, on no page of its own, its section's home.
        shared = digest((renderer.options.base_url, layout.facts.home, layout.timeline.home,
                         [(source_state(s), layout.source_href(s.id)) for s in renderer.project.sources]))
        if shared != self._shared:
            self._files.last, self._shared = {}, shared  # every line may show something new
        kept, now = self._files.last, self._files.now
        known: dict[int, tuple[Sequence[Any], list[list], list[int]]] = {}  # facts.json's keys serve facts.csv too

        def keys_of(kind: str, items: Sequence[Any]) -> tuple[list[list], list[int]]:
            """The items' entry tokens, ids, numbers (a source's: the ids of the facts citing it) and
            addresses, a list each, and where the chunks end: after each item whose id's hash has its
            low bits clear. Columns, made with map in C: a tuple per item, and hashing it, was most
            of the kept lines' cost at 10,000 facts."""
            hit = known.get(id(items))
            if hit is None or hit[0] is not items:
                section = (layout.timeline if kind == "timeline.json" else layout.sources if kind == "sources.json"
                           else layout.facts)
                ids = list(map(_ID, items))
                if kind == "sources.json":  # its line shows their ids, whichever facts they are
                    numbers = self._citing_ids(items)
                elif kind == "timeline.json":
                    numbers = [0] * len(ids)  # an event has no number
                else:
                    numbers = list(map(_NUMBER, items))
                # A fact stands as itself: a kept entry's fact is the same object, its token the same
                # (fingerprints.own_inputs), and no lookup in TOKENS per fact.
                tokens = list(items) if kind in ("facts.json", "facts.csv") else entry_tokens(items)
                columns = [tokens, ids, numbers, list(map(section.page_of.get, ids))]
                cuts = self._chunk_ends(kind, ids)
                if not cuts or cuts[-1] != len(ids):
                    cuts = [*cuts, len(ids)]  # the last chunk ends with the items
                hit = known[id(items)] = items, columns, cuts
            return hit[1], hit[2]

        def each(kind: str, items: Sequence[Any], line: Callable[[Any], bytes], sep: bytes) -> list[bytes]:
            columns, cuts = keys_of(kind, items)
            last = kept.get(kind)
            if last is not None and not intact(last[2]):  # its file was written into since: made afresh
                last = None
            if last is not None and last[0][1] == columns[1]:  # the same ids in order: the same chunks
                pieces = list(last[2])
                for k in _changed_chunks(columns, last[0], cuts):
                    pieces[k] = sep.join(map(line, items[cuts[k - 1] if k else 0:cuts[k]]))
            else:  # items added, removed or moved: each chunk looked up by what it holds
                found = _by_key(*last) if last is not None else {}
                spill = Spill(sep, exports.IN_PIECES_AT)  # a large export's new chunks wait on disk until written
                pieces = [found.get(key) or spill.add(sep.join(map(line, items[start:stop])))
                          for start, stop, key in _keyed(columns, cuts)]
                spill.done()
            now[kind] = (columns, cuts, pieces)
            return pieces  # a list: exports.dump joins it at once

        return each

    def held(self) -> dict[str, int]:
        """The bytes of each file's kept lines held in memory (the rest lie in the files written: held.py)."""
        return {kind: sum(len(piece) for piece in kept[2] if type(piece) is bytes)
                for kind, kept in self._files.last.items()}

    def _citing_ids(self, sources: Sequence[Any]) -> list[tuple[str, ...]]:
        """Each source's citing facts' ids, kept by the facts (the objects: a kept entry's fact is the
        same, with the same id): 13,000 look-ups at 10,000 facts otherwise, and the same tuples compare
        at once (_changed_chunks)."""
        last, now = self._cited.last, self._cited.now
        out = []
        for facts in map(tuple, map(_CITED_BY, sources)):
            ids = last.get(facts) or now.get(facts) or tuple(map(_ID, facts))
            now[facts] = ids
            out.append(ids)
        return out

    def _chunk_ends(self, kind: str, ids: list[str]) -> list[int]:
        """Where the chunks of ``kind``'s lines end: after each item whose id's hash has its low bits
        clear. Kept with the ids (compared as a list: the same id objects, mostly) from the last build."""
        last = self._cuts.get(kind)
        if last is not None and last[0] == ids:
            return last[1]
        cuts = list(compress(range(1, len(ids) + 1), map(not_, map(CHUNK_BITS.__and__, map(hash, ids)))))
        self._cuts[kind] = (ids, cuts)
        return cuts


def _changed_chunks(columns: list[list], last: list[list], cuts: list[int]) -> set[int]:
    """The chunks holding an item whose entry token, id, number or address is not the last build's,
    or that has no entry token (an item made afresh: its lines are never taken as kept). Found in C."""
    everywhere = range(len(columns[0]))
    changed = set(compress(everywhere, map(is_, columns[0], repeat(None))))
    for now_column, last_column in zip(columns, last, strict=True):
        if now_column != last_column:  # a column the same as a whole is told at once (the same objects)
            changed.update(compress(everywhere, map(ne, now_column, last_column)))
    return {bisect_right(cuts, i) for i in changed}


def _keyed(columns: list[list], cuts: list[int]) -> list[tuple[int, int, tuple | None]]:
    """Each chunk's start, end and key (a tuple per column of its items; None when an item in it has no
    entry token: not kept)."""
    out, start = [], 0
    for stop in cuts:
        key = tuple(tuple(column[start:stop]) for column in columns)
        out.append((start, stop, None if None in key[0] else key))
        start = stop
    return out


def _by_key(columns: list[list], cuts: list[int], pieces: list[bytes]) -> dict[tuple, bytes]:
    """The last build's chunks of a file by their keys (the kept ones)."""
    return {key: piece for (_, _, key), piece in zip(_keyed(columns, cuts), pieces, strict=True) if key is not None}
