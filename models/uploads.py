"""Uploaded files (who uploaded which content under which name) and validation jobs.

A **job** follows one upload from the request to its report: ``queued`` → ``running`` →
``done`` (with the version it made), ``refused`` (the file cannot be validated; ``message``
says why in one line) or ``failed`` (a fault on our side). ``bytes_done``/``bytes_total``
drive the progress bar. Jobs are written by the worker with its own connection.
"""

from __future__ import annotations

from sqlite_utils import Database

from domain import clock
from models.db import one, rows, transaction

FINAL_STATES = frozenset({"done", "refused", "failed"})
INTERRUPTED = "Gatehouse restarted while it was checking this file. Upload it again."


def create_job(
    db: Database,
    *,
    organisation_id: int,
    instance_id: int | None,
    kind: str | None,
    original_name: str,
    sha256: str,
    size: int,
    temp_name: str,
    created_by: int | None,
) -> dict:
    """Record a queued job for a file waiting in ``FILES_DIR/tmp/<temp_name>``; return it."""
    with transaction(db):
        cursor = db.conn.execute(
            "INSERT INTO validation_jobs (organisation_id, instance_id, kind, original_name, sha256, temp_name,"
            " bytes_total, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (organisation_id, instance_id, kind, original_name, sha256, temp_name, size, created_by, clock.iso()),
        )
    return get_job(db, cursor.lastrowid)


def get_job(db: Database, job_id: int) -> dict | None:
    """One job with its organisation's LA code, or None."""
    return one(
        db,
        "SELECT j.*, o.la_code AS organisation_la_code FROM validation_jobs j"
        " JOIN organisations o ON o.id = j.organisation_id WHERE j.id = ?",
        (job_id,),
    )


def claim_job(db: Database, job_id: int) -> dict | None:
    """Move a queued job to ``running`` and return it; None when it is not queued (already taken)."""
    with transaction(db):
        changed = db.conn.execute(
            "UPDATE validation_jobs SET state = 'running', started_at = ? WHERE id = ? AND state = 'queued'",
            (clock.iso(), job_id),
        ).rowcount
    return get_job(db, job_id) if changed else None


def set_progress(db: Database, job_id: int, bytes_done: int) -> None:
    """Record how many bytes of a running job's file have been read."""
    with transaction(db):
        db.conn.execute(
            "UPDATE validation_jobs SET bytes_done = ? WHERE id = ? AND state = 'running'", (bytes_done, job_id)
        )


def finish_job(db: Database, job_id: int, state: str, *, message: str | None = None,
               version_id: int | None = None) -> None:
    """End a job as ``done`` (with ``version_id``), ``refused`` or ``failed`` (with ``message``).

    Joins the caller's transaction when there is one (so a version and its job finish together).
    Raises ValueError for another state.
    """
    if state not in FINAL_STATES:
        raise ValueError(f"not a final job state: {state!r}")
    with transaction(db):
        db.conn.execute(
            "UPDATE validation_jobs SET state = ?, message = ?, version_id = ?, temp_name = NULL, finished_at = ?,"
            " bytes_done = CASE WHEN ? = 'done' THEN bytes_total ELSE bytes_done END WHERE id = ?",
            (state, message, version_id, clock.iso(), state, job_id),
        )


def interrupted_jobs(db: Database) -> list[dict]:
    """Jobs left queued or running (by a server that stopped): they will never finish."""
    return rows(db, "SELECT * FROM validation_jobs WHERE state IN ('queued', 'running')")


def fail_interrupted(db: Database, job_ids: list[int]) -> None:
    """Mark jobs a stopped server left behind as failed, saying to upload again."""
    with transaction(db):
        db.conn.executemany(
            "UPDATE validation_jobs SET state = 'failed', message = ?, temp_name = NULL, finished_at = ?"
            " WHERE id = ? AND state IN ('queued', 'running')",
            [(INTERRUPTED, clock.iso(), job_id) for job_id in job_ids],
        )


def add_upload(db: Database, *, organisation_id: int, sha256: str, size: int, original_name: str,
               stored_path: str, uploaded_by: int | None) -> int:
    """Record an upload whose file is stored at ``stored_path``; return its id."""
    cursor = db.conn.execute(
        "INSERT INTO uploads (organisation_id, sha256, size, original_name, stored_path, uploaded_by, uploaded_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (organisation_id, sha256, size, original_name, stored_path, uploaded_by, clock.iso()),
    )
    return cursor.lastrowid


def stored_file_in_use(db: Database, stored_path: str) -> bool:
    """True when any upload record points at the stored file ``stored_path``."""
    return one(db, "SELECT 1 FROM uploads WHERE stored_path = ?", (stored_path,)) is not None


def stored_paths(db: Database) -> set[str]:
    """Every stored file (relative to FILES_DIR) that an upload record points at."""
    return {row["stored_path"] for row in rows(db, "SELECT DISTINCT stored_path FROM uploads")}


def previous_versions_of_content(db: Database, organisation_id: int, sha256: str) -> list[dict]:
    """The school's versions made from a file with this hash, newest first.

    Each row: ``version_id``, ``version``, ``return_id``, ``instance_id``, ``status``,
    ``validated_at``, ``original_name``.
    """
    return rows(
        db,
        "SELECT v.id AS version_id, v.version, v.return_id, r.instance_id, v.status, v.validated_at,"
        " u.original_name FROM uploads u JOIN return_versions v ON v.upload_id = u.id"
        " JOIN returns r ON r.id = v.return_id WHERE u.organisation_id = ? AND u.sha256 = ? ORDER BY v.id DESC",
        (organisation_id, sha256),
    )
