"""The job runner: slots, once-per-slot claiming across runners, failures, the CLI and the thread."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest

from background import jobs
from background.jobs.runner import run_due
from background.jobs.scheduler import Scheduler, start_scheduler
from domain import clock
from models import job_runs
from models.db import rows

UTC = dt.UTC


@pytest.fixture
def calls():
    """Register test jobs for one test; ``calls[name]`` lists the ``now`` each call saw."""
    seen: dict[str, list] = {}
    names = []

    def add(name, *, every=None, daily_at=None, fail=False, hold: threading.Event | None = None):
        seen[name] = []

        def function(app, db, now):
            seen[name].append(now)
            if hold is not None:  # keep the slot busy until the test lets go (bounded)
                assert hold.wait(10), "the test never let the job finish"
            if fail:
                raise RuntimeError(f"{name} broke")
            return {"calls": len(seen[name])}

        jobs.register(jobs.Job(name, function, every=every, daily_at=daily_at))
        names.append(name)

    seen["add"] = add
    yield seen
    for name in names:
        jobs.unregister(name)


def test_interval_and_daily_slots():
    quarter = jobs.Job("q", print, every=dt.timedelta(minutes=15))
    assert quarter.slot(dt.datetime(2026, 10, 5, 10, 29, 59, tzinfo=UTC)) == "2026-10-05T10:15:00Z"
    assert quarter.slot(dt.datetime(2026, 10, 5, 10, 30, tzinfo=UTC)) == "2026-10-05T10:30:00Z"
    daily = jobs.Job("d", print, daily_at=dt.time(7, 0))
    # 06:30 UTC is 07:30 in British Summer Time, but 06:30 in winter
    assert daily.slot(dt.datetime(2026, 10, 5, 6, 30, tzinfo=UTC)) == "2026-10-05"
    assert daily.slot(dt.datetime(2026, 12, 7, 6, 30, tzinfo=UTC)) is None
    assert daily.slot(dt.datetime(2026, 12, 7, 7, 0, tzinfo=UTC)) == "2026-12-07"
    assert daily.describe() == "daily from 07:00 (UK time)" and quarter.describe() == "every 15 minutes"


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({}, "exactly one"),
        ({"every": dt.timedelta(hours=1), "daily_at": dt.time(7)}, "exactly one"),
        ({"every": dt.timedelta(seconds=5)}, "at least a minute"),
    ],
)
def test_bad_jobs_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        jobs.Job("bad", print, **kwargs)


def test_a_name_cannot_be_registered_twice(calls):
    calls["add"]("twice", every=dt.timedelta(hours=1))
    with pytest.raises(ValueError, match="already registered"):
        jobs.register(jobs.Job("twice", print, every=dt.timedelta(hours=2)))


def test_each_slot_runs_once(app, db, calls):
    calls["add"]("hourly", every=dt.timedelta(hours=1))
    calls["add"]("morning", daily_at=dt.time(7, 0))
    clock.set_now(dt.datetime(2026, 12, 7, 6, 10, tzinfo=UTC))
    first = {r.job: r.outcome for r in run_due(app)}
    assert first["hourly"] == "ok" and first["morning"] == "not due"
    assert {r.job: r.outcome for r in run_due(app)}["hourly"] == "already run"
    clock.advance(dt.timedelta(hours=1))
    outcomes = {r.job: r.outcome for r in run_due(app)}
    assert outcomes["hourly"] == "ok" and outcomes["morning"] == "ok"
    clock.advance(dt.timedelta(hours=5))  # later the same day: the daily job has had its slot
    assert {r.job: r.outcome for r in run_due(app)}["morning"] == "already run"
    assert len(calls["hourly"]) == 3 and len(calls["morning"]) == 1
    runs = job_runs.recent(db, "hourly")
    assert [r["due_slot"] for r in runs] == ["2026-12-07T12:00:00Z", "2026-12-07T07:00:00Z", "2026-12-07T06:00:00Z"]
    assert all(r["status"] == "ok" and r["finished_at"] for r in runs)
    assert runs[0]["summary"] == '{"calls": 3}'


def test_a_failing_job_is_recorded_and_others_still_run(app, db, calls):
    calls["add"]("a-broken", every=dt.timedelta(hours=1), fail=True)
    calls["add"]("b-fine", every=dt.timedelta(hours=1))
    clock.set_now(dt.datetime(2026, 10, 5, 9, tzinfo=UTC))
    results = {r.job: r for r in run_due(app)}
    assert results["a-broken"].outcome == "failed" and "a-broken broke" in results["a-broken"].summary
    assert results["b-fine"].outcome == "ok"
    broken = job_runs.last(db, "a-broken")
    assert broken["status"] == "failed" and "RuntimeError: a-broken broke" in broken["summary"]
    # the failed slot is not retried; the next one runs
    assert {r.job: r.outcome for r in run_due(app)}["a-broken"] == "already run"


def test_two_runners_racing_for_a_slot_run_it_once(app, calls):
    hold = threading.Event()
    calls["add"]("slow", every=dt.timedelta(hours=1), hold=hold)
    clock.set_now(dt.datetime(2026, 10, 5, 9, tzinfo=UTC))
    outcomes = []
    three_refused = threading.Condition()
    barrier = threading.Barrier(4)

    def runner(kind):
        barrier.wait()
        found = [r.outcome for r in run_due(app, runner=kind, only="slow")]
        with three_refused:
            outcomes.extend(found)
            three_refused.notify_all()

    threads = [threading.Thread(target=runner, args=(f"runner-{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    with three_refused:  # the other three are turned away while the first still holds the slot
        assert three_refused.wait_for(lambda: outcomes.count("already run") == 3, timeout=10)
    assert "ok" not in outcomes
    hold.set()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["already run"] * 3 + ["ok"]
    assert len(calls["slow"]) == 1


def test_cli_and_in_process_runner_share_slots(app, runner, db, calls):
    calls["add"]("nightly", daily_at=dt.time(1, 0))
    clock.set_now(dt.datetime(2026, 10, 5, 9, tzinfo=UTC))
    run_due(app, runner="scheduler")
    result = runner.invoke(args=["jobs", "run"])
    assert result.exit_code == 0 and "nightly (2026-10-05): already run" in result.output
    clock.advance(dt.timedelta(days=1))
    result = runner.invoke(args=["jobs", "run", "--job", "nightly"])
    assert result.exit_code == 0 and "nightly (2026-10-06): ok" in result.output
    assert len(calls["nightly"]) == 2
    assert [r["runner"].split("@")[0] for r in job_runs.recent(db, "nightly")] == ["cli", "scheduler"]
    listed = runner.invoke(args=["jobs", "list"])
    assert "nightly: daily from 01:00 (UK time); last 2026-10-06 ok" in listed.output


def test_cli_reports_failures_and_unknown_jobs(runner, calls):
    calls["add"]("fragile", every=dt.timedelta(hours=1), fail=True)
    clock.set_now(dt.datetime(2026, 10, 5, 9, tzinfo=UTC))
    result = runner.invoke(args=["jobs", "run"])
    assert (
        result.exit_code == 1 and "fragile (2026-10-05T09:00:00Z): failed: RuntimeError: fragile broke" in result.output
    )
    unknown = runner.invoke(args=["jobs", "run", "--job", "nope"])
    assert unknown.exit_code == 2 and "No job called 'nope'" in unknown.output


def test_scheduler_thread_runs_due_jobs_once_per_slot(app, db, calls):
    calls["add"]("ticker", every=dt.timedelta(hours=1))
    clock.set_now(dt.datetime(2026, 10, 5, 9, tzinfo=UTC))
    scheduler = Scheduler(app, poll_seconds=0.02).start()
    try:
        deadline = time.monotonic() + 10
        while scheduler.passes < 5 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        scheduler.stop()
    assert scheduler.passes >= 5 and not scheduler.thread.is_alive()
    assert len(calls["ticker"]) == 1
    assert rows(db, "SELECT runner FROM job_runs")[0]["runner"].startswith("scheduler@")


def test_scheduler_respects_the_setting(app):
    app.config["JOBS_IN_PROCESS"] = False
    assert start_scheduler(app) is None


def test_creating_the_app_starts_no_scheduler(app):
    assert not [t for t in threading.enumerate() if t.name == "gatehouse-jobs"]
