"""What a save keeps from the last build in the preview, and that what it keeps is still right: the
checks over every fact, the model objects of unchanged entries, the layout, the events' Markdown and
the exports' lines (kept_checks.py, renewed.py, export_memo.py).
"""

from __future__ import annotations

import random
import re

import pytest
from _incremental import (
    FACT_BLOCK,
    MISUSES,
    add_fact,
    add_fact_on_a_blank_line,
    assert_as_cold,
    built_project,
    edit,
    edit_archive,
    edit_claim,
    edit_event,
    edit_label,
    edit_source,
    insert_lines_above,
    move_fact,
    outcome,
    project,
    random_edits,
    read_tree,
    recorded,
    remove_fact,
    rename_fact,
    toggle_date_note,
    unquoted_number,
)

from explainer import pipeline
from explainer.incremental import IncrementalBuilder
from explainer.renewed import MADE


@pytest.mark.parametrize("old, new", MISUSES, ids=["reserved-id", "undeclared-topic", "placeholder", "translation",
                                                   "said-after-its-source", "note-link"])
def test_a_pass_over_every_fact_still_finds_a_kept_facts_mistake(tmp_path, old, new):
    """The passes over every fact look only at the facts made afresh while they found nothing last
    time (kept_checks.py), and only while every fact the build renews was in the last build's list:
    a fact's mistake is still found after the file was broken whole and put back, and after a save
    elsewhere; mended, it is gone."""
    root = project(tmp_path, facts=40)
    builder = IncrementalBuilder()
    path = root / "content/facts.yaml"
    good = path.read_text(encoding="utf-8")
    block = list(FACT_BLOCK.finditer(good))[25]
    mistaken = good[:block.start()] + block.group(0).replace(old, new, 1) + good[block.end():]
    builder.build(root, tmp_path / "inc")
    path.write_text(mistaken, encoding="utf-8")
    found = outcome(builder.build, root, tmp_path / "inc")
    assert found == outcome(pipeline.build, root, tmp_path / "cold")
    assert found[0] == "failed" or found[1][1]  # an error, or a warning
    assert any(word in str(found) for word in ("section-", "undeclared-topic", "todo-", "'xx'", "January 2099", "ftp:"))
    for text in (mistaken + "\n- [unclosed\n", mistaken, mistaken.replace("  claim: \"", "  claim: \"Beta ", 1)):
        path.write_text(text, encoding="utf-8")
        assert outcome(builder.build, root, tmp_path / "inc") == outcome(pipeline.build, root, tmp_path / "cold")
    path.write_text(good, encoding="utf-8")
    assert_as_cold(builder, root, tmp_path)


def test_the_events_markdown_is_looked_up_only_when_an_event_or_a_number_changed(tmp_path, monkeypatch):
    """MarkdownTexts.events_html: while the events are the last build's objects and every fact keeps its
    number and page, the timeline's texts are not looked up one by one; an edited event, or a fact added
    above the facts they cite (their numbers change), has them all looked up. Each build as cold."""
    from explainer.markdown_render import MarkdownTexts

    root = project(tmp_path, facts=60)
    builder = IncrementalBuilder()
    builder.build(root, tmp_path / "inc")
    texts = set(re.findall(r'^  text: "(.*)"$', (root / "content/timeline.yaml").read_text(encoding="utf-8"), re.M))
    looked_up = recorded(monkeypatch, MarkdownTexts, "markdown", lambda renderer, text, inline=False: text)

    def events_looked_up() -> int:
        looked_up.clear()
        incremental = outcome(builder.build, root, tmp_path / "inc")
        found = sum(text in texts for text in looked_up)
        assert incremental == outcome(pipeline.build, root, tmp_path / "cold")
        return found

    edit_claim(root, random.Random(3), 1)
    assert events_looked_up() == 0
    add_fact_on_a_blank_line(root, random.Random(4), 2)  # the facts below it are numbered again
    assert events_looked_up() > 0
    edit_event(root, random.Random(5), 3)
    assert events_looked_up() > 0
    blocks = [m.group(0) for m in FACT_BLOCK.finditer((root / "content/facts.yaml").read_text(encoding="utf-8"))]
    swapped = [blocks[1], blocks[0], *blocks[2:]]  # as many facts, two numbered the other way round
    edit(root / "content/facts.yaml", lambda t: t[:t.index(blocks[0])] + "".join(swapped))
    assert events_looked_up() > 0


