"""Run the jobs that are due now, each slot once however many runners there are."""

from __future__ import annotations

import datetime as dt
import os
import socket
import traceback
from dataclasses import dataclass

from flask import Flask

from background.jobs import Job, registered
from domain import clock
from models import job_runs
from models.db import connection


@dataclass(frozen=True)
class RunResult:
    """What happened to one job in one pass: ``ran`` (ok or failed), or ``skipped`` and why."""

    job: str
    slot: str | None
    outcome: str  # "ok", "failed", "already run", "not due"
    summary: str | None = None


def runner_name(kind: str) -> str:
    """Who is running jobs, for the record: ``kind@host:pid``."""
    return f"{kind}@{socket.gethostname()}:{os.getpid()}"


def _run_one(app: Flask, job: Job, now: dt.datetime, runner: str) -> RunResult:
    slot = job.slot(now)
    if slot is None:
        return RunResult(job.name, None, "not due")
    with connection(app.config["DATABASE"]) as db:
        run_id = job_runs.claim(db, job.name, slot, runner)
        if run_id is None:
            return RunResult(job.name, slot, "already run")
        try:
            with app.app_context():
                summary = job.function(app, db, now)
        except Exception:  # noqa: BLE001 - a failing job is recorded and must not stop the others
            app.logger.exception("job %s failed for slot %s", job.name, slot)
            if db.conn.in_transaction:
                db.conn.execute("ROLLBACK")
            text = traceback.format_exc(limit=5)
            job_runs.finish(db, run_id, ok=False, summary=text)
            return RunResult(job.name, slot, "failed", text.strip().splitlines()[-1])
        job_runs.finish(db, run_id, ok=True, summary=summary)
        return RunResult(job.name, slot, "ok", summary if isinstance(summary, str) or summary is None else str(summary))


def run_due(
    app: Flask, *, now: dt.datetime | None = None, only: str | None = None, runner: str = "cli"
) -> list[RunResult]:
    """Run every registered job (or only the one named ``only``) whose current slot has not run.

    ``now`` defaults to ``clock.now()``. Each job gets its own database connection and app
    context; one job failing is recorded (status ``failed`` with the traceback) and the
    others still run. Raises KeyError when ``only`` names no registered job.
    """
    now = now or clock.now()
    jobs = registered()
    if only is not None:
        jobs = [job for job in jobs if job.name == only]
        if not jobs:
            raise KeyError(only)
    return [_run_one(app, job, now, runner) for job in jobs]
