"""Census days match every date the DfE published (DOMAIN.md section 5)."""
from __future__ import annotations

import datetime as dt

import pytest

from domain.validation.dates import age_at_start_of_year, age_on, census_day, parse_iso_date, parse_iso_datetime

PUBLISHED = {
    "AUT": ["2015-10-01", "2018-10-04", "2022-10-06", "2023-10-05", "2024-10-03"],
    "SPR": ["2019-01-17", "2020-01-16", "2021-01-21", "2023-01-19", "2024-01-18", "2025-01-16"],
    "SUM": ["2015-05-21", "2017-05-18", "2019-05-16", "2022-05-19", "2023-05-18", "2024-05-16", "2025-05-15"],
}


@pytest.mark.parametrize("term, day", [(t, d) for t, days in PUBLISHED.items() for d in days])
def test_census_day_matches_published_dates(term, day):
    published = dt.date.fromisoformat(day)
    assert census_day(term, published.year) == published


def test_unknown_term_is_refused():
    with pytest.raises(ValueError):
        census_day("WIN", 2026)


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
