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
from hypothesis import given, settings
from hypothesis import strategies as st

from explainer import exports, parallel, pipeline

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from generate import generate

REPO = Path(__file__).resolve().parent.parent
SMALL_PAGES = "pagination: {facts_per_page: 10, events_per_page: 5, sources_per_page: 1}\n"
# A build with the pool forced on (2 workers, any page count, a small resident size) or off.
BUILD = """
import json, sys
from pathlib import Path
from explainer import exports, parallel, pipeline
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


# --- the exports made aside, in a forked child -----------------------------------------------------

# A build with the exports' child forced on ("aside"; "failing": its work raises; "spilled": every
# file past write.SPILL_BYTES) or off (one core): which children it forked, and whether any still runs.
ASIDE_BUILD = """
import json, os, sys
from pathlib import Path
from explainer import pagefind, parallel, pipeline, write
from explainer.errors import BuildError
root, output, mode = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
children, made = [], []
class Spy(parallel.Aside):
    def __init__(self, make):
        super().__init__((lambda: 1 / 0) if mode.endswith("failing") else make)
        children.append(self.pid)
    def files(self):
        files = super().files()
        made.append(sorted(files or []))
        return files
# "shared": Pagefind still indexing on the only other core when the pages are rendered; else done by then
pagefind.Indexing.running = lambda self: mode.startswith("shared")
parallel.Aside = Spy
parallel.ASIDE_MIN_FACTS = 1
parallel.workers_available = lambda: 1 if mode == "off" else 2
parallel._load = lambda: 9.0  # busy cores: a big story's exports go aside all the same
if mode == "spilled":
    write.SPILL_BYTES = 1000
try:
    pipeline.build(root, output)
    problems = []
except BuildError as exc:
    problems = [p.format() for p in exc.problems]
