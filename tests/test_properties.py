"""Property-based tests: whatever the content, the build succeeds with inert, well-formed HTML or
fails with clean content errors — never an unhandled exception, never a half-written site.

Three generators: valid structures with hostile random text in every field (control characters,
right-to-left marks, emoji, HTML, Markdown, Jinja, very long strings); random structures (any
value, key or item anywhere); and random edits to the YAML text itself. Examples run in-process
(``pipeline.build``), about 30 ms each. The profile is chosen by HYPOTHESIS_PROFILE (``ci`` under
CI=true: more examples; ``dev`` otherwise). Failing examples hypothesis found are kept below as
``@example``s and regular tests.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import yaml
from conftest import REPO
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from robustness.html_safety import parse, problems

from explainer import pipeline
from explainer.errors import BuildError

settings.register_profile("ci", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") == "true" else "dev"))

PAYLOADS = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<iframe src=//e.example>", "<style>*{}</style>",
    "javascript:alert(1)", "[x](javascript:alert(1))", "<a href='javascript:alert(1)'>a</a>", "\" onmouseover=\"x",
    "' onclick='x", "{{ 7*7 }}", "{% raw %}", "{# c #}", "[[f1]]", "[[", "]]", "**", "`", "<!--", "-->", "&amp;",
    "&#0;", "&", "<", ">", "\u202e", "\u200f", "\u200b", "\ufeff", "👩‍👩‍👧", "🇺🇦", "\r", "\t", "\n", "\n\n",
    "    ", "> ", "- ", "# ", "---", "<![CDATA[", "</p>", "<p", "\\", "\u0301", "\u2028", "\U0001f600",
]
CONTROL = ["\x00", "\x07", "\x1b[31m", "\x7f", "\x85", "\x9f", "\ufffe", "\U0010ffff"]  # refused by the build
VISIBLE = st.characters(exclude_categories=("Cc", "Cs"))
TOKENS = st.one_of(st.sampled_from(PAYLOADS), st.text(VISIBLE, max_size=12))
TEXT = st.one_of(
    st.text(VISIBLE, min_size=1, max_size=40),
    st.lists(TOKENS, min_size=1, max_size=8).map("".join),
    st.builds(lambda s, n: s * n, st.text(VISIBLE, min_size=1, max_size=4), st.integers(300, 2000)),  # very long
)
ANY_TEXT = st.one_of(TEXT, st.text(max_size=20), st.builds(lambda t, c: t + c, TEXT, st.sampled_from(CONTROL)))
URL = st.one_of(
    st.just("https://example.org/a"),
    st.builds(lambda t: "https://example.org/" + t, st.text(st.characters(exclude_categories=("Cc", "Cs", "Zs")))),
    st.builds(lambda t: "https://example.org/?q=" + t, TEXT),
    TEXT,
)


def _dump(value: Any) -> str:
    return yaml.safe_dump(value, allow_unicode=True, sort_keys=False, width=1_000_000)


def project_data(t: dict[str, str], url: str) -> dict[str, Any]:
    """A complete project whose every editor-written text comes from ``t``."""
    return {
        "site.yaml": {"title": t["site_title"], "description": t["description"], "language": "en",
                      "base_url": "https://example.org/x/", "updated": "2025-06-01", "publisher": t["publisher"],
                      "topics": [{"id": "t1", "label": t["topic"]}],
                      "charts": [{"series": "s1", "title": t["chart_title"], "description": t["chart_description"]}]},
        "content/sources.yaml": [{"id": "s1", "title": t["source_title"], "publisher": t["source_publisher"],
                                  "author": t["author"], "published": "2025-05-26", "url": url, "retrieved": None,
                                  "archive": "a.txt", "note": t["note"]}],
        "content/facts.yaml": [
            {"id": "f1", "claim": t["claim"], "attribution": t["attribution"], "date": "2024-08",
             "approximate": True, "date_note": t["date_note"], "topics": ["t1"],
             "citations": [{"source": "s1", "quote": t["quote"]}],
             "figure": {"series": "s1", "value": 102, "qualifier": t["figure_qualifier"], "label": t["figure_label"]}},
            {"id": "f2", "claim": t["claim2"], "attribution": "the article", "date": 2024,
             "citations": [{"source": "s1", "quote": t["quote2"]}]},
        ],
        "content/timeline.yaml": [{"date": "2024-08-06", "title": t["event_title"], "text": t["event_text"],
                                   "facts": ["f1"]}],
        "content/comparisons.yaml": [{"id": "c1", "kind": "change", "title": t["comparison_title"],
                                      "text": t["comparison_text"], "facts": ["f1", "f2"]}],
        "content/glossary.yaml": [{"id": "g1", "term": t["term"], "definition": t["definition"], "facts": ["f2"]}],
    }


FIELDS = ("site_title", "description", "publisher", "topic", "source_title", "source_publisher", "author", "note",
          "claim", "attribution", "date_note", "quote", "claim2", "quote2", "event_title", "event_text",
          "comparison_title", "comparison_text", "term", "definition", "summary_title", "summary_body",
          "chart_title", "chart_description", "figure_qualifier", "figure_label")
SHOWN = ("site_title", "claim", "claim2", "source_title", "event_title", "comparison_title", "term")


def write_project(root: Path, data: dict[str, Any], summary: str, seed: str, raw: dict[str, str] | None = None) -> None:
    root.mkdir(parents=True)
    (root / "templates").symlink_to(REPO / "templates")
    (root / "static").symlink_to(REPO / "static")
    (root / "seeds").mkdir()
    (root / "seeds" / "a.txt").write_text(seed, encoding="utf-8", newline="")
    (root / "content" / "summaries").mkdir(parents=True)
    for rel, value in data.items():
        (root / rel).write_text(_dump(value), encoding="utf-8", newline="")
    (root / "content" / "summaries" / "01-s.md").write_text(summary, encoding="utf-8", newline="")
    for rel, text in (raw or {}).items():
        (root / rel).write_text(text, encoding="utf-8", errors="surrogatepass", newline="")


def summary_file(title: Any, body: str) -> str:
    return "---\n" + _dump({"title": title, "order": 1}) + "---\n" + body + "\n\n[[f1]][[f2]]\n"


def build_outcome(root: Path) -> tuple[str | None, list[str]]:
    """Build; return the page on success or the formatted errors. Any other exception fails the test."""
    output = root / "output"
    try:
        pipeline.build(root, output)
    except BuildError as exc:
        errors = [p for p in exc.problems if p.severity == "error"]
        assert errors, "a failed build must say why"
        for p in errors:
            assert p.line >= 1 and p.column >= 1 and p.message and p.hint, p.format()
            assert "Traceback" not in p.format()
        assert not output.exists(), "a failed build wrote output/"
        assert not list(root.glob(".output-*")), "a failed build left a staging folder"
        return None, [p.format() for p in errors]
    html = (output / "index.html").read_bytes().decode("utf-8")
    found = problems(html)
    assert found == [], found
    return html, []


def run(data: dict[str, Any], summary: str, seed: str, raw: dict[str, str] | None = None) -> tuple[str | None, list]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "site"
        write_project(root, data, summary, seed, raw)
        return build_outcome(root)


def record(outcome: tuple[str | None, list[str]]) -> tuple[str | None, list[str]]:
    """Tell hypothesis's statistics how often the build succeeds (--hypothesis-show-statistics)."""
    html, errors = outcome
    event("built" if html is not None else f"refused: {errors[0].split(': ', 2)[-1][:40]}")
    return outcome


