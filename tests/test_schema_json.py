"""The JSON Schema editors get is current, accepts the shipped content, and rejects what the build rejects."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import REPO, make_project
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from jsonschema import Draft7Validator

from explainer import jsonschema as js
from explainer.checker import Checker
from explainer.dates import DateError, parse_date, parse_edtf
from explainer.errors import Problems
from explainer.load import load_summaries
from explainer.schema import CONTENT_FILES, INVALID, SUMMARY, Scalar
from explainer.yamlsafe import Doc, load_yaml

SUMMARY_REL = "content/summaries/01-intro.md"


def validator(name: str) -> Draft7Validator:
    doc = json.loads((REPO / "schemas" / name).read_text(encoding="utf-8"))
    Draft7Validator.check_schema(doc)
    return Draft7Validator(doc)


def load(root: Path, rel: str):
    """(data, Doc) as the build loads it: YAML files whole, summaries' front matter only."""
    problems = Problems(root)
    if rel.endswith(".md"):
        meta = next(s.meta for s in load_summaries(root / "content" / "summaries", problems) if s.path.name in rel)
        assert meta is not None and not problems.items, [p.format() for p in problems.items]
        return meta.data, meta, problems
    doc = load_yaml(root / rel, problems)
    assert doc is not None and not problems.items, [p.format() for p in problems.items]
    return doc.data, doc, problems


def checker_rejects(root: Path, rel: str) -> list[str]:
    """What the build's own schema check says about one file (no cross-file checks)."""
    data, doc, problems = load(root, rel)
    type_ = SUMMARY if rel.endswith(".md") else CONTENT_FILES[rel][0]
    Checker(doc, problems).check(data, type_, ())
    return [p.format() for p in problems.errors]


def schema_rejects(root: Path, rel: str) -> list[str]:
    data, _doc, _problems = load(root, rel)
    return [e.message for e in validator(js.schema_name(rel)).iter_errors(data)]


def test_committed_schemas_are_current() -> None:
    """schemas/*.json is exactly what `python build.py schemas` would write today."""
    expected = {name: js.render(doc) for name, doc in js.file_schemas().items()}
    committed = {p.name: p.read_text(encoding="utf-8") for p in (REPO / "schemas").glob("*.json")}
    assert committed.keys() == expected.keys()
    stale = [name for name in expected if committed[name] != expected[name]]
    assert not stale, f"run `python build.py schemas`: stale {stale}"


@pytest.mark.parametrize("rel", list(CONTENT_FILES))
def test_content_files_point_at_their_schema(rel: str) -> None:
    path = REPO / rel
    if not path.exists():
        assert not CONTENT_FILES[rel][1], f"{rel} is required but missing"
        return
    first = path.read_text(encoding="utf-8").partition("\n")[0]
    assert first == js.header_line(REPO, rel), f"run `python build.py schemas` to add the schema line to {rel}"
    target = (path.parent / first.removeprefix(js.HEADER_PREFIX)).resolve()
    assert target.is_file(), f"{rel}'s header points at a missing file: {target}"


def test_schema_accepts_the_shipped_content() -> None:
    checked = 0
    for rel in CONTENT_FILES:
        if (REPO / rel).exists():
            assert schema_rejects(REPO, rel) == [], rel
            checked += 1
    for path in sorted((REPO / "content" / "summaries").glob("*.md")):
        rel = path.relative_to(REPO).as_posix()
        assert schema_rejects(REPO, rel) == [], rel
    assert checked >= 4  # site, sources, facts, timeline at least


