"""The preview's other editions (editions.py, BuildCache.editions): memoised on their own, and the same
bytes as a cold build; a story on one page keeps an edition whole while nothing it shows changed.
"""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

import pytest
from _incremental import (
    EDITS,
    REPO,
    UK_EDITS,
    assert_as_cold,
    edit,
    outcome,
    random_edits,
    read_tree,
    translate_claim,
    two_language_project,
)

from explainer import pipeline
from explainer.incremental import IncrementalBuilder


@pytest.mark.parametrize("seed", [1, 2])
def test_an_edition_rebuilt_from_its_memo_matches_a_cold_build(tmp_path, seed):
    """Each other edition keeps its own pages (BuildCache.editions): the same bytes after any edits."""
    root = two_language_project(tmp_path)
    reused = random_edits(root, tmp_path, random.Random(seed), UK_EDITS + EDITS, 10,
                          lambda builder: builder.cache.editions["uk"].reused)
    assert reused > 0


def test_an_edition_renders_again_only_the_pages_an_edit_changes(tmp_path):
    """No edit: no Ukrainian list page is rendered again; a translated claim: its page; the catalog: all."""
    root = two_language_project(tmp_path)
    builder = IncrementalBuilder()
    builder.build(root, tmp_path / "inc")
    memo = builder.cache.editions["uk"]
    builder.build(root, tmp_path / "inc")
    kept = memo.reused
    assert kept > 1 and kept == len([name for name in memo._pages.last if not name.startswith("embed/")])
    translate_claim(root, random.Random(3), 1)
    builder.build(root, tmp_path / "inc")
    assert memo.reused == kept - 1
    edit(root / "locales/uk.po", lambda t: t.replace('msgstr "факт"', 'msgstr "факт№"'))
    result = builder.build(root, tmp_path / "inc")
    assert memo.reused == 0  # the catalog's words are on every page
    assert builder.cache.render.reused == kept  # the English pages read no Ukrainian word
    assert result.pages == pipeline.build(root, tmp_path / "cold").pages


def one_page_two_languages(tmp_path: Path) -> Path:
    """The small two-language fixture, on one page, with its own catalog: each edition's files kept whole."""
    from _languages_fixture import FILES
    from conftest import make_project

    root = make_project(tmp_path / "site", FILES).root
    (root / "locales").mkdir(exist_ok=True)
    shutil.copy(REPO / "locales" / "uk.po", root / "locales" / "uk.po")
    return root


# (edit, whether the Ukrainian edition shows it, file, old text, new text): an edition of a story on one
# page is kept whole while nothing it shows changed (fingerprints.edition_key); each step is checked
# against a cold build. A file of the theme is first copied into the project.
ONE_PAGE_EDITS = [
    ("nothing", False, None, "", ""),
    ("the original claim of a translated fact", False, "content/facts.yaml", "claim: SBU", "claim: The SBU"),
    ("an original summary (the edition has its own)", False, "content/summaries/01-intro.md", "were", "were all"),
    ("the claim of an untranslated fact", True, "content/facts.yaml", "Swaps exchanged", "Swaps traded"),
    ("a translated claim", True, "content/facts.yaml", "claim: Командос СБУ", "claim: Бійці СБУ"),
    ("the original attribution (the chain is decided on it)", True, "content/facts.yaml",
     "attribution: the SBU", "attribution: the Test Gazette"),
    ("a source's original label", True, "content/sources.yaml", "label: the Test", "label: the"),
    ("the translated summary", True, "content/summaries/uk/01-intro.md", "невеликими", "малими"),
    ("a word of the catalog", True, "locales/uk.po", 'msgstr "факт"', 'msgstr "факт№"'),
    ("a template", True, "templates/_facts.html", '<ol class="facts"', '<ol data-x class="facts"'),
    ("the stylesheet", True, "static/style.css", "body {", ".x { color: red; }\nbody {"),
    ("nothing, after all that", False, None, "", ""),
]


