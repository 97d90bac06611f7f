"""Stage 2: check each document against the schema and build the content model.

Every problem is recorded (not raised) so one run reports them all.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from .errors import Problems
from .load import Loaded
from .model import (
    Chart,
    Citation,
    Comparison,
    Event,
    Fact,
    Figure,
    Project,
    Reference,
    Site,
    Source,
    Summary,
    Term,
    Topic,
    Where,
)
from .schema import CONTENT_FILES, INVALID, SLUG, SUMMARY, Checker
from .yamlsafe import Doc

CITE = re.compile(r"\[\[([^\[\]\n]*)\]\]")
# Anchors the page itself uses; a fact or entry with one of these ids would clash.
RESERVED_IDS = frozenset({
    "main", "content", "summary", "comparisons", "timeline", "facts", "glossary", "sources", "top",
    "charts", "data", "about",
    "recent",  # the "Recently updated" list
})
# Prefixes of the anchors given to other kinds of item.
RESERVED_PREFIXES = ("event-", "source-", "term-", "compare-", "section-")


def build_project(root: Path, loaded: Loaded, problems: Problems) -> Project:
    """Return the project built from every valid item; problems hold what was wrong.

    An invalid site.yaml leaves `site` as None (with its errors recorded), so the rest of the
    content is still checked in the same run.
    """
    clean: dict[str, Any] = {}
    for rel, doc in loaded.docs.items():
        value = Checker(doc, problems).check(doc.data, CONTENT_FILES[rel][0], ())
        clean[rel] = value if value is not INVALID else None
    docs = loaded.docs

    site = _site(clean.get("site.yaml"))
    sources = _items(clean, docs, "content/sources.yaml", _source)
    facts = _items(clean, docs, "content/facts.yaml", _fact)
    events = _items(clean, docs, "content/timeline.yaml", _event)
    comparisons = _items(clean, docs, "content/comparisons.yaml", _comparison)
    glossary = _items(clean, docs, "content/glossary.yaml", _term)
    summaries = _summaries(loaded, problems)

    for number, fact in enumerate(facts, start=1):
        fact.number = number
    _check_unique(problems, "source", sources)
    _check_unique(problems, "fact", facts)
    _check_unique(problems, "timeline event", events)
    _check_unique(problems, "comparison", comparisons)
    _check_unique(problems, "glossary entry", glossary)
    _check_reserved(problems, facts)
    if site is not None:
        _check_declared(problems, site, facts)
    project = Project(root, site, sources, facts, events, comparisons, glossary, summaries)
    project.references = _references(project, problems)
    project.invalid_ids = _invalid_ids(loaded, clean)
    return project


def _invalid_ids(loaded: Loaded, clean: dict[str, Any]) -> set[str]:
    ids = set()
    for rel in ("content/sources.yaml", "content/facts.yaml"):
        raw, values = loaded.docs[rel].data if rel in loaded.docs else None, clean.get(rel)
        if isinstance(raw, list):
            for i, item in enumerate(raw):
                if isinstance(item, dict) and (values is None or values[i] is INVALID):
                    ids.add(str(item.get("id")))
    return ids


def _where(doc: Doc, keypath: tuple) -> Where:
    line, column = doc.mark(keypath)
    return Where(doc.path, line, column)


def _items(clean: dict[str, Any], docs: dict[str, Doc], rel: str, make) -> list:
    """Build model objects for each valid item; invalid ones were already reported."""
    values = clean.get(rel) or []
    if rel not in docs:
        return []
    return [make(value, docs[rel]) for value in values if value is not INVALID]


def _site(value: dict | None) -> Site | None:
    if not value:
        return None
    return Site(
        title=value["title"], description=value["description"], language=value["language"],
        base_url=value["base_url"].rstrip("/") + "/", updated=value["updated"], publisher=value["publisher"],
        topics=[Topic(t["id"], t["label"]) for t in value["topics"] if t is not INVALID],
        charts=[Chart(c["series"], c["title"], c["description"]) for c in value["charts"] if c is not INVALID],
        pagination={k: v for k, v in value["pagination"].items() if k != "_keypath"} if value["pagination"] else None,
        embed={k: v for k, v in value["embed"].items() if k != "_keypath"} if value["embed"] else None,
        offline=value["offline"], search=value["search"],
    )


def _dated(value: dict) -> Any:
    if not value["approximate"]:  # parse_date gives approximate=False; replace() is slow
        return value["date"]
    return replace(value["date"], approximate=value["approximate"])


def _source(value: dict, doc: Doc) -> Source:
    kp = value["_keypath"]
    return Source(
        id=value["id"], title=value["title"], publisher=value["publisher"], author=value["author"],
        published=value["published"], url=value["url"], retrieved=value["retrieved"], archive=value["archive"],
        note=value["note"], published_inferred=value["published_inferred"],
        where=_where(doc, kp), archive_where=_where(doc, kp + ("archive",)),
    )


def _fact(value: dict, doc: Doc) -> Fact:
    kp = value["_keypath"]
    figure = value["figure"]
    return Fact(
        id=value["id"], claim=value["claim"], attribution=value["attribution"], date=_dated(value),
        date_note=value["date_note"], topics=value["topics"],
        citations=[Citation(c["source"], c["quote"], _where(doc, c["_keypath"])) for c in value["citations"]],
        figure=Figure(**{k: v for k, v in figure.items() if k != "_keypath"}) if figure else None,
        where=_where(doc, kp), added=value["added"], updated=value["updated"],
    )


def _fact_refs(value: dict, doc: Doc, text_field: str) -> dict[str, Any]:
    """Positions of each listed fact id and of the Markdown text, for precise error messages."""
    kp = value["_keypath"]
    refs = [Reference(fid, _where(doc, kp + ("facts", i))) for i, fid in enumerate(value["facts"])]
    return {"refs": refs, "text_where": _where(doc, kp + (text_field,)), "where": _where(doc, kp)}


def _event(value: dict, doc: Doc) -> Event:
    event_id = value["id"] or _slugify(value["title"])
    return Event(event_id, _dated(value), value["date_note"], value["title"], value["text"], value["facts"],
                 added=value["added"], updated=value["updated"], **_fact_refs(value, doc, "text"))


def _comparison(value: dict, doc: Doc) -> Comparison:
    return Comparison(value["id"], value["kind"], value["title"], value["text"], value["facts"],
                      **_fact_refs(value, doc, "text"))


def _term(value: dict, doc: Doc) -> Term:
    return Term(value["id"], value["term"], value["definition"], value["facts"],
                **_fact_refs(value, doc, "definition"))


def _slugify(text: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", text.lower()))[:60].strip("-") or "event"


def _summaries(loaded: Loaded, problems: Problems) -> list[Summary]:
    summaries = []
    for item in loaded.summaries:
        if item.meta is None:
            continue
        meta = Checker(item.meta, problems).check(item.meta.data, SUMMARY, ())
        if meta is INVALID:
            continue
        slug = "section-" + _slugify(re.sub(r"^\d+[-_ ]*", "", item.path.stem) or item.path.stem)
        summaries.append(Summary(slug, meta["title"], meta["order"], item.body,
                                 Where(item.path, 1, 1), item.body_line))
    return sorted(summaries, key=lambda s: (s.order, s.slug))


def _check_unique(problems: Problems, kind: str, items: list) -> None:
    first: dict[str, Where] = {}
    for item in items:
        if item.id in first:
            w = first[item.id]
            problems.error(item.where.path, item.where.line, item.where.column,
                           f"duplicate {kind} id '{item.id}' (first used on line {w.line})",
                           "give each one its own id")
        else:
            first[item.id] = item.where


def _check_reserved(problems: Problems, facts: list[Fact]) -> None:
    for fact in facts:
        if fact.id in RESERVED_IDS or fact.id.startswith(RESERVED_PREFIXES):
            problems.error(fact.where.path, fact.where.line, fact.where.column,
                           f"the fact id '{fact.id}' is used by the page itself",
                           "choose a more specific id, e.g. 'general-staff-971-captured'")


def _check_declared(problems: Problems, site: Site, facts: list[Fact]) -> None:
    """Topics and chart series must be declared in site.yaml, which catches typos."""
    topics = {t.id for t in site.topics}
    series = {c.series for c in site.charts}
    for fact in facts:
        w = fact.where
        for topic in fact.topics:
            if topic not in topics:
                problems.error(w.path, w.line, w.column, f"fact '{fact.id}' uses the undeclared topic '{topic}'",
                               "declare it under 'topics:' in site.yaml, or fix the spelling")
        fig = fact.figure
        if fig is None:
            continue
        if fig.series not in series:
            problems.error(w.path, w.line, w.column, f"fact '{fact.id}' has a figure in the undeclared series "
                           f"'{fig.series}'", "declare it under 'charts:' in site.yaml, or fix the spelling")
        if (fig.value is None) == (fig.low is None or fig.high is None):
            problems.error(w.path, w.line, w.column, f"fact '{fact.id}' has a figure that needs either 'value' "
                           "or both 'low' and 'high'", "give a single value, or a range with low and high")
        elif fig.low is not None and fig.high is not None and fig.low > fig.high:
            problems.error(w.path, w.line, w.column, f"fact '{fact.id}' has a figure whose low is above its high",
                           "swap the two numbers")


def _references(project: Project, problems: Problems) -> list[Reference]:
    """Every place that names a fact, with its position, for the provenance check."""
    refs: list[Reference] = []
    for item in [*project.events, *project.comparisons, *project.glossary]:
        refs += item.refs
        text = item.definition if isinstance(item, Term) else item.text
        refs += _inline_refs(text, item.text_where, problems, inline=True)
    for summary in project.summaries:
        refs += _inline_refs(summary.body, Where(summary.where.path, summary.body_line, 1), problems)
    return refs


def _inline_refs(text: str, start: Where, problems: Problems, inline: bool = False) -> list[Reference]:
    """Find `[[fact-id]]` citations; in summaries, pinpoint their line and column."""
    refs = []
    for match in CITE.finditer(text):
        if inline:
            where = start
        else:
            before = text[: match.start()]
            line = start.line + before.count("\n")
            column = match.start() - (before.rfind("\n") + 1) + 1
            where = Where(start.path, line, column)
        fact_id = match.group(1).strip()
        if not SLUG.match(fact_id):
            problems.error(where.path, where.line, where.column, f"'[[{match.group(1)}]]' is not a valid citation",
                           "cite a fact by its id, e.g. [[general-staff-971-captured]]")
            continue
        refs.append(Reference(fact_id, where))
    return refs