texts = st.fixed_dictionaries({name: TEXT for name in FIELDS})


def one_hostile(t: dict[str, str], field: str | None, value: str) -> dict[str, str]:
    """Most examples should build, so only one field at a time gets text the build must refuse."""
    return {**t, field: value} if field else t


@given(t=st.builds(one_hostile, texts, st.none() | st.sampled_from(FIELDS), ANY_TEXT), url=URL)
@example(t={name: "<script>alert(1)</script> {{ 7*7 }}" for name in FIELDS}, url="https://example.org/a")
@example(t={name: "x\x01y" for name in FIELDS}, url="https://example.org/a")  # found: control chars reached the page
@example(t={**{name: "ok" for name in FIELDS}, "summary_body": "[a](https://e.example/[[f1]])"},
         url="https://example.org/a")  # found: a citation's HTML inside the link's href
@example(t={**{name: "ok" for name in FIELDS}, "summary_body": "".join("    " * i + "- a\n" for i in range(300))},
         url="https://example.org/a")  # found: RecursionError in Python-Markdown (exit 70)
def test_random_text_in_every_field_builds_inert_html_or_fails_cleanly(t: dict[str, str], url: str) -> None:
    data = project_data(t, url)
    seed = "Archived text.\n" + t["quote"] + "\n" + t["quote2"] + "\n"  # the quotes are really in the source
    html, _ = record(run(data, summary_file(t["summary_title"], t["summary_body"]), seed))
    if html is None:
        return
    text = parse(html).text
    for name in SHOWN:  # escaped, not interpreted: the text comes back out of the parser as it went in
        assert t[name].strip() in text, f"{name} {t[name][:60]!r} is not shown as text"


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | TEXT | st.sampled_from(["f1", "s1", "t1", "2024-08"]),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.sampled_from(["id", "title", "text", "facts", "date", "quote", "source", "x"]) | st.text(
        max_size=6), inner, max_size=3),
    max_leaves=8,
)


