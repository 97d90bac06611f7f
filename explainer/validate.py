"""Stage 2: check each document against the schema and build the content model.

Every problem is recorded (not raised) so one run reports them all.
"""

from __future__ import annotations

import re
from dataclasses import replace
from itertools import chain
from operator import attrgetter
from pathlib import Path
from typing import Any

from . import across
from .checker import Checker
from .dates import PartialDate
from .entries import EntryView, ListDoc, views
from .errors import Problems
from .kept_checks import KeptChecks, facts_to_look_at, kept_pass, remember
from .load import Loaded
from .markdown_checks import check_local_links, check_note_links, check_paragraphs, references
from .model import (
    Chart,
    Citation,
    Comparison,
    Derived,
    Event,
    Fact,
    Figure,
    Project,
    Reference,
    Site,
    Source,
    Spot,
    Summary,
    Term,
    Topic,
    Where,
)
from .notes import inherit_date_notes
from .renewed import as_made, items, moved_fact, positions, renewed_event, renewed_fact
from .schema import CONTENT_FILES, CURLY_PAIRS, INVALID, SUMMARY, ListOf

PLACEHOLDER_ID = "todo-"  # ids `explainer new` writes where a real id belongs: todo-fact-id, todo-source-id
_FACT_ID, _SOURCE, _CITATIONS = attrgetter("fact_id"), attrgetter("source"), attrgetter("citations")


def build_project(root: Path, loaded: Loaded, problems: Problems, kept: KeptChecks | None = None) -> Project:
    """Return the project built from every valid item; problems hold what was wrong.

    An invalid site.yaml leaves `site` as None (with its errors recorded), so the rest of the
    content is still checked in the same run. ``kept``: the preview's passes over every fact,
    made again only over the facts made afresh where they found nothing last time (kept_checks.py).
    """
    clean: dict[str, Any] = {}
    docs: dict[str, list[EntryView]] = {}  # each list item as a document of its own
    for rel, doc in loaded.docs.items():
        type_ = CONTENT_FILES[rel][0]
        if isinstance(type_, ListOf) and isinstance(doc.data, list) and len(doc.data) >= type_.min_items:
            docs[rel] = views(doc)
            value = _check_items(doc.data, docs[rel], type_.item, Checker(doc, problems))
        else:
            value = Checker(doc, problems).check(doc.data, type_, ())
        clean[rel] = value if value is not INVALID else None

    across.check_inferred_ranges(clean.get("content/sources.yaml"), docs.get("content/sources.yaml"), problems)
    site = _site(clean.get("site.yaml"))
    sources = items(clean, docs, "content/sources.yaml", _source)
    # The facts made afresh, when every other one is renewed from an entry of a file read entry by entry
    # that the last build read (not one taken back from a good build before it: ListDoc.restored).
    facts_doc = loaded.docs.get("content/facts.yaml")
    fresh: list[Fact] | None = [] if isinstance(facts_doc, ListDoc) and not facts_doc.restored else None
    facts = items(clean, docs, "content/facts.yaml", _fact, renew=renewed_fact, fresh=fresh, move=moved_fact)
    sources, orphaned = across.unique_sources(problems, sources, facts)  # a source id used twice
    if kept is not None:
        kept.begin(fresh)
    events = items(clean, docs, "content/timeline.yaml", _event, renew=renewed_event)
    _dedupe_derived_ids(events, [v for v in clean.get("content/timeline.yaml") or [] if v is not INVALID])
    events = across.first_of_each(problems, "timeline event", events)
    comparisons = across.first_of_each(problems, "comparison",
                                       items(clean, docs, "content/comparisons.yaml", _comparison, renew=as_made))
    glossary = across.first_of_each(problems, "glossary entry",
                                    items(clean, docs, "content/glossary.yaml", _term, renew=as_made))
    summaries = _summaries(loaded, problems)

    for number, fact in enumerate(facts, start=1):
        fact.number = number
    dates = _source_dates(sources, facts, kept)
    kept_pass(kept, "said", dates, facts, problems, lambda these: across.check_said(problems, these, dates))
    facts_sound = not any(p.path == "content/facts.yaml" for p in problems.errors)  # its errors so far: all of them
    inherit_date_notes(problems, sources, facts, events, facts_sound)
    kept_pass(kept, "note links", None, facts, problems,
              lambda these: check_note_links(problems, sources, these, events))
    facts_by_id = across.check_unique(problems, "fact", facts)
    _check_each_fact(problems, site, facts, kept)
    project = Project(root, site, sources, facts, events, comparisons, glossary, summaries)
    project.facts_by_id = facts_by_id  # the cached property, already made by the check for ids used twice
    project.references = references(project, problems)
    check_local_links(project, problems)
    project.invalid_ids = _invalid_ids(loaded, clean) | _placeholder_ids(project, problems, kept) | orphaned
    return project


