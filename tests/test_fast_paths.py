"""The cold build's shortcuts give what the general code gives: each is checked against it here.

- exports.fact_line writes a fact's line of facts.json by hand: the same bytes as json's encoder;
- page_tools.output_escape, which the templates escape their output with, gives markupsafe.escape's text;
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
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup, escape

from explainer import checker, exports, page_tools, pagefind, pipeline
from explainer.assets import hash_assets
from explainer.bidi import Prose
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
    for fact in [*project.facts, extra]:
        expected = exports.encoded(exports.fact_json(fact, "https://example.org/x/", sources, pages))
        assert exports.fact_line(fact, "https://example.org/x/", sources, pages) == expected, fact.id


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
