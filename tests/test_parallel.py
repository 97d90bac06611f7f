"""Pages rendered by forked workers (explainer/parallel.py) are the same bytes as pages rendered in-process."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from explainer import parallel, pipeline
from explainer.errors import BuildError

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from generate import generate

SMALL_PAGES = "pagination: {facts_per_page: 10, events_per_page: 5, sources_per_page: 1}\n"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = generate(tmp_path / "project", 150)
    site = root / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8") + SMALL_PAGES, encoding="utf-8")
    return root


def build(root: Path, output: Path, monkeypatch, *, forked: bool, resident: int = 1):
    """A build with the pool forced on (2 workers, any page count) or off; counts the pools used."""
    pools = []
    original = parallel._in_workers

    def spy(*args):
        pools.append(args[3])
        return original(*args)

    monkeypatch.setattr(parallel, "_in_workers", spy)
    monkeypatch.setattr(parallel, "MIN_PAGES", 1 if forked else 10**9)
    monkeypatch.setattr(parallel, "MIN_CORES", 2)
    monkeypatch.setattr(parallel, "workers_available", lambda: 2 if forked else 1)
    monkeypatch.setattr(parallel, "_resident_bytes", lambda: resident)
    try:
        return pipeline.build(root, output), pools
    finally:
        monkeypatch.undo()


def test_forked_workers_give_the_same_bytes(root, tmp_path, monkeypatch):
    serial, none = build(root, tmp_path / "serial", monkeypatch, forked=False)
    forked, pools = build(root, tmp_path / "forked", monkeypatch, forked=True)
    assert none == [] and pools == [2]  # the pool was used only when asked for
    assert list(forked.pages) == list(serial.pages)  # same files, same order
    assert forked.pages == serial.pages
    assert len([name for name in serial.pages if name.startswith("facts-")]) > 5


def test_a_template_error_is_reported_the_same_from_a_worker(root, tmp_path, monkeypatch):
    facts = root / "templates" / "_facts.html"
    facts.write_text(facts.read_text(encoding="utf-8").replace("{{ fact.claim }}", "{{ fact.claim_typo }}"),
                     encoding="utf-8")
    found = []
    for forked in (False, True):
        with pytest.raises(BuildError) as exc:
            build(root, tmp_path / "out", monkeypatch, forked=forked)
        found.append([p.format() for p in exc.value.problems])
    assert found[0] == found[1]
    assert len(found[0]) == 1 and "_facts.html" in found[0][0] and "claim_typo" in found[0][0]


def test_a_small_site_is_rendered_in_process(tmp_path, monkeypatch):
    """The shipped story has two pages: no pool, whatever the cores."""
    pools = []
    monkeypatch.setattr(parallel, "_in_workers", lambda *args: pools.append(1))
    result = pipeline.build(Path(__file__).resolve().parent.parent, tmp_path / "out")
    assert pools == [] and "index.html" in result.pages


def test_no_workers_when_their_copies_would_not_fit_in_the_memory_budget(root, tmp_path, monkeypatch):
    """Each forked worker ends up with nearly a copy of the build's memory (it touches it rendering)."""
    _, pools = build(root, tmp_path / "big", monkeypatch, forked=True, resident=parallel.MEMORY_BUDGET // 2)
    assert pools == []
    _, pools = build(root, tmp_path / "small", monkeypatch, forked=True, resident=parallel.MEMORY_BUDGET // 3)
    assert pools == [2]


def test_two_cores_render_in_process(root, tmp_path, monkeypatch):
    """Measured: on two cores the workers' copying costs what they save (see parallel.MIN_CORES)."""
    pools = []
    monkeypatch.setattr(parallel, "_in_workers", lambda *args: pools.append(1))
    monkeypatch.setattr(parallel, "workers_available", lambda: 2)
    pipeline.build(root, tmp_path / "out")
    assert pools == []
