"""`init DIR`, the theme's lookup order, `--format github` and the files that fit the tools people use.

The installed-wheel version of these (a fresh virtualenv outside the repository) is
tests/test_install.py; these run from the source checkout, in a second or two.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from conftest import REPO, Project, make_project

from explainer import jsonschema, schema
from explainer.cli import main


def init(tmp_path: Path, name: str = "story") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "build.py"), "init", name], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)


@pytest.fixture
def story(tmp_path: Path) -> Project:
    result = init(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("started a new explainer in story/: ")
    return Project(tmp_path / "story")


def jsonc(path: Path) -> dict:
    """VS Code's JSON with comments: drop whole-line // comments."""
    return json.loads("\n".join(line for line in path.read_text(encoding="utf-8").splitlines()
                                if not line.lstrip().startswith("//")))


def test_init_makes_an_explainer_that_builds_and_passes_check_at_once(story: Project) -> None:
    files = {p.relative_to(story.root).as_posix() for p in story.root.rglob("*") if p.is_file()}
    assert {"site.yaml", "content/sources.yaml", "content/facts.yaml", "content/timeline.yaml",
            "content/summaries/01-what-happened.md", "seeds/example-gazette-bridge.txt", "README.md",
            "requirements.txt", ".gitignore", ".vscode/settings.json", ".vscode/tasks.json",
            ".vscode/extensions.json", ".github/workflows/pages.yml"} <= files
    assert {f"schemas/{name}" for name in jsonschema.file_schemas()} <= files
    assert not (story.root / "templates").exists()  # the theme comes from the package

    checked = story.run("check")
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout == "ok: 1 facts, 1 sources, 1 timeline events checked; 0 warning(s)\n"
    assert checked.stderr == ""
    built = story.run("build", "--strict")
    assert built.returncode == 0, built.stderr
    page = (story.output / "index.html").read_text(encoding="utf-8")
    assert "According to the city council" in page and 'href="#council-bridge-closure"' in page


def test_the_starter_is_commented_and_wired_together(story: Project) -> None:
    facts = yaml.safe_load((story.root / "content/facts.yaml").read_text(encoding="utf-8"))
    (fact,) = facts
    (source,) = yaml.safe_load((story.root / "content/sources.yaml").read_text(encoding="utf-8"))
    (event,) = yaml.safe_load((story.root / "content/timeline.yaml").read_text(encoding="utf-8"))
    summary = (story.root / "content/summaries/01-what-happened.md").read_text(encoding="utf-8")
    assert fact["citations"][0]["source"] == source["id"]
    assert (story.root / "seeds" / source["archive"]).is_file()
    assert event["facts"] == [fact["id"]] and f"[[{fact['id']}]]" in summary
    for rel in ("site.yaml", "content/sources.yaml", "content/facts.yaml", "content/timeline.yaml"):
        text = (story.root / rel).read_text(encoding="utf-8")
        assert text.startswith(jsonschema.header_line(story.root, rel) + "\n")  # schema for the YAML extension
        assert len(re.findall(r"^\s*#|\s#\s", text, re.M)) >= 2, f"{rel} explains itself in comments"
    assert "sourced-explainer==" in (story.root / "requirements.txt").read_text(encoding="utf-8")
    assert "/output/" in (story.root / ".gitignore").read_text(encoding="utf-8").splitlines()


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "story").mkdir()
    (tmp_path / "story" / "notes.txt").write_text("mine", encoding="utf-8")
    result = init(tmp_path)
    assert result.returncode == 2
    assert result.stderr == ("error: 'story' is not empty: 'init' starts a new explainer in a new or empty "
                             "folder, so it never overwrites anything\n")
    assert [p.name for p in (tmp_path / "story").iterdir()] == ["notes.txt"]
    (tmp_path / "story" / "notes.txt").unlink()
    assert init(tmp_path).returncode == 0  # an empty folder is fine


def test_init_needs_a_folder(tmp_path: Path) -> None:
    result = init(tmp_path, "")
    assert result.returncode == 2 and "write 'init DIR'" in result.stderr


def test_vscode_maps_each_content_file_to_its_schema(story: Project) -> None:
    mapping = json.loads((story.root / ".vscode/settings.json").read_text(encoding="utf-8"))["yaml.schemas"]
    assert sorted(rel for rels in mapping.values() for rel in rels) == sorted(schema.CONTENT_FILES)
    for target in mapping:
        assert (story.root / target).is_file(), target


def test_vscode_problem_matcher_reads_our_error_lines(story: Project) -> None:
    """The tasks.json pattern, run over real `check` output, finds each problem's file, line, column."""
    tasks = jsonc(story.root / ".vscode/tasks.json")["tasks"]
    check = next(t for t in tasks if t["group"]["isDefault"])
    assert check["args"] == ["-m", "explainer", "check"]
    matcher = check["problemMatcher"]
    assert matcher["fileLocation"] == ["relative", "${workspaceFolder}"]
    pattern = matcher["pattern"]
    story.edit("content/facts.yaml", "attribution: the city council", "atribution: the city council")
    story.edit("content/summaries/01-what-happened.md", "3 February. [[council-bridge-closure]]", "3 February.")
    result = story.run("check")
    assert result.returncode == 1
    found = [m for line in result.stderr.splitlines() if (m := re.match(pattern["regexp"], line))]
    facts = (story.root / "content/facts.yaml").read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(facts, 1) if "atribution:" in text)
    assert [(m[pattern["file"]], m[pattern["line"]], m[pattern["column"]], m[pattern["severity"]],
             m[pattern["message"]]) for m in found] == [
        ("content/facts.yaml", str(line), "3", "error", "unknown key 'atribution' in fact"),
        ("content/summaries/01-what-happened.md", "6", "1", "error", "this paragraph cites no fact")]
    assert all((story.root / m[pattern["file"]]).is_file() for m in found)


