"""Uncertain dates (EDTF Level 1), when a claim was said, and up to when it holds (`as_of`).

Each form has one English rendering, one machine form and one sort rule; each mistake one message
with its hint. The `edtf` package (a test dependency only) is the oracle for what the notation means.
"""

from __future__ import annotations

import csv
import io
import json
import re

import edtf  # a test dependency (requirements-dev.txt): the oracle; the build never imports it
import pytest
from _pages import parse_page
from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st

from explainer.dates import DateError, PartialDate, parse_edtf
from explainer.filters import format_date, format_said

# --- one rendering, one machine form, one sort rule per form ------------------------------------

@pytest.mark.parametrize(("text", "human", "iso", "edtf"), [
    ("2024-08", "August 2024", "2024-08", "2024-08"),
    ("2024-08~", "c. August 2024", "2024-08", "2024-08~"),
    ("2024-08?", "August 2024?", "2024-08", "2024-08?"),
    ("2024-08%", "c. August 2024?", "2024-08", "2024-08%"),
    ("2025-05-24/2025-05-25", "24–25 May 2025", "2025-05-24/2025-05-25", "2025-05-24/2025-05-25"),
    ("2024-08-06/2024-12-25", "6 August – 25 December 2024", "2024-08-06/2024-12-25", "2024-08-06/2024-12-25"),
    ("2024-08-06/2025-05-25", "6 August 2024 – 25 May 2025", "2024-08-06/2025-05-25", "2024-08-06/2025-05-25"),
    ("2024-08/2024-12", "August–December 2024", "2024-08/2024-12", "2024-08/2024-12"),
    ("2024-08~/2025-05-25", "c. August 2024 – 25 May 2025", "2024-08/2025-05-25", "2024-08~/2025-05-25"),
    ("2024-08-06/..", "from 6 August 2024", "2024-08-06/..", "2024-08-06/.."),
    ("../2025-05-26", "until 26 May 2025", "../2025-05-26", "../2025-05-26"),
    ("[2025-05-24,2025-05-25]", "24 or 25 May 2025", None, "[2025-05-24,2025-05-25]"),
    ("[2025-05-26, 2025-05-24,2025-05-25]", "24, 25 or 26 May 2025", None, "[2025-05-24,2025-05-25,2025-05-26]"),
    ("[2025-04-30,2025-05-02]", "30 April or 2 May 2025", None, "[2025-04-30,2025-05-02]"),
])
def test_each_form_has_one_rendering_and_one_machine_form(text, human, iso, edtf):
    date = parse_edtf(text)
    assert (date.human(), date.iso, date.edtf) == (human, iso, edtf)


def test_a_span_is_two_time_elements_with_their_machine_forms():
    html = str(format_date(parse_edtf("2025-05-24/2025-05-25")))
    assert html == '<time datetime="2025-05-24">24</time>–<time datetime="2025-05-25">25 May 2025</time>'
    assert str(format_date(parse_edtf("[2025-05-24,2025-05-25]"))) == (
        '<time datetime="2025-05-24">24</time> or <time datetime="2025-05-25">25 May 2025</time>')
    assert str(format_date(parse_edtf("2024-08-06/.."))) == 'from <time datetime="2024-08-06">6 August 2024</time>'


@pytest.mark.parametrize(("text", "said"), [
    ("2025-05-25", "25 May 2025"),
    ("2025-05-24/2025-05-25", "between 24 and 25 May 2025"),
    ("2024-08-06/..", "6 August 2024 or later"),
    ("../2025-05-26", "26 May 2025 or earlier"),
    ("[2025-05-24,2025-05-25]", "24 or 25 May 2025"),
])
def test_when_said_a_span_reads_as_one_day_within_it(text, said):
    assert BeautifulSoup(str(format_said(parse_edtf(text))), "html.parser").get_text() == said


