"""Runs the corpus: every broken case fails cleanly and leaves output/ alone; every hostile one is inert.

Most cases call the command line in-process (``cli.main``), which is what ``build.py`` runs; the
cases marked ``subprocess`` also go end to end through ``python build.py`` in a child process, and
every broken case is also a save in the preview (its incremental builder), which must report the same.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import make_project, tree_hash
from corpus import ERRORS, INERT, SIDE_EFFECT, Case, Inert, apply, expected, reseal
from html_safety import parse, problems

from explainer import cli

_BLOCK = re.compile(r"^(\S[^\n]*:\d+:\d+: (error|warning): [^\n]*)((?:\n    [^\n]*)*)", re.M)




def error_blocks(stderr: str) -> str:
    """The error reports (message and hint lines) in printed order, warnings left out."""
    return "\n".join(m.group(0) for m in _BLOCK.finditer(stderr) if m.group(2) == "error")


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A project built once successfully; each case starts from a copy of it, output/ included."""
    root = tmp_path_factory.mktemp("good") / "site"
    make_project(root)
    assert cli.main(["build", "--project", str(root)]) == 0
    return root, tree_hash(root / "output")


def prepare(good: tuple[Path, str], tmp_path: Path, case: Case | Inert) -> Path:
    root = tmp_path / "site"
    shutil.copytree(good[0], root, symlinks=True)
    apply(root, case.files)
    if isinstance(case, Case) and case.setup:
        case.setup(root)
    if isinstance(case, Inert) and case.extra_seed:
        with open(root / "seeds" / "a.txt", "a", encoding="utf-8") as seed:
            seed.write(case.extra_seed)
        reseal(root, "a.txt")
    return root



