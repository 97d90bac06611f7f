"""Pages that take the explainer to readers off the front page: embeds, the offline file, search.

Called by the renderer before it renders the front page, which links to what was made here (the
offline file with its size, the page of embed codes, the search page). See embeds.py, offline.py
and search.py. The offline file and search can be turned off in site.yaml (`offline`, `search`);
each costs the front page one link, never a request.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from . import embeds, offline, search
from .errors import Problems


def render(renderer: Any, context: dict[str, Any], problems: Problems) -> dict[str, bytes]:
    """Every extra page as output path → bytes; sets the front page's links in ``context``.

    Template errors propagate (jinja2.TemplateError) for the renderer to report like any page's.
    """
    from .render import content_security_policy, csp_hash, minify_css

    project, layout = renderer.project, renderer.layout

    def page(template: str, extra: dict[str, Any]) -> str:
        return renderer.env.get_template(template).render(context, **extra)

    context.update(offline=None, embeds_page=embeds.CODES_PAGE, search_page=None)
    out = embeds.render(context, page)
    with ThreadPoolExecutor(max_workers=1) as pool:  # Pagefind (a separate process) indexes meanwhile
        index = renderer.memo.search_index if renderer.memo is not None else search.index  # the preview keeps it
        pending = (pool.submit(index, search.records(project, layout), project.site.language)
                   if search.wanted(project, layout) else None)
        if offline.wanted(project.site, layout):
            print_css = renderer.static_file(offline.PRINT_STYLESHEET)  # the theme's lookup order
            css = minify_css(print_css.read_text(encoding="utf-8")) if print_css else ""
            site_pages = {"index.html", *(p.name for _, p in layout.pages)}
            name, data = offline.render(context, site_pages, css, csp_hash, page)
            out[name] = data
            context["offline"] = {"name": name, "size": offline.human_size(len(data))}
        if pending is not None:
            try:
                out.update(pending.result())
            except search.SearchUnavailable as exc:
                problems.warning(project.root / "site.yaml", 1, 1, str(exc),
                                 "install the pinned requirements (pip install -r requirements.txt), "
                                 "or set `search: false` in site.yaml")
            else:
                csp = content_security_policy(csp_hash(str(context["css"])))
                csp = csp.replace("script-src 'self'", "script-src 'self' 'wasm-unsafe-eval'")
                csp = csp.replace("form-action 'none'", "form-action 'self'")
                out[search.PAGE] = page("search.html", {"csp": csp, "page_path": search.PAGE}).encode("utf-8")
                context["search_page"] = search.PAGE
    return out