def test_dates_sort_by_start_then_end_and_a_month_after_its_days():
    texts = ["2025-05", "2024-08-06/..", "../2025-05-26", "2024", "2024-08-06", "2024-08-06/2025-05-25",
             "[2025-05-24,2025-05-25]", "2025-05-24/2025-05-25", "2024-08~", "2025-05-24"]
    ordered = sorted(texts, key=lambda t: parse_edtf(t).sort_key)
    assert ordered == ["../2025-05-26", "2024-08-06", "2024-08-06/2025-05-25", "2024-08-06/..", "2024-08~", "2024",
                       "2025-05-24", "[2025-05-24,2025-05-25]", "2025-05-24/2025-05-25", "2025-05"]


def test_plain_dates_stay_partial_dates_on_the_fast_path():
    assert parse_edtf("2024-08") == PartialDate(2024, 8)
    assert parse_edtf(2024) == PartialDate(2024)
    assert parse_edtf("2024-08~") == PartialDate(2024, 8, approximate=True)


# --- every mistake: one message, one hint ---------------------------------------------------------

@pytest.mark.parametrize(("text", "message", "hint"), [
    ("2025-05-25/2025-05-24", "'2025-05-25/2025-05-24' ends before it starts",
     "write the earlier date first: 2025-05-24/2025-05-25"),
    ("2025-04-31", "'2025-04-31' is not a real day: April 2025 has 30 days",
     "check the day; if only the month is known, write YYYY-MM"),
    ("1900-02-29/2025", "'1900-02-29' is not a real day: February 1900 has 28 days",
     "check the day; if only the month is known, write YYYY-MM"),
    ("[2025-05-24]", "'[2025-05-24]' lists only one date",
     "write the date without brackets, or list two or more, in quotes: \"[2025-05-24,2025-05-25]\""),
    ("[2025-05-24,2025-05-24]", "'[2025-05-24,2025-05-24]' lists 2025-05-24 twice", "list each date once"),
    ("2024-08-06/", "'2024-08-06/' has an empty end", "write '..' for an open end, e.g. 2024-08-06/.."),
    ("/2025-05-26", "'/2025-05-26' has an empty start", "write '..' for an open start, e.g. ../2025-05-26"),
    ("../..", "'../..' has neither a start nor an end", "give at least one end, e.g. 2024-08-06/.. or ../2025-05-26"),
    ("2024~-08", "'2024~-08' is not a date", None),
    ("2024-08-XX", "'2024-08-XX' is not a date", None),
    ("24 or 25 May", "'24 or 25 May' is not a date", None),
    ("2024-13~", "'2024-13' has no month 13", "months run from 01 to 12"),
    ([2025, 2026], "expected a date, got a list", 'put one of a set of dates in quotes: "[2025-05-24,2025-05-25]"'),
])
def test_impossible_reversed_and_unknown_dates_are_refused(text, message, hint):
    with pytest.raises(DateError) as caught:
        parse_edtf(text)
    assert str(caught.value) == message
    assert caught.value.hint == (hint or (
        "write YYYY, YYYY-MM or YYYY-MM-DD; for an uncertain date: 2024-08~ (about), 2024-08? (uncertain), "
        "2024-08-06/2025-05-25 (a span), 2024-08-06/.. (open end), "
        "\"[2025-05-24,2025-05-25]\" (one of these, in quotes)"))


def test_valid_forms_are_accepted_where_the_build_reads_dates(project, run):
    project.edit("content/facts.yaml", "date: 2024\n", 'date: "2024-08-06/2025-05-25"\n  said: "2025-05-25"\n'
                 '  as_of: 2025-05-26\n')
    project.edit("content/timeline.yaml", "- date: 2025-05-25", '- date: "[2025-05-24,2025-05-25]"')
    project.edit("content/sources.yaml", "published: 2025-05-26", 'published: "2025-05-26?"')
    code, err = run()
    assert (code, err) == (0, "")


def test_a_bad_date_is_a_content_error_with_its_position(project, refused):
    project.edit("content/facts.yaml", "date: 2024\n", 'date: "2025-05-25/2025-05-24"\n')
    project.edit("content/timeline.yaml", "- date: 2025-05-25", "- date: 2025-04-31/2025-05-02")
    project.edit("content/facts.yaml", 'date: "2025-05-25"\n', 'date: "2025-05-25"\n  said: "[2025-05-24]"\n')
    err = refused("content/facts.yaml:15:9", "'2025-05-25/2025-05-24' ends before it starts",
                  "write the earlier date first: 2025-05-24/2025-05-25")
    assert ("content/facts.yaml:24:9: error: '[2025-05-24]' lists only one date\n"
            "    hint: write the date without brackets, or list two or more, in quotes: "
            "\"[2025-05-24,2025-05-25]\"") in err
    assert ("content/timeline.yaml:1:9: error: '2025-04-31' is not a real day: April 2025 has 30 days\n"
            "    hint: check the day; if only the month is known, write YYYY-MM") in err


