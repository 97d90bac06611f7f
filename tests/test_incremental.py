"""Incremental rebuilds (explainer/incremental.py) give the same bytes as a cold build, whatever the edits.

A generated project with small pages (many list pages) is edited at random, a step at a time, with
a fixed seed per run: claims, dates, titles, summaries, templates, the stylesheet and site.yaml
change; facts are added, removed (with every reference to them) and renamed; a file is broken and
later repaired. After every step the incremental builder and a cold build must agree: the same
pages byte for byte and the same warnings, or the same problems when the content is wrong.
"""

from __future__ import annotations

import gc
import random
import re
import shutil
import tempfile
import weakref
from pathlib import Path

import pytest
import yaml
from _incremental import (
    EDITS,
    STEP_WORDS,
    UK_EDITS,
    add_fact_on_a_blank_line,
    assert_as_cold,
    break_file,
    built_project,
    cite_another_source,
    edit,
    edit_claim,
    fact_ids,
    outcome,
    project,
    quoted_fact,
    random_edits,
    read_tree,
    remove_fact,
    tamper,
    two_language_project,
)
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from explainer import pipeline
from explainer.errors import BuildError
from explainer.incremental import IncrementalBuilder
from explainer.verify import archive_sha256


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_incremental_builds_match_cold_builds_after_random_edits(tmp_path, seed):
    root = project(tmp_path)
    reused = random_edits(root, tmp_path, random.Random(seed), EDITS, 12,
                          lambda builder: builder.cache.render.reused, tampered=True)
    assert reused > 0  # the memo was used, so the comparison tested something


@pytest.mark.parametrize("seed", [4, 8])  # 8 rewrites an export in place: not read back
def test_exports_read_back_from_their_files_match_cold_builds_after_random_edits(tmp_path, seed, monkeypatch):
    """Every export counts as large, so the preview reads its unchanged chunks back from the files it
    wrote (held.py), with the output changed behind its back now and then (an export rewritten in
    place, removed, or the whole folder)."""
    from explainer import exports

    monkeypatch.setattr(exports, "IN_PIECES_AT", 100)
    root = project(tmp_path)
    reused = random_edits(root, tmp_path, random.Random(seed), EDITS, 12,
                          lambda builder: builder.cache.render.reused, tampered=True)
    assert reused > 0


def test_the_previews_large_files_written_after_its_build_make_a_cold_builds_folder(tmp_path, monkeypatch):
    """`serve`'s builder leaves its large changed files (the exports) for write_later, called once the
    browsers were told to reload: until then they are the last build's, and then the folder is a cold
    build's, after any edit."""
    from explainer import write_changes

    monkeypatch.setattr(write_changes, "WRITE_BESIDE_AT", 4096)  # the exports of 120 facts count as large
    root = project(tmp_path)
    builder = IncrementalBuilder(write_large_later=True)
    builder.build(root, tmp_path / "inc")
    rng = random.Random(5)
    left = set()
    for step, change in enumerate([edit_claim, remove_fact, add_fact_on_a_blank_line, cite_another_source]):
        change(root, rng, step)
        before = read_tree(tmp_path / "inc")
        result = builder.build(root, tmp_path / "inc")
        left.update(result.later)
        now = read_tree(tmp_path / "inc")
        assert all(now.get(name) == before.get(name) for name in result.later), "not yet written (or made)"
        builder.write_later()
        outcome(pipeline.build, root, tmp_path / "cold")
        assert read_tree(tmp_path / "inc") == read_tree(tmp_path / "cold"), f"step {step}: {change.__name__}"
    assert {"facts.json", "facts.csv"} <= left


def test_one_fact_edit_renders_one_list_page_again(tmp_path):
    root = project(tmp_path)
    builder = IncrementalBuilder()
    first = builder.build(root, tmp_path / "inc")
    list_pages = [name for name in first.pages if name.startswith(("facts-", "timeline-", "sources"))
                  and name.endswith(".html")]
    edit_claim(root, random.Random(0), 1)
    second = builder.build(root, tmp_path / "inc")
    assert builder.cache.render.reused == len(list_pages) - 1
    changed = [name for name in list_pages if first.pages[name] != second.pages[name]]
    assert len(changed) == 1 and changed[0].startswith("facts-")


