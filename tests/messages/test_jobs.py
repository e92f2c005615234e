"""The messages jobs with a controllable clock: email notice digests (a link only, one an hour per person),
chasing unconfirmed receipts after N school days, and retention (warning, deletion, audit, idempotent)."""

from __future__ import annotations

import datetime as dt

import pytest

from background.jobs import messages as jobs
from background.jobs.runner import run_due
from domain import clock
from models import messages
from models.db import one, rows, scalar
from tests.conftest import audit_events
from tests.messages.factories import thread_between


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """Freeze the clock at ``hour:minute`` UTC on ``day`` and return that moment."""
    moment = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=dt.UTC)
    clock.set_now(moment)
    return moment


def run(app, name: str, moment: dt.datetime):
    [result] = run_due(app, now=moment, only=name)
    assert result.outcome == "ok", result.summary
    return result


MONDAY = dt.date(2026, 10, 5)


def test_a_burst_of_messages_makes_one_email_an_hour_with_a_link_only(
    app, db, la, school, la_user, school_user, smtp_server
):
    thread_id = thread_between(db, la, school, la_user, subject="Secret subject", body="Secret body")
    at(MONDAY, 10, 1)
    run(app, jobs.DIGESTS, clock.now())
    [mail] = smtp_server.wait_for(1)
    assert mail["To"] == school_user["email"]
    assert mail["Subject"] == "Gatehouse: 1 new secure message"
    text = mail.get_content()
    assert "/messages/" in text and "Secret" not in text and "Lee" not in text
    assert la_user["email"] not in [m["To"] for m in smtp_server.messages]  # the writer is not told

    for minute in (10, 20, 30):
        at(MONDAY, 10, minute)
        messages.reply(db, messages.get_thread(db, thread_id, la["id"]), la["id"], la_user, f"More {minute}")
    run(app, jobs.DIGESTS, at(MONDAY, 10, 46))  # within the hour of the first: waits
    assert len(smtp_server.messages) == 1
    run(app, jobs.DIGESTS, at(MONDAY, 11, 6))
    mails = smtp_server.wait_for(2)
    assert mails[1]["Subject"] == "Gatehouse: 3 new secure messages"
    run(app, jobs.DIGESTS, at(MONDAY, 12, 31))  # nothing new waits
    assert len(smtp_server.messages) == 2
    assert scalar(db, "SELECT count(*) FROM message_notices WHERE digest_id IS NULL") == 0


def test_nobody_is_emailed_about_what_they_have_already_read_or_archived(
    app, db, la, school, la_user, school_user, with_transfers, smtp_server
):
    colleague = with_transfers(school, email="colleague@fenland.example.sch.uk")
    at(MONDAY, 10)
    read_first = thread_between(db, la, school, la_user, subject="Read at once")
    messages.mark_read(db, read_first, school["id"], school_user)
    run(app, jobs.DIGESTS, at(MONDAY, 10, 5))
    [mail] = smtp_server.wait_for(1)
    assert mail["To"] == colleague["email"]  # who has not read it yet
    archived = thread_between(db, la, school, la_user, subject="Archived at once")
    messages.set_archived(db, archived, school["id"], True, school_user)
    run(app, jobs.DIGESTS, at(MONDAY, 12, 0))
    assert len(smtp_server.messages) == 1


def test_unconfirmed_receipts_are_chased_after_five_school_days_once(
    app, db, la, school, la_user, school_user, smtp_server
):
    at(dt.date(2026, 10, 21), 9)  # Wednesday; half term is 26-30 October
    chased = thread_between(db, la, school, la_user, subject="CP file", confirm=True)
    confirmed = thread_between(db, la, school, la_user, subject="Other CP file", confirm=True)
    messages.confirm_receipt(db, messages.get_thread(db, confirmed, school["id"]), school_user)
    thread_between(db, la, school, la_user, subject="No confirmation asked")

    run(app, jobs.CHASES, at(dt.date(2026, 10, 30), 9))  # seven working days, but two school days
    run(app, jobs.CHASES, at(dt.date(2026, 11, 3), 9))  # four school days
    assert smtp_server.messages == [] and not audit_events(db, "message_receipt_chased")
    result = run(app, jobs.CHASES, at(dt.date(2026, 11, 4), 9))  # the fifth school day
    assert "'chased': 1" in result.summary
    mails = smtp_server.wait_for(2)
    to = {m["To"]: m for m in mails}
    assert set(to) == {school_user["email"], la_user["email"]}
    assert f"/messages/{chased}" in to[school_user["email"]].get_content()
    assert "Fenland Primary School has not confirmed receipt" in to[la_user["email"]].get_content()
    assert f"/messages/{chased}" in to[la_user["email"]].get_content()  # the LA wrote it: a link to it
    assert "CP file" not in to[school_user["email"]].get_content()
    [event] = audit_events(db, "message_receipt_chased")
    assert event["target"] == f"thread:{chased}"
    run(app, jobs.CHASES, at(dt.date(2026, 11, 5), 9))
    assert len(smtp_server.messages) == 2


