"""Factories for deadlines tests: find a generated instance, or make one that applies to one school only
(e.g. for the cross-organisation test)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from domain.deadline_rules import DEFAULT_CATALOGUE
from models import deadline_catalogue, deadline_instances
from models.db import one


def other_schools_instance(db, other_school: dict) -> int:
    """An instance that applies ONLY to ``other_school`` (a chosen-list return); returns its id."""
    entry = dataclasses.replace(DEFAULT_CATALOGUE[-1], code="OTHER-ONLY", name="Only the other school's return")
    existing = deadline_catalogue.get_by_code(db, "OTHER-ONLY")
    row = existing or deadline_catalogue.save(db, entry, chosen_only=True, chosen=[other_school["id"]])
    instance = deadline_instances.add_instance(
        db, catalogue_id=row["id"], academic_year=2026, period_label="2026/27",
        opens_on=dt.date(2026, 9, 1), due_on=dt.date(2026, 10, 30),
    )  # fmt: skip
    return instance["id"]


def instance_of(db, code: str, period_key: str = "2026/27", year: int = 2026) -> dict:
    """The instance of catalogue ``code`` for ``period_key`` (default: the annual one of 2026/27)."""
    row = one(
        db,
        "SELECT i.id FROM deadline_instances i JOIN return_catalogue c ON c.id = i.catalogue_id"
        " WHERE c.code = ? AND i.period_key = ? AND i.academic_year = ?",
        (code, period_key, year),
    )
    assert row, f"no instance {code} {period_key}"
    return deadline_instances.get_instance(db, row["id"])