def test_a_fact_added_without_moving_the_lines_below_renumbers_their_pages(tmp_path, monkeypatch):
    """The facts below keep their entries and objects (validate.py renews them), not their numbers:
    their pages' fingerprints are kept by the fact objects and their numbers (fingerprints.own_inputs),
    and so are their export lines (a chunk per fact here, so no chunk of them is made again anyway)."""
    from explainer import export_memo

    monkeypatch.setattr(export_memo, "CHUNK_BITS", 0)
    root, builder = built_project(tmp_path)
    add_fact_on_a_blank_line(root, random.Random(3), 1)
    assert_as_cold(builder, root, tmp_path)


def test_a_source_cited_by_one_more_fact_renders_its_page_again(tmp_path):
    """No fact moves, and the source's entry is the same: its page is fingerprinted by its citing facts too."""
    root, builder = built_project(tmp_path)
    cite_another_source(root, random.Random(5), 1)
    assert_as_cold(builder, root, tmp_path)


def test_a_template_edit_renders_every_page_again(tmp_path):
    root, builder = built_project(tmp_path, facts=40)
    edit(root / "templates" / "_facts.html", lambda t: t.replace("<ol class=\"facts\"", "<ol data-x class=\"facts\""))
    result = builder.build(root, tmp_path / "inc")
    assert builder.cache.render.reused == 0
    assert all(b"<ol data-x" in bytes(data) for name, data in result.pages.items() if name.startswith("facts-"))


def embed_pages(result: pipeline.BuildResult) -> dict[str, object]:
    return {name: data for name, data in result.pages.items() if name.startswith("embed/")}


def test_embeds_are_rendered_again_only_when_what_they_show_changes(tmp_path):
    """A claim no embed shows keeps every embed (the very page of the last build); a compared fact's
    claim renders its comparison's embed again, with the new claim, and no other; an event's title
    the timeline's. Each time the site is the cold build's."""
    root = project(tmp_path)
    ids = fact_ids(root)
    another = (f'\n- id: another\n  kind: change\n  title: "Another"\n  text: "Compared.[[{ids[1]}]]"\n'
               f'  facts: [{ids[1]}, {ids[2]}]\n')
    edit(root / "content/comparisons.yaml", lambda t: t + another)
    builder = IncrementalBuilder()
    first = embed_pages(builder.build(root, tmp_path / "inc"))
    comparisons = yaml.safe_load((root / "content/comparisons.yaml").read_text(encoding="utf-8"))
    assert len(first) == len(comparisons) + 1 and len(comparisons) > 1
    compared = comparisons[0]["facts"][0]
    elsewhere = next(fid for fid in fact_ids(root) if all(fid not in c["facts"] for c in comparisons))

    def claim(fid: str, new: str) -> None:
        edit(root / "content/facts.yaml",
             lambda t: t.replace(f"- id: {fid}\n  claim: \"", f"- id: {fid}\n  claim: \"{new} "))

    claim(elsewhere, "Edited alpha:")
    second = embed_pages(builder.build(root, tmp_path / "inc"))
    assert all(second[name] is first[name] for name in first)
    assert_as_cold(builder, root, tmp_path)

    claim(compared, "Edited beta:")
    third = embed_pages(builder.build(root, tmp_path / "inc"))
    again = [name for name in first if third[name] is not second[name]]
    assert again == [f"embed/comparison-{comparisons[0]['id']}.html"]
    assert b"Edited beta:" in bytes(third[again[0]])
    assert_as_cold(builder, root, tmp_path)

    edit(root / "content/timeline.yaml", lambda t: t.replace('title: "', 'title: "Event gamma ', ))
    fourth = embed_pages(builder.build(root, tmp_path / "inc"))
    assert [name for name in first if fourth[name] is not third[name]] == ["embed/timeline.html"]
    assert b"Event gamma" in bytes(fourth["embed/timeline.html"])
    assert_as_cold(builder, root, tmp_path)


