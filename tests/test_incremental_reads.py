"""What a save reads again in the preview: only the entries it changed, their mistakes where a whole
parse puts them, a broken file repaired entry by entry, and a file caught while it is being written
read once it is saved (file_memo.py, entries.py, entry_split.py).
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from _incremental import (
    FACT_BLOCK,
    MISUSES,
    assert_as_cold,
    built_project,
    edit,
    edit_claim,
    fact_ids,
    facts_not_kept,
    outcome,
    parsed_texts,
    project,
    quoted_fact,
    recorded,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explainer import entries as entries_module
from explainer import pipeline
from explainer.incremental import IncrementalBuilder
from explainer.verify import archive_sha256


def test_a_file_repaired_after_a_syntax_error_keeps_every_facts_verdict(tmp_path, monkeypatch):
    """A save that breaks facts.yaml fails with no facts at all; the repair brings them back as they
    were, and the last good build's verdicts with them: no fact is checked again (it was 0.3 s at
    10,000 facts on every repair)."""
    root, builder = built_project(tmp_path, facts=40)
    path = root / "content/facts.yaml"
    good = path.read_text(encoding="utf-8")
    checked = facts_not_kept(monkeypatch)
    path.write_text(good.replace("  claim: ", '  claim: "unclosed ', 1), encoding="utf-8")
    assert outcome(builder.build, root, tmp_path / "inc")[0] == "failed"
    path.write_text(good, encoding="utf-8")
    repaired = outcome(builder.build, root, tmp_path / "inc")
    assert checked == [[], []]
    assert repaired == outcome(pipeline.build, root, tmp_path / "cold")


def test_an_archive_changed_while_a_file_was_broken_is_checked_after_the_repair(tmp_path):
    """The failed build's verdicts are not kept, and the last good build's are kept only for sources
    whose text is still the one they were checked against: a quote taken out of its archive while
    facts.yaml was broken is an error once it is repaired, as in a cold build."""
    root = project(tmp_path, facts=40)
    builder = IncrementalBuilder()
    fact, citation, archive = quoted_fact(builder.build(root, tmp_path / "inc"))
    path = root / "content/facts.yaml"
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace("  claim: ", '  claim: "unclosed ', 1), encoding="utf-8")
    text = archive.read_text(encoding="utf-8")
    archive.write_text(text.replace(citation.quote, "zanzibarred", 1), encoding="utf-8")
    edit(root / "content/sources.yaml", lambda t: t.replace(archive_sha256(text),
                                                            archive_sha256(archive.read_text(encoding="utf-8"))))
    assert outcome(builder.build, root, tmp_path / "inc")[0] == "failed"
    path.write_text(good, encoding="utf-8")
    repaired = outcome(builder.build, root, tmp_path / "inc")
    assert repaired == outcome(pipeline.build, root, tmp_path / "cold")
    assert repaired[0] == "failed" and any(f"'{fact.id}'" in problem for problem in repaired[1])


def test_a_one_fact_edit_parses_only_that_fact(tmp_path, monkeypatch):
    root, builder = built_project(tmp_path, facts=40)
    texts = parsed_texts(monkeypatch)
    edit_claim(root, random.Random(0), 1)
    # Lines above every entry: all of them move, none is parsed again.
    edit(root / "content/facts.yaml", lambda t: "# a note\n\n" + t)
    result = builder.build(root, tmp_path / "inc")
    assert len(texts) == 1 and texts[0].startswith("- id: ") and "Edited beta: " in texts[0]
    assert result.pages == pipeline.build(root, tmp_path / "cold").pages


def test_errors_in_entries_below_inserted_lines_are_reported_where_they_are(tmp_path):
    """The kept entries' positions follow the lines inserted above them: file, line and column exact."""
    root, builder = built_project(tmp_path, facts=40)
    path = root / "content/facts.yaml"
    edit(path, lambda t: "# a note\n\n# another\n" + t)
    ids = fact_ids(root)
    # A misspelt key in one entry, an unknown topic (a cross-entry check) in another, both untouched so far.
    edit(path, lambda t: t.replace(f"- id: {ids[30]}\n  claim: ", f"- id: {ids[30]}\n  claimm: "))
    edit(path, lambda t: re.sub(rf"(- id: {ids[35]}\n(?:(?!- id: ).*\n)*?  topics: \[)", r"\g<1>nosuch, ", t))
    lines = path.read_text(encoding="utf-8").split("\n")
    misspelt = next(n for n, line in enumerate(lines, 1) if line == "  claimm: " + line[10:] and "claimm" in line)
    undeclared = next(n for n, line in enumerate(lines, 1) if line.startswith("  topics: [nosuch, "))
    incremental = outcome(builder.build, root, tmp_path / "inc")
    assert incremental == outcome(pipeline.build, root, tmp_path / "cold")
    assert incremental[0] == "failed"
    shown = "\n".join(incremental[1])
    assert f"content/facts.yaml:{misspelt}:3: error: unknown key 'claimm' in fact" in shown
    assert f"content/facts.yaml:{undeclared}:12: error: fact '{ids[35]}' uses the undeclared topic 'nosuch'" in shown