def test_an_events_topics_follow_a_fact_it_cites(tmp_path):
    """Renderer.event_topics keeps an event's topics by the fact objects it cites: a cited fact given other
    topics (a new object) changes its event's, as in a cold build."""
    root = project(tmp_path, facts=60)
    builder = IncrementalBuilder()
    builder.build(root, tmp_path / "inc")
    edit_claim(root, random.Random(3), 1)  # taken whole
    assert_as_cold(builder, root, tmp_path)
    cited = re.search(r"^  facts: \[([^,\]]+)", (root / "content/timeline.yaml").read_text(encoding="utf-8"), re.M)[1]
    own_topics = rf"(- id: {re.escape(cited)}\n(?:(?!- id: ).*\n)*?  topics: )\[[^\]]*\]"
    edit(root / "content/facts.yaml", lambda t: re.sub(own_topics, r"\g<1>[offensive, talks]", t, count=1))
    assert_as_cold(builder, root, tmp_path)
    page = next(p for p in (tmp_path / "inc").glob("timeline*.html") if f"#{cited}" in p.read_text(encoding="utf-8"))
    assert "offensive" in page.read_text(encoding="utf-8")


def test_a_pass_skipped_by_a_build_forgets_what_it_found(tmp_path):
    """What a pass over every fact found is kept for the next build only (kept_checks.py): while
    site.yaml is broken the declared topics are not checked, so a fact given an undeclared topic
    then is still reported once site.yaml is mended, though it is renewed by then."""
    root, builder = built_project(tmp_path, facts=40)
    site, facts = root / "site.yaml", root / "content/facts.yaml"
    good_site = site.read_text(encoding="utf-8")
    site.write_text(good_site.replace("title: ", "title: [unclosed ", 1), encoding="utf-8")
    edit(facts, lambda t: t.replace("  topics: [", "  topics: [undeclared-topic, ", 1))
    assert outcome(builder.build, root, tmp_path / "inc")[0] == "failed"
    site.write_text(good_site, encoding="utf-8")
    found = outcome(builder.build, root, tmp_path / "inc")
    assert found == outcome(pipeline.build, root, tmp_path / "cold")
    assert any("undeclared topic 'undeclared-topic'" in p for p in found[1])


def test_a_save_that_moves_nothing_lays_out_no_page_again(tmp_path, monkeypatch):
    """The pages are filled again from the last layout while every item's id and date are the same
    (paginate.KeptLayout); a new date, a new order or new limits lay them out afresh, as cold."""
    from explainer import paginate

    root = project(tmp_path, facts=60)
    builder = IncrementalBuilder()
    builder.build(root, tmp_path / "inc")
    laid = recorded(monkeypatch, paginate, "by_date")

    def laid_out_by_a_save() -> list[str]:
        laid.clear()
        incremental = outcome(builder.build, root, tmp_path / "inc")
        sections = list(laid)
        assert incremental == outcome(pipeline.build, root, tmp_path / "cold")
        return sections

    edit_claim(root, random.Random(1), 2)
    assert laid_out_by_a_save() == []
    timeline = root / "content/timeline.yaml"
    first = re.search(r'^- date: "([^"]*)"', timeline.read_text(encoding="utf-8"), re.M).group(1)
    edit(timeline, lambda t: t.replace(f'- date: "{first}"', '- date: "2026-01-02"', 1))  # now the last event
    assert "timeline" in laid_out_by_a_save()
    edit(root / "site.yaml", lambda t: t.replace("facts_per_page: 12", "facts_per_page: 7"))
    assert "facts" in laid_out_by_a_save()
    assert read_tree(tmp_path / "inc") == read_tree(tmp_path / "cold")


def test_the_numbers_of_unchanged_facts_are_not_read_again(tmp_path, monkeypatch):
    """A fact made from an entry that passed the numbers check last time passes unread (numbers.py)."""
    from explainer import numbers

    root, builder = built_project(tmp_path, facts=40)
    checked = recorded(monkeypatch, numbers, "_check_fact", lambda fact, problems: fact.id)
    repair = unquoted_number(root, random.Random(0), 1)
    failed = outcome(builder.build, root, tmp_path / "inc")
    assert failed == outcome(pipeline.build, root, tmp_path / "cold") and failed[0] == "failed"
    assert any("in none of its quotes" in p for p in failed[1])
    assert len(checked) == 1 + 40  # the cold build read every fact; the preview only the edited one
    checked.clear()
    repair()
    built = outcome(builder.build, root, tmp_path / "inc")
    assert built == outcome(pipeline.build, root, tmp_path / "cold") and built[0] == "built"
    # The repaired entry's text is the last good build's: its fact is that build's object, which passed
    # (entries.EntryMemo keeps what a failed build let go): read by the cold build only.
    assert len(checked) == 40


