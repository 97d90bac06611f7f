"""The preview's passes over every fact that found nothing last time: made again only over the
facts made afresh.

A fact the preview renews from its unchanged entry (renewed.items) has the same id, topics,
figure, citations and translations as when the last build looked at it. A pass that looks at each
fact on its own (a reserved id, an undeclared topic, a placeholder source, a translation, a
`said` later than its source, a date note's link) and found nothing last time, under the same
conditions (the topics declared, the sources' dates), finds nothing in those facts now: only the
facts made afresh are looked at. At 10,000 facts each such pass costs 1 to 7 ms (at 50,000, 10 to
15); a save changes one fact.

That holds only while every fact the next build can renew was in the last build's list: the facts
file was read entry by entry (a `entries.ListDoc`), whose entries are exactly the ones a fact can
be renewed from. Otherwise (a cold build, a facts file parsed whole because it had a mistake,
or missing) every fact is looked at, and nothing is remembered for the next build. And only for
the passes the last build made: one it skipped (the declared topics while site.yaml is broken)
did not look at the facts made afresh then, which the next build renews.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .two_builds import TwoBuilds

_UNSET = object()


class KeptChecks:
    """What each pass over the facts found in the last build, and the facts made afresh in this one."""

    def __init__(self) -> None:
        # pass → the conditions under which it found nothing, in the last build's facts and this one's
        self._clean: TwoBuilds[dict[str, Any]] = TwoBuilds(dict)
        self.fresh: list[Any] | None = None  # this build's facts made afresh; None: look at every fact

    def begin(self, fresh: list[Any] | None) -> None:
        """A build's facts are made: ``fresh`` the ones made afresh, None if none can be trusted as kept.
        What the passes found in the build before is what this build goes by; no older finding."""
        self._clean.finish()
        self.fresh = fresh
        if fresh is None:
            self._clean.last = {}

    def facts(self, name: str, conditions: Any, facts: list[Any]) -> list[Any]:
        """The facts pass ``name`` must look at: the fresh ones, if it found nothing in the last build
        under the same ``conditions`` (compared with ==); else all."""
        if self.fresh is not None and self._clean.last.get(name, _UNSET) == conditions:
            return self.fresh
        return facts

    def found(self, name: str, conditions: Any, nothing: bool) -> None:
        """What pass ``name`` found this build, for the next one."""
        if nothing and self.fresh is not None:
            self._clean.now[name] = conditions


def facts_to_look_at(kept: KeptChecks | None, name: str, conditions: Any, facts: list[Any]) -> list[Any]:
    """``kept.facts(...)``, or every fact in a cold build."""
    return facts if kept is None else kept.facts(name, conditions, facts)


def remember(kept: KeptChecks | None, name: str, conditions: Any, nothing: bool) -> None:
    """``kept.found(...)``, where there is a memo."""
    if kept is not None:
        kept.found(name, conditions, nothing)


def kept_pass(kept: KeptChecks | None, name: str, conditions: Any, facts: list[Any], problems: Any,
              check: Callable[[list[Any]], None]) -> None:
    """``check`` over the facts pass ``name`` must look at; what it found (nothing, or something that
    ``problems`` gained) kept for the next build."""
    before = len(problems.items)
    check(facts_to_look_at(kept, name, conditions, facts))
    remember(kept, name, conditions, len(problems.items) == before)
