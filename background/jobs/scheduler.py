"""The in-process scheduler: a background thread that ``flask --app app serve`` starts.

It wakes every ``poll_seconds`` and runs whatever :func:`jobs.runner.run_due` finds due.
Never started by tests or other CLI commands; turn it off with ``JOBS_IN_PROCESS=false``
when cron or Task Scheduler runs ``flask --app app jobs run`` instead (running both is
safe too: each slot runs once).
"""

from __future__ import annotations

import threading

from flask import Flask

from background.jobs.runner import run_due, runner_name


class Scheduler:
    """A daemon thread running due jobs every ``poll_seconds`` until :meth:`stop`."""

    def __init__(self, app: Flask, poll_seconds: float = 60.0):
        self.app = app
        self.poll_seconds = poll_seconds
        self._stop = threading.Event()
        self.passes = 0
        self.thread = threading.Thread(target=self._loop, name="gatehouse-jobs", daemon=True)

    def _loop(self) -> None:
        name = runner_name("scheduler")
        while not self._stop.is_set():
            try:
                run_due(self.app, runner=name)
            except Exception:  # noqa: BLE001 - the thread must outlive a bad pass (e.g. a locked database)
                self.app.logger.exception("scheduled jobs pass failed")
            self.passes += 1
            self._stop.wait(self.poll_seconds)

    def start(self) -> Scheduler:
        self.thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        """Ask the thread to stop after the current pass and wait for it."""
        self._stop.set()
        self.thread.join(timeout)


def start_scheduler(app: Flask, poll_seconds: float = 60.0) -> Scheduler | None:
    """Start the scheduler thread when the JOBS_IN_PROCESS setting is on; return it (or None)."""
    if not app.config.get("JOBS_IN_PROCESS"):
        return None
    return Scheduler(app, poll_seconds).start()
