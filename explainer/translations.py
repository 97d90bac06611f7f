"""Checking the editions: `languages:` in site.yaml, `translations:` beside entries, translated summaries.

Part of the check stage (no Babel, nothing rendered). What it reports, each with file, line, column:
- an error for a translation into a language that is not one of `languages` (or is the original's);
- an error for a translated field that does not exist (the schema's own unknown-key error, schema.py);
- a warning per entry that lacks a translated field, naming the entry, the language and the fields:
  the page then shows the original text, marked (editions.py), never a silent hole;
- for content/summaries/LANG/*.md: the same checks as the originals (front matter, every paragraph
  cites a fact, every cited fact exists), an error for a file with no original of the same name, and
  a warning for an original with no translation or a translation citing other facts than it.
"""

from __future__ import annotations

from itertools import chain
from operator import attrgetter
from pathlib import Path
from typing import Any

from .checker import MISSPELT
from .entries import views
from .errors import Problems
from .kept_checks import KeptChecks, facts_to_look_at, remember
from .load import Loaded, load_summaries
from .markdown_checks import check_local_links
from .model import Project, Reference, Where
from .schema import CHART, CITATION, COMPARISON, EVENT, FACT, GLOSSARY, SITE, SOURCE, TOPIC, Record


def _translatable(rec: Record) -> tuple[str, ...]:
    """The fields a record's `translations:` takes (schema.translatable), nested ones as "figure.qualifier"."""
    translations = next(f for f in rec.fields if f.name == "translations")
    names: list[str] = []
    for f in translations.type.record.fields:
        if isinstance(f.type, Record):
            names += [f"{f.name}.{inner.name}" for inner in f.type.fields]
        else:
            names.append(f.name)
    return tuple(names)


# Reader-facing fields per kind of entry, read from the schema: one list of what is translatable.
FIELDS: dict[str, tuple[str, ...]] = {kind: _translatable(rec) for kind, rec in (
    ("site", SITE), ("topic", TOPIC), ("chart", CHART), ("source", SOURCE), ("citation", CITATION),
    ("fact", FACT), ("event", EVENT), ("comparison", COMPARISON), ("glossary entry", GLOSSARY))}

# English names for the messages (the check stage does not load Babel); other codes are shown as they are.
NAMES = {"en": "English", "uk": "Ukrainian", "ru": "Russian", "de": "German", "fr": "French", "es": "Spanish",
         "pl": "Polish", "it": "Italian", "pt": "Portuguese", "nl": "Dutch", "ar": "Arabic", "he": "Hebrew",
         "ka": "Georgian", "ro": "Romanian", "cs": "Czech", "be": "Belarusian", "kk": "Kazakh", "tr": "Turkish"}

def own_fields(kind: str) -> tuple[str, ...]:
    """An entry's translatable fields of its own, without the nested ones ("figure.qualifier")."""
    return tuple(name for name in FIELDS[kind] if "." not in name)


# Translatable, but a name is usually kept as it is: no warning when it has no translation.
NAMES_KEPT = {"site": ("publisher",)}
MISSING_HINT = "until it is translated, the page shows the original, marked as not yet translated"
QUOTE_HINT = "until it is translated, the page shows the quote in the source's own words only"


def language_name(code: str) -> str:
    return NAMES.get(code, NAMES.get(code.split("-")[0].lower(), code) if "-" in code else code)


def original(item: Any, name: str) -> Any:
    """A field's original value; "figure.qualifier" reads inside the nested object."""
    if "." in name:
        outer, inner = name.split(".")
        value = getattr(item, outer, None)
        if value is None:
            return None
        return value.get(inner) if isinstance(value, dict) else getattr(value, inner, None)
    return getattr(item, name, None)


def translated(item: Any, language: str, name: str) -> Any:
    """A field's translation into ``language``, or None."""
    given = (getattr(item, "translations", None) or {}).get(language)
    if not given:
        return None
    if "." in name:
        outer, inner = name.split(".")
        return (given.get(outer) or {}).get(inner)
    return given.get(name)