def test_schema_accepts_the_test_project(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    for rel in [*CONTENT_FILES, SUMMARY_REL]:
        assert checker_rejects(project.root, rel) == [], rel
        assert schema_rejects(project.root, rel) == [], rel


# (file, text in the test project, replacement, does the build reject it?)
CASES = [
    # accepted by both: the date forms editors write, nulls where the validator takes them
    ("content/facts.yaml", 'date: "2025-05-25"', "date: 2025-05-25", False),
    ("content/facts.yaml", "date: 2024\n", "date: '2024'\n", False),
    ("content/facts.yaml", "date: 2024-08\n", "date: 2024-08\n  added: 2025-06-01\n  updated: '2025-06-03'\n", False),
    ("content/facts.yaml", "approximate: true", "approximate: null", False),
    ("content/sources.yaml", "url: https://example.org/a", "url: null", False),
    ("content/sources.yaml", "url: https://example.org/a", "url: HTTP://example.org/a", False),
    ("site.yaml", "updated: 2025-06-01", "updated: 2025", False),
    # rejected by both
    ("content/facts.yaml", "topics: [exchanges]", "topics: [exchanges]\n  colour: red", True),  # unknown key
    ("content/facts.yaml", "  attribution: the SBU\n", "", True),  # missing field
    ("content/facts.yaml", "claim: Swaps exchanged between 50 and 95 soldiers.", "claim: 42", True),  # type
    ("content/facts.yaml", "approximate: true", "approximate: 'yes'", True),
    ("content/facts.yaml", "value: 102", "value: '102'", True),
    ("content/facts.yaml", "id: sbu-102", "id: SBU_102", True),  # bad slug
    ("content/facts.yaml", "topics: [captures]", "topics: [Captures]", True),
    ("content/facts.yaml", "date: 2024-08\n", "date: 2024-8\n", True),  # bad date pattern
    ("content/facts.yaml", "date: 2024-08\n", "date: 2024-13\n", True),
    ("content/facts.yaml", "date: 2024\n", "date: 24\n", True),
    ("content/facts.yaml", "date: 2024\n", "date: 2024\n  added: 2025-06\n", True),  # added needs a day
    ("content/facts.yaml", "date: 2024\n", "date: 2024\n  updated: yesterday\n", True),
    ("content/sources.yaml", "url: https://example.org/a", "url: ftp://example.org/a", True),  # url scheme
    ("content/sources.yaml", "url: https://example.org/a", "url: example.org/a", True),
    ("content/sources.yaml", "url: https://example.org/a", "url: https://", True),
    ("content/sources.yaml", "archive: a.txt", "archive: ' '", True),
    ("content/facts.yaml", "claim: Swaps exchanged between 50 and 95 soldiers.", "claim: '   '", True),
    ("content/facts.yaml", "claim: Swaps exchanged between 50 and 95 soldiers.", 'claim: "TODO: a claim"', True),
    ("content/comparisons.yaml", "kind: change", "kind: changed", True),  # not one of the choices
    ("content/comparisons.yaml", "facts: [sbu-102, general-staff-971]", "facts: [sbu-102]", True),  # too few
    ("content/timeline.yaml", "facts: [sbu-102]", "facts: []", True),
    ("site.yaml", "language: en", "language: English!", True),
    ("site.yaml", "base_url: https://example.org/test/", "base_url: /test/", True),
    ("site.yaml", "  - {id: captures, label: Captures}\n", "  - {id: captures}\n", True),
    (SUMMARY_REL, "order: 1", "order: first", True),
    (SUMMARY_REL, "order: 1", "order: 1\nsubtitle: extra", True),
    (SUMMARY_REL, "title: What happened\n", "", True),
]


@pytest.mark.parametrize(("rel", "old", "new", "rejected"), CASES, ids=[f"{c[0]}:{c[2]!r}" for c in CASES])
def test_schema_and_validator_agree(tmp_path: Path, rel: str, old: str, new: str, rejected: bool) -> None:
    project = make_project(tmp_path / "p")
    project.edit(rel, old, new)
    by_build = checker_rejects(project.root, rel)
    by_schema = schema_rejects(project.root, rel)
    assert bool(by_build) == rejected, by_build
    assert bool(by_schema) == rejected, by_schema


def test_schemas_command_writes_schemas_and_headers(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    result = project.run("schemas")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (project.root / "schemas").glob("*.json")) == sorted(js.file_schemas())
    facts = (project.root / "content" / "facts.yaml").read_text(encoding="utf-8")
    assert facts.startswith("# yaml-language-server: $schema=../schemas/facts.schema.json\n- id: sbu-102\n")
    site = (project.root / "site.yaml").read_text(encoding="utf-8")
    assert site.startswith("# yaml-language-server: $schema=schemas/site.schema.json\ntitle:")
    again = project.run("schemas")
    assert "0 file(s) changed" in again.stdout  # idempotent: a second run changes nothing
    assert project.run("check").returncode == 0  # the header comment changes nothing for the build


# Property: for every scalar kind, the schema and the validator accept the same values. Known, documented
# gaps: impossible calendar days (2024-02-30) and floats with a whole value (1.0) where a whole number or
# year is expected (JSON has no separate integer type) pass the schema, not the build.
VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-10, 20000), st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12), st.from_regex(r"\A\s?\d{1,5}(-\d{1,2}(-\d{1,3})?)?\s?\Z"),
    st.from_regex(r"\A\s?(TODO|todo|\s)?[a-z -]{0,6}\Z"),
    st.from_regex(r"\A\s?(https?|HTTPS|ftp|mailto)(://|:)[a-z0-9./?#: ]{0,8}\s?\Z"),
    # EDTF-shaped: spans, open ends, sets and qualifiers, well- and ill-formed
    st.from_regex(r"\A\s?\[?(\.\.|\d{4}(-\d{1,2}(-\d{1,2})?)?[~?%]?)?"
                  r"([/,] ?(\.\.|\d{4}(-\d{2})?[~?%]?)?){0,2}\]?\s?\Z"),
)


KINDS = sorted(name.removeprefix("scalar_") for name in dir(Checker) if name.startswith("scalar_"))


def test_every_scalar_kind_has_a_json_schema() -> None:
    assert {"text", "slug", "date", "day", "url"} <= set(KINDS)
    for kind in KINDS:
        Draft7Validator.check_schema(js.to_json_schema(Scalar(kind)))


def _known_gap(kind: str, value: object) -> bool:
    if isinstance(value, float) and value.is_integer() and "integer" in json.dumps(js.to_json_schema(Scalar(kind))):
        return True
    if kind in ("date", "day") and isinstance(value, str):
        try:
            parse_date(value)
        except DateError as exc:
            return "real day" in str(exc)
    if kind == "edtf" and isinstance(value, str):  # calendar rules a pattern cannot see
        try:
            parse_edtf(value)
        except DateError as exc:
            return any(gap in str(exc) for gap in ("real day", "ends before it starts", "twice"))
    return False


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=100, deadline=None)
@given(value=VALUES)
def test_each_scalar_kind_agrees_with_the_validator(kind: str, value: object) -> None:
    assume(not _known_gap(kind, value))
    problems = Problems(Path("."))
    by_build = Checker(Doc(Path("x.yaml"), value), problems).check(value, Scalar(kind), ()) is not INVALID
    by_schema = Draft7Validator(js.to_json_schema(Scalar(kind))).is_valid(value)
    assert by_build == by_schema, (kind, value, [p.format() for p in problems.items])
