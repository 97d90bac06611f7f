"""The cold build's shortcuts give what the general code gives: each is checked against it here.

- exports.fact_line writes a fact's line of facts.json by hand: the same bytes as json's encoder;
- page_tools.output_escape, which the templates escape their output with, gives markupsafe.escape's text;
- page_tools.JoinedOutput, which yields a run of a template's output as one string, renders what
  Jinja's own code generator renders, and reports a mistake at the same template line;
- pagefind.executable finds Pagefind where pagefind.service would, without importing it (asyncio, ssl);
- verify.normalise_lines normalises an archive's paragraphs at once as normalise does one by one;
- the Checker's quick checks (checker._fast_checks) pass only what the full check would pass
  unchanged: the clean records, and every problem and its wording, stay the same.
"""

from __future__ import annotations

import copy
import re
import subprocess
import sys
import traceback
from pathlib import Path

import jinja2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup, escape

from explainer import checker, exports, page_tools, pagefind, pipeline
from explainer.assets import hash_assets
from explainer.bidi import Prose
from explainer.editions import words_for
from explainer.errors import Problems
from explainer.load import load_project
from explainer.model import Derived
from explainer.paginate import layout
from explainer.quotes import Archive
from explainer.render import Renderer, RenderOptions
from explainer.schema import INVALID, Field, Record, Scalar
from explainer.theme import lookup
from explainer.validate import build_project
from explainer.verify import normalise, normalise_lines

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from generate import generate

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("fast") / "project", 300)


@pytest.mark.parametrize("which", ["shipped", "generated"])
def test_each_facts_line_is_the_json_encoders(which, generated):
    root = REPO if which == "shipped" else generated
    project, _ = pipeline.check(root)
    pages, sources = layout(project), project.sources_by_id
    extra = copy.copy(project.facts[0])  # derived numbers, which neither story has
    extra.derived = [Derived(2025, "from the article's date", 0), Derived(2.5, "half of 5", 1)]
    ukrainian = words_for("uk", project.site, (REPO / "locales",), Problems(root))  # its dates in its words
    for fact in [*project.facts, extra]:
        for words in (None, ukrainian):
            expected = exports.encoded(exports.fact_json(fact, "https://example.org/x/", sources, pages, words))
            assert exports.fact_line(fact, "https://example.org/x/", sources, pages, words) == expected, fact.id


def test_the_shipped_story_uses_every_field_the_line_writes_by_hand():
    """So the comparison above covers figures, notes, `as_of` and `said` (derived numbers are added)."""
    project, _ = pipeline.check(REPO)
    facts = project.facts
    assert any(f.figure for f in facts)
    assert any(f.as_of for f in facts) and any(f.said for f in facts) and any(f.full_date_note for f in facts)


def slow_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checker, "_fast_checks", lambda rec: dict.fromkeys(rec.names()))


def validated(root: Path) -> tuple[object, list[str]]:
    problems = Problems(root)
    project = build_project(root, load_project(root, problems), problems)
    return project, [p.format() for p in problems.items]


@pytest.mark.parametrize("which", ["shipped", "generated"])
def test_quick_checks_give_the_full_checks_project(which, generated, monkeypatch):
    root = REPO if which == "shipped" else generated
    fast, fast_problems = validated(root)
    slow_checks(monkeypatch)
    slow, slow_problems = validated(root)
    assert fast_problems == slow_problems
    for kind in ("facts", "sources", "events", "comparisons", "glossary"):
        assert shown(getattr(fast, kind)) == shown(getattr(slow, kind))


def shown(items: object) -> str:
    """The objects' fields as text (the model compares by identity), without memory addresses."""
    return re.sub(r" at 0x[0-9a-f]+", "", repr(items))


VALUES = ["plain", "  padded  ", "trailing \n", "\u00a0nbsp", "", " ", "TODO: write", "TODOS", "\u201cquoted\u201d",
          "ok-slug", "Not-a-slug", "two--dashes", "x\n", True, False, 0, 1, 2.5, None, [], {}, "true"]


@pytest.mark.parametrize("kind", ["text", "markdown", "slug", "bool"])
@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_a_quick_check_accepts_only_what_the_full_check_passes_unchanged(kind, value, tmp_path):
    rec = Record("thing", "A test record.", (Field("v", Scalar(kind), "a value", required=False),))
    doc = type("Doc", (), {"path": tmp_path / "x.yaml", "refused": set(), "mark": lambda self, kp, key=False: (1, 1)})()
    problems = Problems(tmp_path)
    full = checker.Checker(doc, problems)
    full_value = full.scalar(value, kind, ("v",))
    quick = checker._fast_checks(rec)["v"]
    answer = quick(value)
    if answer is not None:
        assert full_value is not INVALID and not problems.items and answer == full_value
        assert type(answer) is type(full_value)


class Html:
    def __html__(self) -> str:
        return "<b>made</b>"


@pytest.mark.parametrize("value", ["plain", "<a & 'b'>", "", Markup("<i>x</i>"), Prose("<p>x</p>"), 7, 2.5, None,
                                   Html()], ids=repr)
def test_output_escape_gives_markupsafes_text_and_type(value):
    expected = escape(value)
    got = page_tools.output_escape(value)
    assert str(got) == str(expected) and isinstance(got, Markup)


