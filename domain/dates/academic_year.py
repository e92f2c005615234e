"""Academic years and terms: the conventions every date rule in Gatehouse shares.

An *academic year* is named by the calendar year in which it starts: academic year 2026
runs from 1 September 2026 to 31 August 2027 inclusive, and is written "2026/27".  Its
autumn term falls in 2026; its spring and summer terms fall in 2027.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

# The bank-holiday data (holidays package) covers 1872-2100; keep every derived date inside it.
MIN_ACADEMIC_YEAR = 1900
MAX_ACADEMIC_YEAR = 2098

_MONTH_ABBREVIATIONS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class Term(StrEnum):
    """One of the three terms of an English or Welsh school year, in calendar order."""

    AUTUMN = "autumn"
    SPRING = "spring"
    SUMMER = "summer"

    @property
    def label(self) -> str:
        """The capitalised name, e.g. "Autumn"."""
        return self.value.capitalize()


TERMS: tuple[Term, ...] = (Term.AUTUMN, Term.SPRING, Term.SUMMER)


def parse_term(value: Term | str) -> Term:
    """Return ``value`` as a :class:`Term`.

    Accepts a ``Term`` or its string value in any letter case ("autumn", "Spring").
    Raises ``ValueError`` for anything else.
    """
    if isinstance(value, Term):
        return value
    if isinstance(value, str):
        try:
            return Term(value.strip().lower())
        except ValueError:
            pass
    raise ValueError(f"unknown term {value!r}: expected one of {[t.value for t in TERMS]}")


def check_academic_year(academic_year: object) -> int:
    """Return ``academic_year`` unchanged if it is a plausible academic year.

    Raises ``TypeError`` unless it is an ``int`` (``bool`` is refused) and ``ValueError``
    unless it lies between ``MIN_ACADEMIC_YEAR`` and ``MAX_ACADEMIC_YEAR``.
    """
    if isinstance(academic_year, bool) or not isinstance(academic_year, int):
        raise TypeError(f"academic year must be an int such as 2026, not {academic_year!r}")
    if not MIN_ACADEMIC_YEAR <= academic_year <= MAX_ACADEMIC_YEAR:
        raise ValueError(f"academic year {academic_year} is outside {MIN_ACADEMIC_YEAR}-{MAX_ACADEMIC_YEAR}")
    return academic_year


def check_date(value: object, name: str = "date") -> dt.date:
    """Return ``value`` if it is a plain ``datetime.date``.

    Raises ``TypeError`` for anything else, including ``datetime.datetime`` (which would
    silently never compare equal to a holiday date).
    """
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise TypeError(f"{name} must be a datetime.date (not a datetime), got {value!r}")
    return value


def academic_year_start(academic_year: int) -> dt.date:
    """1 September of ``academic_year``. Raises as :func:`check_academic_year`."""
    return dt.date(check_academic_year(academic_year), 9, 1)


def academic_year_end(academic_year: int) -> dt.date:
    """31 August of the following calendar year. Raises as :func:`check_academic_year`."""
    return dt.date(check_academic_year(academic_year) + 1, 8, 31)


def academic_year_of(day: dt.date) -> int:
    """The academic year containing ``day``: September-December belong to that calendar
    year, January-August to the previous one. Raises ``TypeError`` for a non-date."""
    day = check_date(day)
    return day.year if day.month >= 9 else day.year - 1


def academic_year_label(academic_year: int) -> str:
    """The conventional label, e.g. 2026 -> "2026/27". Raises as :func:`check_academic_year`."""
    year = check_academic_year(academic_year)
    return f"{year}/{(year + 1) % 100:02d}"


def calendar_year_for_month(academic_year: int, month: int) -> int:
    """The calendar year in which ``month`` (1-12) falls within ``academic_year``.

    September-December -> ``academic_year``; January-August -> ``academic_year + 1``.
    Raises ``ValueError`` for a month outside 1-12.
    """
    check_academic_year(academic_year)
    if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12:
        raise ValueError(f"month must be an int 1-12, got {month!r}")
    return academic_year if month >= 9 else academic_year + 1


def date_in_academic_year(academic_year: int, month: int, day: int) -> dt.date:
    """The date with this month and day inside ``academic_year``.

    ``date_in_academic_year(2026, 1, 31)`` is 31 January 2027. Raises ``ValueError`` for an
    impossible date (including 29 February in a non-leap year).
    """
    return dt.date(calendar_year_for_month(academic_year, month), month, day)


def in_academic_year(day: dt.date, academic_year: int) -> bool:
    """True if ``day`` lies within ``academic_year`` (1 Sep-31 Aug inclusive)."""
    return academic_year_start(academic_year) <= check_date(day) <= academic_year_end(academic_year)


def term_by_month(day: dt.date) -> Term:
    """The term ``day`` falls in by calendar month alone: autumn September-December, spring
    January-March, summer April-August (holidays included). Good enough for a termly prompt; use
    :class:`~domain.dates.term_dates.TermDates` for real term time. Raises ``TypeError`` for a non-date."""
    month = check_date(day).month
    if month >= 9:
        return Term.AUTUMN
    return Term.SPRING if month <= 3 else Term.SUMMER


def term_key(day: dt.date) -> str:
    """``"2026-autumn"``, ``"2026-spring"`` or ``"2026-summer"``: the academic year and
    :func:`term_by_month` of ``day``, as stored (e.g. one review prompt per organisation per term)."""
    return f"{academic_year_of(day)}-{term_by_month(day).value}"


def term_label(key: str) -> str:
    """A :func:`term_key` in words: ``"2026-spring"`` is ``"spring term 2026/27"``.

    Raises ``ValueError`` for text that is not a term key of a plausible academic year."""
    year, _, term = key.partition("-")
    return f"{parse_term(term).value} term {academic_year_label(int(year))}"


def format_day(day: dt.date) -> str:
    """Locale-independent short date, e.g. "7 Sep 2026"."""
    return f"{day.day} {_MONTH_ABBREVIATIONS[day.month - 1]} {day.year}"
