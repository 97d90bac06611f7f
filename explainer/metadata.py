"""What search engines and other machines read about the site: the front page's JSON-LD,
sitemap.xml and robots.txt (the content's own data files are exports.py).

Deterministic like the exports: sorted keys, content order, no build time.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .attribution import chain
from .dates import PartialDate, moment_text
from .exports import note_text
from .model import Fact, Project, Source
from .paginate import Layout
from .paginate import layout as page_layout

if TYPE_CHECKING:
    from .i18n import Words


def json_ld(project: Project, base_url: str, layout: Layout | None = None, words: Words | None = None) -> str:
    """schema.org Article: sources as `citation` CreativeWorks, facts as `hasPart` Claims.

    Not ClaimReview: the explainer reports who claims what, it does not rate claims.
    The text is safe inside <script>: every "<" is escaped. Once a list is split into pages of
    its own (paginate.py), the front page no longer holds it, and its JSON-LD leaves it out too:
    otherwise the script alone would outgrow the page (facts.json has them all). ``words``: the
    edition's language (i18n.py), for the few words written here; None, English.
    """
    site = project.site
    layout = layout or page_layout(project)
    sources = project.sources_by_id
    works = []
    for s in [] if layout.sources.split else project.sources:
        href = base_url + layout.source_href(s.id)
        work: dict[str, Any] = {"@type": "CreativeWork", "@id": href, "name": s.title}
        if s.url:
            work["url"] = s.url
        if s.publisher:
            work["publisher"] = {"@type": "Organization", "name": s.publisher}
        if s.author:
            work["author"] = {"@type": "Person", "name": s.author}
        if s.published and s.published.__class__ is PartialDate:  # schema.org Date: one date, no span
            work["datePublished"] = s.published.iso
        works.append(work)
    claims = [claim_json(f, base_url, layout, sources, words) for f in ([] if layout.facts.split else project.facts)]
    article: dict[str, Any] = {
        "@context": "https://schema.org", "@type": "Article", "@id": base_url, "url": base_url,
        "mainEntityOfPage": base_url, "headline": site.title, "description": site.description,
        "inLanguage": site.language, "dateModified": site.updated.iso, "citation": works, "hasPart": claims,
    }
    if site.publisher:
        article["publisher"] = {"@type": "Organization", "name": site.publisher}
    text = json.dumps(article, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def claim_json(f: Fact, base_url: str, layout: Layout, sources: dict[str, Source],
               words: Words | None = None) -> dict[str, Any]:
    """A fact as a schema.org Claim: what it is about as `temporalCoverage` (an ISO 8601 interval
    for a span, the earliest to the latest day for one of a set), when it was said as `dateCreated`
    (only when the fact gives one date), and "as of" in its text, which is never shown without it."""
    date = f.date
    claim: dict[str, Any] = {
        "@type": "Claim", "@id": base_url + layout.fact_href(f.id), "url": base_url + layout.fact_href(f.id),
        "text": f.claim if f.as_of is None else f"{f.claim} (as of {moment_text(f.as_of)})",
        "creditText": chain(f, sources),
        "temporalCoverage": date.iso or f"{date.earliest}/{date.latest}",
        "appearance": [{"@id": base_url + layout.source_href(sid)}
                       for sid in dict.fromkeys(c.source for c in f.citations)],
    }
    if f.said is not None and f.said.__class__ is PartialDate:
        claim["dateCreated"] = f.said.iso
    note = note_text(f.full_date_note, base_url)
    if note:  # how the date was worked out, in full: a claim travels without the source's note
        worked_out = words.gettext("How the date was worked out: %(note)s") if words else None
        claim["description"] = (worked_out or "How the date was worked out: %(note)s") % {"note": note}
    return claim


def xml_escape(text: str) -> str:
    """&, < and > as entities (xml.sax.saxutils does the same, but imports urllib and http: 15 ms)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def sitemap(base_url: str, updated: PartialDate, pages: list[str] | None = None) -> bytes:
    """The front page, then the pages of any split list (paginate.py), in the layout's order."""
    urls = "".join(f"<url><loc>{xml_escape(base_url + page)}</loc><lastmod>{updated.iso}</lastmod></url>\n"
                   for page in ["", *(pages or [])])
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{urls}"
        "</urlset>\n"
    ).encode()


def robots(base_url: str) -> bytes:
    return f"User-agent: *\nAllow: /\nSitemap: {base_url}sitemap.xml\n".encode()
