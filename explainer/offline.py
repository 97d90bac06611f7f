"""The offline edition: the whole explainer in one file (`explainer-LANG.html`) that needs nothing else.

Readers on metered or broken connections save it once and pass it on in a messaging app. It holds
every summary, chart, comparison, event, fact with its quotes, glossary entry and source, even when
the site splits its lists into pages; its only CSS is inline (screen and print), it has no script,
image, font or icon to fetch, and its Content-Security-Policy forbids fetching anything at all.
Links between its parts are fragment links (`#fact-id`); links to the site's other files (the data
downloads, the feed) become absolute addresses on the published site, so they work from disk too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from markupsafe import Markup

from .assets import LINK, OTHER_SITE
from .paginate import Layout, Section

_LINK = LINK  # href and src attributes' values (assets.py); tests/test_link_rewrite.py swaps it
PRINT_STYLESHEET = "print.css"


def file_name(language: str) -> str:
    return f"explainer-{language}.html"


def csp(style_hashes: list[str]) -> str:
    """Nothing may be fetched: no script, no image beyond the empty inline icon, no connection."""
    return ("default-src 'none'; style-src " + " ".join(style_hashes) + "; img-src data:; "
            "base-uri 'none'; form-action 'none'")


def whole_layout() -> Layout:
    """A layout with nothing split: every list is in the one file."""
    return Layout(Section("facts"), Section("timeline"), Section("sources"))


def self_contained(html: str, site_pages: set[str], base_url: str) -> str:
    """Links to any page of the site become fragment links; other relative links, absolute ones."""
    def fix(match: re.Match[str]) -> str:
        link = match.group(2)
        if OTHER_SITE.match(link) or link.startswith("#") or not link:
            return match.group(0)
        path, hash_, fragment = link.partition("#")
        if path in site_pages and hash_:
            return match.group(1) + "#" + fragment + match.group(3)
        return match.group(1) + base_url + link + match.group(3)

    return _LINK.sub(fix, html)


def human_size(size: int) -> str:
    """Bytes as a reader would say them: 512 bytes, 190 KB, 2.4 MB."""
    if size < 1000:
        return f"{size} bytes"
    if size < 1_000_000:
        return f"{round(size / 1000)} KB"
    return f"{size / 1_000_000:.1f} MB"


def render(context: dict[str, Any], site_pages: set[str], print_css: str, hashes: Callable[[str], str],
           render_page: Callable[[str, dict[str, Any]], str]) -> tuple[str, bytes]:
    """(file name, bytes) of the offline edition; `hashes(css)` gives a CSP hash source."""
    css = str(context["css"])
    # While nothing is split the site's own layout is a whole one, and the same object lets the offline
    # file take the front page's main block as rendered (shared_blocks.py).
    layout = context["layout"] if not context["layout"].pages else whole_layout()
    extra = {"layout": layout, "print_css": Markup(print_css), "offline": None, "embeds_page": None,
             "links_absolute": True,  # the language switch: the file is read anywhere
             "search_page": None, "csp": csp([hashes(css), hashes(print_css)])}
    html = render_page("offline.html", extra)
    site = context["site"]
    return file_name(site.language), self_contained(html, site_pages, context["base_url"]).encode("utf-8")


def report(pages: dict[str, bytes], language: str, folder: str = "") -> str | None:
    """The line the build prints about the offline edition, if it wrote one (``folder``: an edition's, e.g. `uk/`)."""
    name = folder + file_name(language)
    if name not in pages:
        return None
    return f"offline edition: {name}, {human_size(len(pages[name]))} ({len(pages[name])} bytes)"


def wanted(site: Any, layout: Any) -> bool:
    """`offline: true` or `false` as written; unset, only for a story whose facts are not split into
    pages: at 10,000 facts the one file is 12 MB (2.4 MB gzip) and doubles the build's memory."""
    return site.offline if site.offline is not None else not layout.facts.split
