"""Browser tests: one build of the shipped explainer, served on 127.0.0.1, driven by Debian's chromium.

Missing tools (chromium, java, the npm vnu-jar) skip these tests with a reason on a developer's
machine; under CI=true they fail instead, so CI can never pass by skipping.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import require, serve_folder

from explainer.pipeline import build

REPO = Path(__file__).resolve().parents[2]
VNU = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"




@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped explainer (this repository's content), built once for the whole session."""
    output = tmp_path_factory.mktemp("shipped") / "output"
    build(REPO, output)
    return output


@pytest.fixture(scope="session")
def server(site: Path) -> Iterator[str]:
    """http://127.0.0.1:PORT/ serving the built site, on a free port, for the whole session."""
    with serve_folder(site) as url:
        yield url


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
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go, so people can look at the page as readers see it: pytest's temporary
    folder (``/tmp/pytest-of-USER/pytest-current/screenshots/`` after a run), never the repository."""
    return tmp_path_factory.mktemp("screenshots", numbered=False)
