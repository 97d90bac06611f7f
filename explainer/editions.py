"""Editions: the same verified project rendered once per language in site.yaml's `languages`.

The original edition (the content's own `language`) is at the site's root; each other edition is
rendered by the same templates from a translated copy of the project and written under its code
(`uk/index.html`, `uk/feed.xml`, `uk/explainer-uk.html`, `uk/embed/…`, `uk/facts.json`). The copy
shares everything but the reader-facing text: the same facts, ids, dates, sources, archived texts
and verified quotes, so every translated claim is tied to the same provenance chain as the original.

- A translated field replaces the original's text; a missing one shows the original, marked with
  its `lang` and "not yet translated" (i18n.Untranslated; the check stage warned about it).
- Quotes are never translated in place: a quote stays in its source's words and language; a
  citation's `translations: {uk: {quote: …}}` is shown beside it as the editors' translation.
- Every page gets `<link rel="alternate" hreflang>` for each edition and x-default (the original),
  a language switch, and, in a translated edition, a note that it is a translation of the original.
- One `sitemap.xml` at the root lists every edition's pages; `robots.txt` and `_headers` stay at the
  root (the latter covering each edition's `embed/`); `404.html` is the original's only.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape

from .bidi import isolate
from .catalogs import catalog_files, load_catalog
from .dates import PartialDate
from .errors import Problems
from .i18n import Untranslated, Words, mark_untranslated, native_name, untranslated
from .model import Fact, Project, Source
from .translated import chain, translate, wrap
from .translations import translated

ROOT_ONLY = ("404.html", "robots.txt", "sitemap.xml", "_headers")
_PAGE_NAME = re.compile(r"^[a-z]+-(\d{4})(?:-(\d{2}))?(?:-part-(\d+)|-(\d+))?\.html$")
_NUMBERED = re.compile(r"^[a-z]+(?:-(\d+))?\.html$")


@dataclass(frozen=True)
class Edition:
    """One edition as a page links to it: `href` is relative to the current edition's root."""

    code: str
    name: str  # in its own language: "Українська"
    url: str  # its absolute root: https://example.org/kursk/uk/
    href: str  # from the current edition's root: "", "uk/" or "../"
    current: bool


def prefix(site: Any, code: str) -> str:
    """Where an edition's pages go: the root for the original, `CODE/` for the others."""
    return "" if code == site.language else f"{code}/"


def editions(site: Any, root_url: str, current: str) -> list[Edition]:
    """Every edition, the original first, as seen from the edition ``current``; none for a single one."""
    if len(site.languages) < 2:
        return []
    up = "../" if prefix(site, current) else ""
    return [Edition(code, native_name(code), root_url + prefix(site, code),
                    up + prefix(site, code) if code != current else "", code == current)
            for code in [site.language, *(c for c in site.languages if c != site.language)]]


def words_for(code: str, site: Any, locales: tuple[Path, ...], problems: Problems) -> Words:
    """An edition's words; a language with no catalog anywhere keeps the templates' English (the
    check stage warns of it: catalogs.check_catalogs)."""
    words = Words(code, site.language, load_catalog(code, locales, problems))
    words.state = tuple((str(path), path.read_bytes()) for path in catalog_files(code, locales))
    return words


def setup(renderer: Any, site: Any, root_url: str, code: str) -> None:
    """The globals every template of an edition reads: the editions, and the one it translates."""
    found = editions(site, root_url, code)
    renderer.env.globals["editions"] = found
    root = renderer.project.root  # not the renderer: its environment's globals must not keep it alive
    renderer.env.globals["elsewhere"] = lambda: elsewhere(found, site, root)
    renderer.env.globals["translation_of"] = found[0] if found and code != site.language else None
    renderer.env.globals["links_absolute"] = False
    renderer.env.globals["site_untranslated"] = ()  # which of site.yaml's texts fall back (index.html)
    renderer.env.globals["original_language"] = site.language


@dataclass(frozen=True)
class Elsewhere:
    """Another edition as a page for the whole site (404.html) greets its readers: in its own words."""

    edition: Edition
    gettext: Any  # its catalog's gettext
    title: str  # the site's title in its language, or the original's
    title_lang: str  # the language the title is in


def elsewhere(found: list[Edition], site: Any, root: Path) -> list[Elsewhere]:
    """Every edition but the current one, each with its catalog's words (read only when a page asks)."""
    from .theme import lookup

    locales = lookup(root).locales
    out = []
    for edition in found:
        if edition.current:
            continue
        words = words_for(edition.code, site, locales, Problems(root))  # its own build reports its catalog
        title = translated(site, edition.code, "title")
        out.append(Elsewhere(edition, words.gettext, title or site.title, edition.code if title else site.language))
    return out


# Rendering an edition ---------------------------------------------------------------------------

