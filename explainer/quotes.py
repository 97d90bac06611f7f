"""Quotes with words left out, and quotes shown in their context in the archived text.

A quote may leave words out with `…` or `[…]` (also `[...]`). Each fragment between them must be
in the source, in the order quoted, within one paragraph: a paragraph is one line of the archived
text (blank lines are ignored), which is how `explainer archive` writes texts and how the shipped
seeds are laid out. The page shows the quote as written, ellipsis included.

`context_html` finds a quote's words in the archived text (forgiving the same typography as the
quote check) and returns the sentence(s) around them, or the paragraph, with the quoted words in
`<mark>`; a source's `context:` (sentence | paragraph | none) limits how much is republished.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_right
from collections.abc import Callable
from itertools import accumulate, chain

from markupsafe import Markup, escape

ELLIPSIS = re.compile(r"\[\s*(?:…|\.\.\.)\s*\]|…")
# Sentence ends: . ! or ? (with closing quotes or brackets) before a space and a capital or a quote
# ("Aug. 6" is not an end; "U.S. Army" is mistaken for one, which only shows a shorter context).
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z])")
_NON_SPACE = re.compile(r"\S+")
_LINE = re.compile(r"[^\n]+")


def is_elided(quote: str) -> bool:
    return ELLIPSIS.search(quote) is not None


def fragments(quote: str) -> list[str]:
    """The words between the ellipses, without empty ones (a quote may start or end with '…')."""
    if "…" not in quote and "[" not in quote:  # most quotes: no regular expression needed
        return [quote.strip()] if quote.strip() else []
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


def _tokens(paragraph: str) -> list[tuple[int, int, int]]:
    """(start in the normalised paragraph, start in the paragraph, length) of each run of non-space.

    normalise() folds whitespace runs to one space and swaps typographic marks one for one, so
    within a run of non-space the two texts line up character for character.
    """
    tokens, position = [], 0
    for m in _NON_SPACE.finditer(paragraph):
        tokens.append((position, m.start(), m.end() - m.start()))
        position += m.end() - m.start() + 1
    return tokens


def _original(tokens: list[tuple[int, int, int]], starts: list[int], offset: int) -> int:
    """The paragraph's index of the normalised paragraph's character at ``offset``."""
    normal_start, start, length = tokens[bisect_right(starts, offset) - 1]
    return start + min(offset - normal_start, length)  # past a run: the space after it


class Archive:
    """One source's archived text, split and normalised once, for the quotes shown in context."""

    def __init__(self, text: str, normalise: Callable[[str], str],
                 normalise_lines: Callable[[str, list[tuple[int, int]]], list[str]] | None = None,
                 normal: str | None = None):
        """``normalise_lines(text, spans)``, when given, normalises every paragraph at once, as
        ``normalise`` would one by one (verify.normalise_lines). ``normal``, when given, is the whole
        text normalised as the quote check searched it (Source.normal): held instead of a copy when
        it is the same text."""
        self.normalise = normalise
        self.text = text  # the source's own string: paragraphs are sliced from it when shown
        # Where each paragraph (a non-blank line) is in the text: offsets into the source's own string.
        lines = [m.span() for m in _LINE.finditer(text) if not m.group().isspace()]
        # Each paragraph normalised once, joined by one space: exactly what the quote check searched
        # (whitespace runs fold to one space, and blank lines hold no words). A quote is looked for
        # in a paragraph (and most paragraphs hold several quotes), sliced from the whole: the
        # preview keeps every archive's (RenderMemo.archives), 93,000 paragraphs at 50,000 facts,
        # 15 MB as strings of their own. `starts` is where each paragraph starts in it.
        normals = (normalise_lines(text, lines) if normalise_lines is not None
                   else [normalise(text[a:b]) for a, b in lines])
        whole = " ".join(normals)
        self.whole = normal if normal == whole else whole
        # The offsets as machine integers, each paragraph's start and end one after the other (11 MB
        # as tuples of ints at 50,000 facts, 2 MB so).
        self.lines = array("q", chain.from_iterable(lines))
        self.starts = array("q", accumulate((len(n) + 1 for n in normals), initial=0))  # one past the last too

    def paragraph(self, index: int) -> str:
        return self.text[self.lines[2 * index]:self.lines[2 * index + 1]]

    def normal(self, index: int) -> str:
        return self.whole[self.starts[index]:self.starts[index + 1] - 1]

    def _at(self, offset: int) -> int:
        """The paragraph holding the normalised text's character at ``offset`` (-1: there is none)."""
        return bisect_right(self.starts, offset, 0, len(self.starts) - 1) - 1

    def find_paragraph(self, parts: list[str], hint: int = -1) -> int | None:
        """As find_paragraph(), looking only at the paragraphs where the first part occurs.

        ``hint`` is where the quote check found the quote in the normalised text: when the quote
        lies within that paragraph, nothing else is searched.
        """
        if not parts:
            return None
        index = self._at(hint) if hint >= 0 else -1
        if index >= 0 and in_order(self.normal(index), parts) is not None:
            return index
        # An elided quote, or a first match across paragraphs: each paragraph where the first part
        # occurs, in order. The parts are matched greedily, so the first occurrence decides.
        position = 0
        while (found := self.whole.find(parts[0], position)) >= 0:
            index = self._at(found)
            if in_order(self.normal(index), parts) is not None:
                return index
            position = self.starts[index + 1]
        return None

    def spans(self, quote: str, hint: int = -1, length: int = 0) -> tuple[int, list[tuple[int, int]]] | None:
        """The paragraph holding the quote and where each of its fragments is in that paragraph.

        ``length`` is that of the quote normalised, found at ``hint`` by the quote check: a quote
        without '…' that lies within one paragraph is then placed without another search.
        """
        index = self._at(hint) if hint >= 0 and length else -1
        local = hint - self.starts[index] if index >= 0 else -1
        if local >= 0 and local + length < self.starts[index + 1] - self.starts[index] \
                and "…" not in quote and "[" not in quote:
            spans = [(local, local + length)]  # the first match in the text is the first in its paragraph
        else:
            normal_parts = [self.normalise(p) for p in fragments(quote)]
            index = self.find_paragraph(normal_parts, hint)
            if index is None:
                return None  # a quote across paragraphs (allowed without '…') is shown without context
            spans = []
            for start in in_order(self.normal(index), normal_parts) or []:
                spans.append((start, start + len(normal_parts[len(spans)])))
        paragraph, normal = self.paragraph(index), self.normal(index)
        if len(paragraph) != len(normal):  # whitespace was folded: map the offsets back
            tokens = _tokens(paragraph)
            starts = [t[0] for t in tokens]
            spans = [(_original(tokens, starts, a), _original(tokens, starts, b - 1) + 1) for a, b in spans]
        return index, spans

    def context_html(self, quote: str, mode: str, hint: int = -1, length: int = 0) -> Markup | None:
        """The sentence(s) (or paragraph) around the quote, its words in <mark>; None to show none."""
        if mode == "none":
            return None
        found = self.spans(quote, hint, length)
        if found is None:
            return None
        index, spans = found
        paragraph = self.paragraph(index)
        start, end = 0, len(paragraph)
        if mode == "sentence":
            start, end = _sentences_around(paragraph, spans[0][0], spans[-1][1])
        while start < spans[0][0] and paragraph[start].isspace():
            start += 1
        while end > spans[-1][1] and paragraph[end - 1].isspace():
            end -= 1
        out, pos = [], start
        for a, b in spans:
            out += (_escape(paragraph[pos:a]), "<mark>", _escape(paragraph[a:b]), "</mark>")
            pos = b
        out.append(_escape(paragraph[pos:end]))
        return Markup("".join(out))  # every piece of text above is escaped


def _escape(text: str) -> str:
    """markupsafe.escape's output as a plain string: a Markup object per piece costs more than the text."""
    return str(escape(text)) if "&" in text or "<" in text or ">" in text or '"' in text or "'" in text else text


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
