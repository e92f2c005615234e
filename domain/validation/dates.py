"""Dates as files give them: strict ISO dates and pupils' ages.

Census days and academic years are ``domain.dates`` (``census_day_in_year``, ``academic_year_of``).
"""
from __future__ import annotations

import datetime as dt


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
