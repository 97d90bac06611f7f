"""Pages that take the explainer to readers off the front page: embeds, the offline file, search.

Called by the renderer before it renders the front page, which links to what was made here (the
offline file with its size, the page of embed codes, the search page). See embeds.py, offline.py,
search.py and pagefind.py. The offline file and search can be turned off in site.yaml (`offline`,
`search`); each costs the front page one link, never a request.

Search runs in a process of its own (Pagefind) from records that need only the validated content:
the build starts it before the quote checks (`start_search`) and collects it last (`search_pages`),
just before the front page, so it indexes on another core while the rest is checked and rendered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import embeds, offline, search
from .errors import Problems

if TYPE_CHECKING:  # pagefind.py is imported only for a story with search: the shipped one has none
    from .pagefind import Indexing, SearchUnavailable
    from .search_memo import Background, Kept


def start_search(project: Any, layout: Any, problems: Problems,
                 memo: Any = None) -> Indexing | Kept | Background | None:
    """Pagefind started on the story's records, or None: no search wanted, or Pagefind unavailable (warned).

    The records need only validated content, so the build starts this before the quote checks. The
    preview's ``memo`` (incremental.py) keeps the last index per language, which it shows again
    while the records are the same, and in `serve` while Pagefind makes the new one (search_memo.SearchMemo).
    """
    if not search.wanted(project, layout):
        if memo is not None:
            memo.search.stop()  # search turned off: a background index would be written for nothing
        return None
    from .pagefind import Indexing, SearchUnavailable

    records = search.records(project, layout, memo.search if memo is not None else None)
    language = project.site.language
    try:
        if memo is not None:
            return memo.search.start(records, language)
        return Indexing(records, language)
    except SearchUnavailable as exc:
        _unavailable(project, problems, exc)
        return None


def render(renderer: Any, context: dict[str, Any], problems: Problems) -> dict[str, bytes]:
    """The embeds and the offline file as output path → bytes; sets the front page's links in ``context``.

    Template errors propagate (jinja2.TemplateError) for the renderer to report like any page's.
    """
    from .page_tools import minify_css

    project, layout = renderer.project, renderer.layout
    context.update(offline=None, embeds_page=embeds.CODES_PAGE, search_page=None)
    memo = renderer.memo  # the preview's: an embed that shows the same as last time is kept
    kept = None if memo is None else lambda embed, render: memo.embed_page(renderer, context, embed, render)
    out = embeds.render(context, _page(renderer, context), kept)
    if offline.wanted(project.site, layout):
        from .page_tools import csp_hash

        print_css = renderer.static_file(offline.PRINT_STYLESHEET)  # the theme's lookup order
        css = minify_css(print_css.read_text(encoding="utf-8")) if print_css else ""
        site_pages = {"index.html", *(p.name for _, p in layout.pages)}
        name, data = offline.render(context, site_pages, css, csp_hash, _page(renderer, context))
        out[name] = data
        context["offline"] = {"name": name, "size": renderer.words.file_size(len(data))}  # in its language
    return out


def drop_unused_search_script(pages: dict[str, Any], assets: Any) -> None:
    """assets/search.js serves search.html alone: without that page (a story on one page, `search:
    false`, Pagefind missing) no page links it, so it is not published."""
    if search.PAGE not in pages:
        pages.pop(assets.names.get(search.SCRIPT, ""), None)


def search_pages(renderer: Any, context: dict[str, Any], problems: Problems,
                 indexing: Indexing | Kept | Background | None) -> dict[str, bytes]:
    """Pagefind's index and `search.html` once Pagefind has finished; sets the front page's link.

    Without search (not wanted, or Pagefind failed: a warning) there are none, and no link.
    """
    if indexing is None:
        return {}
    from .page_tools import content_security_policy, csp_hash
    from .pagefind import SearchUnavailable

    try:
        out = indexing.finish()
    except SearchUnavailable as exc:
        _unavailable(renderer.project, problems, exc)
        return {}
    csp = content_security_policy(csp_hash(str(context["css"])))
    csp = csp.replace("script-src 'self'", "script-src 'self' 'wasm-unsafe-eval'")
    csp = csp.replace("form-action 'none'", "form-action 'self'")
    out[search.PAGE] = _page(renderer, context)("search.html", {"csp": csp, "page_path": search.PAGE}).encode("utf-8")
    context["search_page"] = search.PAGE
    return out


def _page(renderer: Any, context: dict[str, Any]) -> Any:
    def page(template: str, extra: dict[str, Any]) -> str:
        return renderer.env.get_template(template).render(context, **extra)

    return page


def _unavailable(project: Any, problems: Problems, exc: SearchUnavailable) -> None:
    problems.warning(project.root / "site.yaml", 1, 1, str(exc), UNAVAILABLE_HINT)


UNAVAILABLE_HINT = ("install the pinned requirements (pip install -r requirements.txt), "
                    "or set `search: false` in site.yaml")
