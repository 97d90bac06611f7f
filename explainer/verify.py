"""Stage 3: verify the provenance chain — summary → fact → verbatim quote → archived source text."""

from __future__ import annotations

import hashlib
import os
import stat
import unicodedata
from pathlib import Path, PurePosixPath

from . import quotes
from .attribution import check_attributions
from .closest import PassageFinder
from .errors import Problems
from .model import Fact, Project, Source, Spot, Where, field_at
from .numbers import check_numbers
from .suggest import Suggestions
from .textfiles import Unreadable, read_text, read_utf8
from .verified import PassedFacts, Verified

# Only these differences are forgiven between a quote and its source: nothing looser.
_TYPOGRAPHY = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
})
_REPLACEMENTS = [(chr(code), plain) for code, plain in _TYPOGRAPHY.items()]


def normalise(text: str) -> str:
    """Fold whitespace runs, typographic quotes and dashes, and Unicode's two spellings of accented
    letters (NFC: "é" as one character or as "e" + a combining accent, which look the same and which
    editors cannot tell apart); keep case and every other character.

    Written for speed on whole archived texts: str.translate() with a mapping looks up every
    character (~0.2 s per MB of non-ASCII text), a replace() per mark present scans in C; split()
    and join() fold whitespace exactly as re.sub(r"\\s+", " ") and strip() would.
    """
    if not text.isascii():
        if not unicodedata.is_normalized("NFC", text):  # a quick check: the whole text is rarely NFD
            text = unicodedata.normalize("NFC", text)
        for mark, plain in _REPLACEMENTS:
            if mark in text:
                text = text.replace(mark, plain)
    return " ".join(text.split())


def normalise_lines(text: str, spans: list[tuple[int, int]]) -> list[str]:
    """``[normalise(text[a:b]) for a, b in spans]``, with the marks swapped in the whole text at once.

    An archive's paragraphs, normalised one by one, each looked for every typographic mark
    (18,000 paragraphs at 10,000 facts). The marks are swapped one for one, so the paragraphs sit
    at the same offsets in the swapped text, unless NFC changes it (rare): then one by one.
    """
    if not text.isascii():
        if not unicodedata.is_normalized("NFC", text):
            return [normalise(text[a:b]) for a, b in spans]
        for mark, plain in _REPLACEMENTS:
            if mark in text:
                text = text.replace(mark, plain)
    return [" ".join(text[a:b].split()) for a, b in spans]


class QuoteMemo:
    """The preview's memo of this stage (incremental.py): each archive's normalised text and the
    sha256 of its bytes, by its text; and the facts that passed every check of this stage, with
    where their quotes were found (verified.PassedFacts).

    An archive read again with the same text is given the last build's ``str`` object (one
    comparison), so every look-up by its text after that (here, and the page fingerprints'
    digest of it) finds it at once instead of hashing it again (5 ms a MB). A fact that passed is
    kept while it is the same object (its entry's text unchanged: renewed.py) and the normalised
    texts of its sources are the last build's: the same entry text is the same quotes, claim,
    attribution and dates, and the same texts hold each quote at the same place, so it passes
    again unread (verified.py)."""

    def __init__(self) -> None:
        self.texts: dict[str, str] = {}
        self.sha256: dict[str, str] = {}  # the text → archive_sha256(text)
        self.read: dict[Path, str] = {}  # each archive's text as last read
        self.direct: dict[str, Path] = {}  # archive (as written) → its file, right in seeds/ (_quick_read)
        self.facts = PassedFacts()  # the facts that passed, and what the check left on them


