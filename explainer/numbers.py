"""Numbers are checked: every number a claim writes must be in one of its quotes, or declared.

Numbers are what readers quote onward, so a claim may not carry one that its sources do not give.
A number counts as given when a quote holds the same value, however it is written:

- digits, with or without thousands separators: "1,000" in a claim matches "1000" or "1,000";
  a decimal matches by value ("2.5" and "2.50");
- the words zero to twenty, in either place: "three phases" matches "3 phases" and "three days";
- years that come from the fact's own dates (`date`, and `said` once facts have it) need nothing.

Anything else ("one thousand", "a dozen", ordinals such as "third") is not read as a number; a
claim that turns such words into digits lists the number under `derived:` with its reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .errors import Problems
from .model import Fact, field_at

WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
}
# Digits not glued to a word or another number ("F16", "v2.0.1" are not amounts), with optional
# thousands separators and decimals; or a number word as a whole word.
_NUMBER = re.compile(
    r"(?<![\w.,])([0-9]{1,3}(?:,[0-9]{3})+(?![0-9,])|[0-9]+)(\.[0-9]+)?(?![\w])"
    r"|\b(" + "|".join(WORDS) + r")\b",
    re.IGNORECASE,
)
# A quick "any number?" on the lower-cased claim (case-sensitive matching is several times faster).
_CLAIM_WORDS = re.compile(r"[0-9]|\b(?:" + "|".join(WORDS) + r")\b")


def may_hold_numbers(text: str) -> bool:
    """False when the text certainly holds no number: most claims, spared the full scan."""
    return _CLAIM_WORDS.search(text.lower()) is not None


@dataclass(frozen=True)
class Numeral:
    """A number as written ("1,000"), its value (1000) and where it starts in the text."""

    text: str
    value: float
    offset: int


def numerals(text: str) -> list[Numeral]:
    """Every number written in the text, in order."""
    found = []
    for m in _NUMBER.finditer(text):
        if m.group(3):
            found.append(Numeral(m.group(3), float(WORDS[m.group(3).lower()]), m.start()))
        else:
            digits = m.group(1).replace(",", "") + (m.group(2) or "")
            found.append(Numeral(m.group(0), float(digits), m.start()))
    return found


def parse_numeral(value: object) -> float | None:
    """A number written in `derived:`: 2025, 2.5, "1,000", "three"; None when it is not one."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, str):
        return None
    found = numerals(value.strip())
    if len(found) != 1 or found[0].text != value.strip():
        return None
    return found[0].value


def shown(value: float) -> str:
    """A value as editors write it: 1000 → "1,000", 2.5 → "2.5"."""
    return f"{int(value):,}" if value.is_integer() else f"{value:,}"


def date_years(*dates: object) -> set[float]:
    """Years a fact's own dates give, whatever their form (a day, a month, a span, an EDTF interval).

    Read from each date's `iso` text, so dates in any notation that prints its years work here.
    """
    years: set[float] = set()
    for date in dates:
        iso = getattr(date, "iso", None)
        if iso:
            years.update(float(y) for y in re.findall(r"(?<!\d)\d{4}(?!\d)", str(iso)))
    return years


def fact_years(fact: Fact) -> set[float]:
    """Hook for the dates a fact is known by: its `date`, and `said` when the model has it."""
    return date_years(fact.date, getattr(fact, "said", None))


def check_numbers(facts: Iterable[Fact], problems: Problems,
                  skip: set[str] | frozenset[str] = frozenset()) -> set[Fact]:
    """Every number in a claim is in a quote, a year of the fact's dates, or listed under `derived:`.

    Facts in ``skip`` (a quote not found in its source) are left until their quotes are fixed.
    Returns the facts it found a problem in (the preview keeps the others: verified.py).
    """
    failed: set[Fact] = set()
    for fact in facts:
        if fact.id in skip:
            continue
        before = len(problems.items)
        _check_fact(fact, problems)
        if len(problems.items) != before:
            failed.add(fact)
    return failed


def _check_fact(fact: Fact, problems: Problems) -> None:
    if not fact.derived and not may_hold_numbers(fact.claim):
        return  # most claims hold no number: no need to read the quotes
    allowed = {d.number for d in fact.derived} | fact_years(fact)
    for number in unsupported(fact.claim, [c.quote for c in fact.citations], allowed):
        where = field_at(fact, "claim")
        problems.error(where.path, where.line, where.column,
                       f"the number {number.text} in the claim of fact '{fact.id}' is in none of its quotes",
                       "quote the words that give it, or list it under 'derived:' with a one-line reason, "
                       f"e.g. derived: [{{number: \"{number.text}\", reason: \"how it was worked out\"}}]")
    in_claim = {n.value for n in numerals(fact.claim)}
    for item in fact.derived:
        if item.number not in in_claim:
            where = field_at(fact, "derived", item.index, "number")
            problems.error(where.path, where.line, where.column,
                           f"fact '{fact.id}' lists {shown(item.number)} under 'derived:' but its claim does "
                           "not write it", "remove the entry, or write the number in the claim as listed")


def unsupported(claim: str, quotes: list[str], allowed: set[float]) -> list[Numeral]:
    """The claim's numbers (each once) that no quote holds and ``allowed`` does not list."""
    quoted = {n.value for quote in quotes for n in numerals(quote)}
    return [n for n in _unique(numerals(claim)) if n.value not in quoted and n.value not in allowed]


def _unique(items: Iterable[Numeral]) -> list[Numeral]:
    """One report per number: "1,000-for-1,000" is one unquoted number, not two."""
    seen: set[float] = set()
    out = []
    for item in items:
        if item.value not in seen:
            seen.add(item.value)
            out.append(item)
    return out
