"""The EDTF subset, form by form and without a build: what each reads as, covers and sorts by.

Fast on purpose (the mutation run of `uncertain.py` uses this file): the build-level checks and the
`edtf` oracle are in test_uncertain_dates.py.
"""

from __future__ import annotations

import pytest

from explainer.dates import DateError, PartialDate, moment_text, parse_edtf
from explainer.uncertain import DateSet, DateSpan

EDTF_WORDS = ("write YYYY, YYYY-MM or YYYY-MM-DD; for an uncertain date: 2024-08~ (about), 2024-08? (uncertain), "
              "2024-08-06/2025-05-25 (a span), 2024-08-06/.. (open end), "
              "\"[2025-05-24,2025-05-25]\" (one of these, in quotes)")


@pytest.mark.parametrize(("text", "human", "said"), [
    ("2024/2025", "2024–2025", "between 2024 and 2025"),
    ("2024-08/2025-02", "August 2024 – February 2025", "between August 2024 and February 2025"),
    ("2024-08-06/2024-08", "6 August 2024 – August 2024", "between 6 August 2024 and August 2024"),
    ("2024-08~/2024-12", "c. August 2024 – December 2024", "between c. August 2024 and December 2024"),
    ("2024-08-30/2024-09-02", "30 August – 2 September 2024", "between 30 August and 2 September 2024"),
    ("2025-05-24/2025-05-25", "24–25 May 2025", "between 24 and 25 May 2025"),
    ("../2025-05-26", "until 26 May 2025", "26 May 2025 or earlier"),
    ("2024-08-06/..", "from 6 August 2024", "6 August 2024 or later"),
    ("[2024-08,2024-09]", "August or September 2024", "August or September 2024"),
    ("[2024,2025]", "2024 or 2025", "2024 or 2025"),
    ("[2024-12-31,2025-01-01]", "31 December 2024 or 1 January 2025", "31 December 2024 or 1 January 2025"),
    ("[2025-04-30,2025-05-01,2025-05-02]", "30 April, 1 May or 2 May 2025", "30 April, 1 May or 2 May 2025"),
    ("[2025-05-24?,2025-05-25]", "24 May 2025? or 25 May 2025", "24 May 2025? or 25 May 2025"),
    ("[2025-05, 2025-05-25]", "25 May 2025 or May 2025", "25 May 2025 or May 2025"),
])
def test_each_span_and_set_reads_as_an_editor_would_write_it(text, human, said):
    date = parse_edtf(text)
    assert (date.human(), moment_text(date)) == (human, said)


def test_each_piece_carries_its_machine_form_and_connectors_none():
    assert parse_edtf("2025-05-24/2025-05-25").pieces() == [
        ("24", "2025-05-24"), ("–", None), ("25 May 2025", "2025-05-25")]
    assert parse_edtf("2025-05-24/2025-05-25").pieces(moment=True) == [
        ("between ", None), ("24", "2025-05-24"), (" and ", None), ("25 May 2025", "2025-05-25")]
    assert parse_edtf("../2025-05-26").pieces() == [("until ", None), ("26 May 2025", "2025-05-26")]
    assert parse_edtf("2024-08-06/..").pieces(moment=True) == [("6 August 2024", "2024-08-06"), (" or later", None)]
    assert parse_edtf("[2025-05-24,2025-05-25]").pieces() == [
        ("24", "2025-05-24"), (" or ", None), ("25 May 2025", "2025-05-25")]


@pytest.mark.parametrize(("text", "year", "month", "earliest", "latest", "approximate", "uncertain"), [
    ("2024-08-06/2025-05", 2024, 8, "2024-08-06", "2025-05-31", False, False),
    ("../2025-02", 2025, 2, None, "2025-02-28", False, False),
    ("2024~/..", 2024, None, "2024-01-01", None, True, False),
    ("2024-08/2024-12?", 2024, 8, "2024-08-01", "2024-12-31", False, True),
    ("[2025-05-25,2024-02?]", 2024, 2, "2024-02-01", "2025-05-25", False, True),
    ("[2024~,2025]", 2024, None, "2024-01-01", "2025-12-31", True, False),
])
def test_what_a_span_or_set_covers(text, year, month, earliest, latest, approximate, uncertain):
    date = parse_edtf(text)
    assert (date.year, date.month, date.earliest, date.latest) == (year, month, earliest, latest)
    assert (date.approximate, date.uncertain, date.day) == (approximate, uncertain, None)


def test_machine_forms_and_precision():
    span, open_end, the_set = parse_edtf("2024-08~/2025"), parse_edtf("2024-08-06/.."), parse_edtf("[2025,2024]")
    assert (span.edtf, span.iso, span.precision) == ("2024-08~/2025", "2024-08/2025", "span")
    assert (open_end.edtf, open_end.iso) == ("2024-08-06/..", "2024-08-06/..")
    assert parse_edtf("../2025").iso == "../2025"
    assert (the_set.edtf, the_set.iso, the_set.precision) == ("[2024,2025]", None, "set")


