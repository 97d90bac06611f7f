"""Bidirectional text on the page: what an editor writes cannot reorder the text around it."""

from __future__ import annotations

import re
from typing import Any

from markupsafe import Markup

# Bidirectional text: a field holding a bidi control, or right-to-left letters and a space, is wrapped
# in FIRST STRONG ISOLATE ... POP DIRECTIONAL ISOLATE, the text form of <bdi>, so nothing in it can
# reorder what follows it on the page ("4202 tsuguA .c"). Works in every context the template puts
# a value in (text, attributes, <title>) without changing the markup; ASCII text is never touched.
_BIDI_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")
_RTL = re.compile("[\u0590-\u08ff\u200f\ufb1d-\ufdcf\ufdf0-\ufdff\ufe70-\ufefe"
                  "\U00010800-\U00010fff\U0001e800-\U0001efff]")
_ISOLATES = re.compile("[\u2066-\u2069]")
_BLOCK_HTML = ("<p>", "<ul>", "<ol>", "<blockquote>")  # a block's own boundaries already isolate it


class Prose(Markup):
    """Markup made from an editor's Markdown: isolated like text (other Markup, JSON-LD or SVG, is not)."""


def isolate(value: Any) -> Any:
    """Jinja's finalize: every value a template outputs, isolated when it could reorder its neighbours."""
    if not isinstance(value, str) or value.isascii() or (isinstance(value, Markup) and not isinstance(value, Prose)):
        return value
    if _BIDI_CONTROL.search(value) is None and (
            " " not in value or _RTL.search(value) is None or value.startswith(("http://", "https://"))):
        return value  # no control, and no right-to-left words (or an address or id, which must stay as is)
    if isinstance(value, Markup) and value.startswith(_BLOCK_HTML):
        return value
    depth = unmatched = 0  # a stray POP DIRECTIONAL ISOLATE in the value would end ours early: open one per stray
    for mark in _ISOLATES.findall(value):
        if mark != "\u2069":
            depth += 1
        elif depth:
            depth -= 1
        else:
            unmatched += 1
    return "\u2068" * (1 + unmatched) + value + "\u2069" if not isinstance(value, Markup) else Markup(
        "\u2068" * (1 + unmatched)) + value + Markup("\u2069")
