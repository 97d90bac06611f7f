"""Quotes with words left out, and quotes shown in their context in the archived text.

A quote may leave words out with `…` or `[…]` (also `[...]`). Each fragment between them must be
in the source, in the order quoted, within one paragraph: a paragraph is one line of the archived
text (blank lines are ignored), which is how `build.py archive` writes texts and how the shipped
seeds are laid out. The page shows the quote as written, ellipsis included.

`context_html` finds a quote's words in the archived text (forgiving the same typography as the
quote check) and returns the sentence(s) around them, or the paragraph, with the quoted words in
`<mark>`; a source's `context:` (sentence | paragraph | none) limits how much is republished.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from markupsafe import Markup, escape

ELLIPSIS = re.compile(r"\[\s*(?:…|\.\.\.)\s*\]|…")
# Sentence ends: . ! or ? (with closing quotes or brackets) before a space and a capital or a quote
# ("Aug. 6" is not an end; "U.S. Army" is mistaken for one, which only shows a shorter context).
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z])")
# What normalise() folds, as classes, so a quote is found in the text exactly where the check found it.
_LOOSE = {
    " ": r"\s+",
    "'": "['\u2018\u2019\u201a\u201b\u2032]",
    '"': '["\u201c\u201d\u201e\u201f\u2033]',
    "-": "[-\u2010\u2011\u2012\u2013\u2014\u2015\u2212]",
}


def is_elided(quote: str) -> bool:
    return ELLIPSIS.search(quote) is not None


def fragments(quote: str) -> list[str]:
    """The words between the ellipses, without empty ones (a quote may start or end with '…')."""
    return [part.strip() for part in ELLIPSIS.split(quote) if part.strip()]


def paragraphs(text: str) -> list[str]:
    """The archived text's paragraphs: its non-blank lines."""
    return [line for line in text.split("\n") if line.strip()]


def in_order(paragraph: str, parts: list[str]) -> list[int] | None:
    """Where each part starts in the paragraph, each after the one before; None if they are not so."""
    starts, pos = [], 0
    for part in parts:
        found = paragraph.find(part, pos)
        if found < 0:
            return None
        starts.append(found)
        pos = found + len(part)
    return starts


def find_paragraph(normal_paragraphs: list[str], parts: list[str]) -> int | None:
    """The first paragraph (normalised) that holds the (normalised) parts in order."""
    for i, paragraph in enumerate(normal_paragraphs):
        if in_order(paragraph, parts) is not None:
            return i
    return None


def _pattern(part: str) -> re.Pattern[str]:
    return re.compile("".join(_LOOSE.get(c) or re.escape(c) for c in part))


class Archive:
    """One source's archived text, split and normalised once, for the quotes shown in context."""

    def __init__(self, text: str, normalise: Callable[[str], str]):
        self.normalise = normalise
        self.paragraphs = paragraphs(text)
        self.normal = [normalise(p) for p in self.paragraphs]

    def spans(self, quote: str) -> tuple[int, list[tuple[int, int]]] | None:
        """The paragraph holding the quote and where each of its fragments is in that paragraph."""
        normal_parts = [self.normalise(p) for p in fragments(quote)]
        index = find_paragraph(self.normal, normal_parts)
        if index is None:
            return None  # a quote across paragraphs (allowed without '…') is shown without context
        paragraph, spans, pos = self.paragraphs[index], [], 0
        for normal in normal_parts:
            if paragraph == self.normal[index]:  # nothing to fold: plain search
                start = paragraph.find(normal, pos)
                end = start + len(normal)
            else:
                m = _pattern(normal).search(paragraph, pos)
                if m is None:  # pragma: no cover - normalise() folds only what _LOOSE matches
                    return None
                start, end = m.span()
            spans.append((start, end))
            pos = end
        return index, spans

    def context_html(self, quote: str, mode: str) -> Markup | None:
        """The sentence(s) (or paragraph) around the quote, its words in <mark>; None to show none."""
        if mode == "none":
            return None
        found = self.spans(quote)
        if found is None:
            return None
        index, spans = found
        paragraph = self.paragraphs[index]
        start, end = 0, len(paragraph)
        if mode == "sentence":
            start, end = _sentences_around(paragraph, spans[0][0], spans[-1][1])
        out, pos = [], start
        for a, b in spans:
            out.append(escape(paragraph[pos:a]))
            out.append(Markup("<mark>") + escape(paragraph[a:b]) + Markup("</mark>"))
            pos = b
        out.append(escape(paragraph[pos:end]))
        return Markup("").join(out)


def _sentences_around(paragraph: str, start: int, end: int) -> tuple[int, int]:
    """From the start of the sentence holding `start` to the end of the one holding `end`."""
    begin, finish = 0, len(paragraph)
    for m in _SENTENCE_END.finditer(paragraph):
        stop = m.start() + len(m.group(0).rstrip())  # just after the full stop and closing quotes
        if m.end() <= start:
            begin = m.end()
        elif stop >= end:
            finish = stop
            break
    return begin, finish
