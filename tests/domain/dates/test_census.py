"""Census days against every date the DfE published (DOMAIN.md section 5)."""

from __future__ import annotations

import datetime as dt

import pytest

from domain.dates import (
    DFE_TERM_CODES,
    Census,
    Term,
    academic_year_of,
    census_day,
    census_day_in_year,
    census_days,
    nth_weekday,
    parse_census,
)

PUBLISHED = [
    ("autumn", dt.date(2015, 10, 1)),
    ("autumn", dt.date(2018, 10, 4)),
    ("autumn", dt.date(2022, 10, 6)),
    ("autumn", dt.date(2023, 10, 5)),
    ("autumn", dt.date(2024, 10, 3)),
    ("spring", dt.date(2019, 1, 17)),
    ("spring", dt.date(2020, 1, 16)),
    ("spring", dt.date(2021, 1, 21)),
    ("spring", dt.date(2023, 1, 19)),
    ("spring", dt.date(2024, 1, 18)),
    ("spring", dt.date(2025, 1, 16)),
    ("summer", dt.date(2015, 5, 21)),
    ("summer", dt.date(2017, 5, 18)),
    ("summer", dt.date(2019, 5, 16)),
    ("summer", dt.date(2022, 5, 19)),
    ("summer", dt.date(2023, 5, 18)),
    ("summer", dt.date(2024, 5, 16)),
    ("summer", dt.date(2025, 5, 15)),
    ("workforce", dt.date(2023, 11, 2)),
]


@pytest.mark.parametrize(("census", "published"), PUBLISHED, ids=[f"{c}-{d}" for c, d in PUBLISHED])
def test_rule_matches_published_census_day(census, published):
    assert census_day(census, academic_year_of(published)) == published


def test_academic_year_convention_spring_and_summer_fall_in_next_calendar_year():
    assert census_day("autumn", 2026) == dt.date(2026, 10, 1)
    assert census_day("workforce", 2026) == dt.date(2026, 11, 5)
    assert census_day("spring", 2026) == dt.date(2027, 1, 21)
    assert census_day("summer", 2026) == dt.date(2027, 5, 20)


@pytest.mark.parametrize("academic_year", range(2000, 2060))
def test_every_census_day_is_a_thursday_in_its_week_of_the_month(academic_year):
    days = census_days(academic_year)
    assert list(days) == list(Census)
    assert all(day.weekday() == 3 for day in days.values())
    assert 1 <= days[Census.AUTUMN].day <= 7 and days[Census.AUTUMN].month == 10
    assert 15 <= days[Census.SPRING].day <= 21 and days[Census.SPRING].month == 1
    assert 15 <= days[Census.SUMMER].day <= 21 and days[Census.SUMMER].month == 5
    assert 1 <= days[Census.WORKFORCE].day <= 7 and days[Census.WORKFORCE].month == 11


def test_census_accepts_enum_term_and_any_case():
    assert census_day(Census.SPRING, 2024) == census_day(Term.SPRING, 2024) == census_day(" Spring ", 2024)
    assert parse_census(Term.SUMMER) is Census.SUMMER


@pytest.mark.parametrize("bad", ["winter", "", None, 3])
def test_unknown_census_raises_value_error(bad):
    with pytest.raises(ValueError, match="unknown census"):
        census_day(bad, 2024)


@pytest.mark.parametrize(
    ("year", "exc"),
    [("2024", TypeError), (True, TypeError), (2024.0, TypeError), (1800, ValueError), (2099, ValueError)],
)
def test_bad_academic_year_raises(year, exc):
    with pytest.raises(exc):
        census_day("autumn", year)


def test_nth_weekday_counts_from_either_end():
    assert nth_weekday(2026, 6, 3, -1) == dt.date(2026, 6, 25)  # last Thursday of June
    assert nth_weekday(2026, 6, 0, 1) == dt.date(2026, 6, 1)
    assert nth_weekday(2026, 6, 0, 5) == dt.date(2026, 6, 29)
    assert nth_weekday(2026, 6, 0, -5) == dt.date(2026, 6, 1)


@pytest.mark.parametrize(("weekday", "n"), [(7, 1), (-1, 1), (3, 0), (3, 6), (3, 5)])
def test_nth_weekday_rejects_impossible_requests(weekday, n):
    with pytest.raises(ValueError):
        nth_weekday(2026, 6, weekday, n)  # June 2026 has only four Thursdays


# The same published days as a census file's header gives them: a DfE term code and a calendar year.
PUBLISHED_BY_TERM_CODE = {
    "AUT": ["2015-10-01", "2018-10-04", "2022-10-06", "2023-10-05", "2024-10-03"],
    "SPR": ["2019-01-17", "2020-01-16", "2021-01-21", "2023-01-19", "2024-01-18", "2025-01-16"],
    "SUM": ["2015-05-21", "2017-05-18", "2019-05-16", "2022-05-19", "2023-05-18", "2024-05-16", "2025-05-15"],
}


@pytest.mark.parametrize("term, day", [(t, d) for t, days in PUBLISHED_BY_TERM_CODE.items() for d in days])
def test_census_day_in_calendar_year_matches_published_dates(term, day):
    published = dt.date.fromisoformat(day)
    assert census_day_in_year(DFE_TERM_CODES[term], published.year) == published


def test_unknown_term_is_refused():
    with pytest.raises(ValueError):
        census_day_in_year("WIN", 2026)
