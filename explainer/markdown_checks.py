"""Stage 2, the texts: checks of what editors write in Markdown, before anything is rendered.

A summary's paragraphs each cite a fact; every `[[fact-id]]` citation is found with its line and
column, for the provenance check (verify.py); and markup the sanitiser (markdown_render.py, nh3) would
drop, raw HTML tags and links that are not http(s), is a warning, in texts and in date notes with a link.
"""

from __future__ import annotations

import posixpath
import re
from html import unescape
from operator import attrgetter
from pathlib import Path
from urllib.parse import unquote

from .errors import Problems
from .model import Event, Fact, Project, Reference, Source, Spot, Term, Where, field_at
from .schema import SLUG, TODO

CITE = re.compile(r"\[\[([^\[\]\n]*)\]\]")
# A citation written with a bracket too few, which the page would show as written: `[[` that no `]]`
# closes on its line, or a fact id in `[…]]`; not a Markdown link in brackets (`[[text](https://…)]`,
# `[see [1]](https://…)`).
_HALF_CITE = re.compile(r"\[\[(?![^\[\]\n]*\]\])(?![^\[\]\n]*\]\()|(?<!\[)\[[a-z0-9][a-z0-9-]*\]\](?![\](])")
# Markdown the sanitiser (markdown_render.py, nh3) would drop: raw HTML tags and links that are not http(s).
_HTML_TAG = re.compile(r"<([A-Za-z][A-Za-z0-9-]*)(?=[\s/>])")
_LINK = re.compile(r"\]\(\s*<?((?:[^\s()<>]|\([^\s()]*\))+)"  # [text](target), one level of (…) inside
                   r"|\bhref\s*=\s*[\"']?([^\"'\s>]+)"  # <a href="target">
                   r"|<([A-Za-z][A-Za-z0-9+.-]*:[^\s>]*)>")  # <scheme:target>
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.S)
# A link with a scheme, or to another host: not one of this site's files (also the build's link check: assets.py).
OTHER_SITE = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//)")
_DATE_NOTE = attrgetter("date_note")


def paragraphs(body: str, first_line: int) -> list[tuple[int, str]]:
    """(line, text) of each block of a Markdown body: blocks are separated by blank lines."""
    blocks: list[tuple[int, str]] = []
    start, lines = 0, []
    for number, line in enumerate(body.split("\n"), start=first_line):
        if line.strip():
            start = start if lines else number
            lines.append(line)
        elif lines:
            blocks.append((start, "\n".join(lines)))
            lines = []
    if lines:
        blocks.append((start, "\n".join(lines)))
    return blocks


def check_paragraphs(path: Path, body: str, body_line: int, problems: Problems) -> None:
    """A summary says something, and every paragraph of it rests on facts: no TODO, no uncited text."""
    blocks = [(line, text) for line, text in paragraphs(body, body_line)
              if not re.fullmatch(r"\s*(?:<!--.*?-->\s*)+", text, re.S)]  # an editor's comment is not text
    if not blocks:
        problems.error(path, body_line, 1, "the summary has no text",
                       "write at least one paragraph below the front matter, citing its facts as [[fact-id]]")
    for line, text in blocks:
        if text.lstrip().startswith(TODO):
            problems.error(path, line, 1, "the summary still has its TODO placeholder text",
                           "replace it with the section's own paragraphs, each citing its facts as [[fact-id]]")
        elif not CITE.search(text) and not half_citations(text):  # a half citation is its own error
            problems.error(path, line, 1, "this paragraph cites no fact",
                           "end it with the facts it rests on, e.g. [[fact-id]]: every summary paragraph is sourced")


def references(project: Project, problems: Problems) -> list[Reference]:
    """Every place that names a fact, with its position, for the provenance check."""
    refs: list[Reference] = []
    for item in [*project.events, *project.comparisons, *project.glossary]:
        refs += item.refs
        text = item.definition if isinstance(item, Term) else item.text
        refs += inline_refs(text, item.text_where, problems, inline=True)
        check_markup(text, item.text_where, problems, inline=True)
    for summary in project.summaries:
        start = Where(summary.where.path, summary.body_line, 1)
        refs += inline_refs(blank_placeholders(summary.body), start, problems)  # a TODO is reported once
        check_markup(summary.body, start, problems)
    return refs


