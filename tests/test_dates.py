"""Dates keep their own precision, accept YAML's unquoted forms and refuse impossible days."""

import datetime as dt

import pytest

from explainer.dates import DateError, PartialDate, moment_text, parse_date, parse_edtf, type_name


@pytest.mark.parametrize(("value", "iso", "human"), [
    (2024, "2024", "2024"),
    ("2024", "2024", "2024"),
    ("2024-08", "2024-08", "August 2024"),
    ("2024-08-06", "2024-08-06", "6 August 2024"),
    (dt.date(2025, 5, 25), "2025-05-25", "25 May 2025"),
])
def test_dates_keep_their_precision(value, iso, human):
    date = parse_date(value)
    assert date.iso == iso
    assert date.human() == human


def test_approximate_dates_read_circa():
    assert parse_date("2024-08", approximate=True).human() == "c. August 2024"


def test_month_precision_is_never_padded_with_a_day():
    date = parse_date("2024-08")
    assert date.day is None
    assert "1 August" not in date.human()


@pytest.mark.parametrize(("value", "message"), [
    ("2025-02-30", "'2025-02-30' is not a real day: February 2025 has 28 days"),
    ("2025-13", "'2025-13' has no month 13"),
    ("Aug 2024", "'Aug 2024' is not a date"),
    (True, "expected a date, got true/false"),
    ([2024], "expected a date, got a list"),
])
def test_impossible_dates_are_refused(value, message):
    with pytest.raises(DateError, match="^" + message.replace("(", r"\(").replace(")", r"\)") + "$"):
        parse_date(value)


def test_leap_day_is_real_in_a_leap_year():
    assert parse_date("2024-02-29") == PartialDate(2024, 2, 29)


def test_dates_known_to_the_month_sort_after_the_days_in_it():
    dates = [parse_date(v) for v in ("2025-05-25", "2024", "2025-05", "2024-08-06", "2025-06-01")]
    ordered = [d.iso for d in sorted(dates, key=lambda d: d.sort_key)]
    assert ordered == ["2024-08-06", "2024", "2025-05-25", "2025-05", "2025-06-01"]


# --- the calendar: every month's last day, and the day after it -------------------------------

LAST_DAYS = [("01", 31, "January"), ("02", 28, "February"), ("03", 31, "March"), ("04", 30, "April"),
             ("05", 31, "May"), ("06", 30, "June"), ("07", 31, "July"), ("08", 31, "August"),
             ("09", 30, "September"), ("10", 31, "October"), ("11", 30, "November"), ("12", 31, "December")]


@pytest.mark.parametrize(("month", "last", "name"), LAST_DAYS)
def test_each_months_last_day_is_real_and_the_next_is_refused(month, last, name):
    assert parse_date(f"2025-{month}-{last}").human() == f"{last} {name} 2025"
    with pytest.raises(DateError) as refused:
        parse_date(f"2025-{month}-{last + 1}")
    assert str(refused.value) == f"'2025-{month}-{last + 1}' is not a real day: {name} 2025 has {last} days"
    assert refused.value.hint == "check the day; if only the month is known, write YYYY-MM"


@pytest.mark.parametrize(("value", "days"), [
    ("2024-02-29", 29),  # divisible by 4
    ("2000-02-29", 29),  # divisible by 400: a leap year
    ("1600-02-29", 29),
])
def test_leap_days_of_leap_years_are_real(value, days):
    assert parse_date(value).latest == value[:8] + str(days)


@pytest.mark.parametrize(("value", "message"), [
    ("2023-02-29", "'2023-02-29' is not a real day: February 2023 has 28 days"),
    ("1900-02-29", "'1900-02-29' is not a real day: February 1900 has 28 days"),  # a century, not by 400
    ("2100-02-29", "'2100-02-29' is not a real day: February 2100 has 28 days"),
    ("2024-02-30", "'2024-02-30' is not a real day: February 2024 has 29 days"),
    ("2024-08-00", "'2024-08-00' is not a real day: August 2024 has 31 days"),
    ("2024-04-31", "'2024-04-31' is not a real day: April 2024 has 30 days"),
    ("2024-06-31", "'2024-06-31' is not a real day: June 2024 has 30 days"),
])
def test_days_the_calendar_does_not_have_are_refused(value, message):
    with pytest.raises(DateError) as refused:
        parse_date(value)
    assert str(refused.value) == message


@pytest.mark.parametrize("value", ["2024-00", "2024-13", "2024-00-10", "2024-13-01"])
def test_months_run_from_01_to_12(value):
    with pytest.raises(DateError) as refused:
        parse_date(value)
    assert str(refused.value) == f"'{value}' has no month {int(value[5:7])}"
    assert refused.value.hint == "months run from 01 to 12"


@pytest.mark.parametrize(("value", "human"), [("2024-01", "January 2024"), ("2024-12", "December 2024"),
                                              ("2024-01-01", "1 January 2024"), ("2024-12-31", "31 December 2024")])
def test_the_first_and_last_months_and_days_are_accepted(value, human):
    assert parse_date(value).human() == human


# --- what an editor is told about a value that is not a date -------------------------------------

@pytest.mark.parametrize(("value", "message"), [
    (None, "expected a date, got nothing (null)"),
    (2.5, "expected a date, got a number (2.5)"),
    ("", "'' is not a date"),
    ({"year": 2024}, "expected a date, got a mapping (key: value pairs)"),
    (b"2024", "expected a date, got bytes"),
    ("24-08-06", "'24-08-06' is not a date"),
    ("2024-8-6", "'2024-8-6' is not a date"),
])
def test_a_value_that_is_no_date_is_named_for_the_editor(value, message):
    with pytest.raises(DateError) as refused:
        parse_date(value)
    assert str(refused.value) == message
    assert refused.value.hint == "write the date as YYYY, YYYY-MM or YYYY-MM-DD"


