"""The "closest passage" hint for a quote that is not in its source, in bounded time.

A quote that does not match is usually the right passage with a typo or two, so most of its
words are still in the source at the same distances from each other. Each distinctive word of the
quote that occurs in the source votes for where the quote would start; the place with most votes
wins. Words used at most twice in the source are found through two dictionaries built at C speed
(first and last position of each word), so a quote costs time in its own length, not the
source's; other words are looked up with str.find, within a per-build budget. difflib, used before,
took time in quote × source (88 s for a 10,000-character quote against a 1 MB archive).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from itertools import accumulate

INDEX_LIMIT = 2 * 1024 * 1024  # sources up to this size are indexed once (60-250 ms and 20 MB a MB)
INDEX_COST = 100  # what indexing a character costs, in characters scanned by str.find (measured)
SCAN_BUDGET = 300_000_000  # characters all the hints of one build may scan (about 0.3 s unloaded)
MAX_ANCHORS = 12  # quote words that vote, at most
FIND_ANCHORS = 3  # words looked up with str.find (a whole scan each) when fewer rare ones vote
MAX_HITS = 20  # a word found more often than this is too common to place the quote
SHOWN = 400  # characters of the passage shown; a longer one is cut with "…"
_WORD = re.compile(r"\S+")


@dataclass
class _Index:
    """Where each word of an archived text occurs: the first and last place and how often."""

    counts: Counter[str]
    first: dict[str, int]
    last: dict[str, int]


@dataclass
class PassageFinder:
    """Finds closest passages for one build; the budget bounds the time of all its hints together."""

    budget: int = SCAN_BUDGET
    cut_short: bool = False  # the budget stopped a search: "nothing resembles it" would not be known
    _indexes: dict[int, tuple[str, _Index | None]] = field(default_factory=dict)

    def hint(self, text: str, quote: str) -> str:
        """What to tell the editor whose quote is not in the text: what the source says there."""
        passage = self.closest(text, quote)
        if passage is None and self.cut_short:
            return ("copy the words exactly from the source's archived text (no closest passage shown: this build "
                    "has spent its time for such hints)")
        if passage is None:
            return "copy the words exactly from the source's archived text; no passage of it resembles this quote"
        return f"copy the words exactly; the closest passage is: \"{passage}\""

    def closest(self, text: str, quote: str) -> str | None:
        """The stretch of ``text`` most like ``quote`` (both normalised), or None when none resembles it."""
        anchors = self._anchors(text, quote)
        starts = [(pos - offset, i) for i, (offset, positions) in enumerate(anchors) for pos in positions]
        if not starts:
            return None
        start, votes = _best_start(starts, len(quote))
        if votes < 2 and quote.count(" ") > 1:  # one word in common is chance, not a resemblance
            return None
        return _shown(_widen(text, max(0, start), max(0, start) + len(quote)))

    def _anchors(self, text: str, quote: str) -> list[tuple[int, list[int]]]:
        """Distinctive words of the quote that occur in the text: (offset in quote, positions in text)."""
        words: dict[str, int] = {}
        for match in _WORD.finditer(quote[: 4 * SHOWN]):  # where the quote starts is what the hint needs
            words.setdefault(match.group(), match.start())
        index = self._index(text)
        found: list[tuple[int, list[int]]] = []
        if index is not None:
            rare = sorted((w for w in words if 0 < index.counts[w] <= 2), key=lambda w: (index.counts[w], -len(w)))
            for word in rare[:MAX_ANCHORS]:
                found.append((words[word], sorted({index.first[word], index.last[word]})))
            words = {w: o for w, o in words.items() if 2 < index.counts[w] <= MAX_HITS}
        for word in sorted(words, key=len, reverse=True)[:FIND_ANCHORS]:
            if len(found) >= FIND_ANCHORS or len(word) < 4:
                break  # rare words placed it already
            if self.budget < len(text):
                self.cut_short = True
                break
            self.budget -= len(text)
            positions = _find_word(text, word)
            if positions:
                found.append((words[word], positions))
        return found

    def _index(self, text: str) -> _Index | None:
        cached = self._indexes.get(id(text))
        if cached is not None and cached[0] is text:
            return cached[1]
        index = None
        if len(text) <= INDEX_LIMIT and self.budget < INDEX_COST * len(text):
            self.cut_short = True
        elif len(text) <= INDEX_LIMIT:
            self.budget -= INDEX_COST * len(text)
            tokens = text.split()  # the text is normalised: tokens joined by single spaces
            starts = list(accumulate(map((1).__add__, map(len, tokens)), initial=0))  # C speed, no Python loop
            first = dict(zip(reversed(tokens), reversed(starts[:-1]), strict=True))  # last write: first place
            index = _Index(Counter(tokens), first, dict(zip(tokens, starts[:-1], strict=True)))
        self._indexes[id(text)] = (text, index)
        return index


def closest_passage(text: str, quote: str) -> str | None:
    """The closest passage for a single quote (see PassageFinder for many)."""
    return PassageFinder().closest(text, quote)


def _find_word(text: str, word: str) -> list[int]:
    """Where ``word`` stands as a whole word; nothing when it is too common to place anything."""
    positions = []
    at = text.find(word)
    while at >= 0:
        end = at + len(word)
        if (at == 0 or text[at - 1] == " ") and (end == len(text) or text[end] == " "):
            positions.append(at)
            if len(positions) > MAX_HITS:
                return []
        at = text.find(word, end)
    return positions


def _best_start(starts: list[tuple[int, int]], length: int) -> tuple[int, int]:
    """The start most anchors agree on (allowing for the drift typos cause; the earliest on a tie), and their number."""
    starts.sort()
    width = length // 4 + 16
    best, best_votes, low = 0, 0, 0
    for high in range(len(starts)):
        while starts[high][0] - starts[low][0] > width:
            low += 1
        votes = len({anchor for _, anchor in starts[low : high + 1]})
        if votes > best_votes:
            best, best_votes = low, votes
    group = [s for s, _ in starts[best:] if s - starts[best][0] <= width]
    return group[len(group) // 2], best_votes


def _widen(text: str, start: int, end: int) -> str:
    """The stretch from start to end, widened to whole words."""
    if start > 0:
        start = text.rfind(" ", 0, start) + 1
    if end < len(text) and text[end] != " ":
        space = text.find(" ", end)
        end = len(text) if space < 0 else space
    return text[start:end].strip()


def _shown(passage: str) -> str:
    if len(passage) <= SHOWN:
        return passage
    cut = passage.rfind(" ", 0, SHOWN)
    return passage[: cut if cut > 0 else SHOWN] + " …"
