"""The preview's verify stage keeps the facts that passed (verified.py) and the editions' warnings
(translations.py): after any edit, the same problems as a cold build, in the same order, and the
same pages; and only what changed is checked again."""

from __future__ import annotations

import os
import random
import re
from pathlib import Path

import pytest
from _incremental import (
    EDITS,
    UK_EDITS,
    add_fact,
    built_project,
    edit,
    edit_archive,
    edit_claim,
    fact_ids,
    insert_lines_above,
    outcome,
    project,
    random_edits,
    remove_fact,
    two_language_project,
    unquoted_number,
)

from explainer import pipeline, translations, verify
from explainer.incremental import IncrementalBuilder

SOURCE_BLOCK = re.compile(r"^- id: (\S+)\n(?:(?!- id: ).*\n?)*", re.M)


def remove_source(root: Path, rng: random.Random, step: int):
    """A source goes: each fact citing it, kept or not, cites an unknown source until it is back."""
    path = root / "content/sources.yaml"
    before = path.read_text(encoding="utf-8")
    block = rng.choice(list(SOURCE_BLOCK.finditer(before)))
    path.write_text(before[:block.start()] + before[block.end():], encoding="utf-8")
    return lambda: path.write_text(before, encoding="utf-8")


def tamper_archive(root: Path, rng: random.Random, step: int):
    """An archive changes behind its recorded sha256: its facts' quotes are not verified until it is restored."""
    archive = rng.choice(sorted((root / "seeds").glob("*.txt")))
    before = archive.read_text(encoding="utf-8")
    archive.write_text(before.replace(" ", "  ", 1), encoding="utf-8")
    return lambda: archive.write_text(before, encoding="utf-8")


def misquote(root: Path, rng: random.Random, step: int):
    """A quote with a word its source does not have: an error with the closest passage, until repaired."""
    return _prefix_field(root, rng, "      quote", "misquoted ")


def chain_in_attribution(root: Path, rng: random.Random, step: int):
    """An attribution that writes the chain itself (attribution.py): an error until repaired."""
    return _prefix_field(root, rng, "  attribution", "as reported by ")


def _prefix_field(root: Path, rng: random.Random, field: str, words: str):
    """``words`` put before the value of a random fact's first ``field``; returns the repair."""
    path = root / "content/facts.yaml"
    before = path.read_text(encoding="utf-8")
    fid = rng.choice(fact_ids(root))
    path.write_text(re.sub(rf"(- id: {re.escape(fid)}\n(?:(?!- id: ).*\n)*?{field}: \")",
                           rf"\g<1>{words}", before), encoding="utf-8")
    return lambda: path.write_text(before, encoding="utf-8")


def rename_source(root: Path, rng: random.Random, step: int) -> None:
    """A source's id changes in sources.yaml only: its facts cite an unknown source (no repair)."""
    ids = re.findall(r"^- id: (\S+)", (root / "content/sources.yaml").read_text(encoding="utf-8"), re.M)
    chosen = rng.choice(ids)
    edit(root / "content/sources.yaml", lambda t: t.replace(f"- id: {chosen}\n", f"- id: {chosen}-{step}\n"))


VERIFY_EDITS = [remove_source, tamper_archive, misquote, chain_in_attribution, unquoted_number, edit_claim,
                insert_lines_above, add_fact, remove_fact, edit_archive]


@pytest.mark.parametrize("seed", [3, 4, 5])
def test_kept_facts_give_the_problems_of_a_cold_build_after_any_edit(tmp_path, seed):
    random_edits(project(tmp_path), tmp_path, random.Random(seed), VERIFY_EDITS + [rename_source] + EDITS, 12,
                 lambda builder: 0)


@pytest.mark.parametrize("seed", [6, 7])
def test_kept_warnings_of_an_edition_match_a_cold_build(tmp_path, seed):
    random_edits(two_language_project(tmp_path), tmp_path, random.Random(seed), UK_EDITS + VERIFY_EDITS, 10,
                 lambda builder: 0)


def searched_quotes(monkeypatch) -> list[str]:
    """The quotes the quote check looks for in their archives from now on."""
    found: list[str] = []
    original = verify.normalise

    def normalise(text: str) -> str:
        if len(text) < 1000:  # a quote, not an archive
            found.append(text)
        return original(text)

    monkeypatch.setattr(verify, "normalise", normalise)
    return found


def test_only_the_quotes_of_a_changed_fact_are_looked_for_again(tmp_path, monkeypatch):
    root, builder = built_project(tmp_path, facts=40)
    searched = searched_quotes(monkeypatch)
    fid = fact_ids(root)[7]
    edit(root / "content/facts.yaml", lambda t: t.replace(f"- id: {fid}\n  claim: \"", f"- id: {fid}\n  claim: \"A "))
    assert outcome(builder.build, root, tmp_path / "inc")[0] == "built"
    edited = next(f for f in builder.build(root, tmp_path / "inc").project.facts if f.id == fid)
    assert searched == [c.quote for c in edited.citations]
    searched.clear()
    insert_lines_above(root, random.Random(0), 1)  # facts moved: new objects, the same entry texts
    moved = outcome(builder.build, root, tmp_path / "inc")
    assert searched == []  # each given where its entry's quotes were found
    assert moved == outcome(pipeline.build, root, tmp_path / "cold") and moved[0] == "built"


