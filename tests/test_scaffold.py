"""`python build.py new source|fact|event|summary`: appends a template, keeps the file, says where."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
import yaml
from conftest import Project, make_project

OUT = re.compile(r"^(?P<path>\S+):(?P<line>\d+): added (?P<kind>\w+) '(?P<id>[a-z0-9-]+)'", re.MULTILINE)


def run_new(project: Project, kind: str) -> re.Match[str]:
    result = project.run("new", kind)
    assert result.returncode == 0, result.stderr
    match = OUT.search(result.stdout)
    assert match, result.stdout
    return match


def line_of(project: Project, match: re.Match[str]) -> str:
    lines = (project.root / match["path"]).read_text(encoding="utf-8").splitlines()
    return lines[int(match["line"]) - 1]


def errors(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if ": error: " in line]


@pytest.mark.parametrize(("kind", "rel"), [("fact", "content/facts.yaml"), ("event", "content/timeline.yaml"),
                                           ("source", "content/sources.yaml")])
def test_new_appends_a_template_and_keeps_the_file(project: Project, kind: str, rel: str) -> None:
    path = project.root / rel
    before = "# The editor's own comment, kept as written.\n" + path.read_text(encoding="utf-8")
    path.write_text(before, encoding="utf-8")

    made = run_new(project, kind)

    after = path.read_text(encoding="utf-8")
    assert after.startswith(before)  # appended as text: comments, order and quoting untouched
    assert made["path"] == rel and made["kind"] == kind and made["id"] == f"new-{kind}-1"
    assert line_of(project, made).startswith(f"- id: new-{kind}-1")  # path:line points at the entry
    items = yaml.safe_load(after)
    assert items[-1]["id"] == f"new-{kind}-1"  # still a valid YAML list, the new item last
    assert len(items) == len(yaml.safe_load(before)) + 1


def test_ids_are_fresh_and_unique(project: Project) -> None:
    ids = [run_new(project, "fact")["id"] for _ in range(3)]
    assert ids == ["new-fact-1", "new-fact-2", "new-fact-3"]
    facts = yaml.safe_load((project.root / "content/facts.yaml").read_text(encoding="utf-8"))
    assert [f["id"] for f in facts][-3:] == ids


def test_a_new_fact_fails_the_build_until_filled_in(project: Project) -> None:
    made = run_new(project, "fact")
    start = int(made["line"])

    result = project.run("build")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert not project.output.exists()  # nothing half-done is published
    todo = [e for e in errors(result) if "is still a TODO placeholder" in e]
    fields = {re.search(r"'(\w+)' is still", e)[1] for e in todo}
    assert fields == {"claim", "attribution", "quote", "date"}  # the placeholder date too: never published
    assert all(start < int(e.split(":")[1]) <= start + 13 for e in todo)  # each points into the new entry

    # Filling in the claim and attribution but not the quote: the quote check says what is missing.
    project.edit("content/facts.yaml", '"TODO: one neutral sentence"', "Swaps were small.")
    project.edit("content/facts.yaml", "\"TODO: who makes the claim, e.g. Ukraine's General Staff\"", "the article")
    project.edit("content/facts.yaml", 'date: "TODO: YYYY, YYYY-MM or YYYY-MM-DD"', "date: 2024")
    project.edit("content/facts.yaml", '"TODO: copy the exact words from the source\'s archived text"',
                 '"swaps might range from 50 to 95"')
    result = project.run("build")
    assert result.returncode == 1
    assert any("the quote for fact 'new-fact-1' is not in source 'article-a'" in e for e in errors(result))
    assert "closest passage is" in result.stderr

    project.edit("content/facts.yaml", '"swaps might range from 50 to 95"', '"could range from 50 to 95"')
    result = project.run("build")
    assert result.returncode == 0, result.stderr
    assert "fact 'new-fact-1' is not cited anywhere" in result.stderr  # a warning: cite it somewhere


def test_a_new_event_needs_its_facts(project: Project) -> None:
    run_new(project, "event")
    project.edit("content/timeline.yaml", '"TODO: short title"', "Swaps")
    project.edit("content/timeline.yaml", '"TODO: one or two sentences; inline Markdown allowed"', "Swaps happen.")
    project.edit("content/timeline.yaml", 'date: "TODO: YYYY, YYYY-MM or YYYY-MM-DD"', "date: 2024")
    result = project.run("build")
    assert result.returncode == 1
    assert errors(result) == ["content/timeline.yaml:16:11: error: 'todo-fact-id' is a placeholder, not a fact id"]
    assert "hint: replace it with the id of a fact in content/facts.yaml" in result.stderr
    project.edit("content/timeline.yaml", "facts: [todo-fact-id]", "facts: [swap-sizes]")
    assert project.run("build").returncode == 0


def test_a_new_source_needs_its_archive(project: Project) -> None:
    made = run_new(project, "source")
    project.edit("content/sources.yaml", '"TODO: the source\'s headline, as published"', "Article B")
    result = project.run("check")
    assert result.returncode == 1
    assert "'label' is still a TODO placeholder" in result.stderr
    text = (project.root / "content" / "sources.yaml").read_text(encoding="utf-8")
    project.edit("content/sources.yaml", text[text.index('label: "TODO'):].split("\n")[0], "label: Article B")
    result = project.run("check")
    assert result.returncode == 1
    assert any(f"archive '{made['id']}.txt' does not exist in seeds/" in e for e in errors(result)), result.stderr
    (project.root / "seeds" / f"{made['id']}.txt").write_text("Some archived text.\n", encoding="utf-8")
    result = project.run("check")
    assert result.returncode == 1
    assert f"source '{made['id']}' records no sha256 of its archive ({made['id']}.txt)" in result.stderr
    digest = hashlib.sha256(b"Some archived text.\n").hexdigest()
    assert f"hint: add 'sha256: {digest}'" in result.stderr  # the hash to paste
    project.edit("content/sources.yaml", "sha256: null", f"sha256: {digest}")
    result = project.run("check")
    assert result.returncode == 0, result.stderr
    assert f"source '{made['id']}' is not cited by any fact" in result.stderr


def test_new_summary_takes_the_next_order(project: Project) -> None:
    project.write("content/summaries/05-later.md", "---\ntitle: Later\norder: 5\n---\nText.[[sbu-102]]\n")
    made = run_new(project, "summary")
    assert made["path"] == "content/summaries/06-new-section.md" and made["line"] == "2"
    text = (project.root / made["path"]).read_text(encoding="utf-8")
    assert "\norder: 6\n" in text
    assert run_new(project, "summary")["path"] == "content/summaries/07-new-section.md"

    result = project.run("check")
    assert result.returncode == 1
    assert "content/summaries/06-new-section.md:2:8: error: 'title' is still a TODO placeholder" in result.stderr
    assert ("content/summaries/06-new-section.md:5:1: error: the summary still has its TODO placeholder text\n"
            "    hint: replace it with the section's own paragraphs") in result.stderr
    assert "todo-fact-id" not in result.stderr  # the placeholder paragraph is one mistake, reported once


def test_new_into_an_empty_list_or_a_file_without_final_newline(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", {"content/timeline.yaml": "# Nothing yet.\n[]\n"})
    run_new(project, "event")
    events = yaml.safe_load((project.root / "content/timeline.yaml").read_text(encoding="utf-8"))
    assert [e["id"] for e in events] == ["new-event-1"]
    assert (project.root / "content/timeline.yaml").read_text(encoding="utf-8").startswith("# Nothing yet.\n")

    path = project.root / "content/sources.yaml"
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n"), encoding="utf-8")
    run_new(project, "source")
    sources = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert [s["id"] for s in sources] == ["article-a", "new-source-1"]


def test_new_keeps_an_indented_list_style(tmp_path: Path) -> None:
    indented = "  - id: article-a\n    title: Article A\n    publisher: null\n    author: null\n" \
               "    published: null\n    url: null\n    retrieved: null\n    archive: a.txt\n"
    project = make_project(tmp_path / "p")
    (project.root / "content/sources.yaml").write_text(indented, encoding="utf-8")  # not dedented
    made = run_new(project, "source")
    assert line_of(project, made) == "  - id: new-source-1"
    sources = yaml.safe_load((project.root / "content/sources.yaml").read_text(encoding="utf-8"))
    assert sources[-1]["archive"] == "new-source-1.txt"


@pytest.mark.parametrize("args", [("new",), ("new", "chart"), ("check", "fact")])
def test_new_usage_errors(project: Project, args: tuple[str, ...]) -> None:
    result = project.run(*args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "source" in result.stderr and "summary" in result.stderr  # names what it can make


def test_the_command_line_offers_exactly_the_kinds_scaffold_makes() -> None:
    from explainer import cli, scaffold

    assert cli.NEW_KINDS == scaffold.KINDS


def test_new_takes_the_global_options_before_and_after_its_kind(project: Project,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    from explainer.cli import main

    assert main(["--project", str(project.root), "new", "fact"]) == 0, capsys.readouterr().err
    assert main(["new", "--project", str(project.root), "fact"]) == 0, capsys.readouterr().err
    assert re.findall(r"added fact '(new-fact-\d)'", capsys.readouterr().out) == ["new-fact-1", "new-fact-2"]
