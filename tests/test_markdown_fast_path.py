"""Prose without Markdown skips Python-Markdown, and ASCII text fragments skip urllib: the output must be the same."""

from __future__ import annotations

import re

import markdown
import nh3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explainer import filters, render
from explainer import markdown_render as md_render

ALPHABET = "ab Zé1 0.,;:'\"()?%/-=+$“”‘’—–*_`[]<>&\\!#|~\t\n"


def rendered(text: str) -> str:
    renderer = render.Renderer.__new__(render.Renderer)  # just the Markdown part
    renderer.md = markdown.Markdown(extensions=[], output_format="html")
    return str(renderer.markdown(text, inline=True))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=ALPHABET, min_size=1, max_size=40).map(str.strip)
       .filter(lambda t: t and "[[" not in t))
def test_plain_prose_renders_exactly_as_markdown_would(text):
    if not md_render._PLAIN.fullmatch(text):
        return
    fast = rendered(text)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(md_render, "_PLAIN", re.compile(r"(?!)"))  # never matches: always Markdown
        assert fast == rendered(text)


def test_markdown_and_odd_starts_take_the_markdown_path():
    for text in ("**bold** text", "1. a list", "- item", "# heading", "> quote", "a & b", "<b>x</b>", "a\nb"):
        assert not md_render._PLAIN.fullmatch(text)
    assert md_render._PLAIN.fullmatch("It’s “plain” prose — 1,000-for-1,000, (mostly) 50% of it.")


def test_citations_held_out_of_markdown_render_as_before():
    from types import SimpleNamespace

    def renderer():
        r = render.Renderer.__new__(render.Renderer)
        r.md = markdown.Markdown(extensions=[], output_format="html")
        r.facts = {f: SimpleNamespace(id=f, number=n) for n, f in enumerate(("a", "b", "c"), start=1)}
        r.layout = SimpleNamespace(fact_href=lambda fact_id: f"#{fact_id}")
        r._cite_links = {}
        return r

    text = ("**Bold** claim.[[a]] More *text*[[b]][[c]] and `code [[a]]`.\n\n"
            "- a list item[[b]]\n- [[c]] first\n\n> quoted [[a]]")
    held = str(renderer().markdown(text))
    # The reference: Markdown on the text as written, then each run in the HTML's text made into links.
    r = renderer()
    html = nh3.clean(r.md.convert(text), tags=md_render.ALLOWED_TAGS, attributes=md_render.ALLOWED_ATTRIBUTES,
                     url_schemes=md_render.ALLOWED_SCHEMES, link_rel="noopener noreferrer")
    parts = md_render._TAG.split(html)
    for i in range(0, len(parts), 2):
        parts[i] = md_render._CITE_RUN.sub(lambda m: str(r.cite_html(md_render.CITE.findall(m.group(0)))), parts[i])
    assert held == "".join(parts)
    assert held.count('class="cite"') == 7


def test_a_citation_in_a_link_address_stays_as_written():
    from types import SimpleNamespace

    r = render.Renderer.__new__(render.Renderer)
    r.md = markdown.Markdown(extensions=[], output_format="html")
    r.facts = {"a": SimpleNamespace(id="a", number=1)}
    r.layout = SimpleNamespace(fact_href=lambda fact_id: f"#{fact_id}")
    r._cite_links = {}
    html = str(r.markdown("See [this](https://example.org/[[a]]) and this.[[a]]", inline=True))
    assert 'href="https://example.org/[[a]]"' in html
    assert html.count('class="cite"') == 1 and "\ufdd0" not in html


PROSE = "ab Zé1 .,;:'\"()?%/-“”‘’—\u00a0\ufdd0"  # plain prose, with a held citation's mark
_RUN = st.text(alphabet=st.sampled_from(PROSE), min_size=1, max_size=10)
_EDGE = st.sampled_from("aZé1.“”’\"()%")
_INNER = st.one_of(_EDGE, st.tuples(_EDGE, _RUN, _EDGE).map("".join), _RUN)
_SPAN = st.tuples(_INNER, st.sampled_from(["**", "**", "**", "*", "***", "** "]),
                  st.sampled_from(["**", "**", "*", " **"]))
STRONG_TEXTS = st.tuples(st.sampled_from("aZé“(a'*"), _RUN, st.lists(st.tuples(_SPAN, _RUN), max_size=4)).map(
    lambda t: t[0] + t[1] + "".join(f"{open_}{inner}{close}{after}" for (inner, open_, close), after in t[2]))


@settings(max_examples=1500, deadline=None)
@given(STRONG_TEXTS)
def test_prose_with_strong_words_renders_exactly_as_markdown_would(text):
    if not md_render._PLAIN_STRONG.fullmatch(text):
        return
    fast = rendered(text)
    with pytest.MonkeyPatch.context() as mp:
        never = re.compile(r"(?!)")  # never matches: always Markdown
        mp.setattr(md_render, "_PLAIN", never)
        mp.setattr(md_render, "_PLAIN_STRONG", never)
        assert fast == rendered(text)


def test_strong_words_take_the_fast_path_only_when_plain_around_and_inside():
    fast = ("Some **bold** words.", "A **bold phrase**, then **more**.\ufdd00\ufdd1", "“Quoted” **x**.")
    for text in fast:
        assert md_render._PLAIN_STRONG.fullmatch(text), text
    for text in ("**Bold** first", "ends **bold**", "a ** b** c", "a **b ** c", "a **b*c** d", "a **b** *c* d",
                 "a **b_c** d", "a **b**\n**c** d", "a **`b`** c", "a ****  b"):
        assert not md_render._PLAIN_STRONG.fullmatch(text), text


@settings(max_examples=500, deadline=None)
@given(st.text(min_size=0, max_size=30) | st.text(alphabet=st.characters(max_codepoint=127), max_size=30))
def test_text_fragment_parts_are_quoted_exactly_as_urllib_quotes_them(text):
    from urllib.parse import quote

    assert filters._fragment_part(text) == quote(text, safe="").replace("-", "%2D")
