"""The built page, parsed: timeline order, anchors, citations that resolve, dates at their precision,
atomic output and byte-identical rebuilds."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

import pytest
from _pages import parse_page
from bs4 import BeautifulSoup
from conftest import tree_hash

from explainer.cli import main


def build(project, *args: str) -> int:
    return main(["build", "--project", str(project.root), *args])


@pytest.fixture
def soup(project) -> BeautifulSoup:
    """The built index.html, parsed. Not called `page`: that is pytest-playwright's browser page."""
    assert build(project) == 0
    return parse_page(project.output)


def test_timeline_is_a_chronological_ordered_list(soup):
    timeline = soup.select_one("#timeline ol")
    assert timeline.name == "ol"
    datetimes = [li.find("time")["datetime"] for li in timeline.find_all("li", recursive=False)]
    assert datetimes == ["2024-08", "2025-05-25"]


def test_dates_show_their_own_precision(soup):
    sbu = soup.select_one("#event-sbu-captures time")
    assert sbu["datetime"] == "2024-08"
    assert sbu.get_text() == "c. August 2024"
    assert soup.select_one("#event-general-staff-statement time").get_text() == "25 May 2025"
    year_only = soup.select_one("#swap-sizes .meta > time")  # not the source's date, in .said
    assert (year_only["datetime"], year_only.get_text()) == ("2024", "2024")


def test_every_fact_has_its_slug_as_anchor_with_attribution_and_quote(soup):
    facts = soup.select("#facts ol.facts > li")
    assert [li["id"] for li in facts] == ["sbu-102", "swap-sizes", "general-staff-971"]
    gs = soup.select_one("#general-staff-971")
    assert "According to Ukraine's General Staff" in gs.get_text()
    assert "“captured 971 Russian soldiers during a months-long offensive - the General Staff said”" in gs.get_text()


def test_every_internal_link_resolves_to_an_element(soup):
    ids = {el["id"] for el in soup.find_all(id=True)}
    hrefs = [a["href"] for a in soup.find_all("a", href=True) if a["href"].startswith("#")]
    assert hrefs, "the page should have in-page links"
    missing = sorted({h for h in hrefs if h[1:] not in ids})
    assert missing == []


def test_summary_citations_are_numbered_links_to_facts(soup):
    cites = soup.select("#section-intro a.cite")
    assert [(a["href"], a.get_text()) for a in cites] == [
        ("#general-staff-971", "fact 3"), ("#swap-sizes", "fact 2"), ("#sbu-102", "fact 1"),
    ]


def test_quote_links_carry_a_text_fragment(soup):
    link = soup.select_one("#swap-sizes .citations a[href^='https://']")
    href = link["href"]
    assert href.startswith("https://example.org/a#:~:text=")
    assert unquote(href.split("#:~:text=", 1)[1]) == "could range from 50 to 95 soldiers"


def test_long_quotes_use_a_start_and_end_fragment(soup):
    href = soup.select_one("#general-staff-971 .citations a[href^='https://']")["href"]
    fragment = href.split("#:~:text=", 1)[1]
    start, end = fragment.split(",")
    assert unquote(start) == "captured 971 Russian soldiers"
    assert unquote(end) == "the General Staff said"
    assert "%2D" in href or "-" not in unquote(fragment)


def test_unknown_source_metadata_says_unknown(soup):
    source = soup.select_one("#source-article-a")
    rows = {dt.get_text(): dt.find_next_sibling("dd").get_text(" ", strip=True) for dt in source.find_all("dt")}
    assert rows["Author"] == "unknown"
    assert rows["Archived text retrieved"] == "unknown"
    assert rows["Publisher"] == "The Test Gazette"
    assert "fact 1" in rows["Cited by"] and "fact 3" in rows["Cited by"]


def test_summary_markdown_is_sanitised(project):
    project.edit("content/summaries/01-intro.md", "Swaps were small.",
                 'Swaps <script>alert(1)</script> were [small](javascript:alert(1)) and [fine](https://example.org).')
    assert build(project) == 0
    soup = parse_page(project.output)
    section = soup.select_one("#section-intro")
    assert section.find("script") is None
    assert [a.get("href") for a in section.find_all("a") if "cite" not in a.get("class", [])] == [
        None, "https://example.org"]


def test_content_is_escaped_not_interpreted(project):
    project.edit("content/facts.yaml", "claim: Swaps exchanged between 50 and 95 soldiers.",
                 "claim: \"<b>Swaps</b> {{ site.title }} exchanged\"")
    assert build(project) == 0
    html = (project.output / "index.html").read_text(encoding="utf-8")
    assert "&lt;b&gt;Swaps&lt;/b&gt; {{ site.title }} exchanged" in html


def test_failed_build_leaves_previous_output_untouched(project):
    assert build(project) == 0
    before = tree_hash(project.output)
    project.edit("content/facts.yaml", "could range from 50 to 95", "could range from 5 to 9")
    assert build(project) == 1
    assert tree_hash(project.output) == before


def test_rebuild_replaces_the_whole_site(project):
    assert build(project) == 0
    (project.output / "stale.html").write_text("old")
    assert build(project) == 0
    assert not (project.output / "stale.html").exists()
    assert not list(project.root.glob(".output-*")), "staging directories are cleaned up"


def test_same_input_gives_byte_identical_output(project, tmp_path):
    assert build(project, "--output", str(tmp_path / "one")) == 0
    assert build(project, "--output", str(tmp_path / "two")) == 0
    assert tree_hash(tmp_path / "one") == tree_hash(tmp_path / "two")


def test_check_writes_nothing(project, capsys):
    assert main(["check", "--project", str(project.root)]) == 0
    assert "ok: 3 facts, 1 sources, 2 timeline events checked" in capsys.readouterr().out
    assert not project.output.exists()


def test_base_url_override_sets_the_canonical_url(project, tmp_path):
    assert build(project, "--base-url", "https://staging.example.net/kursk") == 0
    soup = parse_page(project.output)
    assert soup.find("link", rel="canonical")["href"] == "https://staging.example.net/kursk/"


def test_static_assets_are_copied_under_hashed_names_and_the_stylesheet_inlined(project):
    assert build(project) == 0
    [copied] = (project.output / "assets").glob("print.*.css")
    assert copied.read_bytes() == (project.root / "static" / "print.css").read_bytes()
    assert not list((project.output / "assets").glob("style.*"))
    assert "<style>:root" in (project.output / "index.html").read_text(encoding="utf-8")


def test_help_documents_every_command_and_exit_code(project):
    result = project.run("--help")
    assert result.returncode == 0
    for word in ("build", "check", "serve", "--output", "--base-url", "--strict", "exit codes", "70"):
        assert word in result.stdout


def test_shipped_explainer_builds_strictly(tmp_path):
    repo = Path(__file__).resolve().parent.parent
    assert main(["build", "--project", str(repo), "--output", str(tmp_path / "out"), "--strict"]) == 0
    assert (tmp_path / "out" / "index.html").exists()
