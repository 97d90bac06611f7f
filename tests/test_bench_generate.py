"""The benchmark's synthetic content is valid: it builds cleanly, with nothing unused."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.conftest import Project

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from generate import Writer, generate


def test_generated_content_builds_without_errors_or_warnings(tmp_path):
    project = Project(generate(tmp_path / "p", 150))
    checked = project.run("check")
    assert checked.returncode == 0, checked.stderr
    assert checked.stderr == ""  # no warning: every fact and source is used
    assert "ok: 150 facts, 3 sources" in checked.stdout
    built = project.run()
    assert built.returncode == 0, built.stderr
    html = "".join(p.read_text(encoding="utf-8") for p in project.output.glob("*.html")
                   if p.name != "explainer-en.html")  # the offline edition repeats every fact
    assert html.count('class="fact"') == 150


def test_quotes_are_typed_plainly_where_the_archive_is_typographic(tmp_path):
    root = generate(tmp_path / "p", 150)
    seeds = "".join(p.read_text(encoding="utf-8") for p in (root / "seeds").glob("*.txt"))
    facts = (root / "content" / "facts.yaml").read_text(encoding="utf-8")
    assert "\u2019" in seeds and "\u2014" in seeds  # the normalisation is exercised
    assert "\u2019" not in facts and "\u2014" not in facts


def test_generation_is_deterministic():
    assert Writer(300, seed=1).build() == Writer(300, seed=1).build()
    assert Writer(300, seed=1).build() != Writer(300, seed=2).build()


def test_the_stage_timer_runs_the_pipeline_as_a_build_does(tmp_path):
    """bench/stages.py repeats pipeline.render's steps by hand: it broke twice when they changed."""
    import subprocess

    stages = Path(__file__).resolve().parent.parent / "bench" / "stages.py"
    done = subprocess.run([sys.executable, str(stages), "--facts", "150", "--runs", "1"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "150 generated facts" in done.stdout
    assert "render: templates, facts list pages" in done.stdout
    assert "pipeline.build, whole" in done.stdout
