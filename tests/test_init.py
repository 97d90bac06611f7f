"""`init DIR`, the theme's lookup order, `--format github` and the files that fit the tools people use.

The installed-wheel version of these (a fresh virtualenv outside the repository) is
tests/test_install.py; these run from the source checkout, in a second or two.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
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


def test_init_refuses_a_file_and_says_it_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "story").write_text("mine", encoding="utf-8")
    result = init(tmp_path)
    assert result.returncode == 2
    assert result.stderr == ("error: 'story' is a file, not a folder: 'init' starts a new explainer in a new or empty "
                             "folder\n    hint: give the name of a folder that does not exist yet\n")
    assert (tmp_path / "story").read_text(encoding="utf-8") == "mine"


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
    assert netlify["build"]["publish"] == "output" and "explainer build --base-url" in netlify["build"]["command"]
    rules = {h["for"]: h["values"]["Cache-Control"] for h in netlify["headers"]}
    assert rules["/assets/*"] == "public, max-age=31536000, immutable"
    assert subprocess.run(["bash", "-n", str(REPO / "hosting/s3-upload.sh")]).returncode == 0
    assert "max-age=31536000, immutable" in (REPO / "hosting/nginx.conf").read_text(encoding="utf-8")


def _user_facing_strings(path: Path) -> list[tuple[int, str]]:
    """The string constants of a module that are not docstrings: what it prints or writes for people."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    return [(node.lineno, node.value) for node in ast.walk(tree) if isinstance(node, ast.Constant)
            and isinstance(node.value, str) and id(node) not in docstrings]


def test_the_package_never_names_build_py_to_its_users() -> None:
    """build.py is in this repository only: the installed tool names itself as it was run, or neutrally."""
    said = [f"{path.name}:{line}: {text!r}" for path in sorted((REPO / "explainer").glob("*.py"))
            if path.name != "invoked.py"  # it recognises build.py in sys.argv[0], to name it as it was run
            for line, text in _user_facing_strings(path) if "build.py" in text]
    assert not said, "\n".join(said)


def test_help_names_the_command_as_it_was_run_and_the_real_default_project(tmp_path: Path) -> None:
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "NO_COLOR": "1"}
    shown = subprocess.run([sys.executable, "-m", "explainer", "--help"], cwd=tmp_path, capture_output=True,
                           text=True, timeout=60, env=env)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("usage: python -m explainer ")
    assert "build.py" not in shown.stdout
    flat = " ".join(shown.stdout.split())  # argparse wraps the help to the terminal's width
    assert "--project DIR the project folder holding site.yaml (default: the current folder)" in flat, flat
    in_repo = subprocess.run([sys.executable, str(REPO / "build.py"), "--help"], capture_output=True, text=True,
                             timeout=60, env=env)
    assert in_repo.stdout.startswith("usage: build.py ")
    assert "(default: the folder of build.py)" in " ".join(in_repo.stdout.split())


@pytest.mark.parametrize(("record", "line", "local"), [
    ({"url": "https://github.com/org/explainer.git",
      "vcs_info": {"vcs": "git", "commit_id": "4f1c0de", "requested_revision": "v0.1.0"}},
     "sourced-explainer @ git+https://github.com/org/explainer.git@4f1c0de", False),
    ({"url": "file:///home/me/dist/sourced_explainer-0.1.0-py3-none-any.whl", "archive_info": {}},
     "sourced-explainer @ file:///home/me/dist/sourced_explainer-0.1.0-py3-none-any.whl", True),
    ({"url": "https://files.example.org/sourced_explainer-0.1.0-py3-none-any.whl",
      "archive_info": {"hashes": {"sha256": "00"}}},
     "sourced-explainer @ https://files.example.org/sourced_explainer-0.1.0-py3-none-any.whl", False),
    ({"url": "file:///home/me/explainer", "dir_info": {}}, "sourced-explainer @ file:///home/me/explainer", True),
    ({"url": "file:///srv/mono", "subdirectory": "explainer", "dir_info": {}},
     "sourced-explainer @ file:///srv/mono#subdirectory=explainer", True),
    ({"url": "file:///home/me/explainer", "dir_info": {"editable": True}}, None, True),
])
def test_init_requires_the_generator_from_where_it_was_installed(record: dict, line: str | None, local: bool) -> None:
    """PEP 610's direct_url.json → the requirements.txt line; a file:// one must be replaced before CI."""
    from explainer import installed

    assert installed.requirement_from(record) == line
    text = installed.requirements_text(installed.Origin(line, local), "0.1.0")
    requirements = [row for row in text.splitlines() if row and not row.startswith("#")]
    assert not [row for row in requirements if "==" in row], "never a bare pin of a name on no public index"
    if line and not local:
        assert requirements == [line]
        return
    assert "sourced-explainer @ git+https://" in text and "sourced_explainer-0.1.0-py3-none-any.whl" in text
    assert requirements == [line] if line else requirements[0].startswith("REPLACE THIS LINE")
    assert "CI" in text if line else "could not tell where it was installed from" in text


