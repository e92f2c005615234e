"""Gatehouse deadline rules: pure date logic for statutory and local data returns.

No Flask, no database: everything here is a pure function of its arguments plus the
offline ``holidays`` and ``python-dateutil`` packages.

* :mod:`.academic_year` - academic year 2026 = 1 Sep 2026 to 31 Aug 2027 ("2026/27").
* :mod:`.census` - census days (autumn, spring, summer, School Workforce).
* :mod:`.working_days` - England/Wales bank holidays, working-day arithmetic, due-date shifts.
* :mod:`.term_dates` - term dates (admin-editable values) and LA-style defaults.
* :mod:`.rules` - due-date rules as data and :func:`instances_for`.
* :mod:`.catalogue` - ``DEFAULT_CATALOGUE`` of returns an LA tracks.
"""

from .academic_year import (
    TERMS,
    Term,
    academic_year_end,
    academic_year_label,
    academic_year_of,
    academic_year_start,
    date_in_academic_year,
    in_academic_year,
    parse_term,
)
from .catalogue import (
    DEFAULT_CATALOGUE,
    DFE_WORKFORCE_DEADLINE_OFFSET_DAYS,
    GIAS_PHASES,
    LA_INTERNAL_DEADLINE_OFFSET_DAYS,
    Audience,
    CatalogueEntry,
    ReturnType,
    Source,
    catalogue_entry,
    year_groups_for_ages,
)
from .census import DFE_CENSUS_DEADLINE_OFFSET_DAYS, Census, census_day, census_days, nth_weekday, parse_census
from .rules import (
    DateRule,
    DueRule,
    Instance,
    OffsetUnit,
    Recurrence,
    RuleKind,
    instances_for,
    resolve_census_days,
)
from .term_dates import InvalidTermDates, TermDates, TermSpan, default_term_dates
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
    "DEFAULT_CATALOGUE",
    "DFE_CENSUS_DEADLINE_OFFSET_DAYS",
    "DFE_WORKFORCE_DEADLINE_OFFSET_DAYS",
    "GIAS_PHASES",
    "LA_INTERNAL_DEADLINE_OFFSET_DAYS",
    "TERMS",
    "Audience",
    "CatalogueEntry",
    "Census",
    "DateRule",
    "DueRule",
    "Instance",
    "InvalidTermDates",
    "OffsetUnit",
    "Recurrence",
    "Region",
    "ReturnType",
    "RuleKind",
    "ShiftPolicy",
    "Source",
    "Term",
    "TermDates",
    "TermSpan",
    "academic_year_end",
    "academic_year_label",
    "academic_year_of",
    "academic_year_start",
    "add_working_days",
    "bank_holiday_name",
    "bank_holidays",
    "catalogue_entry",
    "census_day",
    "census_days",
    "date_in_academic_year",
    "default_term_dates",
    "in_academic_year",
    "instances_for",
    "is_bank_holiday",
    "is_working_day",
    "next_working_day",
    "nth_weekday",
    "parse_census",
    "parse_region",
    "parse_shift_policy",
    "parse_term",
    "previous_working_day",
    "resolve_census_days",
    "shift_due_date",
    "working_days_between",
    "year_groups_for_ages",
]
