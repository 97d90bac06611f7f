"""The validated content, as plain dataclasses the later stages can trust."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

from .dates import PartialDate

if TYPE_CHECKING:  # uncertain.py is imported only when content holds an uncertain date
    from .uncertain import DateSet, DateSpan

Date = Union[PartialDate, "DateSpan", "DateSet"]  # any date a content field accepts (see dates.parse_edtf)


@dataclass(frozen=True, slots=True)
class Where:
    """Where an item was written, so later stages can still point editors at it. With slots: the
    preview holds one for every fact, quote and source it keeps (150,000 at 50,000 facts; 56 bytes
    each with slots, about 140 without)."""

    path: Path
    line: int
    column: int


class Spot:
    """Where an item's fields are, worked out only when an error needs one.

    Finding the position of a field the loader did not keep means parsing the YAML again, so
    the provenance checks hold this instead of a `Where` for every field of every item. A plain
    class with slots: one is made per fact and source, and a frozen dataclass is slower to make.
    """

    __slots__ = ("doc", "keypath")

    def __init__(self, doc: Any, keypath: tuple):
        self.doc = doc  # the yamlsafe.Doc the item came from
        self.keypath = keypath

    def field(self, *keys: Any) -> Where:
        line, column = self.doc.mark(self.keypath + keys)
        return Where(self.doc.path, line, column)

    # A Spot also stands where a Where of its own value is read (a fact id in a list, a text field):
    # worked out only when an error names it, so a clean build never parses a file again for it.
    @property
    def path(self) -> Path:
        return self.doc.path

    @property
    def line(self) -> int:
        return self.doc.mark(self.keypath)[0]

    @property
    def column(self) -> int:
        return self.doc.mark(self.keypath)[1]


def field_at(item: Any, *keys: Any) -> Where | Spot:
    """Where a field of an entry (a fact, a source) is written, worked out only when a problem reads
    it; the entry's own start when its positions are not kept (``spot`` None)."""
    return Spot(item.spot.doc, item.spot.keypath + keys) if item.spot is not None else item.where


@dataclass(eq=False)  # identity is what matters: no generated __eq__ to build at import
class Topic:
    """A topic readers can filter facts by (site.yaml `topics`)."""

    id: str
    label: str
    translations: dict[str, dict[str, Any]] | None = None  # language → translated fields (translations.py)


@dataclass(eq=False)  # identity is what matters: no generated __eq__ to build at import
class Chart:
    """A chart of one figure series across facts (site.yaml `charts`)."""

    series: str
    title: str
    description: str
    translations: dict[str, dict[str, Any]] | None = None  # language → translated fields (translations.py)


@dataclass(eq=False)  # identity is what matters: no generated __eq__ to build at import
class Site:
    """site.yaml: the story's title, languages, address and settings."""

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
    offline: bool | None = None  # write explainer-LANG.html (offline.py); None: only when the facts are not split
    search: bool = True  # index a split story with Pagefind (explainer/search.py)
    languages: list[str] = field(default_factory=list)  # the editions, original first (editions.py)
    translations: dict[str, dict[str, Any]] | None = None  # language → translated fields (translations.py)


@dataclass(eq=False)  # identity is what matters: no generated __eq__ to build at import
class Source:
    """A cited source, with the archived text its quotes are checked against."""

    id: str
    title: str
    publisher: str | None
    author: str | None
    published: Date | None
    url: str | None
    retrieved: Date | None
    archive: str
    note: str | None
    published_inferred: dict[str, Any] | None
    where: Where
    archive_where: Where
    text: str = ""
    normal: str = ""  # the text normalised, as the quotes were looked for in it (verify.py): shared, not copied
    cited_by: list[Fact] = field(default_factory=list)
    # Provenance v2, the chain side: how readers are told of it, the archive's hash, the context shown.
    label: str = ""
    sha256: str | None = None
    context: str = "sentence"  # sentence | paragraph | none: how much archived text a quote shows
    spot: Spot | None = None
    facts_date_note: str | None = None  # said once here; facts citing the source first inherit it (notes.py)
    language: str | None = None  # the language of its text and quotes; None: the site's
    translations: dict[str, dict[str, Any]] | None = None  # language → translated fields (translations.py)


@dataclass(eq=False)  # identity is what matters: no generated __eq__ to build at import
class Citation:
    """One quote from a source backing a fact, and where the quote check found it."""

    source: str
    quote: str
    where: Where
    offset: int = -1  # where verify found the quote in the source's normalised text (-1: not found there)
    length: int = 0  # and the length of the quote normalised, which it found there
    translated_by_source: bool = False  # the source's own translation of words said in another language
    translations: dict[str, dict[str, Any]] | None = None  # language → translated fields (translations.py)


@dataclass(eq=False)  # identity is what matters: no generated __eq__ to build at import
class Figure:
    """A number a fact reports, for the charts."""

    series: str
    label: str
    value: float | None = None
    low: float | None = None
    high: float | None = None
    qualifier: str | None = None


