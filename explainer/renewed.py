"""The preview's model objects, kept from one build to the next while their entry's text is the same.

validate.py makes a fact, an event, a comparison or a glossary entry from each item's clean
record (`items`). In the preview (`explainer serve`) an item read from an entry kept since the last
build (entries.py) gives the object made from it then, renewed for this build: what the later
stages set on it is undone (`renewed_fact`, `renewed_event`, `as_made`). A fact whose entry only
moved (lines inserted or removed above it) keeps its object too, its positions moved with the
entry (`moved_fact`), unless it now comes before a fact it came after (then a copy stands for it:
`_twin`); an event, comparison or glossary entry that moved is made again.

Once a fact's object is made, its entry lets go of the clean record it was made from: the record
is needed only to make the object (about 30 MB for 50,000 facts), and `MADE` stands in its place
from then on. Nothing such an object holds may hold its entry in turn (`positions`): a cycle would
outlive its build while the collector is paused.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from .entries import TOKENS, EntryView
from .model import Event, Fact, Spot
from .schema import INVALID

Made = tuple[int, Any, str, Any]  # the entry's shift when made, the object, its id as made, its spot as made


class _Made:
    """A kept entry's record, let go once the object made from it stands for it (entries.Entry.clean)."""

    def __repr__(self) -> str:
        return "MADE"


MADE = _Made()


def items(clean: dict[str, Any], docs: dict[str, list[EntryView]], rel: str, make: Callable[[Any, EntryView], Any],
          renew: Callable[[Made, Any, EntryView], Any] | None = None, fresh: list | None = None,
          move: Callable[[Made, EntryView], Made] | None = None) -> list:
    """Build model objects for each valid item; invalid ones were already reported.

    With ``renew``, the preview's kept entries keep their object too: an entry whose clean record
    is reused, at the same place, gives the same object again, renewed for this build. An object
    is kept with the id and spot it was made with (an event's id before _dedupe_derived_ids; a
    fact's spot, which verify lets go). With ``move``, an entry that moved keeps its object too,
    moved, while the objects kept keep their order (``number``: their place in the last build), and
    its record is let go once the object is made. ``fresh`` gets the objects of kept entries made
    afresh.
    """
    values = clean.get(rel) or []
    if rel not in docs:
        return []
    out = []
    last = 0  # with ``move``: the last build's number of the last object given again, in this build's order
    for value, view in zip(values, docs[rel], strict=True):
        if value is INVALID:
            continue
        entry = view.entry
        if entry is None:
            out.append(make(value, view))
            continue
        made = entry.made if renew is not None and value is entry.clean else None
        if move is not None and made is not None:
            if made[1].number <= last:  # now above a fact it was below, or the same text again (its id
                made = entry.made = _twin(made, view, move)  # is reported as taken): a new object (_twin)
                out.append(_new(renew(made, value, view), entry, fresh))  # type: ignore[misc]
                continue
            last = made[1].number
            if made[0] != view.shift:
                made = entry.made = move(made, view)
        if made is not None and made[0] == view.shift:
            out.append(renew(made, value, view))  # type: ignore[misc]
            continue
        item = _new(make(value, view), entry, fresh)
        out.append(item)
        if renew is not None and value is entry.clean:
            entry.made = (view.shift, item, item.id, getattr(item, "spot", None))
            if move is not None:
                entry.clean = MADE  # the object stands for its record from now on
    return out


def _new(item: Any, entry: Any, fresh: list | None) -> Any:
    """An object new in this build for a kept entry: it stands for its entry's text (entries.TOKENS),
    and the passes over every fact look at it (``fresh``)."""
    TOKENS[item] = entry.token
    if fresh is not None:
        fresh.append(item)
    return item


def _twin(made: Made, doc: EntryView, move: Callable[[Made, EntryView], Made]) -> Made:
    """A copy of an entry's object, placed where the entry is now: the record it was made from may
    be gone. A fact's quotes are copied too: each holds its own position. For a second place the
    same text is at, and for a fact now above one it came after: what the later stages keep by
    fact (a source's list of the facts citing it, verified.py) keeps their order, and lists a new
    object again in this build's order."""
    twin = copy.copy(made[1])
    if isinstance(twin, Fact):
        twin.citations = list(map(copy.copy, twin.citations))
    return move((made[0], twin, made[2], made[3]), doc)


def positions(doc: EntryView) -> EntryView:
    """The item's positions for a Spot: in the preview, a view of its entry without the entry. An
    entry keeps the object made from it (`items`), which must not hold the entry in turn: a cycle
    would outlive its build while the collector is paused."""
    return doc if doc.entry is None else EntryView(doc.base, doc.prefix, doc.shift)


def renewed_fact(made: Made, value: Any, doc: EntryView) -> Fact:
    """A fact made from the same entry text by an earlier build, with what the later stages set on
    it undone, as validate._fact leaves it: the note it inherits, its spot (verify lets it go; the
    one it was made with, or moved with it), its attribution chain. Its number and the date its
    source lends it are set again for every fact right after (build_project, _source_dates), and
    where each quote was found by the verify stage (verify._check_citations, verified.py), before
    anything reads them."""
    fact = made[1]
    fact.date_note_source, fact.spot = None, made[3]
    fact.__dict__.pop("_chain", None)
    return fact


def moved_fact(made: Made, doc: EntryView) -> Made:
    """A kept fact whose entry moved: the same object, its positions (its own, its quotes', its
    spot) where the entry is now. Its entry's positions move with it (entries.EntryView.where), so
    these are the positions validate._fact would give it; nothing else on a fact depends on its
    place (a page shows no line), and what a later stage keeps on it by place says where it was
    (translations.py's warnings are kept by the fact's line)."""
    fact = made[1]
    fact.where = doc.where(())
    for i, citation in enumerate(fact.citations):
        citation.where = doc.where(("citations", i))
    return doc.shift, fact, made[2], Spot(positions(doc), ())


def renewed_event(made: Made, value: Any, doc: EntryView) -> Event:
    """An event made from the same record at the same place by an earlier build, as validate._event
    leaves it: its id as derived from its title (before _dedupe_derived_ids), no note inherited
    (notes.py). Its positions (Spots of the view it was made with) are the same: the entry has not
    moved."""
    event = made[1]
    event.id, event.date_note_source = made[2], None
    return event


def as_made(made: Made, value: Any, doc: EntryView) -> Any:
    """A comparison or glossary entry made from the same record at the same place: no later stage
    sets anything on it."""
    return made[1]