def _before_facts(project: Project) -> list[tuple[str, Any, Any]]:
    """(kind, entry, the fact of a citation) for every entry that can carry translations and comes
    before the facts, in file order (the facts and their quotes are checked one fact at a time)."""
    site = project.site
    out: list[tuple[str, Any, Any]] = [("site", site, None)]
    out += [("topic", t, None) for t in site.topics]  # type: ignore[union-attr]
    out += [("chart", c, None) for c in site.charts]  # type: ignore[union-attr]
    return out + [("source", s, None) for s in project.sources]


def _after_facts(project: Project) -> list[tuple[str, Any, Any]]:
    """The same for every entry after the facts."""
    return ([("event", e, None) for e in project.events] + [("comparison", c, None) for c in project.comparisons]
            + [("glossary entry", t, None) for t in project.glossary])


def name(kind: str, item: Any, fact: Any = None) -> str:
    """How messages name an entry (a kind of `FIELDS`; the fact of a citation)."""
    if kind == "site":
        return "site.yaml"
    if kind == "citation":
        return f"citation {fact.citations.index(item) + 1} of fact '{fact.id}'"
    return f"{kind} '{item.series if kind == 'chart' else item.id}'"


def check_translations(project: Project, loaded: Loaded, problems: Problems, kept: KeptChecks | None = None) -> None:
    """Every check of the editions (see the module's docstring); nothing to do for one edition only.
    ``kept``: the preview's memo of passes over every fact (kept_checks.py)."""
    site = project.site
    if site is None:
        return
    root = project.root
    site_doc = loaded.docs.get("site.yaml")
    if site.language not in site.languages:
        line, column = site_doc.mark(("languages",)) if site_doc else (1, 1)
        problems.error(root / "site.yaml", line, column,
                       f"`languages` does not include the original language '{site.language}'",
                       f"add {site.language} to the list: the content is written in it, and its edition is the "
                       "site's root")
    others = [code for code in site.languages if code != site.language]
    # A story in one language, untranslated: nothing to say. Asked every build, so that what the
    # preview keeps of the answer (kept_checks.py) stays of use when `languages` changes.
    if _any_translations(project, kept) or others:
        _check_entries(project, loaded, problems, others)
    for code in others:
        project.translated_summaries[code] = _summaries(project, loaded, code, problems)
        check_local_links(project, problems, code)  # the edition's own links, read from its folder


_TRANSLATIONS, _CITATIONS = attrgetter("translations"), attrgetter("citations")


def _any_translations(project: Project, kept: KeptChecks | None = None) -> bool:
    """Whether any entry carries `translations:`, looked for at C speed (1.9 ms at 10,000 facts
    against 7.7 ms for going through every entry one by one). The facts renewed in the preview, and
    their quotes, are looked at again only if one had translations last time (kept_checks.py)."""
    site = project.site
    facts = facts_to_look_at(kept, "translations", None, project.facts)
    in_facts = any(map(_TRANSLATIONS, facts)) or any(map(_TRANSLATIONS, chain.from_iterable(map(_CITATIONS, facts))))
    remember(kept, "translations", None, not in_facts)
    return in_facts or any(any(map(_TRANSLATIONS, items)) for items in (
        [site], site.topics, site.charts, project.sources, project.events,  # type: ignore[union-attr]
        project.comparisons, project.glossary))


# A fact's own warnings, with its quotes', as its last check gave them: ((the languages besides the
# original's, its file as messages name it, its line), the warnings). The fact the preview keeps for an
# unchanged entry (renewed.items) is the same object, moved with its entry: its warnings are the same
# while the key is.
_WARNED = "_untranslated"


