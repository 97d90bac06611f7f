"""Stage 3: verify the provenance chain — summary → fact → verbatim quote → archived source text."""

from __future__ import annotations

import hashlib
import unicodedata
from pathlib import Path, PurePosixPath

from . import quotes
from .attribution import check_attributions
from .closest import PassageFinder
from .errors import Problems
from .model import Fact, Project, Source, Where
from .numbers import check_numbers
from .textfiles import read_text

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


class QuoteMemo:
    """The preview's memo of this stage (incremental.py): each archive's normalised text, by its
    text, and where each quote was found, by the quote and that normalised text."""

    def __init__(self) -> None:
        # text → (that text as the last build held it, its normalised form): a build that reads the
        # same archive again keeps the last build's string, so the memos keyed by it (here, and the
        # quotes in context: incremental.RenderMemo.archives) hold one copy of each archive, not two.
        self.texts: dict[str, tuple[str, str]] = {}
        # (source id, quote) → (normalised text, offset, length)
        self.found: dict[tuple[str, str], tuple[str, int, int]] = {}
        self.numbers: set[int] = set()  # entry tokens of the facts whose numbers passed (numbers.py)


def verify_project(project: Project, problems: Problems, memo: QuoteMemo | None = None) -> None:
    """Check archives, quotes and references; record errors and warnings."""
    unsure = _uses_unknown(problems)  # before this stage adds errors of its own
    index = _load_archives(project, problems, memo)
    unverified = _check_citations(project, index, problems, memo)
    _check_references(project, problems)
    _check_unused(project, problems, unsure)
    check_attributions(project, problems)  # attribution.py: the chain is the generator's to write
    # numbers.py: a claim's numbers come from its quotes; not from quotes still to be fixed (one
    # message per mistake: the wrong quote's error already says what to do)
    if memo is None:
        check_numbers(project, problems, skip=unverified)
    else:
        memo.numbers = check_numbers(project, problems, skip=unverified, clean=memo.numbers)
    for item in [*project.facts, *project.sources]:
        item.spot = None  # nothing later reports a field's position: let the parsed YAML go (memory)



# Where facts and sources are used: while one of these files has errors, some of its uses may be
# lost (a file that failed to parse, an item that failed its check), and "not cited" would mislead.
_FACT_USERS = ("content/timeline.yaml", "content/comparisons.yaml", "content/glossary.yaml", "content/summaries/")
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
    index: dict[str, str] = {}
    cache: dict[Path, str | None] = {}
    inside = seeds.resolve()
    for source in project.sources:
        path = archive_path(seeds, source, problems, inside)
        if path is None:
            continue
        if path not in cache:
            text = read_text(path, problems, archive=True)
            kept = memo.texts.get(text) if memo is not None and text is not None else None
            cache[path] = kept[0] if kept is not None else text
        if cache[path] is None:
            continue
        source.text = cache[path]
        if not _check_sha256(source, problems):
            continue  # the quotes were checked against another text: checking them again proves nothing
        if memo is None:
            index[source.id] = normalise(source.text)
            continue
        kept = memo.texts.get(source.text)
        index[source.id] = kept[1] if kept is not None else normalise(source.text)
    if memo is not None:  # only this build's archives stay
        memo.texts = {source.text: (source.text, index[source.id]) for source in project.sources
                      if source.id in index}
    return index


