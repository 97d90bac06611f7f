"""No partial output: a build killed with SIGKILL at any moment leaves output/ whole — the old site or the new.

Two projects differ only in a marker that is in every file they produce (the page's title and
each of many static files), and build in turn into the same output folder. Each build is killed
after a growing delay, or as soon as its staging folder appears plus a growing delay (so many
kills land during the write itself). After every kill output/ must be exactly one of the two
known trees: never missing, never empty, never a mix.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO, make_project, tree_hash

STATIC_FILES = 500  # enough that writing the site takes a while, so kills land mid-write
ITERATIONS = 12


def marked_project(root: Path, marker: str) -> Path:
    project = make_project(root)
    project.edit("site.yaml", "title: Test explainer", f"title: Test explainer {marker}")
    static = root / "static"
    (static / "style.css").write_text(f"/* {marker} */\n" + (static / "style.css").read_text(encoding="utf-8"))
    for i in range(STATIC_FILES):
        (static / "many" / f"{i // 100:02d}").mkdir(parents=True, exist_ok=True)
        (static / "many" / f"{i // 100:02d}" / f"f{i:04d}.txt").write_text(f"{marker} {i}\n" * 40)
    return root


def start(project: Path, output: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(REPO / "build.py"), "build", "--project", str(project),
                             "--output", str(output)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def staging(parent: Path) -> set[str]:
    """Staging folders beside output/ (a killed build leaves its own; the next build clears old ones)."""
    return {name for name in os.listdir(parent) if name.startswith(".output-")}


def check_whole(output: Path, known: dict[str, str]) -> str:
    """output/ is one of the known trees; returns which."""
    assert output.is_dir(), "output/ is missing"
    assert any(output.iterdir()), "output/ is empty"
    digest = tree_hash(output)
    if digest not in known:
        markers = {m for m in known.values() if any(m in p.read_text(errors="replace")
                                                   for p in output.rglob("*") if p.is_file())}
        pytest.fail(f"output/ matches neither build (markers found: {sorted(markers)})")
    return known[digest]


def wait_for_staging(proc: subprocess.Popen, parent: Path, before: set[str]) -> float:
    """Polls until the build's staging folder appears (or the build ends); returns when, by the clock."""
    deadline = time.perf_counter() + 60
    while proc.poll() is None and not staging(parent) - before and time.perf_counter() < deadline:
        time.sleep(0.0005)
    return time.perf_counter()


@pytest.mark.slow
def test_killing_the_build_never_leaves_partial_output(tmp_path: Path) -> None:
    projects = {m: marked_project(tmp_path / m, m) for m in ("ALPHA", "OMEGA")}
    output = tmp_path / "out" / "output"
    known: dict[str, str] = {}
    durations, writes = [], []
    for marker in ("OMEGA", "ALPHA"):  # full builds: learn both trees, how long a build and its write take
        started = time.perf_counter()
        before = staging(output.parent) if output.parent.exists() else set()
        proc = start(projects[marker], output)
        staged = wait_for_staging(proc, output.parent, before) if output.parent.exists() else started
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
        durations.append(time.perf_counter() - started)
        writes.append(time.perf_counter() - staged)
        known[tree_hash(output)] = marker
    assert len(known) == 2
    full, write = max(durations), min(writes)

    current = "ALPHA"
    mid_write = tries = 0
    # At least ITERATIONS kills, and more (up to three times as many) until three landed mid-write:
    # how long the write lasts depends on the machine's load, and the proof needs kills inside it.
    while tries < ITERATIONS or (mid_write < 3 and tries < 3 * ITERATIONS):
        i = tries % ITERATIONS
        other = "OMEGA" if current == "ALPHA" else "ALPHA"
        before = staging(output.parent)
        proc = start(projects[other], output)
        if tries % 2 == 0:  # a growing delay from the start: before, during and after the write
            time.sleep(full * (0.3 + 0.9 * i / ITERATIONS))
        else:  # wait for the staging folder, then a growing delay into the write (never past it)
            wait_for_staging(proc, output.parent, before)
            time.sleep(write * 0.8 * i / ITERATIONS)
        if staging(output.parent) - before and proc.poll() is None:
            mid_write += 1
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        current = check_whole(output, known)
        tries += 1
    print(f"build {full:.2f} s, write {write:.3f} s; {mid_write} of {tries} kills during the write")
    assert mid_write >= 3, f"only {mid_write} kill(s) of {tries} landed during the write; the test proves too little"

    # And the next build after all those kills still works and cleans up nothing it should not.
    proc = start(projects["OMEGA"], output)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err.decode()
    assert check_whole(output, known) == "OMEGA"
