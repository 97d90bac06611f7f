"""Where each fact, timeline event and source is shown, so no page grows with the archive.

Below a threshold (``pagination`` in site.yaml) everything stays on index.html, as before. Above
it the list moves to pages of its own, named by what they hold so that their URLs stay put as
content is added:

- facts and timeline events by the year of their date (``facts-2024.html``, ``timeline-2024.html``);
  a year with more items than a page holds splits by month (``facts-2024-08.html``), and the year's
  page keeps the items dated only to the year; a month that is still too big is cut into numbered
  parts (``facts-2024-08-2.html``), and so are the year's own items (``facts-2024-part-2.html``:
  ``facts-2024-10.html`` is October's page), the only URLs that can shift;
- sources in numbered pages in file order (``sources.html``, ``sources-2.html``, ...), since a
  source has no date of its own that every source carries.

Every link to an item goes through ``Layout.fact_href`` (or ``event_href``/``source_href``), which
gives ``#id`` while the site is one page, ``facts-2024.html#id`` for an item on a list page and
``index.html#id`` for one left on the front page of a split site: the same href works from every
page, since all pages sit beside index.html. The JSON/CSV exports are
not pages and stay whole.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import repeat
from operator import attrgetter
from typing import Any, TypeVar

from .dates import MONTHS, PartialDate
from .model import Project
from .two_builds import same_at_each_place

T = TypeVar("T")

# Defaults, overridable in site.yaml under `pagination:`; chosen so each page stays within the
# reader-experience weight budget (60 KB transferred) with room to spare.
FACTS_PER_PAGE = 100
EVENTS_PER_PAGE = 100
SOURCES_PER_PAGE = 10


@dataclass(frozen=True)
class Limits:
    """How many items a page of a split list holds (site.yaml `pagination`)."""

    facts_per_page: int = FACTS_PER_PAGE
    events_per_page: int = EVENTS_PER_PAGE
    sources_per_page: int = SOURCES_PER_PAGE


@dataclass
class Page:
    """One output page of a split list."""

    name: str  # output file, e.g. "facts-2024-08.html"
    title: str  # e.g. "August 2024"
    items: list[Any]
    group: str = ""  # what the front page's list of pages groups it under, e.g. "2024"
    label: str = ""  # its short link text within that group, e.g. "Aug", "Aug 2"


@dataclass
class Section:
    """A list (facts, timeline or sources) and, when it is split, its pages."""

    kind: str  # "facts", "timeline" or "sources"
    pages: list[Page] = field(default_factory=list)
    page_of: dict[str, str] = field(default_factory=dict)  # item id -> output file
    home: str = ""  # the front page's file, once links can come from other pages

    @property
    def split(self) -> bool:
        return bool(self.pages)

    def href(self, item_id: str, anchor: str) -> str:
        """The link to an item's anchor, valid from every page of the site."""
        return f"{self.page_of.get(item_id, self.home)}#{anchor}"


@dataclass
class Layout:
    """Which lists are split into pages, and where each item is shown."""

    facts: Section
    timeline: Section
    sources: Section

    def __post_init__(self) -> None:
        if self.pages:  # a link rendered on a list page must name the front page to reach it
            for section in (self.facts, self.timeline, self.sources):
                section.home = "index.html"

    def fact_href(self, fact_id: str) -> str:
        return self.facts.href(fact_id, fact_id)

    def event_href(self, event_id: str) -> str:
        return self.timeline.href(event_id, f"event-{event_id}")

    def source_href(self, source_id: str) -> str:
        return self.sources.href(source_id, f"source-{source_id}")

    @property
    def pages(self) -> list[tuple[str, Page]]:
        """Every extra page to render, with the kind of list it holds."""
        return [(s.kind, page) for s in (self.facts, self.timeline, self.sources) for page in s.pages]


def limits(project: Project) -> Limits:
    """The site's limits, falling back to the defaults for any not given."""
    given = getattr(project.site, "pagination", None) or {}
    return Limits(**{k: v for k, v in given.items() if k in Limits.__dataclass_fields__ and v is not None})


def layout(project: Project) -> Layout:
    """Decide the page of every fact (file order), event (date order) and source (file order)."""
    lim = limits(project)
    events = sorted(project.events, key=lambda e: (e.date.sort_key, e.id))
    return Layout(
        facts=_section("facts", project.facts, _DATE, _ID, lim.facts_per_page),
        timeline=_section("timeline", events, _DATE, _ID, lim.events_per_page),
        sources=_numbered("sources", project.sources, _ID, lim.sources_per_page),
    )


