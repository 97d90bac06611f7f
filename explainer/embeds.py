"""Embeds: the timeline and each comparison as pages a newsroom can put in an iframe (`embed/`).

An embed is the same content without the site's chrome. It is rendered like a page at the site's
root and then moved into `embed/`: every relative link gains `../` and an in-page link (`#fact`)
points at the front page, so links lead out to the full explainer (the template opens them in
the top window). `assets/embed.js` posts the page's height to the parent window in pym.js's
message format (`pymxPYMx<id>xPYMxheightxPYMx<px>`), so a newsroom's pym.js parent, or the four
lines of script on `embed.html`, resize the iframe; without JavaScript the iframe keeps the fixed
height of the embed code and the page scrolls inside it.

Who may frame the embeds is `embed.frame_ancestors` in site.yaml. A `<meta>` CSP cannot carry
frame-ancestors, so the build writes it into `_headers` (read by Netlify and Cloudflare Pages);
docs/reader-page.md gives the nginx line for other hosts. Other pages' framing is left as it was.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from .assets import LINK, OTHER_SITE

FOLDER = "embed"
CODES_PAGE = "embed.html"  # the page listing each embed with its code
HEADERS_FILE = "_headers"
DEFAULT_FRAME_ANCESTORS = "*"
DEFAULT_HEIGHT = 600
_LINK = LINK  # href and src attributes' values (assets.py); tests/test_link_rewrite.py swaps it


@dataclass(frozen=True)
class Embed:
    """One embeddable view: its file, the id its iframe gets and a title for the iframe."""

    name: str  # e.g. "embed/timeline.html"
    frame_id: str  # e.g. "explainer-timeline": the iframe's id in the embed code
    title: str
    template: str
    extra: dict[str, Any]


def settings(site: Any) -> dict[str, Any]:
    """site.yaml's `embed:` with the defaults filled in."""
    given = getattr(site, "embed", None) or {}
    return {"frame_ancestors": given.get("frame_ancestors") or DEFAULT_FRAME_ANCESTORS,
            "height": given.get("height") or DEFAULT_HEIGHT}


def embeds(context: dict[str, Any]) -> list[Embed]:
    """The timeline (its latest page's worth of events, once the timeline is split) and each comparison."""
    layout = context["layout"]
    events = context["events"]
    shown = events
    if layout.timeline.split:
        shown = events[-max(len(page.items) for page in layout.timeline.pages):]
    gettext = context.get("gettext_plain", str)  # the edition's catalog (i18n.py)
    out = [Embed(f"{FOLDER}/timeline.html", "explainer-timeline", gettext("Timeline"), "embed_timeline.html",
                 {"events": shown, "total_events": len(events)})]
    for comparison, text, facts in context["comparisons"]:
        out.append(Embed(f"{FOLDER}/comparison-{comparison.id}.html", f"explainer-comparison-{comparison.id}",
                         comparison.title, "embed_comparison.html",
                         {"comparison": comparison, "text": text, "facts": facts}))
    return out


def relocate(html: str, prefix: str = "../", home: str = "index.html") -> str:
    """Links written for a page at the site's root, made right for a page one folder down.

    `#x` means an item on the front page (or wherever its href filter put it), never the embed itself.
    """
    def fix(match: re.Match[str]) -> str:
        link = match.group(2)
        if OTHER_SITE.match(link):
            return match.group(0)
        target = prefix + home + link if link.startswith("#") else prefix + link
        return match.group(1) + target + match.group(3)

    return _LINK.sub(fix, html)


def headers_file(frame_ancestors: str) -> bytes:
    """Netlify / Cloudflare Pages `_headers`: who may frame the embeds (a <meta> CSP cannot say it)."""
    return (f"/{FOLDER}/*\n"
            f"  Content-Security-Policy: frame-ancestors {frame_ancestors}\n").encode()


def snippet(url: str, embed: Embed, height: int) -> str:
    """The embed code: an iframe at a fixed height and a few lines that follow its height messages."""
    return (f'<iframe id="{embed.frame_id}" src="{url}" title="{_attr(embed.title)}"\n'
            f'        width="100%" height="{height}" style="border:0;width:100%" loading="lazy"></iframe>\n'
            "<script>\n"
            'window.addEventListener("message", function (e) {\n'
            f'  var frame = document.getElementById("{embed.frame_id}");\n'
            '  var m = typeof e.data === "string" && /^pymxPYMx.*xPYMxheightxPYMx(\\d+)$/.exec(e.data);\n'
            '  if (frame && m && e.source === frame.contentWindow) frame.style.height = m[1] + "px";\n'
            "});\n"
            "</script>\n")


def _attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def render(context: dict[str, Any], render_page: Callable[[str, dict[str, Any]], str],
           kept: Callable[[Embed, Callable[[], bytes]], Any] | None = None) -> dict[str, Any]:
    """Every embed page, the page of embed codes and `_headers`; `render_page(template, extra)` → str.

    ``kept(embed, render)``, the preview's (incremental.RenderMemo.embed_page), gives an embed's page
    kept from the last build where what it shows is the same, else calls ``render()``.
    """
    site = context["site"]
    conf = settings(site)
    base_url = context["base_url"]
    items = embeds(context)
    pages: dict[str, Any] = {}
    for embed in items:
        def page(embed: Embed = embed) -> bytes:
            html = render_page(embed.template, {**embed.extra, "embed": embed, "page_path": embed.name})
            return relocate(html).encode("utf-8")

        pages[embed.name] = page() if kept is None else kept(embed, page)
    codes = [(embed, Markup.escape(snippet(base_url + embed.name, embed, conf["height"]))) for embed in items]
    pages[CODES_PAGE] = render_page("embed_codes.html", {"embed_codes": codes, "embed_height": conf["height"],
                                                         "page_path": CODES_PAGE}).encode("utf-8")
    pages[HEADERS_FILE] = headers_file(conf["frame_ancestors"])
    return pages
