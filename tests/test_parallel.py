"""Pages rendered by forked workers (explainer/parallel.py) are the same bytes as pages rendered in-process.

Each build runs in a fresh interpreter: the pool is never forked from a process with other threads
(the test session may have some left by other tests), and that rule is what the builds check.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from explainer import parallel, pipeline

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from generate import generate

REPO = Path(__file__).resolve().parent.parent
SMALL_PAGES = "pagination: {facts_per_page: 10, events_per_page: 5, sources_per_page: 1}\n"
# A build with the pool forced on (2 workers, any page count, a small resident size) or off.
BUILD = """
import json, sys
from pathlib import Path
from explainer import parallel, pipeline
from explainer.errors import BuildError
root, output, forced, resident = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] == "forced", int(sys.argv[4])
pools = []
original = parallel._in_workers
def spy(*args):
    pools.append(args[3])
    return original(*args)
parallel._in_workers = spy
if forced:
    parallel.MIN_PAGES, parallel.MIN_CORES = 1, 2
    parallel.workers_available = lambda: 2
    parallel._resident_bytes = lambda: resident
else:
    parallel.MIN_PAGES = 10**9
try:
    pipeline.build(root, output)
    problems = []
except BuildError as exc:
    problems = [p.format() for p in exc.problems]
print(json.dumps({"pools": pools, "problems": problems}))
"""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = generate(tmp_path / "project", 150)
    site = root / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8") + SMALL_PAGES, encoding="utf-8")
    return root


def build(root: Path, output: Path, forced: bool, resident: int = 1) -> dict:
    done = subprocess.run([sys.executable, "-c", BUILD, str(root), str(output), "forced" if forced else "off",
                           str(resident)], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def read_tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_forked_workers_give_the_same_bytes(root, tmp_path):
    assert build(root, tmp_path / "forked", forced=True) == {"pools": [2], "problems": []}
    assert build(root, tmp_path / "serial", forced=False) == {"pools": [], "problems": []}
    serial, forked = read_tree(tmp_path / "serial"), read_tree(tmp_path / "forked")
    assert forked == serial
    assert len([name for name in serial if name.startswith("facts-")]) > 5


def test_a_template_error_is_reported_the_same_from_a_worker(root, tmp_path):
    facts = root / "templates" / "_facts.html"
    facts.write_text(facts.read_text(encoding="utf-8").replace("{{ fact.claim }}", "{{ fact.claim_typo }}"),
                     encoding="utf-8")
    forked, serial = build(root, tmp_path / "a", forced=True), build(root, tmp_path / "b", forced=False)
    assert forked["pools"] == [2] and forked["problems"] == serial["problems"]
    assert len(serial["problems"]) == 1 and "_facts.html" in serial["problems"][0]
    assert "claim_typo" in serial["problems"][0]


def test_no_workers_when_their_copies_would_not_fit_in_the_memory_budget(root, tmp_path):
    """Each forked worker ends up with nearly a copy of the build's memory (it touches it rendering)."""
    assert build(root, tmp_path / "big", forced=True, resident=parallel.MEMORY_BUDGET // 2)["pools"] == []
    assert build(root, tmp_path / "small", forced=True, resident=parallel.MEMORY_BUDGET // 3)["pools"] == [2]


def test_two_cores_and_small_sites_render_in_process(root, tmp_path, monkeypatch):
    """Measured: on two cores the workers' copying costs what they save (see parallel.MIN_CORES)."""
    pools = []
    monkeypatch.setattr(parallel, "_in_workers", lambda *args: pools.append(1))
    monkeypatch.setattr(parallel, "workers_available", lambda: 2)
    pipeline.build(root, tmp_path / "out")
    monkeypatch.setattr(parallel, "workers_available", lambda: 8)
    pipeline.build(REPO, tmp_path / "shipped")  # the shipped story: two pages
    assert pools == []