def edition_renderer(project: Project, translated_project: Project, words: Words, theme: Any, options: Any,
                     assets: Any, memo: Any = None) -> Any:
    """A Renderer for a translated edition: marks untranslated text, writes the chain in its words."""
    from .render import Renderer

    class EditionRenderer(Renderer):
        originals_by_id = project.facts_by_id  # the original facts and sources, which the attribution chain reads
        original_sources = project.sources

        def markdown(self, text: str, inline: bool = False) -> Markup:
            if text.__class__ is not Untranslated:
                return super().markdown(text, inline)
            html = super().markdown(str(text), inline)
            note = Markup('<span class="untranslated-note">({})</span>').format(words.gettext("not yet translated"))
            if inline:
                return Markup('<span lang="{}" class="untranslated">{}</span> {}').format(text.lang, html, note)
            return Markup('<div lang="{}" class="untranslated">{}<p>{}</p></div>').format(text.lang, html, note)

        def context(self) -> dict[str, Any]:
            context = super().context()
            context["json_ld"] = Markup(json_ld_translation(str(context["json_ld"]), options.base_url[:-len(code) - 1],
                                                            code, words, self.project.facts))
            return context

        def in_context(self, citation: Any, source: Source) -> Markup:
            html = super().in_context(citation, source)
            language = source.language or project.site.language
            if html and language != code:  # the archived text is in the source's language
                html = Markup(str(html).replace("<p>", f'<p lang="{escape(language)}">', 1))
            return html

        def attributed(self, fact: Fact | str) -> str:
            if isinstance(fact, str):
                return words.gettext("According to %(who)s") % {"who": fact}
            before = originals_by_id[fact.id]
            return Markup(chain(fact, before, self._sources, project.sources_by_id, words,
                                wrap))

    originals_by_id = project.facts_by_id
    code = words.language
    renderer = EditionRenderer(translated_project, theme.templates, options, theme.static, assets, memo, words)
    renderer.env.globals["asset"] = lambda name: "../" + assets.url(name)  # assets/ is shared, at the root
    renderer.env.finalize = lambda value: isolate(mark_untranslated(value, words))
    return renderer


def render_other(project: Project, code: str, theme: Any, options: Any, assets: Any, problems: Problems,
                 workers: int, memo: Any = None) -> dict[str, bytes]:
    """One translated edition's files, under `CODE/`.

    ``memo`` (the preview's, incremental.RenderMemo: one per edition) keeps the edition's list pages
    and Markdown from its last build, each keyed by what it shows, as the original's memo does.
    """
    from .render import RenderOptions

    site = project.site
    words = words_for(code, site, theme.locales, problems)
    translated_project = translate(project, code, words)
    edition_options = RenderOptions(base_url=options.base_url + prefix(site, code))
    key = None
    if memo is not None:  # the preview: all the edition's files again while nothing it shows changed
        from .fingerprints import edition_key

        key = edition_key(project, translated_project, theme, edition_options.base_url, words)
        if key is not None and memo.edition is not None and memo.edition[0] == key:
            problems.items.extend(memo.edition[2])
            memo.edition_reused += 1
            return dict(memo.edition[1])
    before = len(problems.items)
    out = _render_edition(project, translated_project, code, words, theme, options, edition_options, assets,
                          problems, workers, memo)
    if memo is not None:
        found = problems.items[before:]
        memo.edition = (key, out, found) if key is not None and not any(p.severity == "error" for p in found) \
            else None
    return out


def _render_edition(project: Project, translated_project: Project, code: str, words: Words, theme: Any,
                    options: Any, edition_options: Any, assets: Any, problems: Problems, workers: int,
                    memo: Any) -> dict[str, bytes]:
    from .feed import RECENT_ITEMS, changes, feed_xml

    site = project.site
    renderer = edition_renderer(project, translated_project, words, theme, edition_options, assets, memo)
    setup(renderer, site, options.base_url, code)
    renderer.env.globals["site_untranslated"] = [name for name in ("title", "description")
                                                 if not translated(site, code, name)]
    dated = changes(translated_project, words)
    renderer.env.globals["recent"] = marked_changes(dated[:RECENT_ITEMS], translated_project)
    localise_pages(renderer.layout, words)
    script = script_copy(renderer, words, assets)
    if script is not None:  # the edition's own enhance.js, beside the shared assets
        from .render import SCRIPT

        renderer.env.globals["asset"] = lambda name: "../" + (script[0] if name == SCRIPT else assets.url(name))
    if memo is not None:
        memo.start(translated_project, words)
    pages = renderer.render(problems, workers)
    if memo is not None and not problems.errors:
        memo.finish()
    pages["feed.xml"] = feed_xml(translated_project, edition_options.base_url, renderer.layout, words=words,
                                 dated=dated)
    words.keep_formats()  # its dates and numbers, for the next build (kept.py)
    out = {prefix(site, code) + name: data for name, data in pages.items() if name not in ROOT_ONLY}
    if script is not None:
        out[script[0]] = script[1]  # at the root's assets/, where every edition's pages link it
    return out


def marked_changes(changes: list[Any], project: Project) -> list[Any]:
    """The "Recently updated" list, each title still marked when its claim or event is untranslated."""
    items = {("fact", f.id): f.claim for f in project.facts}
    items.update({("event", e.id): e.title for e in project.events})
    out = []
    for change in changes:
        source = items.get((change.kind, change.id))
        if source.__class__ is Untranslated:
            change = replace(change, title=untranslated(change.title, source.lang))
        out.append(change)
    return out