def running(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
print(json.dumps({"children": len(children), "running": [p for p in children if running(p)], "problems": problems,
                  "made": made}))
"""


def run_build_script(script: str, *args: object) -> dict:
    """One of the build scripts above, in a fresh interpreter (see the module's docstring): what it printed."""
    done = subprocess.run([sys.executable, "-c", script, *map(str, args)],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def build_aside(root: Path, output: Path, mode: str) -> dict:
    return run_build_script(ASIDE_BUILD, root, output, mode)


def test_exports_made_aside_are_the_same_bytes_whether_forked_failed_or_spilled(root, tmp_path):
    """The output does not depend on the cores: a child's files (all, or only facts.csv while Pagefind
    has the other core), or the parent's own after it failed."""
    assert build_aside(root, tmp_path / "off", "off") == {"children": 0, "running": [], "problems": [], "made": []}
    serial = read_tree(tmp_path / "off")
    made = {"aside": [sorted(exports.DATA_FILES)], "failing": [[]], "spilled": [sorted(exports.DATA_FILES)],
            "shared": [["facts.csv"]], "shared-failing": [[]]}  # shared: the child makes only facts.csv
    for mode in ("aside", "failing", "spilled", "shared", "shared-failing"):
        assert build_aside(root, tmp_path / mode, mode) == {"children": 1, "running": [], "problems": [],
                                                            "made": made[mode]}, mode
        assert read_tree(tmp_path / mode) == serial, mode
    assert json.loads(serial["facts.json"])["facts"][0]["id"]


@pytest.mark.parametrize("child", ["exports", "pagefind"])
def test_a_template_error_stops_the_child(root, tmp_path, child):
    """The exports' child, or the child that writes Pagefind's records and becomes Pagefind: stopped
    and collected when a template fails, and no site written."""
    facts = root / "templates" / "_facts.html"
    facts.write_text(facts.read_text(encoding="utf-8").replace("{{ fact.claim }}", "{{ fact.claim_typo }}"),
                     encoding="utf-8")
    if child == "exports":
        result = build_aside(root, tmp_path / "out", "aside")
    else:
        result = build_search(root, tmp_path / "out", "forked")
    assert result["children"] == 1 and result["running"] == []
    assert len(result["problems"]) == 1 and "claim_typo" in result["problems"][0]
    assert not (tmp_path / "out").exists()


def test_the_exports_child_starts_before_the_embeds_and_the_offline_file(root, tmp_path, monkeypatch):
    """A story on one page renders its offline file (the whole story again) before its pages: the
    exports' child is started first, so the two are made at once (render.py)."""
    from explainer import reach, render

    calls = []
    monkeypatch.setattr(render, "aside", lambda make, facts: calls.append("exports child"))  # None: made here
    real = reach.render
    monkeypatch.setattr(reach, "render", lambda *args: calls.append("embeds, offline file") or real(*args))
    pipeline.build(root, tmp_path / "out")
    assert calls == ["exports child", "embeds, offline file"]
    assert json.loads((tmp_path / "out" / "facts.json").read_text(encoding="utf-8"))["facts"]


def test_small_sites_and_one_core_make_their_exports_in_process(root, monkeypatch):
    monkeypatch.setattr(parallel, "workers_available", lambda: 2)
    monkeypatch.setattr(parallel, "_load", lambda: 9.0)  # busy cores: a big story's exports go aside all the same
    assert parallel.aside(dict, parallel.ASIDE_MIN_FACTS - 1) is None  # too few facts to pay for a fork
    monkeypatch.setattr(parallel, "workers_available", lambda: 1)
    assert parallel.aside(dict, parallel.ASIDE_MIN_FACTS) is None
    monkeypatch.setattr(parallel, "workers_available", lambda: 2)
    monkeypatch.setattr(parallel, "_resident_bytes", lambda: parallel.MEMORY_BUDGET // 2 + 1)
    assert parallel.aside(dict, parallel.ASIDE_MIN_FACTS) is None  # no room for a copy
    monkeypatch.setattr(parallel, "_resident_bytes", lambda: 1)

    def no_fork():
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(parallel.os, "fork", no_fork)
    assert parallel.aside(dict, parallel.ASIDE_MIN_FACTS) is None  # no process to spare


# --- a large list file read in two halves, the second by a forked child (halves.py) ----------------

# A build with the halves forced on (any size, a second core) or off; which list files went to a child.
HALVES_BUILD = """
import json, sys
from pathlib import Path
from explainer import halves, parallel, pipeline
from explainer.errors import BuildError
root, output, mode = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
children = []
class Spy(parallel.Forked):
    def __init__(self, work):
        super().__init__((lambda: 1 / 0) if mode == "failing" else work)
        children.append(self.pid)
parallel.Forked = Spy
halves.MIN_BYTES = 0 if mode != "off" else 10**12
parallel.can_fork_child = lambda **options: True
try:
    pipeline.build(root, output)
    problems = []
except BuildError as exc:
    problems = [p.format() for p in exc.problems]
print(json.dumps({"children": len(children), "problems": problems}))
"""


def build_halves(root: Path, output: Path, mode: str) -> dict:
    return run_build_script(HALVES_BUILD, root, output, mode)


def test_a_list_file_read_in_halves_builds_the_same_bytes(root, tmp_path):
    """Every list file (sources, facts, timeline, …) split in two and the halves parsed at once give
    the site a whole parse gives; so does a child that fails (the file is then parsed whole here)."""
    off = build_halves(root, tmp_path / "off", "off")
    assert off == {"children": 0, "problems": []}
    serial = read_tree(tmp_path / "off")
    for mode in ("halves", "failing"):
        result = build_halves(root, tmp_path / mode, mode)
        assert result["children"] >= 3 and result["problems"] == [], mode  # sources, facts and the timeline at least
        assert read_tree(tmp_path / mode) == serial, mode


@pytest.mark.parametrize("where", [0.25, 0.75])
def test_a_mistake_in_either_half_is_reported_as_a_whole_parse_reports_it(root, tmp_path, where):
    """A half that reports anything is not used: the file is parsed whole, so the message keeps the
    whole file's line and column (and a mistake the halves would each miss cannot slip through)."""
    path = root / "content" / "facts.yaml"
    lines = path.read_text(encoding="utf-8").split("\n")
    at = next(i for i in range(int(len(lines) * where), len(lines)) if lines[i].startswith("  claim: "))
    lines[at] = lines[at].replace("claim: ", "claim: [unclosed ", 1)
    path.write_text("\n".join(lines), encoding="utf-8")
    off, halves = build_halves(root, tmp_path / "off", "off"), build_halves(root, tmp_path / "on", "halves")
    assert halves["problems"] == off["problems"] and halves["children"] >= 1
    assert len(off["problems"]) == 1 and off["problems"][0].startswith(f"content/facts.yaml:{at + 2}:")


# Whole entries mostly (so most texts split and their halves are used), and pieces that break an
# entry or the file: an open quote or bracket, an alias, a duplicate key, a tag, a document marker.
WHOLE_ENTRIES = st.sampled_from(["- id: a\n  claim: x\n", "- b\n", "- b\n  # note\n\n", "-\n  x: 1\n",
                                 "- [a, b]\n", "- |\n  text\n  - more\n", "- x:\n  - c\n  - d: 1\n",
                                 "# note\n", "\n", "- 'q\n  r'\n"])
BROKEN_PIECES = st.sampled_from(["  - c\n", "x: 1\n", '- "a\n', 'b"\n', "  y: &a 1\n", "  z: *a\n",
                                 "- x: 1\n  x: 2\n", "- !!python/name:os.system\n", "---\n", "  - [\n", "- ]\n",
                                 "-x\n", "  w:\n", "- '\n"])
LIST_TEXTS = st.lists(st.one_of(WHOLE_ENTRIES, WHOLE_ENTRIES, WHOLE_ENTRIES, BROKEN_PIECES),
                      min_size=2, max_size=16).map("".join)


@settings(max_examples=400, deadline=None)
@given(LIST_TEXTS)
def test_halves_joined_are_the_whole_parse_or_nothing(text):
    """Wherever the halves are used, they give the whole parse's items and positions, and the whole
    parse found nothing to report; anything else falls back to the whole parse."""
    from explainer import halves
    from explainer.errors import Problems
    from explainer.yamlsafe import load_yaml

    path = Path("content/facts.yaml")
    cut = halves.split(text)
    if cut is None:
        return
    at, lines, before, after = cut
    doc = halves.joined(path, text, halves.parse_half(path, text[:at], 0, 0, before),
                        halves.parse_half(path, text[at:], lines, before, after))
    if doc is None:
        return
    found = Problems(Path("."))
    whole = load_yaml(path, found, text=text)
    assert found.items == [] and whole is not None
    assert (doc.data, doc.marks, doc.key_marks, doc.text) == (whole.data, whole.marks, whole.key_marks, whole.text)
    assert all(doc.mark(keypath) == whole.mark(keypath) for keypath in [(), *whole.marks])


# --- Pagefind's records written by a forked child that then becomes Pagefind (forked_exec.py) -----

SEARCH_BUILD = """
import json, os, sys
from pathlib import Path
from explainer import forked_exec, pagefind, pipeline
from explainer.errors import BuildError
root, output, mode, fake = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], sys.argv[4]
children = []
class Spy(forked_exec.ForkedExec):
    def __init__(self, prepare, *args):
        super().__init__((lambda: 1 / 0) if "unwritten" in mode else prepare, *args)
        children.append(self.pid)
forked_exec.ForkedExec = Spy
pagefind._write_aside = lambda: not mode.startswith("popen")
if fake != "-":
    pagefind.executable = lambda: Path(fake)
warnings = []
try:
    warnings = [w.message for w in pipeline.build(root, output).warnings]
    problems = []
except BuildError as exc:
    problems = [p.format() for p in exc.problems]
def running(pid):
    try:
        return os.waitpid(pid, os.WNOHANG) == (0, 0)
    except ChildProcessError:
        return False
print(json.dumps({"children": len(children), "running": [p for p in children if running(p)],
                  "problems": problems, "warnings": warnings}))
"""


def build_search(root: Path, output: Path, mode: str, fake: Path | None = None) -> dict:
    return run_build_script(SEARCH_BUILD, root, output, mode, fake or "-")


def test_pagefind_started_by_a_forked_child_makes_the_same_index(root, tmp_path):
    """The records written by a child that then becomes Pagefind, or here before starting it: the same site."""
    assert build_search(root, tmp_path / "popen", "popen") == {"children": 0, "running": [], "problems": [],
                                                                "warnings": []}
    assert build_search(root, tmp_path / "forked", "forked") == {"children": 1, "running": [], "problems": [],
                                                                  "warnings": []}
    site = read_tree(tmp_path / "forked")
    assert site == read_tree(tmp_path / "popen") and "pagefind/pagefind.js" in site and "search.html" in site


def test_a_forked_pagefind_that_fails_leaves_the_site_without_search(root, tmp_path):
    """Records that cannot be written, or a Pagefind that fails, in the child: the warning of a failed
    Pagefind and a site without search, as without the child."""
    fake = tmp_path / "pagefind"
    fake.write_text("#!/bin/sh\necho 'index: disk on fire' >&2\nexit 3\n")
    fake.chmod(0o755)
    for mode in ("popen", "forked"):
        result = build_search(root, tmp_path / mode, mode, fake)
        assert result["warnings"] == ["Pagefind failed (index: disk on fire), so the site has no search"], mode
        assert not (tmp_path / mode / "search.html").exists()
    result = build_search(root, tmp_path / "unwritten", "forked-unwritten")
    assert result["warnings"] == ["Pagefind failed (ZeroDivisionError: division by zero), so the site has no search"]
    assert read_tree(tmp_path / "unwritten") == read_tree(tmp_path / "forked")
