"""The whole build in one function: load → validate → verify → render → write.

Nothing is written until everything has been read, checked and rendered.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .catalogs import check_catalogs
from .confine import refuse_links_out
from .errors import BuildError, ContentError, Problems
from .load import load_project
from .model import Project
from .theme import lookup
from .translations import check_translations
from .validate import build_project
from .verify import verify_project
from .write import Output, Staging, check_output_dir, start_site, write_site
from .write import write_early as write_early_files

if TYPE_CHECKING:
    from .incremental import BuildCache
    from .paginate import Layout
    from .parallel import Forked

# The renderer (Jinja2, Markdown, nh3), assets and feed are imported by render() only: `check` never needs them.

log = logging.getLogger(__name__)


@dataclass
class BuildResult:
    """What a build made: the project, the files and the warnings."""

    project: Project
    pages: dict[str, Output]  # bytes, or a large file waiting on disk (write.py)
    warnings: list[ContentError] = field(default_factory=list)
    seconds: float = 0.0
    # In `serve`: Pagefind still indexing this build's records (pagefind.Indexing), whose index the
    # preview writes into the site when it is done; the site went out with the last one meanwhile.
    search_pending: Any = None
    # The files the write replaced or removed, when only what changed was written (the preview's
    # builds: write_changes.py); None when the site was written whole.
    changed: list[str] | None = None
    # The preview's: the large changed files left for after the browsers reload (write_changes.write_later).
    later: tuple[str, ...] = ()


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the length of a build.

    A build allocates millions of small objects that all live until it ends; the collector keeps
    re-scanning them and finds almost nothing (the content holds no reference cycles): 20% of the
    build at 10k facts, a third at 50k, growing faster than the content. Reference counting still
    frees everything as usual; the collector resumes afterwards (``serve`` builds again and again).
    Before it does, the objects the build made are frozen (set aside from collection): otherwise
    its first pass would scan them all at once (0.2 s at 10k facts) just before the process ends.
    The next build unfreezes them, so a long-running ``serve`` still collects its garbage.
    """
    enabled = gc.isenabled()
    if enabled:
        gc.unfreeze()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()
            gc.enable()


def check(root: Path, strict: bool = False, cache: BuildCache | None = None,
          validated: Callable[[Project, Problems], None] | None = None) -> tuple[Project, Problems]:
    """Load, validate and verify; raise BuildError listing every problem found.

    ``validated`` is called with the project once it is valid, before its quotes are checked.
    """
    with gc_paused():
        return _check(root, strict, cache, validated)


def _check(root: Path, strict: bool, cache: BuildCache | None = None,
           validated: Callable[[Project, Problems], None] | None = None) -> tuple[Project, Problems]:
    problems = Problems(root)
    refuse_links_out(root, problems)  # before anything is read: nothing outside the project is
    problems.raise_if_errors()
    loaded = load_project(root, problems, cache.files if cache else None)
    if cache:
        cache.files.forget_unseen()
    project = build_project(root, loaded, problems, cache.checks if cache else None)
    check_translations(project, loaded, problems, cache.checks if cache else None)  # languages, translated summaries
    check_catalogs(project.site, root, problems)  # each edition's .po files, read here so `check` sees them
    if cache:
        cache.files.slim()  # the kept entries' parsed YAML: their records stand for it now
    if validated is not None and not problems.errors:
        validated(project, problems)
    verify_project(project, problems, cache.quotes if cache else None)
    problems.raise_if_errors(strict)
    return project, problems


