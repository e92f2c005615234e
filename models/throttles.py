"""Counters for throttling by IP address and email: failed sign-ins and password-reset requests.

Rows older than a day are pruned as new ones are written; the windows are much shorter.
"""

from __future__ import annotations

from datetime import timedelta

from sqlite_utils import Database

from domain import clock
from models.db import scalar, transaction

KEEP = timedelta(days=1)


def _since(minutes: int) -> str:
    return clock.iso(clock.now() - timedelta(minutes=minutes))


def record_signin_failure(db: Database, ip: str) -> None:
    """Count one failed sign-in from ``ip`` (whatever account it was for)."""
    with transaction(db):
        db.conn.execute("DELETE FROM signin_failures WHERE at < ?", (clock.iso(clock.now() - KEEP),))
        db.conn.execute("INSERT INTO signin_failures (ip, at) VALUES (?, ?)", (ip, clock.iso()))


def signin_failures(db: Database, ip: str, minutes: int) -> int:
    """Return how many sign-ins from ``ip`` failed in the last ``minutes``."""
    return scalar(db, "SELECT count(*) FROM signin_failures WHERE ip = ? AND at >= ?", (ip, _since(minutes)))


def throttle_recorded(db: Database, ip: str, minutes: int, action: str = "signin_throttled") -> bool:
    """True when an ``action`` audit event (a throttle) for ``ip`` exists in the last ``minutes``."""
    since = clock.now() - timedelta(minutes=minutes)
    return bool(
        scalar(
            db,
            "SELECT 1 FROM audit_log WHERE action = ? AND at >= ? AND ip = ? LIMIT 1",
            (action, since.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), ip),
        )
    )


def record_reset_request(db: Database, ip: str, email_hash: str) -> None:
    """Count one password-reset request from ``ip`` for the (hashed) email address."""
    with transaction(db):
        db.conn.execute("DELETE FROM reset_requests WHERE at < ?", (clock.iso(clock.now() - KEEP),))
        db.conn.execute(
            "INSERT INTO reset_requests (ip, email_hash, at) VALUES (?, ?, ?)", (ip, email_hash, clock.iso())
        )


def reset_requests_from_ip(db: Database, ip: str, minutes: int) -> int:
    """Return how many password resets ``ip`` asked for in the last ``minutes``."""
    return scalar(db, "SELECT count(*) FROM reset_requests WHERE ip = ? AND at >= ?", (ip, _since(minutes)))


def reset_requests_for_email(db: Database, email_hash: str, minutes: int) -> int:
    """Return how many password resets were asked for this (hashed) email in the last ``minutes``."""
    return scalar(
        db, "SELECT count(*) FROM reset_requests WHERE email_hash = ? AND at >= ?", (email_hash, _since(minutes))
    )
