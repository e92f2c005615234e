"""The outbox: every email Gatehouse sends, holds (no SMTP server set) or failed to send."""

from __future__ import annotations

from sqlite_utils import Database

from domain import clock
from models.db import one, rows, scalar, transaction

STATUSES = ("sent", "held", "failed")


def add(db: Database, *, to_addr: str, subject: str, body: str, status: str, error: str | None = None) -> dict:
    """Store one message with its delivery status and return it. Raises ValueError for an unknown status."""
    if status not in STATUSES:
        raise ValueError(f"unknown outbox status {status!r}")
    now = clock.iso()
    with transaction(db):
        cursor = db.conn.execute(
            "INSERT INTO outbox (created_at, to_addr, subject, body, status, error, sent_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (now, to_addr, subject, body, status, error, now if status == "sent" else None),
        )
    return get(db, cursor.lastrowid)


def get(db: Database, message_id: int) -> dict | None:
    """Return one message, or None."""
    return one(db, "SELECT * FROM outbox WHERE id = ?", (message_id,))


def count(db: Database, status: str | None = None) -> int:
    """Return how many messages there are (with ``status`` when given)."""
    if status:
        return scalar(db, "SELECT count(*) FROM outbox WHERE status = ?", (status,))
    return scalar(db, "SELECT count(*) FROM outbox")


def page(db: Database, *, status: str | None = None, limit: int = 50, offset: int = 0) -> list[dict]:
    """Return messages newest first (only ``status`` when given), ``limit`` from ``offset``."""
    if status:
        return rows(
            db,
            "SELECT * FROM outbox WHERE status = ? ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
            (status, limit, offset),
        )
    return rows(db, "SELECT * FROM outbox ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?", (limit, offset))
