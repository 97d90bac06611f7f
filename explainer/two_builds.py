"""A value the preview keeps from its last build beside the one this build is making (incremental.py).

Each of the preview's memos reads what the last build made (``last``) and fills what this build
makes (``now``); once the build succeeds, ``now`` becomes ``last``, so whatever this build did not
use is dropped. Written once here rather than rotated by hand, field by field, in each memo.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import compress, count
from operator import attrgetter, is_, is_not
from typing import Generic, TypeVar

T = TypeVar("T")


class TwoBuilds(Generic[T]):
    """The last build's value and this build's, made empty by ``empty()``."""

    __slots__ = ("_empty", "last", "now")

    def __init__(self, empty: Callable[[], T]) -> None:
        self._empty = empty
        self.last: T = empty()
        self.now: T = empty()

    def start(self) -> None:
        """A build begins: what a failed build made meanwhile goes, the last good build's stays."""
        self.now = self._empty()

    def finish(self) -> None:
        """The build succeeded: what it made is the last build's, and only that."""
        self.last, self.now = self.now, self._empty()


def same_ends(now: list, last: list) -> tuple[int, int]:
    """How many items at the start and at the end of ``now`` are the very objects of ``last`` at the
    same distance from the start or from the end, found in C; the two runs do not overlap."""
    shorter = min(len(now), len(last))
    head = next(compress(count(), map(is_not, now, last)), shorter)
    tail = next(compress(count(), map(is_not, reversed(now), reversed(last))), shorter)
    return head, min(tail, shorter - head)


def same_objects(now: list, last: list) -> bool:
    """Whether ``now`` holds the very objects of ``last``, in the same order (in C)."""
    return len(now) == len(last) and all(map(is_, now, last))


def same_at_each_place(now: list, last: list, *fields: str) -> bool:
    """Whether the two lists are as long and hold, at each place, items whose ``fields`` are equal:
    compared only between the runs of the very same objects at both ends (same_ends), which are taken
    to have the same fields (a fact renewed from its kept entry has its entry's id and date)."""
    if len(now) != len(last):
        return False
    head, tail = same_ends(now, last)
    now, last = now[head:len(now) - tail], last[head:len(last) - tail]
    return all(list(map(get, now)) == list(map(get, last)) for get in map(attrgetter, fields))
