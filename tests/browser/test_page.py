"""The built explainer in a real browser: what readers see, where links go, what leaves the machine."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

WIDTHS = (320, 1280)
SCHEMES = ("light", "dark")

pytestmark = pytest.mark.browser


@pytest.fixture
def watched(page: Page) -> dict[str, list[str]]:
    """Every request, console error and uncaught exception of the page, to assert on afterwards."""
    seen: dict[str, list[str]] = {"requests": [], "errors": []}
    page.on("request", lambda r: seen["requests"].append(r.url))

    def on_console(msg: ConsoleMessage) -> None:
        if msg.type in ("error", "warning"):
            seen["errors"].append(f"{msg.type}: {msg.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: seen["errors"].append(f"exception: {exc}"))
    return seen


def test_page_renders_summaries_timeline_facts_and_sources(page: Page, watched: dict) -> None:
    page.goto("/")
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("#timeline ol.timeline > li").first).to_be_visible()
    assert page.locator("#timeline ol.timeline > li").count() >= 2
    assert page.locator("#facts ol.facts > li.fact").count() >= 2
    assert page.locator("#sources ol.sources > li").count() >= 1
    expect(page.locator("#facts blockquote").first).to_be_visible()
    expect(page.locator("#charts svg.chart").first).to_be_visible()


def test_no_console_errors_and_no_request_leaves_localhost(page: Page, watched: dict) -> None:
    page.goto("/")
    page.wait_for_load_state("load")
    page.locator("#facts select").select_option(index=1)  # use the enhancement too
    page.locator(".fact .copy").first.click()
    assert watched["errors"] == []
    hosts = {urlsplit(url).hostname for url in watched["requests"] if not url.startswith("data:")}
    assert hosts == {"127.0.0.1"}, watched["requests"]


def test_following_a_citation_lands_on_and_focuses_the_fact(page: Page) -> None:
    page.goto("/")
    cite = page.locator("main .summary a.cite").first
    target = cite.get_attribute("href")
    assert target and target.startswith("#")
    expect(cite).to_have_accessible_name(re.compile(r"^fact \d+$"))
    cite.click()
    fact = page.locator(target)
    expect(fact).to_be_focused()
    expect(fact).to_be_in_viewport()
    assert page.evaluate("location.hash") == target


def test_following_a_citation_focuses_the_fact_without_javascript(browser: Browser, base_url: str) -> None:
    context = browser.new_context(java_script_enabled=False, base_url=base_url)
    page = context.new_page()
    page.goto("/")
    cite = page.locator("main .summary a.cite").first
    target = cite.get_attribute("href")
    cite.click()
    expect(page.locator(target)).to_be_in_viewport()
    assert page.evaluate("document.activeElement.id") == target[1:]  # evaluate still works with JS off
    context.close()


def test_a_quote_opens_in_its_context_without_javascript(browser: Browser, base_url: str) -> None:
    context = browser.new_context(java_script_enabled=False, base_url=base_url)
    page = context.new_page()
    page.goto("/")
    fact = page.locator("#general-staff-971-captured")
    mark = fact.locator(".ctx mark").first
    expect(mark).to_be_hidden()
    fact.locator(".ctx summary").first.click()
    expect(mark).to_be_visible()
    expect(mark).to_have_text("Ukrainian forces captured 971 Russian soldiers during a months-long offensive in "
                              "Russia’s Kursk Oblast")
    expect(fact.locator(".ctx p").first).to_contain_text("the General Staff of Ukraine's Armed Forces said on May 25")
    context.close()


def test_every_in_page_link_resolves(page: Page) -> None:
    page.goto("/")
    missing = page.evaluate("""() => [...document.querySelectorAll('a[href^="#"]')]
        .map(a => a.getAttribute('href').slice(1))
        .filter(id => !document.getElementById(decodeURIComponent(id)))""")
    assert missing == []
    assert page.locator('a[href^="#"]').count() > 50


def test_data_files_linked_from_the_page_are_served(page: Page, base_url: str) -> None:
    page.goto("/")
    hrefs = page.eval_on_selector_all("#data a", "links => links.map(a => a.getAttribute('href'))")
    assert set(hrefs) == {"facts.json", "facts.csv", "timeline.json", "sources.json", "glossary.json"}
    for href in hrefs:
        response = page.request.get(base_url + href)
        assert response.ok, href


def test_without_javascript_everything_is_readable(browser: Browser, base_url: str) -> None:
    context = browser.new_context(java_script_enabled=False, base_url=base_url)
    page = context.new_page()
    page.goto("/")
    facts = page.locator("li.fact")
    assert facts.count() >= 2
    for locator in (facts.last, page.locator("#timeline li").last, page.locator("#sources li").last,
                    page.locator("#charts figure").first):
        locator.scroll_into_view_if_needed()
        expect(locator).to_be_visible()
    expect(page.locator("[data-filter]").first).to_be_hidden()  # the controls that need JS stay out of the way
    assert page.locator(".copy").count() == 0
    context.close()


def test_topic_filter_hides_other_topics_and_says_how_many(page: Page) -> None:
    page.goto("/")
    select = page.locator("#filter-facts")
    expect(select).to_be_visible()
    topic = select.locator("option").nth(1).get_attribute("value")
    select.select_option(topic)
    facts = page.locator("li.fact")
    visible = [f for f in facts.all() if f.is_visible()]
    assert 0 < len(visible) < facts.count()
    assert all(topic in (f.get_attribute("data-topics") or "").split() for f in visible)
    expect(page.locator("#facts [role=status]")).to_contain_text(f"Showing {len(visible)} of {facts.count()}")
    expect(page.locator("#filter-timeline")).to_have_value(topic)  # both filters move together
    select.select_option("")
    assert all(f.is_visible() for f in facts.all()[:5])


def test_a_citation_to_a_filtered_out_fact_shows_it_again(page: Page) -> None:
    page.goto("/")
    page.locator("#filter-facts").select_option(index=1)
    hidden = page.locator("li.fact[hidden]").first
    fact_id = hidden.get_attribute("id")
    page.evaluate(f"location.hash = '#{fact_id}'")
    expect(page.locator(f"#{fact_id}")).to_be_visible()
    expect(page.locator(f"#{fact_id}")).to_be_focused()


@pytest.mark.parametrize("edition", ["", "uk/"])
def test_a_citation_shows_its_fact_when_the_address_already_ends_in_its_id(page: Page, edition: str) -> None:
    """Clicking a link to the address already in the address bar fires no hashchange."""
    page.goto("/" + edition)
    cite = page.locator("main .summary a.cite").first
    target = cite.get_attribute("href")
    cite.click()
    assert page.evaluate("location.hash") == target
    fact = page.locator(target)
    topics = (fact.get_attribute("data-topics") or "").split()
    select = page.locator("#filter-facts")
    values = select.locator("option").evaluate_all("options => options.map(o => o.value)")
    other = next(v for v in values if v not in [*topics, ""])
    select.select_option(other)
    expect(fact).to_be_hidden()
    cite.click()
    expect(fact).to_be_visible()
    expect(fact).to_be_in_viewport()
    expect(fact).to_be_focused()


def test_copy_link_copies_the_facts_address(browser: Browser, base_url: str) -> None:
    context = browser.new_context(base_url=base_url, permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto("/")
    fact = page.locator("li.fact").nth(2)
    fact.get_by_role("button", name="Copy link").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == f"{base_url}#{fact.get_attribute('id')}"
    number = fact.locator(".num").inner_text()
    expect(page.locator("body > [role=status]")).to_have_text(f"Link to fact {number} copied.")
    context.close()


def test_unknown_address_gets_the_404_page(page: Page, screenshots: Path) -> None:
    response = page.goto("/no/such/page")
    assert response is not None and response.status == 404
    expect(page.locator("h1")).to_have_text("Page not found")
    page.screenshot(path=screenshots / "404.png")


def test_the_404_page_speaks_to_every_edition_and_asks_for_no_icon(page: Page) -> None:
    """One 404.html serves the whole site: each edition's readers get its words and its front page;
    its icon is inline, so the browser asks for no /favicon.ico (a second 404 in the console)."""
    failed: list[str] = []
    page.on("console", lambda m: failed.append(m.location.get("url", "")) if m.type == "error" else None)
    page.goto("/uk/no/such/page")
    page.wait_for_timeout(500)  # the browser's request for an icon comes after the load
    assert [urlsplit(url).path for url in failed] == ["/uk/no/such/page"]  # the page's own 404, nothing else
    expect(page.locator("link[rel=icon]")).to_have_attribute("href", re.compile(r"^data:image/svg\+xml;base64,"))
    expect(page.locator("h1")).to_have_text("Page not found")
    expect(page.locator("main").get_by_role("link", name=re.compile("^Russian soldiers captured"))).to_have_attribute(
        "href", "https://example.org/kursk-prisoners/")
    ukrainian = page.locator("main section[lang=uk]")
    expect(ukrainian.get_by_role("heading", level=2)).to_have_text("Сторінку не знайдено")
    expect(ukrainian).to_contain_text("За цією адресою сторінки немає.")
    expect(ukrainian.get_by_role("link")).to_have_attribute("href", "https://example.org/kursk-prisoners/uk/")
    expect(ukrainian.get_by_role("link")).to_have_text(re.compile("^Російські солдати"))


@pytest.mark.parametrize("width", WIDTHS)
def test_no_horizontal_scroll_and_screenshots(page: Page, screenshots: Path, width: int) -> None:
    """Screenshots in both schemes for people to look at; the page must never scroll sideways."""
    page.set_viewport_size({"width": width, "height": 900})
    for scheme in SCHEMES:
        page.emulate_media(color_scheme=scheme)
        page.goto("/")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=screenshots / f"index-{width}-{scheme}.png")
        page.locator("#charts").scroll_into_view_if_needed()
        page.screenshot(path=screenshots / f"charts-{width}-{scheme}.png")
        page.locator("#timeline").scroll_into_view_if_needed()
        page.screenshot(path=screenshots / f"timeline-{width}-{scheme}.png")
        page.goto("/#" + page.locator("li.fact").nth(3).get_attribute("id"))  # a cited fact, highlighted
        page.screenshot(path=screenshots / f"facts-{width}-{scheme}.png")
    page.emulate_media(media="print", color_scheme="light")
    page.locator("#charts").scroll_into_view_if_needed()
    page.screenshot(path=screenshots / f"print-{width}.png")


CLIPPED_CHART_TEXT = """() => [...document.querySelectorAll('svg.chart')].flatMap(svg => {
    const box = svg.getBoundingClientRect();
    return [...svg.querySelectorAll('text')].map(t => [t, t.getBoundingClientRect()])
        .filter(([, r]) => r.left < box.left - 0.5 || r.right > box.right + 0.5
                           || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5)
        .map(([t, r]) => `${t.getAttribute('class')}: ${t.textContent} (${Math.round(r.right - box.right)} px)`);
})"""


@pytest.mark.parametrize("edition", ["", "uk/"])
def test_every_chart_label_fits_inside_its_chart_at_320_px(page: Page, edition: str) -> None:
    """SVG text never wraps: a label that runs past the SVG's edge is cut off on a phone."""
    page.set_viewport_size({"width": 320, "height": 900})
    page.goto("/" + edition)
    assert page.locator("svg.chart text.label").count() >= 3
    assert page.evaluate(CLIPPED_CHART_TEXT) == []