def verify_project(project: Project, problems: Problems, memo: QuoteMemo | None = None) -> None:
    """Check archives, quotes and references; record errors and warnings.

    In the preview (``memo``), a fact whose entry and sources' texts are the last build's is not
    checked again (verified.py): only the new ones are, so every error is still reported."""
    unsure = _uses_unknown(problems)  # before this stage adds errors of its own
    # A build that has failed already (a file that did not parse, an entry that failed its check) may
    # lack facts the next one brings back unchanged: the memo stays the last good build's (see finish).
    failed_before = bool(problems.errors)
    index = _load_archives(project, problems, memo)
    kept = Verified(memo.facts, project, index) if memo is not None else None
    unverified, todo = _check_citations(project, index, problems, kept)
    facts, used = project.facts_by_id, {ref.fact_id for ref in project.references}
    _check_references(project, problems, facts, used)
    _check_unused(project, problems, facts, used, unsure)
    failed = check_attributions(todo, problems)  # attribution.py: the chain is the generator's to write
    # numbers.py: a claim's numbers come from its quotes; not from quotes still to be fixed (one
    # message per mistake: the wrong quote's error already says what to do)
    failed |= check_numbers(todo, problems, skip=unverified)
    if kept is not None:
        kept.finish(project.sources_by_id, todo, unverified, failed, remember=not failed_before)
    for fact in project.facts:
        fact.spot = None  # nothing later reports a field's position: let the parsed YAML go (memory)
    for source in project.sources:
        source.spot = None


# Where facts and sources are used: while one of these files has errors, some of its uses may be
# lost (a file that failed to parse, an item that failed its check), and "not cited" would mislead.
_FACT_USERS = ("content/timeline.yaml", "content/comparisons.yaml", "content/glossary.yaml", "content/summaries")
_SOURCE_USERS = ("content/facts.yaml",)


def _uses_unknown(problems: Problems) -> set[str]:
    """The kinds ("fact", "source") whose "not cited" warnings would be guesses, given the errors so far."""
    failed = {p.path for p in problems.errors}
    unsure = set()
    if any(path.startswith(_FACT_USERS) for path in failed):
        unsure.add("fact")
    if any(path.startswith(_SOURCE_USERS) for path in failed):
        unsure.add("source")
    return unsure


def _error(problems: Problems, where: Where, message: str, hint: str) -> None:
    problems.error(where.path, where.line, where.column, message, hint)


def _load_archives(project: Project, problems: Problems, memo: QuoteMemo | None = None) -> dict[str, str]:
    """Read each source's archived text once and index its normalised form."""
    seeds = project.root / "seeds"
    resolved = seeds.resolve()
    index: dict[str, str] = {}
    cache: dict[Path, str | None] = {}
    read: dict[Path, str] = {}
    sha256: dict[str, str] = {}
    direct: dict[str, Path] = {}
    for source in project.sources:
        path, text = _quick_read(source.archive, memo, direct) if memo is not None else (None, None)
        if path is None:
            path = archive_path(seeds, source, problems, resolved)
            if path is None:
                continue
            if path not in cache:
                text = read_text(path, problems, archive=True)
                if memo is not None and text is not None and _plain_name(source.archive) and (
                        path == resolved / source.archive):
                    direct[source.archive] = path  # read the quick way next time
        if path not in cache:
            if text is not None and memo is not None:
                last = memo.read.get(path)
                read[path] = text = last if last == text else text  # the same text: the same object
            cache[path] = text
        if cache[path] is None:
            continue
        source.text = text = cache[path]
        source.normal = ""  # set below, once the archive's hash is the one recorded
        actual = memo.sha256.get(text) if memo is not None else None
        if actual is None:
            actual = archive_sha256(text)
        sha256[text] = actual
        if not _check_sha256(source, problems, actual):
            continue  # the quotes were checked against another text: checking them again proves nothing
        if memo is None:
            index[source.id] = source.normal = normalise(text)
            continue
        normal = memo.texts.get(text)
        index[source.id] = source.normal = normal if normal is not None else normalise(text)
    if memo is not None:  # only this build's archives stay
        memo.texts = {source.text: index[source.id] for source in project.sources if source.id in index}
        memo.read, memo.sha256, memo.direct = read, sha256, direct
    return index


def _plain_name(archive: str) -> bool:
    """A file right in seeds/, as the shipped sources name theirs: archive_path's usual case."""
    return "/" not in archive and "\\" not in archive and archive not in ("", ".", "..")


def _quick_read(archive: str, memo: QuoteMemo, direct: dict[str, Path]) -> tuple[Path | None, str | None]:
    """The path and text of an archive the last build found as a regular file right in seeds/ (not a
    link), read with three system calls (textfiles.read_utf8's ``quick``), while it still is one, is
    under the size limit, and is UTF-8; else (None, None): archive_path and read_text then take the
    long way, and say what is wrong.

    archive_path and read_text cost 20 µs an archive in Path objects and system calls (4 ms at
    200 sources), to find what the last build found.
    """
    path = memo.direct.get(archive)
    if path is None:
        return None, None
    try:
        text = read_utf8(path, archive=True, quick=True)  # an archive's byte-order mark is dropped
    except Unreadable:
        return None, None
    direct[archive] = path
    return path, text


