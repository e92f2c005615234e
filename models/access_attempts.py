"""Counting public access attempts per IP address: account requests, wrong claim codes and
wrong invitation links. Rows older than a day are pruned as new ones are written."""

from __future__ import annotations

from datetime import timedelta

from sqlite_utils import Database

from domain import clock
from models.db import scalar, transaction

KINDS = ("account_request", "claim_code", "invitation")
KEEP = timedelta(days=1)


def record(db: Database, kind: str, ip: str) -> None:
    """Count one attempt of ``kind`` from ``ip``. Raises ValueError for an unknown kind."""
    if kind not in KINDS:
        raise ValueError(f"unknown access attempt kind {kind!r}")
    with transaction(db):
        db.conn.execute("DELETE FROM access_attempts WHERE at < ?", (clock.iso(clock.now() - KEEP),))
        db.conn.execute("INSERT INTO access_attempts (kind, ip, at) VALUES (?, ?, ?)", (kind, ip, clock.iso()))


def count(db: Database, kind: str, ip: str, minutes: int) -> int:
    """How many attempts of ``kind`` came from ``ip`` in the last ``minutes``."""
    since = clock.iso(clock.now() - timedelta(minutes=minutes))
    return scalar(
        db, "SELECT count(*) FROM access_attempts WHERE kind = ? AND ip = ? AND at >= ?", (kind, ip, since)
    )