def test_plain_only_fields_still_refuse_edtf(project, refused):
    project.edit("site.yaml", "updated: 2025-06-01", "updated: 2025-06~")
    refused("site.yaml:5:10", "'2025-06~' is not a date", "write the date as YYYY, YYYY-MM or YYYY-MM-DD")


def test_approximate_true_keeps_working_and_marks_a_span(project, run):
    assert parse_edtf("2024-08").human() == "August 2024"
    project.edit("content/timeline.yaml", "- date: 2024-08\n  approximate: true",
                 '- date: "2024-08/2024-09"\n  approximate: true')
    assert run() == (0, "")
    when = parse_page(project.output).select_one("#event-sbu-captures .when")
    assert when.get_text() == "c. August 2024 – c. September 2024"
    assert [t["datetime"] for t in when.find_all("time")] == ["2024-08", "2024-09"]


def test_the_timeline_draws_a_span_as_a_span(project, run):
    project.edit("content/timeline.yaml", "- date: 2025-05-25", '- date: "2024-08-06/2025-05-25"')
    assert run() == (0, "")
    page = parse_page(project.output)
    span = page.select_one("#event-general-staff-statement")
    assert span["class"] == ["span"]
    assert span.select_one(".when").get_text() == "6 August 2024 – 25 May 2025"
    assert page.select_one("#event-sbu-captures").get("class") is None
    # by start, then end: the span starts on 6 August 2024, before "c. August 2024" (a month after its days)
    assert [li["id"] for li in page.select("#timeline ol > li")] == ["event-general-staff-statement",
                                                                      "event-sbu-captures"]


# --- said and as_of on the page and in the exports --------------------------------------------

SAID_AND_AS_OF = ('date: "2025-05-25"\n', 'date: "2024-08-06/2025-05-25"\n  said: "2025-05-25"\n'
                  '  as_of: "2025-05-26"\n')


def test_the_page_shows_said_and_what_the_claim_is_about_when_they_differ(project, run):
    project.edit("content/facts.yaml", *SAID_AND_AS_OF)
    assert run() == (0, "")
    page = parse_page(project.output)
    meta = page.select_one("#general-staff-971 .meta").get_text()
    assert meta == ("According to Ukraine's General Staff, as reported by the Test Gazette · said 25 May 2025 · about 6 August 2024 – 25 May 2025"  # noqa: E501
                    " · Captures")
    # without `said`, the source's `published` date stands in, named as such
    assert page.select_one("#swap-sizes .meta").get_text() == (
        "According to the Test Gazette · published 26 May 2025 · about 2024 · Exchanges")
    comparison = page.select_one("#compare-captures-changed").get_text(" ", strip=True)
    assert "said 25 May 2025 · about 6 August 2024 – 25 May 2025 · According to Ukraine's General Staff, as reported by the Test Gazette" in comparison  # noqa: E501


def test_said_equal_to_the_date_shows_the_date_once(project, run):
    project.edit("content/sources.yaml", "published: 2025-05-26", "published: 2025-05-25")
    assert run() == (0, "")
    assert parse_page(project.output).select_one("#general-staff-971 .meta").get_text() == (
        "According to Ukraine's General Staff, as reported by the Test Gazette · 25 May 2025 · Captures")


def test_an_inferred_publication_range_stands_in_for_said(project, run):
    project.edit("content/sources.yaml", "published: 2025-05-26",
                 'published: null\n  published_inferred: {from: 2024-08-06, to: null, reasoning: "It says so."}')
    assert run() == (0, "")
    meta = parse_page(project.output).select_one("#swap-sizes .meta")
    assert meta.get_text() == "According to the Test Gazette · published 6 August 2024 or later · about 2024 · Exchanges"  # noqa: E501
    assert meta.select_one(".said time")["datetime"] == "2024-08-06"


