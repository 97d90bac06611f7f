"""The files a build will write, named from the layout alone, so `check` can test relative links
in what editors write without rendering a page.

The build's own link check (pipeline._render) reads every rendered page and looks each link up in
the files actually written; that stays, for the templates. A relative link in a summary or another
Markdown text is checked here instead, in the check stage, by `check` and `build` alike: it is the
editor's mistake, found in the same pass as every other one. Links into `assets/` and `pagefind/`
(hashed or generated names) are left to the build. `tests/test_check_parity.py` holds this list to
what a build writes.
"""

from __future__ import annotations

from typing import Any

from .model import Project

LEFT_TO_THE_BUILD = ("assets/", "pagefind/")  # names known only once the build has made them


def written(project: Project, layout: Any) -> set[str]:
    """Every file of every edition the build writes, outside `assets/` and `pagefind/`.

    Called only when a text links relatively (rare): its imports reach the render stage's modules.
    """
    from . import embeds, search
    from .editions import ROOT_ONLY, prefix

    names = _edition(project, layout, project.site.language if project.site else "en")
    if project.site is None:
        return names
    names |= {"404.html", "robots.txt", "sitemap.xml", embeds.HEADERS_FILE}
    if search.wanted(project, layout):
        names.add(search.PAGE)
    for code in project.site.languages:
        if code != project.site.language:
            names |= {prefix(project.site, code) + name for name in _edition(project, layout, code)
                      if name not in ROOT_ONLY}
    return names


def _edition(project: Project, layout: Any, code: str) -> set[str]:
    """One edition's files, named as at the site's root."""
    from . import embeds, exports, offline

    names = {"index.html", "feed.xml", *exports.DATA_FILES, embeds.CODES_PAGE, f"{embeds.FOLDER}/timeline.html"}
    names |= {f"{embeds.FOLDER}/comparison-{c.id}.html" for c in project.comparisons}
    names |= {page.name for _, page in layout.pages}
    if project.site is not None and offline.wanted(project.site, layout):
        names.add(offline.file_name(code))
    return names