def test_a_removed_source_is_an_error_on_every_kept_fact_citing_it(tmp_path):
    root, builder = built_project(tmp_path, facts=40)
    repair = remove_source(root, random.Random(0), 1)
    failed = outcome(builder.build, root, tmp_path / "inc")
    assert failed == outcome(pipeline.build, root, tmp_path / "cold") and failed[0] == "failed"
    unknown = [p for p in failed[1] if "cites the unknown source" in p]
    assert len(unknown) >= 10 and all(re.match(r"content/facts\.yaml:\d+:\d+: error", p) for p in unknown)
    repair()
    assert outcome(builder.build, root, tmp_path / "inc") == outcome(pipeline.build, root, tmp_path / "cold")


def test_a_changed_archive_checks_the_kept_facts_citing_it_again(tmp_path, monkeypatch):
    root, builder = built_project(tmp_path, facts=40)
    searched = searched_quotes(monkeypatch)
    before = {path.name: path.read_text(encoding="utf-8") for path in (root / "seeds").glob("*.txt")}
    edit_archive(root, random.Random(0), 1)  # its first line changes, its hash is recorded again
    changed = [name for name, text in before.items() if (root / "seeds" / name).read_text(encoding="utf-8") != text]
    result = builder.build(root, tmp_path / "inc")
    source = next(s for s in result.project.sources if s.archive == changed[0])
    assert searched == [c.quote for f in source.cited_by for c in f.citations]  # each fact citing it, whole
    assert 0 < len(source.cited_by) < 40
    assert outcome(builder.build, root, tmp_path / "inc") == outcome(pipeline.build, root, tmp_path / "cold")


def test_an_editions_warnings_for_kept_facts_are_not_worked_out_again(tmp_path, monkeypatch):
    root = two_language_project(tmp_path)
    builder = IncrementalBuilder()
    first = outcome(builder.build, root, tmp_path / "inc")
    assert any("has no Ukrainian" in w for w in first[1][1])
    named: list[str] = []
    original = translations.name

    def name(kind, item, fact=None):
        named.append(kind)
        return original(kind, item, fact)

    monkeypatch.setattr(translations, "name", name)
    edit_claim(root, random.Random(0), 1)
    built = outcome(builder.build, root, tmp_path / "inc")
    assert built[0] == "built"
    edited = len(named)
    assert built == outcome(pipeline.build, root, tmp_path / "cold")
    cold = len(named) - edited
    assert named[:edited].count("fact") == 1 and named[edited:].count("fact") == 120
    assert edited < cold


def link_out(archive: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_bytes(archive.read_bytes())
    archive.unlink()
    archive.symlink_to(outside)


def fifo(archive: Path, tmp_path: Path) -> None:
    archive.unlink()
    os.mkfifo(archive)


@pytest.mark.parametrize("change", [
    pytest.param(lambda archive, tmp_path: archive.unlink(), id="removed"),
    pytest.param(link_out, id="link-out-of-seeds"),
    pytest.param(fifo, id="fifo"),
    pytest.param(lambda archive, tmp_path: archive.write_bytes(archive.read_bytes() + b"\xff"), id="not-utf8"),
    pytest.param(lambda archive, tmp_path: archive.write_bytes(b"\xef\xbb\xbf" + archive.read_bytes()), id="bom"),
])
def test_an_archive_read_the_quick_way_is_refused_as_the_long_way_refuses_it(tmp_path, change):
    """verify._quick_read reads an archive the last build found right in seeds/; anything else is
    read the long way (archive_path, read_text), with the same message as a cold build's."""
    root, builder = built_project(tmp_path, facts=40)
    archive = sorted((root / "seeds").glob("*.txt"))[0]
    assert archive.name in builder.cache.quotes.direct  # read the quick way from now on
    before = archive.read_bytes()
    change(archive, tmp_path)
    incremental = outcome(builder.build, root, tmp_path / "inc")
    assert incremental == outcome(pipeline.build, root, tmp_path / "cold")
    archive.unlink(missing_ok=True)
    archive.write_bytes(before)
    assert outcome(builder.build, root, tmp_path / "inc") == outcome(pipeline.build, root, tmp_path / "cold")


def test_where_a_link_cannot_be_refused_as_a_file_opens_every_archive_is_read_the_long_way(tmp_path, monkeypatch):
    """Windows has no O_NOFOLLOW: there the preview reads each archive as a cold build does (textfiles.py)."""
    from explainer import textfiles

    monkeypatch.setattr(textfiles, "_QUICK_OPEN", None)
    root, builder = built_project(tmp_path, facts=40)
    archive = sorted((root / "seeds").glob("*.txt"))[0]
    link_out(archive, tmp_path)
    failed = outcome(builder.build, root, tmp_path / "inc")
    assert failed == outcome(pipeline.build, root, tmp_path / "cold") and failed[0] == "failed"
