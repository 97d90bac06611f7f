"""Compiled templates kept in the process (page_tools._KeptBytecodeCache): read from Jinja's folder once,
compiled again when their text changes."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest
from conftest import MINIMAL, REPO, make_project

from explainer import page_tools, pipeline


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The templates read from the cache folder (or found missing there), by key."""
    monkeypatch.setattr(page_tools, "_CODE", {})
    seen: list[str] = []
    load = jinja2.FileSystemBytecodeCache.load_bytecode

    def spy(self: jinja2.FileSystemBytecodeCache, bucket: jinja2.bccache.Bucket) -> None:
        seen.append(bucket.key)
        load(self, bucket)

    monkeypatch.setattr(jinja2.FileSystemBytecodeCache, "load_bytecode", spy)
    return seen


def test_a_second_build_reads_no_compiled_template_from_the_folder(tmp_path: Path, reads: list[str]) -> None:
    project = make_project(tmp_path / "site", MINIMAL)
    first = pipeline.build(project.root, tmp_path / "one").pages
    assert reads  # the first build of this process reads them
    reads.clear()
    assert pipeline.build(project.root, tmp_path / "two").pages == first
    assert reads == []


def test_an_edited_template_is_compiled_again(tmp_path: Path, reads: list[str]) -> None:
    project = make_project(tmp_path / "site", MINIMAL)
    pipeline.build(project.root, tmp_path / "one")
    facts = project.root / "templates" / "_facts.html"
    facts.parent.mkdir(exist_ok=True)
    facts.write_text((REPO / "templates" / "_facts.html").read_text(encoding="utf-8")
                     .replace('<ol class="facts"', '<ol data-edited class="facts"'), encoding="utf-8")
    pages = pipeline.build(project.root, tmp_path / "two").pages
    assert b'<ol data-edited class="facts"' in pages["index.html"]
    assert b'<ol data-edited class="facts"' in pages["explainer-en.html"]