def test_approximate_true_marks_every_date_of_a_span_or_set():
    assert parse_edtf("2024-08/..").approximated() == DateSpan(PartialDate(2024, 8, approximate=True), None)
    assert parse_edtf("../2024-08").approximated().human() == "until c. August 2024"
    assert parse_edtf("[2024,2025]").approximated() == DateSet((PartialDate(2024, approximate=True),
                                                                 PartialDate(2025, approximate=True)))


def test_open_starts_sort_first_open_ends_last_and_sets_by_their_first_date():
    texts = ["2024-08-06/..", "2025", "../2024-01", "[2024-04,2024-03]", "2024-02/2024-03", "2024-02-15"]
    ordered = sorted((parse_edtf(t) for t in texts), key=lambda d: d.sort_key)
    assert [d.edtf for d in ordered] == ["../2024-01", "2024-02-15", "2024-02/2024-03", "[2024-03,2024-04]",
                                         "2024-08-06/..", "2025"]


@pytest.mark.parametrize(("text", "approximate", "uncertain"), [
    ("2024~", True, False), ("2024?", False, True), ("2024%", True, True), ("2024-08-06?", False, True)])
def test_each_qualifier_mark(text, approximate, uncertain):
    date = parse_edtf(text)
    assert (date.approximate, date.uncertain, date.edtf) == (approximate, uncertain, text)


@pytest.mark.parametrize("text", ["2025-05-24/2025-05-24", "2025-05/2025-05-01", "2024/2024-12-31"])
def test_a_span_may_start_and_end_on_the_same_day(text):
    assert parse_edtf(text).edtf == text


def test_a_span_within_one_year_reads_as_written():
    assert parse_edtf("2024/2024").human() == "2024–2024"


def test_sets_sort_by_their_first_date_then_their_last():
    texts = ["[2024-03,2024-04]", "[2024-01,2024-02,2024-12]", "[2024-01,2024-06]", "[2024-01,2024-02,2024-03]"]
    ordered = sorted((parse_edtf(t) for t in texts), key=lambda d: d.sort_key)
    assert [d.edtf for d in ordered] == ["[2024-01,2024-02,2024-03]", "[2024-01,2024-06]",
                                         "[2024-01,2024-02,2024-12]", "[2024-03,2024-04]"]


def test_spans_and_sets_are_values_no_page_can_change():
    span, the_set = parse_edtf("2024/2025"), parse_edtf("[2024,2025]")
    with pytest.raises(AttributeError):
        span.start = None
    with pytest.raises(AttributeError):
        the_set.dates = ()
    assert len({span, parse_edtf("2024/2025"), the_set, parse_edtf("[2025,2024]")}) == 2


@pytest.mark.parametrize(("text", "message", "hint"), [
    ("2024/2025/2026", "'2024/2025/2026' is not a date", EDTF_WORDS),
    ("2024/x", "'2024/x' is not a date", EDTF_WORDS),
    ("[2025-05-24,x]", "'[2025-05-24,x]' is not a date", EDTF_WORDS),
    ("2024-08-06~?", "'2024-08-06~?' is not a date", EDTF_WORDS),
    ("[2025-05-24,2025-02-30]", "'2025-02-30' is not a real day: February 2025 has 28 days",
     "check the day; if only the month is known, write YYYY-MM"),
    ("2025-06/2025-05-31", "'2025-06/2025-05-31' ends before it starts",
     "write the earlier date first: 2025-05-31/2025-06"),
    ("[2025, 2024 ,2025]", "'[2025, 2024 ,2025]' lists 2025 twice", "list each date once"),
    ("[]", "'[]' is not a date", EDTF_WORDS),
    ("x2024,2025]", "'x2024,2025]' is not a date", EDTF_WORDS),
    ("[2024,2025x", "'[2024,2025x' is not a date", EDTF_WORDS),
    ("[2025-05-24]", "'[2025-05-24]' lists only one date",
     "write the date without brackets, or list two or more, in quotes: \"[2025-05-24,2025-05-25]\""),
    ("2024-08-06/", "'2024-08-06/' has an empty end", "write '..' for an open end, e.g. 2024-08-06/.."),
    ("/2025-05-26", "'/2025-05-26' has an empty start", "write '..' for an open start, e.g. ../2025-05-26"),
    ("../..", "'../..' has neither a start nor an end", "give at least one end, e.g. 2024-08-06/.. or ../2025-05-26"),
])
def test_each_mistake_in_a_span_or_set_is_named(text, message, hint):
    with pytest.raises(DateError) as refused:
        parse_edtf(text)
    assert (str(refused.value), refused.value.hint) == (message, hint)
