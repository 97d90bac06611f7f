"""The link rewriting (offline file, embeds) and the link check find exactly the links they found before
they were sped up.

assets.LINK and LINK_BYTES find `="` and look behind it at `href`/`src` and the whitespace before
(a fast search for a literal, then two look-behinds); this checks, on generated HTML-like text full of
near misses, that every page comes out as with the old pattern (`\\s(?:href|src)="…"`), that the link
check reads the same links, and the same on the shipped explainer's pages.
"""

from __future__ import annotations

import re

from conftest import REPO
from hypothesis import given, settings
from hypothesis import strategies as st

from explainer import assets, embeds, offline

OLD = re.compile(r'(\s(?:href|src)=")([^"]*)(")')
OLD_BYTES = re.compile(rb'\s(?:href|src)="([^"]*)"')  # the link check's, before (with a faster first try)
PIECES = [" ", "\n", "\t", "\r", "\u00a0", "x", "f", "c", "href", "src", "=", '"', 'href="', ' href="', 'src="',
          '="', "#a", "b.html", "b.html#c", "https://e.org/", "../", "data-href=", "<a ", ">", "'", "é"]
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
    assert assets.LINK_BYTES.findall(html.encode()) == OLD_BYTES.findall(html.encode())


def test_a_link_is_an_href_or_src_value_after_whitespace():
    html = '<a href="a.html" data-href="no.html">x</a><img\nsrc="b.png"><p title=\'x="no"\'>y href ="no.html"</p>'
    assert assets.LINK_BYTES.findall(html.encode()) == [b"a.html", b"b.png"]
    assert [m.group(2) for m in assets.LINK.finditer(html)] == ["a.html", "b.png"]


def test_the_shipped_pages_are_rewritten_the_same(tmp_path):
    from explainer import pipeline

    result = pipeline.build(REPO, tmp_path / "out")
    pages = [data.decode("utf-8") for name, data in result.pages.items() if name.endswith(".html")]
    assert len(pages) > 20
    for html in pages:
        assert offline.self_contained(html, SITE_PAGES, "https://e.org/") == with_old_pattern(
            offline, html, SITE_PAGES, "https://e.org/")
        assert embeds.relocate(html) == with_old_pattern(embeds, html)
        assert assets.LINK_BYTES.findall(html.encode()) == OLD_BYTES.findall(html.encode())
