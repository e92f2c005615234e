"""The deadlines read cache: every change to instances, statuses or the catalogue is seen at once."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from models import deadline_cache, deadline_catalogue, deadline_instances, deadline_statuses, organisations
from models.db import connect, transaction
from tests.conftest import set_today
from tests.deadlines.factories import instance_of


def _keys(due: dict) -> dict[str, str]:
    return {i["code"]: i["status"]["key"] for i in due["overdue"] + due["upcoming"] if i["code"] != "MEALS"}


def test_status_and_instance_changes_reach_whats_due(db, generated, primary):
    set_today(dt.date(2026, 10, 14))
    census = instance_of(db, "SC-AUT")
    assert _keys(deadline_statuses.whats_due(db, primary))["SC-AUT"] == "open"
    assert deadline_statuses.whats_due(db, primary) is deadline_statuses.whats_due(db, primary)  # served from the cache
    deadline_statuses.record_status(db, organisation_id=primary["id"], instance_id=census["id"], status="submitted")
    assert _keys(deadline_statuses.whats_due(db, primary))["SC-AUT"] == "submitted"
    deadline_instances.cancel_instance(db, census["id"], reason="x")
    assert "SC-AUT" not in _keys(deadline_statuses.whats_due(db, primary))


def test_a_return_handed_back_after_its_due_date_is_overdue_not_forgotten(db, generated, primary):
    """Returned for changes after its due date, a return must be made again: it is listed with the overdue ones
    (before, it was neither overdue nor upcoming, so What's due and the home page left it out)."""
    set_today(dt.date(2026, 11, 2))
    census = instance_of(db, "SC-AUT")  # due 21 October 2026
    deadline_statuses.record_status(db, organisation_id=primary["id"], instance_id=census["id"], status="returned",
                                    note="Check the FSM figure")  # fmt: skip
    due = deadline_statuses.whats_due(db, primary)
    overdue = [(i["code"], i["status"]["key"]) for i in due["overdue"]]
    assert ("SC-AUT", "returned") in overdue
    assert "SC-AUT" not in [i["code"] for i in due["upcoming"]]


def test_catalogue_and_school_changes_reach_whats_due(db, generated, primary):
    set_today(dt.date(2026, 10, 14))
    entry = deadline_catalogue.get_by_code(db, "SC-AUT")
    assert "SC-AUT" in _keys(deadline_statuses.whats_due(db, primary))
    deadline_catalogue.save(db, dataclasses.replace(entry["entry"], name="Autumn census"), catalogue_id=entry["id"])
    assert [e["name"] for e in deadline_catalogue.list_entries(db)][0] == "Autumn census"
    db.conn.execute("UPDATE organisations SET is_academy = 1 WHERE id = ?", (primary["id"],))
    assert "SC-AUT" not in _keys(deadline_statuses.whats_due(db, organisations.get(db, primary["id"])))


def test_another_connection_sees_a_change_at_once(app, db, generated, primary):
    set_today(dt.date(2026, 10, 14))
    census = instance_of(db, "SC-AUT")
    other = connect(app.config["DATABASE"])
    try:
        assert _keys(deadline_statuses.whats_due(other, primary))["SC-AUT"] == "open"
        deadline_statuses.record_status(
            db, organisation_id=primary["id"], instance_id=census["id"], status="in_progress"
        )
        assert _keys(deadline_statuses.whats_due(other, primary))["SC-AUT"] == "in_progress"
    finally:
        other.conn.close()


def test_reads_inside_a_rolled_back_transaction_are_not_kept(db, generated, primary):
    set_today(dt.date(2026, 10, 14))
    census = instance_of(db, "SC-AUT")
    before = deadline_cache.version(db)
    with pytest.raises(RuntimeError), transaction(db):
        db.conn.execute("UPDATE deadline_instances SET due_on = '2026-10-30' WHERE id = ?", (census["id"],))
        assert deadline_statuses.whats_due(db, primary)["upcoming"]  # computed, not cached
        raise RuntimeError("roll back")
    assert deadline_cache.version(db) == before
    due = {i["code"]: i["due_on"] for i in deadline_statuses.whats_due(db, primary)["upcoming"]}
    assert due["SC-AUT"] == dt.date(2026, 10, 21)


def test_each_database_has_its_own_token(db, app):
    token, version = deadline_cache.version(db)
    assert len(token) == 32 and version >= 0
