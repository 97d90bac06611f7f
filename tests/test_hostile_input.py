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
