"""Stage 4: turn the verified project into pages (path → bytes), without touching the disk.

Markdown is rendered once per item and sanitised with nh3; templates run with autoescape and
StrictUndefined, so a typo in a template is an error, not an empty string on the page.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from gettext import NullTranslations
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import markdown
from markupsafe import Markup, escape

from . import exports, metadata, reach
from .assets import Assets, page_links
from .bidi import isolate
from .charts import build_charts
from .errors import Problems
from .fact_filters import FactFilters
from .filters import (
    as_of,
    fact_when,
    format_date,
    format_said,
    fragment_link,
    quotes_by_source,
    source_names,
)
from .i18n import ENGLISH, Words, install
from .markdown_guard import MarkdownRefused
from .markdown_render import MarkdownTexts
from .model import Project
from .page_tools import (
    JoinedOutput,
    ProjectLoader,
    Template,
    bytecode_cache,
    content_security_policy,
    csp_hash,
    minify_css,
    template_error,
    weak,
)
from .paginate import Layout
from .paginate import layout as page_layout
from .parallel import aside, render_pages, shares_a_core
from .quotes import Archive
from .shared_blocks import SharedBlocks
from .two_builds import same_ends, same_objects

if TYPE_CHECKING:
    from .incremental import RenderMemo

Searching = tuple[Any] | None  # (pagefind.Indexing or None,) once started; None: not started yet

STYLESHEET = "style.css"  # inlined into every page (one request less); its hash goes into the CSP
SCRIPT = "enhance.js"  # progressive enhancement, served as a file
# 404.html links nothing from assets/: a host serves it at any depth, where relative links break.
FRONT_PAGE = "index.html"
PAGES = ((FRONT_PAGE, "index.html"), ("404.html", "404.html"))


@dataclass
class RenderOptions:
    """The published address pages are rendered for."""

    base_url: str


class Renderer(MarkdownTexts, FactFilters):
    """Holds the Jinja environment and the Markdown converter for one build (its Markdown half:
    markdown_render.py; the fact list's filters: fact_filters.py)."""

    memo: RenderMemo | None = None  # what the last build rendered (incremental.py); none for a cold build
    # Given the files that are ready when the build would wait for Pagefind, to write them meanwhile (pipeline.py).
    write_early: Callable[[dict[str, Any]], None] | None = None
    words: Words = ENGLISH  # the edition's language (i18n.py); the templates' own English by default

    def __init__(self, project: Project, templates: Sequence[Path], options: RenderOptions, static: Sequence[Path],
                 assets: Assets, memo: RenderMemo | None = None, words: Words | None = None,
                 layout: Layout | None = None):
        """``templates`` and ``static`` are lookup orders (see theme.py): the first folder holding a name wins.

        ``memo`` (incremental.py) holds what the last build rendered, so a rebuild redoes only what changed.
        ``words`` (i18n.py) is the edition's language: its catalog, dates and numbers; default the
        site's language with the words the templates are written in. ``layout``: the project's pages
        (paginate.layout), when the build has laid them out already.
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
        self.layout = layout or page_layout(project)
        self.md = markdown.Markdown(extensions=[], output_format="html")
        self.env = jinja2.Environment(
            loader=ProjectLoader(templates, project.root, weak(self._loaded)),
            autoescape=jinja2.select_autoescape(("html", "xml", "j2")),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            bytecode_cache=bytecode_cache(),
            finalize=isolate,
            auto_reload=False,  # one build's environment: a template is loaded once, not checked on every include
        )
        self.env.template_class = Template  # output escaped without copying Markup (page_tools.py)
        self.env.code_generator_class = JoinedOutput  # a run of output yielded as one string (page_tools.py)
        self.shared = SharedBlocks(self.env)  # the front page's blocks, which the offline file renders alike
        self.env.globals["asset"] = weak(assets.url)  # asset('print.css') → its content-hashed path
        self.env.globals["asset_data"] = weak(assets.data_url)  # asset_data('favicon.svg') → a data: URL
        self._archives: dict[str, Archive] = {}
        self._sources = project.sources_by_id  # once: the property builds a new dict each time
        self.env.filters.update(
            date=format_date, said_date=format_said, fact_when=fact_when, as_of=as_of, cite=weak(self.cite_html),
            attributed=weak(self.attributed), fragment_link=fragment_link, in_context=weak(self.in_context),
            fact_href=weak(self.layout.fact_href), event_href=weak(self.layout.event_href),
            source_href=weak(self.layout.source_href), by_source=quotes_by_source,
            source_name=weak(self.source_name), note=weak(self.note_html), from_source=weak(self.from_source),
            topic_labels=weak(self.topic_labels),
        )
        self._from_lines: dict[str, Markup] = {}  # source id → its "From …:" line (from_source)
        self._names = source_names(project.sources)
        if words is None:
            words = Words(project.site.language, project.site.language, NullTranslations())
        self.words = words
        install(self.env, words)  # _() and ngettext() in templates; other languages' dates and numbers

    def _loaded(self, name: str, template: jinja2.Template) -> None:
        if name == FRONT_PAGE:  # offline.html extends it: see shared_blocks.py
            self.shared.share(template)

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

    def static_file(self, name: str) -> Path | None:
        """`static/NAME` from the first folder in the lookup order that has it."""
        return next((folder / name for folder in self.static if (folder / name).is_file()), None)

    def stylesheet(self) -> str:
        path = self.static_file(STYLESHEET)
        return minify_css(path.read_text(encoding="utf-8")) if path else ""

    def event_topics(self) -> dict[str, list[str]]:
        """An event's topics are its facts' topics, so the topic filter can apply to the timeline.

        The preview's memo keeps each list by the fact objects it was made from (a kept entry's fact is
        the same object in the next build, its topics unchanged: validate.py), so a save looks them up;
        while the events are the last build's objects in order and there are as many facts, only the
        events citing a fact outside the runs of the last build's objects at both ends are looked at
        (_events_citing_changed_facts).
        """
        facts, memo = self.facts, self.memo
        redo = self._events_citing_changed_facts() if memo is not None else None
        if redo is not None:
            out = dict(memo.all_topics.last[2])  # type: ignore[union-attr]
            memo.topics.now = memo.topics.last  # type: ignore[union-attr]  # each kept list still holds
            for event in map(self.events.__getitem__, redo):
                out[event.id] = sorted({t for fact_id in event.facts for t in facts[fact_id].topics})
        else:
            kept, now = (memo.topics.last, memo.topics.now) if memo is not None else ({}, {})
            out = {}
            for event in self.events:
                cited = tuple(map(facts.__getitem__, event.facts))
                topics = kept.get(cited)
                if topics is None:
                    topics = sorted({t for fact in cited for t in fact.topics})
                out[event.id] = now[cited] = topics
        if memo is not None:
            citing = memo.all_topics.last[3] if redo is not None else None  # type: ignore[index]
            memo.all_topics.now = (list(self.events), list(self.project.facts), out, citing)
        return dict(out)

    def _events_citing_changed_facts(self) -> set[int] | None:
        """The places of the events that cite a fact that may have changed since the last build, or None
        when every event must be looked at (the events or the number of facts are not the last build's)."""
        last = self.memo.all_topics.last  # type: ignore[union-attr]
        events, facts = self.events, self.project.facts
        if last is None or not same_objects(events, last[0]) or len(last[1]) != len(facts):
            return None
        if last[3] is None:  # which events cite each fact, worked out once the events stay
            citing: dict[str, list[int]] = {}
            for place, event in enumerate(events):
                for fact_id in event.facts:
                    citing.setdefault(fact_id, []).append(place)
            self.memo.all_topics.last = last = (*last[:3], citing)  # type: ignore[union-attr]
        head, tail = same_ends(facts, last[1])
        changed = {f.id for f in facts[head:len(facts) - tail]} | {f.id for f in last[1][head:len(facts) - tail]}
        return {place for fact_id in changed for place in last[3].get(fact_id, ())}

    def context(self) -> dict[str, Any]:
        p = self.project
        css = self.stylesheet()
        base_url = self.options.base_url
        return {
            "css": Markup(css),
            "csp": content_security_policy(csp_hash(css)),
            "script": SCRIPT if self.static_file(SCRIPT) else None,
            "json_ld": Markup(metadata.json_ld(p, base_url, self.layout, self.words)),
            "data_files": exports.DATA_FILES,
            "charts": build_charts(p.site.charts, p.facts, None if self.words.english else self.words),
            "event_topics": self.event_topics(),
            "site": p.site,
            "base_url": self.options.base_url,
            "summaries": [(s, self.markdown(s.body)) for s in p.summaries],
            "comparisons": [(c, self.markdown(c.text, inline=True), [self.facts[f] for f in c.facts])
                            for c in p.comparisons],
            "events": self.events_html(self.events),
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
        base_url = self.options.base_url
        data_files: dict[str, Any] = {}  # bytes, or a large file waiting on disk (write.Sink)

        # A cold build's exports need nothing rendered: made in a child on another core, if there is one,
        # started before anything is rendered (a story on one page renders its offline file first: 1.2 s
        # at 10,000 facts, during which the other core was idle and this process then waited for the child).
        # Where Pagefind already has the only other core, the child makes facts.csv and this process
        # the JSON files (it waits for Pagefind at the end anyway): the two cores finish about together.
        aside_files = ("facts.csv",) if shares_a_core(_still_indexing(indexing)) else exports.DATA_FILES
        child = None if self.memo is not None else aside(
            lambda: exports.data_files(self.project, base_url, self.layout, only=aside_files, words=self.words),
            len(self.project.facts))

        def exports_meanwhile() -> None:  # in this process, while workers render the pages
            rest = [name for name in exports.DATA_FILES if name not in aside_files]
            made = (exports.data_files(self.project, base_url, self.layout, only=rest, words=self.words)
                    if child and rest else {})
            done = child.files() if child is not None else None
            if done is None:  # no child, or it failed: made here, the same bytes
                lines = self.memo.exports.lines(self) if self.memo is not None else exports.each_line
                done = exports.data_files(self.project, base_url, self.layout, lines,
                                          only=[name for name in exports.DATA_FILES if name not in made],
                                          events=self.events, words=self.words)
            made.update(done)
            data_files.update((name, made[name]) for name in exports.DATA_FILES)

        try:
            try:  # embeds, the offline file: first, since the front page links to them
                pages.update(reach.render(self, context, problems))
            except jinja2.TemplateError as exc:  # reported below, unless a page shows the same mistake
                extras_errors.append(template_error(exc, self.env, problems))
            jobs = [*((n, t, {}) for n, t in PAGES), *self.list_pages(context)]
            keys = self.memo.page_keys(self, context, jobs) if self.memo is not None else {}
            kept = self.memo.kept_pages(keys) if self.memo is not None else {}
            todo = [job for job in jobs if job[0] not in kept]

            def keep(name: str, data: bytes, links: Any) -> tuple[Any, Any]:  # the preview's: held compressed
                if name not in keys:
                    return data, links
                links = links if links is not None else page_links(name, data)
                return self.memo.keep_page(name, keys[name], data, links), links

            front = [job for job in todo if job[0] == FRONT_PAGE]  # rendered last: it links to search
            rest = [job for job in todo if job[0] != FRONT_PAGE]
            done = render_pages(self, context, rest, workers, exports_meanwhile, keep if keys else None)
        finally:
            if child is not None:
                child.close()  # a template failed before the exports were collected: stop the child
        if len(done) == len(rest):  # else the build fails: no need to wait for Pagefind (render() stops it)
            _read_links(done)  # while Pagefind may still index on the other core, not after it
            if self.write_early is not None and _still_indexing(indexing):
                # Pages the rest of the build leaves as they are (pipeline.py replaces only the front page,
                # sitemap and _headers of a multilingual site, CHANGED_BY_EDITIONS; a file changed later is
                # written again).
                self.write_early({**pages, **{name: data for name, (data, _) in done.items()}, **data_files})
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
            pages[name] = data[0]  # a kept page: the memo's object from now on, build after build (held.Packed)
            if data[1] is not None:
                self.page_links[name] = data[1]
        reported = {p.format() for p in problems.items}
        for error in extras_errors:
            if error.format() not in reported:
                problems.items.append(error)
        pages.update(data_files)
        pages["sitemap.xml"] = metadata.sitemap(base_url, self.project.site.updated,
                                                [page.name for _, page in self.layout.pages])
        pages["robots.txt"] = metadata.robots(base_url)
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


def _still_indexing(indexing: Any) -> bool:
    """Whether Pagefind still runs in its own process (pagefind.Indexing; the preview's kept or
    background index, or none, never does)."""
    running = getattr(indexing, "running", None)
    return running is not None and running()


def _read_links(done: dict[str, Any]) -> None:
    """Read each rendered page's local links for the link check (pipeline.py), where not read already.

    Done before waiting for Pagefind: at 10,000 facts reading them takes ~0.15 s, which was the
    build's tail after the search index came back; now the check only looks the targets up.
    """
    for name, (data, links) in done.items():
        if links is None and name.endswith(".html"):
            done[name] = (data, page_links(name, data))