def test_a_fact_of_an_unchanged_entry_is_the_same_object_renewed(tmp_path):
    """The preview keeps each fact for its entry: the same object while the entry's text is the
    same, moved with it when lines come in above it, a new one when its text changes; what later
    stages set on it is worked out again. Once made, its entry lets go of the record it was made
    from (renewed.MADE stands in its place)."""
    root = project(tmp_path, facts=40)
    builder = IncrementalBuilder()
    first = builder.build(root, tmp_path / "inc").project.facts
    edit_claim(root, random.Random(0), 1)
    second = outcome(builder.build, root, tmp_path / "inc")
    assert second == outcome(pipeline.build, root, tmp_path / "cold")
    facts = builder.build(root, tmp_path / "inc").project.facts
    same = [a is b for a, b in zip(first, facts, strict=True)]
    assert same.count(False) == 1
    assert [f.number for f in facts] == list(range(1, 41)) and all(f.spot is None for f in facts)
    assert all(c.offset >= 0 for f in facts for c in f.citations)
    entries = builder.cache.files._entries[root / "content/facts.yaml"].entries
    assert all(entry.clean is MADE for entry in entries.values())
    was = [(f.where.line, [c.where.line for c in f.citations]) for f in facts]
    edit(root / "content/facts.yaml", lambda t: "# moved\n\n" + t)  # every entry two lines down
    assert outcome(builder.build, root, tmp_path / "inc") == outcome(pipeline.build, root, tmp_path / "cold")
    moved = builder.build(root, tmp_path / "inc").project.facts
    assert all(a is b for a, b in zip(facts, moved, strict=True))
    assert [(f.where.line, [c.where.line for c in f.citations]) for f in moved] == [
        (line + 2, [c + 2 for c in quotes]) for line, quotes in was]
    assert [(f.where.line, f.where.column) for f in moved] == [
        (f.where.line, f.where.column) for f in pipeline.build(root, tmp_path / "cold").project.facts]


@pytest.mark.parametrize("from_the_start", [False, True])
def test_a_fact_written_twice_is_reported_as_a_cold_build_reports_it(tmp_path, from_the_start):
    """The same text twice in facts.yaml is one entry: its second place gets a copy of the kept
    fact, placed where it is (its record may be let go already), so the taken id is reported at
    both places, as a cold build reports it, after lines move both; mended, the site is a cold build's."""
    root = project(tmp_path, facts=40)
    path = root / "content/facts.yaml"
    block = list(FACT_BLOCK.finditer(path.read_text(encoding="utf-8")))[10].group(0)
    builder = IncrementalBuilder()
    if from_the_start:
        edit(path, lambda t: t + block)
    builder.build(root, tmp_path / "inc") if not from_the_start else None
    steps = [lambda t: t, lambda t: "# a note\n\n" + t, lambda t: t.replace(block, "# moved\n" + block, 1)]
    if not from_the_start:
        steps.insert(0, lambda t: t + block)
    for change in steps:
        edit(path, change)
        found = outcome(builder.build, root, tmp_path / "inc")
        assert found == outcome(pipeline.build, root, tmp_path / "cold")
        assert found[0] == "failed" and sum("duplicate" in line or "is also" in line for line in found[1]) >= 1
    edit(path, lambda t: t.replace(block, "", 1))
    assert_as_cold(builder, root, tmp_path)


def test_a_fact_moved_past_others_is_listed_where_a_cold_build_lists_it(tmp_path):
    """A fact whose entry is cut and pasted elsewhere is a new object (renewed._twin): what the
    later stages keep by fact (each source's list of the facts citing it) lists it in its new
    place. The facts it did not pass keep their objects, moved."""
    root = project(tmp_path, facts=40)
    path = root / "content/facts.yaml"
    builder = IncrementalBuilder()
    first = builder.build(root, tmp_path / "inc").project.facts
    block = list(FACT_BLOCK.finditer(path.read_text(encoding="utf-8")))[10].group(0)
    edit(path, lambda t: t.replace(block, "", 1) + block)  # to the end
    assert_as_cold(builder, root, tmp_path)
    moved = builder.build(root, tmp_path / "inc").project.facts
    assert [f.id for f in moved if not any(f is g for g in first)] == [first[10].id]
    last = list(FACT_BLOCK.finditer(path.read_text(encoding="utf-8")))[-1].group(0)
    edit(path, lambda t: t.replace("- id: ", last + "- id: ", 1)[: -len(last)])  # the last to the top
    assert_as_cold(builder, root, tmp_path)


