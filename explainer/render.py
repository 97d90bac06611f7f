"""Stage 4: turn the verified project into pages (path → bytes), without touching the disk.

Markdown is rendered once per item and sanitised with nh3; templates run with autoescape and
StrictUndefined, so a typo in a template is an error, not an empty string on the page.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import re
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from gettext import NullTranslations
from html import unescape
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote as urlquote

import jinja2
import markdown
import nh3
from markupsafe import Markup, escape

from . import exports, reach
from .assets import Assets
from .attribution import chain_isolated
from .bidi import Prose, isolate
from .charts import build_charts
from .confine import inside
from .dates import PartialDate
from .errors import ContentError, Problems
from .i18n import ENGLISH, Words, install
from .markdown_guard import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_SCHEMES,
    ALLOWED_TAGS,
    HELD,
    HELD_STRAY,
    HOLD,
    HOLD_END,
    MARKS,
    MAX_MARKS,
    RESERVED,
    STRAY_MARKUP_LIMIT,
    UNSTRAY,
    MarkdownRefused,
    MarkdownTooDeep,
    busiest_paragraph,
    hold_stray_markup,
)
from .model import Citation, Date, Fact, Project, Source
from .paginate import layout as page_layout
from .parallel import render_pages
from .quotes import ELLIPSIS, Archive, fragments
from .validate import CITE
from .verify import normalise

if TYPE_CHECKING:
    from .incremental import RenderMemo

T = TypeVar("T")
Searching = tuple[Any] | None  # (search.Indexing or None,) once started; None: not started yet

_CITE_RUN = re.compile(r"(?:\[\[[^\S\n]*[a-z0-9-]+[^\S\n]*\]\])+")  # spaces inside are forgiven, as validate does
# A tag in nh3's output, whose attribute values are always double-quoted: citations go in text only.
_TAG = re.compile(r'(<(?:[^>"]|"[^"]*")*>)')
_HREF = re.compile(r'<a [^>]*?href="([^"]*)"')
# One line of prose that Markdown would only wrap in <p>: it starts with a letter or an opening
# quote (not a list, heading or quote marker) and holds no character Markdown or HTML treats
# specially (* _ ` [ ] < > & \\ ! # | ~ and line breaks). Most event and glossary texts are like this,
# and Python-Markdown takes ~0.4 ms even on them.
_PLAIN = re.compile(r"(?:[^\W\d_]|[\u2018\u201c\"'(])[^*_`\[\]<>&\\!#|~\t\n\r]*")
# The same prose with words in **strong** emphasis, each span's text plain, starting and ending with a
# non-space and followed by plain text: Markdown gives <strong> for each span and nothing else. Most
# generated timeline events are like this; tests/test_markdown_fast_path.py checks against Markdown.
_STRONG = re.compile(r"\*\*([^*_`\[\]<>&\\!#|~\s](?:[^*_`\[\]<>&\\!#|~\t\n\r]*[^*_`\[\]<>&\\!#|~\s])?)\*\*")
_PLAIN_STRONG = re.compile(r"(?:[^\W\d_]|[\u2018\u201c\"'(])[^*_`\[\]<>&\\!#|~\t\n\r]*"
                           r"(?:" + _STRONG.pattern + r"[^*_`\[\]<>&\\!#|~\t\n\r]+)+")


STYLESHEET = "style.css"  # inlined into every page (one request less); its hash goes into the CSP
SCRIPT = "enhance.js"  # progressive enhancement, served as a file
# 404.html links nothing from assets/: a host serves it at any depth, where relative links break.
FRONT_PAGE = "index.html"
PAGES = ((FRONT_PAGE, "index.html"), ("404.html", "404.html"))


@dataclass
class RenderOptions:
    base_url: str


_CSS_STRING_OR_COMMENT = re.compile(r"""("(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|/\*.*?\*/)""", re.DOTALL)


def minify_css(css: str) -> str:
    """Drop comments and spare whitespace outside strings: enough for a hand-written stylesheet."""
    out = []
    for i, part in enumerate(_CSS_STRING_OR_COMMENT.split(css)):
        if i % 2:  # a string (kept as written) or a comment (dropped)
            out.append("" if part.startswith("/*") else part)
            continue
        part = re.sub(r"\s+", " ", part)
        out.append(re.sub(r"\s*([{};,>])\s*", r"\1", part).replace(";}", "}"))
    return "".join(out).strip()


