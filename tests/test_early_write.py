"""A cold build writes its pages while Pagefind still indexes (and, for a story in several languages,
while the other editions' child renders: test_editions_fork.py), and swaps the site in only at the end.

- the site is the same bytes whether its pages were written early or all at the end;
- a file written early and then changed, or dropped, is what the site finally holds;
- a build that fails after writing early leaves the previous site and no staging folder behind;
- a file given early twice, unchanged, is written once.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import MINIMAL, make_project, tree_hash

from explainer import pagefind, pipeline, write
from explainer.errors import BuildError

SPLIT = "pagination: {facts_per_page: 1, events_per_page: 1, sources_per_page: 1}\n"


def split_project(root: Path):
    site = MINIMAL["site.yaml"].rstrip(" ") + "        " + SPLIT.replace("\n", "\n        ").rstrip(" ")
    return make_project(root, {"site.yaml": site})


def staging(parent: Path) -> list[str]:
    return sorted(name for name in os.listdir(parent) if name.startswith(".output-"))


@pytest.fixture
def early_writes(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Pagefind counts as still indexing when the pages are done (a small story's index is often
    done by then), and each early write's file names are recorded."""
    monkeypatch.setattr(pagefind.Indexing, "running", lambda self: True)
    writes: list[list[str]] = []
    real = write.Staging.add

    def spy(self: write.Staging, pages: dict) -> None:
        writes.append(sorted(pages))
        real(self, pages)

    monkeypatch.setattr(write.Staging, "add", spy)
    return writes


def test_pages_written_early_make_the_same_site(tmp_path: Path, early_writes, monkeypatch) -> None:
    project = split_project(tmp_path / "site")
    pipeline.build(project.root, tmp_path / "early")
    assert len(early_writes) == 1
    written = early_writes[0]
    assert "facts-2025.html" in written and "facts.json" in written
    assert "index.html" not in written and "search.html" not in written  # they wait for the index
    monkeypatch.setattr(pagefind.Indexing, "running", lambda self: False)  # Pagefind done: nothing early
    pipeline.build(project.root, tmp_path / "late")
    assert len(early_writes) == 1
    assert (tmp_path / "early" / "pagefind" / "pagefind.js").is_file()
    assert tree_hash(tmp_path / "early") == tree_hash(tmp_path / "late")
    assert staging(tmp_path) == []


def test_a_file_changed_or_dropped_after_it_was_written_early(tmp_path: Path) -> None:
    output = tmp_path / "output"
    folder = write.start_site(output)
    write.write_early(folder, {"a.html": b"first", "deep/b.css": b"b", "gone.txt": b"x"}, output)
    write.write_site({"a.html": b"second", "deep/b.css": b"b", "c.html": b"c"}, output, staging=folder)
    found = {p.relative_to(output).as_posix(): p.read_bytes() for p in output.rglob("*") if p.is_file()}
    assert found == {"a.html": b"second", "deep/b.css": b"b", "c.html": b"c", write.MARKER: write.MARKER_TEXT}
    assert staging(tmp_path) == []


def test_a_build_failing_after_its_early_write_keeps_the_previous_site(tmp_path: Path, early_writes) -> None:
    project = split_project(tmp_path / "site")
    output = tmp_path / "out"
    pipeline.build(project.root, output)
    before = tree_hash(output)
    # A link the link check refuses: found after the pages (and the early write), before the swap.
    project.edit("templates/_facts.html", '<ol class="facts" role="list">',
                 '<ol class="facts" role="list"><a href="nowhere.html">x</a>')
    with pytest.raises(BuildError) as failed:
        pipeline.build(project.root, output)
    assert "links to 'nowhere.html'" in str(failed.value.problems[0].message)
    assert len(early_writes) == 2  # the failing build had written its pages early
    assert tree_hash(output) == before
    assert staging(tmp_path) == []


def test_a_file_given_early_twice_is_written_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A story with search and other editions writes early twice (while Pagefind indexes, then while
    the editions' child renders): the files the second write gives again are not written again."""
    output = tmp_path / "output"
    page, changed = b"page", b"second"
    written: list[str] = []
    real = write._write_file
    monkeypatch.setattr(write, "_write_file", lambda path, data: (written.append(path.name), real(path, data)))
    folder = write.start_site(output)
    write.write_early(folder, {"a.html": page, "b.html": b"first"}, output)
    write.write_early(folder, {"a.html": page, "b.html": changed}, output)
    write.write_site({"a.html": page, "b.html": changed}, output, staging=folder)
    assert written == ["a.html", "b.html", "b.html", write.MARKER]
    assert (output / "b.html").read_bytes() == b"second"
