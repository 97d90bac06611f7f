"""The event-based YAML builder keeps every safety rule and every position of the node-based one."""

from __future__ import annotations

from pathlib import Path

import pytest

from explainer.errors import Problems
from explainer.yamlsafe import MAX_DEPTH, load_yaml


def load(text: str, line_offset: int = 0):
    problems = Problems(Path("/"))
    doc = load_yaml(Path("/c.yaml"), problems, text=text, line_offset=line_offset)
    return doc, [p.format().splitlines()[0] for p in problems.items]


def test_values_and_positions():
    doc, errors = load("a: 1\nb:\n  - x\n  - {c: yes, d: 1.5, e: ~, f: 2024-08-01, g: '3'}\n")
    assert errors == []
    assert doc.data == {"a": 1, "b": ["x", {"c": True, "d": 1.5, "e": None, "f": "2024-08-01", "g": "3"}]}
    assert doc.mark(("b", 1)) == (4, 5)  # kept while lean: a mapping
    assert doc.text is not None
    assert doc.mark(("b", 0)) == (3, 5)  # a single value: recovered by parsing again
    assert doc.text is None
    assert doc.mark(("b", 1, "d")) == (4, 17)
    assert doc.mark(("b",), key=True) == (2, 1)
    assert doc.mark(("b", 1, "missing")) == (4, 5)


def test_line_offset_shifts_every_position():
    doc, errors = load("title: x\ntitle: y\n", line_offset=1)
    assert doc.mark(("title",)) == (2, 8)
    assert errors == ["c.yaml:3:1: error: duplicate key 'title' (first given on line 2)"]


@pytest.mark.parametrize("text, error", [
    ("a: 1\nb: {c: 1, c: 2}\n", "c.yaml:2:11: error: duplicate key 'c' (first given on line 2)"),
    ("a: &x 1\nb: *x\n", "c.yaml:2:4: error: YAML aliases ('*x') are not allowed in content"),
    ("a: *undefined\n", "c.yaml:1:4: error: YAML aliases ('*undefined') are not allowed in content"),
    ("a: [*x, *y]\n", "c.yaml:1:5: error: YAML aliases ('*x') are not allowed in content (2 aliases in this file)"),
    ("<<: {a: 1}\nb: 2\n", "c.yaml:1:1: error: YAML merge keys ('<<') are not allowed in content"),
    ("a: !!python/object:os.system x\n", "c.yaml:1:4: error: the YAML tag '!!python/object:os.system' is not allowed"),
    ("a: !!set {x: null}\n", "c.yaml:1:4: error: the YAML tag '!!set' is not allowed"),
    ("? [a, b]\n: c\n", "c.yaml:1:3: error: a key must be a plain word"),
    ("1: x\n", "c.yaml:1:1: error: a key must be a plain word"),
    ("a: 1\n---\nb: 2\n", "c.yaml:2:1: error: invalid YAML: but found another document"),
    ("a: [1, 2\n", "c.yaml:2:1: error: invalid YAML: did not find expected ',' or ']'"),
])
def test_unsafe_or_ambiguous_input_is_reported_at_its_position(text, error):
    _doc, errors = load(text)
    assert errors == [error]


def test_the_value_of_a_refused_key_is_still_checked_then_dropped():
    doc, errors = load("<<: {a: *x, b: !!binary aGk=}\nb: 2\n")
    assert doc.data == {"b": 2}
    assert errors == ["c.yaml:1:1: error: YAML merge keys ('<<') are not allowed in content",
                      "c.yaml:1:16: error: the YAML tag '!!binary' is not allowed",
                      "c.yaml:1:9: error: YAML aliases ('*x') are not allowed in content"]


def test_invisible_characters_are_found_even_when_written_as_escapes():
    doc, errors = load('a: "S\\x1b[31mBU"\nb: plain\n')
    assert errors == ["c.yaml:1:4: error: the text contains the invisible control character U+001B"]
    assert doc.data["a"] == "S\ufffd[31mBU" and doc.data["b"] == "plain"


def test_refused_subtrees_are_skipped_and_the_rest_still_built():
    doc, errors = load("? {k: [1, 2]}\n: {v: [3]}\na: !!binary aGk=\nb: [*x, 2]\nc: ok\n")
    assert doc.data == {"a": None, "b": [None, 2], "c": "ok"}
    assert len(errors) == 3


def test_deep_nesting_is_refused_without_recursion():
    depth = MAX_DEPTH + 200
    _doc, errors = load("[" * depth + "]" * depth)
    assert errors == [f"c.yaml:1:{MAX_DEPTH + 2}: error: the YAML is nested more than {MAX_DEPTH} levels deep"]


def test_empty_and_scalar_documents():
    assert load("# nothing\n")[0].data is None
    assert load("just text\n")[0].data == "just text"
