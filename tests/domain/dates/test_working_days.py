"""Bank holidays (England and Wales) and working-day arithmetic."""

from __future__ import annotations

import datetime as dt

import pytest

from domain.dates import (
    Region,
    ShiftPolicy,
    add_working_days,
    bank_holiday_name,
    bank_holidays,
    is_bank_holiday,
    is_working_day,
    next_working_day,
    parse_region,
    previous_working_day,
    shift_due_date,
    working_days_between,
)

D = dt.date
REGIONS = ["ENG", "WLS"]

REAL_BANK_HOLIDAYS = [
    (D(2025, 12, 25), "Christmas Day"),
    (D(2025, 12, 26), "Boxing Day"),
    (D(2026, 1, 1), "New Year's Day"),
    (D(2026, 4, 3), "Good Friday"),
    (D(2026, 4, 6), "Easter Monday"),
    (D(2026, 5, 4), "May Day"),
    (D(2026, 5, 25), "Spring Bank Holiday"),
    (D(2026, 8, 31), "Late Summer Bank Holiday"),
    (D(2026, 12, 28), "Boxing Day (observed)"),  # 26 Dec 2026 is a Saturday
    (D(2022, 6, 2), "Spring Bank Holiday"),  # moved for the Platinum Jubilee
    (D(2022, 6, 3), "Platinum Jubilee of Elizabeth II"),
    (D(2022, 9, 19), "State Funeral of Queen Elizabeth II"),
    (D(2023, 5, 8), "Coronation of Charles III"),
]


@pytest.mark.parametrize("region", REGIONS)
@pytest.mark.parametrize(("day", "name"), REAL_BANK_HOLIDAYS, ids=[str(d) for d, _ in REAL_BANK_HOLIDAYS])
def test_real_bank_holidays_are_not_working_days(day, name, region):
    assert bank_holiday_name(day, region) == name
    assert is_bank_holiday(day, region)
    assert not is_working_day(day, region)


@pytest.mark.parametrize("region", REGIONS)
@pytest.mark.parametrize(
    "day",
    [
        D(2025, 3, 17),  # St Patrick's Day: Northern Ireland only
        D(2025, 1, 2),  # 2 January: Scotland only
        D(2025, 8, 4),  # first Monday in August: Scotland only
        D(2025, 12, 1),  # St Andrew's Day (observed): Scotland only
        D(2022, 5, 30),  # the usual late-May Monday, moved in 2022
        D(2026, 5, 26),  # an ordinary Tuesday
    ],
)
def test_other_nations_holidays_are_working_days_in_england_and_wales(day, region):
    assert is_working_day(day, region)


def test_st_davids_day_is_not_a_welsh_bank_holiday():
    assert not is_bank_holiday(D(2027, 3, 1), "WLS")  # a Monday


@pytest.mark.parametrize("year", range(1990, 2041))
def test_england_and_wales_share_bank_holidays(year):
    assert dict(bank_holidays(year, "ENG")) == dict(bank_holidays(year, "WLS"))
    assert len(bank_holidays(year, Region.ENGLAND)) >= 8


def test_bank_holidays_are_read_only_and_ordered():
    days = bank_holidays(2026)
    assert list(days) == sorted(days)
    with pytest.raises(TypeError):
        days[D(2026, 7, 1)] = "Not a holiday"  # type: ignore[index]


def test_weekends_are_not_working_days():
    assert not is_working_day(D(2026, 5, 23))
    assert not is_working_day(D(2026, 5, 24))
    assert is_working_day(D(2026, 5, 22))


def test_previous_and_next_working_day_are_strict_and_skip_holidays():
    assert previous_working_day(D(2025, 12, 29)) == D(2025, 12, 24)
    assert next_working_day(D(2025, 12, 24)) == D(2025, 12, 29)
    assert previous_working_day(D(2026, 4, 7)) == D(2026, 4, 2)  # over Easter Monday and Good Friday
    assert next_working_day(D(2026, 4, 2)) == D(2026, 4, 7)
    assert previous_working_day(D(2026, 5, 20)) == D(2026, 5, 19)  # working day in, previous out


