"""Uncertain dates: the part of EDTF Level 1 (Library of Congress) that news sources need.

- a qualified date: `2024-08~` approximate ("c. August 2024"), `2024-08?` uncertain
  ("August 2024?"), `2024-08%` both ("c. August 2024?"); these stay PartialDates (dates.py);
- a span: `2025-05-24/2025-05-25` ("24–25 May 2025"), with an open end `2024-08-06/..`
  ("from 6 August 2024") or an open start `../2025-05-26` ("until 26 May 2025");
- one of a set: `[2025-05-24,2025-05-25]` ("24 or 25 May 2025").

Written here rather than imported: the `edtf` package parses all of EDTF but imports pyparsing and
dateutil (about 110 ms, more than a whole build of the shipped explainer). The tests use it as the
oracle for this subset (tests/test_uncertain_dates.py). This module is imported only when content
holds a date that is not plain, so plain dates keep the fast path in dates.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .dates import EDTF_HINT, MONTHS, DateError, PartialDate, parse_date

_ONE = re.compile(r"([0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?)([~?%]?)")
OPEN = ".."
_OPEN_START = (-1, 0, 0)  # sorts before every date  # pragma: no mutate (any key below year 0000 sorts alike)
_OPEN_END = (10000, 0, 0)  # sorts after every date  # pragma: no mutate (any key past year 9999 sorts alike)
HINT = EDTF_HINT

# text shown, and its machine form for <time datetime> (None: a connector)
Piece = tuple[str, "str | None"]  # pragma: no mutate (a type alias: nothing reads it at run time)


@dataclass(frozen=True)
class DateSpan:
    """From one date to another; either end may be open (None, written `..`)."""

    start: PartialDate | None
    end: PartialDate | None

    precision = "span"
    day = None

    @property
    def edtf(self) -> str:
        return f"{self.start.edtf if self.start else OPEN}/{self.end.edtf if self.end else OPEN}"

    @property
    def iso(self) -> str:
        """The ISO 8601 interval, `..` for an open end (as schema.org's temporalCoverage takes it)."""
        return f"{self.start.iso if self.start else OPEN}/{self.end.iso if self.end else OPEN}"

    @property
    def sort_key(self) -> tuple[int, ...]:
        """By start, then end; an end known only to its month counts as after the days in it."""
        return (*(self.start.sort_key if self.start else _OPEN_START), *(self.end.sort_key if self.end else _OPEN_END))

    @property
    def anchor(self) -> PartialDate:
        """The date that places the span on a page: its start, or its end when the start is open."""
        return self.start or self.end  # type: ignore[return-value]  # parse_uncertain refuses `../..`

    @property
    def year(self) -> int:
        return self.anchor.year

    @property
    def month(self) -> int | None:
        return self.anchor.month

    @property
    def approximate(self) -> bool:
        return any(d.approximate for d in (self.start, self.end) if d)

    @property
    def uncertain(self) -> bool:
        return any(d.uncertain for d in (self.start, self.end) if d)

    @property
    def earliest(self) -> str | None:
        return self.start.earliest if self.start else None

    @property
    def latest(self) -> str | None:
        return self.end.latest if self.end else None

    def pieces(self, moment: bool = False) -> list[Piece]:
        """"24–25 May 2025", "from 6 August 2024", "until 26 May 2025"; as one moment (``said``):
        "between 24 and 25 May 2025", "6 August 2024 or later", "26 May 2025 or earlier"."""
        a, b = self.start, self.end
        if b is None:
            return [(a.human(), a.iso), (" or later", None)] if moment else [("from ", None), (a.human(), a.iso)]
        if a is None:
            return [(b.human(), b.iso), (" or earlier", None)] if moment else [("until ", None), (b.human(), b.iso)]
        first, last = shared_texts([a, b])
        if moment:
            return [("between ", None), (first, a.iso), (" and ", None), (last, b.iso)]
        return [(first, a.iso), ("–" if " " not in first else " – ", None), (last, b.iso)]

    def human(self) -> str:
        return "".join(text for text, _ in self.pieces())

    def approximated(self) -> DateSpan:
        """`approximate: true` beside a span marks both its ends."""
        return DateSpan(*(replace(d, approximate=True) if d else None for d in (self.start, self.end)))


@dataclass(frozen=True)
class DateSet:
    """One of two or more dates, in chronological order: the sources do not say which."""

    dates: tuple[PartialDate, ...]

    precision = "set"
    day = None
    iso = None  # ISO 8601 has no "one of these"; the exports give the earliest and latest day

    @property
    def edtf(self) -> str:
        return "[" + ",".join(d.edtf for d in self.dates) + "]"

    @property
    def sort_key(self) -> tuple[int, ...]:
        """Like a span from the first date of the set to the last."""
        return (*self.dates[0].sort_key, *self.dates[-1].sort_key)

    @property
    def year(self) -> int:
        return self.dates[0].year

    @property
    def month(self) -> int | None:
        return self.dates[0].month

    @property
    def approximate(self) -> bool:
        return any(d.approximate for d in self.dates)

    @property
    def uncertain(self) -> bool:
        return any(d.uncertain for d in self.dates)

    @property
    def earliest(self) -> str:
        return min(d.earliest for d in self.dates)

    @property
    def latest(self) -> str:
        return max(d.latest for d in self.dates)

    def pieces(
        self,
        moment: bool = False,  # pragma: no mutate (one of a set reads the same as a moment; DateSpan's default)
    ) -> list[Piece]:
        """"24 or 25 May 2025", "24, 25 or 26 May 2025", "30 April or 2 May 2025"."""
        texts = shared_texts(list(self.dates))
        out: list[Piece] = []
        for i, (text, date) in enumerate(zip(texts, self.dates, strict=True)):  # pragma: no mutate (equal lengths)
            if i:
                out.append((" or " if i == len(texts) - 1 else ", ", None))
            out.append((text, date.iso))
        return out

    def human(self) -> str:
        return "".join(text for text, _ in self.pieces())

    def approximated(self) -> DateSet:
        return DateSet(tuple(replace(d, approximate=True) for d in self.dates))


def shared_texts(dates: list[PartialDate]) -> list[str]:
    """Each date's text, saying once (on the last) the month and year they share: "24", "25 May 2025".

    Only plain dates of one precision and one year are shortened; a qualified date keeps its "c."
    or "?" whole, so a reader never has to guess which part it applies to.
    """
    last = dates[-1]  # pragma: no mutate (any date would do: below, all share its precision, year, month)
    texts = [d.human() for d in dates]
    if any(d.qualified or d.precision != last.precision or d.year != last.year for d in dates):
        return texts
    if last.precision == "day":
        same_month = all(d.month == last.month for d in dates)
        return [str(d.day) if same_month else f"{d.day} {MONTHS[d.month - 1]}" for d in dates[:-1]] + texts[-1:]
    if last.precision == "month":
        return [MONTHS[d.month - 1] for d in dates[:-1]] + texts[-1:]
    return texts


def parse_uncertain(text: str) -> PartialDate | DateSpan | DateSet:
    """Parse a qualified date, a span or a set; raise DateError (with a hint) for anything else."""
    if text.startswith("[") and text.endswith("]"):
        return _set(text)
    if "/" in text:
        return _span(text)
    return _one(text, text)


def _one(part: str, whole: str) -> PartialDate:
    match = _ONE.fullmatch(part)
    if not match:
        raise DateError(f"'{whole}' is not a date", HINT)
    date = parse_date(match.group(1))  # refuses 31 April and 29 February 1900, naming the part
    mark = match.group(2)
    if mark:
        date = replace(date, approximate=mark in "~%", uncertain=mark in "?%")
    return date


def _span(text: str) -> DateSpan:
    first, _, last = text.partition("/")
    if "/" in last:
        raise DateError(f"'{text}' is not a date", HINT)
    for part, which, example in ((first, "start", "../2025-05-26"), (last, "end", "2024-08-06/..")):
        if not part.strip():
            raise DateError(f"'{text}' has an empty {which}", f"write '..' for an open {which}, e.g. {example}")
    if first == OPEN and last == OPEN:
        raise DateError(f"'{text}' has neither a start nor an end",
                        "give at least one end, e.g. 2024-08-06/.. or ../2025-05-26")
    start = None if first == OPEN else _one(first, text)
    end = None if last == OPEN else _one(last, text)
    if start and end and start.earliest > end.latest:
        raise DateError(f"'{text}' ends before it starts", f"write the earlier date first: {last}/{first}")
    return DateSpan(start, end)


def _set(text: str) -> DateSet:
    parts = [p.strip() for p in text[1:-1].split(",")]
    dates = [_one(p, text) for p in parts]
    if len(dates) < 2:
        raise DateError(f"'{text}' lists only one date",
                        "write the date without brackets, or list two or more, in quotes: \"[2025-05-24,2025-05-25]\"")
    seen: set[str] = set()
    for date in dates:
        if date.iso in seen:
            raise DateError(f"'{text}' lists {date.iso} twice", "list each date once")
        seen.add(date.iso)
    return DateSet(tuple(sorted(dates, key=lambda d: (d.sort_key, d.iso))))
