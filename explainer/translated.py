"""A translated copy of the verified project: what an edition of another language shows.

Everything but the reader-facing text is shared with the original (the same facts, ids, dates,
sources, archived texts and verified quotes), so the provenance chain is the original's. A field
with a translation (`translations: {uk: …}`) shows it; one without shows the original text as an
i18n.Untranslated, which the edition's pages mark with its language and "not yet translated".
Quotes are never replaced: a citation's translation is shown beside its quote (i18n.py's filter).
"""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

from markupsafe import Markup, escape

from .bidi import isolate
from .i18n import Untranslated, Words, untranslated
from .model import Fact, Project, Source
from .translations import original, own_fields, translated


def translate(project: Project, code: str, words: Words) -> Project:
    """The project as the edition ``code`` shows it: translated text where given, marked originals elsewhere."""
    lang = project.site.language

    def text(item: Any, name: str, mark: bool = True) -> Any:
        value = original(item, name)
        if not value:
            return value
        given = translated(item, code, name)
        if given:
            return given
        return untranslated(value, lang) if mark else value

    def copied(item: Any, names: tuple[str, ...], **extra: Any) -> Any:
        new = copy.copy(item)
        new.__dict__.pop("_chain", None)  # worked out for the original's words (attribution.py)
        for name in names:
            setattr(new, name, text(item, name))
        for key, value in extra.items():
            setattr(new, key, value)
        return new

    site = project.site
    new_site = copy.copy(site)
    new_site.language = code
    for name in own_fields("site"):  # shown in <title> and meta attributes: no mark there
        setattr(new_site, name, text(site, name, mark=False))
    new_site.topics = [copied(t, own_fields("topic")) for t in site.topics]
    new_site.charts = [copied(c, own_fields("chart")) for c in site.charts]
    sources = []
    for s in project.sources:
        inferred = s.published_inferred
        if inferred:
            inferred = {**inferred, "reasoning": text(s, "published_inferred.reasoning")}
        sources.append(copied(s, own_fields("source"), published_inferred=inferred,
                              language=s.language or lang))
    facts = []
    for f in project.facts:
        figure = f.figure and replace(f.figure, qualifier=text(f, "figure.qualifier", mark=False),
                                      label=text(f, "figure.label", mark=False))  # drawn in the chart's SVG
        facts.append(copied(f, own_fields("fact"), figure=figure,
                            citations=list(f.citations)))
    translated_project = replace(
        project, site=new_site, sources=sources, facts=facts,
        events=[copied(e, own_fields("event")) for e in project.events],
        comparisons=[copied(c, own_fields("comparison")) for c in project.comparisons],
        glossary=[copied(t, own_fields("glossary entry")) for t in project.glossary],
        summaries=_summaries(project, code),
    )
    by_id = {s.id: s for s in sources}
    for item in (*facts, *translated_project.events):  # a note said once on its source: the translated source's
        if item.date_note_source is not None:
            item.date_note_source = by_id[item.date_note_source.id]
    for fact, before in zip(facts, project.facts, strict=True):
        fact.__dict__["_chain"] = str(chain(fact, before, by_id, project.sources_by_id, words))
    return translated_project


def _summaries(project: Project, code: str) -> list:
    """The edition's summaries in the originals' order and anchors: translated, or the original marked."""
    done = {s.file_name: s for s in project.translated_summaries.get(code, [])}
    out = []
    for summary in project.summaries:
        given = done.get(summary.file_name)
        if given is not None:
            out.append(replace(summary, title=given.title, body=given.body, where=given.where,
                               body_line=given.body_line))
        else:
            lang = project.site.language
            out.append(replace(summary, title=untranslated(summary.title, lang), body=untranslated(summary.body, lang)))
    return out


def chain(fact: Fact, before: Fact, sources: dict[str, Source], originals: dict[str, Source], words: Words,
          wrap: Any = str) -> str:
    """"According to X, as reported by Y" in the edition's words (attribution.py writes the English).

    Whether a source reports in its own voice is decided on the original names, as in the original
    edition: the two editions then name the same reporters.
    """
    from .attribution import is_source_itself

    names = []
    for citation in fact.citations:
        source, first = sources.get(citation.source), originals.get(citation.source)
        if source is None or first is None or is_source_itself(before.attribution, first.label or first.title):
            continue
        label = source.label or source.title
        if label not in names:
            names.append(label)
    who = wrap(fact.attribution)
    if not names:
        return words.gettext("According to %(who)s") % {"who": who}
    shown = [wrap(n) for n in names]
    joined = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + words.gettext(" and ") + shown[-1]
    return words.gettext("According to %(who)s, as reported by %(sources)s") % {"who": who, "sources": joined}


def wrap(name: str) -> Markup:
    """A name on the page: isolated (bidi.py), and marked when it stands in for a missing translation."""
    if name.__class__ is Untranslated:
        return Markup('<span lang="{}">{}</span>').format(name.lang, str(name))
    return escape(isolate(name))
