"""The front page's blocks, rendered once for it and the offline file (explainer/shared_blocks.py).

A block is given again only to a render whose context has the same objects under every name the
block read, and never when it reaches `self`, `super()` or a nested block; a build with sharing and
one without write the same bytes, theme overrides included.
"""

from __future__ import annotations

import gc
import re
from pathlib import Path

import jinja2
import pytest
from _languages_fixture import FILES
from conftest import MINIMAL, make_project, tree_hash

from explainer import pipeline
from explainer.render import Renderer
from explainer.shared_blocks import SharedBlocks

SPLIT = "pagination: {facts_per_page: 1, events_per_page: 1, sources_per_page: 1}\noffline: true\n"


def env_with(templates: dict[str, str]) -> tuple[jinja2.Environment, SharedBlocks]:
    env = jinja2.Environment(loader=jinja2.DictLoader(templates), autoescape=True)
    shared = SharedBlocks(env)
    shared.share(env.get_template("index.html"))
    return env, shared


def kept(shared: SharedBlocks) -> list[str]:
    """The blocks holding a render to give again, by name."""
    return sorted(block.__name__ for block in shared.kept)


BASE = {
    "base.html": "<h>{% block header %}{% endblock %}</h><m>{% block main %}{% endblock %}</m>",
    "index.html": ('{% extends "base.html" %}{% block header %}{{ title }}{% endblock %}'
                   '{% block main %}{% for item in items %}{% include "_item.html" %}{% endfor %}{% endblock %}'),
    "_item.html": "[{{ item }}{{ suffix }}]",
    "offline.html": '{% extends "index.html" %}{% block header %}offline: {{ super() }}{% endblock %}',
}


def test_a_block_is_given_again_for_the_same_objects() -> None:
    env, shared = env_with(BASE)
    values = {"title": "T", "items": ["a", "b"], "suffix": "!"}
    first = env.get_template("offline.html").render(values, csp="one")
    again = env.get_template("index.html").render(values, csp="two")  # a name main does not read differs
    assert first == "<h>offline: T</h><m>[a!][b!]</m>"
    assert again == "<h>T</h><m>[a!][b!]</m>"
    assert shared.hits == 2  # main, and header through offline.html's super()


@pytest.mark.parametrize("changed", ["items", "suffix"])  # read by the block, or only by a template it includes
def test_another_object_under_a_name_read_renders_the_block_again(changed: str) -> None:
    env, shared = env_with(BASE)
    values = {"title": "T", "items": ["a"], "suffix": "!"}
    env.get_template("index.html").render(values)
    other = {**values, "title": "U", changed: ["b"] if changed == "items" else "?"}
    text = env.get_template("offline.html").render(other)
    assert text == ("<h>offline: U</h><m>[b!]</m>" if changed == "items" else "<h>offline: U</h><m>[a?]</m>")
    assert shared.hits == 0


def test_an_equal_but_other_object_is_not_the_same() -> None:
    env, shared = env_with(BASE)
    env.get_template("index.html").render(title="T", items=["a"], suffix="!")
    assert env.get_template("index.html").render(title="U", items=["a"], suffix="!") == "<h>U</h><m>[a!]</m>"
    assert shared.hits == 0


def test_a_loop_name_that_shadows_the_context_is_keyed_by_the_context() -> None:
    """`_item.html` reads `item`, the loop's: what the context holds under that name is compared too."""
    env, shared = env_with(BASE)
    items = ["a"]
    env.get_template("index.html").render(title="T", items=items, suffix="", item="outer")
    assert env.get_template("offline.html").render(title="U", items=items, suffix="", item="other") \
        == "<h>offline: U</h><m>[a]</m>"
    assert shared.hits == 0


@pytest.mark.parametrize("main", ["{{ self.header() }}", "{% block inner %}index{% endblock %}"])
def test_a_block_that_reaches_a_block_the_page_overrides_is_not_given_again(main: str) -> None:
    """self.header() and a nested block come from the page's own template, which the context does not
    show: the block is given again only to a page where they are the same blocks."""
    templates = {**BASE, "index.html": ('{% extends "base.html" %}{% block header %}index{% endblock %}'
                                        "{% block main %}" + main + "{% endblock %}"),
                 "offline.html": ('{% extends "index.html" %}{% block header %}offline{% endblock %}'
                                  "{% block inner %}offline{% endblock %}")}
    env, shared = env_with(templates)
    assert env.get_template("index.html").render() == "<h>index</h><m>index</m>"
    hits = shared.hits  # self.header() inside main is the header just rendered: given again
    assert env.get_template("offline.html").render() == "<h>offline</h><m>offline</m>"
    assert shared.hits == hits
    assert env.get_template("index.html").render() == "<h>index</h><m>index</m>"
    assert shared.hits == hits + 2  # header, and main with what it reached: index.html's own blocks again


NESTED = {**BASE, "index.html": ('{% extends "base.html" %}{% block header %}{{ title }}{% endblock %}'
                                 "{% block main %}{{ layout }}:{% block items %}"
                                 '{% for item in items %}{% include "_item.html" %}{% endfor %}'
                                 "{% endblock %}{% endblock %}")}


