"""Stage 2's checks across entries: what no single entry can get wrong on its own.

Ids used twice or taken by the page itself, topics and chart series not declared in site.yaml,
a claim said after the source reporting it was published, an inferred publication range that ends
before it starts. They run over the whole project on every build, the preview's included: each is
dictionary work, a few milliseconds at 10,000 facts.
"""

from __future__ import annotations

import re
from functools import partial
from itertools import chain
from operator import attrgetter
from typing import Any

from .entries import EntryView
from .errors import Problems
from .model import Fact, Figure, Site, Source, Where, field_at

# Anchors the page itself uses; a fact or entry with one of these ids would clash.
RESERVED_IDS = frozenset({
    "main", "content", "summary", "comparisons", "timeline", "facts", "glossary", "sources", "top",
    "charts", "data", "about",
    "recent",  # the "Recently updated" list
})
# Prefixes of the anchors given to other kinds of item.
RESERVED_PREFIXES = ("event-", "source-", "term-", "compare-", "section-")
# A reserved prefix at the start of a line of "\n" + ids joined by "\n" (a literal first character:
# the expression is tried only where one is, 4 times faster than a "^" in multi-line mode).
_RESERVED_START = re.compile("\n(?:" + "|".join(map(re.escape, RESERVED_PREFIXES)) + ")")
_ID, _TOPICS, _FIGURE = attrgetter("id"), attrgetter("topics"), attrgetter("figure")


def check_inferred_ranges(sources: list | None, docs: list[EntryView] | None, problems: Problems) -> None:
    """A source's inferred publication range is a span like any other: it cannot end before it starts."""
    for value, doc in zip(sources or [], docs or [], strict=False):
        inferred = value["published_inferred"] if isinstance(value, dict) else None
        if not isinstance(inferred, dict) or inferred.get("to") is None:
            continue
        start, end = inferred["from"], inferred["to"]
        if start.earliest > end.latest:
            line, column = doc.mark(inferred["_keypath"] + ("to",))
            problems.error(doc.path, line, column,
                           f"the inferred publication range ends ({end.iso}) before it starts ({start.iso})",
                           "put the earlier date in 'from' and the later one in 'to'")


def _moment(date: Any) -> str:
    """A date as one moment, as in "said between 24 and 25 May 2025"."""
    return "".join(text for text, _ in date.pieces(moment=True))


def check_said(problems: Problems, facts: list[Fact], dates: dict[str, Any]) -> None:
    """A fact's dates in their order: a claim is made (`said`), and known to hold (`as_of`), at the
    latest when a source reporting it was published; and it is changed (`updated`) after it was added."""
    for fact in facts:
        if fact.said is not None or fact.as_of is not None:
            _check_against_sources(problems, fact, dates)
        if fact.added is not None and fact.updated is not None and fact.updated.sort_key < fact.added.sort_key:
            w = field_at(fact, "updated")
            problems.error(w.path, w.line, w.column, f"fact '{fact.id}' is updated {fact.updated.human()}, before it "
                           f"was added ({fact.added.human()})", "'updated' is the day the fact last changed in "
                           "substance, on or after the day in 'added'; check both dates")


# How each of a fact's own dates reads in a message, and what it may be at the latest.
_BY_THE_SOURCE = {
    "said": ("is said", "'said' is when the claim was made, at the latest the day its source was published"),
    "as_of": ("holds as of", "'as_of' is the last day the source vouches for the claim: at the latest the day "
                             "it was published"),
}


def _check_against_sources(problems: Problems, fact: Fact, dates: dict[str, Any]) -> None:
    """`said` and `as_of` cannot be later than the publication of any source that reports the claim."""
    for name, (verb, rule) in _BY_THE_SOURCE.items():
        value = getattr(fact, name)
        if value is None or value.earliest is None:
            continue
        for source_id in dict.fromkeys(c.source for c in fact.citations):
            published = dates.get(source_id)
            if published is not None and published.latest is not None and value.earliest > published.latest:
                w = field_at(fact, name)
                problems.error(w.path, w.line, w.column,
                               f"fact '{fact.id}' {verb} {_moment(value)}, after source '{source_id}' "
                               f"reporting it was published ({published.human()})", f"{rule}; check both dates")
                break


def check_unique(problems: Problems, kind: str, items: list, hint: str = "give each one its own id") -> dict[str, Any]:
    """Report each id used twice; return the items by id (the last of an id used twice), which the
    project keeps for the facts (model.Project.facts_by_id: one pass over 50,000 facts, not two)."""
    by_id = dict(zip(map(_ID, items), items, strict=True))
    if len(by_id) == len(items):
        return by_id  # at C speed: usually no id is used twice (1.5 ms for all five lists at 10,000 facts, against 2.3)
    first: dict[str, Where] = {}
    for item in items:
        if item.id in first:
            w = first[item.id]
            problems.error(item.where.path, item.where.line, item.where.column,
                           f"duplicate {kind} id '{item.id}' (first used on line {w.line})", hint)
        else:
            first[item.id] = item.where
    return by_id