def _check_each_fact(problems: Problems, site: Site | None, facts: list[Fact], kept: KeptChecks | None) -> None:
    """The checks of each fact on its own: a reserved id, undeclared topics and chart series."""
    kept_pass(kept, "reserved ids", None, facts, problems, lambda these: across.check_reserved(problems, these))
    if site is not None:
        declared = (frozenset(t.id for t in site.topics), frozenset(c.series for c in site.charts))
        kept_pass(kept, "declared", declared, facts, problems,
                  lambda these: across.check_declared(problems, site, these))


def _placeholder_ids(project: Project, problems: Problems, kept: KeptChecks | None = None) -> set[str]:
    """`todo-fact-id` and `todo-source-id`, left by `new`: one error each, not also "unknown fact"."""
    found: set[str] = set()
    if not _any_placeholder(project, kept):
        return found
    named = [(ref, "fact", "content/facts.yaml") for ref in project.references
             if ref.fact_id.startswith(PLACEHOLDER_ID)]
    named += [(Reference(c.source, c.where), "source", "content/sources.yaml")
              for fact in project.facts for c in fact.citations if c.source.startswith(PLACEHOLDER_ID)]
    for ref, kind, where in named:
        w = ref.where
        problems.error(w.path, w.line, w.column, f"'{ref.fact_id}' is a placeholder, not a {kind} id",
                       f"replace it with the id of a {kind} in {where}")
        found.add(ref.fact_id)
    return found


def _any_placeholder(project: Project, kept: KeptChecks | None = None) -> bool:
    """Whether any fact id named or source id cited may start as a placeholder: all joined into one
    text and searched once, each step in C (1.5 ms at 10,000 facts, against 6 for a loop over each).
    Anywhere in an id, not only at its start: a line break is too common a character to search for.
    The sources cited by the facts renewed in the preview are looked at again only if one was a
    placeholder last time (kept_checks.py)."""
    facts = facts_to_look_at(kept, "placeholder sources", None, project.facts)
    cited = PLACEHOLDER_ID in " ".join(map(_SOURCE, chain.from_iterable(map(_CITATIONS, facts))))
    remember(kept, "placeholder sources", None, not cited)
    return cited or PLACEHOLDER_ID in " ".join(map(_FACT_ID, project.references))


def _check_items(items: list, views: list[EntryView], type_: Any, checker: Checker) -> list:
    """Each item of a list file checked (`_check_item`), one checker for the file pointed at each
    item's view in turn. A kept entry's record is taken in this loop, without a call of its own: in
    the preview nearly every entry is one."""
    values = []
    append = values.append
    for item, view in zip(items, views, strict=True):
        entry = view.entry
        clean = entry.clean if entry is not None else None
        append(clean if clean is not None else _check_item(item, view, type_, checker))
    return values


def _check_item(item: Any, view: EntryView, type_: Any, checker: Checker) -> Any:
    """One list item checked on its own (key paths from the item); in the preview, its record kept
    for the next build when it has no problem (entries.py; `_check_items` takes it from there)."""
    entry = view.entry
    problems = checker.problems
    before = len(problems.items)
    checker.doc = view  # type: ignore[assignment]
    value = checker.check(item, type_, ())
    if entry is not None and value is not INVALID and len(problems.items) == before:
        entry.clean = value
    return value