def test_init_from_a_checkout_writes_a_requirement_pip_refuses_with_what_to_write(tmp_path: Path) -> None:
    """Run from the repository nothing says where the generator can be installed from: pip must stop
    at once with the line that says so, never look the name up on an index."""
    result = init(tmp_path)
    assert result.returncode == 0, result.stderr
    story = tmp_path / "story"
    text = (story / "requirements.txt").read_text(encoding="utf-8")
    assert "sourced-explainer==" not in text.replace("`sourced-explainer==", "")
    (line,) = [row for row in text.splitlines() if row and not row.startswith("#")]
    pip = subprocess.run([sys.executable, "-m", "pip", "install", "--dry-run", "--no-index", "--quiet",
                          "--disable-pip-version-check", "-r", "requirements.txt"], cwd=story, capture_output=True,
                         text=True, timeout=120)
    assert pip.returncode != 0
    assert line in pip.stderr and "requirements.txt" in pip.stderr
    assert re.search(r"^next: .*requirements\.txt", result.stdout, re.M), result.stdout
    readme = (story / "README.md").read_text(encoding="utf-8")
    assert "REPLACE THIS LINE" in readme and "file://" in readme and "Git URL" in readme


def _fake_tools(folder: Path) -> Path:
    """A bin/ folder: `python` and `python3` (this interpreter, the generator importable), an `aws` that logs."""
    folder.mkdir()
    for name, script in [("python", f'exec "{sys.executable}" "$@"'), ("python3", f'exec "{sys.executable}" "$@"'),
                         ("aws", 'echo "aws $*" >> "$AWS_LOG"')]:  # a wrapper, not a link: a venv's python
        (folder / name).write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")  # finds its venv by its path
        (folder / name).chmod(0o755)
    return folder


def test_no_example_for_a_started_explainer_runs_build_py() -> None:
    """build.py exists only in this repository: the starter and the hosting examples run `-m explainer`."""
    shipped = [*(p for p in (REPO / "explainer" / "starter").rglob("*") if p.is_file()),
               REPO / "netlify.toml", *(REPO / "hosting").iterdir()]
    assert [p.relative_to(REPO).as_posix() for p in shipped if "build.py" in p.read_text(encoding="utf-8")] == []
    in_repo = subprocess.run([sys.executable, "-m", "explainer", "--help"], cwd=REPO, capture_output=True, text=True,
                             timeout=60, env={"PATH": "/usr/bin:/bin"})  # the repository's own folder imports it
    assert in_repo.returncode == 0, in_repo.stderr


