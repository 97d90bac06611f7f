"""Saying a repeated thing once: a source's `facts_date_note` inherited by its facts, quotes
grouped under one line per source, and quotes the source itself translated (issue 12)."""

from __future__ import annotations

import csv
import io
import json
import re
import textwrap

import pytest
from bs4 import BeautifulSoup
from conftest import MINIMAL, Project

NOTE = "The article gives no dates of its own; each is worked out from its wording."
SOURCE_WITH_NOTE = textwrap.dedent(MINIMAL["content/sources.yaml"]).rstrip() + f'\n  facts_date_note: "{NOTE}"\n'
FACTS = textwrap.dedent(MINIMAL["content/facts.yaml"])


def line_of(project: Project, rel: str, text: str) -> int:
    """The line (from 1) of the first line of ``rel`` holding ``text``, for exact error positions."""
    lines = (project.root / rel).read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if text in line)


def page(project: Project) -> BeautifulSoup:
    return BeautifulSoup((project.output / "index.html").read_text(encoding="utf-8"), "html.parser")


def data(project: Project, name: str) -> dict:
    return json.loads((project.output / name).read_text(encoding="utf-8"))


@pytest.fixture
def noted(project: Project, run) -> Project:
    """The small project with a note on article-a: swap-sizes and general-staff-971 inherit it."""
    project.write("content/sources.yaml", SOURCE_WITH_NOTE)
    code, err = run()
    assert code == 0, err
    assert "warning" not in err
    return project


def test_the_source_note_is_on_the_page_once_under_the_source(noted: Project) -> None:
    soup = page(noted)
    assert soup.get_text().count(NOTE) == 1
    label = soup.select_one("#source-article-a dt#source-article-a-date-note")
    assert label.get_text() == "How its facts are dated"
    assert label.find_next_sibling("dd").get_text().startswith(NOTE)


def test_each_fact_without_a_note_links_to_it_and_a_fact_with_one_keeps_its_own(noted: Project) -> None:
    soup = page(noted)
    for fact_id in ("swap-sizes", "general-staff-971"):
        note = soup.select_one(f"#{fact_id} .date-note")
        assert note.select_one("a")["href"] == "#source-article-a-date-note", fact_id
        assert note.get_text(" ", strip=True) == ("How this date was worked out: see the note on dates for "
                                                   "facts from the Test Gazette .")
    own = soup.select_one("#sbu-102 .date-note")
    assert own.get_text(" ", strip=True) == 'How this date was worked out: The article dates it only as "Wednesday".'
    assert own.select_one("a") is None


def test_an_event_whose_facts_all_inherit_the_note_links_to_it_too(noted: Project) -> None:
    soup = page(noted)
    statement, sbu = soup.select("ol.timeline > li")[1], soup.select("ol.timeline > li")[0]
    assert statement.h3.get_text() == "General Staff statement"
    assert statement.select_one(".date-note a")["href"] == "#source-article-a-date-note"
    assert sbu.select_one(".date-note") is None  # its one fact has a note of its own: nothing inherited
    events = {e["title"]: e for e in data(noted, "timeline.json")["events"]}
    assert events["General Staff statement"]["date_note"] == NOTE
    assert events["General Staff statement"]["date_note_from"] == "source"
    assert events["SBU captures"]["date_note"] is None and events["SBU captures"]["date_note_from"] is None


def test_the_exports_carry_the_inherited_note_in_full_on_every_fact(noted: Project) -> None:
    facts = {f["id"]: f for f in data(noted, "facts.json")["facts"]}
    assert (facts["swap-sizes"]["date_note"], facts["swap-sizes"]["date_note_from"]) == (NOTE, "source")
    assert facts["sbu-102"]["date_note_from"] == "fact"
    assert facts["sbu-102"]["date_note"] == 'The article dates it only as "Wednesday".'
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO((noted.output / "facts.csv").read_text("utf-8")))}
    assert rows["general-staff-971"]["date_note"] == NOTE
    assert data(noted, "sources.json")["sources"][0]["facts_date_note"] == NOTE
    script = page(noted).find("script", type="application/ld+json").string
    claims = {c["@id"].rsplit("#", 1)[1]: c for c in json.loads(script)["hasPart"]}
    assert claims["swap-sizes"]["description"] == f"How the date was worked out: {NOTE}"


