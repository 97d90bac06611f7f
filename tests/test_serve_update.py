"""The preview's open page after a save: updated in place where that is safe, reloaded where not.

A real `build.py serve` on a copy of the shipped story, driven by Debian's chromium. "In place" is
seen as a window property set before the save that is still there after it (a reload would make
a new window object); a reload as that property gone. Every wait is for a condition on the page.
"""

from __future__ import annotations

import shutil
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from _preview import WAIT, Server
from conftest import REPO, Project

pytestmark = pytest.mark.browser

CONNECTED = "() => !!(window.explainerPreview && window.explainerPreview.connected)"
SUMMARY = "content/summaries/01-what-happened-in-kursk.md"
FIRST_PARAGRAPH_END = "gives none of them a day."
NEW_SENTENCE = ("An editor added this sentence while the page was open, long enough to fill more than a whole line "
                "at the width the tests use, so that the text above the fact the editor reads always grows.")
TIMEOUT = WAIT * 1000


@pytest.fixture
def story(tmp_path: Path) -> Project:
    """A copy of the shipped story (long enough to scroll, with topics and quotes in context)."""
    root = tmp_path / "story"
    root.mkdir()
    shutil.copy2(REPO / "site.yaml", root / "site.yaml")
    for folder in ("content", "seeds", "templates", "static", "locales"):
        if (REPO / folder).is_dir():
            shutil.copytree(REPO / folder, root / folder)
    return Project(root)


def serving(story: Project) -> Iterator[Server]:
    running = Server(story, "--port", "0")
    running.wait = 60  # the shipped story's first build, on a busy machine
    running.start()
    yield running
    running.stop(signal.SIGKILL)


@pytest.fixture
def server(story: Project) -> Iterator[Server]:
    yield from serving(story)


@pytest.fixture
def split_server(story: Project) -> Iterator[Server]:
    """The preview of the story split into pages of 20 facts: it has a search page and Pagefind."""
    site = story.root / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8") + "pagination: {facts_per_page: 20}\n", encoding="utf-8")
    yield from serving(story)


def open_page(page, server: Server) -> None:
    page.goto(server.url)
    page.wait_for_function(CONNECTED, timeout=TIMEOUT)
    page.evaluate("window.__same_window = true")


def same_window(page) -> bool:
    return page.evaluate("window.__same_window === true")


def test_an_edit_updates_the_open_page_in_place(page, server: Server, story: Project) -> None:
    from playwright.sync_api import expect

    open_page(page, server)
    facts = page.locator("li.fact")
    count = facts.count()
    assert page.locator("button.copy").count() == count, "enhance.js added a Copy link button to each fact"
    far = facts.nth(count - 5)
    far.locator("details.ctx summary").click()  # a quote in context, opened by the reader
    far.scroll_into_view_if_needed()
    top_before = far.evaluate("el => el.getBoundingClientRect().top")
    scrolled_before = page.evaluate("window.scrollY")
    assert scrolled_before > 2000, "the fact is far down the page"

    story.edit(SUMMARY, FIRST_PARAGRAPH_END, f"{FIRST_PARAGRAPH_END} {NEW_SENTENCE}[[at-least-54-exchanges]]")

    expect(page.locator("main")).to_contain_text(NEW_SENTENCE, timeout=TIMEOUT)
    assert same_window(page), "the page was updated in place, not reloaded"
    assert page.evaluate("window.explainerPreview.updates") == 1
    # The text was added above what the editor was reading: it stays where it was on screen.
    page.wait_for_function("([el, top]) => Math.abs(el.getBoundingClientRect().top - top) < 2",
                           arg=[far.element_handle(), top_before], timeout=TIMEOUT)
    assert page.evaluate("window.scrollY") > scrolled_before
    assert far.locator("details.ctx").evaluate("d => d.open"), "the opened quote stays open"
    # The page's script redid its work once, on the new content: no button lost, none twice.
    assert page.locator("button.copy").count() == count
    assert page.locator("[data-filter] select").count() == 2
    assert page.locator("p.vh[role=status]").count() == 1

    # The topic filter works as after a load.
    select = page.locator("#facts select")
    select.select_option(label="Budanov's order of priority")
    expect(page.locator("#facts .filter-status")).to_have_text(
        f"Showing 6 of {count} about Budanov's order of priority.")
    assert page.locator("li.fact:visible").count() == 6
    select.select_option(index=0)
    expect(page.locator("li.fact:visible")).to_have_count(count)


