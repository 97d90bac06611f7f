"""The generator as a newsroom gets it: a wheel installed into a fresh virtualenv outside the repository.

The wheel is built from a copy of the packaging inputs (pyproject.toml, explainer/, templates/,
static/, locales/), installed with its pinned dependencies into a new virtualenv in tmp_path, and then used
the way the README says: `explainer init`, `build`, `check`, and `serve` with a broken edit and a
fix, watched in a real browser. The dependencies come from a local wheelhouse (filled once from
the package index, offline afterwards), so the test takes seconds, not a download each time.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from _preview import Server
from conftest import REPO

from explainer.scaffold import leftover

pytestmark = pytest.mark.slow

LEFTOVERS = [*(f"explainer/starter/{rel}" for rel in ("content/.facts.yaml.swp", "README.md~", ".#site.yaml",
                                                       "#site.yaml#", ".DS_Store", "__pycache__/x.cpython-311.pyc")),
             "templates/.base.html.swp", "templates/base.html~", "static/style.css~", "static/.DS_Store",
             "explainer/.serve_error.html.swp", "explainer/serve_client.js~"]  # a working tree's leftovers
WAIT = 30  # seconds: generous upper bounds for a busy machine; never a timing assertion
WHEELHOUSE = Path(os.environ.get("EXPLAINER_WHEELHOUSE", Path.home() / ".cache" / "sourced-explainer" / "wheelhouse"))
CONNECTED = "() => !!(window.explainerPreview && window.explainerPreview.connected)"
# Outside the repository nothing may come from it: no PYTHONPATH, no pytest.ini pythonpath.
ENV = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")} | {"NO_COLOR": "1"}


def run(*cmd: str | Path, cwd: Path, ok: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, env=ENV, timeout=300)
    if ok:
        assert result.returncode == 0, f"{cmd}:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built from a copy of the sources (so no build/ folder lands in the repository), as a
    working tree may be: with caches and an editor's swap, backup and lock files in it."""
    work = tmp_path_factory.mktemp("wheel")
    src = work / "src"
    src.mkdir()
    shutil.copy2(REPO / "pyproject.toml", src)
    for folder in ("explainer", "templates", "static", "locales"):
        shutil.copytree(REPO / folder, src / folder)
    for rel in LEFTOVERS:
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_text("leftover\n", encoding="utf-8")
    run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
        "--wheel-dir", work / "dist", src, cwd=work)
    (built,) = (work / "dist").glob("sourced_explainer-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv with the wheel and the dependencies its own metadata names; returns its bin/ folder."""
    home = tmp_path_factory.mktemp("venv") / "venv"
    run(sys.executable, "-m", "venv", home, cwd=home.parent)
    python = home / "bin" / "python"
    install = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-index",
               "--find-links", WHEELHOUSE, "--find-links", wheel.parent, wheel]
    if run(*install, cwd=home.parent, ok=False).returncode != 0:  # first run: fill the wheelhouse once
        WHEELHOUSE.mkdir(parents=True, exist_ok=True)
        run(python, "-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--only-binary=:all:",
            "--dest", WHEELHOUSE, "-r", REPO / "requirements.txt", cwd=home.parent)
        run(*install, cwd=home.parent)
    return home / "bin"