def test_a_fact_repeating_its_sources_note_is_warned_at_its_date_note(project: Project, run) -> None:
    project.write("content/sources.yaml", SOURCE_WITH_NOTE)
    project.edit("content/facts.yaml", "  date: 2024\n", f'  date: 2024\n  date_note: "{NOTE}"\n')
    code, err = run()
    assert code == 0
    line = line_of(project, "content/facts.yaml", f'date_note: "{NOTE}"')
    assert (f"content/facts.yaml:{line}:14: warning: fact 'swap-sizes' repeats the facts_date_note of source "
            "'article-a' word for word") in err
    assert "hint: remove its date_note: it inherits the source's note, which the page says once" in err
    code, err = run("build", "--strict")
    assert code == 1


def test_a_note_no_fact_inherits_is_warned_at_the_note(project: Project, run) -> None:
    project.write("content/sources.yaml", SOURCE_WITH_NOTE)
    own = FACTS.replace('  date_note: The article dates it only as "Wednesday".\n', "")
    project.write("content/facts.yaml", re.sub(r"(\n  date: [^\n]+\n)", r'\1  date_note: "Own note."\n', own))
    code, err = run()
    assert code == 0
    line = line_of(project, "content/sources.yaml", "facts_date_note:")
    assert (f"content/sources.yaml:{line}:20: warning: no fact inherits the facts_date_note of source "
            "'article-a'") in err, err


@pytest.mark.parametrize(("value", "message"), [
    ("5", "error: expected text, got a number"),
    ("''", "error: the text is empty"),
])
def test_a_misused_source_note_is_an_error_with_its_place(project: Project, run, value, message) -> None:
    project.edit("content/sources.yaml", "  label: the Test Gazette\n",
                 f"  label: the Test Gazette\n  facts_date_note: {value}\n")
    code, err = run()
    line = line_of(project, "content/sources.yaml", "facts_date_note:")
    assert code == 1 and f"content/sources.yaml:{line}:20: {message}" in err, err


@pytest.mark.parametrize(("line", "column", "message", "hint"), [
    ("translated_by_source: yes please", 29, "error: expected true or false, got text", "hint: write true or false"),
    ("translated: true", 7, "error: unknown key 'translated' in citation",
     "hint: did you mean 'translated_by_source'?"),
])
def test_a_misused_translation_mark_is_an_error_with_its_place(project: Project, run, line, column, message,
                                                              hint) -> None:
    project.edit("content/facts.yaml", '      quote: "could range from 50 to 95 soldiers"\n',
                 f'      quote: "could range from 50 to 95 soldiers"\n      {line}\n')
    code, err = run()
    assert code == 1
    number = line_of(project, "content/facts.yaml", line.split(":")[0] + ":")
    assert f"content/facts.yaml:{number}:{column}: {message}" in err and hint in err, err


TWO_QUOTES = """\
- id: two-quotes
  claim: The SBU captured 102; swaps were small.
  attribution: the Test Gazette
  date: 2024
  citations:
    - source: article-a
      quote: "its commandos captured no fewer than 102 Russian conscripts"
    - source: article-a
      quote: "could range from 50 to 95 soldiers"
      translated_by_source: true
"""