def test_an_edition_on_one_page_is_kept_whole_while_nothing_it_shows_changed(tmp_path):
    root = one_page_two_languages(tmp_path)
    builder = IncrementalBuilder()
    assert outcome(builder.build, root, tmp_path / "inc") == outcome(pipeline.build, root, tmp_path / "cold")
    memo = builder.cache.editions["uk"]
    for name, shown, path, old, new in ONE_PAGE_EDITS:
        before = memo.edition_reused
        if path is not None:
            if not (root / path).exists():
                (root / path).parent.mkdir(exist_ok=True)
                shutil.copy(REPO / path, root / path)
            text = (root / path).read_text(encoding="utf-8")
            assert old in text, name
            (root / path).write_text(text.replace(old, new, 1), encoding="utf-8")
        incremental = outcome(builder.build, root, tmp_path / "inc")
        assert incremental[0] == "built", name
        assert incremental == outcome(pipeline.build, root, tmp_path / "cold"), name
        assert read_tree(tmp_path / "inc") == read_tree(tmp_path / "cold"), name
        assert memo.edition_reused == before + (not shown), name


def test_an_edition_with_a_translated_label_follows_the_original_label(tmp_path):
    """The first source's label is translated; its original label still decides whether the source
    reports in its own voice (translated.chain). Made the first fact's claimant, the chain of that
    fact's Ukrainian page changes though the edition's own source does not: as in a cold build."""
    root = two_language_project(tmp_path)
    sources, facts = root / "content/sources.yaml", root / "content/facts.yaml"
    edit(sources, lambda t: re.sub(r'^(  label: "[^"]*"\n)', r'\g<1>  translations: {uk: {label: "Джерело"}}\n',
                                   t, count=1, flags=re.M))
    claimant = re.search(r'^  attribution: "([^"]*)"', facts.read_text(encoding="utf-8"), re.M).group(1)
    builder = IncrementalBuilder()
    before = builder.build(root, tmp_path / "inc")
    edit(sources, lambda t: re.sub(r'^  label: "[^"]*"\n', f'  label: "{claimant}"\n', t, count=1, flags=re.M))
    after = builder.build(root, tmp_path / "inc")
    assert after.pages == pipeline.build(root, tmp_path / "cold").pages
    assert read_tree(tmp_path / "inc") == read_tree(tmp_path / "cold")
    changed = [name for name in before.pages if name.startswith("uk/facts-") and name.endswith(".html")
               and bytes(before.pages[name]) != bytes(after.pages[name])]
    assert changed and all("Джерело".encode() in bytes(before.pages[name]) for name in changed)


def test_an_edition_split_into_pages_is_not_kept_whole(tmp_path):
    """A split story's edition keeps its list pages one by one (and has search): no key is worked out."""
    root = two_language_project(tmp_path, facts=40)
    builder = IncrementalBuilder()
    builder.build(root, tmp_path / "inc")
    builder.build(root, tmp_path / "inc")
    memo = builder.cache.editions["uk"]
    assert memo.edition is None and memo.edition_reused == 0 and memo.reused > 0


def test_the_links_of_an_edition_kept_whole_are_not_read_again(tmp_path, monkeypatch):
    """The link check reads a page's links once per bytes object: another edition's kept files are not
    read again, and a link in them that a removed page breaks is still reported (unmet_links runs)."""
    from explainer import assets

    root = one_page_two_languages(tmp_path)
    builder = IncrementalBuilder()
    builder.build(root, tmp_path / "inc")
    read: list[str] = []
    page_links = assets.page_links
    monkeypatch.setattr(assets, "page_links", lambda page, data: read.append(page) or page_links(page, data))
    edit(root / "content/facts.yaml", lambda t: t.replace("claim: SBU", "claim: The SBU"))
    builder.build(root, tmp_path / "inc")
    assert read and not [page for page in read if page.startswith("uk/")]
    assert "index.html" in read  # rendered again: its new bytes are read


def test_a_broken_build_keeps_no_edition_and_the_repair_matches_a_cold_build(tmp_path):
    root = one_page_two_languages(tmp_path)
    builder = IncrementalBuilder()
    builder.build(root, tmp_path / "inc")
    good = (root / "content/facts.yaml").read_text(encoding="utf-8")
    (root / "content/facts.yaml").write_text(good.replace("claim: Swaps exchanged", "claim: 7 swaps exchanged"),
                                             encoding="utf-8")  # a number no quote holds: a content error
    assert outcome(builder.build, root, tmp_path / "inc") == outcome(pipeline.build, root, tmp_path / "cold")
    (root / "content/facts.yaml").write_text(good, encoding="utf-8")
    assert_as_cold(builder, root, tmp_path)