def test_add_working_days_over_christmas():
    assert add_working_days(D(2025, 12, 19), 5) == D(2025, 12, 30)
    assert add_working_days(D(2025, 12, 30), -5) == D(2025, 12, 19)
    assert add_working_days(D(2025, 12, 25), 1) == D(2025, 12, 29)
    assert add_working_days(D(2025, 12, 25), 0) == D(2025, 12, 25)


def test_add_working_days_over_the_spring_bank_holiday():
    assert add_working_days(D(2026, 5, 22), 1) == D(2026, 5, 26)
    assert add_working_days(D(2026, 4, 2), 1, "WLS") == D(2026, 4, 7)


@pytest.mark.parametrize("n", [0, 1, 5, 23, 60])
@pytest.mark.parametrize("start", [D(2025, 12, 19), D(2026, 4, 2), D(2026, 5, 23), D(2022, 9, 16)])
def test_working_days_between_inverts_add_working_days(start, n):
    end = add_working_days(start, n)
    assert working_days_between(start, end) == n
    assert is_working_day(end) or n == 0


def test_working_days_between_is_zero_when_end_is_not_after_start():
    assert working_days_between(D(2026, 5, 26), D(2026, 5, 26)) == 0
    assert working_days_between(D(2026, 5, 26), D(2026, 5, 1)) == 0


@pytest.mark.parametrize(
    ("day", "previous", "following"),
    [
        (D(2026, 5, 23), D(2026, 5, 22), D(2026, 5, 26)),  # Saturday before Spring bank holiday
        (D(2026, 5, 25), D(2026, 5, 22), D(2026, 5, 26)),  # Spring bank holiday
        (D(2026, 4, 3), D(2026, 4, 2), D(2026, 4, 7)),  # Good Friday
        (D(2026, 4, 6), D(2026, 4, 2), D(2026, 4, 7)),  # Easter Monday
        (D(2026, 12, 25), D(2026, 12, 24), D(2026, 12, 29)),  # Christmas, Boxing Day observed Mon 28th
        (D(2026, 1, 31), D(2026, 1, 30), D(2026, 2, 2)),  # plain Saturday
    ],
)
@pytest.mark.parametrize("region", REGIONS)
def test_shift_due_date(day, previous, following, region):
    assert shift_due_date(day, "previous", region) == previous
    assert shift_due_date(day, ShiftPolicy.NEXT, region) == following
    assert shift_due_date(day, "none", region) == day


@pytest.mark.parametrize("policy", list(ShiftPolicy))
def test_shift_leaves_working_days_alone(policy):
    assert shift_due_date(D(2026, 5, 26), policy) == D(2026, 5, 26)


def test_shift_defaults_to_previous_in_england():
    assert shift_due_date(D(2025, 12, 26)) == D(2025, 12, 24)


def test_region_aliases():
    assert parse_region("eng") is Region.ENGLAND
    assert parse_region("Wales") is Region.WALES
    assert parse_region(Region.WALES) is Region.WALES


@pytest.mark.parametrize("bad", ["SCT", "NIR", "GB", "", None])
def test_unknown_region_raises(bad):
    with pytest.raises(ValueError, match="unknown region"):
        is_working_day(D(2026, 1, 2), bad)


def test_unknown_policy_raises():
    with pytest.raises(ValueError, match="unknown shift policy"):
        shift_due_date(D(2026, 1, 31), "nearest")


@pytest.mark.parametrize("bad", [dt.datetime(2025, 12, 25, 9, 0), "2025-12-25", None])
def test_non_dates_raise_type_error(bad):
    with pytest.raises(TypeError):
        is_working_day(bad)
    with pytest.raises(TypeError):
        shift_due_date(bad)


def test_add_working_days_rejects_non_int():
    with pytest.raises(TypeError):
        add_working_days(D(2026, 1, 5), 1.5)


@pytest.mark.parametrize("year", [1871, 2101])
def test_years_without_bank_holiday_data_raise(year):
    with pytest.raises(ValueError, match="only known for"):
        bank_holidays(year)
    with pytest.raises(ValueError, match="only known for"):
        is_working_day(D(year, 12, 25))
