"""Per-school status: derived from dates and the clock, explicit events, history, lookups by code."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pytest

from domain import clock
from models import deadline_instances, deadline_statuses
from models.db import rows
from tests.conftest import set_today
from tests.deadlines.factories import instance_of

D = dt.date


@pytest.mark.parametrize(
    "explicit,submitted,today,expected",
    [
        (None, None, D(2026, 9, 30), "not_open"),
        (None, None, D(2026, 10, 1), "open"),
        (None, None, D(2026, 10, 21), "open"),
        (None, None, D(2026, 10, 22), "overdue"),
        ("cleared", None, D(2026, 10, 22), "overdue"),
        ("in_progress", None, D(2026, 9, 20), "in_progress"),
        ("in_progress", None, D(2026, 10, 22), "overdue"),
        ("submitted", D(2026, 10, 21), D(2026, 11, 30), "submitted"),
        ("submitted", D(2026, 10, 22), D(2026, 11, 30), "late"),
        ("accepted", D(2026, 10, 22), D(2026, 11, 30), "accepted"),
        ("returned", D(2026, 10, 10), D(2026, 11, 30), "returned"),
        ("exempt", None, D(2026, 11, 30), "exempt"),
    ],
)
def test_display_status(explicit, submitted, today, expected):
    assert deadline_statuses.display_status(explicit, submitted, D(2026, 10, 1), D(2026, 10, 21), today) == expected


def test_status_follows_the_clock_without_events(db, generated, primary):
    autumn = instance_of(db, "SC-AUT")
    set_today(D(2026, 9, 15))
    assert deadline_statuses.status_for(db, primary["id"], autumn["id"])["key"] == "not_open"
    set_today(D(2026, 10, 5))
    assert deadline_statuses.status_for(db, primary["id"], autumn["id"])["label"] == "Open"
    set_today(D(2026, 10, 22))
    status = deadline_statuses.status_for(db, primary["id"], autumn["id"])
    assert (status["key"], status["label"]) == ("overdue", "Overdue")


def test_submitted_on_time_then_accepted(db, generated, primary, make_user, la):
    officer = make_user(la, name="LA Officer")
    autumn = instance_of(db, "SC-AUT")
    set_today(D(2026, 10, 20))
    upload = deadline_statuses.record_status(
        db, organisation_id=primary["id"], instance_id=autumn["id"], status="in_progress", source="returns"
    )
    assert upload["key"] == "in_progress"
    submitted = deadline_statuses.record_status(
        db, organisation_id=primary["id"], instance_id=autumn["id"], status="submitted"
    )
    assert submitted["key"] == "submitted" and submitted["submitted_at"] == "2026-10-20T12:00:00Z"
    set_today(D(2026, 10, 26))
    accepted = deadline_statuses.record_status(
        db, organisation_id=primary["id"], instance_id=autumn["id"], status="accepted", actor=officer
    )
    assert accepted["key"] == "accepted" and accepted["submitted_at"] == "2026-10-20T12:00:00Z"
    events = deadline_statuses.history(db, primary["id"], autumn["id"])
    assert [e["status"] for e in events] == ["accepted", "submitted", "in_progress"]
    assert events[0]["actor_name"] == "LA Officer" and events[2]["source"] == "returns"


def test_late_submission_after_being_returned(db, generated, primary):
    autumn = instance_of(db, "SC-AUT")
    record = {"organisation_id": primary["id"], "instance_id": autumn["id"]}
    set_today(D(2026, 10, 19))
    deadline_statuses.record_status(db, status="submitted", **record)
    deadline_statuses.record_status(db, status="returned", note="Please fix the UPN errors", **record)
    set_today(D(2026, 10, 23))
    assert deadline_statuses.status_for(db, primary["id"], autumn["id"])["key"] == "returned"
    assert deadline_statuses.record_status(db, status="submitted", **record)["key"] == "late"


def test_return_made_outside_gatehouse_with_a_date(db, generated, primary, make_user, la):
    officer = make_user(la)
    autumn = instance_of(db, "SC-AUT")
    set_today(D(2026, 11, 2))
    made = dt.datetime(2026, 10, 20, 9, tzinfo=dt.UTC)
    status = deadline_statuses.record_status(
        db, organisation_id=primary["id"], instance_id=autumn["id"], status="submitted", actor=officer,
        note="Submitted to DfE COLLECT", source="DfE COLLECT", at=made,
    )  # fmt: skip
    assert status["key"] == "submitted" and status["note"] == "Submitted to DfE COLLECT"
    logged = rows(db, "SELECT * FROM audit_log WHERE action = 'deadline_status_recorded'")[-1]
    assert logged["organisation_id"] == primary["id"] and logged["target"] == f"instance:{autumn['id']}"
    detail = json.loads(logged["detail"])
    assert detail["source"] == "DfE COLLECT" and detail["code"] == "SC-AUT" and detail["at"] == "2026-10-20T09:00:00Z"
    with pytest.raises(deadline_statuses.StatusError, match="not in the future"):
        deadline_statuses.record_status(db, organisation_id=primary["id"], instance_id=autumn["id"], status="submitted",
                                at=clock.now() + dt.timedelta(hours=1))  # fmt: skip


def test_exempt_needs_a_reason_and_cleared_undoes_it(db, generated, primary):
    autumn = instance_of(db, "SC-AUT")
    record = {"organisation_id": primary["id"], "instance_id": autumn["id"]}
    with pytest.raises(deadline_statuses.StatusError, match="reason"):
        deadline_statuses.record_status(db, status="exempt", note="  ", **record)
    set_today(D(2026, 10, 30))
    exempt = deadline_statuses.record_status(db, status="exempt", note="Closed for rebuilding", **record)
    assert exempt["key"] == "exempt"
    assert deadline_statuses.record_status(db, status="cleared", **record)["key"] == "overdue"


def test_refusals(db, generated, primary, academy):
    autumn = instance_of(db, "SC-AUT")
    ks2 = instance_of(db, "KS2-TA")
    with pytest.raises(deadline_statuses.StatusError, match="Unknown status"):
        deadline_statuses.record_status(db, organisation_id=primary["id"], instance_id=autumn["id"], status="done")
    with pytest.raises(deadline_statuses.StatusError, match="does not apply"):
        deadline_statuses.record_status(db, organisation_id=academy["id"], instance_id=autumn["id"], status="submitted")
    with pytest.raises(deadline_statuses.StatusError, match="information only"):
        deadline_statuses.record_status(db, organisation_id=primary["id"], instance_id=ks2["id"], status="submitted")
    with pytest.raises(deadline_statuses.StatusError, match="2000 characters"):
        deadline_statuses.record_status(
            db, organisation_id=primary["id"], instance_id=autumn["id"], status="submitted", note="x" * 2001
        )
    deadline_instances.cancel_instance(db, autumn["id"], reason="x")
    with pytest.raises(deadline_statuses.StatusError, match="cancelled"):
        deadline_statuses.record_status(db, organisation_id=primary["id"], instance_id=autumn["id"], status="submitted")
    assert rows(db, "SELECT * FROM deadline_status_events") == []


def test_history_is_append_only(db, generated, primary):
    autumn = instance_of(db, "SC-AUT")
    deadline_statuses.record_status(db, organisation_id=primary["id"], instance_id=autumn["id"], status="in_progress")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.conn.execute("UPDATE deadline_status_events SET status = 'accepted'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.conn.execute("DELETE FROM deadline_status_events")


def test_find_instance_by_code(db, generated, primary, academy):
    set_today(D(2026, 9, 20))
    assert deadline_instances.find_instance(db, code="SC-AUT", organisation_id=primary["id"]) is None  # not open yet
    set_today(D(2026, 10, 5))
    assert deadline_instances.find_instance(db, code="SC-AUT", organisation_id=primary["id"])["period_key"] == "2026/27"
    assert deadline_instances.find_instance(db, code="SC-AUT", organisation_id=academy["id"]) is None  # maintained only
    assert deadline_instances.find_instance(db, code="NOPE", organisation_id=primary["id"]) is None
    # weekly: this week's return while it is open, the week just gone once it is overdue
    set_today(D(2026, 10, 7))
    assert deadline_instances.find_instance(db, code="MEALS", organisation_id=primary["id"])["period_key"] == "2026-W41"
    set_today(D(2026, 10, 10))
    assert deadline_instances.find_instance(db, code="MEALS", organisation_id=primary["id"])["period_key"] == "2026-W41"
    # after the deadline the census stays the one being worked on
    set_today(D(2026, 11, 20))
    assert deadline_instances.find_instance(db, code="SC-AUT", organisation_id=primary["id"])["period_key"] == "2026/27"


def test_record_status_for_code(db, generated, primary):
    set_today(D(2026, 10, 5))
    result = deadline_statuses.record_status_for_code(
        db, code="SC-AUT", organisation_id=primary["id"], status="in_progress", source="returns"
    )
    assert result["key"] == "in_progress" and result["instance_id"] == instance_of(db, "SC-AUT")["id"]
    with pytest.raises(deadline_statuses.StatusError, match="No SC-SPR deadline is open"):
        deadline_statuses.record_status_for_code(db, code="SC-SPR", organisation_id=primary["id"], status="in_progress")


def test_whats_due_lists_overdue_first_then_eight_weeks(db, generated, primary):
    set_today(D(2026, 10, 23))
    autumn = instance_of(db, "SC-AUT")
    due = deadline_statuses.whats_due(db, primary)
    overdue_codes = [i["code"] for i in due["overdue"]]
    assert "SC-AUT" in overdue_codes and overdue_codes.count("MEALS") == 7  # weeks 36-42 not returned
    assert all(i["status"]["key"] == "overdue" for i in due["overdue"])
    assert due["until"] == D(2026, 12, 18)
    upcoming = due["upcoming"]
    assert [i["due_on"] for i in upcoming] == sorted(i["due_on"] for i in upcoming)
    assert upcoming[0]["due_on"] >= D(2026, 10, 23) and upcoming[-1]["due_on"] <= D(2026, 12, 18)
    assert "KS2-TA" not in {i["code"] for i in upcoming}  # late June: beyond eight weeks
    deadline_statuses.record_status(db, organisation_id=primary["id"], instance_id=autumn["id"], status="submitted")
    assert "SC-AUT" not in {i["code"] for i in deadline_statuses.whats_due(db, primary)["overdue"]}