def test_positions_in_kept_entries_come_from_their_own_text_once_the_first_parse_is_let_go(tmp_path, monkeypatch):
    """The first build's whole parse (text and positions, 40 MB at 50,000 facts) is let go once its
    items are checked (entries.FirstParse). A mistake in an entry kept since then is still placed
    exactly: a misspelt key and a key naming an unpublished language, both only found by asking the
    entry's text again, after lines were inserted above it and below it; the positions the model
    holds move with their entries without asking (the cited source and the topic, below)."""
    root = project(tmp_path, facts=40)
    path = root / "content/facts.yaml"
    ids = fact_ids(root)
    edit(path, lambda t: t.replace(f"- id: {ids[30]}\n  claim: ", f"- id: {ids[30]}\n  claimm: "))
    edit(path, lambda t: re.sub(rf"(- id: {ids[20]}\n(?:(?!- id: ).*\n)*?)  citations:\n",
                                r'\g<1>  translations: {xx: {claim: "Xx"}}\n  citations:\n', t))
    builder = IncrementalBuilder()
    assert outcome(builder.build, root, tmp_path / "inc") == outcome(pipeline.build, root, tmp_path / "cold")
    memo = builder.cache.files._entries[path]
    whole = {type(e.base).__name__ for e in memo.entries.values()}
    assert whole == {"FirstParse"} and all(e.base._doc is None for e in memo.entries.values())
    parsed = []
    parse = entries_module.FirstParse._parse
    monkeypatch.setattr(entries_module.FirstParse, "_parse", lambda self, i: parsed.append(i) or parse(self, i))
    for change in (lambda t: "# a note\n\n" + t,
                   lambda t: t.replace(f"- id: {ids[25]}\n", f"# another\n- id: {ids[25]}\n"),
                   lambda t: re.sub(r"(?m)^  topics: \[", "  topics: [nosuch, ", t, count=1)):
        edit(path, change)
        found = outcome(builder.build, root, tmp_path / "inc")
        assert found == outcome(pipeline.build, root, tmp_path / "cold")
        shown = "\n".join(found[1])
        lines = path.read_text(encoding="utf-8").split("\n")
        misspelt = next(n for n, line in enumerate(lines, 1) if line.startswith("  claimm: "))
        translated = next(n for n, line in enumerate(lines, 1) if line.startswith("  translations: {xx:"))
        assert f"content/facts.yaml:{misspelt}:3: error: unknown key 'claimm' in fact" in shown
        assert f"content/facts.yaml:{translated}:" in shown and "translation into 'xx'" in shown
    assert sorted(set(parsed)) == [20, 30]  # only the two entries whose mistakes are not where the model points
    assert "undeclared topic 'nosuch'" in shown