def test_quotes_from_one_source_sit_under_one_source_line(project: Project, run) -> None:
    project.write("content/facts.yaml", FACTS + TWO_QUOTES)
    code, err = run()
    assert code == 0, err
    fact = page(project).select_one("#two-quotes")
    groups = fact.select("ul.citations > li")
    assert len(groups) == 1
    line = groups[0].select_one("p.from")
    assert line.get_text() == "From the Test Gazette:"
    assert line.a["href"] == "#source-article-a"
    quotes = groups[0].select("div.quote")
    assert [q.blockquote.get_text() for q in quotes] == [
        "“its commandos captured no fewer than 102 Russian conscripts”", "“could range from 50 to 95 soldiers”"]
    for quote in quotes:  # each keeps its own fragment link and its own context
        assert quote.select_one(".quote-meta a")["href"].startswith("https://example.org/a#:~:text=")
        assert len(quote.select("details.ctx")) == 1
    assert quotes[0].select_one(".translated") is None
    assert quotes[1].select_one(".quote-meta").get_text(" ", strip=True) == \
        "Translated by the Test Gazette · Open it at the source"
    facts = {f["id"]: f for f in data(project, "facts.json")["facts"]}
    assert [c["translated_by_source"] for c in facts["two-quotes"]["citations"]] == [False, True]
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO((project.output / "facts.csv").read_text("utf-8")))}
    assert rows["two-quotes"]["translated_by_source"] == "false | true"


def test_two_sources_with_one_label_are_named_by_their_titles(project: Project, run) -> None:
    second = MINIMAL["content/sources.yaml"].replace("article-a", "article-b").replace("Article A", "Article B")
    project.write("content/sources.yaml", textwrap.dedent(MINIMAL["content/sources.yaml"]) + textwrap.dedent(second))
    project.edit("content/facts.yaml", "    - source: article-a\n      quote: \"could range",
                 "    - source: article-b\n      quote: \"could range")
    code, err = run()
    assert code == 0, err
    soup = page(project)
    assert soup.select_one("#swap-sizes p.from").get_text() == "From Article B:"
    assert soup.select_one("#sbu-102 p.from").get_text() == "From Article A:"


def test_a_date_note_may_link_to_the_one_explanation_and_the_exports_give_its_address(project: Project, run) -> None:
    project.edit("content/facts.yaml", '  date_note: The article dates it only as "Wednesday".\n',
                 "  date_note: \"Dated as explained under [Captures over time](#compare-captures-changed).\"\n")
    code, err = run("build", "--strict")
    assert code == 0, err
    link = page(project).select_one("#sbu-102 .date-note a")
    assert (link["href"], link.get_text()) == ("#compare-captures-changed", "Captures over time")
    facts = {f["id"]: f for f in data(project, "facts.json")["facts"]}
    assert facts["sbu-102"]["date_note"] == \
        "Dated as explained under Captures over time (https://example.org/test/#compare-captures-changed)."


def test_a_date_note_link_the_page_would_drop_is_warned(project: Project, run) -> None:
    project.edit("content/facts.yaml", '  date_note: The article dates it only as "Wednesday".\n',
                 "  date_note: \"See [this](javascript:alert(1)).\"\n")
    code, err = run()
    line = line_of(project, "content/facts.yaml", "date_note:")
    assert code == 0
    assert f"content/facts.yaml:{line}:14: warning: the link 'javascript:alert(1)' is removed from the page" in err
    assert "javascript" not in str(page(project).select_one("#sbu-102 .date-note"))


def test_on_a_list_page_of_its_own_a_date_note_links_to_the_front_page(project: Project, run) -> None:
    """The comparison is on index.html; a split fact list shows the note on facts-YEAR.html."""
    project.edit("site.yaml", "charts:", "pagination: {facts_per_page: 1, events_per_page: 1}\ncharts:")
    project.edit("content/facts.yaml", '  date_note: The article dates it only as "Wednesday".\n',
                 "  date_note: \"Dated as explained under [Captures over time](#compare-captures-changed).\"\n")
    project.write("content/sources.yaml", SOURCE_WITH_NOTE)
    code, err = run()
    assert code == 0, err
    pages = {p.name: BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser")
             for p in project.output.glob("facts-*.html")}
    fact = next(soup for soup in pages.values() if soup.select_one("#sbu-102"))
    assert fact.select_one("#sbu-102 .date-note a")["href"] == "index.html#compare-captures-changed"
    inherited = next(soup for soup in pages.values() if soup.select_one("#swap-sizes"))
    assert inherited.select_one("#swap-sizes .date-note a")["href"] == "index.html#source-article-a-date-note"
    assert page(project).select_one("#source-article-a-date-note") is not None
