"""`./dev` and the `next:` line of `init`: the command it prints works in the new folder for however
the generator was started, and `./dev` run in another folder acts on that folder (as the README says).

`./dev` is run with a virtualenv of the test's own (VENV), which sees the test's packages through a
.pth file and carries dev's stamp of the current requirements, so dev installs nothing.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from conftest import REPO

ENV = {"PATH": "/usr/bin:/bin", "NO_COLOR": "1", "HOME": os.environ.get("HOME", "/root"), "LC_ALL": "C.UTF-8"}
STORY_CHECKED = "ok: 1 facts, 1 sources, 1 timeline events checked"  # the starter, not the repository's story


def run(cmd: list[str | Path] | str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(cmd if isinstance(cmd, str) else [str(c) for c in cmd], cwd=cwd, env=env, text=True,
                          capture_output=True, timeout=120, shell=isinstance(cmd, str))


def next_step(stdout: str) -> tuple[str, str]:
    """The folder and the command of the `next:` line: `next: cd FOLDER, run `COMMAND serve` …`."""
    found = re.search(r"^next: cd (.+?), run `(.+?) serve`", stdout, re.M)
    assert found, stdout
    return found[1], found[2]


@pytest.fixture
def dev_venv(tmp_path: Path) -> Path:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    (site,) = venv.glob("lib/python3*/site-packages")
    (site / "test-packages.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    requirements = b"".join(path.read_bytes() for path in sorted(REPO.glob("requirements*.txt")))
    (venv / ".installed-runtime").write_text(hashlib.sha256(requirements).hexdigest()[:16] + "\n", encoding="utf-8")
    return venv


def test_dev_init_elsewhere_leads_to_a_command_that_works_there(tmp_path: Path, dev_venv: Path) -> None:
    """`./dev init ../next-story`, then the printed command in next-story checks next-story."""
    work = tmp_path / "work"
    work.mkdir()
    env = {**ENV, "VENV": str(dev_venv)}
    started = run([REPO / "dev", "init", "../next-story"], cwd=work, env=env)
    assert started.returncode == 0, started.stderr
    folder, command = next_step(started.stdout)
    story = tmp_path / "next-story"
    assert (work / folder).resolve() == story
    assert command == os.path.relpath(REPO / "dev", story)

    checked = run(f"{command} check", cwd=story, env=env)
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.startswith(STORY_CHECKED)
    new = run(f"{command} new fact", cwd=story, env=env)  # paths from the folder it is run in
    assert new.stdout.startswith("content/facts.yaml:"), new.stderr

    anywhere = run([dev_venv / "bin" / "python", "-m", "explainer", "check"], cwd=story, env=ENV)
    assert anywhere.stderr.count("is still a TODO placeholder") >= 3, anywhere.stderr  # the package, from the venv

    shown = run([REPO / "dev", "--help"], cwd=work, env=env)
    assert f"usage: {os.path.relpath(REPO / 'dev', work)} " in shown.stdout, shown.stdout


@pytest.mark.parametrize("how", ["build.py", "python -m explainer"])
def test_init_from_a_checkout_prints_a_command_that_works_in_the_new_folder(tmp_path: Path, how: str) -> None:
    env = {**ENV, "PYTHONPATH": str(REPO)} if how.startswith("python") else ENV
    cmd = [sys.executable, REPO / "build.py"] if how == "build.py" else [sys.executable, "-m", "explainer"]
    started = run([*cmd, "init", "story"], cwd=tmp_path, env=env)
    assert started.returncode == 0, started.stderr
    folder, command = next_step(started.stdout)
    assert folder == "story"
    checked = run(f"{command} check", cwd=tmp_path / "story", env=env)
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.startswith(STORY_CHECKED)
