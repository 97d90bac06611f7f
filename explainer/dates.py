"""Dates at their own precision: a year, a month or a day, never padded with a made-up "1".

Plain dates (`2024`, `2024-08`, `2024-08-06`) are parsed here, on the fast path. Anything else that
looks like EDTF (a span, one of a set, a qualified date) goes to `uncertain.py`, imported only then.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

_DATE = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?$")  # ASCII digits only
PLAIN_HINT = "write the date as YYYY, YYYY-MM or YYYY-MM-DD"
EDTF_HINT = ("write YYYY, YYYY-MM or YYYY-MM-DD; for an uncertain date: 2024-08~ (about), 2024-08? (uncertain), "
             "2024-08-06/2025-05-25 (a span), 2024-08-06/.. (open end), "
             "\"[2025-05-24,2025-05-25]\" (one of these, in quotes)")
# Sort keys for "not known to the month/day": any number past the last month (day) sorts the same.
_AFTER_EVERY_MONTH = 13  # pragma: no mutate (14 or 99 would sort exactly as 13 does)
_AFTER_EVERY_DAY = 32  # pragma: no mutate (33 or 99 would sort exactly as 32 does)
MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date known to the year, the month or the day.

    ``approximate`` marks "c." dates (EDTF `~`), ``uncertain`` marks "?" dates (EDTF `?`); EDTF `%`
    sets both.
    """

    year: int
    month: int | None = None
    day: int | None = None
    approximate: bool = False
    uncertain: bool = False

    @property
    def iso(self) -> str:
        """The value for ``<time datetime>``: valid HTML at each precision."""
        text = f"{self.year:04d}"
        if self.month:
            text += f"-{self.month:02d}"
            if self.day:
                text += f"-{self.day:02d}"
        return text

    @property
    def precision(self) -> str:
        return "day" if self.day else "month" if self.month else "year"

    @property
    def edtf(self) -> str:
        """The date in EDTF: the ISO form with `~` (approximate), `?` (uncertain) or `%` (both)."""
        marks = ("", "?", "~", "%")  # indexed by (approximate, uncertain) as bits
        return self.iso + marks[2 * self.approximate + self.uncertain]

    @property
    def qualified(self) -> bool:
        return self.approximate or self.uncertain

    @property
    def earliest(self) -> str:
        """The first day the date can be, as YYYY-MM-DD."""
        return f"{self.year:04d}-{self.month or 1:02d}-{self.day or 1:02d}"

    @property
    def latest(self) -> str:
        """The last day the date can be, as YYYY-MM-DD."""
        month = self.month or 12
        return f"{self.year:04d}-{month:02d}-{self.day or days_in_month(self.year, month):02d}"

    def pieces(
        self,
        moment: bool = False,  # pragma: no mutate (a single date ignores it; the default matches DateSpan's)
    ) -> list[tuple[str, str | None]]:
        """(text, machine form) parts of the rendering; one part for a single date."""
        return [(self.human(), self.iso)]

    @property
    def sort_key(self) -> tuple[int, int, int]:
        """Chronological order; a date known only to the month (or year) sorts after the days in it.

        "c. August 2024" cannot be placed among the days of August, and an event that a source
        dates only by its month is usually told after the dated events that led to it.
        """
        return (self.year, self.month or _AFTER_EVERY_MONTH, self.day or _AFTER_EVERY_DAY)

    def human(self) -> str:
        """How readers see it: "6 August 2024", "August 2024", "2024", "c. August 2024", "August 2024?"."""
        if self.day:
            text = f"{self.day} {MONTHS[self.month - 1]} {self.year}"
        elif self.month:
            text = f"{MONTHS[self.month - 1]} {self.year}"
        else:
            text = str(self.year)
        if self.uncertain:
            text += "?"
        return f"c. {text}" if self.approximate else text

    def __str__(self) -> str:
        return self.iso


class DateError(ValueError):
    """A value that is not a date at any precision, with a hint for the editor."""

    def __init__(self, message: str, hint: str):
        super().__init__(message)
        self.hint = hint


def parse_date(value: object, approximate: bool = False) -> PartialDate:
    """Accept ``2024``, ``2024-08``, ``2024-08-06`` (quoted or not, as YAML int or text)."""
    if value.__class__ is str and not approximate:
        known = _PARSED.get(value)
        if known is not None:  # facts share dates: each text is parsed once (a PartialDate never changes)
            return known
    if isinstance(value, bool) or not isinstance(value, (str, int, dt.date)):
        raise DateError(f"expected a date, got {type_name(value)}", PLAIN_HINT)
    if isinstance(value, dt.date):
        return PartialDate(value.year, value.month, value.day, approximate)
    text = str(value).strip()
    match = _DATE.fullmatch(text)
    if not match:
        raise DateError(f"'{text}' is not a date", PLAIN_HINT)
    year, month, day = (int(g) if g else None for g in match.groups())
    if month is not None and not 1 <= month <= 12:
        raise DateError(f"'{text}' has no month {month}", "months run from 01 to 12")
    if day is not None and not 1 <= day <= days_in_month(year, month):
        raise DateError(
            f"'{text}' is not a real day: {MONTHS[month - 1]} {year} has {days_in_month(year, month)} days",
            "check the day; if only the month is known, write YYYY-MM",
        )
    date = PartialDate(year, month, day, approximate)
    if value.__class__ is str and not approximate and len(_PARSED) < _PARSED_MAX:
        _PARSED[value] = date
    return date


_PARSED: dict[str, PartialDate] = {}  # date text → its date, for parse_date
_PARSED_MAX = 100_000  # pragma: no mutate (a bound for a long-running preview; a story has a few thousand dates)


EDTF_MARKS = frozenset("/[]~?%.,")  # characters only EDTF notation uses


def parse_edtf(value: object) -> Any:
    """Any date the content model accepts: a plain date on the fast path, else EDTF Level 1.

    Returns a PartialDate, or (for spans and sets) a DateSpan or DateSet from `uncertain.py`.
    """
    known = _PARSED.get(value) if value.__class__ is str else None
    if known is not None:  # a plain date met before (parse_date)
        return known
    if isinstance(value, list):  # YAML reads an unquoted [2025-05-24,2025-05-25] as a list
        raise DateError("expected a date, got a list", 'put one of a set of dates in quotes: "[2025-05-24,2025-05-25]"')
    if isinstance(value, str) and not _DATE.match(value.strip()) and not EDTF_MARKS.isdisjoint(value):
        from .uncertain import parse_uncertain  # only content with an uncertain date pays for it

        return parse_uncertain(value.strip())
    try:
        return parse_date(value)
    except DateError as exc:
        if exc.hint == PLAIN_HINT:  # this field takes EDTF too: say so
            exc.hint = EDTF_HINT
        raise


def days_in_month(year: int, month: int) -> int:
    """The Gregorian calendar's rule, written out: importing `calendar` costs more than a build step."""
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def type_name(value: object) -> str:
    """Editor-facing names for YAML value types."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping (key: value pairs)"
    return type(value).__name__


def moment_text(date: PartialDate | Any) -> str:
    """A date read as one moment, for `said` and `as_of`: "6 August 2024 or later", not "from 6 August 2024"."""
    if date.__class__ is PartialDate:
        return date.human()
    return "".join(text for text, _ in date.pieces(moment=True))  # a span or a set (uncertain.py)
