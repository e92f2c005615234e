"""A NIL return and "not required" are recorded facts (the status's ``kind``), never guessed from the note:
a submission noted "NIL return sent by post" is a submission; the kind goes only with its status; the
migration that added the kind keeps what older databases showed."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from migrations import deadlines as deadlines_migrations
from models import audit_key, deadline_instances, deadline_statuses, deadline_tracker, organisations, services
from models.db import connect, one, rows
from tests.conftest import audit_events, migrate_until, set_today
from tests.deadlines.factories import instance_of

D = dt.date


def _record(db, school, instance, status, **kwargs) -> dict:
    return deadline_statuses.record_status(
        db, organisation_id=school["id"], instance_id=instance["id"], status=status, **kwargs
    )


def _tracker_key(db, school, instance, on) -> str:
    data = deadline_tracker.matrix(
        db, la_code="873", filters=deadline_tracker.Filters(academic_year=2026, window="year"), on=on
    )
    column = [i["id"] for i in data["instances"]].index(instance["id"])
    return next(r for r in data["rows"] if r["school"]["id"] == school["id"])["cells"][column][0]


@pytest.mark.parametrize(
    "explicit,kind,expected",
    [
        ("submitted", "nil", "nil"),
        ("submitted", None, "submitted"),
        ("exempt", "not_required", "not_required"),
        ("exempt", None, "exempt"),
        ("accepted", None, "accepted"),
    ],
)
def test_display_status_reads_the_kind(explicit, kind, expected):
    assert (
        deadline_statuses.display_status(
            explicit, D(2026, 10, 20), D(2026, 10, 1), D(2026, 10, 21), D(2026, 10, 23), kind
        )
        == expected
    )


def test_a_note_that_starts_like_a_nil_return_is_only_a_note(db, generated, primary):
    census = instance_of(db, "SC-AUT")
    set_today(D(2026, 10, 20))
    status = _record(db, primary, census, "submitted", note="NIL return sent by post", source="By post")
    assert (status["key"], status["label"], status["kind"]) == ("submitted", "Submitted", None)
    privacy = instance_of(db, "PRIVACY")
    status = _record(db, primary, privacy, "exempt", note="Return not required this year, says the head")
    assert (status["key"], status["label"]) == ("exempt", "Exempt")
    # every way of reading statuses agrees: What's due, the tracker, the history
    due = {i["id"]: i["status"]["key"] for i in deadline_statuses.for_school(
        db, primary, start=D(2026, 9, 1), end=D(2027, 8, 31))}  # fmt: skip
    assert (due[census["id"]], due[privacy["id"]]) == ("submitted", "exempt")
    assert _tracker_key(db, primary, census, D(2026, 10, 23)) == "submitted"
    assert _tracker_key(db, primary, privacy, D(2026, 10, 23)) == "exempt"
    assert deadline_statuses.history(db, primary["id"], census["id"])[0]["label"] == "Submitted"


def test_a_nil_return_is_its_kind_whatever_its_note(db, generated, primary, make_user, la):
    officer = make_user(la, name="LA Officer")
    pride = instance_of(db, "PRIDE-NIL", "2026/27-autumn")
    set_today(D(2026, 12, 18))
    status = _record(db, primary, pride, "submitted", kind="nil", note="Nothing happened this term", actor=officer)
    assert (status["key"], status["label"], status["explicit"], status["kind"]) == (
        "nil", "NIL return", "submitted", "nil")  # fmt: skip
    assert one(db, "SELECT kind FROM deadline_statuses WHERE instance_id = ?", (pride["id"],))["kind"] == "nil"
    [event] = deadline_statuses.history(db, primary["id"], pride["id"])
    assert (event["kind"], event["label"], event["note"]) == ("nil", "NIL return", "Nothing happened this term")
    assert audit_events(db, "deadline_status_recorded")[-1]["detail"]["kind"] == "nil"
    assert _tracker_key(db, primary, pride, D(2026, 12, 21)) == "nil"
    # the next status recorded without a kind is what it says: the kind does not stick to the school
    status = _record(db, primary, pride, "accepted", actor=officer)
    assert (status["key"], status["kind"]) == ("accepted", None)
    exempt = _record(db, primary, instance_of(db, "PRIVACY"), "exempt", kind="not_required", note="No agreement")
    assert (exempt["key"], exempt["label"], exempt["kind"]) == ("not_required", "Not required", "not_required")


@pytest.mark.parametrize(
    "status,kind,message",
    [
        ("exempt", "nil", "Only a submitted return can be a NIL return, not one exempt"),
        ("in_progress", "nil", "Only a submitted return can be a NIL return, not one in progress"),
        ("submitted", "not_required", "Only an exemption can say the return is not required, not a status submitted"),
        ("cleared", "not_required", "Only an exemption can say the return is not required"),
        ("submitted", "NIL", "Unknown kind 'NIL'"),
    ],
)
def test_a_kind_goes_only_with_its_status(db, generated, primary, status, kind, message):
    census = instance_of(db, "SC-AUT")
    set_today(D(2026, 10, 20))
    with pytest.raises(deadline_statuses.StatusError, match=message):
        _record(db, primary, census, status, kind=kind, note="A reason")
    assert rows(db, "SELECT * FROM deadline_status_events") == []
    assert rows(db, "SELECT * FROM deadline_statuses") == []
    assert audit_events(db, "deadline_status_recorded") == []


def test_the_database_refuses_a_kind_with_the_wrong_status(db, generated, primary):
    census = instance_of(db, "SC-AUT")
    set_today(D(2026, 10, 20))
    _record(db, primary, census, "in_progress")
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        db.conn.execute("UPDATE deadline_statuses SET kind = 'nil'")
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        db.conn.execute(
            "INSERT INTO deadline_status_events (instance_id, organisation_id, status, kind, at, source)"
            " VALUES (?, ?, 'submitted', 'not_required', '2026-10-20T09:00:00Z', 'x')",
            (census["id"], primary["id"]),
        )


def test_a_school_writing_nil_return_in_a_form_return_has_submitted(client_request, sign_in, make_user, db, primary,
                                                                    generated):  # fmt: skip
    user = make_user(primary, name="Office Manager", email="office@ely.example.sch.uk")
    services.set_services(db, user["id"], {"deadlines"})
    set_today(D(2026, 12, 18))
    meals = instance_of(db, "MEALS", "2026-W51")
    sign_in(user)
    done = client_request.post("deadlines.make_return", instance_id=meals["id"],
                               _data={"details": "NIL return this week: the kitchen was closed"},
                               _follow_redirects=True)  # fmt: skip
    assert ": submitted. Thank you." in done.html
    assert deadline_statuses.status_for(db, primary["id"], meals["id"])["key"] == "submitted"


def test_the_la_recording_submitted_with_a_nil_note_shows_submitted(client, sign_in, make_user, la, db, primary,
                                                                    generated):  # fmt: skip
    officer = make_user(la, name="Data Officer", email="officer@la.example.gov.uk")
    services.set_services(db, officer["id"], {"deadlines"})
    set_today(D(2026, 10, 20))
    census = instance_of(db, "SC-AUT")
    sign_in(officer)
    response = client.post(f"/deadline-tracker/{census['id']}/{primary['id']}",
                           data={"status": "submitted", "source": "By post", "note": "NIL return sent by post"},
                           follow_redirects=True)  # fmt: skip
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "status recorded" in html and "NIL return sent by post" in html
    assert deadline_statuses.status_for(db, primary["id"], census["id"])["key"] == "submitted"
    assert '<strong class="govuk-tag govuk-tag--turquoise">Submitted</strong>' in html and ">NIL return<" not in html


# ----------------------------------------------------------------------------- the migration that added the kind


_OLD_EVENT = (
    "INSERT INTO deadline_status_events (instance_id, organisation_id, status, at, source, note)"
    " VALUES (?, ?, ?, ?, 'gatehouse', ?)"
)
_OLD_CURRENT = (
    "INSERT INTO deadline_statuses (instance_id, organisation_id, status, at, submitted_at, note, event_id)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
)


def _old_status(db, school: dict, instance: dict, events: list[tuple[str, str | None]]) -> None:
    """Events as Gatehouse recorded them before the kind (no kind column), the last one current."""
    for n, (status, note) in enumerate(events):
        at = f"2026-10-0{n + 1}T09:00:00Z"
        event = db.conn.execute(_OLD_EVENT, (instance["id"], school["id"], status, at, note)).lastrowid
    submitted = at if status == "submitted" else None
    db.conn.execute(_OLD_CURRENT, (instance["id"], school["id"], status, at, submitted, note, event))


def test_the_migration_backfills_the_kind_from_the_old_notes_and_keeps_the_history_append_only(tmp_path):
    audit_key.use_key_file(tmp_path / "old.db", tmp_path / "audit_key")  # as create_app does for its database
    db = connect(tmp_path / "old.db")
    migrate_until(db, deadlines_migrations.migrations, "0007_status_kind")
    assert "kind" not in {c["name"] for c in rows(db, "PRAGMA table_info(deadline_statuses)")}
    trigger_before = one(db, "SELECT sql FROM sqlite_master WHERE name = 'deadline_status_events_no_update'")["sql"]
    organisations.ensure_la(db, "873", "Cambridgeshire")
    school = organisations.create_school(db, la_code="873", estab="2101", name="Ely Primary School", urn=120001,
                                         phase="Primary", type_name="Community school", low_age=4, high_age=11,
                                         status="open")  # fmt: skip
    deadline_instances.generate(db, 2026)
    with db.atomic():
        _old_status(db, school, instance_of(db, "PRIDE-NIL", "2026/27-autumn"), [("submitted", "NIL return: none")])
        _old_status(db, school, instance_of(db, "PRIDE-NIL", "2026/27-spring"),
                    [("exempt", "Return not required (PRIDE): no data-sharing agreement")])  # fmt: skip
        _old_status(db, school, instance_of(db, "PRIDE-NIL", "2026/27-summer"),
                    [("submitted", "NIL return"), ("cleared", "Reopened: an incident was reported")])  # fmt: skip
        _old_status(db, school, instance_of(db, "SC-AUT"), [("submitted", "Nil return by post")])
        _old_status(db, school, instance_of(db, "PRIVACY"), [("exempt", "Closing in December")])
    deadlines_migrations.migrations.apply(db)

    def kinds(code, period="2026/27"):
        instance = instance_of(db, code, period)
        events = rows(
            db, "SELECT kind FROM deadline_status_events WHERE instance_id = ? ORDER BY id", (instance["id"],)
        )
        current = deadline_statuses.status_for(db, school["id"], instance["id"], on=D(2027, 8, 1))
        return [e["kind"] for e in events], current["kind"], current["key"]

    assert kinds("PRIDE-NIL", "2026/27-autumn") == (["nil"], "nil", "nil")
    assert kinds("PRIDE-NIL", "2026/27-spring") == (["not_required"], "not_required", "not_required")
    assert kinds("PRIDE-NIL", "2026/27-summer") == (["nil", None], None, "overdue")
    assert kinds("SC-AUT") == ([None], None, "submitted")  # the old rule was case-sensitive: "Nil" never counted
    assert kinds("PRIVACY") == ([None], None, "exempt")
    # the history is append-only again, with the very trigger it had
    trigger_after = one(db, "SELECT sql FROM sqlite_master WHERE name = 'deadline_status_events_no_update'")["sql"]
    assert " ".join(trigger_after.split()) == " ".join(trigger_before.split())
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.conn.execute("UPDATE deadline_status_events SET kind = NULL")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.conn.execute("DELETE FROM deadline_status_events")
    db.conn.close()
