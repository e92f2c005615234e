"""School term dates: a value type, term-time queries and LA-style defaults.

The web layer stores admin overrides, so every rule in this package takes a
:class:`TermDates` as input; :func:`default_term_dates` only proposes a starting point.

Conventions: ``*_start`` is the first day of a term and ``*_end`` its last day (both
inclusive, both in term). A half term runs from ``*_half_term_start`` (normally a Monday)
to ``*_half_term_end`` (normally the Friday) inclusive; those days are holiday, not term
time. The weekends either side of a half term belong to nobody.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, fields
from itertools import pairwise

from dateutil.easter import easter

from .academic_year import (
    TERMS,
    Term,
    academic_year_label,
    academic_year_of,
    check_academic_year,
    check_date,
    in_academic_year,
    parse_term,
)
from .census import nth_weekday
from .working_days import Region, bank_holidays, is_working_day, parse_region

_DAY = dt.timedelta(days=1)


class InvalidTermDates(ValueError):
    """Term dates that are out of order or outside their academic year."""


@dataclass(frozen=True)
class TermSpan:
    """One term: its first and last day and its half-term holiday (all inclusive)."""

    term: Term
    start: dt.date
    half_term_start: dt.date
    half_term_end: dt.date
    end: dt.date

    def contains(self, day: dt.date) -> bool:
        """True if ``day`` is between ``start`` and ``end`` and not in the half term."""
        if not self.start <= day <= self.end:
            return False
        return not self.half_term_start <= day <= self.half_term_end


@dataclass(frozen=True)
class TermDates:
    """The term dates of one academic year (see the module docstring for conventions).

    Construction validates the dates and raises :class:`InvalidTermDates` (a
    ``ValueError``) unless, for every term, ``start < half_term_start <= half_term_end <
    end``, each term ends before the next begins, and every date lies in the academic year;
    ``TypeError`` if a field is not a date. ``dataclasses.replace`` re-validates, so an
    admin override is ``replace(default_term_dates(2026), autumn_end=date(2026, 12, 17))``.
    """

    academic_year: int
    autumn_start: dt.date
    autumn_half_term_start: dt.date
    autumn_half_term_end: dt.date
    autumn_end: dt.date
    spring_start: dt.date
    spring_half_term_start: dt.date
    spring_half_term_end: dt.date
    spring_end: dt.date
    summer_start: dt.date
    summer_half_term_start: dt.date
    summer_half_term_end: dt.date
    summer_end: dt.date

    def __post_init__(self) -> None:
        check_academic_year(self.academic_year)
        dates = [(f.name, getattr(self, f.name)) for f in fields(self) if f.name != "academic_year"]
        for name, value in dates:
            check_date(value, name)
            if not in_academic_year(value, self.academic_year):
                label = academic_year_label(self.academic_year)
                raise InvalidTermDates(f"{name} {value} is outside academic year {label}")
        for (earlier_name, earlier), (later_name, later) in pairwise(dates):
            allow_equal = earlier_name.endswith("half_term_start")
            if later < earlier or (later == earlier and not allow_equal):
                raise InvalidTermDates(f"{later_name} {later} must be after {earlier_name} {earlier}")

    def span(self, term: Term | str) -> TermSpan:
        """The :class:`TermSpan` of ``term``. Raises ``ValueError`` for an unknown term."""
        term = parse_term(term)
        prefix = term.value
        return TermSpan(
            term=term,
            start=getattr(self, f"{prefix}_start"),
            half_term_start=getattr(self, f"{prefix}_half_term_start"),
            half_term_end=getattr(self, f"{prefix}_half_term_end"),
            end=getattr(self, f"{prefix}_end"),
        )

    def spans(self) -> tuple[TermSpan, ...]:
        """The three terms in order: autumn, spring, summer."""
        return tuple(self.span(term) for term in TERMS)

    def term_of(self, day: dt.date) -> Term | None:
        """The term whose term time contains ``day``, or ``None`` for a holiday
        (including half terms). Raises ``TypeError`` for a non-date."""
        check_date(day)
        for span in self.spans():
            if span.contains(day):
                return span.term
        return None

    def is_term_time(self, day: dt.date) -> bool:
        """True if ``day`` is inside a term and outside its half term (weekends included)."""
        return self.term_of(day) is not None

    def is_school_day(self, day: dt.date, region: Region | str = Region.ENGLAND) -> bool:
        """True if ``day`` is term time and a working day (weekday, not a bank holiday)."""
        return self.is_term_time(day) and is_working_day(day, region)

    def school_days(self, region: Region | str = Region.ENGLAND) -> list[dt.date]:
        """Every school day of the year, in order (see :meth:`is_school_day`)."""
        region = parse_region(region)
        days = []
        day = self.autumn_start
        while day <= self.summer_end:
            if self.is_school_day(day, region):
                days.append(day)
            day += _DAY
        return days


def _monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _next_working_day_on_or_after(day: dt.date) -> dt.date:
    while not is_working_day(day, Region.ENGLAND):
        day += _DAY
    return day


def default_autumn_start(academic_year: int) -> dt.date:
    """First weekday on or after 1 September; if that is a Friday, the Monday after."""
    day = dt.date(check_academic_year(academic_year), 9, 1)
    while day.weekday() >= calendar.FRIDAY:
        day += _DAY
    return day


def default_spring_start(academic_year: int) -> dt.date:
    """First Monday after New Year's Day (2-8 January), or the next working day if that
    Monday is a bank holiday (New Year's Day observed, as in 2023 and 2028)."""
    year = check_academic_year(academic_year) + 1
    new_year = dt.date(year, 1, 1)
    first_monday = new_year + dt.timedelta(days=7 - new_year.weekday())
    return _next_working_day_on_or_after(first_monday)


def _spring_bank_holiday(year: int) -> dt.date:
    named = [d for d, name in bank_holidays(year, Region.ENGLAND).items() if name == "Spring Bank Holiday"]
    return named[0] if named else nth_weekday(year, 5, calendar.MONDAY, -1)


def _summer_end(academic_year: int) -> dt.date:
    day = dt.date(academic_year + 1, 7, 22)
    while day.weekday() >= calendar.SATURDAY:
        day -= _DAY
    return day


def default_term_dates(academic_year: int) -> TermDates:
    """Sensible default term dates for an English LA in ``academic_year``.

    Rules chosen (each matches most English LAs' published calendars 2022-2026; admins
    override the rest):

    * autumn term starts on the first weekday on or after 1 September, or the Monday after
      if that weekday is a Friday;
    * autumn half term: the week (Monday-Friday) starting on the fourth Monday of October
      (22-28 October);
    * spring term starts on the first Monday after 1 January (2-8 January), moved to the
      next working day if that is a bank holiday;
    * Christmas break: the two whole weeks before that Monday, so the autumn term ends on
      the Friday 17 days before it;
    * spring half term: the week starting on the Monday on or after 12 February (12-18 Feb);
    * Easter break: the two weeks around Easter Sunday, from the Monday of Good Friday's
      week to the Friday after Easter Monday; the spring term ends on the Friday before and
      the summer term starts on the Monday after (next working day if a bank holiday);
    * summer half term: the week containing the Spring (late May) bank holiday, taken from
      the bank-holiday calendar so that moved years such as 2022 come out right;
    * summer term ends on 22 July, or the Friday before if 22 July is at a weekend.

    England and Wales share bank holidays; Welsh LAs set their own term dates, which they
    should enter as overrides. Raises ``TypeError``/``ValueError`` for an implausible year.
    """
    year = check_academic_year(academic_year)
    autumn_half = nth_weekday(year, 10, calendar.MONDAY, 4)
    spring_start = default_spring_start(year)
    spring_half = _monday_of(dt.date(year + 1, 2, 12) + dt.timedelta(days=6))
    easter_sunday = easter(year + 1)
    summer_half = _monday_of(_spring_bank_holiday(year + 1))
    return TermDates(
        academic_year=year,
        autumn_start=default_autumn_start(year),
        autumn_half_term_start=autumn_half,
        autumn_half_term_end=autumn_half + dt.timedelta(days=4),
        autumn_end=_monday_of(spring_start) - dt.timedelta(days=17),
        spring_start=spring_start,
        spring_half_term_start=spring_half,
        spring_half_term_end=spring_half + dt.timedelta(days=4),
        spring_end=easter_sunday - dt.timedelta(days=9),
        summer_start=_next_working_day_on_or_after(easter_sunday + dt.timedelta(days=8)),
        summer_half_term_start=summer_half,
        summer_half_term_end=summer_half + dt.timedelta(days=4),
        summer_end=_summer_end(year),
    )


def add_school_days(
    day: dt.date, n: int, term_dates_for: Callable[[int], TermDates], region: Region | str = Region.ENGLAND
) -> dt.date:
    """The ``n``-th school day after ``day`` (``day`` itself never counts; ``n == 0`` gives ``day``).

    ``term_dates_for(academic_year)`` gives each academic year's term dates (stored overrides or the
    defaults), so a count may run across a holiday and into the next year. Raises ``ValueError`` for a
    negative ``n`` and as :meth:`TermDates.is_school_day`.
    """
    day = check_date(day)
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"n must be a whole number of school days, 0 or more, not {n!r}")
    region = parse_region(region)
    years: dict[int, TermDates] = {}
    counted = 0
    while counted < n:
        day += _DAY
        year = academic_year_of(day)
        if year not in years:
            years[year] = term_dates_for(year)
        counted += years[year].is_school_day(day, region)
    return day