def csp_hash(text: str) -> str:
    """The CSP source expression that allows exactly this inline text."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def content_security_policy(style_hash: str) -> str:
    """Same-origin only; the one inline stylesheet is allowed by its hash; no inline script.

    frame-ancestors and report-uri are left out: browsers ignore them in a <meta> (with a console error).
    """
    return ("default-src 'self'; script-src 'self'; style-src 'self' " + style_hash + "; img-src 'self'; "
            "object-src 'none'; base-uri 'none'; form-action 'none'")


class ProjectLoader(jinja2.FileSystemLoader):
    """Templates along the theme's lookup order (theme.py), where a link (include, extends, or the page
    itself) may not leave its folder's project: the project's own templates stay inside the project,
    the package's theme inside the theme.

    The build refuses such links before it starts (confine.py); this holds even for one made since.
    """

    def __init__(self, folders: Sequence[Path], root: Path):
        super().__init__([str(folder) for folder in folders])
        self.root = root

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Any]:
        for folder in self.searchpath:
            path = Path(folder, *jinja2.loaders.split_template_path(template))
            if not os.path.lexists(path):
                continue
            bound = self.root if inside(folder, self.root) else Path(folder)
            if not inside(path, bound):
                raise jinja2.TemplateNotFound(template, f"'{template}' is a link out of the project, "
                                                        "and the build reads nothing outside it")
            break
        return super().get_source(environment, template)


class Renderer:
    """Holds the Jinja environment and the Markdown converter for one build."""

    memo: RenderMemo | None = None  # what the last build rendered (incremental.py); none for a cold build
    words: Words = ENGLISH  # the edition's language (i18n.py); the templates' own English by default

    def __init__(self, project: Project, templates: Sequence[Path], options: RenderOptions, static: Sequence[Path],
                 assets: Assets, memo: RenderMemo | None = None, words: Words | None = None):
        """``templates`` and ``static`` are lookup orders (see theme.py): the first folder holding a name wins.

        ``memo`` (incremental.py) holds what the last build rendered, so a rebuild redoes only what changed.
        ``words`` (i18n.py) is the edition's language: its catalog, dates and numbers; default the
        site's language with the words the templates are written in.
        """
        self.project = project
        self.memo = memo
        self.assets = assets
        self.page_links: dict[str, list[tuple[str, str, str]]] = {}  # page → its local links, where already known
        self.options = options
        self.static = tuple(static)
        self.facts = project.facts_by_id
        self._cite_links: dict[str, str] = {}
        self.local_links: dict[str, str] = {}  # a relative link in Markdown → the first text that has it
        self.events = sorted(project.events, key=lambda e: (e.date.sort_key, e.id))
        self.layout = page_layout(project)
        self.md = markdown.Markdown(extensions=[], output_format="html")
        self.env = jinja2.Environment(
            loader=ProjectLoader(templates, project.root),
            autoescape=jinja2.select_autoescape(("html", "xml", "j2")),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            bytecode_cache=_bytecode_cache(),
            finalize=isolate,
        )
        self.env.globals["asset"] = _weak(assets.url)  # asset('print.css') → its content-hashed path
        self._archives: dict[str, Archive] = {}
        self._sources = project.sources_by_id  # once: the property builds a new dict each time
        self.env.filters.update(
            date=format_date, said_date=format_said, fact_when=fact_when, as_of=as_of, cite=_weak(self.cite_html),
            attributed=_weak(self.attributed), fragment_link=fragment_link, in_context=_weak(self.in_context),
            fact_href=_weak(self.layout.fact_href), event_href=_weak(self.layout.event_href),
            source_href=_weak(self.layout.source_href), by_source=quotes_by_source,
            source_name=_weak(self.source_name), note=_weak(self.note_html),
        )
        self._names = source_names(project.sources)
        if words is None:
            words = Words(project.site.language, project.site.language, NullTranslations())
        self.words = words
        install(self.env, words)  # _() and ngettext() in templates; other languages' dates and numbers

    def markdown(self, text: str, inline: bool = False) -> Markup:
        """Markdown → sanitised HTML with `[[fact-id]]` turned into numbered citation links."""
        key = None
        if self.memo is not None:  # the same text citing the same numbers and pages gives the same HTML
            key = (text, inline, self.cite_state(text))
            hit = self.memo.markdown.get(key)
            if hit is not None:
                self.memo.markdown_now[key] = hit  # kept for the next build too
                html, links = hit
                for link in links:
                    self.local_links.setdefault(link, text)
                return html
        html, links = self._markdown(text, inline)
        for link in links:
            self.local_links.setdefault(link, text)
        if key is not None:
            self.memo.markdown_now[key] = (html, links)
        return html

    def cite_state(self, text: str) -> tuple[tuple[str, int, str], ...]:
        """What a text's citation links show: each cited fact's number and page."""
        if "[[" not in text:
            return ()
        facts, href = self.facts, self.layout.fact_href
        return tuple((i, facts[i].number if i in facts else 0, href(i))
                     for i in (c.strip() for c in CITE.findall(text)))

    def _markdown(self, text: str, inline: bool) -> tuple[Markup, list[str]]:
        runs: list[str] = []  # citation runs, held out of Markdown's way: its link parser is slow on them
        held = text if text.isascii() else RESERVED.sub("\ufffd", text)
        if "[[" in held:
            held = _CITE_RUN.sub(lambda m: f"{HOLD}{runs.append(m.group(0)) or len(runs) - 1}{HOLD_END}", held)
        strays = held.count("[") + held.count("<") > STRAY_MARKUP_LIMIT
        if strays:
            held = hold_stray_markup(held)
        if _PLAIN.fullmatch(held):  # no Markdown in it: what convert() would give
            html = f"<p>{held}</p>"
        elif "**" in held and _PLAIN_STRONG.fullmatch(held):  # plain but for **strong** words: the same
            html = "<p>" + _STRONG.sub(r"<strong>\1</strong>", held) + "</p>"
        else:
            if sum(held.count(c) for c in MARKS) > MAX_MARKS:
                marks, line = busiest_paragraph(held)
                if marks > MAX_MARKS:
                    raise MarkdownRefused(text, f"the paragraph holds {marks} Markdown marks ([ < ` * _ & \\), "
                                          f"over the limit of {MAX_MARKS}", "split it into shorter paragraphs", line)
            self.md.reset()
            try:
                html = self.md.convert(held)
            except RecursionError:
                raise MarkdownTooDeep(text) from None
        html = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                         url_schemes=ALLOWED_SCHEMES, link_rel="noopener noreferrer")
        if strays:
            html = HELD_STRAY.sub(lambda m: UNSTRAY[m.group(0)], html)
        links = []  # a relative link is checked with the pages; its mistakes are blamed on this text
        if 'href="' in html:
            links = [unescape(href) for href in _HREF.findall(html)
                     if not href.startswith(("http://", "https://", "#"))]
        if inline and html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
            html = html[3:-4]
        return Prose(self._place_citations(html, runs) if runs else html), links

    def _place_citations(self, html: str, runs: list[str]) -> str:
        """Put each held run back as citation links: in text only, and after a link, never inside one."""
        parts = _TAG.split(html)  # text, tag, text, ...
        after_link: list[str] = []  # citations written inside a link's text wait for its end: no <a> in <a>
        in_link = False

        def cite(m: re.Match[str]) -> str:
            links = str(self.cite_html([c.strip() for c in CITE.findall(runs[int(m.group(1))])]))
            if in_link:
                after_link.append(links)
                return ""
            return links

        for i, part in enumerate(parts):
            if not i % 2:
                parts[i] = HELD.sub(cite, part)
                continue
            # a tag: a held run inside a link's address goes back to what the editor wrote
            part = HELD.sub(lambda m: runs[int(m.group(1))], part)
            if part.startswith(("<a ", "<a>")):
                in_link = True
            elif part == "</a>":
                in_link = False
                part += "".join(after_link)
                after_link.clear()
            parts[i] = part
        return "".join(parts)

    def attributed(self, fact: Fact | str) -> str:
        """"According to the SBU, as reported by an unsigned article" (attribution.py writes the chain)."""
        if isinstance(fact, str):  # a template written before the chain: the attribution as it is
            return attributed(fact)
        return chain_isolated(fact, self._sources)

    def note_html(self, note: str) -> str | Markup:
        """A date note: plain text, or inline Markdown when it links to the one explanation it points to."""
        if "](" not in note:  # no link: the text as written, escaped like any value
            return note
        return self.markdown(note, inline=True)

    def source_name(self, source: Source) -> str:
        """How a fact's quotes name their source: its label, or its title when another has that label."""
        return self._names.get(source.id) or source.title

    def in_context(self, citation: Citation | str, source: Source) -> Markup:
        """The quote's sentence(s) or paragraph in the archived text, quoted words marked, in a
        `<details>` a reader opens without JavaScript (quotes.py); empty when there is none to show.

        The element is made here, not in the template: with one per quote, Jinja's overhead showed.
        """
        if source.context == "none" or not source.text:
            return Markup("")
        archive = self._archives.get(source.id)
        if archive is None:
            kept = self.memo.archives if self.memo is not None else {}  # the preview's: by the archived text
            archive = kept.get(source.text) or Archive(source.text, normalise)
            self._archives[source.id] = archive
            if self.memo is not None:
                self.memo.archives_now[source.text] = archive
        if isinstance(citation, str):  # a quote's text alone: found by searching the archive
            context = archive.context_html(citation, source.context)
        else:  # where the quote check found it: no second search
            context = archive.context_html(citation.quote, source.context, citation.offset, citation.length)
        if context is None:
            return Markup("")
        label = escape(self.words.gettext("In context"))
        return Markup(f'<details class="ctx"><summary>{label}</summary><p>{context}</p></details>')

    def cite_html(self, fact_ids: list[str]) -> Markup:
        """A bracketed group of numbered links, each naming its fact for screen readers."""
        links = []
        for fact_id in fact_ids:
            link = self._cite_links.get(fact_id)
            if link is None:  # built once per fact, however often it is cited
                fact = self.facts[fact_id]
                word = escape(self.words.gettext("fact"))
                link = self._cite_links[fact_id] = (
                    f'<a class="cite" href="{escape(self.layout.fact_href(fact.id))}">'
                    f'<span class="vh">{word} </span>{fact.number}</a>')
            links.append(link)
        return Markup('<sup class="cites">[' + ", ".join(links) + "]</sup>")

    def locate_link(self, link: str) -> tuple[Path, int, int] | None:
        """Where a relative link in Markdown was written (file, line, column); None if no text has it."""
        text = self.local_links.get(link)
        if text is None:
            return None
        for item in [*self.project.events, *self.project.comparisons, *self.project.glossary]:
            if text in (getattr(item, "text", None), getattr(item, "definition", None)) and item.text_where:
                where = item.text_where  # a YAML text's own lines do not map to the file's: point at its start
                return where.path, where.line, where.column
        path, line = self.locate(text)
        at = max(0, text.find(link))
        return path, line + text.count("\n", 0, at), at - (text.rfind("\n", 0, at) + 1) + 1

    def locate(self, text: str) -> tuple[Path, int]:
        """Where a Markdown text came from (only needed on the rare error path, so a plain search)."""
        p = self.project
        for summary in p.summaries:
            if summary.body == text:
                return summary.where.path, summary.body_line
        for item in [*p.events, *p.comparisons, *p.glossary]:
            if text in (getattr(item, "text", None), getattr(item, "definition", None)):
                return item.where.path, item.where.line
        return p.root / "content", 1  # pragma: no cover - every Markdown text comes from one of those

    def static_file(self, name: str) -> Path | None:
        """`static/NAME` from the first folder in the lookup order that has it."""
        return next((folder / name for folder in self.static if (folder / name).is_file()), None)

    def stylesheet(self) -> str:
        path = self.static_file(STYLESHEET)
        return minify_css(path.read_text(encoding="utf-8")) if path else ""

    def event_topics(self) -> dict[str, list[str]]:
        """An event's topics are its facts' topics, so the topic filter can apply to the timeline."""
        out = {}
        for event in self.events:
            topics = dict.fromkeys(t for fid in event.facts for t in self.facts[fid].topics)
            out[event.id] = sorted(topics)
        return out

    def context(self) -> dict[str, Any]:
        p = self.project
        css = self.stylesheet()
        base_url = self.options.base_url
        return {
            "css": Markup(css),
            "csp": content_security_policy(csp_hash(css)),
            "script": SCRIPT if self.static_file(SCRIPT) else None,
            "json_ld": Markup(exports.json_ld(p, base_url, self.layout)),
            "data_files": exports.DATA_FILES,
            "charts": build_charts(p.site.charts, p.facts, None if self.words.english else self.words),
            "event_topics": self.event_topics(),
            "site": p.site,
            "base_url": self.options.base_url,
            "summaries": [(s, self.markdown(s.body)) for s in p.summaries],
            "comparisons": [(c, self.markdown(c.text, inline=True), [self.facts[f] for f in c.facts])
                            for c in p.comparisons],
            "events": [(e, self.markdown(e.text, inline=True)) for e in self.events],
            "facts": p.facts,
            "glossary": [(t, self.markdown(t.definition, inline=True))
                         for t in sorted(p.glossary, key=lambda t: (t.term.lower(), t.id))],
            "sources": p.sources,
            "sources_by_id": p.sources_by_id,
            "topics": {t.id: t.label for t in p.site.topics},
            "layout": self.layout,
            "page_path": "",
            "gettext_plain": self.words.gettext,  # for Python that makes page text (embeds.py)
        }

    def render(self, problems: Problems, workers: int = 1, search: Searching = None) -> dict[str, bytes]:
        """Render every page; template mistakes are reported with the template's file and line.

        With ``workers`` > 1 and enough pages, the pages are rendered by forked workers (see
        parallel.py); the result is the same map, in the same order, as rendered here. Search
        (Pagefind, a process of its own) is collected just before the front page, the one page that
        links to it; ``search`` is ``(indexing,)`` when the build started it already (pipeline.py),
        else it is started here first. Either way it is stopped if rendering fails.
        """
        indexing = (search[0] if search is not None
                    else reach.start_search(self.project, self.layout, problems, self.memo))
        try:
            return self._render(problems, workers, indexing)
        finally:
            if indexing is not None:
                indexing.close()

    def _render(self, problems: Problems, workers: int, indexing: Any) -> dict[str, bytes]:
        try:
            context = self.context()
        except MarkdownRefused as exc:
            path, line = self.locate(exc.text)
            problems.error(path, line + exc.line, 1, str(exc), exc.hint)
            return {}
        pages: dict[str, bytes] = {}
        extras_errors = []
        try:  # embeds, the offline file: first, since the front page links to them
            pages.update(reach.render(self, context, problems))
        except jinja2.TemplateError as exc:  # reported below, unless a page shows the same mistake
            extras_errors.append(template_error(exc, self.env, problems))
        jobs = [*((n, t, {}) for n, t in PAGES), *self.list_pages(context)]
        keys = self.memo.page_keys(self, context, jobs) if self.memo is not None else {}
        kept = self.memo.kept_pages(keys) if self.memo is not None else {}
        todo = [job for job in jobs if job[0] not in kept]
        base_url = self.options.base_url
        data_files: dict[str, Any] = {}  # bytes, or a large file waiting on disk (write.Sink)

        def exports_meanwhile() -> None:  # in this process, while workers render the pages
            lines = self.memo.export_lines(self) if self.memo is not None else exports.each_line
            data_files.update(exports.data_files(self.project, base_url, self.layout, lines))

        front = [job for job in todo if job[0] == FRONT_PAGE]  # rendered last: it links to search
        rest = [job for job in todo if job[0] != FRONT_PAGE]
        done = render_pages(self, context, rest, workers, exports_meanwhile)
        if len(done) == len(rest):  # else the build fails: no need to wait for Pagefind (render() stops it)
            try:
                pages.update(reach.search_pages(self, context, problems, indexing))
            except jinja2.TemplateError as exc:
                extras_errors.append(template_error(exc, self.env, problems))
        for name, template, extra in front:
            with contextlib.suppress(jinja2.TemplateError):  # rendered again below, reported in the pages' order
                done[name] = (self.render_page(context, template, extra), None)
        for name, template, extra in jobs:
            if name in kept:
                pages[name], self.page_links[name] = kept[name]
                continue
            data = done.get(name)
            if data is None:  # a template error: rendered again here, where its traceback can be read
                try:
                    self.render_page(context, template, extra)
                except jinja2.TemplateError as exc:
                    problems.items.append(template_error(exc, self.env, problems))
                break  # the same mistake would be reported once per list page
            pages[name] = data[0]
            if data[1] is not None:
                self.page_links[name] = data[1]
            if name in keys:
                self.memo.keep_page(name, keys[name], data[0], self.page_links.get(name))
        reported = {p.format() for p in problems.items}
        for error in extras_errors:
            if error.format() not in reported:
                problems.items.append(error)
        pages.update(data_files)
        pages["sitemap.xml"] = exports.sitemap(base_url, self.project.site.updated,
                                               [page.name for _, page in self.layout.pages])
        pages["robots.txt"] = exports.robots(base_url)
        return pages

    def render_page(self, context: dict[str, Any], template: str, extra: dict[str, Any]) -> bytes:
        html = self.env.get_template(template).render(context, **extra)
        if template == "list_page.html":  # a date note or event text linking to a comparison, a term, a section
            html = _FRONT_ANCHOR.sub(r'href="index.html#\1"', html)
        return html.encode("utf-8")

    def list_pages(self, context: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
        """The pages of each split list (see paginate.py), with their items and neighbours."""
        texts = {event.id: text for event, text in context["events"]}  # Markdown already rendered once
        items = {"facts": lambda page: {"facts": page.items},
                 "timeline": lambda page: {"events": [(e, texts[e.id]) for e in page.items]},
                 "sources": lambda page: {"sources": page.items}}
        out = []
        for section in (self.layout.facts, self.layout.timeline, self.layout.sources):
            for i, page in enumerate(section.pages):
                extra = {"section": section, "page": page, "page_path": page.name,
                         "previous": section.pages[i - 1] if i else None,
                         "next": section.pages[i + 1] if i + 1 < len(section.pages) else None}
                out.append((page.name, "list_page.html", {**extra, **items[section.kind](page)}))
        return out


# Anchors only the front page holds (comparisons, glossary terms, summary sections): an in-page link
# to one, written in Markdown, points there when it is shown on a list page of its own.
_FRONT_ANCHOR = re.compile(r'href="#((?:compare|term|section)-[^"]*)"')


def _weak(method: Callable[..., T]) -> Callable[..., T]:
    """A filter that calls ``method`` without keeping its object alive.

    Compiled templates hold their filters in reference cycles (a template's functions and their
    globals), which the collector, paused during a build and frozen at its end, never frees: a
    process that builds again and again (``serve``) kept every build's whole project alive through
    them. A weak reference leaves the project to reference counting, which frees it at once.
    """
    ref = weakref.WeakMethod(method)

    def call(*args: Any, **kwargs: Any) -> T:
        return ref()(*args, **kwargs)  # type: ignore[misc]

    return call


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates, kept between builds (keyed by each template's checksum).

    Compiling the templates is ~30 ms of every build, a third of the interpreter's own start-up;
    Jinja keeps the cache in a private per-user directory under the system's temp dir.
    """
    try:
        # The cache is keyed by template source only, and the compiled code depends on the
        # environment too (finalize=isolate): the pattern names that, so no older code is reused.
        return jinja2.FileSystemBytecodeCache(pattern="__jinja2_explainer_isolate_%s.cache")
    except (OSError, RuntimeError):  # no safe temp dir: compile every time
        return None


def template_error(exc: jinja2.TemplateError, env: jinja2.Environment, problems: Problems) -> ContentError:
    """Point at the template line: syntax errors carry it, runtime errors have it in the traceback."""
    filename, line = getattr(exc, "filename", None), getattr(exc, "lineno", None)
    if not filename:
        tb = exc.__traceback__
        while tb is not None:
            code = tb.tb_frame.f_code
            if code.co_filename.endswith((".html", ".xml", ".j2")):
                filename, line = code.co_filename, tb.tb_lineno
            tb = tb.tb_next
    hint = ("check the variable's name; the page's variables are listed in docs/templates.md"
            if isinstance(exc, jinja2.UndefinedError) else "check the template syntax ({% %} and {{ }} must close)")
    return ContentError(problems.relpath(filename or "templates"), line or 1, 1,
                        f"template error: {exc.message or exc}", hint)


def format_date(date: PartialDate | None) -> Markup:
    """`<time>` at the date's own precision; unknown dates say so."""
    if date is None:
        return Markup('<span class="unknown">unknown</span>')
    html = _DATES.get(date)
    if html is None:  # many facts share a date: each is formatted once
        if date.__class__ is PartialDate:
            html = Markup('<time datetime="{iso}">{text}</time>').format(iso=date.iso, text=date.human())
        else:  # a span or a set (uncertain.py): a <time> for each of its dates
            html = time_html(date.pieces())
        _DATES[date] = html
    return html


def format_said(date: Date | None) -> Markup:
    """When a claim was made: one moment, so a span reads "between 24 and 25 May 2025"."""
    if date is None or date.__class__ is PartialDate:
        return format_date(date)
    html = _SAID.get(date)
    if html is None:
        html = _SAID[date] = time_html(date.pieces(moment=True))
    return html


def fact_when(fact: Fact) -> Markup:
    """A fact's date, and when it was said if that differs: "said 25 May 2025 · about 6 August 2024 – …".

    A filter, not a template macro: it runs once per fact, and a Jinja macro call costs ten times more.
    """
    if not fact.said_differs:
        return format_date(fact.date)
    label = "said" if fact.said else "published"
    # `../2025-05-25` reads "about 25 May 2025 or earlier", not "about until 25 May 2025"
    about = format_said(fact.date) if getattr(fact.date, "start", True) is None else format_date(fact.date)
    # Markup.format runs a pure-Python formatter (~20 µs a call); both dates are already escaped Markup
    return Markup(f'<span class="said">{label} {format_said(fact.when_said)}</span> · about {about}')


def as_of(fact: Fact) -> Markup:
    """" (as of 26 May 2025)", for beside the claim wherever it appears; nothing without `as_of`."""
    if fact.as_of is None:
        return _NOTHING
    # one moment, like `said`: "as of 6 August 2024 or later", never "as of from 6 August 2024"
    return Markup(f' <span class="as-of">(as of {format_said(fact.as_of)})</span>')


_NOTHING = Markup("")


def time_html(pieces: list[tuple[str, str | None]]) -> Markup:
    """Dates as `<time>` elements with their machine form, the words between them as text."""
    return Markup("").join(Markup('<time datetime="{}">{}</time>').format(iso, text) if iso else text
                           for text, iso in pieces)


_DATES: dict[Date, Markup] = {}
_SAID: dict[Date, Markup] = {}


def attributed(who: str) -> str:
    """"According to …" with the attribution as written."""
    return f"According to {who}"


def quotes_by_source(citations: list[Citation]) -> list[tuple[str, list[Citation]]]:
    """A fact's quotes grouped by source, in the order each source is first cited: one source line each."""
    if len(citations) == 1:
        return [(citations[0].source, citations)]
    groups: dict[str, list[Citation]] = {}
    for citation in citations:
        groups.setdefault(citation.source, []).append(citation)
    return list(groups.items())


def source_names(sources: list[Source]) -> dict[str, str]:
    """Each source's short name for its quotes: its `label`, unless another source shares it (then its title)."""
    counts: dict[str, int] = {}
    for source in sources:
        counts[source.label] = counts.get(source.label, 0) + 1
    return {s.id: s.label for s in sources if s.label and counts[s.label] == 1}


def fragment_link(source: Source, quote: str) -> str:
    """The source URL with a text fragment, so the browser scrolls to and highlights the quote."""
    url = (source.url or "").split("#", 1)[0]
    # words left out: from the first fragment's start to the last one's end
    if ("…" in quote or "[" in quote) and ELLIPSIS.search(quote):
        parts = fragments(quote) or [""]
        first, last = parts[0].split(), parts[-1].split()
        return f"{url}#:~:text={_fragment_part(' '.join(first[:4]))},{_fragment_part(' '.join(last[-4:]))}"
    words = quote.split()
    if len(words) > 8:
        target = f"{_fragment_part(' '.join(words[:4]))},{_fragment_part(' '.join(words[-4:]))}"
    else:
        target = _fragment_part(" ".join(words))
    return f"{url}#:~:text={target}"


def _fragment_part(text: str) -> str:
    if text.isascii():  # most quotes: one translate() in C gives what quote() gives (11 µs a call saved)
        return text.translate(_QUOTED_ASCII)
    return urlquote(text, safe="").replace("-", "%2D")


# Each ASCII character as urllib.parse.quote(safe="") writes it, with "-" as %2D (it ends a fragment's range)
_QUOTED_ASCII = {c: urlquote(chr(c), safe="").replace("-", "%2D") for c in range(128)}