def test_a_yaml_error_in_one_entry_is_reported_for_the_whole_file_and_repaired_entry_by_entry(tmp_path, monkeypatch):
    root, builder = built_project(tmp_path, facts=40)
    path = root / "content/facts.yaml"
    good = path.read_text(encoding="utf-8")
    ids = fact_ids(root)
    edit(path, lambda t: t.replace(f"- id: {ids[20]}\n  claim: \"", f"- id: {ids[20]}\n  claim: \"\"unclosed "))
    line = path.read_text(encoding="utf-8").split("\n").index(f"- id: {ids[20]}") + 2
    failed = outcome(builder.build, root, tmp_path / "inc")
    assert failed == outcome(pipeline.build, root, tmp_path / "cold")
    assert any(p.startswith(f"content/facts.yaml:{line}:") and "invalid YAML" in p for p in failed[1])
    texts = parsed_texts(monkeypatch)
    path.write_text("# repaired\n" + good, encoding="utf-8")
    repaired = outcome(builder.build, root, tmp_path / "inc")
    assert repaired == outcome(pipeline.build, root, tmp_path / "cold") and repaired[0] == "built"
    assert texts == []  # every entry was kept from the build before the mistake


@pytest.mark.parametrize("text", [
    "- a\n- b\n", "# head\n\n- a\n  # note\n- b\n\n", "-\n  a: 1\n- b\n", "- a\n...\n- b\n", "---\n- a\n",
    "%YAML 1.1\n---\n- a\n", "[a, b]\n", "a: 1\n- b\n", "- a\n\t- b\n", "- a\r\n- b\r\n", "x\n- a\n", "",
    "- a\n---\n- b\n", "- a\n%x\n", "-x\n- a\n", "# c\n-\n  - b\n",
])
def test_a_list_file_splits_only_where_entries_parse_alone_to_the_same_items(text):
    from explainer.entry_split import split_entries
    from explainer.errors import Problems
    from explainer.yamlsafe import load_yaml

    split = split_entries(text)
    if split is None:
        return
    pieces = list(zip(*split, strict=True))
    assert "".join(piece for _, piece in pieces) == text[len(text) - sum(len(p) for _, p in pieces):]
    whole = load_yaml(Path("x.yaml"), Problems(Path(".")), text=text)
    items = [load_yaml(Path("x.yaml"), Problems(Path(".")), text=piece).data[0] for _, piece in pieces]
    assert whole.data == items
    for (start, piece), i in zip(pieces, range(len(items)), strict=True):
        assert whole.mark((i,))[0] == start + 1 + (piece[1:2] == "\n")  # a lone '-': the item starts below


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["-", " ", "\n", "a", ".", "%", "#", "---", "...", "\t", "x: 1", "  - b"]),
                max_size=14).map("".join))
def test_a_list_file_splits_at_each_entry_and_nowhere_else(text):
    """Each piece starts with '- ' (or a lone '-') at a line's start and holds no other such line;
    a text with a document marker, a directive or a tab at a line's start is not split."""
    from explainer.entry_split import split_entries

    split = split_entries(text)
    lines = text.split("\n")
    if any(line.startswith(("---", "...", "%")) for line in lines) or "\t" in text:
        assert split is None
    if split is None:
        return
    pieces = list(zip(*split, strict=True))
    entry = re.compile(r"^-(?: |$)", re.M)
    assert "".join(piece for _, piece in pieces) == text[len(text) - sum(len(p) for _, p in pieces):]
    for _, piece in pieces:
        assert [m.start() for m in entry.finditer(piece)] == [0]
    head = text[: len(text) - sum(len(p) for _, p in pieces)]
    assert all(not line.strip() or line.lstrip().startswith("#") for line in head.split("\n"))
    assert [start for start, _ in pieces] == [n for n, line in enumerate(lines) if entry.match(line)]


