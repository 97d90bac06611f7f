"""The validated content, as plain dataclasses the later stages can trust."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .dates import PartialDate


@dataclass(frozen=True)
class Where:
    """Where an item was written, so later stages can still point editors at it."""

    path: Path
    line: int
    column: int


@dataclass(eq=False)  # identity is what matters: no generated __eq__ to build at import
class Topic:
    id: str
    label: str


@dataclass(eq=False)  # identity is what matters: no generated __eq__ to build at import
class Chart:
    series: str
    title: str
    description: str


@dataclass(eq=False)  # identity is what matters: no generated __eq__ to build at import
class Site:
    title: str
    description: str
    language: str
    base_url: str
    updated: PartialDate
    publisher: str | None
    topics: list[Topic]
    charts: list[Chart]
    pagination: dict[str, int | None] | None = None  # page sizes; see explainer/paginate.py
    embed: dict[str, Any] | None = None  # frame_ancestors, height; see explainer/embeds.py
    offline: bool = True  # write explainer-LANG.html (explainer/offline.py)
    search: bool = True  # index a split story with Pagefind (explainer/search.py)


@dataclass(eq=False)  # identity is what matters: no generated __eq__ to build at import
class Source:
    id: str
    title: str
    publisher: str | None
    author: str | None
    published: PartialDate | None
    url: str | None
    retrieved: PartialDate | None
    archive: str
    note: str | None
    published_inferred: dict[str, Any] | None
    where: Where
    archive_where: Where
    text: str = ""
    cited_by: list[Fact] = field(default_factory=list)


@dataclass(eq=False)  # identity is what matters: no generated __eq__ to build at import
class Citation:
    source: str
    quote: str
    where: Where


@dataclass(eq=False)  # identity is what matters: no generated __eq__ to build at import
class Figure:
    series: str
    label: str
    value: float | None = None
    low: float | None = None
    high: float | None = None
    qualifier: str | None = None


@dataclass(eq=False)  # identity is what matters: no generated __eq__ to build at import
class Fact:
    id: str
    claim: str
    attribution: str
    date: PartialDate
    date_note: str | None
    topics: list[str]
    citations: list[Citation]
    figure: Figure | None
    where: Where
    number: int = 0
    added: PartialDate | None = None  # change log: the "Recently updated" list and feed.xml
    updated: PartialDate | None = None


@dataclass(eq=False)  # identity is what matters: no generated __eq__ to build at import
class Reference:
    """A `[[fact-id]]` or a fact id in a list, kept with its position for error messages."""

    fact_id: str
    where: Where


@dataclass(eq=False)  # identity is what matters: no generated __eq__ to build at import
class Event:
    id: str
    date: PartialDate
    date_note: str | None
    title: str
    text: str
    facts: list[str]
    where: Where
    refs: list[Reference] = field(default_factory=list)  # `facts`, each with its own position
    text_where: Where | None = None
    added: PartialDate | None = None  # change log: the "Recently updated" list and feed.xml
    updated: PartialDate | None = None


@dataclass(eq=False)  # identity is what matters: no generated __eq__ to build at import
class Comparison:
    id: str
    kind: str
    title: str
    text: str
    facts: list[str]
    where: Where
    refs: list[Reference] = field(default_factory=list)
    text_where: Where | None = None


@dataclass(eq=False)  # identity is what matters: no generated __eq__ to build at import
class Term:
    id: str
    term: str
    definition: str
    facts: list[str]
    where: Where
    refs: list[Reference] = field(default_factory=list)
    text_where: Where | None = None


@dataclass(eq=False)  # identity is what matters: no generated __eq__ to build at import
class Summary:
    slug: str
    title: str
    order: int
    body: str
    where: Where
    body_line: int


@dataclass(eq=False)  # identity is what matters: no generated __eq__ to build at import
class Project:
    root: Path
    site: Site | None  # None only when site.yaml had errors; nothing renders then
    sources: list[Source]
    facts: list[Fact]
    events: list[Event]
    comparisons: list[Comparison]
    glossary: list[Term]
    summaries: list[Summary]
    references: list[Reference] = field(default_factory=list)
    # ids of items that failed validation: references to them are not reported a second time
    invalid_ids: set[str] = field(default_factory=set)

    @property
    def facts_by_id(self) -> dict[str, Fact]:
        return {f.id: f for f in self.facts}

    @property
    def sources_by_id(self) -> dict[str, Source]:
        return {s.id: s for s in self.sources}
