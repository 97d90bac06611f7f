"""The offline file's and the embeds' link rewriting finds exactly the links it found before it was sped up.

offline.py and embeds.py match `href="…"`/`src="…"` with the space before it looked behind at rather
than matched; this checks, on generated HTML-like text full of near misses, that every page comes out
as with the old pattern (`\\s(?:href|src)="…"`), and on the shipped explainer's pages.
"""

from __future__ import annotations

import re

from conftest import REPO
from hypothesis import given, settings
from hypothesis import strategies as st

from explainer import embeds, offline

OLD = re.compile(r'(\s(?:href|src)=")([^"]*)(")')
PIECES = [" ", "\n", "\t", "x", "href", "src", "=", '"', 'href="', ' href="', 'src="', "#a", "b.html", "b.html#c",
          "https://e.org/", "../", "data-href=", "<a ", ">", "'"]
SITE_PAGES = {"index.html", "b.html"}


def with_old_pattern(module, html: str, *args) -> str:
    saved = module._LINK
    module._LINK = OLD
    try:
        return module.self_contained(html, *args) if module is offline else module.relocate(html, *args)
    finally:
        module._LINK = saved


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_the_same_links_are_rewritten(html):
    assert offline.self_contained(html, SITE_PAGES, "https://e.org/x/") == with_old_pattern(
        offline, html, SITE_PAGES, "https://e.org/x/")
    assert embeds.relocate(html) == with_old_pattern(embeds, html)


def test_the_shipped_pages_are_rewritten_the_same(tmp_path):
    from explainer import pipeline

    result = pipeline.build(REPO, tmp_path / "out")
    pages = [data.decode("utf-8") for name, data in result.pages.items() if name.endswith(".html")]
    assert len(pages) > 20
    for html in pages:
        assert offline.self_contained(html, SITE_PAGES, "https://e.org/") == with_old_pattern(
            offline, html, SITE_PAGES, "https://e.org/")
        assert embeds.relocate(html) == with_old_pattern(embeds, html)
