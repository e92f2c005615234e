"""The append-only, hash-chained audit log.

Each row's ``hash`` is SHA-256 over the previous row's hash and the row's own fields, so any
edit, deletion or reordering breaks the chain from that row on. Triggers refuse UPDATE and
DELETE; :func:`verify` finds the first row whose hash no longer fits.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator

from sqlite_utils import Database

import clock
from models.db import one, rows, transaction

GENESIS = "0" * 64
FIELDS = ("at", "actor_id", "actor_email", "organisation_id", "action", "target", "ip", "user_agent", "detail")


def _row_hash(prev_hash: str, row: dict) -> str:
    payload = json.dumps([row.get(f) for f in FIELDS], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{prev_hash}|{payload}".encode()).hexdigest()


def record(
    db: Database,
    action: str,
    *,
    actor: dict | None = None,
    organisation_id: int | None = None,
    target: str | None = None,
    ip: str | None = None,
    user_agent: str | None = None,
    detail: dict | str | None = None,
) -> dict:
    """Append one event and return the stored row.

    ``actor`` is a user dict (``id``, ``email``) or None for the system or an anonymous
    visitor. Runs in the caller's transaction when there is one, so an action and its audit
    row commit together; otherwise in its own ``BEGIN IMMEDIATE`` transaction.
    """
    if isinstance(detail, dict):
        detail = json.dumps(detail, ensure_ascii=False, sort_keys=True)
    row = {
        "at": clock.now().strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor_id": actor["id"] if actor else None,
        "actor_email": actor["email"] if actor else None,
        "organisation_id": organisation_id,
        "action": action,
        "target": target,
        "ip": ip,
        "user_agent": (user_agent or "")[:300] or None,
        "detail": detail,
    }
    with transaction(db):
        last = one(db, "SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1")
        row["prev_hash"] = last["hash"] if last else GENESIS
        row["hash"] = _row_hash(row["prev_hash"], row)
        cursor = db.conn.execute(
            "INSERT INTO audit_log (at, actor_id, actor_email, organisation_id, action, target, ip,"
            " user_agent, detail, prev_hash, hash) VALUES (:at, :actor_id, :actor_email, :organisation_id,"
            " :action, :target, :ip, :user_agent, :detail, :prev_hash, :hash)",
            row,
        )
        row["id"] = cursor.lastrowid
    return row


def _iter_rows(db: Database, batch: int = 5000) -> Iterator[dict]:
    last_id = 0
    while True:
        chunk = rows(db, "SELECT * FROM audit_log WHERE id > ? ORDER BY id LIMIT ?", (last_id, batch))
        if not chunk:
            return
        yield from chunk
        last_id = chunk[-1]["id"]


def verify(db: Database) -> tuple[int, int | None]:
    """Check the whole chain. Return ``(rows_checked, first_broken_id)``; the id is None when intact."""
    prev = GENESIS
    checked = 0
    for row in _iter_rows(db):
        checked += 1
        if row["prev_hash"] != prev or _row_hash(prev, row) != row["hash"]:
            return checked, row["id"]
        prev = row["hash"]
    return checked, None
