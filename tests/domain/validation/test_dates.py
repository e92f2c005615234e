"""Ages and strict ISO dates as files give them (census days: tests/domain/dates/test_census.py)."""
from __future__ import annotations

import datetime as dt

import pytest

from domain.validation.dates import age_at_start_of_year, age_on, parse_iso_date, parse_iso_datetime


def test_ages():
    assert age_on(dt.date(2012, 10, 1), dt.date(2026, 10, 1)) == 14
    assert age_on(dt.date(2012, 10, 2), dt.date(2026, 10, 1)) == 13
    assert age_at_start_of_year(dt.date(2015, 8, 31), 2026) == 11  # the youngest in year 7
    assert age_at_start_of_year(dt.date(2015, 9, 1), 2026) == 10


@pytest.mark.parametrize("text", ["2014-02-30", "14-02-2014", "20140214", "2014-2-14", "", None, "2014-02-14T00:00"])
def test_strict_dates(text):
    assert parse_iso_date(text) is None


def test_date_times():
    assert parse_iso_datetime("2027-03-02T10:15:00") == dt.datetime(2027, 3, 2, 10, 15)
    assert parse_iso_datetime("02/03/2027 10:15") is None
