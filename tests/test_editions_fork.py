"""The other editions rendered by a forked child (pipeline.py, parallel.Forked) are the same as in-process.

Each build runs in a fresh interpreter, with the child forced on or off (the machine may have one
core, and the test session other threads): the same files, byte for byte, and the same warnings
and errors in the same order, whether the mistake is in the original, in the other edition only,
or in what the child does when it fails.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from _languages_fixture import UK
from conftest import REPO, make_project

from explainer import write

# A build with the editions' child forced on ("fork") or off ("serial"); "dies" and "raises" make
# the child fail (killed, or an exception in it) after a fork, so the build renders the edition itself.
BUILD = """
import json, os, sys
from pathlib import Path
from explainer import editions, parallel, pipeline
from explainer.errors import BuildError
root, output, mode = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
parent, children = os.getpid(), []
parallel.can_fork_child = lambda: mode != "serial"
started = parallel.Forked.__init__
def spy(self, work):
    children.append(1)
    started(self, work)
parallel.Forked.__init__ = spy
render_other = editions.render_other
def failing(*args):
    if os.getpid() != parent and mode == "dies":
        os._exit(3)
    if os.getpid() != parent and mode == "raises":
        raise RuntimeError("in the child")
    if os.environ.get("EDITION_BUG"):
        raise RuntimeError("a bug in the edition")
    return render_other(*args)
editions.render_other = failing
if os.environ.get("EARLY_LOG"):  # the names of the files written before the build's end, one line each
    from explainer import write
    add, write_file, adding = write.Staging.add, write._write_file, []
    def logged_add(self, pages):
        adding.append(self.folder)
        try:
            add(self, pages)
        finally:
            adding.pop()
    def logged_write(path, data):
        if adding:
            with open(os.environ["EARLY_LOG"], "a", encoding="utf-8") as log:
                log.write(path.relative_to(adding[-1]).as_posix() + chr(10))
        write_file(path, data)
    write.Staging.add, write._write_file = logged_add, logged_write
try:
    result = pipeline.build(root, output)
    problems = [p.format() for p in result.warnings]
    failed = False
except BuildError as exc:
    problems = [p.format() for p in exc.problems]
    failed = True
except RuntimeError as exc:
    problems, failed = [f"bug: {exc}"], True
