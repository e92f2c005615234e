"""Two-step verification recovery codes: stored as SHA-256 hashes, each usable once."""

from __future__ import annotations

from sqlite_utils import Database

from domain import clock
from models.db import scalar, transaction


def replace(db: Database, user_id: int, code_hashes: list[str]) -> None:
    """Throw away the user's recovery codes and store these (hashed) ones instead."""
    with transaction(db):
        db.conn.execute("DELETE FROM recovery_codes WHERE user_id = ?", (user_id,))
        db.conn.executemany(
            "INSERT INTO recovery_codes (user_id, code_hash) VALUES (?, ?)", [(user_id, h) for h in code_hashes]
        )


def use(db: Database, user_id: int, code_hash: str) -> bool:
    """Mark one unused code of the user used; False when no unused code has that hash."""
    with transaction(db):
        cursor = db.conn.execute(
            "UPDATE recovery_codes SET used_at = ? WHERE id = (SELECT id FROM recovery_codes"
            " WHERE user_id = ? AND code_hash = ? AND used_at IS NULL LIMIT 1)",
            (clock.iso(), user_id, code_hash),
        )
    return cursor.rowcount == 1


def count_unused(db: Database, user_id: int) -> int:
    """Return how many of the user's recovery codes are still unused."""
    return scalar(db, "SELECT count(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL", (user_id,))