def unique_sources(problems: Problems, sources: list[Source], facts: list[Fact]) -> tuple[list[Source], set[str]]:
    """first_of_each for the sources, and the ids the facts cite that no source has while one is used twice.

    A source id used twice is often an entry copied whose id was not changed, or changed to the id of
    the wrong entry: the ids cited that no source has are then likely its. The error says so, and
    those citations are not each an "unknown source" as well (the ids returned) until it is fixed.
    """
    if len(set(map(_ID, sources))) == len(sources):
        return sources, set()  # the usual case: no id used twice
    orphans = sorted({c.source for fact in facts for c in fact.citations} - set(map(_ID, sources)))
    hint = "give each one its own id"
    if orphans:
        named = ", ".join(f"'{o}'" for o in orphans[:3]) + (f" and {len(orphans) - 3} more" if len(orphans) > 3 else "")
        hint += f"; facts cite {named}, which no source has: is one of these entries meant to be it?"
    return first_of_each(problems, "source", sources, hint), set(orphans)


def first_of_each(problems: Problems, kind: str, items: list, hint: str = "give each one its own id") -> list:
    """Report each id used twice (check_unique) and keep only its first entry.

    The later entry is the mistake the error points at: letting it stand in for the first (a
    source's archive, its `said` date) turned one duplicate into an error for every quote citing
    the id, and a "not cited" warning for the first entry.
    """
    before = len(problems.items)
    check_unique(problems, kind, items, hint)
    if len(problems.items) == before:
        return items  # the usual case: no id used twice
    seen: set[str] = set()
    return [item for item in items if not (item.id in seen or seen.add(item.id))]


def check_reserved(problems: Problems, facts: list[Fact]) -> None:
    ids = list(map(_ID, facts))
    if RESERVED_IDS.isdisjoint(ids) and _RESERVED_START.search("\n" + "\n".join(ids)) is None:
        return  # at C speed: the usual case (1.1 ms at 10,000 facts, against 1.8)
    for fact in facts:
        if fact.id in RESERVED_IDS or fact.id.startswith(RESERVED_PREFIXES):
            problems.error(fact.where.path, fact.where.line, fact.where.column,
                           f"the fact id '{fact.id}' is used by the page itself",
                           "choose a more specific id, e.g. 'general-staff-971-captured'")


def check_declared(problems: Problems, site: Site, facts: list[Fact]) -> None:
    """Topics and chart series must be declared in site.yaml, which catches typos."""
    topics = {t.id for t in site.topics}
    series = {c.series for c in site.charts}
    if topics.issuperset(chain.from_iterable(map(_TOPICS, facts))) and all(
            map(partial(_declared_figure, series), filter(None, map(_FIGURE, facts)))):
        return  # nothing to report, found mostly at C speed (3.4 ms at 10,000 facts, against 4.1)
    for fact in facts:
        for i, topic in enumerate(fact.topics):
            if topic not in topics:
                w = field_at(fact, "topics", i)
                problems.error(w.path, w.line, w.column, f"fact '{fact.id}' uses the undeclared topic '{topic}'",
                               _declare_hint(topic, topics, "topics"))
        fig = fact.figure
        if fig is None:
            continue
        w = field_at(fact, "figure")
        if fig.series not in series:
            at = field_at(fact, "figure", "series")
            problems.error(at.path, at.line, at.column, f"fact '{fact.id}' has a figure in the undeclared series "
                           f"'{fig.series}'", _declare_hint(fig.series, series, "charts"))
        if (fig.value is None) == (fig.low is None or fig.high is None):
            problems.error(w.path, w.line, w.column, f"fact '{fact.id}' has a figure that needs either 'value' "
                           "or both 'low' and 'high'", "give a single value, or a range with low and high")
        elif fig.low is not None and fig.high is not None and fig.low > fig.high:
            problems.error(w.path, w.line, w.column, f"fact '{fact.id}' has a figure whose low is above its high",
                           "swap the two numbers")


def _declared_figure(series: set[str], fig: Figure) -> bool:
    """Whether check_declared has nothing to say of a figure."""
    return (fig.series in series and (fig.value is None) != (fig.low is None or fig.high is None)
            and not (fig.low is not None and fig.high is not None and fig.low > fig.high))


def _declare_hint(name: str, declared: set[str], key: str) -> str:
    from difflib import get_close_matches  # only on this error path: it costs start-up time

    close = get_close_matches(name, sorted(declared), n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'? (declared under '{key}:' in site.yaml)"
    return f"declare it under '{key}:' in site.yaml, or fix the spelling"
