"""Bank holidays and working-day arithmetic for England and Wales.

Bank holidays come from the offline ``holidays`` package
(``holidays.UnitedKingdom(subdiv="ENG" | "WLS")``), which includes substitute days
("Boxing Day (observed)") and one-off days such as the 2022 Platinum Jubilee and the
2023 Coronation. England and Wales share the same bank holidays; the region is still an
explicit parameter so that a future difference (or another nation) needs no API change.

A *working day* is Monday-Friday and not a bank holiday of the region. School holidays
are not considered here: see :mod:`domain.dates.term_dates` for term time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from enum import StrEnum
from functools import lru_cache
from types import MappingProxyType

import holidays

from .academic_year import check_date

_ONE_DAY = dt.timedelta(days=1)


class Region(StrEnum):
    """A nation whose bank holidays apply, named by its ISO 3166-2:GB subdivision code."""

    ENGLAND = "ENG"
    WALES = "WLS"


class ShiftPolicy(StrEnum):
    """What to do with a due date that falls on a weekend or bank holiday."""

    PREVIOUS = "previous"  # move back to the previous working day (the default everywhere)
    NEXT = "next"  # move forward to the next working day
    NONE = "none"  # leave it where it is


def parse_region(value: Region | str) -> Region:
    """Return ``value`` as a :class:`Region`.

    Accepts a ``Region``, its code ("ENG", "WLS", any case) or the name "England"/"Wales".
    Raises ``ValueError`` for anything else (Scotland and Northern Ireland are not supported).
    """
    if isinstance(value, Region):
        return value
    if isinstance(value, str):
        text = value.strip().upper()
        for region in Region:
            if text in (region.value, region.name):
                return region
    raise ValueError(f"unknown region {value!r}: expected 'ENG' (England) or 'WLS' (Wales)")


def parse_shift_policy(value: ShiftPolicy | str) -> ShiftPolicy:
    """Return ``value`` as a :class:`ShiftPolicy` ("previous", "next" or "none", any case).

    Raises ``ValueError`` for anything else.
    """
    if isinstance(value, ShiftPolicy):
        return value
    if isinstance(value, str):
        try:
            return ShiftPolicy(value.strip().lower())
        except ValueError:
            pass
    raise ValueError(f"unknown shift policy {value!r}: expected 'previous', 'next' or 'none'")


#: Calendar years the bank-holiday data covers; outside them a lookup raises rather than
#: silently reporting no bank holidays.
FIRST_YEAR = holidays.UnitedKingdom.start_year
LAST_YEAR = holidays.UnitedKingdom.end_year


@lru_cache(maxsize=256)
def _holidays_for(region: Region, year: int) -> Mapping[dt.date, str]:
    calendar = holidays.UnitedKingdom(subdiv=region.value, years=year)
    return MappingProxyType(dict(sorted(calendar.items())))


def bank_holidays(year: int, region: Region | str = Region.ENGLAND) -> Mapping[dt.date, str]:
    """The bank holidays of calendar ``year`` in ``region``: a read-only mapping from date
    to English name, in date order.

    Raises ``TypeError`` for a non-int year, ``ValueError`` for an unknown region or a year
    outside ``FIRST_YEAR``-``LAST_YEAR`` (the range the ``holidays`` package covers).
    """
    if isinstance(year, bool) or not isinstance(year, int):
        raise TypeError(f"year must be an int, got {year!r}")
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"bank holidays are only known for {FIRST_YEAR}-{LAST_YEAR}, not {year}")
    return _holidays_for(parse_region(region), year)


def bank_holiday_name(day: dt.date, region: Region | str = Region.ENGLAND) -> str | None:
    """The name of the bank holiday on ``day`` in ``region``, or ``None`` if there is none.

    Raises ``TypeError`` for a non-date (including a datetime), ``ValueError`` for an
    unknown region.
    """
    day = check_date(day)
    return bank_holidays(day.year, region).get(day)


def is_bank_holiday(day: dt.date, region: Region | str = Region.ENGLAND) -> bool:
    """True if ``day`` is a bank holiday (including a substitute day) in ``region``."""
    return bank_holiday_name(day, region) is not None


def is_working_day(day: dt.date, region: Region | str = Region.ENGLAND) -> bool:
    """True if ``day`` is Monday-Friday and not a bank holiday in ``region``.

    Raises ``TypeError`` for a non-date, ``ValueError`` for an unknown region or a year
    without bank-holiday data (see :func:`bank_holidays`), even for a weekend day.
    """
    return not is_bank_holiday(day, region) and day.weekday() < 5


def _step_to_working_day(day: dt.date, step: dt.timedelta, region: Region) -> dt.date:
    while not is_working_day(day, region):
        day += step
    return day


def previous_working_day(day: dt.date, region: Region | str = Region.ENGLAND) -> dt.date:
    """The last working day strictly before ``day``. Raises as :func:`is_working_day`."""
    return _step_to_working_day(check_date(day) - _ONE_DAY, -_ONE_DAY, parse_region(region))


def next_working_day(day: dt.date, region: Region | str = Region.ENGLAND) -> dt.date:
    """The first working day strictly after ``day``. Raises as :func:`is_working_day`."""
    return _step_to_working_day(check_date(day) + _ONE_DAY, _ONE_DAY, parse_region(region))


def add_working_days(day: dt.date, n: int, region: Region | str = Region.ENGLAND) -> dt.date:
    """The ``n``-th working day after ``day`` (before it if ``n`` is negative).

    ``day`` itself never counts, whether or not it is a working day, so a request made on
    Friday 19 Dec 2025 with ``n=5`` gives Tuesday 30 Dec 2025 (skipping the weekends,
    Christmas Day and Boxing Day). ``n == 0`` returns ``day`` unchanged.
    Raises ``TypeError`` for a non-date or non-int ``n``, ``ValueError`` for an unknown region.
    """
    day = check_date(day)
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"n must be an int, got {n!r}")
    region = parse_region(region)
    step = previous_working_day if n < 0 else next_working_day
    for _ in range(abs(n)):
        day = step(day, region)
    return day


def working_days_between(start: dt.date, end: dt.date, region: Region | str = Region.ENGLAND) -> int:
    """How many working days fall after ``start`` and on or before ``end``.

    This is the inverse of :func:`add_working_days`: for ``n >= 0``,
    ``working_days_between(d, add_working_days(d, n)) == n``. Returns 0 when ``end`` is not
    after ``start``. Raises as :func:`is_working_day`.
    """
    start, end = check_date(start, "start"), check_date(end, "end")
    region = parse_region(region)
    count = 0
    day = start + _ONE_DAY
    while day <= end:
        count += is_working_day(day, region)
        day += _ONE_DAY
    return count


def shift_due_date(
    day: dt.date,
    policy: ShiftPolicy | str = ShiftPolicy.PREVIOUS,
    region: Region | str = Region.ENGLAND,
) -> dt.date:
    """Move a due date that falls on a weekend or bank holiday according to ``policy``.

    A working day is returned unchanged under every policy. Otherwise "previous" gives the
    previous working day, "next" the next one and "none" the date itself.
    Raises ``TypeError`` for a non-date, ``ValueError`` for an unknown policy or region.
    """
    day, policy, region = check_date(day), parse_shift_policy(policy), parse_region(region)
    if policy is ShiftPolicy.NONE or is_working_day(day, region):
        return day
    if policy is ShiftPolicy.PREVIOUS:
        return previous_working_day(day, region)
    return next_working_day(day, region)
