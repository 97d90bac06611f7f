"""What changed: the "Recently updated" list and the Atom feed (feed.xml, RFC 4287).

Facts and timeline events carry `added` and optional `updated` days. Returning readers and
newsletters follow the story through these; the feed is built from those dates only (never the
clock), so the same content gives byte-identical output.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

from .attribution import chain
from .dates import PartialDate, moment_text
from .model import Event, Fact, Project, Source
from .paginate import Layout
from .paginate import layout as page_layout

ATOM = "http://www.w3.org/2005/Atom"
FEED_ENTRIES = 50  # a feed is a window on recent changes, not an archive
RECENT_ITEMS = 5  # on the page: short, so the summary still comes first
_CITES = re.compile(r"\s*\[\[[^\[\]\n]*\]\]")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")


@dataclass(frozen=True)
class Change:
    """A fact or event that was added or updated on a given day."""

    kind: str  # "fact" or "event"
    id: str  # the fact's or event's id
    anchor: str  # the element id on the page
    title: str
    text: str  # plain text, for the feed's summary
    added: PartialDate | None
    updated: PartialDate | None
    # Who makes a fact's claim ("According to the SBU, as reported by …"): a claim listed alone, in
    # "Recently updated" or a feed reader, is still attributed, never said in the site's own voice.
    credit: str = ""

    @property
    def headline(self) -> str:
        """The title with its credit: "According to …: the claim" for a fact, the title for an event."""
        return f"{self.credit}: {self.title}" if self.credit else self.title

    @property
    def day(self) -> PartialDate:
        return max(d for d in (self.added, self.updated) if d is not None)

    def href(self, layout: Layout) -> str:
        """The link to the item, on whichever page shows it (paginate.py)."""
        return layout.fact_href(self.id) if self.kind == "fact" else layout.event_href(self.id)

    @property
    def status(self) -> str:
        """"updated" when the latest date is a later update, else "new"."""
        return "updated" if self.updated is not None and (self.added is None or self.updated > self.added) else "new"


def changes(project: Project, words: Any = None) -> list[Change]:
    """Every dated change, newest first (ties in a stable order: facts, then by id).

    ``words`` (i18n.Words) writes an edition's dates in its language; None: English.
    """
    sources = project.sources_by_id
    items = [_fact_change(f, sources, words) for f in project.facts if f.added or f.updated]
    items += [_event_change(e, words) for e in project.events if e.added or e.updated]
    return sorted(items, key=lambda c: (_neg(c.day), c.kind != "fact", c.anchor))


def _neg(day: PartialDate) -> tuple[int, int, int]:
    y, m, d = day.sort_key
    return (-y, -m, -d)


def _fact_change(fact: Fact, sources: dict[str, Source], words: Any = None) -> Change:
    if words is not None and fact.as_of is not None:
        claim = f"{fact.claim} ({words.as_of_text(fact)})"
    else:
        claim = fact.claim if fact.as_of is None else f"{fact.claim} (as of {moment_text(fact.as_of)})"
    credit = chain(fact, sources)
    return Change("fact", fact.id, fact.id, claim, f"{credit}: {claim}", fact.added, fact.updated, credit)


def _event_change(event: Event, words: Any = None) -> Change:
    when = words.text(event.date) if words is not None else event.date.human()
    return Change("event", event.id, f"event-{event.id}", event.title, f"{when}: {plain(event.text)}",
                  event.added, event.updated)


def plain(markdown: str) -> str:
    """Inline Markdown as plain text: citations dropped, links and emphasis reduced to their words."""
    text = _CITES.sub("", markdown)
    text = _LINK.sub(r"\1", text)
    return _EMPHASIS.sub(r"\2", text).strip()


def timestamp(day: PartialDate) -> str:
    """RFC 3339 date-time for a day: midnight UTC, the only time a day-dated change has."""
    return f"{day.year:04d}-{day.month or 1:02d}-{day.day or 1:02d}T00:00:00Z"


def feed_xml(project: Project, base_url: str, layout: Layout | None = None, words: Any = None,
             dated: list[Change] | None = None) -> bytes:
    """The Atom feed of changes; links are absolute, from base_url, as feed readers need.

    ``words`` (i18n.Words): an edition's feed, in its language (editions.py); None: English.
    ``dated``: ``changes(project, words)``, when the build has them already (for the page's
    "Recently updated" list: a pass over every fact, 2 ms at 10,000 facts, made once).
    """
    site = project.site
    layout = layout or page_layout(project)
    items = (changes(project, words) if dated is None else dated)[:FEED_ENTRIES]
    days = [c.day for c in items] + ([site.updated] if site.updated.precision == "day" else [])
    feed_updated = max(days, key=lambda d: d.sort_key) if days else site.updated

    ET.register_namespace("", ATOM)
    feed = ET.Element(_q("feed"), {"{http://www.w3.org/XML/1998/namespace}lang": site.language})
    _text(feed, "id", base_url)
    _text(feed, "title", site.title)
    _text(feed, "subtitle", site.description)
    _text(feed, "updated", timestamp(feed_updated))
    author = ET.SubElement(feed, _q("author"))
    _text(author, "name", site.publisher or site.title)
    _text(author, "uri", base_url)
    ET.SubElement(feed, _q("link"), {"rel": "self", "type": "application/atom+xml", "href": base_url + "feed.xml"})
    ET.SubElement(feed, _q("link"), {"rel": "alternate", "type": "text/html", "href": base_url})
    for change in items:
        _entry(feed, change, base_url + change.href(layout), words.gettext if words is not None else str)
    ET.indent(feed)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"


def _entry(feed: ET.Element, change: Change, url: str, gettext: Any = str) -> None:
    entry = ET.SubElement(feed, _q("entry"))
    label = {("fact", "new"): gettext("New fact"), ("fact", "updated"): gettext("Updated fact"),
             ("event", "new"): gettext("New on the timeline"), ("event", "updated"): gettext("Updated on the timeline")}
    _text(entry, "id", url)
    _text(entry, "title", f"{label[change.kind, change.status]}: {change.headline}")
    _text(entry, "updated", timestamp(change.day))
    if change.added is not None:
        _text(entry, "published", timestamp(change.added))
    ET.SubElement(entry, _q("link"), {"rel": "alternate", "type": "text/html", "href": url})
    _text(entry, "summary", change.text)


def _q(tag: str) -> str:
    return f"{{{ATOM}}}{tag}"


def _text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, _q(tag))
    element.text = text
    return element