def _invalid_ids(loaded: Loaded, clean: dict[str, Any]) -> set[str]:
    """The ids of the sources and facts that failed their check (a file's list that failed: all of them)."""
    ids = set()
    for rel in ("content/sources.yaml", "content/facts.yaml"):
        raw, values = loaded.docs[rel].data if rel in loaded.docs else None, clean.get(rel)
        if values is not None and INVALID not in values:  # one pass in C: usually every item is valid
            continue
        if isinstance(raw, list):
            for i, item in enumerate(raw):
                if isinstance(item, dict) and (values is None or values[i] is INVALID):
                    ids.add(str(item.get("id")))
                    # as its citations write it: an id in typographic quotes (the Checker's) is cited without them
                    ids.add(str(item.get("id")).strip(_TYPOGRAPHIC_QUOTES))
    return ids


_TYPOGRAPHIC_QUOTES = "".join(sorted({mark for pair in CURLY_PAIRS for mark in pair})) + " "


def _where(doc: EntryView, keypath: tuple) -> Where:
    return doc.where(keypath)


def _dedupe_derived_ids(events: list[Event], values: list[dict]) -> None:
    """Events without an id get one from their title: two alike (or in a script with no a-z) must not clash."""
    if len(values) != len(events):
        return  # timeline.yaml had no valid list
    taken = {v["id"]: 1 for v in values if v["id"]}
    for event, value in zip(events, values, strict=True):
        if not value["id"]:
            event.id = _unique(event.id, taken)


def _site(value: dict | None) -> Site | None:
    if not value:
        return None
    return Site(
        title=value["title"], description=value["description"], language=value["language"],
        base_url=value["base_url"].rstrip("/") + "/", updated=value["updated"], publisher=value["publisher"],
        topics=[Topic(t["id"], t["label"], t["translations"]) for t in value["topics"] if t is not INVALID],
        charts=[Chart(c["series"], c["title"], c["description"], c["translations"])
                for c in value["charts"] if c is not INVALID],
        pagination={k: v for k, v in value["pagination"].items() if k != "_keypath"} if value["pagination"] else None,
        embed={k: v for k, v in value["embed"].items() if k != "_keypath"} if value["embed"] else None,
        offline=value["offline"], search=value["search"],
        languages=list(dict.fromkeys(value["languages"] or [value["language"]])), translations=value["translations"],
    )


def _dated(value: dict) -> Any:
    if not value["approximate"]:  # parse_date gives approximate=False; replace() is slow
        return value["date"]
    date = value["date"]
    if isinstance(date, PartialDate):
        return replace(date, approximate=True)
    return date.approximated()  # a span or a set: `approximate: true` marks each of its dates


def _source_dates(sources: list[Source], facts: list[Fact], kept: KeptChecks | None = None) -> dict[str, Any]:
    """Give each fact its first cited source's publication date: when it was said, unless it says.

    A source without `published` lends its inferred range (`published_inferred`), as a span.
    Returns each dated source's date, by id. In the preview, a renewed fact keeps the date it was
    given while the sources' dates are the same (kept_checks.py).
    """
    dates: dict[str, Any] = {}
    for source in sources:
        inferred = source.published_inferred
        if source.published is not None:
            dates[source.id] = source.published
        elif inferred:
            from .uncertain import DateSpan  # only content with an inferred date pays for the import

            dates[source.id] = DateSpan(inferred["from"], inferred.get("to"))
    get = dates.get
    for fact in facts_to_look_at(kept, "source dates", dates, facts):
        citations = fact.citations
        fact.published = get(citations[0].source) if citations else None
    remember(kept, "source dates", dates, True)
    return dates


def _source(value: dict, doc: EntryView) -> Source:
    kp = value["_keypath"]
    return Source(
        id=value["id"], title=value["title"], publisher=value["publisher"], author=value["author"],
        published=value["published"], url=value["url"], retrieved=value["retrieved"], archive=value["archive"],
        note=value["note"], published_inferred=value["published_inferred"],
        where=_where(doc, kp), archive_where=_where(doc, kp + ("archive",)),
        label=value["label"], sha256=value["sha256"], context=value["context"], spot=Spot(doc, kp),
        facts_date_note=value["facts_date_note"],
        language=value["language"], translations=value["translations"],
    )