def render(project: Project, root: Path, base_url: str | None, problems: Problems,
           cache: BuildCache | None = None, search: tuple[Any] | None = None,
           early: Callable[[dict[str, Output]], None] | None = None, layout: Layout | None = None
           ) -> dict[str, Output]:
    """Render pages and copy static assets into an in-memory map of output path → bytes.

    The pages are rendered on every core the process may use (parallel.py): the same bytes, sooner.
    ``search`` is ``(indexing,)`` when the build has started Pagefind already (see build()), and
    ``layout`` the project's pages (paginate.layout) when the build has laid them out already.
    ``early`` is given the files ready while the build waits for Pagefind (Renderer.write_early),
    or for the other editions' child.
    """
    from . import editions
    from .assets import hash_assets
    from .parallel import can_fork_child
    from .render import STYLESHEET, RenderOptions

    site = project.site
    options = RenderOptions(base_url=(base_url or site.base_url).rstrip("/") + "/")
    theme = lookup(root)  # the project's templates/, static/ and locales/ first, then the package's theme
    assets = hash_assets(theme.static, inlined=(STYLESHEET,))
    others = [code for code in site.languages if code != site.language]

    def render_others(workers: int) -> dict[str, Output]:  # each other edition under its code
        out: dict[str, Output] = {}
        for code in others:
            memo = cache.edition(code) if cache else None
            out.update(editions.render_other(project, code, theme, options, assets, problems, workers, memo))
        return out

    # With a second core, a forked child renders the other editions while this process renders the
    # original: they share nothing the original's pages make (see docs/maintainers.md). Not in the
    # preview (``cache``): each edition's memo is kept here, and with it little is rendered again.
    forking = others and cache is None and can_fork_child()
    child = _editions_child(render_others, problems) if forking else None
    try:
        return _render(project, root, options, theme, assets, problems, cache, search, render_others, child, early,
                       layout)
    finally:
        if child is not None:
            child.stop()


def _editions_child(render_others: Callable[[int], dict[str, Output]], problems: Problems) -> Forked:
    """The other editions rendered in a forked child (its pages one after another: no pool of its own);
    it answers with their files and the problems it found, appended here where a serial build adds them."""
    from .parallel import Forked

    before = len(problems.items)

    def work() -> tuple[dict[str, Output], list[ContentError]]:
        files = render_others(1)
        return files, problems.items[before:]

    return Forked(work)


# What the other editions change in the original's files once they are rendered (below).
CHANGED_BY_EDITIONS = frozenset({"index.html", "sitemap.xml", "_headers"})


def _render(project: Project, root: Path, options: Any, theme: Any, assets: Any, problems: Problems,
            cache: BuildCache | None, search: tuple[Any] | None, render_others: Callable[[int], dict[str, Output]],
            child: Forked | None, early: Callable[[dict[str, Output]], None] | None,
            layout: Layout | None) -> dict[str, Output]:
    from . import editions, reach
    from .assets import page_links, unmet_links
    from .feed import RECENT_ITEMS, changes, feed_xml
    from .metadata import sitemap
    from .parallel import workers_available
    from .render import Renderer

    site = project.site
    memo = cache.render if cache else None
    words = editions.words_for(site.language, site, theme.locales, problems)
    renderer = Renderer(project, theme.templates, options, theme.static, assets, memo, words, layout)
    renderer.write_early = early
    editions.setup(renderer, site, options.base_url, site.language)  # the language switch, hreflang
    dated = changes(project)
    renderer.env.globals["recent"] = dated[:RECENT_ITEMS]  # the "Recently updated" list (_recent.html)
    if memo:
        memo.start(project, words)
    pages = renderer.render(problems, workers_available(), search)
    problems.raise_if_errors()
    pages.update(assets.files)
    reach.drop_unused_search_script(pages, assets)
    pages["feed.xml"] = feed_xml(project, options.base_url, renderer.layout, dated=dated)
    if len(site.languages) > 1:  # each other edition under its code, from the same verified project
        if child is not None and early is not None:  # while the child renders them: this edition's files
            early({name: data for name, data in pages.items() if name not in CHANGED_BY_EDITIONS})
        done = child.result() if child is not None else None
        if done is None:  # no child, or it failed: rendered here (an error in it is raised as usual)
            pages.update(render_others(workers_available()))
        else:
            pages.update(done[0])
            problems.items.extend(done[1])
        problems.raise_if_errors()
        listed = [page.name for _, page in renderer.layout.pages]
        pages["sitemap.xml"] = sitemap(options.base_url, site.updated, editions.sitemap_pages(site, listed))
        if "_headers" in pages:
            pages["_headers"] = editions.headers(site, pages["_headers"])
        pages["index.html"] = editions.with_translations(pages["index.html"], site, options.base_url)
    known = renderer.page_links  # pages whose links were read where they were rendered, or kept from the last build
    # The preview's: each page's links by its bytes, for a page given as the same bytes object again
    # (another edition's, kept whole: editions.render_other).
    # A page's links are checked again only when they are not the last build's (the same object) or
    # the site's files are not the same names: 742 pages at 50,000 facts.
    last_links, links_now = (cache.links, {}) if cache else ({}, None)
    names = set(pages) if cache else None
    same_names = cache is not None and cache.link_names == names
    broken = []
    for page, data in pages.items():
        if page.endswith(".html"):
            links, kept = known.get(page), last_links.get(page)
            if links is None and kept is not None and kept[0] is data:
                links = kept[1]
            if same_names and kept is not None and links is kept[1]:
                unmet = kept[2]
            else:
                unmet = unmet_links(links, pages) if links is not None else None
                if unmet is None or unmet:  # a kept page keeps one link per file: read it in full
                    links = page_links(page, data if isinstance(data, bytes) else bytes(data))  # held.Packed: unpacked
                    unmet = unmet_links(links, pages)
            if links_now is not None:
                links_now[page] = (data, links, unmet)
            broken += [(page, link, why) for link, why in unmet]
    reported: set[str] = set()
    for page, link, why in broken:  # e.g. a template naming an asset without asset()
        as_written = _as_written(page, link)  # embed/timeline.html shows the timeline's links as ../NAME
        written = renderer.locate_link(as_written)
        if written is not None:  # a link in a summary or other Markdown text: blamed where it was written
            if as_written not in reported:  # once, however many pages show the text
                reported.add(as_written)
                problems.error(written[0], written[1], written[2], f"the link '{as_written}' is broken: {why}",
                               "link to another site with its full https:// address, or to a part of this page "
                               "with #id")
            continue
        problems.error(root / "templates", 1, 1, f"{page} links to '{link}': {why}",
                       "link pages relatively; for files from static/ write {{ asset('NAME') }}")
    problems.raise_if_errors()
    if memo:
        memo.finish()
    if cache is not None and links_now is not None:
        cache.links, cache.link_names = links_now, names
    return pages


