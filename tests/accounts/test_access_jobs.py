"""The Secure access jobs with a controlled clock: reminders, escalation, 90-day closing,
invitation expiry and termly review prompts; each runs once per due time and is idempotent."""

from __future__ import annotations

import datetime as dt

import pytest

from background import jobs
from background.jobs import accounts as access_jobs
from background.jobs.runner import run_due
from domain import clock
from models import account_requests, invitations, users
from models.db import rows
from tests.accounts.factories import open_request
from tests.conftest import audit_events, outbox
from web.filters import govuk_date, uk_datetime

UTC = dt.UTC
MONDAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a request made then is due Monday 9 March


def _run(app, when: dt.datetime, name: str) -> tuple[str, str | None]:
    clock.set_now(when)
    [result] = run_due(app, only=name)
    return result.outcome, result.summary


def _at(day: int, hour: int = 8, month: int = 3) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, 0, tzinfo=UTC)


@pytest.fixture
def request_row(db, school, approver):
    clock.set_now(MONDAY)
    return open_request(db, school)


def test_the_jobs_are_registered():
    names = {job.name for job in jobs.registered()}
    assert {access_jobs.REMINDERS, access_jobs.ESCALATION, access_jobs.CLOSING, access_jobs.INVITATION_EXPIRY,
            access_jobs.REVIEW_PROMPTS} <= names


def test_a_reminder_goes_the_working_day_before_it_is_due(app, db, school, approver, make_user, request_row):
    second = make_user(school, role="approver", email="deputy@fenland.example.sch.uk")
    assert request_row["remind_on"] == "2026-03-06" and request_row["due_on"] == "2026-03-09"
    assert "'requests': 0" in _run(app, _at(5), access_jobs.REMINDERS)[1]
    outcome, _ = _run(app, _at(6), access_jobs.REMINDERS)
    assert outcome == "ok"
    assert {m["to_addr"] for m in outbox(db) if "reminder" in m["subject"]} == {approver["email"], second["email"]}
    assert _run(app, _at(6, 15), access_jobs.REMINDERS)[0] == "already run"
    # a second runner on another day finds nothing left to remind (the request is marked)
    assert "'requests': 0" in _run(app, _at(7), access_jobs.REMINDERS)[1]
    assert len([m for m in outbox(db) if "reminder" in m["subject"]]) == 2
    reminder = next(m for m in outbox(db) if "reminder" in m["subject"])["body"]
    assert "it is due to be decided by 9 March 2026." in reminder  # dates as people write them, not ISO
    assert f"account at Fenland Primary School on {govuk_date(request_row['created_at'])}," in reminder
    assert len(audit_events(db, "account_request_reminded")) == 1


def test_overdue_requests_are_escalated_to_the_la_once(app, db, la, la_approver, make_user, request_row):
    admin = make_user(la, email="it@la.example.gov.uk", is_site_admin=True)
    assert "'requests': 0" in _run(app, _at(9), access_jobs.ESCALATION)[1]  # due today: not overdue yet
    assert "'requests': 1" in _run(app, _at(10), access_jobs.ESCALATION)[1]
    escalated = [m for m in outbox(db) if "overdue" in m["subject"]]
    assert {m["to_addr"] for m in escalated} == {la_approver["email"], admin["email"]}
    assert "Nobody there decided it by 9 March 2026" in escalated[0]["body"]
    assert account_requests.get(db, request_row["id"])["with_la"]
    assert "'requests': 0" in _run(app, _at(11), access_jobs.ESCALATION)[1]
    assert len(audit_events(db, "account_request_escalated")) == 1


def test_decided_requests_are_left_alone(app, db, approver, request_row):
    account_requests.reject(db, request_row["id"], "Not staff", actor=approver)
    for name, day in ((access_jobs.REMINDERS, 6), (access_jobs.ESCALATION, 10)):
        _run(app, _at(day), name)
    clock.set_now(_at(1, month=6))
    run_due(app, only=access_jobs.CLOSING)
    assert [m["subject"] for m in outbox(db)] == []


