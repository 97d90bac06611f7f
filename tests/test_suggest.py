""""Did you mean …?" for unknown ids (suggest.py): the right id for a typo, and bounded work when many
ids are unknown at once (facts deleted in bulk, or a file read while an editor was still writing it)."""

from __future__ import annotations

import difflib
import re
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explainer import pipeline, suggest
from explainer.errors import BuildError
from explainer.suggest import Suggestions

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from generate import generate

IDS = [f"{kind}-{n:05d}-{word}" for n, (kind, word) in enumerate(
    (kind, word) for kind in ("sbu", "general-staff", "kyiv-independent") for word in
    ("captured", "exchange", "conscripts", "wounded", "returned", "talks", "border", "released", "named", "listed")
    for _ in range(100))]


def comparisons(monkeypatch) -> list[str]:
    """The known ids difflib compares a name with, as it compares them (a SequenceMatcher's first sequence)."""
    compared: list[str] = []
    real = difflib.SequenceMatcher.set_seq1

    def counted(self, a):
        if a:  # each SequenceMatcher starts with an empty one
            compared.append(a)
        real(self, a)

    monkeypatch.setattr(difflib.SequenceMatcher, "set_seq1", counted)
    return compared


@pytest.mark.parametrize("typo", [
    lambda i: i[:-1] + "x",  # the end
    lambda i: "x" + i[1:],  # the start
    lambda i: i[:9] + i[10:],  # a letter left out in the middle
    lambda i: i.replace("-", "_", 1),
])
def test_a_typo_among_thousands_of_ids_is_suggested(typo):
    assert len(IDS) > suggest.SEARCH_ALL_UP_TO
    hints = Suggestions(IDS, "content/facts.yaml")
    for known in (IDS[0], IDS[1234], IDS[-1]):
        assert hints.hint(typo(known)) == f"did you mean '{known}'?"


def test_an_id_like_none_is_told_where_ids_are_defined():
    assert Suggestions(IDS, "content/facts.yaml").hint("zanzibar") == "use an id defined in content/facts.yaml"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text("abc-", min_size=1, max_size=8), max_size=suggest.SEARCH_ALL_UP_TO, unique=True),
       st.text("abc-", min_size=1, max_size=8))
def test_a_short_list_gets_what_difflib_gives_for_the_whole_list(known, name):
    close = difflib.get_close_matches(name, known, n=1, cutoff=suggest.CUTOFF)
    expected = f"did you mean '{close[0]}'?" if close else "use an id defined in x.yaml"
    assert Suggestions(known, "x.yaml").hint(name) == expected


def test_each_unknown_name_is_worked_out_once_and_the_work_is_bounded(monkeypatch):
    """Hints compare at most BUDGET pairs in all; past it they say so instead of searching."""
    compared = comparisons(monkeypatch)
    hints = Suggestions(IDS, "content/facts.yaml", budget=1000)
    first = hints.hint(IDS[7] + "x")
    assert first == f"did you mean '{IDS[7]}'?" and hints.hint(IDS[7] + "x") == first
    once = len(compared)
    assert 0 < once <= 4 * suggest.NEIGHBOURS
    answers = [hints.hint(f"deleted-{n}") for n in range(100)]
    assert len(compared) <= 1000
    spent = ("use an id defined in content/facts.yaml "
             "(no suggestion: this build has spent its time for such hints)")
    assert answers[-1] == spent and answers[0] == "use an id defined in content/facts.yaml"


def test_deleting_half_the_facts_reports_every_unknown_citation_quickly(tmp_path, monkeypatch):
    """The facts of the second half of facts.yaml deleted: every citation of one is an error at its
    place, and the hints' comparisons stay within the budget (21 s of difflib at 2,000 facts before)."""
    root = tmp_path / "story"
    generate(root, facts=600, seed=3)
    facts = root / "content" / "facts.yaml"
    text = facts.read_text(encoding="utf-8")
    cut = text.index("\n- id: ", len(text) // 2) + 1
    facts.write_text(text[:cut], encoding="utf-8")
    kept = set(re.findall(r"^- id: (\S+)$", text[:cut], re.M))
    compared = comparisons(monkeypatch)
    with pytest.raises(BuildError) as caught:
        pipeline.check(root)
    unknown = [p for p in caught.value.problems if p.message.startswith("unknown fact '")]
    assert unknown and all(re.fullmatch(r"unknown fact '[^']+'", p.message) for p in unknown)
    assert not {p.message[len("unknown fact '"):-1] for p in unknown} & kept
    assert all(p.line > 0 and p.column > 0 for p in unknown)
    assert len(compared) <= suggest.BUDGET


def test_a_key_misspelt_in_every_fact_is_looked_up_once(tmp_path, monkeypatch):
    """A find-and-replace that misspells a key in every fact: each gets its message and hint, and
    difflib answers the question once (it was asked once per fact: 0.6 s at 10,000 facts)."""
    root = tmp_path / "story"
    generate(root, facts=300, seed=5)
    facts = root / "content" / "facts.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").replace("\n  topics:", "\n  topcs:"), encoding="utf-8")
    compared = comparisons(monkeypatch)
    with pytest.raises(BuildError) as caught:
        pipeline.check(root)
    misspelt = [p for p in caught.value.problems if p.message == "unknown key 'topcs' in fact"]
    assert len(misspelt) == 300 and {p.hint for p in misspelt} == {"did you mean 'topics'?"}
    assert len(compared) <= 40, "one question, not one per fact"