def test_an_embed_template_that_reads_more_is_rendered_every_time(tmp_path):
    """A theme's embed that reads a name its fingerprint does not cover (here the summaries) is not
    kept: a new summary shows in it at once, as in a cold build."""
    root = project(tmp_path, facts=40)
    edit(root / "templates/embed_comparison.html",
         lambda t: t.replace("{% block main %}", "{% block main %}<p>{{ summaries | length }} summaries</p>", 1))
    builder = IncrementalBuilder()
    first = embed_pages(builder.build(root, tmp_path / "inc"))
    count = len(list(root.glob("content/summaries/*.md")))
    more = f"---\ntitle: More\norder: 99\n---\nMore.[[{fact_ids(root)[0]}]]\n"
    (root / "content/summaries/99-more.md").write_text(more, encoding="utf-8")
    second = embed_pages(builder.build(root, tmp_path / "inc"))
    assert not any(second[name] is first[name] for name in first)
    assert all(f"<p>{count + 1} summaries</p>".encode() in bytes(data)
               for name, data in second.items() if "comparison-" in name)
    assert_as_cold(builder, root, tmp_path)


def test_a_changed_archive_renders_the_quotes_in_context_again(tmp_path):
    """Words added after a quote in its source's archived text: the quote's offset is the same,
    but the fact's page shows the new words in its quote in context (Renderer.in_context)."""
    root = project(tmp_path, facts=40)
    builder = IncrementalBuilder()
    _fact, citation, archive = quoted_fact(builder.build(root, tmp_path / "inc"))
    text = archive.read_text(encoding="utf-8")
    archive.write_text(text.replace(citation.quote, citation.quote + " zanzibarred", 1), encoding="utf-8")
    edit(root / "content/sources.yaml", lambda t: t.replace(archive_sha256(text),
                                                            archive_sha256(archive.read_text(encoding="utf-8"))))
    second = builder.build(root, tmp_path / "inc")
    assert second.pages == pipeline.build(root, tmp_path / "cold").pages
    shown = [name for name, data in second.pages.items() if name.startswith("facts-") and b"zanzibarred" in bytes(data)]
    assert shown, "the fact's page shows the archive's new words in context"


def test_list_pages_that_read_other_variables_are_rendered_every_time(tmp_path):
    """A theme whose fact list shows something the page fingerprint does not cover stays correct."""
    root = project(tmp_path, facts=40)
    edit(root / "templates" / "_facts.html", lambda t: t.replace('<ol class="facts"',
                                                                 '<p>{{ comparisons | length }}</p><ol class="facts"'))
    builder = IncrementalBuilder()
    builder.build(root, tmp_path / "inc")
    edit_claim(root, random.Random(0), 1)
    result = builder.build(root, tmp_path / "inc")
    assert builder.cache.render.reused == 0
    assert result.pages == pipeline.build(root, tmp_path / "cold").pages


@pytest.mark.parametrize("incremental", [False, True])
def test_a_finished_build_is_freed_by_reference_counting(tmp_path, incremental):
    """The collector is paused during a build and freezes what is left: nothing may hold the build in a cycle.

    (Compiled templates keep their filters in reference cycles; the filters once were the renderer's
    own methods, so every build of a long-running preview stayed in memory.) The preview keeps each
    fact for its entry (renewed.items), so there the project and a source are watched instead.
    """
    root = project(tmp_path, facts=40)
    build = IncrementalBuilder().build if incremental else pipeline.build
    for _ in range(2):
        result = build(root, tmp_path / "out")
        kept = [weakref.ref(result.project), weakref.ref(result.project.sources[0])]
        if not incremental:
            kept.append(weakref.ref(result.project.facts[0]))
        del result
        assert [ref() for ref in kept] == [None] * len(kept)