def test_an_event_of_an_unchanged_entry_is_the_same_object_renewed(tmp_path):
    """The preview keeps each event for its entry, as each fact (renewed.items): what later steps
    set on it is worked out again. An event without an id takes one from its title, with -2 when an
    event above has the same title: once that title changes, the kept event's id loses the -2."""
    root = project(tmp_path, facts=40)
    path = root / "content/timeline.yaml"
    titles = re.findall(r'^  title: "(.*)"$', path.read_text(encoding="utf-8"), re.M)
    edit(path, lambda t: t.replace(f'title: "{titles[0]}"', f'title: "{titles[1]}"'))  # the same as the next's
    builder = IncrementalBuilder()
    first = builder.build(root, tmp_path / "inc").project.events
    assert first[1].id == first[0].id + "-2"
    edit(path, lambda t: t.replace(f'title: "{titles[1]}"', f'title: "{titles[0]}"', 1))  # the first's again
    second = outcome(builder.build, root, tmp_path / "inc")
    assert second == outcome(pipeline.build, root, tmp_path / "cold") and second[0] == "built"
    events = builder.build(root, tmp_path / "inc").project.events
    assert [a is b for a, b in zip(first, events, strict=True)].count(False) == 1
    assert events[1] is first[1] and not events[1].id.endswith("-2")
    # The first event lists its first fact alone, then that fact's source says a date note the
    # event inherits (notes.py), then the note goes: the kept event follows.
    edit(path, lambda t: re.sub(r"^  facts: \[([^,\]]+).*$", r"  facts: [\1]", t, count=1, flags=re.M))
    builder.build(root, tmp_path / "inc")
    fact = re.search(r"^  facts: \[(.*)\]$", path.read_text(encoding="utf-8"), re.M).group(1)
    facts = (root / "content/facts.yaml").read_text(encoding="utf-8")
    source = re.search(rf"^- id: {fact}\n(?:(?!- id: ).*\n)*?    - source: (\S+)", facts, re.M).group(1)
    sources = root / "content/sources.yaml"
    before = sources.read_text(encoding="utf-8")
    sources.write_text(before.replace(f"- id: {source}\n", f'- id: {source}\n  facts_date_note: "As reported."\n'),
                       encoding="utf-8")
    noted = builder.build(root, tmp_path / "inc")
    assert noted.project.events[0].date_note_source is not None
    assert outcome(builder.build, root, tmp_path / "inc") == outcome(pipeline.build, root, tmp_path / "cold")
    sources.write_text(before, encoding="utf-8")
    assert builder.build(root, tmp_path / "inc").project.events[0].date_note_source is None
    assert outcome(builder.build, root, tmp_path / "inc") == outcome(pipeline.build, root, tmp_path / "cold")


@pytest.mark.parametrize("change", [edit_label, toggle_date_note, edit_archive])
def test_kept_facts_show_what_their_sources_say_now(tmp_path, change):
    """A kept fact (renewed.items) is renewed: its attribution chain, inherited date note and quotes
    in context follow its sources' labels, notes and archives, as a cold build's do."""
    root, builder = built_project(tmp_path, facts=40)
    for step in range(2):  # a date note added, then taken away again
        change(root, random.Random(step), step)
        incremental = outcome(builder.build, root, tmp_path / "inc")
        assert incremental == outcome(pipeline.build, root, tmp_path / "cold") and incremental[0] == "built"


def test_kept_export_lines_follow_facts_to_their_new_pages(tmp_path):
    """Two facts moved into a year that then needs a page per month: the year's other facts move to
    those pages with the same entries and numbers; their lines in facts.json and facts.csv give the
    new addresses."""
    from explainer.paginate import layout

    root = project(tmp_path, facts=40)
    builder = IncrementalBuilder()
    pages = layout(builder.build(root, tmp_path / "inc").project).facts.pages
    first, second = pages[0], pages[1]  # at 40 facts, a page per year of 9 to 11 facts
    for fact in second.items[: 13 - len(first.items)]:
        edit(root / "content/facts.yaml", lambda t, fid=fact.id: re.sub(
            rf"(- id: {re.escape(fid)}\n(?:(?!- id: ).*\n)*?  date: )\"[^\"]*\"", rf'\g<1>"{first.title}-06"', t))
    moved = outcome(builder.build, root, tmp_path / "inc")
    assert moved == outcome(pipeline.build, root, tmp_path / "cold") and moved[0] == "built"
    assert f"{first.name[:-5]}-06.html".encode() in moved[1][0]["facts.json"]


