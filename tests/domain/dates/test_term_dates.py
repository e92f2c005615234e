"""Term dates: the value type, term-time queries and the documented default rules."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from dateutil.easter import easter

from domain.dates import (
    InvalidTermDates,
    Term,
    TermDates,
    add_school_days,
    bank_holidays,
    census_days,
    default_term_dates,
    is_working_day,
)

D = dt.date
YEARS = range(2000, 2061)


def test_defaults_2024_25():
    assert default_term_dates(2024) == TermDates(
        academic_year=2024,
        autumn_start=D(2024, 9, 2),
        autumn_half_term_start=D(2024, 10, 28),
        autumn_half_term_end=D(2024, 11, 1),
        autumn_end=D(2024, 12, 20),
        spring_start=D(2025, 1, 6),
        spring_half_term_start=D(2025, 2, 17),
        spring_half_term_end=D(2025, 2, 21),
        spring_end=D(2025, 4, 11),
        summer_start=D(2025, 4, 28),
        summer_half_term_start=D(2025, 5, 26),
        summer_half_term_end=D(2025, 5, 30),
        summer_end=D(2025, 7, 22),
    )


def test_defaults_2025_26():
    terms = default_term_dates(2025)
    assert terms.autumn_start == D(2025, 9, 1)
    assert (terms.autumn_half_term_start, terms.autumn_half_term_end) == (D(2025, 10, 27), D(2025, 10, 31))
    assert terms.autumn_end == D(2025, 12, 19)
    assert terms.spring_start == D(2026, 1, 5)
    assert (terms.spring_half_term_start, terms.spring_half_term_end) == (D(2026, 2, 16), D(2026, 2, 20))
    assert terms.spring_end == D(2026, 3, 27)  # Easter Sunday 5 April 2026
    assert terms.summer_start == D(2026, 4, 13)
    assert terms.summer_half_term_start == D(2026, 5, 25)  # Spring bank holiday
    assert terms.summer_end == D(2026, 7, 22)


def test_spring_term_skips_new_year_substitute_day():
    assert default_term_dates(2022).spring_start == D(2023, 1, 3)  # Mon 2 Jan 2023 was a bank holiday
    assert default_term_dates(2027).spring_start == D(2028, 1, 4)  # Mon 3 Jan 2028 will be one


def test_autumn_term_never_starts_on_a_friday():
    assert default_term_dates(2028).autumn_start == D(2028, 9, 4)  # 1 Sep 2028 is a Friday
    assert default_term_dates(2029).autumn_start == D(2029, 9, 3)  # 1 Sep 2029 is a Saturday


def test_summer_half_term_follows_the_moved_2022_bank_holiday():
    terms = default_term_dates(2021)
    assert terms.summer_half_term_start == D(2022, 5, 30)
    assert terms.summer_half_term_start <= D(2022, 6, 2) <= terms.summer_half_term_end


def test_late_easter_summer_term_skips_may_day():
    assert default_term_dates(2037).summer_start == D(2038, 5, 4)  # Easter 25 Apr 2038; Mon 3 May is May Day


@pytest.mark.parametrize("year", YEARS)
def test_default_rules_hold_every_year(year):
    terms = default_term_dates(year)
    for span in terms.spans():
        assert is_working_day(span.start), span
        assert span.end.weekday() < 5, span
        assert span.half_term_start.weekday() == 0 and span.half_term_end.weekday() == 4, span
    assert D(year, 10, 22) <= terms.autumn_half_term_start <= D(year, 10, 28)
    assert D(year + 1, 2, 12) <= terms.spring_half_term_start <= D(year + 1, 2, 18)
    assert (terms.spring_start - terms.autumn_end).days >= 17  # a two-week Christmas break


@pytest.mark.parametrize("year", YEARS)
def test_default_holidays_cover_christmas_easter_and_spring_bank_holiday(year):
    terms = default_term_dates(year)
    sunday = easter(year + 1)
    for day in (D(year, 12, 25), D(year + 1, 1, 1), sunday - dt.timedelta(days=2), sunday + dt.timedelta(days=1)):
        assert not terms.is_term_time(day), day
    spring_bank = [d for d, n in bank_holidays(year + 1).items() if n == "Spring Bank Holiday"][0]
    assert terms.summer_half_term_start <= spring_bank <= terms.summer_half_term_end


@pytest.mark.parametrize("year", YEARS)
def test_census_days_fall_on_school_days(year):
    terms = default_term_dates(year)
    for day in census_days(year).values():
        assert terms.is_school_day(day), day


@pytest.mark.parametrize("year", YEARS)
def test_default_year_has_about_195_school_days(year):
    # 190 teaching days + 5 INSET days; the defaults include INSET days in term time.
    assert 190 <= len(default_term_dates(year).school_days()) <= 200


def test_term_of_and_school_days():
    terms = default_term_dates(2025)
    assert terms.term_of(D(2025, 9, 1)) is Term.AUTUMN
    assert terms.term_of(D(2025, 10, 29)) is None  # half term
    assert terms.term_of(D(2026, 2, 23)) is Term.SPRING
    assert terms.term_of(D(2026, 4, 13)) is Term.SUMMER
    assert terms.term_of(D(2026, 8, 1)) is None
    assert terms.is_term_time(D(2026, 5, 2))  # a Saturday in term time...
    assert not terms.is_school_day(D(2026, 5, 2))  # ...is not a school day
    assert not terms.is_school_day(D(2026, 5, 4))  # nor is May Day
    assert terms.span("spring").start == D(2026, 1, 5)


def test_override_with_replace_revalidates():
    terms = default_term_dates(2026)
    edited = replace(terms, autumn_end=D(2026, 12, 17))
    assert edited.autumn_end == D(2026, 12, 17)
    with pytest.raises(InvalidTermDates, match="autumn_end"):
        replace(terms, autumn_end=D(2027, 1, 6))  # after spring_start
    with pytest.raises(InvalidTermDates, match="outside academic year"):
        replace(terms, autumn_start=D(2026, 8, 31))
    with pytest.raises(InvalidTermDates):
        replace(terms, summer_half_term_end=terms.summer_half_term_start - dt.timedelta(days=1))
    with pytest.raises(TypeError):
        replace(terms, summer_end=dt.datetime(2027, 7, 20, 15, 0))


def test_one_day_half_term_is_allowed():
    terms = default_term_dates(2026)
    edited = replace(terms, spring_half_term_end=terms.spring_half_term_start)
    assert not edited.is_term_time(edited.spring_half_term_start)
    assert edited.is_term_time(edited.spring_half_term_start + dt.timedelta(days=1))


def test_invalid_term_dates_is_a_value_error():
    assert issubclass(InvalidTermDates, ValueError)


def test_bad_year_raises():
    with pytest.raises(TypeError):
        default_term_dates("2026")


def test_add_school_days_skips_weekends_half_term_and_holidays():
    terms = default_term_dates  # the LA's stored dates in the app; the defaults here
    # Autumn half term 2026 is 26-30 October: Wednesday 21 October + 5 school days is Wednesday 4 November.
    assert add_school_days(dt.date(2026, 10, 21), 5, terms) == dt.date(2026, 11, 4)
    assert add_school_days(dt.date(2026, 10, 5), 5, terms) == dt.date(2026, 10, 12)
    assert add_school_days(dt.date(2026, 10, 5), 0, terms) == dt.date(2026, 10, 5)
    # From the summer holiday into the next academic year's first days.
    first = default_term_dates(2027).autumn_start
    assert add_school_days(dt.date(2027, 7, 30), 1, terms) == first


def test_add_school_days_refuses_a_negative_count():
    with pytest.raises(ValueError, match="0 or more"):
        add_school_days(dt.date(2026, 10, 5), -1, default_term_dates)
