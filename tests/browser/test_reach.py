"""Embeds, the offline edition and search in a real browser (Debian's chromium).

- An embed framed by a page on another origin (a second local port) follows its content's height.
- The offline file, opened from disk on its own, makes no request beyond itself, and prints.
- Search on a generated 10,000-fact story finds a fact by a word of its claim and lands on it.
axe and the Nu checker cover the new pages in test_standards.py (shipped build: embeds, embed.html,
the offline file) and test_split_pages.py (search.html).
"""

from __future__ import annotations

import html
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from conftest import serve_folder
from playwright.sync_api import Browser, Page, expect

from explainer.pipeline import build
from tests.browser.test_page import PRINTED_CLOSED_CONTEXTS
from tests.browser.test_standards import WCAG_TAGS

pytestmark = pytest.mark.browser
REPO = Path(__file__).resolve().parents[2]
SHIPPED_BASE = "https://example.org/kursk-prisoners/"


@pytest.fixture(scope="module")
def parent_page(site: Path, server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A newsroom's article on another origin (localhost, another port) with the timeline's embed code."""
    codes = re.findall(r"<pre><code>(.*?)</code></pre>", (site / "embed.html").read_text(encoding="utf-8"), re.S)
    code = html.unescape(codes[0]).replace(SHIPPED_BASE, server)
    folder = tmp_path_factory.mktemp("newsroom")
    (folder / "article.html").write_text(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Article</title></head><body>'
        f'<h1>A newsroom article</h1><div id="box" style="width: 700px">{code}</div><p>After the embed.</p>'
        "</body></html>", encoding="utf-8")
    with serve_folder(folder) as url:
        yield f"http://localhost:{urlsplit(url).port}/article.html"  # another origin than 127.0.0.1


def frame_height(page: Page) -> int:
    return page.evaluate("document.getElementById('explainer-timeline').getBoundingClientRect().height")


def content_height(page: Page) -> int:
    frame = page.frame_locator("#explainer-timeline")
    return frame.locator("html").evaluate("el => Math.ceil(el.getBoundingClientRect().height)")


def test_embed_on_another_origin_follows_its_contents_height(browser: Browser, parent_page: str, server: str) -> None:
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(parent_page)
    assert urlsplit(page.url).port != urlsplit(server).port  # two origins
    page.wait_for_function("document.getElementById('explainer-timeline').style.height !== ''")
    first = frame_height(page)
    assert first != 600 and abs(first - content_height(page)) <= 1

    # Taller content: the frame grows with it.
    page.frame_locator("#explainer-timeline").locator("main").evaluate(
        "main => { for (let i = 0; i < 30; i++) main.append(Object.assign(document.createElement('p'), "
        "{textContent: 'More text ' + i})) }")
    page.wait_for_function(f"document.getElementById('explainer-timeline').getBoundingClientRect().height > {first}")
    taller = frame_height(page)
    assert abs(taller - content_height(page)) <= 1

    # A narrower column wraps the text onto more lines: the frame grows again.
    page.evaluate("document.getElementById('box').style.width = '320px'")
    page.wait_for_function(f"document.getElementById('explainer-timeline').getBoundingClientRect().height > {taller}")
    assert abs(frame_height(page) - content_height(page)) <= 1
    hosts = {urlsplit(u).hostname for u in requests}
    assert hosts <= {"127.0.0.1", "localhost"}, requests
    context.close()


def test_embed_links_open_the_full_explainer_in_the_top_window(browser: Browser, parent_page: str,
                                                               server: str) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(parent_page)
    cite = page.frame_locator("#explainer-timeline").locator("a.cite").first
    href = cite.get_attribute("href")
    assert href and href.startswith("../index.html#")
    cite.click()
    page.wait_for_url(server + href.removeprefix("../"))
    expect(page.locator(":target")).to_have_attribute("id", href.split("#")[1])
    context.close()


def test_embed_without_javascript_keeps_its_fixed_height_and_scrolls(browser: Browser, parent_page: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(parent_page)
    frame = page.frame_locator("#explainer-timeline")
    expect(frame.locator("h2")).to_have_text("Timeline")
    assert frame_height(page) == 600
    scroll = frame.locator("html").evaluate("el => [el.scrollHeight, el.clientHeight]")
    assert scroll[0] > scroll[1] == 600  # the rest is there, inside the frame, by scrolling
    context.close()


def test_embed_page_shows_codes_that_open_without_script(browser: Browser, server: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server + "embed.html")
    summary = page.locator("summary").first
    code = page.locator("pre code").first
    expect(code).to_be_hidden()
    summary.click()
    expect(code).to_be_visible()
    assert "xPYMxheightxPYMx" in code.inner_text()
    context.close()


@pytest.mark.parametrize("edition", ["", "uk/"])
def test_each_embed_has_one_h1_naming_the_explainer(browser: Browser, server: str, site: Path, edition: str) -> None:
    """axe's page-has-heading-one: the explainer's name, over the embed's own title (an h2)."""
    context = browser.new_context(base_url=server)
    page = context.new_page()
    names = sorted(p.relative_to(site).as_posix() for p in (site / edition / "embed").glob("*.html"))
    assert len(names) == 8

    axe, reports = Axe(), {}
    for name in names:
        page.goto("/" + name)
        expect(page.locator("h1")).to_have_count(1)
        expect(page.locator("h1 a")).to_have_attribute("href", re.compile(r"index\.html$"))
        assert page.locator("h1").evaluate("h => getComputedStyle(h).fontSize") == "12.8px"  # still the small kicker
        results = axe.run(page, options={"runOnly": {"type": "rule", "values": ["page-has-heading-one"]}})
        if results.violations_count:
            reports[name] = results.generate_report()
    context.close()
    assert not reports, "\n".join(f"{name}:\n{report}" for name, report in reports.items())


@pytest.mark.parametrize("edition", ["", "uk/"])
def test_embeds_print_black_on_white_in_a_dark_scheme(browser: Browser, server: str, site: Path, edition: str) -> None:
    """The page's print rules: a dark system scheme's near-white text would vanish on white paper."""
    context = browser.new_context(base_url=server, color_scheme="dark")
    page = context.new_page()
    for path in sorted((site / edition / "embed").glob("*.html")):
        page.goto("/" + path.relative_to(site).as_posix())
        page.emulate_media(media="print", color_scheme="dark")
        colours = page.evaluate("""() => [...document.querySelectorAll('main p, main h2, main li, main a')]
            .map(el => getComputedStyle(el).color)""")
        assert set(colours) <= {"rgb(0, 0, 0)", "rgb(51, 51, 51)"}, (path.name, set(colours))  # --fg, --muted
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(255, 255, 255)"
        page.emulate_media(media="screen")
    context.close()


# --- the offline edition ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def forwarded(site: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The offline file on its own in a folder, as a reader who was sent it would have it."""
    folder = tmp_path_factory.mktemp("downloads")
    shutil.copy(site / "explainer-en.html", folder / "explainer-en.html")
    return folder / "explainer-en.html"


def test_offline_file_from_disk_makes_no_request(browser: Browser, forwarded: Path) -> None:
    context = browser.new_context()
    page = context.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    context.route("**/*", lambda route: (requests.append("intercepted " + route.request.url), route.continue_()))
    url = forwarded.as_uri()
    page.goto(url)
    expect(page.locator("li.fact")).to_have_count(74)
    expect(page.locator("#sources li[id^=source-]")).to_have_count(2)
    page.locator("a.cite").first.click()  # fragment links work inside the file
    expect(page.locator(":target")).to_have_class(re.compile(r"\bfact\b"))
    page.emulate_media(media="print")
    assert page.locator("nav").first.evaluate("el => getComputedStyle(el).display") == "none"
    page.emulate_media(media="screen")
    assert {r.removeprefix("intercepted ") for r in requests} == {url}, requests  # the document, nothing else
    assert errors == []
    context.close()


def test_offline_file_prints(browser: Browser, forwarded: Path) -> None:
    context = browser.new_context()
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(forwarded.as_uri())
    page.emulate_media(media="print")
    after = page.locator("a[href^='http']").first.evaluate("a => getComputedStyle(a, '::after').content")
    assert "http" in after  # outside addresses are printed after their links
    closed = page.evaluate(PRINTED_CLOSED_CONTEXTS)  # its inline print rules leave them out too
    assert page.locator("details.ctx").count() > 50 and closed == 0
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page\b", pdf)) > 5  # many pages
    assert requests == [forwarded.as_uri()]
    context.close()


# --- search on a big story -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def big_story(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    sys.path.insert(0, str(REPO / "bench"))
    from generate import generate

    root = generate(tmp_path_factory.mktemp("big") / "story", 10_000)
    fact_id = mark_one_claim(root, 7_777)
    output = root / "output"
    result = build(root, output)
    assert result.warnings == [], [w.format() for w in result.warnings]
    assert (output / "search.html").is_file()
    with serve_folder(output) as url:
        yield fact_id, url


WORD = "quokkaberg"  # a word an editor wrote into one claim of the generated story, and nowhere else


def mark_one_claim(root: Path, n: int) -> str:
    """Put WORD into the claim of the n-th generated fact; return that fact's id."""
    path = root / "content" / "facts.yaml"
    text = path.read_text(encoding="utf-8")
    ids = list(re.finditer(r'^- id: (\S+)\n  claim: "', text, re.M))
    match = ids[n]
    path.write_text(text[:match.end()] + WORD.capitalize() + " " + text[match.end():], encoding="utf-8")
    return match.group(1)


@pytest.mark.slow
def test_search_finds_a_fact_by_a_word_of_its_claim_and_lands_on_it(browser: Browser,
                                                                     big_story: tuple[str, str]) -> None:
    fact_id, url = big_story
    word = WORD
    context = browser.new_context()
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(url)
    assert not [r for r in requests if "pagefind" in r or "search" in r]  # the front page loads no search
    page.get_by_role("link", name="Search", exact=True).click()
    assert not [r for r in requests if "pagefind" in r]  # nor does the search page, until a search
    page.get_by_label("Search facts, events and the glossary").fill(word)
    page.get_by_role("button", name="Search").click()
    results = page.locator("#search-results a")
    expect(results.first).to_be_visible(timeout=20_000)
    axe = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    assert axe.violations_count == 0, axe.generate_report()  # the results, as well as the empty page
    hrefs = [a.get_attribute("href") for a in results.all()]
    (link,) = [h for h in hrefs if h and h.endswith("#" + fact_id)]
    page.locator(f"#search-results a[href='{link}']").click()
    page.wait_for_url(re.compile(re.escape("#" + fact_id) + "$"))
    target = page.locator(":target")
    expect(target).to_have_attribute("id", fact_id)
    expect(target).to_be_in_viewport()
    assert word in target.locator(".claim").inner_text().lower()
    assert {urlsplit(r).hostname for r in requests} == {"127.0.0.1"}, requests
    context.close()
