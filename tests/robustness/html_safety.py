"""Checks that a built page carries nothing executable from the content, using the stdlib HTML parser.

Shared by the corpus, the property-based tests and the browser test. The checks are a deny-list
of what content must never produce (elements, attributes, URL schemes), so the templates stay free
to use their own stylesheet, local scripts and charts.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from html.parser import HTMLParser

# Elements no content may produce (the templates do not use them either).
FORBIDDEN_TAGS = frozenset({
    "iframe", "frame", "frameset", "object", "embed", "applet", "base", "form", "input", "button",
    "textarea", "select", "img", "video", "audio", "source", "track", "image", "portal", "template",
    "foreignobject", "animate", "set", "use", "noscript", "marquee", "math",
})
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "data", "cite", "poster", "srcset"})
_BAD_SCHEME = re.compile(r"^\s*(?:javascript|data|vbscript|file)\s*:", re.I)
# Code points the HTML spec makes parse errors: controls other than whitespace, surrogates, noncharacters.
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})
# SVG elements that may be self-closed in the templates' charts.
SELF_CLOSING_OK = frozenset({"path", "rect", "line", "circle", "polyline", "polygon", "stop", "ellipse"})


@dataclass
class Element:
    tag: str
    attrs: list[tuple[str, str | None]]
    text: str = ""


class Page(HTMLParser):
    """Every element with its attributes, the text, and structural mistakes (mismatched end tags)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.chunks: list[str] = []
        self.mistakes: list[str] = []
        self.stack: list[Element] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, attrs)
        self.elements.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append(Element(tag, attrs))
        if tag not in VOID and tag not in SELF_CLOSING_OK:
            self.mistakes.append(f"<{tag}/> is not a void element")

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1].tag != tag:
            open_tags = [e.tag for e in self.stack[-4:]]
            self.mistakes.append(f"</{tag}> closes nothing open (innermost open: {open_tags})")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)
        if self.stack:
            self.stack[-1].text += data

    @property
    def text(self) -> str:
        return "".join(self.chunks)


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    if page.stack:
        page.mistakes.append(f"unclosed elements at the end: {[e.tag for e in page.stack]}")
    return page


def problems(html: str, markers: tuple[str, ...] = ()) -> list[str]:
    """Everything executable or malformed in the page; empty when the page is inert.

    ``markers`` are strings only a payload contains: they must never appear inside a script or
    style element. (Inside other attributes, such as a citation's title, escaped text is inert.)
    """
    page = parse(html)
    found = list(page.mistakes)
    bad = _CONTROL.search(html)
    if bad:
        found.append(f"control character U+{ord(bad.group()):04X} at offset {bad.start()} (a parse error in HTML)")
    for el in page.elements:
        if el.tag in FORBIDDEN_TAGS:
            found.append(f"forbidden element <{el.tag}> {el.attrs}")
        if el.tag == "script" and dict(el.attrs).get("type") == "application/ld+json":
            found += _json_ld_problems(el.text)
            continue  # data, not script: the browser never runs it; what matters is it cannot break out
        if el.tag == "script" and (el.text.strip() or not _local(dict(el.attrs).get("src"))):
            found.append(f"inline or foreign script {el.attrs} {el.text[:80]!r}")
        if el.tag == "meta" and (dict(el.attrs).get("http-equiv") or "").lower() == "refresh":
            found.append("meta refresh")
        for name, value in el.attrs:
            if name.startswith("on"):
                found.append(f"event handler {name}={value!r} on <{el.tag}>")
            if name in URL_ATTRIBUTES and value and _BAD_SCHEME.match(value):
                found.append(f"dangerous URL {name}={value!r} on <{el.tag}>")
            if name == "style" and re.search(r"url\(|expression\(|script:", value or "", re.I):
                found.append(f"dangerous style attribute on <{el.tag}>: {value!r}")
        if el.tag in ("script", "style") and any(m in el.text for m in markers):
            found.append(f"payload inside <{el.tag}>")
    return found


def _json_ld_problems(text: str) -> list[str]:
    """JSON-LD is inert data if it is valid JSON with no raw '<' that could close the element."""
    found = []
    if "<" in text:
        found.append("raw '<' inside JSON-LD (could close the <script> element)")
    try:
        json.loads(text)
    except ValueError as exc:
        found.append(f"JSON-LD is not valid JSON: {exc}")
    return found


def _local(src: str | None) -> bool:
    return bool(src) and not re.match(r"^\s*(?:[a-z][a-z0-9+.-]*:|//)", src, re.I)
