"""Hostile or unlucky input costs bounded time and gives a clear report (issue 16).

The time bounds here are generous ceilings, tens of times what the code takes, and far below what
the quadratic code they replace took (minutes): they catch the class coming back, not noise.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from explainer.errors import Problems
from explainer.yamlsafe import MAX_DEPTH, load_yaml


def elapsed(fn, *args):
    started = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - started


def load(text: str):
    problems = Problems(Path("/"))
    doc = load_yaml(Path("/c.yaml"), problems, text=text)
    return doc, [p.format().splitlines()[0] for p in problems.items]


# --- item 6: deeply nested YAML is refused in time linear in the file ---------------------------------
@pytest.mark.parametrize("text, where", [
    ("- " + "[" * 40_000 + "]" * 40_000, "1:43"),  # 80 KB of brackets: 2 s before
    ("[" * 2_000_000, "1:42"),  # 2 MB: over five minutes before
    ("{a: " * 500_000, "1:165"),
    ("- " * 1_000_000 + "a\n", "1:83"),  # block sequences, one inside the other
    ("".join(" " * i + "a:\n" for i in range(3000)), "42:42"),  # block mappings by indentation
    ("? " + "[" * 1_000_000, "1:102"),  # inside a key, which is refused and skipped
])
def test_deep_nesting_is_refused_quickly_where_it_goes_too_deep(text, where):
    (doc, errors), seconds = elapsed(load, text)
    assert doc is None
    assert errors == [f"c.yaml:{where}: error: the YAML is nested more than {MAX_DEPTH} levels deep"]
    assert seconds < 3, f"{seconds:.1f} s"


# --- item 7: the "closest passage" hint costs bounded time whatever the sizes -------------------------
def test_a_long_mistyped_quote_against_a_large_archive_is_placed_quickly():
    from corpus import FILLER, LONG_QUOTE, TYPO_QUOTE

    from explainer.closest import closest_passage

    passage, seconds = elapsed(closest_passage, FILLER, TYPO_QUOTE)  # 88 s with difflib
    assert passage is not None and passage.startswith(LONG_QUOTE[:300]) and passage.endswith(" …")
    assert seconds < 2, f"{seconds:.1f} s"


@pytest.mark.parametrize("typo", ["no fewer than 120", "no fewer then 102", "no  fewer than 102 Rusian"])
def test_ordinary_typos_get_the_passage_they_came_from(typo):
    from conftest import SEED

    from explainer.closest import closest_passage
    from explainer.verify import normalise

    quote = f"its commandos captured {typo} conscripts"
    assert closest_passage(normalise(SEED), normalise(quote)) == (
        "its commandos captured no fewer than 102 Russian conscripts")


def test_three_hundred_wrong_quotes_in_one_build_cost_about_a_second(tmp_path, capsys):
    from conftest import make_project
    from corpus import FILLER

    from explainer import cli

    project = make_project(tmp_path / "site")
    with open(project.root / "seeds" / "a.txt", "a", encoding="utf-8") as seed:
        seed.write(FILLER)
    starts = [FILLER.index(" ", 3000 * i + 1) + 1 for i in range(300)]
    quotes = [FILLER[s : s + 200].rsplit(" ", 1)[0] for s in starts]
    with open(project.root / "content" / "facts.yaml", "a", encoding="utf-8") as facts:
        for i, quote in enumerate(quotes):
            typo = quote[:30] + "Q" + quote[31:]
            facts.write(f"- id: wrong-{i}\n  claim: A claim.\n  attribution: nobody\n  date: 2024\n"
                        f"  citations:\n    - source: article-a\n      quote: \"{typo}\"\n")
    capsys.readouterr()
    code, seconds = elapsed(cli.main, ["build", "--project", str(project.root)])
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("is not in source 'article-a'") == 300
    placed = sum(f'the closest passage is: "{q[:25]}' in err for q in quotes)
    assert placed >= 290, placed  # the budget may leave a few without a hint
    assert seconds < 10, f"{seconds:.1f} s for the whole build"