@pytest.mark.parametrize("workflow", [REPO / ".github/workflows/pages.yml",
                                      REPO / "explainer/starter/_github/workflows/pages.yml"])
def test_workflow_checks_pull_requests_quickly_and_builds_separately(workflow: Path) -> None:
    flow = yaml.safe_load(workflow.read_text(encoding="utf-8"))
    assert "pull_request" in flow[True]  # YAML 1.1 reads the key `on` as true
    check = flow["jobs"]["check"]
    assert "needs" not in check and check["timeout-minutes"] <= 10
    assert any("check --format github" in step.get("run", "") for step in check["steps"])
    others = {name: job for name, job in flow["jobs"].items() if name != "check"}
    assert any("check" in job.get("needs", []) for job in others.values())
    runs = "\n".join(step.get("run", "") for job in others.values() for step in job.get("steps", []))
    assert re.search(r"build --format github --base-url", runs)
    if workflow.is_relative_to(REPO / ".github"):
        assert "bash .ci/run" in runs and "test" in flow["jobs"]["build"]["needs"]  # the whole suite, separately


def test_format_github_prints_annotations(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    project.edit("content/facts.yaml", "attribution: the Test Gazette", "atribution: the Test Gazette")
    project.edit("content/summaries/01-intro.md", "Swaps were small.", "Swaps were <b>small</b>.")
    code = main(["check", "--format", "github", "--project", str(project.root)])
    out = capsys.readouterr()
    assert code == 1
    assert out.out.splitlines() == [
        "::error file=content/facts.yaml,line=14,col=3::unknown key 'atribution' in fact%0A"
        "hint: did you mean 'attribution'?",
        "::warning file=content/summaries/01-intro.md,line=7,col=12::the HTML tag <b> is removed from the page%0A"
        "hint: write Markdown instead (**bold**, *italic*, [text](https://…)); raw HTML tags are dropped"]
    assert out.err == "build failed: 1 error(s), 1 warning(s); nothing was written\n"


def test_format_github_escapes_what_would_end_an_annotation(project: Project,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    project.edit("content/facts.yaml", "topics: [exchanges]", "topics: [exchanges, 'a,b:c%']")
    main(["check", "--format", "github", "--project", str(project.root)])
    (line,) = capsys.readouterr().out.splitlines()
    assert re.match(r"::error file=content/facts\.yaml,line=\d+,col=\d+::", line)
    assert "'a,b:c%25' is not a valid id%0Ahint: " in line  # % and newlines escaped in the message


def test_a_project_overrides_the_theme_file_by_file(tmp_path: Path) -> None:
    """A theme is a lookup order: the project's templates/ and static/ first, then the package's."""
    project = make_project(tmp_path / "p")
    for folder in ("templates", "static"):
        for path in (project.root / folder).iterdir():
            path.unlink()  # nothing of the theme copied into the project...
    project.write("templates/_recent.html", "<p id=\"own-recent\">Our own partial</p>\n")  # ...but one partial
    project.write("static/print.css", "body { color: #123; }\n")  # and one stylesheet
    result = project.run("build")
    assert result.returncode == 0, result.stderr
    page = (project.output / "index.html").read_text(encoding="utf-8")
    assert '<p id="own-recent">Our own partial</p>' in page  # the project's file
    assert 'id="timeline"' in page  # every other template from the theme
    (css,) = (project.output / "assets").glob("print.*.css")
    assert css.read_text(encoding="utf-8") == "body { color: #123; }\n"
    assert list((project.output / "assets").glob("enhance.*.js"))  # the theme's other static files
    assert "<style>" in page  # style.css, inlined from the theme


def test_python_dash_m_explainer_is_the_same_command(project: Project) -> None:
    result = subprocess.run([sys.executable, "-m", "explainer", "check"], cwd=project.root, capture_output=True,
                            text=True, timeout=60, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok: 3 facts, 1 sources, 2 timeline events checked")


def test_every_hosting_example_is_a_shipped_file() -> None:
    """The docs show no hosting configuration that is not in the repository as a file."""
    hosting = (REPO / "docs" / "hosting.md").read_text(encoding="utf-8")
    assert not re.findall(r"^```(?!sh\b)\w+", hosting, re.M), "a config shown inline: ship it as a file"
    shown = re.findall(r"\]\(((?:\.\./)?(?:hosting/|netlify)[^)]+)\)", hosting)
    assert len(shown) >= 3, shown
    for name in shown:
        assert (REPO / "docs" / name).resolve().is_file(), name
    netlify = tomllib.loads((REPO / "netlify.toml").read_text(encoding="utf-8"))
    assert netlify["build"]["publish"] == "output" and "build.py build --base-url" in netlify["build"]["command"]
    rules = {h["for"]: h["values"]["Cache-Control"] for h in netlify["headers"]}
    assert rules["/assets/*"] == "public, max-age=31536000, immutable"
    assert subprocess.run(["bash", "-n", str(REPO / "hosting/s3-upload.sh")]).returncode == 0
    assert "max-age=31536000, immutable" in (REPO / "hosting/nginx.conf").read_text(encoding="utf-8")