PRINTED_CLOSED_CONTEXTS = ("[...document.querySelectorAll('details.ctx:not([open])')]"
                           ".filter(d => d.getClientRects().length).length")


def test_print_leaves_out_the_closed_quotes_in_context_and_keeps_an_opened_one(page: Page) -> None:
    """Paper cannot open a <details>: a closed one would print as an empty "In context" label."""
    page.goto("/")
    assert page.locator("details.ctx").count() > 50
    page.locator("details.ctx summary").first.click()
    page.emulate_media(media="print")
    assert page.evaluate(PRINTED_CLOSED_CONTEXTS) == 0
    expect(page.locator("details.ctx mark").first).to_be_visible()  # the one the reader opened prints whole


def test_print_shows_the_chart_tables_and_hides_navigation(page: Page) -> None:
    page.goto("/")
    page.emulate_media(media="print")
    navs = page.locator("nav")
    assert navs.count() == 2  # the contents and the language switch
    for i in range(navs.count()):
        expect(navs.nth(i)).to_be_hidden()
    expect(page.locator(".chart-table").first).to_be_visible()
    assert page.locator(".chart-table").first.bounding_box()["width"] > 100
    breaks = page.evaluate("getComputedStyle(document.querySelector('li.fact')).breakInside")
    assert breaks == "avoid"