def _check_entries(project: Project, loaded: Loaded, problems: Problems, others: list[str]) -> None:
    """Each entry's translations: into a published language, and one warning per language it lacks
    fields in. ``others``: the languages besides the original's."""
    docs_by_path = {doc.path: doc for doc in loaded.docs.values()}
    unpublished: dict[str, list[tuple[str, Where, Any]]] = {}  # language → every entry translated into it
    starts: dict[Path, dict[tuple[int, int], Any]] = {}  # each list file's items by where they start

    def check(kind: str, item: Any, fact: Any) -> bool:
        """One entry's checks; whether it is translated into a language not published."""
        given = getattr(item, "translations", None) or {}
        if not given and not others:
            return False
        where = _where(project, loaded, kind, item)
        called = name(kind, item, fact)
        for code, fields in given.items():
            if code not in others:
                at = _key_position(docs_by_path.get(where.path), kind, fact or item, where, fields["_keypath"], starts)
                unpublished.setdefault(code, []).append((called, at, fields))
        # One message per mistake: no "has no … translation" for what a misspelt key or code meant (its error says it)
        meant = {_meant(code, others) for code in given if code not in others}
        for code in others:
            if code in meant:
                continue
            misspelt = (given.get(code) or {}).get(MISSPELT, ())
            missing = [f for f in FIELDS[kind] if f not in NAMES_KEPT.get(kind, ()) and f.split(".")[0] not in misspelt
                       and original(item, f) and not translated(item, code, f)]
            if missing:
                problems.warning(where.path, where.line, where.column,
                                 f"{called} has no {language_name(code)} {', '.join(missing)} "
                                 f"(translations: {code}: {', '.join(missing)})",
                                 QUOTE_HINT if kind == "citation" else MISSING_HINT)
        return any(code not in others for code in given)

    for kind, item, fact in _before_facts(project):
        check(kind, item, fact)
    languages = tuple(others)
    for fact in project.facts:
        key = (languages, problems.relpath(fact.where.path), fact.where.line)
        warned = fact.__dict__.get(_WARNED)
        if warned is not None and warned[0] == key:
            problems.items.extend(warned[1])
            continue
        before = len(problems.items)
        unpublished_here = check("fact", fact, None)
        for citation in fact.citations:
            unpublished_here = check("citation", citation, fact) or unpublished_here
        if not unpublished_here:  # (those are reported together, below)
            fact.__dict__[_WARNED] = (key, tuple(problems.items[before:]))
    for kind, item, fact in _after_facts(project):
        check(kind, item, fact)
    for code, found in unpublished.items():
        _report_unpublished(code, found, project.site.language, problems, others)  # type: ignore[union-attr]


# Country codes written for the language of that country (`ua` for Ukrainian is the usual slip).
COUNTRY_CODES = {"ua": "uk", "gr": "el", "cz": "cs", "dk": "da", "se": "sv", "jp": "ja", "cn": "zh", "kr": "ko",
                 "by": "be", "ge": "ka", "kz": "kk", "ee": "et", "rs": "sr", "si": "sl", "il": "he", "vn": "vi"}


def _meant(code: str, others: list[str]) -> str | None:
    """The published language a translation's code not in `languages` most likely meant, or None."""
    if COUNTRY_CODES.get(code.lower()) in others:
        return COUNTRY_CODES[code.lower()]
    from difflib import get_close_matches  # only for a code not published: an error path

    close = get_close_matches(code, others, n=1, cutoff=0.6)
    return close[0] if close else None


def _report_unpublished(code: str, found: list[tuple[str, Where, Any]], language: str, problems: Problems,
                        others: list[str] = ()) -> None:
    """One error per language not published: at its first translation, counting the others.

    One mistake, one message: a whole translated story with `languages` not yet set is one error.
    """
    name, at, _ = found[0]
    why = ("the original language: its text is the entry's own fields" if code == language
           else "not one of `languages` in site.yaml")
    more = f" (and {len(found) - 1} more entries)" if len(found) > 1 else ""
    hint = ("remove the translation" if code == language
            else f"publish that edition by adding '{code}' to `languages` in site.yaml, or remove the translation")
    meant = _meant(code, list(others)) if code != language else None
    if meant is not None:
        hint = f"did you mean '{meant}'? (else {hint})"
    problems.error(at.path, at.line, at.column, f"{name} has a translation into '{code}', {why}{more}", hint)


def _key_position(doc: Any, kind: str, entry: Any, where: Where, keypath: tuple,
                  starts: dict[Path, dict[tuple[int, int], Any]]) -> Where:
    """Where the key at ``keypath`` is: in site.yaml the file's own key path; in a list file the
    path within ``entry`` (a fact for its quotes), whose item is found by where it starts (only
    for a translation into a language not published, an error: ``starts`` keeps each file's
    items by where they start, looked up once)."""
    if doc is None:
        return where
    if kind not in ("site", "topic", "chart"):
        if where.path not in starts:
            starts[where.path] = {view.mark(()): view for view in views(doc)}
        view = starts[where.path].get((entry.where.line, entry.where.column))
        return Where(where.path, *view.mark(keypath, key=True)) if view is not None else where
    return Where(where.path, *doc.mark(keypath, key=True))


