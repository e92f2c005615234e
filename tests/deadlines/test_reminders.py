"""Reminder digests: the schedule (days before, overdue, weekends, bank holidays), one a day, opt-out.

Driven through the real job runner with the controllable clock, delivering to a real SMTP
server on loopback.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from background.jobs import deadline_reminders as reminder_job
from background.jobs.runner import run_due
from domain import clock
from domain.dates import UK_TZ
from domain.deadline_rules import DateRule, DueRule, Recurrence
from models import (
    deadline_catalogue,
    deadline_instances,
    deadline_reminders,
    deadline_statuses,
    job_runs,
    outbox,
    services,
)
from tests.deadlines.factories import instance_of

D = dt.date
UTC = dt.UTC


def at_seven(day: dt.date) -> None:
    """07:30 in England on ``day`` (British Summer Time until 25 October 2026)."""
    clock.set_now(dt.datetime(day.year, day.month, day.day, 7, 30, tzinfo=UK_TZ).astimezone(UTC))


def _run(app) -> dict:
    results = {r.job: r for r in run_due(app, only=reminder_job.NAME)}
    return results[reminder_job.NAME]


@pytest.fixture
def people(db, primary, academy, make_user):
    office = make_user(primary, name="Office", email="office@ely.example.sch.uk")
    services.set_services(db, office["id"], {"deadlines"})
    head = make_user(primary, role="approver", name="Head", email="head@ely.example.sch.uk")
    teacher = make_user(primary, name="Teacher", email="teacher@ely.example.sch.uk")  # no Deadlines service
    bursar = make_user(academy, name="Bursar", email="bursar@wisbech.example.sch.uk")
    services.set_services(db, bursar["id"], {"deadlines"})
    return {"office": office, "head": head, "teacher": teacher, "bursar": bursar}


def _items(db, on: dt.date, school_id: int, **settings) -> list[tuple[str, str, int]]:
    settings = {"days_before": [7, 1], "on_overdue": True, **settings}
    found = deadline_reminders.digests_due(db, on, **settings).get(school_id, {"reminders": []})
    return sorted((r.instance["code"], r.reason, r.days) for r in found["reminders"])


def test_seven_days_and_one_day_before_and_overdue(db, generated, primary):
    # School Census (autumn): LA deadline Wednesday 21 October 2026
    assert ("SC-AUT", "due_in", 7) in _items(db, D(2026, 10, 14), primary["id"])
    assert ("SC-AUT", "due_in", 1) in _items(db, D(2026, 10, 20), primary["id"])
    assert ("SC-AUT", "overdue", 1) in _items(db, D(2026, 10, 22), primary["id"])
    for quiet in (D(2026, 10, 13), D(2026, 10, 15), D(2026, 10, 21), D(2026, 10, 23)):
        assert "SC-AUT" not in {code for code, _, _ in _items(db, quiet, primary["id"])}
    assert ("SC-AUT", "overdue", 1) not in _items(db, D(2026, 10, 22), primary["id"], on_overdue=False)
    assert _items(db, D(2026, 10, 14), primary["id"], days_before=[]) == []


def test_weekend_reminders_go_on_the_working_day_before(db, generated, primary, secondary):
    # weekly meal numbers are due on Fridays: the 1-day reminder goes on Thursday; none at the weekend
    assert ("MEALS", "due_in", 1) in _items(db, D(2026, 10, 15), primary["id"])
    assert _items(db, D(2026, 10, 17), primary["id"]) == []  # Saturday: the job sends nothing
    # the Friday's meals become overdue on Saturday: reminded on Monday
    assert ("MEALS", "overdue", 3) in _items(db, D(2026, 10, 19), primary["id"])
    # Year 11 destinations (secondary schools) due Friday 29 January 2027: the 7-day reminder on
    # Friday 22nd and the 1-day reminder on Thursday 28th
    assert ("Y11-DEST", "due_in", 7) in _items(db, D(2027, 1, 22), secondary["id"])
    assert ("Y11-DEST", "due_in", 1) in _items(db, D(2027, 1, 28), secondary["id"])
    assert "Y11-DEST" not in {code for code, _, _ in _items(db, D(2027, 1, 22), primary["id"])}


def test_a_bank_holiday_moves_a_reminder_earlier(db, primary):
    entry = deadline_catalogue.get_by_code(db, "PRIVACY")["entry"]
    rule = DueRule(Recurrence.ANNUAL, due=DateRule.fixed(12, 29), opens=DateRule.fixed(12, 1))
    deadline_catalogue.save(db, dataclasses.replace(entry, code="XMAS", name="Christmas return", rule=rule))
    deadline_instances.generate(db, 2026)
    # due Tuesday 29 December 2026; a day before is Monday 28th, the Boxing Day bank holiday, and the
    # 25th is Christmas Day: the reminder goes on Thursday 24 December
    assert ("XMAS", "due_in", 5) in _items(db, D(2026, 12, 24), primary["id"])
    assert _items(db, D(2026, 12, 28), primary["id"]) == []


def test_returns_already_made_and_other_schools_returns_are_left_out(db, generated, primary, academy):
    census = instance_of(db, "SC-AUT")
    assert "SC-AUT" not in {c for c, _, _ in _items(db, D(2026, 10, 14), academy["id"])}  # maintained only
    clock.set_now(dt.datetime(2026, 10, 13, 12, tzinfo=UTC))
    deadline_statuses.record_status(db, organisation_id=primary["id"], instance_id=census["id"], status="submitted")
    assert "SC-AUT" not in {c for c, _, _ in _items(db, D(2026, 10, 14), primary["id"])}


def test_the_job_sends_one_digest_per_person_per_day(app, db, generated, primary, people, smtp_server):
    at_seven(D(2026, 10, 14))
    result = _run(app)
    assert result.outcome == "ok"
    messages = smtp_server.wait_for(2)
    assert sorted(m["To"] for m in messages) == [people["head"]["email"], people["office"]["email"]]
    assert people["bursar"]["email"] not in {m["To"] for m in messages}  # an academy: no census
    mail = messages[0]
    assert mail["Subject"] == "Gatehouse: 1 return needs your attention"
    body = mail.get_content()
    assert "School Census (autumn) (2026/27): due on 21 October 2026, in 7 days. Status: Open." in body
    census = instance_of(db, "SC-AUT")
    assert f"http://127.0.0.1:5000/deadlines/{census['id']}" in body
    assert "http://127.0.0.1:5000/deadlines/reminders" in body
    # the same day again, by cron or a second runner: nobody gets a second email
    clock.advance(dt.timedelta(hours=3))
    assert _run(app).outcome == "already run"
    summary = reminder_job.send_digests(app, db, clock.now())
    assert summary["emails"] == 0 and summary["already_sent"] == 2
    assert len(smtp_server.messages) == 2
    digests = deadline_reminders.sent_on(db, D(2026, 10, 14))
    assert [d["user_id"] for d in digests] == sorted([people["office"]["id"], people["head"]["id"]])
    assert all(outbox.get(db, d["outbox_id"])["status"] == "sent" for d in digests)
    assert job_runs.last(db, reminder_job.NAME)["summary"] == (
        '{"already_sent": 0, "date": "2026-10-14", "emails": 2, "schools": 1}'
    )


def test_overdue_digest_lists_overdue_first(app, db, generated, primary, people, smtp_server):
    at_seven(D(2026, 10, 22))  # Thursday: the census became overdue; Friday's meals are due tomorrow
    _run(app)
    body = smtp_server.wait_for(1)[0].get_content()
    assert smtp_server.messages[0]["Subject"] == "Gatehouse: 2 returns need your attention (1 overdue)"
    overdue_at = body.index("School Census (autumn) (2026/27): was due on 21 October 2026 and is overdue")
    assert overdue_at < body.index("Weekly school meal numbers")


def test_opting_out_stops_digests(app, db, generated, primary, people, smtp_server):
    deadline_reminders.set_digests(db, people["office"], False)
    at_seven(D(2026, 10, 14))
    _run(app)
    assert [m["To"] for m in smtp_server.wait_for(1)] == [people["head"]["email"]]


def test_nothing_on_weekends_or_before_seven(app, db, generated, primary, people, smtp_server):
    clock.set_now(dt.datetime(2026, 10, 14, 5, 0, tzinfo=UTC))  # 06:00 in England
    assert _run(app).outcome == "not due"
    at_seven(D(2026, 10, 17))  # Saturday
    result = _run(app)
    assert result.outcome == "ok" and '"emails": 0' in job_runs.last(db, reminder_job.NAME)["summary"]
    assert smtp_server.messages == []


def test_a_refused_address_does_not_stop_the_others(app, db, generated, primary, people, smtp_server, make_user):
    make_user(primary, role="approver", email="gone@refused.example")
    at_seven(D(2026, 10, 14))
    assert _run(app).outcome == "ok"
    assert len(smtp_server.wait_for(2)) == 2
    assert outbox.count(db, "failed") == 1 and outbox.count(db, "sent") == 2
    assert len(deadline_reminders.sent_on(db, D(2026, 10, 14))) == 3  # tried once each: no retry storm


def test_bad_reminder_setting_fails_the_job_clearly(app, db, generated, people):
    app.config["REMINDER_DAYS_BEFORE"] = "seven"
    at_seven(D(2026, 10, 14))
    result = _run(app)
    assert result.outcome == "failed" and "REMINDER_DAYS_BEFORE must be whole numbers" in result.summary


def test_days_before_setting():
    assert deadline_reminders.days_before({"REMINDER_DAYS_BEFORE": "1, 7,7"}) == [7, 1]
    assert deadline_reminders.days_before({"REMINDER_DAYS_BEFORE": ""}) == []
    with pytest.raises(ValueError, match="REMINDER_DAYS_BEFORE"):
        deadline_reminders.days_before({"REMINDER_DAYS_BEFORE": "0"})