def test_as_of_is_beside_the_claim_wherever_it_appears(project, run):
    project.edit("content/facts.yaml", *SAID_AND_AS_OF)
    project.edit("content/facts.yaml", "      quote: \"captured 971 Russian soldiers during a months-long offensive - "
                 "the General Staff said\"", "      quote: \"captured 971 Russian soldiers during a months-long "
                 "offensive - the General Staff said\"\n  figure: {series: captured, value: 971, label: GS}")
    assert run() == (0, "")
    page = parse_page(project.output)
    as_of = "(as of 26 May 2025)"
    assert page.select_one("#general-staff-971 .claim").get_text() == (
        f"3 Ukrainian forces captured 971 Russian soldiers. {as_of}")
    assert page.select_one("#general-staff-971 .as-of time")["datetime"] == "2025-05-26"
    compared = [p.get_text() for p in page.select("#compare-captures-changed .side-by-side li > p:not(.meta)")]
    assert compared[1].startswith(f"Ukrainian forces captured 971 Russian soldiers. {as_of}")
    rows = [[td.get_text() for td in tr.find_all("td")] for tr in page.select("#chart-captured tbody tr")]
    assert [row[0] for row in rows] == [f"971 {as_of}", "at least 102"]  # the span starts before c. August
    assert "as of" not in page.select_one("#sbu-102 .claim").get_text()


def test_exports_carry_said_and_as_of(project, run):
    project.edit("content/facts.yaml", *SAID_AND_AS_OF)
    assert run() == (0, "")
    facts = {f["id"]: f for f in json.loads((project.output / "facts.json").read_text(encoding="utf-8"))["facts"]}
    gs = facts["general-staff-971"]
    assert gs["date"] == {"edtf": "2024-08-06/2025-05-25", "iso": "2024-08-06/2025-05-25", "precision": "span",
                          "approximate": False, "uncertain": False, "earliest": "2024-08-06",
                          "latest": "2025-05-25", "text": "6 August 2024 – 25 May 2025"}
    assert (gs["said"]["edtf"], gs["said_from"], gs["as_of"]["text"]) == ("2025-05-25", "fact", "26 May 2025")
    assert (facts["swap-sizes"]["said"]["edtf"], facts["swap-sizes"]["said_from"]) == ("2025-05-26", "source")
    assert facts["swap-sizes"]["as_of"] is None

    rows = {r["id"]: r for r in csv.DictReader(io.StringIO((project.output / "facts.csv").read_text("utf-8")))}
    assert (rows["general-staff-971"]["date"], rows["general-staff-971"]["said"],
            rows["general-staff-971"]["as_of"]) == ("2024-08-06/2025-05-25", "2025-05-25", "2025-05-26")
    assert (rows["swap-sizes"]["said"], rows["swap-sizes"]["as_of"]) == ("2025-05-26", "")

    ld = parse_page(project.output).find("script", type="application/ld+json").string
    claims = {c["@id"].rsplit("#", 1)[1]: c for c in json.loads(ld)["hasPart"]}
    gs_claim = claims["general-staff-971"]
    assert gs_claim["temporalCoverage"] == "2024-08-06/2025-05-25"
    assert gs_claim["dateCreated"] == "2025-05-25"
    assert gs_claim["text"] == "Ukrainian forces captured 971 Russian soldiers. (as of 26 May 2025)"
    assert "dateCreated" not in claims["swap-sizes"]


def test_one_of_a_set_in_json_ld_covers_the_earliest_to_the_latest_day(project, run):
    project.edit("content/facts.yaml", 'date: "2025-05-25"\n', 'date: "[2025-05-24,2025-05-25]"\n')
    assert run() == (0, "")
    ld = json.loads(parse_page(project.output).find("script", type="application/ld+json").string)
    coverage = {c["@id"].rsplit("#", 1)[1]: c["temporalCoverage"] for c in ld["hasPart"]}
    assert coverage["general-staff-971"] == "2025-05-24/2025-05-25"


# --- the edtf package as the oracle ---------------------------------------------------------------