NEW_FACT = """- id: offensive-footage-copy
  claim: "The offensive produced footage of prisoners being taken on both sides."
  attribution: an unsigned article
  date: "2024-08%"
  as_of: "2024-08%"
  topics: [offensive]
  citations:
    - source: untitled-kursk-prisoners-article
      quote: "has generated extensive footage of tank battles, explosions, and prisoners being taken"
  added: 2026-11-22

"""


def test_a_new_fact_gets_its_button_and_the_topic_shown_stays(page, server: Server, story: Project) -> None:
    """What the page's script added stays where the page did not change; new facts get theirs."""
    from playwright.sync_api import expect

    open_page(page, server)
    facts = page.locator("li.fact")
    count = facts.count()
    page.locator("#facts select").select_option(label="The Kursk offensive")
    status = page.locator("#facts .filter-status")
    shown = page.locator("li.fact:visible").count()
    expect(status).to_have_text(f"Showing {shown} of {count} about The Kursk offensive.")
    first_button = page.locator("button.copy").first.element_handle()

    story.edit("content/facts.yaml", "- id: prisoners-faces-hands-bound\n",
               NEW_FACT + "- id: prisoners-faces-hands-bound\n")  # uncited: a warning, the build goes on

    new = page.locator("#offensive-footage-copy")
    expect(new).to_be_visible(timeout=TIMEOUT)
    assert same_window(page)
    expect(status).to_have_text(f"Showing {shown + 1} of {count + 1} about The Kursk offensive.")
    assert page.locator("li.fact:visible").count() == shown + 1
    assert page.locator("#facts select").input_value() == "offensive"
    assert page.locator("button.copy").count() == count + 1
    assert first_button.evaluate("b => b.isConnected"), "a button on an unchanged fact is the same button"
    for fact in (new, facts.last):  # the facts after the new one moved up a number
        number = fact.locator(".num").inner_text()
        assert fact.locator("button.copy").get_attribute("aria-label") == f"Copy link to fact {number}"


def test_a_stylesheet_change_reloads_the_page(page, server: Server, story: Project) -> None:
    open_page(page, server)
    css = story.root / "static" / "style.css"
    css.write_text(css.read_text(encoding="utf-8") + "\nhtml { scroll-padding-top: 7px; }\n", encoding="utf-8")

    page.wait_for_function("() => getComputedStyle(document.documentElement).scrollPaddingTop === '7px'",
                           timeout=TIMEOUT)
    assert not same_window(page), "a new stylesheet (and a new policy hash for it) needs a reload"


def test_a_page_script_that_cannot_redo_its_work_gets_a_reload(page, server: Server, story: Project) -> None:
    """A project's own script that knows nothing of in-place updates: the page is reloaded, as before."""
    from playwright.sync_api import expect

    open_page(page, server)
    page.evaluate("document.querySelectorAll('script[src]').forEach(s => { delete s.previewUpdate; })")

    story.edit(SUMMARY, FIRST_PARAGRAPH_END, f"{FIRST_PARAGRAPH_END} {NEW_SENTENCE}[[at-least-54-exchanges]]")

    expect(page.locator("main")).to_contain_text(NEW_SENTENCE, timeout=TIMEOUT)
    page.wait_for_function(CONNECTED, timeout=TIMEOUT)
    assert not same_window(page)
    assert page.locator("button.copy").count() == page.locator("li.fact").count()


