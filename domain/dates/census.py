"""Census days of the DfE School Census and School Workforce Census.

Rules (true for every census day the DfE published 2015-2025, see DOMAIN.md section 5):

* autumn census: first Thursday in October (in the academic year's first calendar year);
* spring census: third Thursday in January (second calendar year);
* summer census: third Thursday in May (second calendar year);
* School Workforce Census: first Thursday in November (first calendar year).

The DfE publishes the dates every year, so callers that hold an admin override should
prefer it; :func:`census_day` (by academic year) and :func:`census_day_in_year` (by the calendar
year a census file's header gives) only compute the rule.
"""

from __future__ import annotations

import calendar
import datetime as dt
from enum import StrEnum

from .academic_year import Term, calendar_year_for_month, check_academic_year

THURSDAY = calendar.THURSDAY


class Census(StrEnum):
    """A census collection: the three termly School Censuses and the Workforce Census."""

    AUTUMN = "autumn"
    SPRING = "spring"
    SUMMER = "summer"
    WORKFORCE = "workforce"

    @property
    def label(self) -> str:
        """Human name, e.g. "Spring census" or "School Workforce Census"."""
        if self is Census.WORKFORCE:
            return "School Workforce Census"
        return f"{self.value.capitalize()} census"


#: The term codes of the DfE's Common Basic Data Set (a census file's ``CollectionDetails/Term``).
DFE_TERM_CODES: dict[str, Census] = {"AUT": Census.AUTUMN, "SPR": Census.SPRING, "SUM": Census.SUMMER}

# (month, weekday, n): the n-th such weekday of the month.
_CENSUS_RULES: dict[Census, tuple[int, int, int]] = {
    Census.AUTUMN: (10, THURSDAY, 1),
    Census.SPRING: (1, THURSDAY, 3),
    Census.SUMMER: (5, THURSDAY, 3),
    Census.WORKFORCE: (11, THURSDAY, 1),
}


def parse_census(value: Census | Term | str) -> Census:
    """Return ``value`` as a :class:`Census`.

    Accepts a ``Census``, a ``Term`` (the termly School Census of that term) or a string
    value in any letter case. Raises ``ValueError`` for anything else (a DfE term code such as
    ``"AUT"`` goes through :data:`DFE_TERM_CODES` first).
    """
    if isinstance(value, Census):
        return value
    if isinstance(value, Term):
        return Census(value.value)
    if isinstance(value, str):
        try:
            return Census(value.strip().lower())
        except ValueError:
            pass
    raise ValueError(f"unknown census {value!r}: expected one of {[c.value for c in Census]}")


def nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    """The ``n``-th ``weekday`` (0 = Monday ... 6 = Sunday) of ``month`` in ``year``.

    ``n`` is 1-5 counting from the start of the month, or -1 to -5 counting from its end
    (-1 = the last one). Raises ``ValueError`` if the weekday, ``n`` or the month is out of
    range, or if the month has no such day (e.g. a fifth Monday that does not exist).
    """
    if not 0 <= weekday <= 6:
        raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), got {weekday!r}")
    if n == 0 or not -5 <= n <= 5:
        raise ValueError(f"n must be 1..5 or -1..-5, got {n!r}")
    days = [week[weekday] for week in calendar.monthcalendar(year, month) if week[weekday]]
    if abs(n) > len(days):
        raise ValueError(f"{year}-{month:02d} has no weekday {weekday} number {n}")
    return dt.date(year, month, days[n - 1 if n > 0 else n])


def census_day(census: Census | Term | str, academic_year: int) -> dt.date:
    """The rule-based census day of ``census`` in ``academic_year``.

    ``census_day("spring", 2024)`` is 16 January 2025 (academic year 2024/25).
    Raises ``ValueError`` for an unknown census and ``TypeError``/``ValueError`` for an
    implausible academic year.
    """
    census = parse_census(census)
    check_academic_year(academic_year)
    return census_day_in_year(census, calendar_year_for_month(academic_year, _CENSUS_RULES[census][0]))


def census_day_in_year(census: Census | Term | str, year: int) -> dt.date:
    """The rule-based day of ``census`` that falls in calendar ``year`` (a census file's header
    gives the term and the calendar year): ``census_day_in_year("spring", 2025)`` is 16 January 2025.

    Raises ``ValueError`` for an unknown census or a year ``datetime.date`` cannot hold.
    """
    month, weekday, n = _CENSUS_RULES[parse_census(census)]
    return nth_weekday(year, month, weekday, n)


def census_days(academic_year: int) -> dict[Census, dt.date]:
    """All four rule-based census days of ``academic_year``, in ``Census`` order."""
    return {census: census_day(census, academic_year) for census in Census}