def archive_sha256(text: str) -> str:
    """The hash a source records: of the archived file's bytes (read_text decodes them unchanged)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _check_sha256(source: Source, problems: Problems, actual: str) -> bool:
    """The archive is the text the quotes were checked against: a changed file is an error.
    ``actual``: archive_sha256(source.text)."""
    if source.sha256 is None:
        _error(problems, source.where, f"source '{source.id}' records no sha256 of its archive ({source.archive})",
               f"add 'sha256: {actual}' after checking that seeds/{source.archive} is the text as archived")
        return False
    if source.sha256 != actual:
        where = field_at(source, "sha256")
        _error(problems, where, f"the archive of source '{source.id}' ({source.archive}) has changed since its "
               "sha256 was recorded",
               "archived texts are never edited: restore the file from version control; if the source itself "
               f"must be replaced, archive it as a new source (its sha256 is now {actual})")
        return False
    return True


def archive_path(seeds: Path, source: Source, problems: Problems, resolved_seeds: Path | None = None) -> Path | None:
    """Resolve a source's `archive` strictly inside seeds/: no '..', no absolute path, no symlink out.

    ``resolved_seeds`` is ``seeds.resolve()``, worked out once for every source by the caller.
    """
    rel = PurePosixPath(source.archive)
    where = source.archive_where
    if rel.is_absolute() or ".." in rel.parts or "\\" in source.archive:
        _error(problems, where, f"archive '{source.archive}' must be a path inside seeds/",
               "write just the file name under seeds/, e.g. '003_article.txt'")
        return None
    seeds_resolved = resolved_seeds or seeds.resolve()
    if len(rel.parts) == 1:  # the usual file right in seeds/: a regular file, no link, is its own path
        direct = seeds_resolved / rel
        try:
            if stat.S_ISREG(os.lstat(direct).st_mode):
                return direct
        except OSError:
            pass  # reported below, as resolve() finds it
    path = seeds / rel
    try:
        resolved = path.resolve(strict=True)
    except (OSError, RuntimeError):
        _error(problems, where, f"archive '{source.archive}' does not exist in seeds/",
               "copy the source's text into seeds/ or fix the file name")
        return None
    if not resolved.is_relative_to(seeds_resolved):
        _error(problems, where, f"archive '{source.archive}' points outside seeds/",
               "archived texts must be real files inside seeds/, not links elsewhere")
        return None
    if not resolved.is_file():
        _error(problems, where, f"archive '{source.archive}' is not a file", "point at the text file itself")
        return None
    return resolved


def _check_citations(project: Project, index: dict[str, str], problems: Problems,
                     kept: Verified | None = None) -> tuple[set[str], list[Fact]]:
    """Check every quote against its archive; return the ids of facts with a quote not verified, and
    the facts checked: every fact, or in the preview the facts not kept from the last build."""
    sources = project.sources_by_id
    finder = PassageFinder()  # one time budget for every hint of the build
    suggestions = Suggestions(sources, "content/sources.yaml")  # for unknown sources
    unverified: set[str] = set()
    todo: list[Fact] = []
    for fact in project.facts if kept is None else kept.todo:
        if kept is not None and kept.from_token(fact, sources):
            continue  # its quotes are where they were found for its entry's text
        todo.append(fact)
        for i, citation in enumerate(fact.citations):
            citation.offset, citation.length = -1, 0  # until it is found
            source = sources.get(citation.source)
            if source is None:
                # With no valid source at all, sources.yaml's own errors say why: don't repeat it per quote.
                if citation.source not in project.invalid_ids and project.sources:
                    _error(problems, _cited(fact, i, "source"),
                           f"fact '{fact.id}' cites the unknown source '{citation.source}'",
                           suggestions.hint(citation.source))
                unverified.add(fact.id)
                continue
            if not source.cited_by or source.cited_by[-1] is not fact:  # facts come one by one: O(1), not
                source.cited_by.append(fact)  # a scan comparing every field of every fact already listed
            text = index.get(source.id)
            if text is None:
                unverified.add(fact.id)
                continue  # the archive problem is already reported
            quote = normalise(citation.quote)
            citation.offset = text.find(quote)  # as fast as `in`; spares the page a second search
            if citation.offset >= 0:
                citation.length = len(quote)
                continue
            unverified.add(fact.id)
            if quotes.is_elided(citation.quote):
                _check_elided(fact, source, citation.quote, _cited(fact, i, "quote"), text, problems, finder)
            else:
                _error(problems, _cited(fact, i, "quote"),
                       f"the quote for fact '{fact.id}' is not in source '{source.id}' ({source.archive})",
                       finder.hint(text, quote) + (THREE_DOTS_HINT if "..." in citation.quote else ""))
    return unverified, todo


# Three dots are read as the source's own words; an elision (words left out) is one character.
THREE_DOTS_HINT = "; if '...' marks words left out, write it as '…' or '[…]' (an elision), not three dots"


def _cited(fact: Fact, index: int, key: str) -> Where | Spot:
    """Where a field of a fact's citation is written: its `quote:` or `source:`, not the citation's first line."""
    return field_at(fact, "citations", index, key) if fact.spot is not None else fact.citations[index].where


def _check_elided(fact: Fact, source: Source, quote: str, where: Where, text: str, problems: Problems,
                  finder: PassageFinder) -> None:
    """A quote with '…': each fragment in the source, in the order quoted, within one paragraph."""
    parts = [normalise(part) for part in quotes.fragments(quote)]
    if not parts:
        _error(problems, where, f"the quote for fact '{fact.id}' has no words besides '…'",
               "copy the words from the source; '…' marks only where words are left out")
        return
    for part in parts:
        if part not in text:
            _error(problems, where, f"the quote for fact '{fact.id}' is not in source '{source.id}' ({source.archive})",
                   _missing_part_hint(finder, text, part))
            return
    if quotes.find_paragraph([normalise(p) for p in quotes.paragraphs(source.text)], parts) is None:
        _error(problems, where, f"the parts of the quote for fact '{fact.id}' are not in this order within one "
               f"paragraph of source '{source.id}' ({source.archive})",
               "each part between '…' must come in the order the source gives it, all in one paragraph (one line "
               f"of the archived text); the first part is in: \"{finder.closest(text, parts[0]) or parts[0]}\"")


def _missing_part_hint(finder: PassageFinder, text: str, part: str) -> str:
    passage = finder.closest(text, part)
    closest = f"; the closest passage is: \"{passage}\"" if passage else ""
    return f"copy the words exactly; \"{part}\" is not in it{closest}"


def _check_references(project: Project, problems: Problems, facts: dict[str, Fact], used: set[str]) -> None:
    """Every fact id cited or listed is a fact's. ``facts``: project.facts_by_id; ``used``: the ids referred to."""
    if not facts:
        return  # facts.yaml could not be read or has no valid fact; its own errors say why
    unknown = used.difference(facts)  # at C speed: usually none, and nothing else to do
    unknown -= project.invalid_ids
    if not unknown:
        return
    suggestions = Suggestions(facts, "content/facts.yaml")
    for ref in project.references:
        if ref.fact_id in unknown:
            _error(problems, ref.where, f"unknown fact '{ref.fact_id}'", suggestions.hint(ref.fact_id))


def _check_unused(project: Project, problems: Problems, facts: dict[str, Fact], used: set[str],
                  unsure: set[str] = frozenset()) -> None:
    """Unused facts and sources are not wrong, but usually a forgotten citation.

    Kinds in ``unsure`` are skipped: a file that uses them has errors, so its uses are not all known.
    ``facts``: project.facts_by_id; ``used``: the fact ids referred to.
    """
    unused = facts.keys() - used if "fact" not in unsure else ()  # at C speed: usually none
    for fact in project.facts if unused else ():
        if fact.id in unused:
            w = fact.where
            problems.warning(w.path, w.line, w.column, f"fact '{fact.id}' is not cited anywhere",
                             "cite it in a summary, timeline event, comparison or glossary entry, or remove it")
    for source in project.sources if "source" not in unsure else ():
        if not source.cited_by:
            w = source.where
            problems.warning(w.path, w.line, w.column, f"source '{source.id}' is not cited by any fact",
                             "cite it from a fact, or remove it")