def test_a_broken_file_shows_the_error_page_and_the_repair_brings_the_site_back(
        page, server: Server, story: Project) -> None:
    from playwright.sync_api import expect

    open_page(page, server)
    story.edit("content/facts.yaml", "claim:", "claim: [", )

    expect(page.get_by_role("heading", level=1)).to_contain_text("Build failed", timeout=TIMEOUT)
    assert not same_window(page), "the error page is another page: loaded, not swapped in"
    page.wait_for_function(CONNECTED, timeout=TIMEOUT)
    story.edit("content/facts.yaml", "claim: [", "claim:")

    expect(page.locator("main")).to_contain_text("at least 54 exchanges", timeout=TIMEOUT)
    expect(page.get_by_text("Build failed")).to_have_count(0)
    page.wait_for_function(CONNECTED, timeout=TIMEOUT)
    page.evaluate("window.__same_window = true")

    story.edit(SUMMARY, FIRST_PARAGRAPH_END, f"{FIRST_PARAGRAPH_END} {NEW_SENTENCE}[[at-least-54-exchanges]]")
    expect(page.locator("main")).to_contain_text(NEW_SENTENCE, timeout=TIMEOUT)
    assert same_window(page), "the site back, the next edit updates it in place again"


def test_a_page_that_is_gone_shows_what_a_reload_shows(page, server: Server, story: Project) -> None:
    """The open page's address no longer in the site (here: made so by the test): the reload's 404 page."""
    from playwright.sync_api import expect

    open_page(page, server)
    page.evaluate("history.replaceState(null, '', '/gone.html')")

    story.edit(SUMMARY, FIRST_PARAGRAPH_END, f"{FIRST_PARAGRAPH_END} {NEW_SENTENCE}[[at-least-54-exchanges]]")

    expect(page.get_by_role("heading", level=1)).to_contain_text("Not found", timeout=TIMEOUT)
    expect(page.locator("body")).to_contain_text("Nothing in the built site at /gone.html.")
    assert not same_window(page)


def test_the_search_page_still_searches_after_an_update(page, split_server: Server, story: Project) -> None:
    """search.js's start() again: the results of the query in the address are shown again, a new
    query is answered, and the no-JavaScript note stays hidden."""
    from playwright.sync_api import expect

    running = split_server
    page.goto(running.url + "search.html?q=Azovstal")
    page.wait_for_function(CONNECTED, timeout=TIMEOUT)
    page.evaluate("window.__same_window = true")
    results = page.locator("#search-results li")
    expect(results.first).to_be_visible(timeout=TIMEOUT)
    found = results.count()

    story.edit(SUMMARY, FIRST_PARAGRAPH_END, f"{FIRST_PARAGRAPH_END} {NEW_SENTENCE}[[at-least-54-exchanges]]")

    page.wait_for_function("() => window.explainerPreview.updates >= 1", timeout=TIMEOUT)
    assert same_window(page)
    expect(results).to_have_count(found, timeout=TIMEOUT)
    expect(page.locator("#search-nojs")).to_be_hidden()
    status = page.locator("#search-status")
    page.get_by_label("Search facts, events and the glossary").fill("Zelensky")
    page.get_by_role("button", name="Search").click()
    expect(status).to_contain_text("Zelensky", timeout=TIMEOUT)
    expect(results.first).to_be_visible()
    assert page.url.endswith("search.html?q=Zelensky")


def test_an_open_search_page_reloads_when_its_index_is_new_and_finds_the_new_words(
        page, split_server: Server, story: Project) -> None:
    """The preview's `full: true` message: Pagefind's new index reaches an open search page as a whole
    reload (its script imported the old index), and the query in the address then finds what was saved."""
    from playwright.sync_api import expect

    running = split_server
    page.goto(running.url + "search.html?q=Quokkaquill")
    page.wait_for_function(CONNECTED, timeout=TIMEOUT)
    page.evaluate("window.__same_window = true")
    status = page.locator("#search-status")
    expect(status).to_contain_text("Quokkaquill", timeout=TIMEOUT)
    results = page.locator("#search-results li")
    expect(results).to_have_count(0)
    before = len(running.lines)

    story.edit("content/facts.yaml", "and their hands bound too.", "and their hands bound too, Quokkaquill.")

    running.wait_for(r"^search index updated in [0-9.]+ s$", before)
    page.wait_for_function("() => window.__same_window === undefined", timeout=TIMEOUT)  # reloaded
    expect(results.first).to_contain_text("Quokkaquill", timeout=TIMEOUT)
    page.wait_for_function(CONNECTED, timeout=TIMEOUT)