def mutate(value: Any, draw: Any, depth: int = 0) -> Any:
    """Replace, add or drop something somewhere in a content structure."""
    choice = draw(st.integers(0, 9))
    if choice == 0 or depth > 6:
        return draw(JSON)
    if isinstance(value, dict) and value:
        key = draw(st.sampled_from(sorted(value)))
        copy = dict(value)
        if choice == 1:
            del copy[key]
        elif choice == 2:
            copy[draw(st.text(max_size=10))] = draw(JSON)
        else:
            copy[key] = mutate(value[key], draw, depth + 1)
        return copy
    if isinstance(value, list) and value:
        i = draw(st.integers(0, len(value) - 1))
        copy = list(value)
        if choice == 1:
            del copy[i]
        elif choice == 2:
            copy.append(draw(JSON))
        else:
            copy[i] = mutate(value[i], draw, depth + 1)
        return copy
    return draw(JSON) if choice < 5 else value


PLAIN = {name: f"Plain {name}" for name in FIELDS}


@given(st.data())
def test_random_structures_build_or_fail_cleanly(data: st.DataObject) -> None:
    content = project_data(PLAIN, "https://example.org/a")
    for _ in range(data.draw(st.integers(1, 3))):
        rel = data.draw(st.sampled_from(sorted(content)))
        content[rel] = mutate(content[rel], data.draw)
    front: Any = {"title": "Intro", "order": 1}
    if data.draw(st.booleans()):
        front = mutate(front, data.draw)
    summary = "---\n" + _dump(front) + "---\nBody.\n\n[[f1]][[f2]]\n"
    record(run(content, summary, f"{PLAIN['quote']}\n{PLAIN['quote2']}\n"))


def test_known_structures_found_by_hypothesis() -> None:
    """Kept from earlier runs: each once crashed or misreported."""
    base = project_data(PLAIN, "https://example.org/a")
    seed = f"{PLAIN['quote']}\n{PLAIN['quote2']}\n"
    summary = summary_file("Intro", "Body.")
    cases = [
        {"content/glossary.yaml": [{"id": int("9" * 400)}]},  # int() over 4300 digits crashed (exit 70)
        {"content/facts.yaml": [{**base["content/facts.yaml"][0], "figure": {"series": "x", "value": float("inf"),
                                                                              "label": "l"}}]},
        {"site.yaml": {**base["site.yaml"], "topics": [{"id": "t1", "label": None}]}},
        {"content/facts.yaml": {"id": "f1"}},  # a mapping for the whole list: no cascade of unknown ids
    ]
    for change in cases:
        html, errors = run({**base, **change}, summary, seed)
        assert html is None and errors, change


@given(st.data())
def test_random_edits_to_the_yaml_text_fail_cleanly(data: st.DataObject) -> None:
    """Insert, delete or replace characters anywhere in a content file: a syntax error has a position."""
    content = project_data(PLAIN, "https://example.org/a")
    rel = data.draw(st.sampled_from([*sorted(content), "content/summaries/01-s.md"]))
    text = summary_file("Intro", "Body.") if rel.endswith(".md") else _dump(content[rel])
    for _ in range(data.draw(st.integers(1, 4))):
        pos = data.draw(st.integers(0, len(text)))
        piece = data.draw(st.one_of(st.sampled_from(["\t", ":", " ", "\n", "-", "'", '"', "&a ", "*a", "!!str ",
                                                     "!!python/object:os.system ", "{", "[", "#", "\ufeff", "---\n",
                                                     "? ", "|", ">", "%YAML 1.1\n", "\x00"]), st.text(max_size=3)))
        cut = data.draw(st.integers(0, 3))
        text = text[:pos] + piece + text[pos + cut:]
    record(run(content, summary_file("Intro", "Body."), f"{PLAIN['quote']}\n{PLAIN['quote2']}\n", raw={rel: text}))
