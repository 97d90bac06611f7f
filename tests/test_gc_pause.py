"""A build pauses the cyclic garbage collector and always hands it back, ready for the next build."""

from __future__ import annotations

import gc

import pytest

from explainer import pipeline
from explainer.errors import BuildError


def test_the_collector_is_paused_during_a_build_and_resumed_after(project, monkeypatch):
    seen = []
    original = pipeline._check

    def spy(*args):
        seen.append(gc.isenabled())
        return original(*args)

    monkeypatch.setattr(pipeline, "_check", spy)
    pipeline.build(project.root, project.output)
    assert seen == [False]
    assert gc.isenabled()
    assert gc.get_freeze_count() > 0  # the build's objects, set aside
    pipeline.check(project.root)  # the next build first returns them to the collector
    assert gc.isenabled()


def test_a_failed_build_resumes_the_collector_too(project):
    project.edit("content/facts.yaml", "claim: Swaps", "clam: Swaps")
    with pytest.raises(BuildError):
        pipeline.build(project.root, project.output)
    assert gc.isenabled()


def test_checking_leaves_no_cycles_behind(project):
    """With the collector paused, anything in a reference cycle would stay until the build ends:
    nothing the check makes may be cyclic garbage (a loaded document is the whole file's data)."""
    gc.collect()
    gc.disable()
    try:
        pipeline._check(project.root, strict=False)
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        left = sorted({type(o).__name__ for o in gc.garbage})
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert left == []
