"""Terminal output: colour on a terminal only, never with NO_COLOR; one summary line per build."""

from __future__ import annotations

import io
import os
import pty
import re
import subprocess
import sys

import pytest
from conftest import REPO, Project

from explainer import terminal

ESC = "\x1b["
# 6 pages: index.html, 404.html, the offline file, embed.html and two embeds (timeline, one comparison).
SUMMARY = re.compile(
    r"^built \S+ in \d+\.\d\d s: 6 page\(s\), 3 facts, 1 sources, 2 events, 0 warning\(s\)$", re.MULTILINE)


class FakeStream(io.StringIO):
    def __init__(self, tty: bool):
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize(("tty", "env", "expected"), [
    (True, {}, True),
    (False, {}, False),
    (True, {"NO_COLOR": "1"}, False),
    (True, {"NO_COLOR": ""}, True),  # no-color.org: only a non-empty value counts
    (True, {"TERM": "dumb"}, False),
])
def test_use_colour(monkeypatch: pytest.MonkeyPatch, tty: bool, env: dict[str, str], expected: bool) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert terminal.use_colour(FakeStream(tty)) is expected


def test_format_problem_colours_only_the_labels() -> None:
    text = "content/facts.yaml:3:5: error: 'x' is not a valid id\n    hint: ids are lowercase"
    assert terminal.format_problem(text, colour=False) == text
    coloured = terminal.format_problem(text, colour=True)
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == text  # same words, only colour added
    assert "\x1b[1;31merror:" in coloured and "\x1b[36mhint:" in coloured


def run_in_terminal(project: Project, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    """Run build.py with stdout and stderr on a pseudo-terminal, as an editor at a terminal would."""
    master, slave = pty.openpty()
    environment = {k: v for k, v in os.environ.items() if k != "NO_COLOR"} | {"TERM": "xterm"} | (env or {})
    proc = subprocess.Popen([sys.executable, str(REPO / "build.py"), *args, "--project", str(project.root)],
                            stdin=subprocess.DEVNULL, stdout=slave, stderr=slave, cwd=project.root, env=environment)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    return proc.wait(timeout=120), b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")


def break_content(project: Project) -> None:
    project.edit("content/facts.yaml", "id: sbu-102", "id: SBU_102")


def test_errors_are_coloured_on_a_terminal(project: Project) -> None:
    break_content(project)
    code, out = run_in_terminal(project, "check")
    assert code == 1
    assert "\x1b[1;31merror:\x1b[0m 'SBU_102' is not a valid id" in out
    assert "\x1b[36mhint:\x1b[0m" in out
    assert "build failed: " in out


def test_no_colour_with_no_color_set(project: Project) -> None:
    break_content(project)
    code, out = run_in_terminal(project, "check", env={"NO_COLOR": "1"})
    assert code == 1
    assert "error: 'SBU_102' is not a valid id" in out
    assert ESC not in out


def test_no_colour_in_a_pipe(project: Project) -> None:
    break_content(project)
    result = project.run("check")
    assert result.returncode == 1
    assert "error: 'SBU_102' is not a valid id" in result.stderr
    assert ESC not in result.stderr + result.stdout


def test_one_summary_line_after_each_build(project: Project) -> None:
    result = project.run("build")
    assert result.returncode == 0, result.stderr
    assert len(SUMMARY.findall(result.stdout)) == 1, result.stdout
    assert ESC not in result.stdout

    code, out = run_in_terminal(project, "build")
    assert code == 0
    assert "\x1b[32mbuilt " in out and SUMMARY.search(re.sub(r"\x1b\[[0-9;]*m", "", out))


def test_one_summary_line_after_a_failed_build(project: Project) -> None:
    break_content(project)
    result = project.run("build")
    assert result.returncode == 1
    last = result.stderr.splitlines()[-1]
    assert re.fullmatch(r"build failed: [1-9]\d* error\(s\); nothing was written", last), last