def _fact(value: dict, doc: EntryView) -> Fact:
    kp = value["_keypath"]
    figure = value["figure"]
    return Fact(
        id=value["id"], claim=value["claim"], attribution=value["attribution"], date=_dated(value),
        date_note=value["date_note"], topics=value["topics"],
        citations=[Citation(c["source"], c["quote"], _where(doc, c["_keypath"]),
                            translated_by_source=c["translated_by_source"], translations=c["translations"])
                   for c in value["citations"]],
        figure=Figure(**{k: v for k, v in figure.items() if k != "_keypath"}) if figure else None,
        where=_where(doc, kp), added=value["added"], updated=value["updated"],
        said=value["said"], as_of=value["as_of"],
        derived=tuple(Derived(d["number"], d["reason"], i) for i, d in enumerate(value["derived"]))
        if value["derived"] else (),
        spot=Spot(positions(doc), kp), translations=value["translations"],
    )


def _fact_refs(value: dict, doc: EntryView, text_field: str) -> dict[str, Any]:
    """Positions of each listed fact id and of the Markdown text, for precise error messages.

    As Spots, worked out only if an error needs one: the loader keeps no position of a list's
    scalars or of a text, so the first one asked for parses the whole file again (0.13 s at 10,000
    facts, for 36,000 positions a clean build never shows).
    """
    kp = value["_keypath"]
    at = positions(doc)
    refs = [Reference(fid, Spot(at, kp + ("facts", i))) for i, fid in enumerate(value["facts"])]
    return {"refs": refs, "text_where": Spot(at, kp + (text_field,)), "where": _where(doc, kp)}


def _event(value: dict, doc: EntryView) -> Event:
    event_id = value["id"] or _slugify(value["title"])
    return Event(event_id, _dated(value), value["date_note"], value["title"], value["text"], value["facts"],
                 added=value["added"], updated=value["updated"], translations=value["translations"],
                 **_fact_refs(value, doc, "text"))


def _comparison(value: dict, doc: EntryView) -> Comparison:
    return Comparison(value["id"], value["kind"], value["title"], value["text"], value["facts"],
                      translations=value["translations"], **_fact_refs(value, doc, "text"))


def _term(value: dict, doc: EntryView) -> Term:
    return Term(value["id"], value["term"], value["definition"], value["facts"],
                translations=value["translations"], **_fact_refs(value, doc, "definition"))


def _slugify(text: str) -> str:
    """Words of any script, lowercased and joined by hyphens: 'Обмін полоненими' → 'обмін-полоненими'."""
    return "-".join(re.findall(r"[^\W_]+", text.lower()))[:60].strip("-") or "event"


def _unique(slug: str, taken: dict[str, int]) -> str:
    """The slug, or with -2, -3… added when another item already has it (HTML ids must differ).

    ``taken`` maps each id in use to the next number to try after it, so a thousand events with
    one title cost linear time, not a search from -2 each.
    """
    n = taken.get(slug, 1)
    candidate = slug if n == 1 else f"{slug}-{n}"
    while candidate in taken:
        n += 1
        candidate = f"{slug}-{n}"
    taken[slug] = n + 1
    taken.setdefault(candidate, 1)
    return candidate


def _summaries(loaded: Loaded, problems: Problems) -> list[Summary]:
    summaries = []
    taken: dict[str, int] = {}
    orders: dict[int, str] = {}
    for item in loaded.summaries:
        if item.meta is None:
            continue
        meta = Checker(item.meta, problems).check(item.meta.data, SUMMARY, ())
        check_paragraphs(item.path, item.body, item.body_line, problems)
        if meta is INVALID:
            continue
        if meta["order"] in orders:
            line, column = item.meta.mark(("order",))
            problems.error(item.path, line, column, f"order {meta['order']} is also the order of "
                           f"{orders[meta['order']]}", "give each summary its own order: it sets their sequence")
        orders.setdefault(meta["order"], item.path.name)
        slug = _unique("section-" + _slugify(re.sub(r"^\d+[-_ ]*", "", item.path.stem) or item.path.stem), taken)
        summaries.append(Summary(slug, meta["title"], meta["order"], item.body,
                                 Where(item.path, 1, 1), item.body_line, item.path.name))
    return sorted(summaries, key=lambda s: (s.order, s.slug))
