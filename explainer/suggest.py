""""Did you mean …?" for an unknown id, in bounded time however many ids are unknown.

difflib's get_close_matches compares the name with every known id, about 18 µs each for ids of
twenty characters: one misspelt citation among 50,000 facts cost a second, and deleting the second
half of 2,000 facts, whose 1,182 citations then named unknown facts, made `check` take 21 s instead
of 0.1 (at 50,000 facts, hours; the preview, which can read a file while an editor is still writing
it, sat in that loop). Here a name is compared only with the ids beside it in alphabetical order
and beside it read backwards (a typo keeps most of an id's start or most of its end), once per
distinct name, and the hints of one list compare at most BUDGET pairs: past it, the hint says so.
A list of at most SEARCH_ALL_UP_TO ids is compared in full, as difflib alone would.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable

NEIGHBOURS = 40  # ids taken on each side of the name, in each order
SEARCH_ALL_UP_TO = 200  # a list this short is compared in full: the answer difflib alone gives
BUDGET = 20_000  # comparisons for one list's hints in one build (about 0.3 s), as closest.py budgets its own
CUTOFF = 0.6  # difflib's similarity below which an id is not suggested


class Suggestions:
    """The hint for each unknown id of one kind, the known ids defined in ``where``."""

    def __init__(self, known: Iterable[str], where: str, budget: int = BUDGET) -> None:
        """``known`` is read at the first hint: a build with no unknown id sorts nothing."""
        self.where = where
        self._given = known
        self._known: list[str] | None = None  # sorted, on the first need
        self._backwards: list[str] | None = None  # the known ids reversed, sorted: made on the first need
        self._left = budget
        self._hints: dict[str, str] = {}

    def hint(self, name: str) -> str:
        """"did you mean '…'?", or where the ids are defined when none is close (or the budget is spent)."""
        found = self._hints.get(name)
        if found is None:
            found = self._hints[name] = self._hint(name)
        return found

    def _hint(self, name: str) -> str:
        from difflib import get_close_matches  # only on this error path: it costs start-up time

        candidates = self._candidates(name)
        if len(candidates) > self._left:
            return f"use an id defined in {self.where} (no suggestion: this build has spent its time for such hints)"
        self._left -= len(candidates)
        close = get_close_matches(name, candidates, n=1, cutoff=CUTOFF)  # pragma: no mutate (n: only the best is shown)
        return f"did you mean '{close[0]}'?" if close else f"use an id defined in {self.where}"

    def _candidates(self, name: str) -> list[str]:
        """Every known id in a short list; else those beside ``name`` alphabetically, forwards and backwards."""
        if self._known is None:
            self._known = sorted(self._given)
        known = self._known
        if len(known) <= SEARCH_ALL_UP_TO:
            return known
        if self._backwards is None:
            self._backwards = sorted(k[::-1] for k in known)
        at = bisect_left(known, name)
        near = set(known[max(0, at - NEIGHBOURS):at + NEIGHBOURS])
        at = bisect_left(self._backwards, name[::-1])
        near.update(k[::-1] for k in self._backwards[max(0, at - NEIGHBOURS):at + NEIGHBOURS])
        return sorted(near)
