"""Shared fixtures: scratch projects built in tmp_path from inline strings, a CLI runner, and `refused`
for a project the build must refuse with an exact error at path:line:col."""

from __future__ import annotations

import functools
import hashlib
import http.server
import os
import shutil
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Flags that keep Debian's chromium from reaching for the (closed) network at start-up.
CHROMIUM_FLAGS = ["--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--no-first-run", "--disable-quic", "--disable-gpu"]

SEED = (
    "Ukraine’s SBU stated that its commandos captured no fewer than 102 Russian conscripts on Wednesday alone. "
    "The numbers exchanged in these swaps could range from 50 to 95 soldiers.\n"
    "Ukrainian forces captured 971 Russian soldiers during a months-long offensive — the General Staff said.\n"
)

SEED_SHA256 = hashlib.sha256(SEED.encode("utf-8")).hexdigest()  # the sha256 article-a records

MINIMAL = {
    "site.yaml": """\
        title: Test explainer
        description: A small explainer used by the tests.
        language: en
        base_url: https://example.org/test/
        updated: 2025-06-01
        topics:
          - {id: captures, label: Captures}
          - {id: exchanges, label: Exchanges}
        charts:
          - {series: captured, title: Prisoners captured, description: Reported captures over time.}
        """,
    "content/sources.yaml": f"""\
        - id: article-a
          title: Article A
          publisher: The Test Gazette
          author: null
          published: 2025-05-26
          url: https://example.org/a
          retrieved: null
          archive: a.txt
          label: the Test Gazette
          sha256: {SEED_SHA256}
        """,
    "content/facts.yaml": """\
        - id: sbu-102
          claim: SBU commandos captured at least 102 Russian soldiers on a Wednesday.
          attribution: the SBU
          date: 2024-08
          approximate: true
          date_note: The article dates it only as "Wednesday".
          topics: [captures]
          citations:
            - source: article-a
              quote: "its commandos captured no fewer than 102 Russian conscripts"
          figure: {series: captured, value: 102, qualifier: at least, label: "SBU, one day"}
        - id: swap-sizes
          claim: Swaps exchanged between 50 and 95 soldiers.
          attribution: the Test Gazette
          date: 2024
          topics: [exchanges]
          citations:
            - source: article-a
              quote: "could range from 50 to 95 soldiers"
        - id: general-staff-971
          claim: Ukrainian forces captured 971 Russian soldiers.
          attribution: Ukraine's General Staff
          date: "2025-05-25"
          topics: [captures]
          citations:
            - source: article-a
              quote: "captured 971 Russian soldiers during a months-long offensive - the General Staff said"
        """,
    "content/timeline.yaml": """\
        - date: 2025-05-25
          title: General Staff statement
          text: The General Staff gave its **total**.
          facts: [general-staff-971]
        - date: 2024-08
          approximate: true
          title: SBU captures
          text: Mass captures reported.
          facts: [sbu-102]
        """,
    "content/comparisons.yaml": """\
        - id: captures-changed
          kind: change
          title: Captures over time
          text: The count grew.[[sbu-102]]
          facts: [sbu-102, general-staff-971]
        """,
    "content/glossary.yaml": """\
        - id: sbu
          term: SBU
          definition: Ukraine's security service, as named in the article.
          facts: [sbu-102]
        """,
    "content/summaries/01-intro.md": """\
        ---
        title: What happened
        order: 1
        ---
        Ukraine's General Staff says 971 were captured.[[general-staff-971]]

        Swaps were small.[[swap-sizes]][[sbu-102]]
        """,
}


