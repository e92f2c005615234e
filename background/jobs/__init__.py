"""Scheduled jobs: a registry of named jobs and when each falls due.

A job runs at most once per *due slot*. An interval job (``every``) has one slot per
interval since the Unix epoch (e.g. every 15 minutes: ``2026-10-05T10:15:00Z``); a daily
job (``daily_at``, a time in England) has one slot per date, due from that time on
(``2026-10-05``). A runner that was stopped catches up with the current slot only.

Two runners share the work: the scheduler thread that ``flask --app app serve`` starts
(setting ``JOBS_IN_PROCESS``) and ``flask --app app jobs run`` from cron or Task
Scheduler. ``jobs.runner`` claims a slot by inserting ``(job_name, due_slot)`` into the
UNIQUE ``job_runs`` table inside ``BEGIN IMMEDIATE``, so whichever comes second skips it.

To add a job, write a module that calls :func:`register` at import time and add the
module's name to ``JOB_MODULES``. A job's function is called as ``function(app, db, now)``
inside an app context with its own database connection, and may return a short summary
(text or a JSON-ready dict) stored with the run.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from dataclasses import dataclass

from domain.dates import uk_now

#: Modules that register jobs when imported. Add yours here.
JOB_MODULES: list[str] = [
    "background.jobs.deadline_reminders",
    "background.jobs.accounts",
    "background.jobs.submission_digests",
    "background.jobs.messages",
    "background.jobs.transfer_retention",
]

_REGISTRY: dict[str, Job] = {}


@dataclass(frozen=True)
class Job:
    """A named job and its schedule: exactly one of ``every`` or ``daily_at``.

    Raises ValueError for an empty name, both or neither schedule, or an interval under a minute.
    """

    name: str
    function: Callable
    every: dt.timedelta | None = None
    daily_at: dt.time | None = None
    description: str = ""

    def __post_init__(self) -> None:
        if not self.name or len(self.name) > 100:
            raise ValueError("a job needs a name of 1 to 100 characters")
        if (self.every is None) == (self.daily_at is None):
            raise ValueError(f"job {self.name}: give exactly one of every= or daily_at=")
        if self.every is not None and self.every < dt.timedelta(minutes=1):
            raise ValueError(f"job {self.name}: the interval must be at least a minute")

    def slot(self, now: dt.datetime) -> str | None:
        """The due slot at ``now`` (aware), or None when a daily job's time has not come today."""
        if self.every is not None:
            seconds = int(self.every.total_seconds())
            start = int(now.timestamp()) // seconds * seconds
            return dt.datetime.fromtimestamp(start, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        local = uk_now(now)
        if local.time() < self.daily_at:
            return None
        return local.date().isoformat()

    def describe(self) -> str:
        """When the job runs, in words."""
        if self.every is not None:
            minutes = int(self.every.total_seconds() // 60)
            return f"every {minutes} minutes" if minutes % 60 else f"every {minutes // 60} hours"
        return f"daily from {self.daily_at:%H:%M} (UK time)"


def register(job: Job) -> Job:
    """Add ``job`` to the registry and return it. Raises ValueError when the name is taken."""
    existing = _REGISTRY.get(job.name)
    if existing is not None and existing != job:
        raise ValueError(f"a job named {job.name!r} is already registered")
    _REGISTRY[job.name] = job
    return job


def unregister(name: str) -> None:
    """Remove a job from the registry (tests use it to clean up)."""
    _REGISTRY.pop(name, None)


def registered() -> list[Job]:
    """Every registered job (importing ``JOB_MODULES`` first), by name."""
    for module in JOB_MODULES:
        importlib.import_module(module)
    return sorted(_REGISTRY.values(), key=lambda job: job.name)


def get(name: str) -> Job | None:
    """The registered job called ``name``, or None."""
    return next((job for job in registered() if job.name == name), None)