class SaveClock:
    """file_memo's clock and sleep, where each step waited is a step of time and may write the rest of a save."""

    def __init__(self, rest=None, every_step=False) -> None:
        self.now, self.steps, self.rest, self.every_step = 0.0, 0, rest, every_step

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.steps += 1
        if self.rest is not None:
            self.rest()
            if not self.every_step:
                self.rest = None


def reads_of(monkeypatch, path: Path, then=lambda n: None) -> list[int]:
    """The sizes file_memo reads of ``path``, in order; ``then(n)`` runs right after the n-th read."""
    from explainer import file_memo

    sizes: list[int] = []
    original = file_memo.read_bytes

    def read_bytes(where, quick=False):
        raw = original(where, quick)
        if where == path:
            sizes.append(len(raw))
            then(len(sizes))
        return raw

    monkeypatch.setattr(file_memo, "read_bytes", read_bytes)
    return sizes


@pytest.mark.parametrize("caught", ["emptied", "growing"])
def test_a_save_caught_as_it_is_written_is_read_once_it_is_saved(tmp_path, monkeypatch, caught):
    """The watch reports a save from its first change, and an editor that writes a large file in
    place empties it first, then writes it over tens of milliseconds: the preview's build read it
    half written and failed, and the rest of the save was a second build. It now reads a file once
    no save is writing it (file_memo._read_saved): a large file found empty, or one that changed while
    it was read, is looked at again until it has held still for a few steps, then read whole."""
    from explainer import file_memo

    root = project(tmp_path, facts=60)
    path = root / "content/facts.yaml"
    builder = IncrementalBuilder()
    builder.build(root, tmp_path / "inc")
    saved = path.read_text(encoding="utf-8").replace('  claim: "', '  claim: "Saved whole: ', 1)
    monkeypatch.setattr(file_memo, "EMPTIED_AT", 10_000)  # facts.yaml is large here (60 facts: ~25 KB)
    def rest_of_save(n: int) -> None:
        if caught == "growing" and n == 1:
            path.write_text(saved, encoding="utf-8")  # the rest of the save, written while it was read

    reads = reads_of(monkeypatch, path, rest_of_save)
    if caught == "emptied":
        path.write_text("", encoding="utf-8")  # the save's first step: the file truncated
        clock = SaveClock(lambda: path.write_text(saved, encoding="utf-8"))
    else:
        path.write_text(saved[: len(saved) // 2], encoding="utf-8")  # the part written when the read began
        clock = SaveClock()
    monkeypatch.setattr(file_memo, "time", clock)
    result = builder.build(root, tmp_path / "inc")
    assert "Saved whole: " in result.project.facts[0].claim
    assert reads == ([len(saved.encode())] if caught == "emptied" else [len(saved.encode()) // 2, len(saved.encode())])
    quiet = file_memo.SETTLE_QUIET_STEPS  # steps in a row without a change: the save is done
    assert clock.steps == (1 + quiet if caught == "emptied" else quiet)
    assert_as_cold(builder, root, tmp_path)


def test_a_file_emptied_on_purpose_is_read_empty_after_a_while(tmp_path, monkeypatch):
    """A large file that stays empty is read as it is after SETTLE_MAX_S, and the build says what is
    wrong as a cold build does; a small file emptied is read at once (an editor may empty one)."""
    from explainer import file_memo

    root = project(tmp_path, facts=60)
    builder = IncrementalBuilder()
    builder.build(root, tmp_path / "inc")
    clock = SaveClock()
    monkeypatch.setattr(file_memo, "time", clock)
    monkeypatch.setattr(file_memo, "EMPTIED_AT", 10_000)  # facts.yaml is large here (~25 KB), a summary not
    (root / "content/facts.yaml").write_text("", encoding="utf-8")
    assert outcome(builder.build, root, tmp_path / "inc") == outcome(pipeline.build, root, tmp_path / "cold")
    waited = file_memo.SETTLE_MAX_S / file_memo.SETTLE_STEP_S
    assert clock.steps == pytest.approx(waited, abs=file_memo.SETTLE_QUIET_STEPS)
    steps, clock.steps = clock.steps, 0
    assert outcome(builder.build, root, tmp_path / "inc")[0] == "failed"
    assert clock.steps == 0, "read empty last time: nothing to wait for"
    summary = sorted((root / "content/summaries").glob("*.md"))[0]
    summary.write_text("", encoding="utf-8")  # under EMPTIED_AT
    outcome(builder.build, root, tmp_path / "inc")
    assert clock.steps == 0 and steps > 0


def test_a_file_that_never_holds_still_is_read_as_it_is_after_a_while(tmp_path, monkeypatch):
    """A file written to at every step (a program appending to it) is read at SETTLE_MAX_S as it is
    then: the build goes on, and gives what a cold build of that text gives."""
    from explainer import file_memo

    root = project(tmp_path, facts=60)
    path = root / "content/facts.yaml"
    builder = IncrementalBuilder()
    builder.build(root, tmp_path / "inc")
    def append(_n: int = 0) -> None:
        with path.open("a", encoding="utf-8") as out:
            out.write("# still being written\n")

    reads = reads_of(monkeypatch, path, append)  # each read is followed by a change
    clock = SaveClock(append, every_step=True)  # ...and so is each step waited
    monkeypatch.setattr(file_memo, "time", clock)
    result = outcome(builder.build, root, tmp_path / "inc")
    assert result[0] == "built"
    assert clock.steps == pytest.approx(file_memo.SETTLE_MAX_S / file_memo.SETTLE_STEP_S, abs=1)
    assert len(reads) == 2  # once, then again at the deadline


@pytest.mark.parametrize("cut", ["second half", "first half"])
def test_a_file_read_half_written_costs_the_next_build_nothing(tmp_path, monkeypatch, cut):
    """An editor that writes a file in place can be read half written, cut between two entries: that
    build fails (the timeline cites facts that are gone). The entries it let go are kept until a
    build succeeds (entries.EntryMemo._dropped), so the whole file again makes no fact afresh: each
    is the object of the last good build; and a kept fact's warning, which the passes over every fact
    found before the cut, is still given (they look at every fact after entries came back)."""
    root = project(tmp_path, facts=60)
    path = root / "content/facts.yaml"
    blocks = list(FACT_BLOCK.finditer(path.read_text(encoding="utf-8")))
    left_out = blocks[30:] if cut == "second half" else blocks[:30]
    warned = next(b for b in left_out if "  date_note:" not in b.group(0))  # a fact the cut leaves out
    old, new = MISUSES[5]  # a date note's link to an ftp:// address: a warning
    good = path.read_text(encoding="utf-8")
    good = good[:warned.start()] + warned.group(0).replace(old, new, 1) + good[warned.end():]
    path.write_text(good, encoding="utf-8")
    builder = IncrementalBuilder()
    first = builder.build(root, tmp_path / "inc")
    assert any("ftp://" in w.format() for w in first.warnings)
    blocks = list(FACT_BLOCK.finditer(good))
    half = blocks[30].start()
    head = good[:blocks[0].start()]
    path.write_text(good[:half] if cut == "second half" else head + good[half:], encoding="utf-8")
    assert outcome(builder.build, root, tmp_path / "inc")[0] == "failed"
    path.write_text(good, encoding="utf-8")
    parsed = parsed_texts(monkeypatch)
    again = builder.build(root, tmp_path / "inc")
    # Not the file whole, nor any entry but the warned fact's own, for its warning's position (its
    # first parse let go of positions: entries.FirstParse): every entry is the last good build's.
    assert [text.split("\n", 1)[0] for text in parsed] == [f"- id: {warned.group(1)}"]
    kept = [a is b for a, b in zip(again.project.facts, first.project.facts, strict=True)]
    assert kept.count(False) == (0 if cut == "second half" else 30)  # put back after facts it came after: copies
    assert [w.format() for w in again.warnings] == [w.format() for w in first.warnings]
    assert_as_cold(builder, root, tmp_path)


_PIECES = ["-", " ", "\n", "a", ".", "%", "#", "---", "...", "\t", "x: 1", "  - b", "\n- ", "\n-\n"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=24).map("".join), st.integers(0, 200), st.integers(0, 6),
       st.lists(st.sampled_from(_PIECES), max_size=3).map("".join), st.sampled_from([1, 3, 1 << 16]))
def test_a_changed_list_file_splits_from_the_last_split_as_it_splits_whole(old, at, cut, inserted, block):
    """The preview splits a saved file again only where it changed (entry_split.moved_starts): wherever
    that tells, the same places as a whole split, and the entries outside the change the same texts.
    (Compared a few characters at a time too: ``block``.)"""
    from explainer import entry_split

    last = entry_split.entry_starts(old)
    if last is None:
        return
    at = min(at, len(old))
    new = old[:at] + inserted + old[min(len(old), at + cut):]
    entry_split._BLOCK, usual = block, entry_split._BLOCK
    try:
        moved = entry_split.moved_starts(old, last[1], new)
    finally:
        entry_split._BLOCK = usual
    whole = entry_split.entry_starts(new)
    if moved is None:
        assert whole is None or at < last[1][0] + 3  # it declines only when the change is that near the start
        return
    a, b, middle = moved
    starts = last[1][:a] + middle + [start + len(new) - len(old) for start in last[1][b:]]
    assert whole == (last[0], starts)
    old_texts, new_texts = entry_split.entry_texts(old, last[1]), entry_split.entry_texts(new, starts)
    assert old_texts[:a] == new_texts[:a] and old_texts[b:] == new_texts[len(new_texts) - len(old_texts) + b:]


def test_a_save_hashes_and_parses_only_the_entries_it_changed(tmp_path, monkeypatch):
    """At 10,000 facts, splitting and hashing every entry again was most of reading the file."""
    from explainer import entries

    root = project(tmp_path, facts=60)
    builder = IncrementalBuilder()
    builder.build(root, tmp_path / "inc")
    hashed = recorded(monkeypatch, entries, "entry_keys")
    ids = fact_ids(root)
    path = root / "content/facts.yaml"
    edit(path, lambda t: t.replace(f"- id: {ids[30]}\n  claim: \"", f"- id: {ids[30]}\n  claim: \"Gamma "))
    texts = parsed_texts(monkeypatch)
    assert_as_cold(builder, root, tmp_path)
    assert len(hashed) == 1 and len(hashed[0]) == 1 and hashed[0][0].startswith(f"- id: {ids[30]}\n")
    assert texts == hashed[0]


_ENTRIES = "".join(f'- id: f{n}\n  claim: "Claim {n}: a, b"\n  topics: [x, y]\n  notes: |\n    Line {n}\n\n'
                   for n in range(12))


_BREAKS = ['"', "'", "[", "{", ": ", "- ", "\n  ", "\n", "\n- a\n", "\n  x: [\n", " *a", " &b", "!!python/name:x ",
           "x: 1\nx: 2", "\u202e", "\x01", "#", "  : : broken [", "\n    - ", "|", ">-", "[[[[", "}"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, len(_ENTRIES)), st.integers(0, 12), st.lists(st.sampled_from(_BREAKS), min_size=1, max_size=3))
def test_a_broken_save_reports_what_a_whole_parse_reports(at, cut, inserted):
    """A save that breaks a list file is reported from where its first changed entry starts when that
    parse stops at a mistake (entries._stops_below), not from a parse of the whole file: the same
    messages, lines and columns as the whole parse, whatever the mistake and wherever it is."""
    from explainer.entries import EntryMemo
    from explainer.errors import Problems
    from explainer.yamlsafe import load_yaml

    path = Path("content/facts.yaml")
    memo = EntryMemo()
    assert memo.load(path, _ENTRIES, Problems(Path(".")), most_new=100) is not None
    bad = _ENTRIES[:at] + "".join(inserted) + _ENTRIES[at + cut:]
    whole, saved = Problems(Path(".")), Problems(Path("."))
    expected = load_yaml(path, whole, text=bad)
    doc = memo.load(path, bad, saved, most_new=100)
    assert [p.format() for p in saved.items] == [p.format() for p in whole.items]
    assert (doc is None) == (expected is None)
    if doc is not None and not saved.items:
        assert doc.data == expected.data


def test_a_broken_save_is_not_parsed_whole(tmp_path, monkeypatch):
    """A mistake in the middle of the file: the entries above it are not parsed again, and the error
    names the line and column a whole parse names (and a cold build does)."""
    root, builder = built_project(tmp_path, facts=40)
    ids = fact_ids(root)
    path = root / "content/facts.yaml"
    edit(path, lambda t: t.replace(f"- id: {ids[30]}\n", f"- id: {ids[30]}\n  : : broken [\n"))
    texts = parsed_texts(monkeypatch)
    failed = outcome(builder.build, root, tmp_path / "inc")
    assert failed == outcome(pipeline.build, root, tmp_path / "cold") and failed[0] == "failed"
    line = path.read_text(encoding="utf-8").split("\n").index("  : : broken [") + 1
    assert any(p.startswith(f"content/facts.yaml:{line}:") and "invalid YAML" in p for p in failed[1])
    whole = path.read_text(encoding="utf-8")
    assert whole not in texts and texts[-1].startswith(f"- id: {ids[30]}\n")  # parsed from that entry on


def test_an_edit_to_many_entries_parses_the_file_whole(tmp_path, monkeypatch):
    """Past half the entries, one parse of the whole file is quicker than each entry's own."""
    root, builder = built_project(tmp_path, facts=40)
    texts = parsed_texts(monkeypatch)
    edit(root / "content/facts.yaml", lambda t: t.replace('  claim: "', '  claim: "Edited: '))
    result = builder.build(root, tmp_path / "inc")
    whole = (root / "content/facts.yaml").read_text(encoding="utf-8")
    assert texts == [whole]
    assert result.pages == pipeline.build(root, tmp_path / "cold").pages


class _Counted(bytes):
    """The first read's bytes, counting the copies a reader makes by adding to them."""

    added = 0

    def __add__(self, other: bytes) -> bytes:
        type(self).added += 1
        return bytes(self) + other


def test_a_file_that_grows_while_it_is_read_is_read_whole_in_one_pass(tmp_path, monkeypatch):
    """The watch reports a save from its first change, so a build may read a large file while it is
    still being written: past the size fstat gave, the reader takes what follows chunk by chunk. Each
    chunk added to the bytes read so far copied them all again (0.7 s for a 20 MB facts.yaml read as
    it grew); the chunks are now joined once."""
    from explainer import textfiles

    path = tmp_path / "facts.yaml"
    path.write_bytes(b"- id: a\n")
    chunks = [b"- id: b%d\n" % n for n in range(300)]
    real_read, calls = textfiles.os.read, []

    def growing(fd: int, size: int) -> bytes:
        calls.append(size)
        if len(calls) == 1:
            return _Counted(real_read(fd, size))
        return chunks[len(calls) - 2] if len(calls) - 2 < len(chunks) else b""

    _Counted.added = 0
    monkeypatch.setattr(textfiles.os, "read", growing)
    assert textfiles.read_bytes(path) == b"- id: a\n" + b"".join(chunks)
    assert _Counted.added == 0, "the bytes read first were copied once per chunk that followed"
