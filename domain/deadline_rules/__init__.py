"""Gatehouse deadline rules: pure due-date logic for statutory and local data returns.

No Flask, no database: everything here is a pure function of its arguments. The dates these
rules stand on (academic years, census days, working days, term dates) are :mod:`domain.dates`.

* :mod:`.rules` - due-date rules as data and :func:`instances_for`.
* :mod:`.catalogue` - ``DEFAULT_CATALOGUE`` of returns an LA tracks.
"""

from .catalogue import (
    DEFAULT_CATALOGUE,
    DFE_CENSUS_DEADLINE_OFFSET_DAYS,
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
from .rules import (
    DateRule,
    DueRule,
    Instance,
    OffsetUnit,
    Recurrence,
    RuleKind,
    allowed_kinds,
    fields_of,
    instances_for,
    resolve_census_days,
)

__all__ = [
    "allowed_kinds",
    "fields_of",
    "DEFAULT_CATALOGUE",
    "DFE_CENSUS_DEADLINE_OFFSET_DAYS",
    "DFE_WORKFORCE_DEADLINE_OFFSET_DAYS",
    "GIAS_PHASES",
    "LA_INTERNAL_DEADLINE_OFFSET_DAYS",
    "Audience",
    "CatalogueEntry",
    "DateRule",
    "DueRule",
    "Instance",
    "OffsetUnit",
    "Recurrence",
    "ReturnType",
    "RuleKind",
    "Source",
    "catalogue_entry",
    "instances_for",
    "resolve_census_days",
    "year_groups_for_ages",
]