def test_after_90_days_an_open_request_is_closed_and_the_requester_told(app, db, school, request_row):
    assert request_row["close_on"] == "2026-05-31"
    assert "'closed': 0" in _run(app, _at(30, month=5), access_jobs.CLOSING)[1]
    assert "'closed': 1" in _run(app, _at(31, month=5), access_jobs.CLOSING)[1]
    closed = account_requests.get(db, request_row["id"])
    assert closed["status"] == "closed" and closed["decided_at"]
    [mail] = outbox(db, request_row["email"])
    assert "has been closed because nobody decided it within 90 days" in mail["body"]
    assert f"made on {govuk_date(request_row['created_at'])}, has been" in mail["body"]
    assert "'closed': 0" in _run(app, _at(1, month=6), access_jobs.CLOSING)[1]
    assert account_requests.list_for_organisation(db, school["id"]) == []


def test_a_request_sent_to_the_la_reminds_the_la(app, db, school, la_approver):
    clock.set_now(MONDAY)
    open_request(db, school, routed_to_la=True)
    _run(app, _at(6), access_jobs.REMINDERS)
    assert [m["to_addr"] for m in outbox(db)] == [la_approver["email"]]


def test_expired_invitations_are_removed_and_the_invitee_told(app, db, school, approver):
    clock.set_now(MONDAY)
    invited, _ = invitations.invite(db, app.config, organisation=school, email="late@fenland.example.sch.uk",
                                    name="Lou Late", role="end_user", actor=approver)
    assert "'expired': 0" in _run(app, MONDAY + dt.timedelta(days=13, hours=23), access_jobs.INVITATION_EXPIRY)[1]
    assert "'expired': 1" in _run(app, MONDAY + dt.timedelta(days=14, hours=1), access_jobs.INVITATION_EXPIRY)[1]
    assert users.get(db, invited["id"]) is None
    assert "has expired" in outbox(db, invited["email"])[0]["body"]
    assert audit_events(db, "invitation_expired")[0]["target"] == invited["email"]
    assert "'expired': 0" in _run(app, MONDAY + dt.timedelta(days=14, hours=2), access_jobs.INVITATION_EXPIRY)[1]


def test_accepted_or_live_invitations_are_kept(app, db, school, approver, make_user):
    clock.set_now(MONDAY)
    _, token = invitations.invite(db, app.config, organisation=school, email="quick@fenland.example.sch.uk",
                                  name="Quick", role="end_user", actor=approver)
    app.test_client().post(f"/invitations/{token}", data={"password": "a long and private passphrase",
                                                          "confirm": "a long and private passphrase"})
    _run(app, MONDAY + dt.timedelta(days=20), access_jobs.INVITATION_EXPIRY)
    assert users.get_by_email(db, "quick@fenland.example.sch.uk")["status"] == "active"


def test_review_prompts_go_once_a_term(app, db, school, other_school, approver, make_user):
    idle = make_user(school, name="Ida Idle", email="idle@fenland.example.sch.uk")
    clock.set_now(_at(1, month=1) - dt.timedelta(days=200))
    users.record_sign_in(db, idle["id"])
    clock.set_now(_at(5, month=1))
    assert "'organisations': 1" in _run(app, _at(5, 9, month=1), access_jobs.REVIEW_PROMPTS)[1]
    [mail] = outbox(db, approver["email"])
    assert "spring term 2025/26" in mail["subject"] and "Ida Idle (idle@fenland.example.sch.uk)" in mail["body"]
    assert "Hana Head" not in mail["body"].split("not been used")[1]  # only the unused ones are listed
    signed_in_at = users.get(db, idle["id"])["last_sign_in_at"]
    assert f"last signed in {uk_datetime(signed_in_at)}" in mail["body"]  # in England's time, not ISO
    assert "'organisations': 0" in _run(app, _at(6, 9, month=1), access_jobs.REVIEW_PROMPTS)[1]
    assert "'organisations': 1" in _run(app, _at(7, 9, month=4), access_jobs.REVIEW_PROMPTS)[1]
    assert rows(db, "SELECT term_key FROM review_prompts ORDER BY term_key") == [
        {"term_key": "2025-spring"}, {"term_key": "2025-summer"}]


def test_the_cli_runs_them(app, runner, db, school, approver, request_row):
    clock.set_now(_at(10))
    result = runner.invoke(args=["jobs", "run"])
    assert result.exit_code == 0, result.output
    assert f"{access_jobs.ESCALATION} (2026-03-10): ok" in result.output
    assert "account-request-escalation: daily from 07:30 (UK time); last 2026-03-10 ok" in runner.invoke(
        args=["jobs", "list"]).output
