"""Long lists move to pages of their own; every citation still lands on its fact."""

from __future__ import annotations

import gzip
import json
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from explainer import pipeline
from explainer.paginate import layout
from tests.conftest import MINIMAL, Project, make_project

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from generate import generate

PAGE_BUDGET = 60 * 1024  # the reader-experience budget: a whole page, compressed


class Page(HTMLParser):
    """The ids, links and list items of one HTML file."""

    def __init__(self, text: str):
        super().__init__()
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self.classes: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"])
        if tag == "li" and a.get("class"):
            self.classes.append(a["class"])


# Not list pages: 404.html links only to base_url, absolutely; the embed codes, the offline file and
# search (explainer/reach.py) are checked in tests/test_reach.py.
EXTRA_PAGES = {"404.html", "embed.html", "search.html", "explainer-en.html"}


def parse_site(output: Path) -> dict[str, Page]:
    """The site's pages: the front page and the list pages."""
    return {p.name: Page(p.read_text(encoding="utf-8")) for p in sorted(output.glob("*.html"))
            if p.name not in EXTRA_PAGES}


def unresolved(site: dict[str, Page]) -> list[str]:
    """Every same-site link with a fragment must point at an element with that id in its file."""
    bad = []
    for name, page in site.items():
        for href in page.hrefs:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.fragment:
                continue
            target = parts.path or name
            if target not in site or parts.fragment not in site[target].ids:
                bad.append(f"{name}: {href}")
    return bad


def with_pagination(site_yaml: str, settings: str) -> str:
    return site_yaml.rstrip(" ") + f"        pagination: {settings}\n"


def test_below_the_threshold_everything_stays_on_the_front_page(project):
    result = project.run()
    assert result.returncode == 0, result.stderr
    site = parse_site(project.output)
    assert list(site) == ["index.html"]
    assert site["index.html"].classes.count("fact") == 3
    assert "#general-staff-971" in site["index.html"].hrefs
    assert unresolved(site) == []


def test_facts_split_by_year_then_month_and_citations_follow(tmp_path):
    settings = "{facts_per_page: 1, events_per_page: 1, sources_per_page: 1}"
    project = make_project(tmp_path / "site", {"site.yaml": with_pagination(MINIMAL["site.yaml"], settings)})
    result = project.run()
    assert result.returncode == 0, result.stderr
    site = parse_site(project.output)
    # 2024 holds two facts (one dated only to the year): it splits by month; 2025 holds one.
    assert sorted(site) == ["facts-2024-08.html", "facts-2024.html", "facts-2025.html", "index.html",
                            "timeline-2024.html", "timeline-2025.html"]
    assert "sbu-102" in site["facts-2024-08.html"].ids
    assert "swap-sizes" in site["facts-2024.html"].ids
    assert "general-staff-971" in site["facts-2025.html"].ids
    assert "event-general-staff-statement" in site["timeline-2025.html"].ids
    index = site["index.html"]
    assert "fact" not in index.classes  # the front page links to the pages instead
    assert {"facts-2024.html", "facts-2024-08.html", "timeline-2025.html"} <= set(index.hrefs)
    assert "facts-2025.html#general-staff-971" in index.hrefs  # a summary's citation
    assert "source-article-a" in index.ids  # one source: under its limit, it stays
    assert "index.html#source-article-a" in site["facts-2025.html"].hrefs
    assert unresolved(site) == []


def test_generated_archive_splits_within_limits_and_every_link_resolves(tmp_path):
    root = generate(tmp_path / "big", 600)
    settings = "pagination: {facts_per_page: 40, events_per_page: 12, sources_per_page: 3}\n"
    (root / "site.yaml").write_text((root / "site.yaml").read_text() + settings)
    project = Project(root)
    result = project.run()
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr
    site = parse_site(project.output)
    fact_pages = {n: p for n, p in site.items() if n.startswith("facts-")}
    counts = [p.classes.count("fact") for p in fact_pages.values()]
    assert sum(counts) == 600 and max(counts) <= 40  # every fact once, no page over its limit
    assert "fact" not in site["index.html"].classes
    assert all(sum(c == "fact" for c in p.classes) == 0 for n, p in site.items() if not n.startswith("facts-"))
    assert len([n for n in site if n.startswith("sources")]) == 4  # 12 sources, 3 a page
    assert unresolved(site) == []


def test_default_limits_keep_every_page_within_the_weight_budget(tmp_path):
    root = generate(tmp_path / "big", 2000)
    project = Project(root)
    result = project.run()
    assert result.returncode == 0, result.stderr
    sizes = {p.name: len(gzip.compress(p.read_bytes())) for p in project.output.glob("*.html")
             if p.name != "explainer-en.html"}  # the offline edition is a download of everything
    assert len(sizes) > 20
    assert max(sizes.values()) <= PAGE_BUDGET, max(sizes.items(), key=lambda kv: kv[1])


