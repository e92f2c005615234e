"""Scheduled jobs from the command line: for cron or Windows Task Scheduler."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from background import jobs
from background.jobs.runner import run_due, runner_name
from models import job_runs
from web.database import get_db


@click.group("jobs")
def jobs_group() -> None:
    """Scheduled jobs (reminders and other regular work)."""


@jobs_group.command("run")
@click.option("--job", "job_name", default=None, help="Run only this job (when it is due).")
@with_appcontext
def run_command(job_name: str | None) -> None:
    """Run every job that is due now; each due time runs once, so cron can call this every few minutes."""
    try:
        results = run_due(current_app._get_current_object(), only=job_name, runner=runner_name("cli"))
    except KeyError:
        names = ", ".join(job.name for job in jobs.registered()) or "none"
        raise click.UsageError(f"No job called {job_name!r}. Jobs: {names}") from None
    for result in results:
        slot = f" ({result.slot})" if result.slot else ""
        extra = f": {result.summary}" if result.summary else ""
        click.echo(f"{result.job}{slot}: {result.outcome}{extra}")
    if any(result.outcome == "failed" for result in results):
        raise SystemExit(1)


@jobs_group.command("list")
@with_appcontext
def list_command() -> None:
    """List the scheduled jobs, when they run and their last run."""
    db = get_db()
    for job in jobs.registered():
        last = job_runs.last(db, job.name)
        when = f"last {last['due_slot']} {last['status']} at {last['started_at']}" if last else "never run"
        click.echo(f"{job.name}: {job.describe()}; {when}")


COMMANDS = [jobs_group]
