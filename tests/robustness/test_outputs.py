"""Runs the output corpus (outputs.py): refused targets and failing disks, each with its exact message.

Also the targets a build may replace: an empty folder, a folder it built (marked), and an
``output/`` built before the marker existed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import make_project, tree_hash
from outputs import CASES, OutputCase

from explainer import cli
from explainer.write import LEGACY_FILES, MARKER


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project built once successfully; each case starts from a copy of its scratch folder."""
    base = tmp_path_factory.mktemp("outputs")
    make_project(base / "site")
    assert cli.main(["build", "--project", str(base / "site")]) == 0
    return base


def snapshot(base: Path) -> dict[str, str]:
    """A hash of every folder in the scratch area, the project's sources and output/ included."""
    return {p.name: tree_hash(p) for p in base.iterdir() if p.is_dir() and not p.is_symlink()} | {
        f"site/{p.name}": tree_hash(p) for p in (base / "site").iterdir() if p.is_dir()}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_an_unusable_output_is_refused_in_one_line_and_nothing_is_lost(
    case: OutputCase, good: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    base = tmp_path / "scratch"
    shutil.copytree(good, base, symlinks=True)
    if case.setup:
        case.setup(base)
    before = snapshot(base)
    monkeypatch.chdir(base)
    if case.fault:
        case.fault(monkeypatch)
    capsys.readouterr()
    code = cli.main(["build", "--project", "site", "--output", case.output])
    err = capsys.readouterr().err
    monkeypatch.undo()
    assert code == case.code, err
    expect = case.expect.format(out=case.output, base=base.resolve())
    assert err.rstrip("\n") == expect
    assert "internal error" not in err and "Traceback" not in err
    assert snapshot(base) == before, "a folder changed"
    assert not list(base.rglob(".output-*")), "a staging folder was left behind"


def built_into(good: Path, output: Path) -> int:
    return cli.main(["build", "--project", str(good / "site"), "--output", str(output)])


def test_an_empty_folder_is_fine(good: Path, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert built_into(good, tmp_path / "empty") == 0
    assert (tmp_path / "empty" / "index.html").is_file() and (tmp_path / "empty" / MARKER).is_file()


def test_an_output_built_before_the_marker_existed_is_replaced(good: Path, tmp_path: Path) -> None:
    """The output/ an editor already has (no marker yet) builds as before: no `rm -r output` needed."""
    legacy = tmp_path / "output"
    shutil.copytree(good / "site" / "output", legacy)
    (legacy / MARKER).unlink()
    assert sorted(LEGACY_FILES) == sorted(n for n in LEGACY_FILES if (legacy / n).is_file())
    (legacy / "stale.html").write_text("from an old build")
    assert built_into(good, legacy) == 0
    assert (legacy / MARKER).is_file() and not (legacy / "stale.html").exists()


def test_a_marked_folder_is_replaced_on_every_build(good: Path, tmp_path: Path) -> None:
    out = tmp_path / "public"
    assert built_into(good, out) == 0
    first = out.stat().st_ino
    assert built_into(good, out) == 0
    assert out.stat().st_ino != first
    assert tree_hash(out) == tree_hash(good / "site" / "output"), "same content, same bytes"


def test_the_corpora_name_each_class_of_issue_16() -> None:
    """Never touch what is not ours, never read outside the project, never a live formula, never exit 70."""
    from corpus import ERRORS, INERT

    ids = {c.id for c in ERRORS} | {c.id for c in INERT} | {c.id for c in CASES}
    for needed in ("output-is-git", "output-is-someone-elses-folder", "output-inside-content", "static-link-out",
                   "template-link-out", "summary-link-out", "seeds-folder-link-out", "symlink-loop-in-static",
                   "formula-in-csv-fields", "disk-full", "read-only-parent", "output-is-a-mount-point",
                   "output-symlink-loop", "output-parent-is-a-file"):
        assert needed in ids