class KeptLayout:
    """The preview's layout: while every fact's, event's and source's id and date are what they were
    at the last build, each page holds the items at the same places in their lists, so the pages
    are filled again from those places instead of laid out afresh (13 ms a save at 10,000 facts).
    The pages are new objects each time (they hold this build's items, and an edition may retitle
    them); dates are compared by value, so an edited fact keeps its page."""

    def __init__(self) -> None:
        # What the last layout was made from: the limits, the facts (objects: a fact renewed from its kept
        # entry has its entry's id and date), the events' ids and dates (a renewed event's derived id
        # may change: a new twin), the sources' ids (paged in file order). A source or event is not held.
        self._key: tuple | None = None
        self._facts: list[Any] = []
        self._plan: list[tuple[str, list[tuple[str, str, str, str, list[int]]], dict[str, str]]] = []

    def layout(self, project: Project) -> Layout:
        lists = (project.facts, project.events, project.sources)
        key = (limits(project), list(map(_ID, project.events)), list(map(_DATE, project.events)),
               list(map(_ID, project.sources)))
        if key != self._key or not same_at_each_place(project.facts, self._facts, "id", "date"):
            laid = layout(project)
            self._key, self._facts = key, list(project.facts)
            self._plan = [_plan(section, items) for section, items in
                          zip((laid.facts, laid.timeline, laid.sources), lists, strict=True)]
            return laid
        self._facts = list(project.facts)  # the same ids and dates at every place: the plan holds
        return Layout(*[_filled(kind, pages, page_of, items)
                        for (kind, pages, page_of), items in zip(self._plan, lists, strict=True)])


def _plan(section: Section, items: list[Any]) -> tuple[str, list[tuple[str, str, str, str, list[int]]], dict[str, str]]:
    """A section's pages as the places of their items in ``items`` (the list in file order)."""
    place = {id(item): n for n, item in enumerate(items)} if section.pages else {}
    pages = [(page.name, page.title, page.group, page.label, [place[id(item)] for item in page.items])
             for page in section.pages]
    return section.kind, pages, section.page_of


def _filled(kind: str, pages: list[tuple[str, str, str, str, list[int]]], page_of: dict[str, str],
            items: list[Any]) -> Section:
    """The section's pages filled with this build's items. ``page_of`` is the plan's own dict, never
    changed once made: the same object, build after build, tells that no item moved (search.records)."""
    get = items.__getitem__
    return Section(kind, [Page(name, title, list(map(get, places)), group, label)
                          for name, title, group, label, places in pages], page_of)


# In C, not lambdas: the preview lays out every item again on each save (10,000 facts: a call each saved).
_DATE, _ID, _YEAR, _MONTH = attrgetter("date"), attrgetter("id"), attrgetter("year"), attrgetter("month")


def _section(kind: str, items: list[T], date_of: Callable[[T], PartialDate], id_of: Callable[[T], str],
             per_page: int) -> Section:
    section = Section(kind)
    if len(items) <= per_page:
        return section
    section.pages = list(by_date(kind, items, date_of, per_page))
    section.page_of = _pages_of(section.pages, id_of)
    return section


def _pages_of(pages: list[Page], id_of: Callable[[Any], str]) -> dict[str, str]:
    """Item id → the page that shows it (a later page wins, as it always did)."""
    page_of: dict[str, str] = {}
    for page in pages:
        page_of.update(zip(map(id_of, page.items), repeat(page.name)))
    return page_of


def by_date(prefix: str, items: list[T], date_of: Callable[[T], PartialDate], per_page: int) -> Iterable[Page]:
    """Pages by year, a too-full year by month, a too-full month in numbered parts; order kept."""
    years: dict[int, list[T]] = defaultdict(list)
    for item, year in zip(items, map(_YEAR, map(date_of, items)), strict=True):
        years[year].append(item)
    for year in sorted(years):
        group = years[year]
        if len(group) <= per_page:
            yield Page(f"{prefix}-{year}.html", str(year), group, str(year), "all")
            continue
        months: dict[int, list[T]] = defaultdict(list)
        for item, month in zip(group, map(_MONTH, map(date_of, group)), strict=True):
            months[month or 0].append(item)
        if 0 in months:  # dated only to the year: they keep the year's page
            yield from _parts(f"{prefix}-{year}", f"{year} (month not known)", "month not known",
                              str(year), months.pop(0), per_page, sep="-part-")  # not -10, October's page
        for month in sorted(months):
            yield from _parts(f"{prefix}-{year}-{month:02d}", f"{MONTHS[month - 1]} {year}", MONTHS[month - 1][:3],
                              str(year), months[month], per_page)


def _parts(stem: str, title: str, label: str, group: str, items: list[T], per_page: int,
           sep: str = "-") -> Iterable[Page]:
    for n, start in enumerate(range(0, len(items), per_page), start=1):
        suffix, part, short = ("", "", "") if n == 1 else (f"{sep}{n}", f", part {n}", f" {n}")
        yield Page(f"{stem}{suffix}.html", f"{title}{part}", items[start:start + per_page], group, label + short)


def _numbered(kind: str, items: list[T], id_of: Callable[[T], str], per_page: int) -> Section:
    section = Section(kind)
    if len(items) <= per_page:
        return section
    total = -(-len(items) // per_page)
    for n, start in enumerate(range(0, len(items), per_page), start=1):
        chunk = items[start:start + per_page]
        name = f"{kind}.html" if n == 1 else f"{kind}-{n}.html"
        section.pages.append(Page(name, f"{n} of {total}", chunk, "", str(n)))
    section.page_of = _pages_of(section.pages, id_of)
    return section