def tree_hash(folder: Path) -> str:
    """One hash over every path and byte under ``folder``: equal hashes mean identical trees."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


@dataclass
class Project:
    root: Path

    def write(self, rel: str, text: str) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def edit(self, rel: str, old: str, new: str) -> None:
        path = self.root / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {rel}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    def add_source(self, source_id: str, archive: str, text: str | None = None, label: str = "B") -> None:
        """Append a source to sources.yaml (line 11 onwards); its archive written unless ``text`` is None."""
        digest = hashlib.sha256((text or "").encode("utf-8")).hexdigest()
        if text is not None:
            self.write(f"seeds/{archive}", text)
        with open(self.root / "content" / "sources.yaml", "a", encoding="utf-8") as f:
            f.write(f"- {{id: {source_id}, title: B, publisher: null, author: null, published: null, url: null,"
                    f" retrieved: null, archive: '{archive}', label: {label}, sha256: {digest}}}\n")

    def run(self, *args: str, output: Path | None = None) -> subprocess.CompletedProcess:
        cmd = [sys.executable, str(REPO / "build.py"), *args, "--project", str(self.root)]
        if output is not None:
            cmd += ["--output", str(output)]
        return subprocess.run(cmd, capture_output=True, text=True, cwd=self.root, timeout=120)

    @property
    def output(self) -> Path:
        return self.root / "output"


@pytest.fixture(scope="session")
def base_url() -> None:
    """No base address for Playwright's pages (tests/browser/ gives its own server's): this one stands
    for pytest-playwright's fallback fixture, a method of a class, which pytest 9 warns will stop working."""
    return None


def make_project(root: Path, files: dict[str, str] | None = None) -> Project:
    """A complete small project: the repo's templates and static files plus MINIMAL content."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copytree(REPO / "static", root / "static")
    (root / "seeds").mkdir()
    (root / "seeds" / "a.txt").write_text(SEED, encoding="utf-8")
    project = Project(root)
    for rel, text in {**MINIMAL, **(files or {})}.items():
        if text is not None:
            project.write(rel, text)
    return project


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return make_project(tmp_path / "site")


@pytest.fixture
def run(project: Project, capsys: pytest.CaptureFixture[str]):
    """`build.py COMMAND` (default build) on the scratch project, in-process: (exit code, stderr)."""
    from explainer.cli import main

    def _run(*args: str) -> tuple[int, str]:
        code = main([*(args or ("build",)), "--project", str(project.root)])
        return code, capsys.readouterr().err
    return _run


@pytest.fixture
def refused(run):
    """`run`, expecting the project refused: exit 1 and exactly this error at ``where`` (path:line:col).

    ``hint`` None checks the message alone (as a prefix); ``alone`` also checks no other error is
    reported. Returns stderr for whatever else a test checks.
    """

    def _refused(where: str, message: str, hint: str | None = None, *, command: tuple[str, ...] = (),
                 alone: bool = False) -> str:
        code, err = run(*command)
        assert code == 1, err
        expected = f"{where}: error: {message}" + ("" if hint is None else f"\n    hint: {hint}\n")
        assert expected in err, err
        if alone:
            assert err.count("error:") == 1, err
        return err
    return _refused


class StaticHost(http.server.SimpleHTTPRequestHandler):
    """Serves a folder like a static host: only under ``prefix`` (a site published at
    example.org/kursk/), 404.html for unknown paths when the site has one, no log noise."""

    prefix = "/"

    def translate_path(self, path: str) -> str:
        if not path.startswith(self.prefix):
            return str(Path(self.directory) / "__outside_the_site__")
        return super().translate_path("/" + path[len(self.prefix):])

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


@contextmanager
def serve_folder(directory: Path, prefix: str = "/") -> Iterator[str]:
    """``http://127.0.0.1:PORT{prefix}`` serving ``directory`` on a free port until the block ends.

    The one way the tests serve a built site statically (the browser tests, the XSS site, the
    split pages, hosting under a sub-path); the live preview has its own server.
    """
    handler = functools.partial(type("Host", (StaticHost,), {"prefix": prefix}), directory=str(directory))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}{prefix}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def require(available: bool, reason: str) -> None:
    """Skip locally with a visible reason; fail under CI=true, where every tool must be present."""
    if available:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: a missing tool is a failure; scripts/test-tools.sh installs it)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Debian's chromium for every Playwright test (Playwright cannot download browsers here)."""
    require(Path(CHROMIUM).exists(), f"chromium not found at {CHROMIUM} (install Debian's chromium; see CHROMIUM_PATH)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_FLAGS}