def test_markdown_stays_kept_over_rebuilds_that_reuse_all_of_it(tmp_path, monkeypatch):
    """A rebuild that took every text from the last build keeps them all for the next one too."""
    from explainer import render

    root, builder = built_project(tmp_path, facts=40)
    rendered: list[str] = []
    original = render.Renderer._markdown

    def markdown(self, text, inline=False):
        rendered.append(text)
        return original(self, text, inline)

    monkeypatch.setattr(render.Renderer, "_markdown", markdown)
    for step in range(3):
        edit_claim(root, random.Random(step), step)
        builder.build(root, tmp_path / "inc")
    assert rendered == []


LIST_EDITS = [edit_claim, move_fact, remove_fact, rename_fact, add_fact, edit_event, edit_source, edit_label,
              edit_archive, insert_lines_above]


@pytest.mark.parametrize("bits", [0, 1, 63])
def test_kept_export_chunks_match_cold_builds_whatever_their_size(tmp_path, monkeypatch, bits):
    """The exports' lines are kept in chunks (export_memo.ExportMemo.lines), cut after an item whose id's
    hash has the low bits clear: every item a chunk, about two, about 64. Facts added, removed,
    moved and renamed, events and sources edited: the same bytes as a cold build."""
    from explainer import export_memo

    monkeypatch.setattr(export_memo, "CHUNK_BITS", bits)
    root = project(tmp_path)
    random_edits(root, tmp_path, random.Random(bits), LIST_EDITS, 8, lambda builder: 0)


def test_a_one_fact_edit_encodes_only_that_facts_lines_again(tmp_path, monkeypatch):
    """With a chunk per item, a claim edited makes one line of facts.json and one row of facts.csv
    again, and no event's or source's line."""
    from explainer import export_memo, exports

    monkeypatch.setattr(export_memo, "CHUNK_BITS", 0)
    made: list[str] = []
    for name in ("fact_line", "event_json", "source_json"):
        original = getattr(exports, name)
        monkeypatch.setattr(exports, name, lambda item, *rest, _f=original, _n=name: made.append(_n) or _f(item, *rest))
    original_edtf = exports._edtf  # twice a row of facts.csv: `said` and `as_of`
    monkeypatch.setattr(exports, "_edtf", lambda date: made.append("row") or original_edtf(date))
    root, builder = built_project(tmp_path)
    made.clear()
    edit_claim(root, random.Random(4), 0)
    result = builder.build(root, tmp_path / "inc")
    assert made.count("fact_line") == 1 and made.count("event_json") == made.count("source_json") == 0
    assert made.count("row") == 2  # one row
    assert result.pages == pipeline.build(root, tmp_path / "cold").pages


def test_kept_entries_let_go_of_their_parsed_yaml_and_archives_are_held_once(tmp_path):
    """Memory at 50,000 facts: an entry checked clean keeps its record and positions, not its
    parsed YAML (the broken one keeps it, to be checked again); an archive read again is the
    string the last build held, not a second copy. The builds still match cold builds."""
    root = project(tmp_path, facts=40)
    builder = IncrementalBuilder()
    first = builder.build(root, tmp_path / "inc").project
    edit_claim(root, random.Random(0), 1)
    second = builder.build(root, tmp_path / "inc").project
    assert all(a.text is b.text for a, b in zip(first.sources, second.sources, strict=True))
    entries = builder.cache.files._entries[root / "content/facts.yaml"].entries
    assert len(entries) == 40 and all(e.value is None and e.clean is not None for e in entries.values())
    edit(root / "content/facts.yaml", lambda t: t.replace("  claim: ", "  colour: red\n  claim: ", 1))  # unknown
    assert outcome(builder.build, root, tmp_path / "inc") == outcome(pipeline.build, root, tmp_path / "cold")
    entries = builder.cache.files._entries[root / "content/facts.yaml"].entries
    broken = [e for e in entries.values() if e.clean is None]
    assert len(broken) == 1 and broken[0].value is not None
    edit(root / "content/facts.yaml", lambda t: t.replace("  colour: red\n", "", 1))
    assert outcome(builder.build, root, tmp_path / "inc") == outcome(pipeline.build, root, tmp_path / "cold")