def test_type_names_an_editor_recognises():
    assert [type_name(v) for v in (None, True, 3, 2.5, "x", [1], {"a": 1})] == [
        "nothing (null)", "true/false", "a number (3)", "a number (2.5)", "text", "a list",
        "a mapping (key: value pairs)"]


def test_surrounding_spaces_are_not_part_of_the_date():
    assert parse_date(" 2024-08 ").iso == "2024-08"


# --- precision in every form the page and the exports use -----------------------------------------

@pytest.mark.parametrize(("value", "precision", "earliest", "latest"), [
    ("2024", "year", "2024-01-01", "2024-12-31"),
    ("2024-02", "month", "2024-02-01", "2024-02-29"),
    ("2023-02", "month", "2023-02-01", "2023-02-28"),
    ("2024-11", "month", "2024-11-01", "2024-11-30"),
    ("2024-08-06", "day", "2024-08-06", "2024-08-06"),
])
def test_each_precision_covers_its_days_and_no_more(value, precision, earliest, latest):
    date = parse_date(value)
    assert (date.precision, date.earliest, date.latest) == (precision, earliest, latest)


@pytest.mark.parametrize(("approximate", "uncertain", "edtf", "human"), [
    (False, False, "2024-08-06", "6 August 2024"),
    (False, True, "2024-08-06?", "6 August 2024?"),
    (True, False, "2024-08-06~", "c. 6 August 2024"),
    (True, True, "2024-08-06%", "c. 6 August 2024?"),
])
def test_qualifiers_show_in_edtf_and_to_readers(approximate, uncertain, edtf, human):
    date = PartialDate(2024, 8, 6, approximate, uncertain)
    assert (date.edtf, date.human(), date.qualified) == (edtf, human, approximate or uncertain)
    assert date.iso == "2024-08-06" == str(date)
    assert date.pieces() == [(human, "2024-08-06")]


def test_a_plain_date_is_neither_approximate_nor_uncertain():
    date = parse_date("2024-08")
    assert (date.approximate, date.uncertain, date.qualified, date.edtf) == (False, False, False, "2024-08")


def test_an_approximate_date_from_yaml_keeps_its_circa():
    assert parse_date(dt.date(2024, 8, 6), approximate=True).human() == "c. 6 August 2024"
    assert parse_date(2024, approximate=True).human() == "c. 2024"


def test_a_year_before_1000_keeps_four_digits_for_machines():
    date = parse_date("0987-03")
    assert (date.iso, date.earliest, date.human()) == ("0987-03", "0987-03-01", "March 987")


def test_a_year_sorts_after_its_months_and_a_month_after_its_last_day():
    dates = [parse_date(v) for v in ("2024", "2024-12", "2024-12-31", "2024-01-01")]
    assert [d.iso for d in sorted(dates, key=lambda d: d.sort_key)] == ["2024-01-01", "2024-12-31", "2024-12", "2024"]


# --- the field that takes EDTF: the fast path, and the hints it gives --------------------------

def test_an_unquoted_set_of_dates_is_told_to_be_quoted():
    with pytest.raises(DateError) as refused:
        parse_edtf(["2025-05-24", "2025-05-25"])
    assert str(refused.value) == "expected a date, got a list"
    assert refused.value.hint == 'put one of a set of dates in quotes: "[2025-05-24,2025-05-25]"'


@pytest.mark.parametrize("value", ["2024-08~", "2024-08?", "2024-08%", "2024/2025", "[2024,2025]", "2024-08-06/.."])
def test_every_edtf_mark_takes_the_edtf_path(value):
    assert parse_edtf(value).edtf == value


EDTF_WORDS = ("write YYYY, YYYY-MM or YYYY-MM-DD; for an uncertain date: 2024-08~ (about), 2024-08? (uncertain), "
              "2024-08-06/2025-05-25 (a span), 2024-08-06/.. (open end), "
              "\"[2025-05-24,2025-05-25]\" (one of these, in quotes)")


@pytest.mark.parametrize(("value", "message", "hint"), [
    ("Aug 2024", "'Aug 2024' is not a date", EDTF_WORDS),
    (None, "expected a date, got nothing (null)", EDTF_WORDS),
    ("2025-13", "'2025-13' has no month 13", "months run from 01 to 12"),
    ("2025-04-31", "'2025-04-31' is not a real day: April 2025 has 30 days",
     "check the day; if only the month is known, write YYYY-MM"),
])
def test_a_field_that_takes_edtf_says_so_in_its_hint_but_keeps_a_precise_one(value, message, hint):
    with pytest.raises(DateError) as refused:
        parse_edtf(value)
    assert (str(refused.value), refused.value.hint) == (message, hint)


def test_plain_dates_in_an_edtf_field_stay_plain():
    assert parse_edtf(" 2024-08-06 ") == PartialDate(2024, 8, 6)
    assert parse_edtf(2024) == PartialDate(2024)


def test_a_moment_reads_as_one_date_or_a_span_read_as_a_moment():
    assert moment_text(parse_date("2024-08-06")) == "6 August 2024"
    assert moment_text(parse_edtf("2024-08-06/..")) == "6 August 2024 or later"


def test_days_compare_chronologically_as_the_feed_compares_added_and_updated():
    added, updated = parse_date("2024-12-31"), parse_date("2025-01-02")
    assert added < updated and max(updated, added) is updated
    assert parse_date("2025-01-02") == updated


def test_a_date_is_a_value_no_page_can_change():
    date = parse_date("2024-08-06")
    with pytest.raises(AttributeError):
        date.day = 7  # shared by every fact and event that names it
    assert len({date, parse_date("2024-08-06")}) == 1