def test_the_renderers_templates_escape_with_output_escape(tmp_path):
    project, _ = pipeline.check(REPO)
    theme = lookup(REPO)
    renderer = Renderer(project, theme.templates, RenderOptions("https://example.org/"), theme.static,
                        hash_assets(theme.static, inlined=("style.css",)))
    template = renderer.env.from_string("{{ a }}|{{ b }}")
    assert template.root_render_func.__globals__["escape"] is page_tools.output_escape
    assert template.render(a="<x>", b=Markup("<y>")) == "&lt;x&gt;|<y>"


# Templates covering what Jinja writes output for: runs of text and expressions, loops, conditions,
# includes and blocks of a child template, macros and {% call %}, {% set %} blocks, filters, output
# outside the blocks of a child template, whitespace control and autoescaping.
JOINED_TEMPLATES = {
    "base.html": "<!doctype html>\n<title>{% block title %}{{ site }} &amp; co{% endblock %}</title>\n"
                 "{% block main %}{% endblock %}\n<p>{{ site | upper }} · {{ n + 1 }}</p>\n",
    "_item.html": "<li id=\"{{ item.id }}\">{{ item.text }}{% if item.note %} <i>{{ item.note }}</i>{% endif %}</li>\n",
    "macros.html": "{% macro tag(name, text) %}<{{ name }}>{{ text }}</{{ name }}>"
                   "{{ caller() if caller is defined else '' }}{% endmacro %}",
    "page.html": "{% extends 'base.html' %}{% from 'macros.html' import tag %}\nignored outside the blocks\n"
                 "{% block title %}{{ super() }}: {{ heading }}{% endblock %}\n"
                 "{% block main %}\n{% set intro %}<b>{{ heading }}</b>, {{ items | length }} items{% endset %}"
                 "<h1>{{ intro }}</h1>\n<ol>\n{% for item in items %}{% include '_item.html' %}{% endfor %}</ol>\n"
                 "{{ tag('p', heading) }}{% call tag('div', '<x>') %}called {{ n }}{% endcall %}\n"
                 "{%- for k, v in pairs -%} {{ k }}={{ v }}; {% else %}none{% endfor %}\n"
                 "{% filter upper %}a {{ heading }} b{% endfilter %}{{ '%d%%' % n }}{% endblock %}\n",
}
JOINED_CONTEXT = {"site": "Site <s>", "heading": "Tom & \"Jerry\"", "n": 41, "pairs": [("a", "<1>"), ("b", 2)],
                  "items": [{"id": "x1", "text": "one <i>", "note": Markup("<em>kept</em>")},
                            {"id": "x2", "text": "two", "note": None}]}


def _environment(joined: bool) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.DictLoader(JOINED_TEMPLATES), autoescape=True, trim_blocks=True,
                             lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    if joined:
        env.code_generator_class = page_tools.JoinedOutput
    return env


def test_joined_output_renders_what_jinja_renders_in_fewer_pieces():
    plain, joined = _environment(False).get_template("page.html"), _environment(True).get_template("page.html")
    assert joined.render(JOINED_CONTEXT) == plain.render(JOINED_CONTEXT)
    assert "<li id=\"x1\">one &lt;i&gt; <i><em>kept</em></i></li>" in joined.render(JOINED_CONTEXT)
    pieces = [len(list(t.root_render_func(t.new_context(JOINED_CONTEXT)))) for t in (plain, joined)]
    assert pieces[1] < pieces[0] * 0.7, pieces


def test_joined_output_reports_a_mistake_at_its_template_line():
    broken = {**JOINED_TEMPLATES, "_item.html": "<li id=\"{{ item.id }}\">{{ item.text }}\n"
                                                "and {{ item.missing.name }} on the second line</li>\n"}
    lines = []
    for joined in (False, True):
        env = _environment(joined)
        env.loader = jinja2.DictLoader(broken)
        with pytest.raises(jinja2.UndefinedError) as failed:
            env.get_template("page.html").render(JOINED_CONTEXT)
        lines.append([frame.lineno for frame in traceback.extract_tb(failed.value.__traceback__)
                      if frame.filename == "<template>" or frame.filename.endswith("_item.html")])
    assert lines[0] == lines[1] and 2 in lines[1]


def test_pagefind_is_found_where_its_own_lookup_finds_it_without_importing_asyncio(tmp_path, monkeypatch):
    from pagefind.service import get_executable

    assert pagefind.executable() == get_executable()
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "nowhere"))
    assert pagefind.executable() is None and get_executable() == tmp_path / "nowhere"
    code = "import sys; from explainer import pagefind; pagefind.executable(); print('asyncio' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "False", done.stderr


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from("ab \t\u00a0’‘“”—–-e\u0301é\u2028x"), max_size=12), max_size=6))
def test_normalise_lines_is_normalise_line_by_line(lines):
    text = "\n".join(lines)
    spans = [m.span() for m in re.finditer(r"[^\n]+", text)]
    assert normalise_lines(text, spans) == [normalise(text[a:b]) for a, b in spans]


def test_an_archive_shows_the_same_contexts_with_its_lines_normalised_at_once():
    project, _ = pipeline.check(REPO)
    for fact in project.facts:
        for c in fact.citations:
            source = project.sources_by_id[c.source]
            one_by_one = Archive(source.text, normalise).context_html(c.quote, "sentence", c.offset, c.length)
            at_once = Archive(source.text, normalise, normalise_lines).context_html(c.quote, "sentence",
                                                                                   c.offset, c.length)
            assert at_once == one_by_one
