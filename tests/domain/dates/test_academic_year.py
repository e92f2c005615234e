"""Academic-year conventions: 2026 means 1 Sep 2026 to 31 Aug 2027."""

from __future__ import annotations

import datetime as dt

import pytest

from domain.dates import (
    Term,
    academic_year_end,
    academic_year_label,
    academic_year_of,
    academic_year_start,
    date_in_academic_year,
    in_academic_year,
    parse_term,
    term_key,
    term_label,
)


def test_bounds_and_label():
    assert academic_year_start(2026) == dt.date(2026, 9, 1)
    assert academic_year_end(2026) == dt.date(2027, 8, 31)
    assert academic_year_label(2026) == "2026/27"
    assert academic_year_label(1999) == "1999/00"


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (dt.date(2026, 9, 1), 2026),
        (dt.date(2026, 12, 31), 2026),
        (dt.date(2027, 1, 1), 2026),
        (dt.date(2027, 8, 31), 2026),
    ],
)
def test_academic_year_of(day, year):
    assert academic_year_of(day) == year
    assert in_academic_year(day, year)
    assert not in_academic_year(day, year + 1)


def test_date_in_academic_year_places_january_to_august_in_the_second_calendar_year():
    assert date_in_academic_year(2026, 9, 30) == dt.date(2026, 9, 30)
    assert date_in_academic_year(2026, 1, 31) == dt.date(2027, 1, 31)
    assert date_in_academic_year(2026, 8, 31) == dt.date(2027, 8, 31)
    with pytest.raises(ValueError):
        date_in_academic_year(2026, 2, 29)  # 2027 is not a leap year
    with pytest.raises(ValueError):
        date_in_academic_year(2026, 13, 1)


def test_academic_year_of_rejects_datetimes():
    with pytest.raises(TypeError):
        academic_year_of(dt.datetime(2026, 9, 1, 12, 0))


def test_parse_term():
    assert parse_term("AUTUMN") is Term.AUTUMN
    assert parse_term(Term.SUMMER) is Term.SUMMER
    with pytest.raises(ValueError, match="unknown term"):
        parse_term("winter")


@pytest.mark.parametrize(
    "day,key",
    [
        (dt.date(2026, 9, 1), "2026-autumn"), (dt.date(2026, 12, 31), "2026-autumn"),
        (dt.date(2027, 1, 4), "2026-spring"), (dt.date(2027, 3, 31), "2026-spring"),
        (dt.date(2027, 4, 1), "2026-summer"), (dt.date(2027, 8, 31), "2026-summer"),
    ],  # fmt: skip
)
def test_terms(day, key):
    assert term_key(day) == key


def test_term_label():
    assert term_label("2026-spring") == "spring term 2026/27"