def test_a_nested_block_is_given_again_where_the_block_around_it_is_not() -> None:
    """The offline file of a story whose sources are split has another `layout` (main renders again)
    but the same facts: the fact list, a block nested in main, is given again."""
    env, shared = env_with(NESTED)
    values = {"title": "T", "items": ["a", "b"], "suffix": "!"}
    assert env.get_template("index.html").render(values, layout="split") == "<h>T</h><m>split:[a!][b!]</m>"
    assert env.get_template("offline.html").render(values, layout="whole") == "<h>offline: T</h><m>whole:[a!][b!]</m>"
    assert shared.hits == 2  # header through super(), and items; not main
    assert kept(shared) == ["block_header", "block_items", "block_main"]
    assert env.get_template("offline.html").render(values, layout="whole") == "<h>offline: T</h><m>whole:[a!][b!]</m>"
    assert shared.hits == 4  # header, and main whole: the same layout and the same items block


def test_a_block_that_loops_over_the_blocks_is_never_kept() -> None:
    main = "{% block main %}{{ self._TemplateReference__context.blocks | length }}{% endblock %}"
    env, shared = env_with({**BASE, "index.html": '{% extends "base.html" %}' + main})
    assert env.get_template("index.html").render() == "<h></h><m>2</m>"
    assert "block_main" not in kept(shared)


def test_a_failing_block_keeps_nothing() -> None:
    env, shared = env_with({**BASE, "_item.html": "{{ item.missing.name }}"})
    env.undefined = jinja2.StrictUndefined
    with pytest.raises(jinja2.UndefinedError):
        env.get_template("index.html").render(title="T", items=["a"])
    assert kept(shared) == ["block_header"]  # rendered before main failed


def test_the_templates_outlive_the_sharing_object() -> None:
    env, shared = env_with(BASE)
    del shared
    gc.collect()
    assert env.get_template("index.html").render(title="T", items=["a"], suffix="") == "<h>T</h><m>[a]</m>"


# --- whole builds ----------------------------------------------------------------------------------

def site_yaml(files: dict[str, str], extra: str) -> dict[str, str]:
    return {"site.yaml": files["site.yaml"].rstrip(" ") + "        " + extra.replace("\n", "\n        ").rstrip(" ")}


THEME_MAIN = {"templates/offline.html": """\
    {% extends "index.html" %}
    {% block main %}<p class="offline-only">Read offline.</p>
    {{ super() }}{% endblock %}
    """}
THEME_FACTS = {"templates/_facts.html": """\
    <ol class="theme-facts">{% for fact in facts %}<li id="{{ fact.id }}">{{ fact.claim }}</li>{% endfor %}</ol>
    """}

CASES = {
    "one page": dict(MINIMAL),
    "split, offline: true": {**MINIMAL, **site_yaml(MINIMAL, SPLIT)},
    "one page, sources split": {**MINIMAL, **site_yaml(MINIMAL, "pagination: {sources_per_page: 1}\n"),
                                "content/sources.yaml": MINIMAL["content/sources.yaml"].rstrip() + "\n"
                                + MINIMAL["content/sources.yaml"].rstrip().replace("article-a", "article-b") + "\n"},
    "two languages": dict(FILES),
    "theme's offline.html main block": {**MINIMAL, **THEME_MAIN},
    "theme's _facts.html": {**MINIMAL, **THEME_FACTS},
}


@pytest.mark.parametrize("case", CASES)
def test_a_build_writes_the_same_bytes_as_without_sharing(case: str, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_project(tmp_path / "site", CASES[case])
    hits: list[int] = []
    given_again: list[str] = []  # the blocks given again, by name ("block_main")
    render, share = Renderer.render, SharedBlocks.render

    def counted(self: Renderer, *args: object, **kwargs: object) -> dict[str, bytes]:
        pages = render(self, *args, **kwargs)
        hits.append(self.shared.hits)
        return pages

    def named(self: SharedBlocks, block, context) -> str:  # type: ignore[no-untyped-def]
        before = self.hits
        text = share(self, block, context)
        if self.hits > before:
            given_again.append(block.__name__)
        return text

    monkeypatch.setattr(Renderer, "render", counted)
    monkeypatch.setattr(SharedBlocks, "render", named)
    pipeline.build(project.root, tmp_path / "shared")
    monkeypatch.setattr(SharedBlocks, "share", lambda self, template: None)
    pipeline.build(project.root, tmp_path / "alone")
    assert tree_hash(tmp_path / "shared") == tree_hash(tmp_path / "alone")
    front = (tmp_path / "shared" / "index.html").read_text(encoding="utf-8")
    offline = (tmp_path / "shared" / "explainer-en.html").read_text(encoding="utf-8")
    if case == "one page":
        assert hits[0] >= 1  # the main block at least
    if case == "one page, sources split":  # the offline file lists every source: its main renders anew,
        assert "block_facts_list" in given_again  # but not the fact list nested in it (at 10,000 facts, most of it)
        assert (tmp_path / "shared" / "sources-2.html").exists()
    if case == "theme's offline.html main block":
        assert "offline-only" in offline and "offline-only" not in front
    if case == "theme's _facts.html":
        assert re.search(r'<ol class="theme-facts"><li id="sbu-102">', front)
        assert re.search(r'<ol class="theme-facts"><li id="sbu-102">', offline)
