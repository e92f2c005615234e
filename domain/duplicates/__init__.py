"""Duplicate pupils across an LA's schools: normalising, detection rules and reading census files. Pure
Python, no web framework. Start with ``find_cases`` (``detect.py`` explains every rule)."""

from domain.duplicates.detect import (
    EARLY_YEARS,
    KIND_LABELS,
    KINDS,
    RULES,
    SAME_PERSON,
    SAME_UPN,
    Case,
    PupilEntry,
    find_cases,
    is_early_years,
    on_roll_on,
    same_upn_rule,
)
from domain.duplicates.files import CensusRoll, read_census_roll

__all__ = [
    "EARLY_YEARS",
    "KINDS",
    "KIND_LABELS",
    "RULES",
    "SAME_PERSON",
    "SAME_UPN",
    "Case",
    "CensusRoll",
    "PupilEntry",
    "find_cases",
    "is_early_years",
    "on_roll_on",
    "read_census_roll",
    "same_upn_rule",
]