def test_the_objects_of_a_changed_entry_are_freed_by_reference_counting(tmp_path):
    """An entry keeps the fact or event made from it (renewed.items), and nothing it holds may
    hold the entry in turn: once the entry's text changes, the old objects go without the collector."""
    root = project(tmp_path, facts=40)
    builder = IncrementalBuilder()
    first = builder.build(root, tmp_path / "inc").project
    builder.build(root, tmp_path / "inc")  # the objects are kept from here on
    kept = [weakref.ref(first.facts[0]), weakref.ref(first.events[0])]
    first_id = first.facts[0].id
    del first
    edit(root / "content/facts.yaml", lambda t: re.sub(
        rf"(- id: {re.escape(first_id)}\n  claim: \")", r"\g<1>Edited: ", t))
    edit(root / "content/timeline.yaml", lambda t: t.replace('title: "', 'title: "Edited ', 1))
    gc.disable()
    try:
        builder.build(root, tmp_path / "inc")
        assert [ref() for ref in kept] == [None, None]
    finally:
        gc.enable()


def test_a_build_that_fails_with_a_bug_starts_the_next_one_afresh(tmp_path, monkeypatch):
    """Content problems keep the cache (what was kept is still good); anything else drops it."""
    root, builder = built_project(tmp_path, facts=40)
    kept = builder.cache
    repair = break_file(root, random.Random(0), 1)
    with pytest.raises(BuildError):
        builder.build(root, tmp_path / "inc")
    assert builder.cache is kept
    repair()

    def fails(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(pipeline, "write_site", fails)
    with pytest.raises(OSError):
        builder.build(root, tmp_path / "inc")
    assert builder.cache is not kept


class IncrementalEdits(RuleBasedStateMachine):
    """Hypothesis chooses the edits (and when to repair a broken file); after each, both builds agree."""

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="incremental-"))
        self.root = project(self.folder, facts=40)
        self.builder = IncrementalBuilder()
        self.repairs: list = []
        self.steps = 0

    @rule(change=st.sampled_from(EDITS), seed=st.integers(0, 2**16))
    def change(self, change, seed: int) -> None:
        self.steps += 1
        repair = change(self.root, random.Random(seed), self.steps % len(STEP_WORDS))
        if repair:
            self.repairs.append(repair)

    @precondition(lambda self: self.repairs)
    @rule()
    def repair(self) -> None:
        self.repairs.pop()()

    @precondition(lambda self: (self.folder / "inc").is_dir())
    @rule(seed=st.integers(0, 2**16))
    def tamper_with_the_output(self, seed: int) -> None:
        """The preview writes only what changed (write_changes.py): what others did to the folder is put right."""
        tamper(self.folder / "inc", random.Random(seed))

    @invariant()
    def same_as_a_cold_build(self) -> None:
        incremental = outcome(self.builder.build, self.root, self.folder / "inc")
        assert incremental == outcome(pipeline.build, self.root, self.folder / "cold")
        if incremental[0] == "built":
            assert read_tree(self.folder / "inc") == read_tree(self.folder / "cold")

    def teardown(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


IncrementalEdits.TestCase.settings = settings(max_examples=3, stateful_step_count=6, deadline=None,
                                              suppress_health_check=list(HealthCheck))


test_incremental_edits_in_any_order = IncrementalEdits.TestCase


class IncrementalEditsTwoLanguages(IncrementalEdits):
    """The same, with a Ukrainian edition: its translations, translated summary and catalog change too."""

    def __init__(self) -> None:
        super().__init__()
        shutil.rmtree(self.folder / "project")
        self.root = two_language_project(self.folder, facts=40)

    @rule(change=st.sampled_from(UK_EDITS), seed=st.integers(0, 2**16))
    def translate(self, change, seed: int) -> None:
        self.steps += 1
        change(self.root, random.Random(seed), self.steps % len(STEP_WORDS))


IncrementalEditsTwoLanguages.TestCase.settings = settings(max_examples=3, stateful_step_count=6, deadline=None,
                                                          suppress_health_check=list(HealthCheck))


test_incremental_edits_in_two_languages = IncrementalEditsTwoLanguages.TestCase
