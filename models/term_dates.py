"""LA term dates per academic year: stored overrides of ``domain.dates.default_term_dates``.

A year with no stored row uses the computed defaults; saving stores all twelve dates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import fields

from sqlite_utils import Database

from domain import clock
from domain.dates import TermDates, default_term_dates
from models import audit
from models.db import one, transaction

FIELDS = tuple(f.name for f in fields(TermDates) if f.name != "academic_year")


def get(db: Database, academic_year: int) -> TermDates:
    """Return the year's term dates: the stored ones, else the computed defaults.

    Raises TypeError/ValueError for an implausible year (see ``domain.dates``).
    """
    row = one(db, "SELECT * FROM term_dates WHERE academic_year = ?", (academic_year,))
    if row is None:
        return default_term_dates(academic_year)
    return TermDates(academic_year=academic_year, **{name: dt.date.fromisoformat(row[name]) for name in FIELDS})


def stored(db: Database, academic_year: int) -> dict | None:
    """Return the stored row for the year (who changed it and when), or None when defaults apply."""
    return one(
        db, "SELECT academic_year, updated_at, updated_by FROM term_dates WHERE academic_year = ?", (academic_year,)
    )


def save(db: Database, terms: TermDates, *, actor: dict | None = None) -> TermDates:
    """Store ``terms`` (already validated by its constructor) for its year and audit it."""
    values = {name: getattr(terms, name).isoformat() for name in FIELDS}
    names = ", ".join(FIELDS)
    marks = ", ".join(f":{n}" for n in FIELDS)
    updates = ", ".join(f"{n} = excluded.{n}" for n in FIELDS)
    with transaction(db):
        db.conn.execute(
            # nosemgrep: sql-format # FIELDS, fixed in this module; values are bound
            f"INSERT INTO term_dates (academic_year, {names}, updated_at, updated_by)"  # nosec B608
            f" VALUES (:academic_year, {marks}, :now, :actor)"
            f" ON CONFLICT (academic_year) DO UPDATE SET {updates}, updated_at = excluded.updated_at,"
            " updated_by = excluded.updated_by",
            {
                **values,
                "academic_year": terms.academic_year,
                "now": clock.iso(),
                "actor": actor["id"] if actor else None,
            },
        )
        audit.record(
            db, "term_dates_changed", actor=actor, organisation_id=actor["organisation_id"] if actor else None,
            target=f"term_dates:{terms.academic_year}", detail=values,
        )  # fmt: skip
    return terms


def reset(db: Database, academic_year: int, *, actor: dict | None = None) -> bool:
    """Forget the stored dates so the computed defaults apply again; False when none were stored."""
    with transaction(db):
        cursor = db.conn.execute("DELETE FROM term_dates WHERE academic_year = ?", (academic_year,))
        if cursor.rowcount:
            audit.record(
                db, "term_dates_reset", actor=actor, organisation_id=actor["organisation_id"] if actor else None,
                target=f"term_dates:{academic_year}",
            )  # fmt: skip
    return bool(cursor.rowcount)