_DAY = st.integers(1, 31).map(lambda d: f"{d:02d}")
_ONE = st.builds(lambda y, m, d, q: f"{y}{'-' + m if m else ''}{'-' + d if m and d else ''}{q}",
                 st.integers(1000, 2999).map(str), st.none() | st.integers(1, 12).map(lambda m: f"{m:02d}"),
                 st.none() | _DAY, st.sampled_from(["", "", "~", "?", "%"]))
_END = _ONE | st.just("..")
EDTF_FORMS = (_ONE | st.builds(lambda a, b: f"{a}/{b}", _END, _END)
              | st.lists(_ONE, min_size=2, max_size=4).map(lambda ds: "[" + ",".join(ds) + "]"))
OUR_EXTRA_RULES = re.compile(r"is not a real day|ends before it starts|twice|neither a start nor an end")


def _bound(value) -> str | None:
    """The edtf package's strict bound as YYYY-MM-DD (None for an open end)."""
    if isinstance(value, float):  # ±inf: open
        return None
    return f"{value.tm_year:04d}-{value.tm_mon:02d}-{value.tm_mday:02d}"


@settings(max_examples=400, deadline=None)
@given(text=EDTF_FORMS)
def test_our_subset_means_what_edtf_means(text):
    """Where we accept a date, edtf reads the same first and last possible day; where we refuse one
    edtf accepts, it is for a rule we add (real days, reversed spans, a date listed twice)."""
    try:
        ours = parse_edtf(text)
    except DateError as exc:
        try:
            edtf.parse_edtf(text)
        except edtf.EDTFParseException:
            return
        assert OUR_EXTRA_RULES.search(str(exc)), (text, str(exc))
        return
    theirs = edtf.parse_edtf(text)
    assert (ours.earliest, ours.latest) == (_bound(theirs.lower_strict()), _bound(theirs.upper_strict())), text
    assert parse_edtf(ours.edtf) == ours  # the canonical notation reads back the same


@settings(max_examples=400, deadline=None)
@given(text=st.text(alphabet="0123456789-/[].,~?%X ", max_size=24))
def test_we_never_accept_what_edtf_refuses(text):
    try:
        ours = parse_edtf(text)
    except DateError:
        return
    theirs = edtf.parse_edtf(text.strip())
    assert (ours.earliest, ours.latest) == (_bound(theirs.lower_strict()), _bound(theirs.upper_strict())), text


def test_a_new_fact_offers_said_and_as_of_ready_to_uncomment(project, run):
    import datetime as dt

    from explainer.scaffold import new

    new(project.root, "fact", today=dt.date(2025, 6, 2))
    path = project.root / "content" / "facts.yaml"
    text = path.read_text(encoding="utf-8")
    assert '  # said: "2025-06-02"' in text and '  # as_of: "2025-06-02"' in text
    path.write_text(text.replace("  # said:", "  said:").replace("  # as_of:", "  as_of:"), encoding="utf-8")
    code, err = run("check")
    assert code == 1  # the TODO placeholders, and nothing about the dates
    assert "said" not in err and "as_of" not in err and "not a date" not in err


def test_an_inferred_publication_range_cannot_end_before_it_starts(project, run):
    project.edit("content/sources.yaml", "published: 2025-05-26",
                 'published: null\n  published_inferred: {from: 2025-05-26, to: 2024-08, reasoning: "It says so."}')
    code, err = run("check")
    assert code == 1
    assert err.startswith("content/sources.yaml:6:46: error: the inferred publication range ends (2024-08) before it "
                          "starts (2025-05-26)\n    hint: put the earlier date in 'from' and the later one in 'to'\n")


def test_a_list_page_holds_a_span_or_a_set_by_its_start():
    from explainer.paginate import by_date

    dates = [parse_edtf(t) for t in ("2024-08-06/2025-05-25", "../2025-05-26", "[2025-05-24,2025-06-01]", "2025")]
    pages = {page.name: [d.edtf for d in page.items] for page in by_date("facts", dates, lambda d: d, 2)}
    assert pages == {"facts-2024.html": ["2024-08-06/2025-05-25"], "facts-2025.html": ["2025"],
                     "facts-2025-05.html": ["../2025-05-26", "[2025-05-24,2025-06-01]"]}