def _as_written(page: str, link: str) -> str:
    """A relative link as the editor wrote it, before a page in a subfolder prefixed it with ``../``."""
    for _ in range(page.count("/")):
        if link.startswith("../"):
            link = link[3:]
    return link


def build(root: Path, output: Path, base_url: str | None = None, strict: bool = False,
          cache: BuildCache | None = None) -> BuildResult:
    """Build the site into ``output``; on any error the previous output is left untouched.

    ``cache`` (incremental.py) lets a rebuild reuse the last build's work: the same bytes, sooner.
    """
    started = time.perf_counter()
    check_output_dir(output, root)
    search: list[Any] = []  # Pagefind, started once the content is valid: it indexes while quotes are checked
    laid: list[Layout] = []  # the pages its records point to, the renderer's too (7 ms at 10k facts)

    def start_search(project: Project, problems: Problems) -> None:
        from .paginate import layout
        from .reach import start_search

        laid.append(cache.layout.layout(project) if cache else layout(project))
        search.append(start_search(project, laid[0], problems, cache.render if cache else None))

    # A cold build writes what is ready while it waits for Pagefind or the other editions' child
    # (Renderer.write_early, _render); the rest, and the swap, after.
    staging: list[Staging] = []

    def write_early(files: dict[str, Output]) -> None:
        if not staging:
            staging.append(start_site(output))
        write_early_files(staging[0], files, output)

    with gc_paused():
        try:
            try:
                project, problems = check(root, strict, cache, start_search)
                pages = render(project, root, base_url, problems, cache, (search[0],) if search else None,
                               None if cache else write_early, laid[0] if laid else None)
            finally:
                if search and search[0] is not None:
                    search[0].close()  # a build that failed before collecting it: stop Pagefind
            write_site(pages, output, cache.written if cache else None, staging[0] if staging else None)
            if cache:
                cache.files.settle()
        finally:
            for folder in staging:
                folder.close()  # a build that failed after writing early: its half-written folder goes
    pending = getattr(search[0], "indexing", None) if search else None  # search_memo.Background: the preview's
    changed = cache.written.changed if cache and cache.written.updated else None
    return BuildResult(project, pages, problems.warnings, time.perf_counter() - started,
                       search_pending=pending, changed=changed, later=tuple(cache.written.later) if cache else ())


__all__ = ["BuildError", "BuildResult", "build", "check", "render"]