print(json.dumps({"children": len(children), "problems": problems, "failed": failed}))
"""


def build(root: Path, output: Path, mode: str, env: dict[str, str] | None = None) -> dict:
    done = subprocess.run([sys.executable, "-c", BUILD, str(root), str(output), mode], cwd=REPO,
                          capture_output=True, text=True, timeout=300, env={**os.environ, **(env or {})})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def read_tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def both(root: Path, tmp_path: Path) -> tuple[dict, dict]:
    """The build with the child and without it; asserts the child was used only where forced."""
    forked, serial = build(root, tmp_path / "forked", "fork"), build(root, tmp_path / "serial", "serial")
    assert (forked["children"], serial["children"]) == (1, 0)
    return forked, serial


def test_the_shipped_explainer_is_the_same_bytes_from_a_child(tmp_path):
    forked, serial = both(REPO, tmp_path)
    assert forked == {**serial, "children": 1}
    assert not serial["failed"]
    files = read_tree(tmp_path / "forked")
    assert files == read_tree(tmp_path / "serial")
    assert "uk/index.html" in files and "uk/explainer-uk.html" in files


def test_the_original_edition_is_written_while_the_child_renders_the_others(tmp_path):
    """Its files go into the staging folder while the build waits for the child, each once; the
    front page and _headers, which the other editions change, wait for the end. The same site."""
    logs = {mode: tmp_path / f"{mode}.log" for mode in ("fork", "serial")}
    for mode, log in logs.items():
        build(REPO, tmp_path / mode, mode, {"EARLY_LOG": str(log)})
    early = logs["fork"].read_text(encoding="utf-8").splitlines()
    assert not logs["serial"].exists()  # no child, nothing to wait for: all written at the end
    assert len(early) == len(set(early))
    site = read_tree(tmp_path / "fork")
    assert site == read_tree(tmp_path / "serial")
    assert set(early) <= set(site)
    assert not [name for name in early if name.startswith("uk/") or "-uk." in name]  # the child's
    assert not {"index.html", "sitemap.xml", "_headers"} & set(early)
    top = {name for name in site if "/" not in name and name.endswith((".html", ".json", ".csv", ".xml"))}
    assert top - set(early) == {"index.html", "sitemap.xml"}


def test_warnings_of_both_editions_come_in_the_serial_order(tmp_path):
    root = make_project(tmp_path / "site", UK).root  # partly translated: warnings from check and render
    (root / "site.yaml").write_text((root / "site.yaml").read_text(encoding="utf-8").replace(
        "languages: [en, uk]", "languages: [en, uk, pl]"), encoding="utf-8")  # pl: no catalog, a render warning
    forked, serial = both(root, tmp_path)
    assert forked == {**serial, "children": 1}
    assert any("there is no catalog for 'pl'" in p for p in serial["problems"])
    assert read_tree(tmp_path / "forked") == read_tree(tmp_path / "serial")


def test_an_error_in_the_other_edition_only_is_reported_the_same(tmp_path):
    site = make_project(tmp_path / "site", UK)
    # found in rendering (a catalog is read by the check stage, before any child): in the child
    site.write("content/summaries/uk/01-intro.md", "---\ntitle: Що сталося\norder: 1\n---\n"
               "Текст.[[general-staff-971]][[swap-sizes]][[sbu-102]]\n\n" + "*a* " * 600 + "[[sbu-102]]\n")
    forked, serial = both(site.root, tmp_path)
    assert forked == {**serial, "children": 1}
    assert serial["failed"]
    assert any(p.startswith("content/summaries/uk/01-intro.md:7:1: error: the paragraph holds 1200 Markdown marks")
               for p in serial["problems"]), serial["problems"]
    assert not (tmp_path / "forked").exists() and not (tmp_path / "serial").exists()
    # The forked build had written the original edition's files early: their staging folder is gone too.
    assert not [name for name in os.listdir(tmp_path) if name.startswith(write._PREFIX)]


@pytest.mark.parametrize("where", ["other edition", "both editions"])
def test_a_template_error_is_reported_the_same(tmp_path, where):
    site = make_project(tmp_path / "site", UK)
    base = site.root / "templates" / "base.html"
    typo = "{{ no_such_variable }}"
    if where == "other edition":
        typo = "{% if translation_of %}" + typo + "{% endif %}"
    text = base.read_text(encoding="utf-8")
    base.write_text(text.replace("<body", typo + "<body", 1), encoding="utf-8")
    forked, serial = both(site.root, tmp_path)
    assert forked == {**serial, "children": 1}
    assert serial["failed"]
    assert any("template error: 'no_such_variable' is undefined" in p for p in serial["problems"])


@pytest.mark.parametrize("mode", ["dies", "raises"])
def test_a_child_that_fails_leaves_the_edition_to_the_build(tmp_path, mode):
    """Killed or raising, the child answers nothing: the build renders the edition itself."""
    site = make_project(tmp_path / "site", UK)
    failed, serial = build(site.root, tmp_path / "failed", mode), build(site.root, tmp_path / "serial", "serial")
    assert failed == {**serial, "children": 1}
    assert read_tree(tmp_path / "failed") == read_tree(tmp_path / "serial")


def test_a_bug_in_the_other_edition_surfaces_as_without_a_child(tmp_path):
    """The child's exception is not lost: the build renders the edition itself and meets the same bug."""
    site = make_project(tmp_path / "site", UK)
    bug = {"EDITION_BUG": "1"}
    forked = build(site.root, tmp_path / "forked", "fork", bug)
    serial = build(site.root, tmp_path / "serial", "serial", bug)
    assert forked == {**serial, "children": 1}
    assert serial == {"children": 0, "problems": ["bug: a bug in the edition"], "failed": True}
    assert not (tmp_path / "forked").exists()


def test_no_child_without_a_spare_core_or_with_threads(monkeypatch):
    from explainer import parallel

    monkeypatch.setattr(parallel, "workers_available", lambda: 1)
    assert not parallel.can_fork_child()
    monkeypatch.setattr(parallel, "workers_available", lambda: 2)
    monkeypatch.setattr(parallel, "_load", lambda: 2.0)  # both cores busy already
    assert not parallel.can_fork_child()
    monkeypatch.setattr(parallel, "_load", lambda: 1.2)
    monkeypatch.setattr(parallel.threading, "active_count", lambda: 2)
    assert not parallel.can_fork_child()
    monkeypatch.setattr(parallel.threading, "active_count", lambda: 1)
    monkeypatch.setattr(parallel, "_resident_bytes", lambda: parallel.MEMORY_BUDGET)
    assert not parallel.can_fork_child()
    monkeypatch.setattr(parallel, "_resident_bytes", lambda: 1)
    assert parallel.can_fork_child()


def test_a_large_file_comes_back_from_the_child_on_disk(monkeypatch):
    """A file past write.SPILL_BYTES waits on disk in the parent as it did in the child."""
    from explainer import parallel

    monkeypatch.setattr(write, "SPILL_BYTES", 10)
    sink = write.Sink()
    sink.write(b"x" * 25)
    big = sink.value()
    assert isinstance(big, write.OnDisk)
    done = parallel.Forked(lambda: ({"small.txt": b"tiny", "big.json": big}, ["extra"])).result()
    assert done is not None
    files, extra = done
    assert extra == ["extra"] and files["small.txt"] == b"tiny"
    assert isinstance(files["big.json"], write.OnDisk) and bytes(files["big.json"]) == b"x" * 25