def test_the_feed_and_recent_list_carry_as_of_with_the_claim(project, run):
    project.edit("content/facts.yaml", 'date: "2025-05-25"\n', 'date: "2025-05-25"\n  as_of: 2025-05-26\n'
                 "  added: 2025-06-02\n")
    assert run() == (0, "")
    recent = parse_page(project.output).select_one("#recent li").get_text()
    claim = ("According to Ukraine's General Staff, as reported by the Test Gazette: "
             "Ukrainian forces captured 971 Russian soldiers. (as of 26 May 2025)")
    assert recent == f"2 June 2025: New fact: {claim}"
    feed = (project.output / "feed.xml").read_text(encoding="utf-8")
    assert f"<title>New fact: {claim}</title>" in feed


def test_said_cannot_be_later_than_the_source_that_reports_it(project, run):
    project.edit("content/facts.yaml", 'date: "2025-05-25"\n', 'date: "2025-05-25"\n  said: 2025-06\n')
    code, err = run("check")
    assert code == 1
    assert err.startswith(
        "content/facts.yaml:24:9: error: fact 'general-staff-971' is said June 2025, after source 'article-a' "
        "reporting it was published (26 May 2025)\n"
        "    hint: 'said' is when the claim was made, at the latest the day its source was published; "
        "check both dates\n")


def test_as_of_cannot_be_later_than_the_source_that_reports_it(project, run):
    """"as of 1 July 2025" from an article of 26 May 2025: the page would vouch for a day the source never saw."""
    project.edit("content/facts.yaml", 'date: "2025-05-25"\n', 'date: "2025-05-25"\n  as_of: 2025-07-01\n')
    code, err = run("check")
    assert code == 1
    assert err.startswith(
        "content/facts.yaml:24:10: error: fact 'general-staff-971' holds as of 1 July 2025, after source "
        "'article-a' reporting it was published (26 May 2025)\n"
        "    hint: 'as_of' is the last day the source vouches for the claim: at the latest the day it was "
        "published; check both dates\n")


def test_as_of_on_or_before_the_source_date_passes(project, run):
    project.edit("content/facts.yaml", 'date: "2025-05-25"\n', 'date: "2025-05-25"\n  as_of: 2025-05-26\n')
    assert run("check") == (0, "")


def test_a_fact_cannot_be_updated_before_it_was_added(project, run):
    project.edit("content/facts.yaml", 'date: "2025-05-25"\n',
                 'date: "2025-05-25"\n  added: 2025-06-05\n  updated: 2025-06-02\n')
    code, err = run("check")
    assert code == 1
    assert err.startswith(
        "content/facts.yaml:25:12: error: fact 'general-staff-971' is updated 2 June 2025, before it was added "
        "(5 June 2025)\n    hint: 'updated' is the day the fact last changed in substance, on or after the day "
        "in 'added'; check both dates\n")


def test_said_within_the_source_date_passes(project, run):
    project.edit("content/facts.yaml", 'date: "2025-05-25"\n', 'date: "2025-05-25"\n  said: 2025-05\n')
    assert run("check")[0] == 0  # May 2025 may be 26 May or earlier


def test_an_open_start_said_and_date_read_as_moments_not_as_a_crash(project, run):
    """`said: ../2025-05-25` once crashed the source-date check (exit 70); `as_of` reads like `said`."""
    project.edit("content/facts.yaml", 'date: "2025-05-25"\n',
                 'date: "../2025-05-25"\n  said: "../2025-05-24"\n  as_of: "2025-05-20/.."\n')
    assert run() == (0, "")
    page = parse_page(project.output)
    assert page.select_one("#general-staff-971 .meta").get_text() == (
        "According to Ukraine's General Staff, as reported by the Test Gazette · said 24 May 2025 or earlier · about 25 May 2025 or earlier · Captures")  # noqa: E501
    assert page.select_one("#general-staff-971 .as-of").get_text() == "(as of 20 May 2025 or later)"
    linked_data = page.select_one('script[type="application/ld+json"]').get_text()
    assert "(as of 20 May 2025 or later)" in linked_data and "as of from" not in linked_data