@dataclass(eq=False)  # identity is what matters: no generated __eq__ to build at import
class Derived:
    """A number in a claim that no quote contains, with the editor's one-line reason."""

    number: float
    reason: str
    index: int  # its place in `derived:`, to point at it


class InheritsDateNote:
    """A fact or an event, whose date note may be the one its source says once (`facts_date_note`,
    notes.py): the page links to it there, the exports carry it in full."""

    date_note: str | None
    date_note_source: Source | None

    @property
    def full_date_note(self) -> str | None:
        """The date note in full: its own, or the one its source says once."""
        if self.date_note is not None or self.date_note_source is None:
            return self.date_note
        return self.date_note_source.facts_date_note


@dataclass(eq=False)  # identity is what matters: no generated __eq__ to build at import
class Fact(InheritsDateNote):
    """A claim with its attribution, dates and the quotes that back it."""

    id: str
    claim: str
    attribution: str  # who makes the claim, never through whom: attribution.py writes the chain
    date: Date
    date_note: str | None
    topics: list[str]
    citations: list[Citation]
    figure: Figure | None
    where: Where
    number: int = 0
    added: PartialDate | None = None  # change log: the "Recently updated" list and feed.xml
    updated: PartialDate | None = None
    said: Date | None = None  # when the claim was made, as the editor gives it
    as_of: Date | None = None  # up to when the claim is known to hold
    published: Date | None = None  # the first cited source's date (or inferred range): `said` by default
    derived: tuple[Derived, ...] = ()  # numbers.py: numbers no quote holds (a tuple: `()` is shared, costs nothing)
    spot: Spot | None = None
    translations: dict[str, dict[str, Any]] | None = None  # language → translated fields (translations.py)
    # The source whose `facts_date_note` this fact inherits (notes.py): set only when it has no date_note.
    date_note_source: Source | None = None

    @property
    def when_said(self) -> Date | None:
        """When the claim was made: its own `said`, else when its source was published."""
        return self.said or self.published

    @property
    def said_differs(self) -> bool:
        """Whether the page shows when it was said beside the date: only when the two differ."""
        said = self.when_said
        return said is not None and said != self.date  # frozen dataclasses: equal when their parts are


@dataclass(eq=False)  # identity is what matters: no generated __eq__ to build at import
class Reference:
    """A `[[fact-id]]` or a fact id in a list, kept with its position for error messages."""

    fact_id: str
    where: Where | Spot  # a Spot for a fact id listed in YAML: its position is worked out on an error only


@dataclass(eq=False)  # identity is what matters: no generated __eq__ to build at import
class Event(InheritsDateNote):
    """A dated entry of the timeline, pointing at the facts behind it."""

    id: str
    date: Date
    date_note: str | None
    title: str
    text: str
    facts: list[str]
    where: Where
    refs: list[Reference] = field(default_factory=list)  # `facts`, each with its own position
    text_where: Where | Spot | None = None
    added: PartialDate | None = None  # change log: the "Recently updated" list and feed.xml
    updated: PartialDate | None = None
    translations: dict[str, dict[str, Any]] | None = None  # language → translated fields (translations.py)
    # The source whose `facts_date_note` every fact of this event inherits (notes.py), when it has no date_note.
    date_note_source: Source | None = None


@dataclass(eq=False)  # identity is what matters: no generated __eq__ to build at import
class Comparison:
    """Two or more facts set side by side (e.g. figures that disagree)."""

    id: str
    kind: str
    title: str
    text: str
    facts: list[str]
    where: Where
    refs: list[Reference] = field(default_factory=list)
    text_where: Where | Spot | None = None
    translations: dict[str, dict[str, Any]] | None = None  # language → translated fields (translations.py)


@dataclass(eq=False)  # identity is what matters: no generated __eq__ to build at import
class Term:
    """A glossary entry."""

    id: str
    term: str
    definition: str
    facts: list[str]
    where: Where
    refs: list[Reference] = field(default_factory=list)
    text_where: Where | Spot | None = None
    translations: dict[str, dict[str, Any]] | None = None  # language → translated fields (translations.py)


@dataclass(eq=False)  # identity is what matters: no generated __eq__ to build at import
class Summary:
    """A section of the story's summary, whose sentences cite facts."""

    slug: str
    title: str
    order: int
    body: str
    where: Where
    body_line: int
    file_name: str = ""  # e.g. "01-what-happened.md": a translation in summaries/LANG/ has the same name


@dataclass(eq=False)  # identity is what matters: no generated __eq__ to build at import
class Project:
    """The whole validated project: what the render stage needs."""

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
    # each other edition's summaries (content/summaries/LANG/*.md), by language (translations.py)
    translated_summaries: dict[str, list[Summary]] = field(default_factory=dict)

    @cached_property
    def facts_by_id(self) -> dict[str, Fact]:
        """Made once per build (verify and render each look facts up; 2 ms at 10,000 facts): the
        facts list is not changed once the project is made."""
        return {f.id: f for f in self.facts}

    @property
    def sources_by_id(self) -> dict[str, Source]:
        return {s.id: s for s in self.sources}