@pytest.mark.parametrize(("base_url", "bucket_path", "paths"), [
    ("https://example.org/bridge-closure/", "s3://news-bucket/bridge-closure",
     "/bridge-closure/ /bridge-closure/index.html /bridge-closure/feed.xml"),
    ("https://bridge.example.org/", "s3://news-bucket", "/ /index.html /feed.xml"),
])
def test_the_hosting_examples_publish_a_started_explainer(story: Project, tmp_path: Path, base_url: str,
                                                          bucket_path: str, paths: str) -> None:
    """Copied anywhere and run in a started explainer's folder, each example builds it for its address."""
    tools = _fake_tools(tmp_path / "bin")
    env = {"PATH": f"{tools}:/usr/bin:/bin", "PYTHONPATH": str(REPO), "AWS_LOG": str(tmp_path / "aws.log"),
           "NO_COLOR": "1"}
    elsewhere = tmp_path / "kept-here" / "s3-upload.sh"  # not in a hosting/ folder beside the project
    elsewhere.parent.mkdir()
    elsewhere.write_bytes((REPO / "hosting" / "s3-upload.sh").read_bytes())
    uploaded = subprocess.run(["bash", str(elsewhere), "news-bucket", "E123", base_url], cwd=story.root,
                              capture_output=True, text=True, timeout=120, env=env)
    assert uploaded.returncode == 0, uploaded.stderr
    page = (story.output / "index.html").read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="{base_url}">' in page
    calls = (tmp_path / "aws.log").read_text(encoding="utf-8").splitlines()
    assert calls[0].startswith(f"aws s3 sync output/assets {bucket_path}/assets ")  # assets before the pages
    assert calls[-1] == f"aws cloudfront create-invalidation --distribution-id E123 --paths {paths}"

    netlify = tomllib.loads((REPO / "netlify.toml").read_text(encoding="utf-8"))["build"]["command"]
    install, build = netlify.split(" && ")
    assert install == "pip install -r requirements.txt" and (story.root / "requirements.txt").is_file()
    built = subprocess.run(build, shell=True, cwd=story.root, capture_output=True, text=True, timeout=120,
                           env={**env, "URL": base_url.rstrip("/")})
    assert built.returncode == 0, built.stderr
    assert f'<link rel="canonical" href="{base_url}">' in (story.output / "index.html").read_text(encoding="utf-8")


def test_the_s3_script_says_where_to_run_it(tmp_path: Path) -> None:
    result = subprocess.run(["bash", str(REPO / "hosting" / "s3-upload.sh"), "news-bucket", "E123",
                             "https://example.org/x/"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "no site.yaml" in result.stderr and "run it in the folder holding site.yaml" in result.stderr


LEFTOVERS = ["content/.facts.yaml.swp", "content/.facts.yaml.swo", "README.md~", "site.yaml.orig~",
             ".#site.yaml", "content/#facts.yaml#", ".DS_Store", "seeds/Thumbs.db", "__pycache__/x.cpython-311.pyc",
             "content/__pycache__/y.pyc"]


def test_init_copies_no_editor_leftovers_from_the_starter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Swap, backup and lock files and caches in the starter (a working tree) never reach a new explainer."""
    from explainer import installed, scaffold

    starter = tmp_path / "starter"
    shutil.copytree(scaffold.STARTER, starter)
    for rel in LEFTOVERS:
        (starter / rel).parent.mkdir(parents=True, exist_ok=True)
        (starter / rel).write_text("leftover\n", encoding="utf-8")
    monkeypatch.setattr(scaffold, "STARTER", starter)
    made = scaffold.init(tmp_path / "story", installed.Origin(None))
    names = {p.relative_to(tmp_path / "story").as_posix() for p in (tmp_path / "story").rglob("*") if p.is_file()}
    assert names == {p.relative_to(tmp_path / "story").as_posix() for p in made}
    assert not set(LEFTOVERS) & names
    assert {"site.yaml", "README.md", "content/facts.yaml", ".gitignore"} <= names


def test_the_wheel_leaves_out_what_init_leaves_out() -> None:
    """pyproject.toml's exclude-package-data and scaffold.LEFTOVERS name the same files (setuptools
    matches each pattern, after the package's folder, against the whole path with fnmatch)."""
    import fnmatch

    from explainer import scaffold

    patterns = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "exclude-package-data"]["*"]
    kept = ["content/facts.yaml", "_github/workflows/pages.yml", "_gitignore", "base.html", "style.css",
            "seeds/notes~txt", "README.md"]
    for rel in [*LEFTOVERS, *kept]:
        by_setuptools = any(fnmatch.fnmatch(f"explainer/starter/{rel}", f"explainer/{pattern}") or
                            fnmatch.fnmatch(f"templates/{rel}", f"templates/{pattern}") for pattern in patterns)
        assert by_setuptools == scaffold.leftover(Path(rel)) == (rel in LEFTOVERS), rel
