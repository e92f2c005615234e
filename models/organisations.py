"""Organisations: the LA itself and its schools."""

from __future__ import annotations

from sqlite_utils import Database

from models.db import one, transaction


def get(db: Database, organisation_id: int) -> dict | None:
    """Return the organisation with ``organisation_id``, or None."""
    return one(db, "SELECT * FROM organisations WHERE id = ?", (organisation_id,))


def get_la(db: Database, la_code: str) -> dict | None:
    """Return the LA organisation with ``la_code``, or None."""
    return one(db, "SELECT * FROM organisations WHERE kind = 'la' AND la_code = ?", (la_code,))


def ensure_la(db: Database, la_code: str, name: str) -> dict:
    """Return the LA organisation for ``la_code``, creating it (DfE number LLL0000) if absent."""
    with transaction(db):
        existing = get_la(db, la_code)
        if existing:
            return existing
        db.conn.execute(
            "INSERT INTO organisations (kind, la_code, dfe_number, name) VALUES ('la', ?, ?, ?)",
            (la_code, f"{la_code}0000", name),
        )
    return get_la(db, la_code)


def create_school(db: Database, *, la_code: str, estab: str, name: str, urn: int | None = None, **fields) -> dict:
    """Insert a school (DfE number = LA code + establishment number) and return it."""
    columns = {"kind": "school", "la_code": la_code, "estab": estab, "dfe_number": la_code + estab, "urn": urn,
               "name": name, **fields}
    names = ", ".join(columns)
    marks = ", ".join(f":{c}" for c in columns)
    with transaction(db):
        cursor = db.conn.execute(f"INSERT INTO organisations ({names}) VALUES ({marks})", columns)  # noqa: S608
    return get(db, cursor.lastrowid)
