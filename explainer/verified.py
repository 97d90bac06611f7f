"""The preview's facts that pass the verify stage again unread: kept from the last build.

A fact the preview made from an unchanged entry (renewed.items: the same entry text gives the same
object again, renewed, moved with its entry) has the same quotes, sources, claim, attribution, dates
and `derived:`, so the checks of verify.py that read only the fact (attribution.py, numbers.py)
give it the same answer; the quote check reads its sources' archives too, and finds each quote at
the same place while each archive's normalised text is the same (verify.QuoteMemo gives an
unchanged text the same object, so one `is` tells). A fact that passed every one of these checks
last time, none of whose sources' texts changed, is therefore not checked again. Every other fact
is checked in full, so every error is still reported where it is, in one pass: a fact that had a
problem is never kept, and one citing a source whose archive changed or went is checked again.

What the quote check leaves on each kept fact is put back: where its quotes were found (its
citations' ``offset`` and ``length``, which a failed build since may have searched again), and its place in its
sources' ``cited_by`` lists (the sources are new objects every build). Both are done in bulk: the
places in one loop over flat lists, and each source's list copied from the last build unless a
fact came into it or left it. A fact made again from an entry seen before (its object was not kept, as
it was not for an entry that only moved until 1 Dec 2026) is a new object: it is given the places found for
its entry's text (by its token, entries.TOKENS) instead of a search; these records by token are all dropped when any
archive's text changes, so each is of texts still there, unchanged.
"""

from __future__ import annotations

import weakref
from itertools import filterfalse
from operator import attrgetter
from typing import TYPE_CHECKING

from .entries import TOKENS

if TYPE_CHECKING:
    from .model import Citation, Fact, Project, Source

_NUMBER = attrgetter("number")  # a fact's place in the project's list (validate.build_project)


class PassedFacts:
    """What the last build's verify stage left, for the next (QuoteMemo.facts)."""

    def __init__(self) -> None:
        self.index: dict[str, str] = {}  # source id → its normalised text
        self.passed: set[Fact] = set()  # the facts that passed every check
        self.others: set[Fact] = set()  # the build's other facts
        self.cited: dict[str, list[Fact]] = {}  # source id → the facts citing it (its cited_by)
        # Each passed fact's quotes and where they were found, flat; a citation may come up more than
        # once (found again in a later build): the last place given is the one that holds.
        self.citations: list[Citation] = []
        self.offsets: list[int] = []
        self.lengths: list[int] = []
        self.by_token: dict[int, tuple[int, ...]] = {}  # entry token → its quotes' (offset, length), flat


class Verified:
    """One build's use of PassedFacts: the facts to check, and the rest put back as the check leaves them.

    Made after the archives are read (``index``: source id → normalised text, this build's); then
    ``todo`` holds the facts not kept, in order, and the kept facts' quotes and sources are set.
    """

    def __init__(self, memo: PassedFacts, project: Project, index: dict[str, str]) -> None:
        self.memo = memo
        # Sources whose normalised text is not the last build's (changed, gone, or its archive now
        # refused): every fact citing one is checked again. A new source id is no kept fact's.
        stale = {sid for sid, text in memo.index.items() if index.get(sid) is not text}
        kept = memo.passed.intersection(project.facts)  # (set operations, at C speed: no fact is read)
        for sid in stale:
            kept.difference_update(memo.cited.get(sid, ()))
        if stale:
            memo.by_token = {}  # kept only while no text changes: then each record's sources are still there
        self.kept, self.index = kept, index
        self.todo = list(filterfalse(kept.__contains__, project.facts))  # in order
        self.passed: list[Fact] = []  # facts not kept that pass (by_token, or checked in full)
        self._place_kept_quotes()
        self._touched = self._list_kept_facts(project.sources_by_id)

    def _place_kept_quotes(self) -> None:
        """Each kept fact's quotes where they were found when it passed (a build since, which failed,
        may have searched them again); the places given to quotes of facts not kept are overwritten
        by their check."""
        memo = self.memo
        for citation, offset, length in zip(memo.citations, memo.offsets, memo.lengths, strict=True):
            citation.offset = offset
            citation.length = length

    def _list_kept_facts(self, sources: dict[str, Source]) -> set[str]:
        """Each source's ``cited_by`` with the kept facts citing it: the last build's list, where no
        fact came into it or left it. Returns the sources whose list changes (to sort: finish)."""
        memo = self.memo
        left = (memo.passed - self.kept) | memo.others  # the last build's facts not kept
        touched = {citation.source for fact in left for citation in fact.citations}
        touched.update(citation.source for fact in self.todo for citation in fact.citations)
        kept = self.kept
        for sid, cited in memo.cited.items():
            source = sources.get(sid)
            if source is not None:
                source.cited_by = [fact for fact in cited if fact in kept] if sid in touched else cited.copy()
        return touched

    def from_token(self, fact: Fact, sources: dict[str, Source]) -> bool:
        """Whether ``fact``, not kept, was made from an entry text that passed before (moved since):
        if so its quotes are placed where they were found, and it is listed under its sources."""
        found = self.memo.by_token.get(TOKENS.data.get(weakref.ref(fact)))  # type: ignore[arg-type]
        if found is None:
            return False
        for i, citation in enumerate(fact.citations):
            citation.offset, citation.length = found[2 * i], found[2 * i + 1]
            cited = sources[citation.source].cited_by
            if not cited or cited[-1] is not fact:
                cited.append(fact)
        self.passed.append(fact)
        return True

    def finish(self, sources: dict[str, Source], checked: list[Fact], unverified: set[str],
               failed: set[Fact], remember: bool = True) -> None:
        """Put the facts not kept in order in their sources' lists, and keep this build's for the next:
        the kept facts and those that passed (``checked`` in full with no problem: none of their
        quotes ``unverified``, under their id, and not ``failed``).

        Not with ``remember`` false (a build that failed before this stage): its facts may be only part
        of the story (``facts.yaml`` did not parse: none), and the next build, repaired, would check
        every fact left out again (0.3 s at 10,000 facts). The memo stays the last one kept, and
        the next build is compared with that build: the facts, the archives' texts, their places."""
        for sid in self._touched:
            source = sources.get(sid)
            if source is not None:
                source.cited_by.sort(key=_NUMBER)  # the facts not kept were added at the end
        if not remember:
            return
        memo = self.memo
        self.passed += [fact for fact in checked if fact.id not in unverified and fact not in failed]
        for fact in self.passed:
            for citation in fact.citations:
                memo.citations.append(citation)
                memo.offsets.append(citation.offset)
                memo.lengths.append(citation.length)
            token = TOKENS.get(fact)
            if token is not None:
                memo.by_token[token] = tuple(n for c in fact.citations for n in (c.offset, c.length))
        memo.index = self.index
        memo.others = set(self.todo).difference(self.passed)
        memo.passed = self.kept
        memo.passed.update(self.passed)
        memo.cited = {sid: source.cited_by for sid, source in sources.items() if source.cited_by}
        if len(memo.citations) > 3 * len(memo.passed) + 64:  # facts checked again since they were listed
            self._compact()

    def _compact(self) -> None:
        """Keep the places of this build's passed facts only, each once (every few hundred saves)."""
        memo = self.memo
        memo.citations = [citation for fact in memo.passed for citation in fact.citations]
        memo.offsets = [citation.offset for citation in memo.citations]
        memo.lengths = [citation.length for citation in memo.citations]
        tokens = {TOKENS.get(fact) for fact in memo.passed}
        memo.by_token = {token: found for token, found in memo.by_token.items() if token in tokens}
