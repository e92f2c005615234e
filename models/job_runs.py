"""Job runs: the record that makes each scheduled job run once per due slot."""

from __future__ import annotations

import json
import sqlite3

from sqlite_utils import Database

from domain import clock
from models.db import one, rows, transaction


def claim(db: Database, job_name: str, due_slot: str, runner: str) -> int | None:
    """Claim ``(job_name, due_slot)`` for ``runner``; return the run's id, or None when already claimed.

    The INSERT runs inside ``BEGIN IMMEDIATE`` against a UNIQUE constraint, so of two
    runners (threads or processes) claiming the same slot exactly one gets an id.
    """
    try:
        with transaction(db):
            cursor = db.conn.execute(
                "INSERT INTO job_runs (job_name, due_slot, runner, started_at) VALUES (?, ?, ?, ?)",
                (job_name, due_slot, runner[:100], clock.iso()),
            )
    except sqlite3.IntegrityError:
        return None
    return cursor.lastrowid


def finish(db: Database, run_id: int, *, ok: bool, summary: object = None) -> None:
    """Mark a claimed run finished (``ok`` or failed) with a short summary (text or JSON-ready)."""
    if summary is not None and not isinstance(summary, str):
        summary = json.dumps(summary, sort_keys=True, default=str)
    with transaction(db):
        db.conn.execute(
            "UPDATE job_runs SET finished_at = ?, status = ?, summary = ? WHERE id = ?",
            (clock.iso(), "ok" if ok else "failed", (summary or "")[:4000] or None, run_id),
        )


def get(db: Database, run_id: int) -> dict | None:
    """Return one run, or None."""
    return one(db, "SELECT * FROM job_runs WHERE id = ?", (run_id,))


def recent(db: Database, job_name: str | None = None, limit: int = 20) -> list[dict]:
    """The latest runs (of one job when named), newest first."""
    if job_name:
        return rows(db, "SELECT * FROM job_runs WHERE job_name = ? ORDER BY id DESC LIMIT ?", (job_name, limit))
    return rows(db, "SELECT * FROM job_runs ORDER BY id DESC LIMIT ?", (limit,))


def last(db: Database, job_name: str) -> dict | None:
    """The latest run of a job, or None."""
    return one(db, "SELECT * FROM job_runs WHERE job_name = ? ORDER BY id DESC LIMIT 1", (job_name,))
