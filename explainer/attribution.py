"""Attribution through a source: who makes a claim, and which source reports it.

A fact's `attribution` names only the claimant ("the SBU"); each source has a reader-facing
`label` ("an unsigned article"). The generator writes the chain from the two, the same way on
the page, in the feed and in every export:

- "According to the SBU, as reported by an unsigned article";
- "According to the Kyiv Independent" when the source says it in its own voice: the attribution
  is the source's label (compared ignoring case and spacing), or a part of the source ("the Kyiv
  Independent's headline", said once as "According to the Kyiv Independent's headline");
- several sources: "as reported by the Kyiv Independent and an unsigned article".

Editors never write the chain themselves: an attribution that does ("as reported by", "cited
by", "citing", "according to", …) is a content error, so the wording cannot drift.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache

from .errors import Problems
from .model import Fact, Source, field_at

# Words that pass a claim on: they belong to the generated chain, never to an attribution. "via" only
# in lower case, so a name such as "La Via Campesina" is not taken for one.
CHAIN_WORDS = re.compile(
    r"(?i:\b(?:as\s+)?(?:reported|cited|quoted|relayed)\s+by\b|\bciting\b|\baccording\s+to\b)|\bvia\b")


def join(names: list[str]) -> str:
    """"A", "A and B", "A, B and C"."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def reporters(fact: Fact, sources: dict[str, Source]) -> list[str]:
    """The labels of the sources a fact cites, once each, in citation order."""
    labels = []
    for citation in fact.citations:
        source = sources.get(citation.source)
        label = source and (source.label or source.title)
        if label and label not in labels:
            labels.append(label)
    return labels


def chain(fact: Fact, sources: dict[str, Source]) -> str:
    """"According to the SBU, as reported by an unsigned article" (see the module's docstring).

    Worked out once per fact: the page, the feed and three exports each ask for it, and a fact
    and its sources do not change during a build (a fact the preview keeps from the last build is
    renewed without it: renewed.renewed_fact).
    """
    cached = fact.__dict__.get("_chain")
    if cached is None:
        cached = fact.__dict__["_chain"] = _chain(fact, sources)
    return cached


def _chain(fact: Fact, sources: dict[str, Source], wrap: Callable[[str], str] | None = None) -> str:
    if wrap is None:  # in plain words: the same few claimants and labels again and again
        return _worded(fact.attribution, tuple(reporters(fact, sources)))
    return _wording(fact.attribution, reporters(fact, sources), wrap)


@lru_cache(maxsize=1 << 15)
def _worded(who: str, labels: tuple[str, ...]) -> str:
    """The chain in plain words, worked out once per claimant and labels (a story has few of each:
    at 50,000 facts comparing each label with the claimant was half the time of Pagefind's records)."""
    return _wording(who, labels, str)


def _wording(who: str, labels: Iterable[str], wrap: Callable[[str], str]) -> str:
    others = [wrap(label) for label in labels if not is_source_itself(who, label)]
    if not others:
        return f"According to {wrap(who)}"
    return f"According to {wrap(who)}, as reported by {join(others)}"


def chain_isolated(fact: Fact, sources: dict[str, Source]) -> str:
    """The chain for the page: each name the editor wrote isolated on its own (bidi.py), so a
    right-to-left override in the claimant cannot reorder "as reported by" and the label after it."""
    text = chain(fact, sources)
    if text.isascii():
        return text
    from markupsafe import Markup, escape

    from .bidi import isolate

    return Markup(_chain(fact, sources, lambda name: escape(isolate(name))))


def is_source_itself(who: str, label: str) -> bool:
    """"the Kyiv Independent", or a part of it ("the Kyiv Independent's headline"), ignoring case."""
    who, label = who.casefold(), label.casefold()
    if who == label:  # the usual case, without folding spaces
        return True
    who, label = " ".join(who.split()), " ".join(label.split())
    return who == label or who.startswith((label + "'s ", label + "\u2019s "))


def check_attributions(facts: Iterable[Fact], problems: Problems) -> set[Fact]:
    """An attribution names only the claimant: the chain is the generator's to write. Returns the
    facts whose attribution writes it."""
    failed: set[Fact] = set()
    for fact in facts:
        lower = fact.attribution.lower()
        if "by" not in lower and "cit" not in lower and "accord" not in lower and "via" not in lower:
            continue  # most attributions: no need for the regular expression
        match = CHAIN_WORDS.search(fact.attribution)
        if match is None:
            continue
        failed.add(fact)
        where = field_at(fact, "attribution")
        problems.error(where.path, where.line, where.column,
                       f"the attribution of fact '{fact.id}' writes '{match.group(0)}' itself",
                       "name only who makes the claim, e.g. 'the SBU'; the page writes 'According to …, "
                       "as reported by' and the source's label")
    return failed