def test_adding_facts_keeps_the_urls_of_the_others(project):
    project.write("site.yaml", with_pagination(MINIMAL["site.yaml"], "{facts_per_page: 1}"))
    before = layout(pipeline.check(project.root)[0]).facts.page_of
    project.write("content/facts.yaml", MINIMAL["content/facts.yaml"].rstrip(" ") + """\
        - id: later-fact
          claim: A later claim.
          attribution: the article
          date: 2026-01-02
          citations:
            - source: article-a
              quote: "could range from 50 to 95 soldiers"
        """)
    after = layout(pipeline.check(project.root)[0]).facts.page_of
    assert after["later-fact"] == "facts-2026.html"
    assert {k: after[k] for k in before} == before


@pytest.mark.parametrize("settings, message", [
    ("{facts_per_page: 0}", "site.yaml:11:30: error: expected a whole number of at least 1, got a number (0)"),
    ("{fact_per_page: 10}", "site.yaml:11:14: error: unknown key 'fact_per_page' in pagination"),
    ("{facts_per_page: many}", "site.yaml:11:30: error: expected a whole number of at least 1, got text"),
])
def test_bad_pagination_settings_are_content_errors(project, settings, message):
    project.write("site.yaml", with_pagination(MINIMAL["site.yaml"], settings))
    result = project.run("check")
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_split_site_keeps_every_link_and_the_reader_features(tmp_path):
    """Exports, feed, sitemap and JSON-LD point at the pages; list pages keep the CSP and assets."""
    settings = "{facts_per_page: 1, events_per_page: 1, sources_per_page: 1}"
    dated = 'date: "2025-05-25"\n'
    facts = MINIMAL["content/facts.yaml"].replace(dated, dated + "          added: 2025-06-01\n")
    site_yaml = with_pagination(MINIMAL["site.yaml"], settings)
    project = make_project(tmp_path / "site", {"site.yaml": site_yaml, "content/facts.yaml": facts})
    result = project.run("--strict")
    assert result.returncode == 0, result.stderr
    out, base = project.output, "https://example.org/test/"
    page = (out / "facts-2025.html").read_text(encoding="utf-8")
    assert '<meta http-equiv="Content-Security-Policy"' in page and "<style>" in page
    assert f'<link rel="canonical" href="{base}facts-2025.html">' in page
    assert 'href="feed.xml"' in page and 'href="assets/print.' in page

    fact = next(f for f in json.loads((out / "facts.json").read_text())["facts"] if f["id"] == "general-staff-971")
    assert fact["url"] == f"{base}facts-2025.html#general-staff-971"
    event = json.loads((out / "timeline.json").read_text())["events"][0]
    assert event["url"] == f"{base}timeline-2024.html#event-{event['id']}"
    assert f"{base}facts-2025.html#general-staff-971" in (out / "facts.csv").read_text()

    sitemap = ET.parse(out / "sitemap.xml").getroot()
    locs = [e.text for e in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert locs[0] == base and f"{base}facts-2025.html" in locs and f"{base}timeline-2024.html" in locs

    index = (out / "index.html").read_text(encoding="utf-8")
    ld = json.loads(index.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0])
    assert ld["hasPart"] == []  # the claims are on their own pages now

    entry = ET.parse(out / "feed.xml").getroot().find("{http://www.w3.org/2005/Atom}entry")
    assert entry is not None
    link = entry.find("{http://www.w3.org/2005/Atom}link")
    assert link is not None and link.get("href") == f"{base}facts-2025.html#general-staff-971"
    assert 'href="facts-2025.html#general-staff-971">Ukrainian forces' in index  # "Recently updated"
    assert unresolved(parse_site(out)) == []


def test_every_item_lands_on_exactly_one_page_even_with_ten_parts_of_a_year():
    """A year's items without a month in ten or more parts once took the names of October to
    December (facts-2022-10.html), overwriting those pages: 1,200 facts vanished at 50k facts."""
    from explainer.dates import PartialDate
    from explainer.paginate import by_date

    items = [("y", i, PartialDate(2022)) for i in range(1_200)]  # dated only to the year
    items += [("m", i, PartialDate(2022, month)) for month in (10, 11, 12) for i in range(150)]
    pages = list(by_date("facts", items, lambda item: item[2], per_page=100))
    names = [page.name for page in pages]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)
    shown = [item for page in pages for item in page.items]
    assert sorted(shown) == sorted(items)  # each once
    assert "facts-2022-part-12.html" in names and "facts-2022-10.html" in names
