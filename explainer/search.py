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

from .two_builds import same_ends, same_objects

if TYPE_CHECKING:
    from .search_memo import SearchMemo

PAGE = "search.html"
SCRIPT = "search.js"  # static/search.js: the search page's own script, published with that page only
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
    return _fact_records(project, layout, memo) + _text_records(project, layout, memo)


def _text_records(project: Any, layout: Any, memo: SearchMemo | None) -> list[Record]:
    """Each event's and glossary entry's record. The preview's (memo) are kept by what each is made
    of: its address, heading and text; while the events and glossary entries are the last build's
    objects in the same order (renewed: the same text at the same place, so the same ids) on the
    same pages, the last build's records, without a look at each (6,670 events at 50,000 facts)."""
    items = (project.events, project.glossary)
    places = (layout.timeline.page_of, layout.timeline.home, layout.facts.home)
    if memo is not None and memo.text_items is not None and places[0] is memo.text_items[2][0] \
            and places[1:] == memo.text_items[2][1:] \
            and all(map(same_objects, items, memo.text_items[:2])):
        return list(memo.text_list)
    last_texts = memo.text_records if memo is not None else {}
    texts: dict[tuple[str, str, str], Record] = {}
    out = [_text_record(layout.event_href(event.id), event.title, event.text, last_texts, texts)
           for event in sorted(project.events, key=lambda e: (e.date.sort_key, e.id))]
    for term in sorted(project.glossary, key=lambda t: (t.term.lower(), t.id)):
        out.append(_text_record(f"{layout.facts.home or ''}#term-{term.id}", term.term, term.definition,
                                last_texts, texts))
    if memo is not None:
        memo.text_records, memo.text_list = texts, out
        memo.text_items = (list(project.events), list(project.glossary), places)
    return list(out)


def _fact_records(project: Any, layout: Any, memo: SearchMemo | None) -> list[Record]:
    """Each fact's record. The preview's (memo): a fact kept from the last build (the same object:
    renewed.renewed_fact renews a fact only for the same entry text) keeps its record while its
    address and every source's label and title (what its attribution chain names) are unchanged.

    While every fact is on the page it was on (paginate.KeptLayout gives the same page_of dict), the
    runs of facts at both ends that are the last build's, in the same places, take their records
    without a look at each fact (in C: a one-fact edit at 50,000 facts looks at one fact).
    """
    from .attribution import chain

    facts = project.facts
    sources = project.sources_by_id

    def fact_record(fact: Any, href: str) -> Record:
        quotes = " ".join(f"“{c.quote}”" for c in fact.citations)
        return Record(href, str(fact.claim), f"{chain(fact, sources)}. {quotes}")  # the edition's words

    if memo is None:
        return [fact_record(fact, layout.fact_href(fact.id)) for fact in facts]
    named = [(s.id, s.label, s.title) for s in project.sources]
    last_facts, last_records = (memo.facts, memo.fact_records) if memo.sources_named == named else ([], [])
    places = (layout.facts.page_of, layout.facts.home)
    placed = memo.fact_places is not None and memo.fact_places[0] is places[0] and memo.fact_places[1] == places[1]
    head, tail = same_ends(facts, last_facts) if placed else (0, 0)
    kept = dict(zip(map(id, last_facts[head:len(last_facts) - tail]), last_records[head:len(last_records) - tail],
                    strict=True))
    records = last_records[:head]
    for fact in facts[head:len(facts) - tail]:
        record = kept.get(id(fact))  # the last build's facts are alive (memo.facts): an id is only theirs
        if record is None or not placed:
            href = layout.fact_href(fact.id)
            if record is None or record.url != href:
                record = fact_record(fact, href)
        records.append(record)
    records += last_records[len(last_records) - tail:]
    memo.facts, memo.fact_records, memo.sources_named, memo.fact_places = list(facts), records, named, places
    return list(records)


def _text_record(url: str, title: str, text: str, last: dict[tuple[str, str, str], Record],
                 now: dict[tuple[str, str, str], Record]) -> Record:
    """An event's or glossary entry's record: the last build's for the same address, heading and text."""
    key = (url, title, text)
    record = last.get(key) or Record(url, title, plain(text))
    now[key] = record
    return record