def check_note_links(problems: Problems, sources: list[Source], facts: list[Fact], events: list[Event]) -> None:
    """A date note with a link is read as inline Markdown: warn of what the sanitiser would drop."""
    for note, where in _note_texts(sources, facts, events):
        check_markup(note, where, problems, inline=True)


def blank_placeholders(body: str) -> str:
    """The body with its TODO paragraphs blanked out (lines kept, so positions stay right)."""
    parts = re.split(r"(\n[ \t]*\n)", body)
    return "".join(re.sub(r"[^\n]", " ", p) if p.lstrip().startswith(TODO) else p for p in parts)


def check_markup(text: str, start: Where | Spot, problems: Problems, inline: bool = False) -> None:
    """Warn about Markdown the sanitiser will drop, so an editor is not surprised by the page."""
    if "<" not in text and "](" not in text:  # no tag, no autolink, no Markdown link: nothing to drop
        return
    from .markdown_guard import ALLOWED_SCHEMES, ALLOWED_TAGS  # only for texts that may hold HTML or links

    text = _CODE_SPAN.sub(lambda m: " " * len(m.group(0)), text)  # code spans show HTML as text
    found: list[tuple[int, str, str]] = []
    for match in _HTML_TAG.finditer(text):
        if match.group(1).lower() not in ALLOWED_TAGS:
            found.append((match.start(), f"the HTML tag <{match.group(1)}> is removed from the page",
                          "write Markdown instead (**bold**, *italic*, [text](https://…)); "
                          "raw HTML tags are dropped"))
    for match in _LINK.finditer(text):
        group = next(i for i, g in enumerate(match.groups(), start=1) if g is not None)
        target = match.group(group)
        scheme = _SCHEME.match(target)
        if scheme and scheme.group(1).lower() not in ALLOWED_SCHEMES:
            found.append((match.start(group), f"the link '{target}' is removed from the page",
                          "only http:// and https:// links are kept: link to the web address instead"))
    for offset, message, hint in sorted(found):
        where = _at(text, offset, start, inline)  # the tag or link itself in a summary; the field in YAML
        problems.warning(where.path, where.line, where.column, message, hint)


def inline_refs(text: str, start: Where | Spot, problems: Problems, inline: bool = False) -> list[Reference]:
    """Find `[[fact-id]]` citations; in summaries, pinpoint their line and column."""
    refs = []
    # lines counted up to `counted`: linear, not per citation (an inline text's start is read on an error only)
    line, line_start, counted = 0 if inline else start.line, 0, 0
    for match in CITE.finditer(text):
        if inline:
            where = start
        else:
            at = match.start()
            newlines = text.count("\n", counted, at)
            if newlines:
                line += newlines
                line_start = text.rfind("\n", counted, at) + 1
            counted = at
            where = Where(start.path, line, at - line_start + 1)
        fact_id = match.group(1).strip()
        if not SLUG.fullmatch(fact_id):
            problems.error(where.path, where.line, where.column, f"'[[{match.group(1)}]]' is not a valid citation",
                           "cite a fact by its id, e.g. [[general-staff-971-captured]]")
            continue
        refs.append(Reference(fact_id, where))
    if "[[" in text or "]]" in text:
        for offset, written in half_citations(text):
            where = _at(text, offset, start, inline)
            problems.error(where.path, where.line, where.column,
                           f"the citation '{written}' is not {'closed' if written.startswith('[[') else 'opened'}"
                           " with two brackets", "write a citation as [[fact-id]]: two brackets on each side; "
                           "as it is, the page would show the brackets and the id as text")
    return refs


def half_citations(text: str) -> list[tuple[int, str]]:
    """(offset, as written) of each citation a bracket short (`[[id]`, `[[id`, `[id]]`), outside code spans."""
    if "[[" not in text and "]]" not in text:
        return []
    text = _CODE_SPAN.sub(lambda m: " " * len(m.group(0)), text) if "`" in text else text
    return [(m.start(), re.match(r"\[*[^\s\[]*", text[m.start():m.start() + 80]).group(0))  # type: ignore[union-attr]
            for m in _HALF_CITE.finditer(text)]