def _where(project: Project, loaded: Loaded, kind: str, item: Any) -> Where:
    """Where an entry starts; topics and charts keep no position of their own, so it is looked up."""
    where = getattr(item, "where", None)
    if where is not None:
        return where
    doc = loaded.docs.get("site.yaml")
    path = project.root / "site.yaml"
    if doc is None:
        return Where(path, 1, 1)
    if kind == "site":
        line, column = doc.mark(("title",), key=True)
    else:
        field = "topics" if kind == "topic" else "charts"
        line, column = doc.mark((field, getattr(project.site, field).index(item)))
    return Where(path, line, column)


def _summaries(project: Project, loaded: Loaded, code: str, problems: Problems) -> list:
    """content/summaries/CODE/*.md, checked like the originals; none yet is one warning, not an error."""
    from .markdown_checks import half_citations, inline_refs  # the originals' own checks
    from .suggest import Suggestions
    from .validate import _summaries as build_summaries

    folder = project.root / "content" / "summaries" / code
    originals = {s.file_name: s for s in project.summaries}
    if not folder.is_dir():
        if originals:
            problems.warning(folder, 1, 1, f"there are no {language_name(code)} summaries (content/summaries/{code}/)",
                             f"translate each summary into content/summaries/{code}/ under the same file name; "
                             "until then the page shows the originals, marked as not yet translated")
        return []
    files = load_summaries(folder, problems)
    summaries = build_summaries(Loaded({}, files), problems)
    facts = project.facts_by_id
    suggestions = Suggestions(facts, "content/facts.yaml")
    written = {path.name for path in folder.parent.glob("*.md")}  # an original that failed to load still is one
    for summary in summaries:
        source = originals.get(summary.file_name)
        if source is None and summary.file_name not in written:
            problems.error(summary.where.path, 1, 1, f"{summary.file_name} has no original in content/summaries/",
                           "a translated summary has the same file name as the summary it translates: "
                           + (", ".join(sorted(written)) or "there is none yet"))
            continue
        refs = inline_refs(summary.body, Where(summary.where.path, summary.body_line, 1), problems)
        for ref in refs if facts else ():  # no fact: facts.yaml could not be read; its own error stands alone
            if ref.fact_id not in facts and ref.fact_id not in project.invalid_ids:
                problems.error(ref.where.path, ref.where.line, ref.where.column, f"unknown fact '{ref.fact_id}'",
                               suggestions.hint(ref.fact_id))
        if source is None:
            continue  # its original failed to load (its own errors say why): nothing to compare with yet
        if not half_citations(source.body) and not half_citations(summary.body):  # those are errors already
            _compare_citations(summary, source, refs, problems, set(facts) | project.invalid_ids)
    done = {s.file_name for s in summaries}
    for name, summary in originals.items():
        if name not in done:
            problems.warning(summary.where.path, 1, 1, f"summary {name} has no {language_name(code)} translation "
                             f"(content/summaries/{code}/{name})",
                             "until it is translated, the page shows the original, marked as not yet translated")
    return [s for s in summaries if s.file_name in originals]


def _compare_citations(summary: Any, source: Any, refs: list[Reference], problems: Problems,
                       known: set[str]) -> None:
    """A translation rests on the same facts as its original: a different set is worth a look.

    Not while either cites a fact that does not exist: that is an error of its own, and a warning
    about the difference it makes would be a second message for one mistake (asking the translation
    to cite the misspelt id, or to drop the right one)."""
    from .markdown_checks import CITE

    mine = {r.fact_id for r in refs}
    theirs = {c.strip() for c in CITE.findall(source.body)}
    if not (mine | theirs) <= known:
        return
    if mine != theirs:
        extra, lost = sorted(mine - theirs), sorted(theirs - mine)
        said = "; ".join(part for part in (
            f"cites {', '.join(extra)} which the original does not" if extra else "",
            f"does not cite {', '.join(lost)} which the original does" if lost else "") if part)
        problems.warning(summary.where.path, summary.body_line, 1,
                         f"the translation of {summary.file_name} {said}",
                         "a translation rests on the same facts as its original: cite the same [[fact-id]]s")
