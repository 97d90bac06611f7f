"""Collect what a built page points at (href, src, CSS url()) and which ids it holds, with the stdlib."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")\s]+)\1\s*\)""")


@dataclass
class PageLinks:
    ids: set[str] = field(default_factory=set)
    links: list[str] = field(default_factory=list)  # every href and src, as written
    tags: list[tuple[str, dict[str, str]]] = field(default_factory=list)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = PageLinks()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        self.page.tags.append((tag, values))
        if "id" in values:
            self.page.ids.add(values["id"])
        for name in ("href", "src"):
            if name in values:
                self.page.links.append(values[name])


def parse_page(html: str) -> PageLinks:
    collector = _Collector()
    collector.feed(html)
    return collector.page


def css_urls(css: str) -> list[str]:
    return [m.group(2) for m in CSS_URL.finditer(css)]


def is_external(link: str) -> bool:
    return bool(re.match(r"^[a-z][a-z0-9+.-]*:", link, re.IGNORECASE))  # http:, https:, mailto:, data:
