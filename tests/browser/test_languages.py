"""The Ukrainian edition in a real browser (Debian's chromium): axe and the Nu checker at zero on its
front page, a list page, an embed, the search page and the offline file; the language switch works
without JavaScript and by keyboard.

The project is the two-language test fixture (tests/_languages_fixture.py), partly translated on
purpose so untranslated, marked text is on the pages checked; its facts are split into pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from _languages_fixture import UK
from conftest import make_project, serve_folder
from playwright.sync_api import Browser, expect

from explainer.pipeline import build
from tests.browser.test_standards import OPEN_DETAILS, axe_reports, nu_errors

pytestmark = pytest.mark.browser
SPLIT = UK["site.yaml"].replace("updated: 2025-06-01\n", "updated: 2025-06-01\n        offline: true\n"
                                "        pagination: {facts_per_page: 2}\n")


@pytest.fixture(scope="module")
def edition(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("languages-browser") / "site"
    make_project(root, {**UK, "site.yaml": SPLIT})
    build(root, root / "output")
    return root / "output"


@pytest.fixture(scope="module")
def served(edition: Path) -> Iterator[str]:
    with serve_folder(edition) as url:
        yield url


def pages(edition: Path) -> list[str]:
    """The Ukrainian edition's pages a reader opens: front page, each list page, the embeds, search, offline."""
    uk = edition / "uk"
    names = ["index.html", *sorted(p.name for p in uk.glob("facts-*.html")), "embed/timeline.html",
             *sorted(f"embed/{p.name}" for p in (uk / "embed").glob("comparison-*.html")), "embed.html",
             "explainer-uk.html"]
    if (uk / "search.html").exists():
        names.append("search.html")
    return ["uk/" + name for name in names]


def test_the_ukrainian_pages_exist(edition: Path) -> None:
    found = pages(edition)
    assert any("/facts-" in name for name in found), found  # a list page is among the pages checked
    assert all((edition / name).is_file() for name in found)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_wcag_violations_in_the_ukrainian_edition(browser: Browser, served: str, edition: Path,
                                                               scheme: str) -> None:
    context = browser.new_context(base_url=served, viewport={"width": 360, "height": 900}, color_scheme=scheme)
    page = context.new_page()

    def visit(name: str) -> None:
        page.goto("/" + name)
        page.evaluate(OPEN_DETAILS)

    reports = axe_reports(page, pages(edition), visit)
    context.close()
    assert not reports, "\n".join(f"{name} ({scheme}):\n{report}" for name, report in reports.items())


def test_nu_html_checker_reports_no_errors_in_the_ukrainian_edition(java: str, edition: Path) -> None:
    files = [str(edition / name) for name in pages(edition)]
    errors, code = nu_errors(java, files)
    assert errors == []
    assert code == 0


def test_language_switch_by_keyboard_without_javascript(browser: Browser, served: str) -> None:
    context = browser.new_context(base_url=served, java_script_enabled=False)
    page = context.new_page()
    page.goto("/uk/index.html")
    expect(page.locator("html")).to_have_attribute("lang", "uk")
    english = page.get_by_role("navigation", name="Мова").get_by_role("link", name="English")
    english.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/index.html")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert not page.url.endswith("/uk/index.html")
    page.get_by_role("navigation", name="Language").get_by_role("link", name="Українська").click()
    expect(page.locator("h1")).to_have_text("Тестове пояснення")
    context.close()


def test_the_scripts_words_are_ukrainian(browser: Browser, served: str) -> None:
    context = browser.new_context(base_url=served)
    page = context.new_page()
    page.goto("/uk/facts-2024.html")  # the facts are split into pages by year
    expect(page.locator("#sbu-102 button.copy")).to_have_text("Копіювати посилання")
    expect(page.locator("#sbu-102 button.copy")).to_have_attribute("aria-label", "Копіювати посилання на факт 1")
    context.close()
