"""Date rules for returns: census days, academic years, ages and strict ISO dates."""
from __future__ import annotations

import datetime as dt

TERMS = ("AUT", "SPR", "SUM")
_CENSUS_MONTH_AND_THURSDAY = {"AUT": (10, 1), "SPR": (1, 3), "SUM": (5, 3)}
_THURSDAY = 3


def census_day(term: str, year: int) -> dt.date:
    """The census day of ``term`` in calendar ``year``.

    Autumn: first Thursday in October; spring: third Thursday in January; summer: third
    Thursday in May (true for every published date 2015-2025; the DfE publishes them yearly,
    so callers may override). Raises ValueError for a term other than AUT, SPR or SUM.
    """
    if term not in _CENSUS_MONTH_AND_THURSDAY:
        raise ValueError(f"unknown term {term!r}")
    month, nth = _CENSUS_MONTH_AND_THURSDAY[term]
    first = dt.date(year, month, 1)
    first_thursday = first + dt.timedelta(days=(_THURSDAY - first.weekday()) % 7)
    return first_thursday + dt.timedelta(weeks=nth - 1)


def academic_year_start(day: dt.date) -> int:
    """The calendar year in which the academic year holding ``day`` began (1 September)."""
    return day.year if day.month >= 9 else day.year - 1


def parse_iso_date(text: str | None) -> dt.date | None:
    """``text`` as a date if it is exactly ``YYYY-MM-DD`` and a real day, else None. Never raises."""
    if not text or len(text) != 10 or text[4] != "-" or text[7] != "-":
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def parse_iso_datetime(text: str | None) -> dt.datetime | None:
    """``text`` as a date-time if it is ``YYYY-MM-DDThh:mm:ss`` (optionally with fractions or
    an offset), else None. Never raises."""
    if not text or len(text) < 19 or text[10] != "T" or parse_iso_date(text[:10]) is None:
        return None
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return None


def age_on(dob: dt.date, day: dt.date) -> int:
    """Whole years of age on ``day`` for someone born on ``dob`` (negative if not yet born)."""
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def age_at_start_of_year(dob: dt.date, academic_year: int) -> int:
    """Age on 31 August before the academic year starting in ``academic_year``: the age that
    decides a pupil's national curriculum year (4 = Reception, 5 = Year 1, ...)."""
    return age_on(dob, dt.date(academic_year, 8, 31))
