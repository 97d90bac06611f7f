"""Dates keep their own precision, accept YAML's unquoted forms and refuse impossible days."""

import datetime as dt

import pytest

from explainer.dates import DateError, PartialDate, parse_date


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
