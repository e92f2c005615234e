"""Gatehouse dates: the one home of every date rule, pure (no Flask, no database).

Import from the package: ``from domain.dates import uk_today, academic_year_of, census_day``.

* :mod:`.england` - time in England: ``UK_TZ``, :func:`uk_now`, :func:`uk_today`,
  :func:`uk_date_of` (a stored UTC timestamp's date in England), :func:`noon_in_england`.
* :mod:`.academic_year` - academic year 2026 = 1 Sep 2026 to 31 Aug 2027 ("2026/27"); the three
  terms; :func:`term_key` for things done once a term.
* :mod:`.census` - census days (autumn, spring, summer, School Workforce), by academic year or
  by the calendar year a census file gives.
* :mod:`.working_days` - England/Wales bank holidays, working-day arithmetic, due-date shifts.
* :mod:`.term_dates` - school term dates (admin-editable values) and LA-style defaults.

"Now" itself is :mod:`domain.clock` (tests move it); how a date is shown on a page is
``web/filters.py``. Depends only on ``holidays`` (offline bank-holiday data) and ``python-dateutil``.
"""

from .academic_year import (
    MAX_ACADEMIC_YEAR,
    MIN_ACADEMIC_YEAR,
    TERMS,
    Term,
    academic_year_end,
    academic_year_label,
    academic_year_of,
    academic_year_start,
    calendar_year_for_month,
    check_academic_year,
    check_date,
    date_in_academic_year,
    format_day,
    in_academic_year,
    parse_term,
    term_by_month,
    term_key,
    term_label,
)
from .census import (
    DFE_TERM_CODES,
    Census,
    census_day,
    census_day_in_year,
    census_days,
    nth_weekday,
    parse_census,
)
from .england import UK_TZ, noon_in_england, uk_date_of, uk_now, uk_today
from .term_dates import InvalidTermDates, TermDates, TermSpan, add_school_days, default_term_dates
from .working_days import (
    Region,
    ShiftPolicy,
    add_working_days,
    bank_holiday_name,
    bank_holidays,
    is_bank_holiday,
    is_working_day,
    next_working_day,
    parse_region,
    parse_shift_policy,
    previous_working_day,
    shift_due_date,
    working_days_between,
)

__all__ = [
    "DFE_TERM_CODES",
    "MAX_ACADEMIC_YEAR",
    "MIN_ACADEMIC_YEAR",
    "TERMS",
    "UK_TZ",
    "Census",
    "InvalidTermDates",
    "Region",
    "ShiftPolicy",
    "Term",
    "TermDates",
    "TermSpan",
    "academic_year_end",
    "add_school_days",
    "academic_year_label",
    "academic_year_of",
    "academic_year_start",
    "add_working_days",
    "bank_holiday_name",
    "bank_holidays",
    "calendar_year_for_month",
    "census_day",
    "census_day_in_year",
    "census_days",
    "check_academic_year",
    "check_date",
    "date_in_academic_year",
    "default_term_dates",
    "format_day",
    "in_academic_year",
    "is_bank_holiday",
    "is_working_day",
    "next_working_day",
    "noon_in_england",
    "nth_weekday",
    "parse_census",
    "parse_region",
    "parse_shift_policy",
    "parse_term",
    "previous_working_day",
    "shift_due_date",
    "term_by_month",
    "term_key",
    "term_label",
    "uk_date_of",
    "uk_now",
    "uk_today",
    "working_days_between",
]
