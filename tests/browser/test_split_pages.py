"""axe-core and the Nu HTML checker at zero on a site whose lists are split into pages.

The shipped explainer is below every pagination threshold, so the list pages, the front page's
lists of pages and the pager are checked here on a small project forced to split everything.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser

from explainer.pipeline import build
from tests.browser.test_standards import VNU, WCAG_TAGS
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
    axe = Axe()
    reports = {}
    for path in sorted(split_site.glob("*.html")):
        page.goto(split_url + path.name)
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        if results.violations_count:
            reports[path.name] = results.generate_report()
    context.close()
    assert not reports, "\n".join(f"{name} ({width}px, {scheme}):\n{report}" for name, report in reports.items())


def test_nu_html_checker_reports_no_errors_on_split_pages(java: str, split_site: Path) -> None:
    files = sorted(str(p) for p in split_site.glob("*.html"))
    assert len(files) > 5
    result = subprocess.run([java, "-jar", str(VNU), "--errors-only", "--format", "json", *files],
                            capture_output=True, text=True, timeout=120, check=False)
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    assert [f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m.get('message')}" for m in messages] == []
    assert result.returncode == 0