def check_local_links(project: Project, problems: Problems, code: str | None = None) -> None:
    """A relative link in a text must name a file the build writes (site_files.py).

    Checked here, in the same pass as every other mistake and by `check` too, not after rendering:
    there any other error hid it, and `check` never saw it. The layout is made only when a text
    links relatively, which is rare. ``code``: another edition's translated texts, whose pages are
    in its folder (`uk/`), so their links are read from there.
    """
    texts = _linking_texts(project) if code is None else _translated_texts(project, code)
    links = [(link, where) for text, start, inline in texts for link, where in _written_links(text, start, inline)]
    _check_fragments(project, [(link, where) for link, where in links if link.startswith("#")], problems)
    found = [(link, where) for link, where in links if _relative(link)]
    if not found:
        return
    from .assets import unmet_links
    from .paginate import layout
    from .site_files import LEFT_TO_THE_BUILD, written

    names = written(project, layout(project))
    reported: set[tuple[str, Path, int, int]] = set()
    for link, where in found:
        path = link.split("#", 1)[0].split("?", 1)[0]
        if path.startswith(LEFT_TO_THE_BUILD):
            continue
        unmet = unmet_links([(link, *_target(path, f"{code}/" if code else ""))], names)
        key = (link, where.path, where.line, where.column)
        if unmet and key not in reported:
            reported.add(key)
            problems.error(where.path, where.line, where.column, f"the link '{link}' is broken: {unmet[0][1]}",
                           "link to another site with its full https:// address, or to a part of this page with #id")


def _target(path: str, folder: str = "") -> tuple[str, str]:
    """(the output file a relative link from a page in ``folder`` names, why it is broken already),
    as assets.page_links reads it from a page."""
    if path.startswith("/"):
        return "", "a link from the domain root breaks under a sub-path and from disk"
    target = posixpath.normpath(posixpath.join(folder, path or "."))
    if path.endswith("/") or path in ("", ".", ".."):
        target = posixpath.join(target, "index.html").removeprefix("./")
    return target, ""


def _linking_texts(project: Project) -> list[tuple[str, Where | Spot, bool]]:
    """(text, where it starts, inline) of each Markdown text that may hold a link: summaries, the
    timeline's, comparisons' and glossary's texts, and date notes with a link (read as Markdown)."""
    out: list[tuple[str, Where | Spot, bool]] = []
    for summary in project.summaries:
        if "](" in summary.body or "href" in summary.body:
            out.append((summary.body, Where(summary.where.path, summary.body_line, 1), False))
    for item in [*project.events, *project.comparisons, *project.glossary]:
        text = item.definition if isinstance(item, Term) else item.text
        if ("](" in text or "href" in text) and item.text_where is not None:
            out.append((text, item.text_where, True))
    out += [(note, where, True) for note, where in _note_texts(project.sources, project.facts, project.events)]
    return out


def _translated_texts(project: Project, code: str) -> list[tuple[str, Where | Spot, bool]]:
    """The same for one edition's translations: its summaries, and the translated texts and date notes."""
    out: list[tuple[str, Where | Spot, bool]] = [
        (s.body, Where(s.where.path, s.body_line, 1), False) for s in project.translated_summaries.get(code, ())
        if "](" in s.body or "href" in s.body]
    for item in [*project.events, *project.comparisons, *project.glossary]:
        key = "definition" if isinstance(item, Term) else "text"
        given = (item.translations or {}).get(code) or {}
        for name in (key, "date_note"):
            text = given.get(name)
            if isinstance(text, str) and "](" in text:
                out.append((text, _sibling(item.text_where, "translations", code, name) or item.where, True))
    for entry in [*project.sources, *project.facts]:
        name = "facts_date_note" if isinstance(entry, Source) else "date_note"
        text = ((entry.translations or {}).get(code) or {}).get(name)
        if isinstance(text, str) and "](" in text:
            out.append((text, field_at(entry, "translations", code, name), True))
    return out


