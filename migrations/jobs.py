"""Scheduled jobs: one row per job per due slot, so no slot ever runs twice.

Statements run one by one with ``conn.execute`` (not ``executescript``, which commits), so
each migration and its record of being applied commit together.
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

migrations = Migrations("jobs")


@migrations(name="0001_job_runs")
def job_runs(db: Database) -> None:
    statements = (
        """
        CREATE TABLE job_runs (
            id INTEGER PRIMARY KEY,
            job_name TEXT NOT NULL CHECK (length(job_name) BETWEEN 1 AND 100),
            due_slot TEXT NOT NULL CHECK (due_slot <> ''),
            runner TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            status TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'ok', 'failed')),
            summary TEXT,
            UNIQUE (job_name, due_slot)
        )
        """,
        "CREATE INDEX idx_job_runs_started ON job_runs (job_name, started_at)",
    )
    for statement in statements:
        db.conn.execute(statement)
