"""Search for big stories: once the facts are split into pages, Pagefind indexes them for `search.html`.

Every fact (claim, attribution, quotes), timeline event and glossary entry becomes one Pagefind
record whose address is the item's own anchor (`facts-2024-08.html#fact-id`), so a result lands on
the item, not at the top of a page of a hundred. The index is static files under `pagefind/`,
fetched from the same site only when a reader searches; nothing runs on a server and nothing is
sent elsewhere. The front page only gains a link to `search.html`.

Pagefind is a pinned runtime dependency (`pagefind[bin]`, a Rust binary in a wheel), run in a
process of its own by pagefind.py. Where its binary is missing or fails, the build warns and
publishes the site without search: search is an extra, the explainer is complete without it.
This module makes what it indexes: the records, which need only the validated content.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .pagefind import SearchMemo

PAGE = "search.html"
_MARKUP = re.compile(r"\[\[[a-z0-9-]+\]\]|[*_`]")


@dataclass(frozen=True)
class Record:
    """One item as Pagefind indexes it."""

    url: str  # the item's anchor, relative to the site's root
    title: str
    content: str


def wanted(project: Any, layout: Any) -> bool:
    """Search is built for a story whose facts are split into pages, unless site.yaml says `search: false`."""
    return bool(getattr(project.site, "search", True)) and layout.facts.split


def plain(text: str) -> str:
    """Markdown text as words to index: citation markers and emphasis marks dropped."""
    return " ".join(_MARKUP.sub("", text).split())


def records(project: Any, layout: Any, memo: SearchMemo | None = None) -> list[Record]:
    """One record per fact, event and glossary entry, in a stable order.

    A record's title is its heading, indexed with it: the content does not repeat it (at 50,000 facts
    the repeated claims cost Pagefind 80 MB of memory, a third of its time and 3.7 MB of index).
    A fact's title is its claim without its number: a number is a word of its own in the index
    for every fact (77 MB of Pagefind's memory at 50,000 facts), and no reader's search, since
    facts are numbered again whenever one is added above them.
    """
    from .attribution import chain

    sources = project.sources_by_id
    out = []
    # The preview's (memo): a fact kept from the last build (the same object: renewed.renewed_fact
    # renews a fact only for the same entry text) keeps its record while its address and every
    # source's label and title (what its attribution chain names) are unchanged.
    shared = [(s.id, s.label, s.title) for s in project.sources] if memo is not None else None
    last = memo.fact_records if memo is not None and memo.sources_named == shared else {}
    # Every fact on the page it was on: the layout kept its placement (paginate.KeptLayout gives the
    # same page_of dict), so a kept fact's address is the same and is not asked for (50,000 a save).
    places = (layout.facts.page_of, layout.facts.home)
    placed = memo is not None and memo.fact_places is not None and memo.fact_places[0] is places[0] \
        and memo.fact_places[1] == places[1]
    now: dict[int, tuple[Any, str, Record]] = {}
    for fact in project.facts:
        kept = last.get(id(fact))
        if placed and kept is not None and kept[0] is fact:
            out.append(kept[2])
            now[id(fact)] = kept
            continue
        href = layout.fact_href(fact.id)
        if kept is not None and kept[0] is fact and kept[1] == href:
            record = kept[2]
        else:
            quotes = " ".join(f"“{c.quote}”" for c in fact.citations)
            record = Record(href, str(fact.claim), f"{chain(fact, sources)}. {quotes}")  # the edition's words
        out.append(record)
        if memo is not None:
            now[id(fact)] = (fact, href, record)  # the fact itself too: its id is only its while it lives
    if memo is not None:
        memo.fact_records, memo.sources_named, memo.fact_places = now, shared, places
    # An event's or glossary entry's record is kept by what it is made of: its address, heading and text.
    last_texts = memo.text_records if memo is not None else {}
    texts: dict[tuple[str, str, str], Record] = {}
    for event in sorted(project.events, key=lambda e: (e.date.sort_key, e.id)):
        out.append(_text_record(layout.event_href(event.id), event.title, event.text, last_texts, texts))
    for term in sorted(project.glossary, key=lambda t: (t.term.lower(), t.id)):
        out.append(_text_record(f"{layout.facts.home or ''}#term-{term.id}", term.term, term.definition,
                                last_texts, texts))
    if memo is not None:
        memo.text_records = texts
    return out


def _text_record(url: str, title: str, text: str, last: dict[tuple[str, str, str], Record],
                 now: dict[tuple[str, str, str], Record]) -> Record:
    """An event's or glossary entry's record: the last build's for the same address, heading and text."""
    key = (url, title, text)
    record = last.get(key) or Record(url, title, plain(text))
    now[key] = record
    return record