def localise_pages(layout: Any, words: Words) -> None:
    """The split lists' page titles and link texts in the edition's language ("серпень 2024", "серп.")."""
    for section in (layout.facts, layout.timeline, layout.sources):
        total = len(section.pages)
        for page in section.pages:
            dated = _PAGE_NAME.match(page.name) if section.kind != "sources" else None
            if dated is None:
                numbered = _NUMBERED.match(page.name)
                n = int(numbered.group(1) or 1) if numbered else 1
                page.title = words.gettext("%(n)s of %(total)s") % {"n": n, "total": total}
                continue
            year, month, part = dated.group(1), dated.group(2), dated.group(3) or dated.group(4)
            suffix = words.gettext(", part %(n)s") % {"n": part} if part else ""
            short = f" {part}" if part else ""
            if month:
                date = PartialDate(int(year), int(month))
                page.title, page.label = words.plain(date) + suffix, words.month_short(date) + short
            elif page.title.endswith(")") or "(" in page.title:  # dated only to the year
                page.title = words.gettext("%(year)s (month not known)") % {"year": year} + suffix
                page.label = words.gettext("month not known") + short
            else:
                page.label = words.gettext("all")


# The words static/enhance.js writes, as the literals in its source: an edition gets a copy with them
# translated (assets/enhance-uk.HASH.js), so the English script stays as it is, within its 3.5 KB.
SCRIPT_WORDS = ("Showing ", " of ", " about ", "Show ", " about", "all topics", "Copy link", "Copy link to fact ",
                "Link to fact ", " copied.")


def translated_script(source: str, words: Words) -> str:
    """enhance.js with its words in the edition's language (catalog context "enhance.js", word by word)."""
    texts = {
        "Showing ": words.pgettext("enhance.js", "Showing "), " of ": words.pgettext("enhance.js", " of "),
        " about ": words.pgettext("enhance.js", " about "), "Show ": words.pgettext("enhance.js", "Show "),
        " about": words.pgettext("enhance.js", " about"), "all topics": words.pgettext("enhance.js", "all topics"),
        "Copy link": words.pgettext("enhance.js", "Copy link"),
        "Copy link to fact ": words.pgettext("enhance.js", "Copy link to fact "),
        "Link to fact ": words.pgettext("enhance.js", "Link to fact "),
        " copied.": words.pgettext("enhance.js", " copied."),
    }
    for english in SCRIPT_WORDS:
        if texts[english] != english:
            source = source.replace(json.dumps(english), json.dumps(texts[english], ensure_ascii=False))
    return source


def script_copy(renderer: Any, words: Words, assets: Any) -> tuple[str, bytes] | None:
    """(path, bytes) of the edition's enhance.js, or None when its words are the English ones."""
    import hashlib

    from .render import SCRIPT

    path = renderer.static_file(SCRIPT)
    if path is None:
        return None
    source = path.read_text(encoding="utf-8")
    text = translated_script(source, words)
    if text == source:
        return None
    data = text.encode("utf-8")
    stem, _, suffix = SCRIPT.rpartition(".")
    return f"assets/{stem}-{words.language}.{hashlib.sha256(data).hexdigest()[:8]}.{suffix}", data


def json_ld_translation(json_ld: str, original_url: str, code: str, words: Words, facts: list[Fact]) -> str:
    """The edition's JSON-LD: `translationOfWork` names the original, claims carry "as of" in its words."""
    data = json.loads(json_ld)
    data["translationOfWork"] = {"@id": original_url}
    data["inLanguage"] = code
    as_of = {fact.id: fact for fact in facts if fact.as_of is not None}
    for part in data.get("hasPart", []):
        fact = as_of.get(part.get("@id", "").rpartition("#")[2])
        if fact is not None:
            part["text"] = f"{fact.claim} ({words.as_of_text(fact)})"
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


_JSON_LD = re.compile(r'(<script type="application/ld\+json">)(.*?)(</script>)', re.S)


def with_translations(page: bytes, site: Any, root_url: str) -> bytes:
    """The original's front page, its JSON-LD naming each translated edition (`workTranslation`)."""
    def add(match: re.Match[str]) -> str:
        data = json.loads(match.group(2))
        data["workTranslation"] = [{"@id": root_url + prefix(site, code), "inLanguage": code}
                                   for code in site.languages if code != site.language]
        text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        return match.group(1) + text + match.group(3)

    return _JSON_LD.sub(add, page.decode("utf-8"), count=1).encode("utf-8")


def sitemap_pages(site: Any, pages: list[str]) -> list[str]:
    """Every edition's pages for the one sitemap: the original's, then each other edition's."""
    out = list(pages)
    for code in site.languages:
        if code != site.language:
            out += [prefix(site, code) + page for page in ["", *pages]]
    return out


def headers(site: Any, text: bytes) -> bytes:
    """The root `_headers` with its embed rule repeated for each edition's `embed/`."""
    rule = text.decode()
    out = rule
    for code in site.languages:
        if code != site.language:
            out += rule.replace("/embed/", f"/{prefix(site, code)}embed/", 1)
    return out.encode()
