"""A build pauses the cyclic garbage collector and always hands it back, ready for the next build."""

from __future__ import annotations

import gc

import pytest

from explainer import pipeline
from explainer.errors import BuildError


def test_the_collector_is_paused_during_a_build_and_resumed_after(project, monkeypatch):
    seen = []
    original = pipeline._check

    def spy(root, strict):
        seen.append(gc.isenabled())
        return original(root, strict)

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