def test_the_wheel_carries_the_theme_the_error_page_and_the_starter(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for rel in (p.relative_to(REPO).as_posix() for folder in ("templates", "static", "locales")
                for p in (REPO / folder).rglob("*") if p.is_file()):
        assert f"explainer/theme/{rel}" in names, rel
    assert "explainer/serve_error.html" in names and "explainer/serve_client.js" in names
    assert {"explainer/starter/site.yaml", "explainer/starter/_github/workflows/pages.yml",
            "explainer/starter/_vscode/tasks.json", "explainer/starter/_gitignore"} <= names
    assert not [n for n in names if "__pycache__" in n or n.startswith(("templates/", "static/", "locales/", "tests/"))]
    assert not [n for n in names if leftover(Path(n))]
    assert not [n for n in names if Path(n).name in {Path(rel).name for rel in LEFTOVERS}]


def test_the_installed_packages_are_exactly_the_pins(venv: Path) -> None:
    """`pip install` of the wheel alone installs only pinned packages, each at its pin: no dependency
    of a dependency is left for pip to choose (pip freeze leaves out pip and setuptools)."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    pins = [Requirement(line.split("#", 1)[0]) for line in (REPO / "requirements.txt").read_text("utf-8").splitlines()
            if line.split("#", 1)[0].strip()]
    frozen = run(venv / "python", "-m", "pip", "freeze", "--disable-pip-version-check", cwd=venv).stdout.splitlines()
    installed = {canonicalize_name(name): version for name, _, version in (line.partition("==") for line in frozen)
                 if not name.startswith("sourced-explainer")}
    wanted = {canonicalize_name(pin.name): str(pin.specifier).removeprefix("==") for pin in pins
              if pin.marker is None or pin.marker.evaluate()}  # the test's interpreter is the venv's
    assert installed == wanted


class Preview(Server):
    """`explainer serve --port 0` from the virtualenv, run in the story's folder outside the repository."""

    wait = WAIT

    def __init__(self, bin_dir: Path, project: Path):
        self._spawn([str(bin_dir / "explainer"), "serve", "--port", "0"], cwd=project, env=ENV)


@pytest.fixture
def story(venv: Path, tmp_path: Path) -> Path:
    """`explainer init story`, run in an empty folder far from the repository."""
    result = run(venv / "explainer", "init", "story", cwd=tmp_path)
    assert "started a new explainer in story/" in result.stdout
    return tmp_path / "story"


@pytest.fixture
def preview(venv: Path, story: Path) -> Iterator[Preview]:
    running = Preview(venv, story)
    yield running
    running.stop(signal.SIGKILL)


def test_init_build_and_check_from_the_installed_package(venv: Path, story: Path) -> None:
    where = run(venv / "python", "-c", "import explainer; print(explainer.__file__)", cwd=story).stdout
    assert where.startswith(str(venv.parent)), where  # the installed package, not the repository

    built = run(venv / "explainer", "build", cwd=story)
    assert re.search(r"^built output/ in [\d.]+ s: 5 page\(s\), 1 facts, 1 sources, 1 events, 0 warning\(s\)$",
                     built.stdout, re.M), built.stdout
    page = (story / "output" / "index.html").read_text(encoding="utf-8")
    assert "The Riverside bridge will close to traffic for six weeks from 3 February." in page
    assert list((story / "output" / "assets").glob("print.*.css"))  # the theme's static files, hashed

    for cmd in ([venv / "explainer", "check"], [venv / "python", "-m", "explainer", "check"]):
        checked = run(*cmd, cwd=story)
        assert checked.stdout.startswith("ok: 1 facts, 1 sources, 1 timeline events checked; 0 warning(s)")
        assert checked.stderr == ""

    started = run(venv / "explainer", "init", "second", cwd=story.parent)
    command = re.search(r"^next: cd second, run `(.+?) serve`", started.stdout, re.M)
    assert command and command[1] == str(venv / "explainer"), started.stdout  # not on PATH: where it is
    there = subprocess.run(f"{command[1]} check", shell=True, cwd=story.parent / "second", capture_output=True,
                           text=True, env=ENV, timeout=300)
    assert there.stdout.startswith("ok: 1 facts, 1 sources, 1 timeline events checked"), there.stderr

    refused = run(venv / "explainer", "init", "story", cwd=story.parent, ok=False)
    assert refused.returncode == 2 and "'story' is not empty" in refused.stderr


def test_the_started_explainer_installs_the_generator_that_started_it(venv: Path, wheel: Path, tmp_path: Path) -> None:
    """The starter README's set-up, by the letter: a virtualenv of its own and `pip install -r
    requirements.txt`, which names the wheel `init` was installed from (a file:// address, with a
    comment that CI needs another), never a bare pin of a name on no public index."""
    started = run(venv / "explainer", "init", "story", cwd=tmp_path)
    story = tmp_path / "story"
    text = (story / "requirements.txt").read_text(encoding="utf-8")
    (line,) = [row for row in text.splitlines() if row and not row.startswith("#")]
    assert line == f"sourced-explainer @ {wheel.as_uri()}"
    assert "with an address your CI can reach" in " ".join(text.replace("#", "").split())
    assert "replace the file:// address in requirements.txt" in started.stdout

    run(sys.executable, "-m", "venv", ".venv", cwd=story)
    run(story / ".venv/bin/python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        "--no-index", "--find-links", WHEELHOUSE, "-r", "requirements.txt", cwd=story)
    checked = run(story / ".venv/bin/python", "-m", "explainer", "check", cwd=story)
    assert checked.stdout.startswith("ok: 1 facts, 1 sources, 1 timeline events checked")


def test_installed_from_git_the_started_explainer_requires_that_commit(venv: Path, tmp_path: Path) -> None:
    """What pip records for `pip install git+URL@REF` (PEP 610's vcs_info) becomes the requirement,
    with the commit it resolved to: nothing is left to do before CI can install it."""
    (record,) = venv.parent.glob("lib/python*/site-packages/sourced_explainer-*.dist-info/direct_url.json")
    kept = record.read_text(encoding="utf-8")
    commit = "4f1c0de5a2b3c4d5e6f708192a3b4c5d6e7f8091"
    record.write_text(json.dumps({"url": "https://github.com/example-newsroom/sourced-explainer.git",
                                  "vcs_info": {"vcs": "git", "commit_id": commit, "requested_revision": "main"}}),
                      encoding="utf-8")
    try:
        started = run(venv / "explainer", "init", "story", cwd=tmp_path)
    finally:
        record.write_text(kept, encoding="utf-8")
    text = (tmp_path / "story" / "requirements.txt").read_text(encoding="utf-8")
    assert [row for row in text.splitlines() if row and not row.startswith("#")] == [
        f"sourced-explainer @ git+https://github.com/example-newsroom/sourced-explainer.git@{commit}"]
    assert "requirements.txt" not in started.stdout  # nothing to replace


@pytest.mark.browser
def test_the_installed_preview_shows_the_error_page_and_recovers(page, story: Path, preview: Preview) -> None:
    from playwright.sync_api import expect

    page.goto(preview.start().url)
    page.wait_for_function(CONNECTED, timeout=WAIT * 1000)
    fact = page.locator("#council-bridge-closure")
    expect(fact).to_contain_text("close to traffic for six weeks")

    facts = story / "content" / "facts.yaml"
    good = facts.read_text(encoding="utf-8")
    broken = good.replace('quote: "the Riverside bridge will close', 'quote: "the Riverside bridge shall close')
    facts.write_text(broken, encoding="utf-8")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Build failed", timeout=WAIT * 1000)
    expect(page.locator("section.problem .message").first).to_have_text(
        "the quote for fact 'council-bridge-closure' is not in source 'example-gazette-bridge' "
        "(example-gazette-bridge.txt)")

    facts.write_text(good, encoding="utf-8")  # the fix: the site comes back by itself
    expect(fact).to_contain_text("close to traffic for six weeks", timeout=WAIT * 1000)
    expect(page.get_by_text("Build failed")).to_have_count(0)

    page.wait_for_function(CONNECTED, timeout=WAIT * 1000)  # and every later save is rebuilt too
    facts.write_text(good.replace("claim: The Riverside bridge", "claim: The old Riverside bridge"), encoding="utf-8")
    expect(fact).to_contain_text("The old Riverside bridge", timeout=WAIT * 1000)
    assert preview.proc.poll() is None