def test_the_chase_setting_and_a_message_between_two_schools(
    app, db, la, school, other_school, la_user, school_user, with_transfers, smtp_server
):
    app.config["MESSAGE_CONFIRM_CHASE_SCHOOL_DAYS"] = 1
    other = with_transfers(other_school, email="other@ouse.example.sch.uk")
    at(MONDAY, 9)
    thread_id = thread_between(db, school, other_school, school_user, confirm=True)
    run(app, jobs.DIGESTS, at(MONDAY, 9, 1))
    smtp_server.wait_for(1)
    run(app, jobs.CHASES, at(MONDAY + dt.timedelta(days=1), 9))
    assert len(audit_events(db, "message_receipt_chased")) == 1
    to = {m["To"]: m.get_content() for m in smtp_server.wait_for(3)[1:]}
    assert f"/messages/{thread_id}" in to[other["email"]]
    assert "only they can read it" in to[la_user["email"]]
    assert f"/messages/{thread_id}" not in to[la_user["email"]]  # the LA is not party to it


def test_retention_warns_then_deletes_content_keeps_the_record_and_is_idempotent(
    app, db, la, school, la_user, school_user, smtp_server, client_request, sign_in
):
    at(MONDAY, 9)
    old = thread_between(db, la, school, la_user, subject="Old subject", body="Old body")
    messages.mark_read(db, old, school["id"], school_user)
    at(MONDAY + dt.timedelta(days=30), 9)
    recent = thread_between(db, school, la, school_user, subject="Recent")
    deletes_on = MONDAY + dt.timedelta(days=730)  # 4 October 2028

    run(app, jobs.RETENTION, at(deletes_on - dt.timedelta(days=8), 3))
    assert smtp_server.messages == []
    result = run(app, jobs.RETENTION, at(deletes_on - dt.timedelta(days=6), 3))
    assert "'warned': 1" in result.summary
    mails = smtp_server.wait_for(2)
    assert {m["To"] for m in mails} == {la_user["email"], school_user["email"]}
    assert "From 4 October 2028" in mails[0].get_content() and "Old" not in mails[0].get_content()
    run(app, jobs.RETENTION, at(deletes_on - dt.timedelta(days=5), 3))
    assert len(smtp_server.messages) == 2  # warned once
    assert audit_events(db, "message_expiry_warned")[0]["detail"]["threads"] == [old]

    result = run(app, jobs.RETENTION, at(deletes_on + dt.timedelta(days=1), 3))
    assert "'expired': 1" in result.summary
    thread = one(db, "SELECT * FROM message_threads WHERE id = ?", (old,))
    assert thread["subject"] is None and thread["expired_at"]
    assert rows(db, "SELECT body FROM message_posts WHERE thread_id = ?", (old,)) == [{"body": None}]
    assert scalar(db, "SELECT count(*) FROM message_reads") == 1  # who read it is kept
    assert one(db, "SELECT subject FROM message_threads WHERE id = ?", (recent,))["subject"] == "Recent"
    [event] = audit_events(db, "message_thread_expired")
    assert event["target"] == f"thread:{old}" and event["detail"] == {"posts": 1}
    run(app, jobs.RETENTION, at(deletes_on + dt.timedelta(days=2), 3))
    assert len(audit_events(db, "message_thread_expired")) == 1

    with pytest.raises(messages.MessageRefused):
        messages.reply(db, messages.get_thread(db, old, school["id"]), school["id"], school_user, "Hello?")
    at(deletes_on + dt.timedelta(days=2), 12)
    sign_in(school_user)
    page = client_request.get("messages.thread", thread_id=old)
    assert page.h1 == "Deleted conversation"
    assert "Deleted under the retention policy." in page.html
    assert not page.xpath("//form[contains(@action, '/reply')]")


def test_a_group_send_loses_its_subject_when_its_last_conversation_expires(
    app, db, la, school, other_school, la_user, school_user
):
    at(MONDAY, 9)
    bulk_id = messages.send_to_group(db, la=la, group_key="all", author=la_user, subject="To everyone",
                                     body="Hello", confirm=False)  # fmt: skip
    kept = scalar(db, "SELECT id FROM message_threads WHERE recipient_org_id = ?", (school["id"],))
    at(MONDAY + dt.timedelta(days=400), 9)
    messages.reply(db, messages.get_thread(db, kept, school["id"]), school["id"], school_user, "Still here")
    run(app, jobs.RETENTION, at(MONDAY + dt.timedelta(days=731), 3))
    assert one(db, "SELECT subject FROM message_bulk_sends WHERE id = ?", (bulk_id,))["subject"] == "To everyone"
    run(app, jobs.RETENTION, at(MONDAY + dt.timedelta(days=400 + 731), 3))
    assert one(db, "SELECT subject FROM message_bulk_sends WHERE id = ?", (bulk_id,))["subject"] is None
    assert len(audit_events(db, "message_thread_expired")) == 2


def test_the_jobs_are_listed(runner):
    listed = runner.invoke(args=["jobs", "list"]).output
    assert "message-digests: every 5 minutes" in listed
    assert "message-receipt-chases: daily from 08:00 (UK time)" in listed
    assert "message-retention: daily from 02:30 (UK time)" in listed
