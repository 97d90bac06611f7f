"""axe-core (WCAG 2.2 A/AA) and the Nu HTML checker at zero on every HTML page of the shipped build."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
VNU = Path(__file__).resolve().parents[2] / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
OPEN_DETAILS = "document.querySelectorAll('details').forEach(d => { d.open = true; })"  # quotes in context


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [320, 1280])
def test_axe_finds_no_wcag_violations(browser: Browser, base_url: str, html_files: list[str],
                                      width: int, scheme: str) -> None:
    context = browser.new_context(base_url=base_url, viewport={"width": width, "height": 900},
                                  color_scheme=scheme)
    page = context.new_page()

    def visit(name: str) -> None:
        page.goto("/" + ("" if name == "index.html" else name))
        if page.locator("li.fact").count():  # check a highlighted, focused fact's colours too
            page.locator("a.cite").first.click()
        page.evaluate(OPEN_DETAILS)  # quotes in context

    reports = axe_reports(page, html_files, visit)
    context.close()
    assert not reports, "\n".join(f"{name} ({width}px, {scheme}):\n{report}" for name, report in reports.items())


def test_nu_html_checker_reports_no_errors(java: str, site: Path) -> None:
    """Every HTML page and the SVG icon; current vnu (npm vnu-jar), so current CSS is understood."""
    files = sorted(str(p) for p in site.rglob("*") if p.suffix in (".html", ".svg"))
    assert any(f.endswith("index.html") for f in files)
    errors, code = nu_errors(java, files, "--also-check-svg")
    assert errors == []
    assert code == 0


def axe_reports(page: Page, names: Iterable[str], visit: Callable[[str], None]) -> dict[str, str]:
    """axe-core (WCAG_TAGS) on each page ``visit(name)`` opens in ``page``: name → report, where it found any."""
    axe = Axe()
    reports = {}
    for name in names:
        visit(name)
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        if results.violations_count:
            reports[name] = results.generate_report()
    return reports


def nu_errors(java: str, files: list[str], *flags: str) -> tuple[list[str], int]:
    """The Nu checker's errors on ``files``, one line each (file:line: message), and its exit code."""
    result = subprocess.run([java, "-jar", str(VNU), "--errors-only", *flags, "--format", "json", *files],
                            capture_output=True, text=True, timeout=120, check=False)
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    errors = [f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m.get('message')}" for m in messages]
    return errors, result.returncode