@pytest.mark.parametrize("case", ERRORS, ids=[c.id for c in ERRORS])
def test_broken_content_fails_cleanly_and_keeps_the_previous_site(
    case: Case, good: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = prepare(good, tmp_path, case)
    capsys.readouterr()
    code = cli.main(["build", "--project", str(root)])
    err = capsys.readouterr().err
    assert code == 1, err
    assert "Traceback" not in err
    assert error_blocks(err) == expected(case), err
    assert re.search(r"^build failed: \d+ error\(s\)(, \d+ warning\(s\))?; nothing was written$", err, re.M)
    assert tree_hash(root / "output") == good[1], "the previous output/ changed"
    assert not list(root.glob(".output-*")), "a staging directory was left behind"
    assert not Path(SIDE_EFFECT).exists(), "a YAML tag ran a command"


@contextlib.contextmanager
def _fails_after(seconds: int) -> Iterator[None]:
    """A build that hangs (reading a FIFO waits for a writer forever) fails the test instead."""
    def stop(_signum: int, _frame: object) -> None:
        raise TimeoutError(f"the build still ran after {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("case", ERRORS, ids=[c.id for c in ERRORS])
def test_the_preview_reports_each_broken_case_as_a_cold_build_does(
    case: Case, good: tuple[Path, str], tmp_path: Path
) -> None:
    """A save that breaks the content in `serve`: the preview's builder (incremental.py), which read
    the good project once already, reports exactly the errors a cold build reports, and returns
    (a FIFO put in a content file's place hung the preview, which read it to hash it)."""
    from explainer.errors import BuildError
    from explainer.incremental import IncrementalBuilder

    root = tmp_path / "site"
    shutil.copytree(good[0], root, symlinks=True)
    builder = IncrementalBuilder()
    builder.build(root, tmp_path / "preview")
    apply(root, case.files)
    if case.setup:
        case.setup(root)
    with pytest.raises(BuildError) as failed, _fails_after(60):
        builder.build(root, tmp_path / "preview")
    errors = "\n".join(p.format() for p in failed.value.problems if p.severity == "error")
    assert errors == expected(case)
    assert not Path(SIDE_EFFECT).exists(), "a YAML tag ran a command"


SUBPROCESS = [c for c in ERRORS if c.subprocess]


@pytest.mark.parametrize("case", SUBPROCESS, ids=[c.id for c in SUBPROCESS])
def test_broken_content_end_to_end(case: Case, good: tuple[Path, str], tmp_path: Path) -> None:
    """The same, through `python build.py` in a child process: exit code, stderr and the tree on disk."""
    from conftest import Project

    root = prepare(good, tmp_path, case)
    result = Project(root).run("build")
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert error_blocks(result.stderr) == expected(case), result.stderr
    assert result.stdout == ""
    assert tree_hash(root / "output") == good[1]
    assert not Path(SIDE_EFFECT).exists()


@pytest.mark.parametrize("case", INERT, ids=[c.id for c in INERT])
def test_dangerous_but_legal_content_is_rendered_inert(
    case: Inert, good: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = prepare(good, tmp_path, case)
    capsys.readouterr()
    code = cli.main(["build", "--project", str(root)])
    err = capsys.readouterr().err
    assert code == 0, err
    html = (root / "output" / "index.html").read_text(encoding="utf-8")
    assert problems(html, case.markers) == []
    text = parse(html).text
    for shown in case.shown:
        assert shown in text, f"{shown[:80]!r} is not on the page as text"
    # The page has markup of its own (script file, JSON-LD, inlined style, SVG charts): the payload must add none.
    cells = {v for row in csv.reader(io.StringIO((root / "output" / "facts.csv").read_text("utf-8"), newline=""))
             for v in row}
    for text in case.csv_cells:  # neutralised for spreadsheets (OWASP), exact in the JSON
        assert "'" + text in cells and text not in cells, f"{text!r} reached facts.csv as a live formula"
        assert json.dumps(text, ensure_ascii=False) in (root / "output" / "facts.json").read_text("utf-8")
    baseline = (good[0] / "output" / "index.html").read_text(encoding="utf-8")
    for absent in case.absent:
        assert html.count(absent) <= baseline.count(absent), f"{absent!r} reached the page source"


def test_citation_in_a_link_address_stays_out_of_the_attribute(good: tuple[Path, str], tmp_path: Path) -> None:
    """`[[id]]` inside a link's address or a code span is not a citation link, and breaks no markup."""
    case = next(c for c in INERT if c.id == "citation-inside-a-link-address")
    root = prepare(good, tmp_path, case)
    assert cli.main(["build", "--project", str(root)]) == 0
    page = parse((root / "output" / "index.html").read_text(encoding="utf-8"))
    hrefs = [dict(e.attrs).get("href") for e in page.elements if e.tag == "a"]
    assert "https://example.org/[[sbu-102]]" in hrefs
    assert not [h for h in hrefs if h and "<" in h]


def test_corpus_covers_what_the_issue_lists() -> None:
    ids = {c.id for c in ERRORS} | {c.id for c in INERT}
    for needed in ("tab-indentation", "unclosed-quote", "bad-indentation", "duplicate-key", "list-where-text",
                   "number-as-id", "missing-claim", "unknown-key-did-you-mean", "february-30", "month-13",
                   "duplicate-fact-id", "unknown-source", "unknown-fact-in-summary", "quote-not-in-source",
                   "empty-quote", "empty-file", "not-utf8", "byte-order-mark", "very-large-file", "archive-dot-dot",
                   "archive-absolute", "archive-symlink-out", "archive-missing", "python-object-apply",
                   "billion-laughs", "markup-in-markdown-summary", "url-javascript", "url-data", "url-vbscript",
                   "jinja-syntax-in-content", "template-unknown-variable", "template-syntax-error",
                   "edtf-unknown-notation", "edtf-reversed-span", "edtf-impossible-day-in-span",
                   "edtf-not-a-leap-year", "said-reversed-span", "as-of-impossible-day"):
        assert needed in ids
    assert len(ERRORS) >= 40
