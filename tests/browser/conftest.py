"""Browser tests: one build of the shipped explainer, served on 127.0.0.1, driven by Debian's chromium.

Missing tools (chromium, java, the npm vnu-jar) skip these tests with a reason on a developer's
machine; under CI=true they fail instead, so CI can never pass by skipping.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import require

from explainer.pipeline import build

REPO = Path(__file__).resolve().parents[2]
VNU = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
SCREENSHOTS = REPO / "test-results" / "screenshots"




@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped explainer (this repository's content), built once for the whole session."""
    output = tmp_path_factory.mktemp("shipped") / "output"
    build(REPO, output)
    return output


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the built site like a static host: 404.html for unknown paths, no log noise."""

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


@pytest.fixture(scope="session")
def server(site: Path) -> Iterator[str]:
    """http://127.0.0.1:PORT/ serving the built site, on a free port, for the whole session."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Handler, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="session")
def base_url(server: str) -> str:
    """pytest-playwright's base_url, so tests can goto("/")."""
    return server


@pytest.fixture(scope="session")
def html_files(site: Path) -> list[str]:
    """Every HTML page of the build, relative to the site root."""
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


@pytest.fixture(scope="session")
def java() -> str:
    path = shutil.which("java")
    require(path is not None, "java not found (the Nu HTML checker needs it)")
    require(VNU.is_file(), f"{VNU.relative_to(REPO)} not found: run `npm ci` (vnu-jar is pinned in package.json)")
    return path  # type: ignore[return-value]


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Where screenshots go (git-ignored), so people can look at the page as readers see it."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
