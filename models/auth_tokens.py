"""Single-use emailed tokens (password reset): only their SHA-256 hash is stored."""

from __future__ import annotations

from datetime import timedelta

from sqlite_utils import Database

from domain import clock
from models.db import one, transaction


def create(db: Database, user_id: int, purpose: str, token_hash: str, minutes: int) -> dict:
    """Store a token valid for ``minutes``, replacing the user's unused tokens of that purpose.

    Only the newest link works: an older unused one is withdrawn. Returns the stored row.
    """
    expires = clock.iso(clock.now() + timedelta(minutes=minutes))
    with transaction(db):
        db.conn.execute(
            "DELETE FROM auth_tokens WHERE user_id = ? AND purpose = ? AND used_at IS NULL", (user_id, purpose)
        )
        cursor = db.conn.execute(
            "INSERT INTO auth_tokens (user_id, purpose, token_hash, expires_at, created_at) VALUES (?, ?, ?, ?, ?)",
            (user_id, purpose, token_hash, expires, clock.iso()),
        )
    return one(db, "SELECT * FROM auth_tokens WHERE id = ?", (cursor.lastrowid,))


def find_valid(db: Database, purpose: str, token_hash: str) -> dict | None:
    """Return the unused, unexpired token with this hash and purpose, or None."""
    return one(
        db,
        "SELECT * FROM auth_tokens WHERE token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?",
        (token_hash, purpose, clock.iso()),
    )


def consume(db: Database, token_id: int) -> bool:
    """Mark the token used if it is still unused and unexpired; False when it was not (a race lost)."""
    with transaction(db):
        cursor = db.conn.execute(
            "UPDATE auth_tokens SET used_at = ? WHERE id = ? AND used_at IS NULL AND expires_at > ?",
            (clock.iso(), token_id, clock.iso()),
        )
    return cursor.rowcount == 1
