"""Counting attempts for throttling, by IP address or by a key (a hashed email address): failed
sign-ins, password-reset requests, account requests, wrong claim codes and invitation links.

Rows older than a day are pruned as new ones are written; the windows are much shorter.
"""

from __future__ import annotations

from datetime import timedelta

from sqlite_utils import Database

from domain import clock
from models.db import scalar, transaction

KINDS = ("signin_failure", "password_reset", "account_request", "claim_code", "invitation")
KEEP = timedelta(days=1)


def _since(minutes: int) -> str:
    return clock.iso(clock.now() - timedelta(minutes=minutes))


def record(db: Database, kind: str, ip: str, key: str | None = None) -> None:
    """Count one attempt of ``kind`` from ``ip`` (and for ``key``). Raises ValueError for an unknown kind."""
    if kind not in KINDS:
        raise ValueError(f"unknown throttle kind {kind!r}")
    with transaction(db):
        db.conn.execute("DELETE FROM throttle_events WHERE at < ?", (clock.iso(clock.now() - KEEP),))
        db.conn.execute(
            "INSERT INTO throttle_events (kind, ip, key, at) VALUES (?, ?, ?, ?)", (kind, ip, key, clock.iso())
        )


def count_from_ip(db: Database, kind: str, ip: str, minutes: int) -> int:
    """How many attempts of ``kind`` came from ``ip`` in the last ``minutes``."""
    return scalar(
        db, "SELECT count(*) FROM throttle_events WHERE kind = ? AND ip = ? AND at >= ?", (kind, ip, _since(minutes))
    )


def count_for_key(db: Database, kind: str, key: str, minutes: int) -> int:
    """How many attempts of ``kind`` were made for ``key`` (from anywhere) in the last ``minutes``."""
    return scalar(
        db, "SELECT count(*) FROM throttle_events WHERE kind = ? AND key = ? AND at >= ?", (kind, key, _since(minutes))
    )


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
