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


def test_a_project_at_a_new_path_compiles_no_template_and_names_its_own_files(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Compiled templates are kept by name and text, not by path: a copy of a project elsewhere (a fresh
    clone) compiles none of them again, and a template error there names its own file and line."""
    monkeypatch.setattr(page_tools, "_CODE", {})
    compiled: list[str] = []
    compile_ = jinja2.Environment.compile

    def spy(self: jinja2.Environment, source: str, name: str | None = None, filename: str | None = None,
            *args: object, **kwargs: object) -> object:
        compiled.append(str(filename))
        return compile_(self, source, name, filename, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", spy)
    broken = (REPO / "templates" / "_facts.html").read_text(encoding="utf-8").replace(
        "{{ fact.claim }}", "{{ fact.claim_typo }}")
    messages = []
    for folder in ("first", "second"):
        project = make_project(tmp_path / folder, MINIMAL)
        (project.root / "templates").mkdir(exist_ok=True)
        (project.root / "templates" / "_facts.html").write_text(broken, encoding="utf-8")
        with pytest.raises(pipeline.BuildError) as failed:
            pipeline.build(project.root, tmp_path / f"out-{folder}")
        messages.append([p.format() for p in failed.value.problems])
        if folder == "first":
            compiled.clear()
    assert compiled == []  # the second project's templates all came from the first's
    line = next(n for n, text in enumerate(broken.split("\n"), 1) if "claim_typo" in text)
    assert messages[0] == messages[1] and len(messages[1]) == 1
    assert messages[1][0].startswith(f"templates/_facts.html:{line}:1: error: template error: ")
