"""Users: lookups and the core writes shared by sign-in and account management."""

from __future__ import annotations

from sqlite_utils import Database

import clock
from models.db import one, rows, transaction

_USER_SELECT = (
    "SELECT u.*, o.kind AS organisation_kind, o.name AS organisation_name, o.la_code AS organisation_la_code,"
    " o.dfe_number AS organisation_dfe_number FROM users u JOIN organisations o ON o.id = u.organisation_id"
)


def get(db: Database, user_id: int) -> dict | None:
    """Return the user with ``user_id`` (with organisation fields), or None."""
    return one(db, f"{_USER_SELECT} WHERE u.id = ?", (user_id,))


def get_by_email(db: Database, email: str) -> dict | None:
    """Return the user whose email matches (case-insensitively), or None."""
    return one(db, f"{_USER_SELECT} WHERE u.email = ? COLLATE NOCASE", (email.strip(),))


def list_for_organisation(db: Database, organisation_id: int) -> list[dict]:
    """Return every user of one organisation, by name."""
    return rows(db, f"{_USER_SELECT} WHERE u.organisation_id = ? ORDER BY u.name COLLATE NOCASE", (organisation_id,))


def create(
    db: Database,
    *,
    email: str,
    name: str,
    organisation_id: int,
    role: str = "end_user",
    is_site_admin: bool = False,
    password_hash: str | None = None,
    status: str = "active",
    must_change_password: bool = False,
) -> dict:
    """Insert a user and return it. Raises sqlite3.IntegrityError when the email is taken."""
    with transaction(db):
        cursor = db.conn.execute(
            "INSERT INTO users (email, name, organisation_id, role, is_site_admin, status, password_hash,"
            " password_changed_at, must_change_password) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                email.strip().lower(),
                name.strip(),
                organisation_id,
                role,
                int(is_site_admin),
                status,
                password_hash,
                clock.iso() if password_hash else None,
                int(must_change_password),
            ),
        )
    return get(db, cursor.lastrowid)


def bump_session_version(db: Database, user_id: int) -> None:
    """End every live session of the user (their cookies carry the old version)."""
    with transaction(db):
        db.conn.execute("UPDATE users SET session_version = session_version + 1 WHERE id = ?", (user_id,))
