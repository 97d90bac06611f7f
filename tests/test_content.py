"""The shipped Kursk explainer, read as a reader would: every statement sourced, nothing invented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from explainer.cli import main
from explainer.quotes import fragments
from explainer.verify import normalise

REPO = Path(__file__).resolve().parent.parent
SEEDS = {p.name: normalise(p.read_text(encoding="utf-8")) for p in (REPO / "seeds").glob("*.txt")}
SOURCES = yaml.safe_load((REPO / "content" / "sources.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> BeautifulSoup:
    out = tmp_path_factory.mktemp("shipped") / "output"
    assert main(["build", "--project", str(REPO), "--output", str(out), "--strict"]) == 0
    return BeautifulSoup((out / "index.html").read_text(encoding="utf-8"), "html.parser")


def all_seed_text() -> str:
    return " ".join(SEEDS.values())


def test_seeds_are_the_shared_archives_byte_for_byte():
    shared = REPO.parent / "shared" / "seeds"
    if not shared.is_dir():
        pytest.skip("../shared/seeds is not beside this checkout")
    for original in shared.glob("*.txt"):
        assert (REPO / "seeds" / original.name).read_bytes() == original.read_bytes()


def test_every_fact_on_the_page_quotes_its_source_verbatim(page):
    facts = page.select("#facts ol.facts > li[id]")
    assert len(facts) >= 40
    for fact in facts:
        quotes = [bq.get_text(" ", strip=True).strip("“”") for bq in fact.find_all("blockquote")]
        assert quotes, f"fact {fact['id']} shows no quote"
        for quote in quotes:
            for part in fragments(quote):  # words left out with '…': each part is in the text
                assert normalise(part) in all_seed_text(), f"fact {fact['id']}: quote not in any archived text"


def test_every_quote_opens_in_its_context_with_the_quoted_words_marked(page):
    for fact in page.select("#facts ol.facts > li[id]"):
        for item in fact.select("ul.citations > li"):
            marks = [m.get_text() for m in item.select("details.ctx mark")]
            assert marks, f"fact {fact['id']}: a quote without its context"
            quote = item.blockquote.get_text(" ", strip=True).strip("“”")
            assert [normalise(m) for m in marks] == [normalise(p) for p in fragments(quote)], fact["id"]


def test_attributions_name_the_claimant_and_the_page_adds_the_source(page):
    labels = [s["label"] for s in SOURCES]
    assert labels == ["an unsigned article", "the Kyiv Independent"]
    for fact in page.select("#facts ol.facts > li[id]"):
        credit = fact.select_one(".meta").get_text().split(" · ")[0]
        assert re.fullmatch(r"According to .+?(, as reported by (an unsigned article|the Kyiv Independent))?", credit)
        assert "the article" not in credit and "cited by" not in credit, fact["id"]


def test_every_fact_is_attributed(page):
    for fact in page.select("#facts ol.facts > li[id]"):
        assert "According to " in fact.get_text(), fact["id"]


def test_every_summary_paragraph_cites_a_fact(page):
    paragraphs = page.select(".summaries section p")
    assert len(paragraphs) >= 10
    for p in paragraphs:
        assert p.select("a.cite"), f"uncited summary paragraph: {p.get_text()[:80]}"


def test_every_summary_paragraph_in_the_markdown_cites_a_fact():
    for path in sorted((REPO / "content" / "summaries").glob("*.md")):
        body = path.read_text(encoding="utf-8").split("---", 2)[2]
        for paragraph in filter(None, (p.strip() for p in body.split("\n\n"))):
            assert re.search(r"\[\[[a-z0-9-]+\]\]", paragraph), f"{path.name}: {paragraph[:80]}"


def test_there_are_four_to_six_summaries(page):
    assert 4 <= len(page.select(".summaries section")) <= 6


def test_every_timeline_event_has_a_supporting_fact(page):
    events = page.select("#timeline ol > li")
    assert len(events) >= 10
    for event in events:
        assert event.select("a.cite"), event.get("id")


def test_timeline_spans_mariupol_to_the_may_2025_exchange(page):
    datetimes = [t["datetime"] for t in page.select("#timeline ol > li time")]
    assert datetimes == sorted(datetimes, key=lambda d: (d[:4], d[5:7] or "13", d[8:10] or "32"))
    assert datetimes[0].startswith("2022")
    assert datetimes[-1].startswith("2025-05")


def test_weekday_only_event_is_approximate_with_a_note(page):
    event = page.select_one("#timeline li[id*='sbu']")
    assert event.find("time").get_text().startswith("c. ")
    assert "Wednesday" in event.select_one(".date-note").get_text()


def test_every_glossary_entry_is_sourced(page):
    entries = page.select("#glossary dd")
    assert len(entries) >= 8
    for dd in entries:
        assert dd.select("a.cite"), dd.find_previous_sibling("dt").get_text()


def test_comparisons_show_both_sides_attributed(page):
    comparisons = page.select("#comparisons .comparison")
    assert len(comparisons) >= 3
    kinds = " ".join(c.get_text() for c in comparisons)
    assert "Sources disagree" in kinds and "Figure changed" in kinds
    for c in comparisons:
        sides = c.select(".side-by-side > li")
        assert len(sides) >= 2
        assert all("According to " in s.get_text() for s in sides)


def metadata(page: BeautifulSoup, source_id: str) -> dict[str, str]:
    source = page.select_one(f"#source-{source_id}")
    return {dt.get_text(strip=True): dt.find_next_sibling("dd").get_text(" ", strip=True)
            for dt in source.find_all("dt")}


def test_source_metadata_is_never_invented(page):
    """Every shown metadata value is in the article's own text; missing values say 'unknown'."""
    months = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
              "October", "November", "December"]
    for source in SOURCES:
        text = SEEDS[source["archive"]]
        shown = metadata(page, source["id"])
        for field, label in (("publisher", "Publisher"), ("author", "Author")):
            if source[field] is None:
                assert shown[label] == "unknown"
            else:
                assert source[field] in text, f"{source['id']}: {field} not in its text"
        if source["published"] is None:
            assert shown["Published"].startswith("unknown")
        else:
            year, month, day = (int(x) for x in str(source["published"]).split("-"))
            assert str(source["published"]) in text or f"{months[month - 1]} {day}, {year}" in text
        if source["url"] is None:
            assert shown["Address"] == "unknown"
        if source["retrieved"] is None:
            assert shown["Archived text retrieved"] == "unknown"


def test_undated_article_says_so_and_marks_its_inferred_range(page):
    shown = metadata(page, "untitled-kursk-prisoners-article")
    assert shown["Published"].startswith("unknown")
    assert "inferred from the text" in shown["Published"]
    assert "twice" in shown["Note"]
