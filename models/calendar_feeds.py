"""Calendar feeds: one secret iCalendar URL per user, stored only as its SHA-256.

The token is shown once, when made; regenerating replaces it and revoking deletes it, so
an old URL then answers 404.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlite_utils import Database

from domain import clock
from models import audit
from models.db import one, transaction

TOKEN_BYTES = 32


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create(db: Database, user: dict, *, ip: str | None = None, user_agent: str | None = None) -> str:
    """Make (or replace) the user's feed token and return it; audited ``calendar_feed_created``."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with transaction(db):
        replaced = db.conn.execute("DELETE FROM calendar_feeds WHERE user_id = ?", (user["id"],)).rowcount
        db.conn.execute(
            "INSERT INTO calendar_feeds (user_id, token_hash, created_at) VALUES (?, ?, ?)",
            (user["id"], _hash(token), clock.iso()),
        )
        audit.record(
            db, "calendar_feed_created", actor=user, organisation_id=user["organisation_id"], target=user["email"],
            ip=ip, user_agent=user_agent, detail={"replaced": bool(replaced)},
        )  # fmt: skip
    return token


def revoke(db: Database, user: dict, *, ip: str | None = None, user_agent: str | None = None) -> bool:
    """Delete the user's feed so its URL stops working; False when there was none. Audited."""
    with transaction(db):
        deleted = db.conn.execute("DELETE FROM calendar_feeds WHERE user_id = ?", (user["id"],)).rowcount
        if deleted:
            audit.record(
                db, "calendar_feed_revoked", actor=user, organisation_id=user["organisation_id"],
                target=user["email"], ip=ip, user_agent=user_agent,
            )  # fmt: skip
    return bool(deleted)


def for_user(db: Database, user_id: int) -> dict | None:
    """The user's feed (``created_at``, ``last_used_at``; never the token), or None."""
    return one(db, "SELECT user_id, created_at, last_used_at FROM calendar_feeds WHERE user_id = ?", (user_id,))


def user_id_for_token(db: Database, token: str) -> int | None:
    """The id of the user whose live feed has this token, or None. Notes when it was last used."""
    if not token or len(token) > 100:
        return None
    row = one(db, "SELECT user_id, last_used_at FROM calendar_feeds WHERE token_hash = ?", (_hash(token),))
    if row is None:
        return None
    today = clock.iso()[:10]
    if (row["last_used_at"] or "")[:10] != today:  # one write a day at most, however often Outlook polls
        with transaction(db):
            db.conn.execute(
                "UPDATE calendar_feeds SET last_used_at = ? WHERE user_id = ?", (clock.iso(), row["user_id"])
            )
    return row["user_id"]