def archive_sha256(text: str) -> str:
    """The hash a source records: of the archived file's bytes (read_text decodes them unchanged)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _check_sha256(source: Source, problems: Problems) -> bool:
    """The archive is the text the quotes were checked against: a changed file is an error."""
    actual = archive_sha256(source.text)
    if source.sha256 is None:
        _error(problems, source.where, f"source '{source.id}' records no sha256 of its archive ({source.archive})",
               f"add 'sha256: {actual}' after checking that seeds/{source.archive} is the text as archived")
        return False
    if source.sha256 != actual:
        where = source.spot.field("sha256") if source.spot else source.where
        _error(problems, where, f"the archive of source '{source.id}' ({source.archive}) has changed since its "
               "sha256 was recorded",
               "archived texts are never edited: restore the file from version control; if the source itself "
               f"must be replaced, archive it as a new source (its sha256 is now {actual})")
        return False
    return True


def archive_path(seeds: Path, source: Source, problems: Problems, inside: Path | None = None) -> Path | None:
    """Resolve a source's `archive` strictly inside seeds/: no '..', no absolute path, no symlink out.

    ``inside``: seeds/ resolved, once for every source of a build (at 1,000 sources, 0.1 s a build).
    """
    rel = PurePosixPath(source.archive)
    where = source.archive_where
    if rel.is_absolute() or ".." in rel.parts or "\\" in source.archive:
        _error(problems, where, f"archive '{source.archive}' must be a path inside seeds/",
               "write just the file name under seeds/, e.g. '003_article.txt'")
        return None
    path = seeds / rel
    try:
        resolved = path.resolve(strict=True)
    except (OSError, RuntimeError):
        _error(problems, where, f"archive '{source.archive}' does not exist in seeds/",
               "copy the source's text into seeds/ or fix the file name")
        return None
    if not resolved.is_relative_to(inside or seeds.resolve()):
        _error(problems, where, f"archive '{source.archive}' points outside seeds/",
               "archived texts must be real files inside seeds/, not links elsewhere")
        return None
    if not resolved.is_file():
        _error(problems, where, f"archive '{source.archive}' is not a file", "point at the text file itself")
        return None
    return resolved


def _check_citations(project: Project, index: dict[str, str], problems: Problems,
                     memo: QuoteMemo | None = None) -> set[str]:
    """Check every quote against its archive; return the ids of facts with a quote not verified."""
    sources = project.sources_by_id
    finder = PassageFinder()  # one time budget for every hint of the build
    unverified: set[str] = set()
    found = memo.found if memo is not None else None
    found_now: dict[tuple[str, str], tuple[str, int, int]] = {}
    for fact in project.facts:
        for citation in fact.citations:
            source = sources.get(citation.source)
            if source is None:
                # With no valid source at all, sources.yaml's own errors say why: don't repeat it per quote.
                if citation.source not in project.invalid_ids and project.sources:
                    _error(problems, citation.where, f"fact '{fact.id}' cites the unknown source '{citation.source}'",
                           _did_you_mean(citation.source, sources, "content/sources.yaml"))
                unverified.add(fact.id)
                continue
            if not source.cited_by or source.cited_by[-1] is not fact:  # facts come one by one: O(1), not
                source.cited_by.append(fact)  # a scan comparing every field of every fact already listed
            text = index.get(source.id)
            if text is None:
                unverified.add(fact.id)
                continue  # the archive problem is already reported
            if found is not None:  # the same quote in the same text: found where it was last time
                key = (source.id, citation.quote)
                hit = found.get(key)
                if hit is not None and hit[0] is text:
                    citation.offset, citation.length = hit[1], hit[2]
                    found_now[key] = hit
                    continue
            quote = normalise(citation.quote)
            citation.offset = text.find(quote)  # as fast as `in`; spares the page a second search
            if citation.offset >= 0:
                citation.length = len(quote)
                if found is not None:
                    found_now[(source.id, citation.quote)] = (text, citation.offset, citation.length)
                continue
            unverified.add(fact.id)
            if quotes.is_elided(citation.quote):
                _check_elided(fact, source, citation.quote, citation.where, text, problems, finder)
            else:
                _error(problems, citation.where,
                       f"the quote for fact '{fact.id}' is not in source '{source.id}' ({source.archive})",
                       finder.hint(text, quote))
    if memo is not None:
        memo.found = found_now
    return unverified


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


def _did_you_mean(name: str, known: dict, where: str) -> str:
    from difflib import get_close_matches

    close = get_close_matches(name, list(known), n=1, cutoff=0.6)  # pragma: no mutate (n: only the best is shown)
    return f"did you mean '{close[0]}'?" if close else f"use an id defined in {where}"


def _check_references(project: Project, problems: Problems) -> None:
    facts = project.facts_by_id
    if not facts:
        return  # facts.yaml could not be read or has no valid fact; its own errors say why
    for ref in project.references:
        if ref.fact_id not in facts and ref.fact_id not in project.invalid_ids:
            _error(problems, ref.where, f"unknown fact '{ref.fact_id}'",
                   _did_you_mean(ref.fact_id, facts, "content/facts.yaml"))


def _check_unused(project: Project, problems: Problems, unsure: set[str] = frozenset()) -> None:
    """Unused facts and sources are not wrong, but usually a forgotten citation.

    Kinds in ``unsure`` are skipped: a file that uses them has errors, so its uses are not all known.
    """
    used = {ref.fact_id for ref in project.references}
    for fact in project.facts if "fact" not in unsure else ():
        if fact.id not in used:
            w = fact.where
            problems.warning(w.path, w.line, w.column, f"fact '{fact.id}' is not cited anywhere",
                             "cite it in a summary, timeline event, comparison or glossary entry, or remove it")
    for source in project.sources if "source" not in unsure else ():
        if not source.cited_by:
            w = source.where
            problems.warning(w.path, w.line, w.column, f"source '{source.id}' is not cited by any fact",
                             "cite it from a fact, or remove it")
