"""axe-core and the Nu HTML checker at zero on a site whose lists are split into pages.

The shipped explainer is below every pagination threshold, so the list pages, the front page's
lists of pages and the pager are checked here on a small project forced to split everything.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from explainer.pipeline import build
from tests.browser.test_standards import axe_reports, nu_errors
from tests.conftest import MINIMAL, make_project, serve_folder

pytestmark = pytest.mark.browser

SPLIT = "        pagination: {facts_per_page: 1, events_per_page: 1, sources_per_page: 1}\n"


@pytest.fixture(scope="module")
def split_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("split") / "site"
    project = make_project(root, {"site.yaml": MINIMAL["site.yaml"].rstrip(" ") + SPLIT})
    output = root / "output"
    build(project.root, output)
    assert (output / "facts-2025.html").is_file() and (output / "timeline-2024.html").is_file()
    return output


@pytest.fixture(scope="module")
def split_url(split_site: Path) -> Iterator[str]:
    with serve_folder(split_site) as url:
        yield url


@pytest.mark.parametrize(("width", "scheme"), [(320, "light"), (1280, "dark")])
def test_axe_finds_no_wcag_violations_on_split_pages(browser: Browser, split_site: Path, split_url: str,
                                                     width: int, scheme: str) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    reports = axe_reports(page, [p.name for p in sorted(split_site.glob("*.html"))],
                          lambda name: page.goto(split_url + name))
    context.close()
    assert not reports, "\n".join(f"{name} ({width}px, {scheme}):\n{report}" for name, report in reports.items())


def test_nu_html_checker_reports_no_errors_on_split_pages(java: str, split_site: Path) -> None:
    files = sorted(str(p) for p in split_site.glob("*.html"))
    assert len(files) > 5
    errors, code = nu_errors(java, files)
    assert errors == []
    assert code == 0