def _note_texts(sources: list[Source], facts: list[Fact], events: list[Event]) -> list[tuple[str, Where | Spot]]:
    """Each date note with a Markdown link, at its own field: (text, where)."""
    notes: list[tuple[str, Where | Spot]] = [
        (s.facts_date_note, field_at(s, "facts_date_note")) for s in sources
        if s.facts_date_note and "](" in s.facts_date_note]
    if "](" in " ".join(filter(None, map(_DATE_NOTE, facts))):  # one search in C: most facts have no link
        notes += [(f.date_note, field_at(f, "date_note")) for f in facts
                  if f.date_note and "](" in f.date_note]
    notes += [(e.date_note, _sibling(e.text_where, "date_note") or e.where) for e in events
              if e.date_note and "](" in e.date_note]
    return notes


def _sibling(where: Where | Spot | None, *keys: str) -> Spot | None:
    """The position of another field of the entry whose text field is at ``where`` (found when reported)."""
    if isinstance(where, Spot) and where.keypath:
        return Spot(where.doc, where.keypath[:-1] + keys)
    return None


def _written_links(text: str, start: Where | Spot, inline: bool) -> list[tuple[str, Where | Spot]]:
    """Each link in a Markdown text with where it is written: its own line and column in a summary,
    the field's start in a YAML text (whose lines are not the file's)."""
    text = _CODE_SPAN.sub(lambda m: " " * len(m.group(0)), text)  # code spans show a link as text
    out = []
    for match in _LINK.finditer(text):
        group = next(i for i, g in enumerate(match.groups(), start=1) if g is not None)
        link = unescape(match.group(group)) if "&" in match.group(group) else match.group(group)
        out.append((link, _at(text, match.start(group), start, inline)))
    return out


def _relative(link: str) -> bool:
    """Not a part of this page, not another site, and no scheme the sanitiser drops (check_markup warns of it)."""
    return not (link.startswith("#") or OTHER_SITE.match(link) or ":" in re.split(r"[/?#]", link, maxsplit=1)[0])


# The anchors the page gives each kind of entry (templates, validate.py's section slugs), and the file it is in.
_ANCHORS = {"event-": ("event", "content/timeline.yaml"), "source-": ("source", "content/sources.yaml"),
            "term-": ("glossary entry", "content/glossary.yaml"),
            "compare-": ("comparison", "content/comparisons.yaml"), "section-": ("summary", "content/summaries/")}


def _check_fragments(project: Project, links: list[tuple[str, Where | Spot]], problems: Problems) -> None:
    """A link to a part of the page by an entry's anchor (`#compare-ID`, `#event-ID`, `#term-ID`, `#source-ID`,
    `#section-NAME`) must name an entry that exists: the page would publish a link that goes nowhere."""
    if not links:
        return
    known = {"event-": {e.id for e in project.events}, "source-": {s.id for s in project.sources},
             "term-": {t.id for t in project.glossary}, "compare-": {c.id for c in project.comparisons},
             "section-": {s.slug.removeprefix("section-") for s in project.summaries}}
    for link, where in links:
        fragment = unquote(link[1:])
        prefix = next((p for p in _ANCHORS if fragment.startswith(p)), None)
        if prefix is None or fragment[len(prefix):] in known[prefix]:
            continue
        kind, place = _ANCHORS[prefix]
        problems.error(where.path, where.line, where.column,
                       f"the link '{link}' goes nowhere: there is no {kind} '{fragment[len(prefix):]}'",
                       f"write the id as it is in {place} after '#{prefix}', or cite a fact with [[fact-id]]")


def _at(text: str, offset: int, start: Where | Spot, inline: bool) -> Where | Spot:
    """Where the character at ``offset`` of a text is: in a summary its own line and column; in a
    YAML text, the field's start (its lines are not the file's), a Spot until a problem reads it."""
    if inline:
        return start
    line_start = text.rfind("\n", 0, offset) + 1
    return Where(start.path, start.line + text.count("\n", 0, offset), offset - line_start + 1)
