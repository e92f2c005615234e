"""The last active approver can never be removed, suspended or demoted, even in a race."""

from __future__ import annotations

import pytest

from models import accounts, invitations, services
from tests.accounts.factories import race
from tests.conftest import audit_events


@pytest.mark.parametrize(
    "change",
    [
        lambda db, app, user, actor: accounts.suspend(db, user["id"], "Left the school", actor=actor),
        lambda db, app, user, actor: accounts.remove(db, user["id"], actor=actor),
        lambda db, app, user, actor: accounts.change_role(db, user["id"], "end_user", app.config, actor=actor),
    ],
    ids=["suspend", "remove", "demote"],
)
def test_the_only_approver_cannot_go(app, db, approver, la_approver, change):
    with pytest.raises(accounts.LastApprover, match="only active approver"):
        change(db, app, approver, la_approver)
    after = accounts.get_user(db, approver["id"])
    assert (after["status"], after["role"]) == ("active", "approver")
    assert audit_events(db) == []


def test_a_second_approver_can_go_but_then_the_first_cannot(app, db, school, make_user, approver):
    second = make_user(school, role="approver")
    accounts.suspend(db, second["id"], "Left the school", actor=approver)
    with pytest.raises(accounts.LastApprover):
        accounts.remove(db, approver["id"], actor=approver)


def test_an_invited_or_suspended_approver_does_not_count(app, db, school, make_user, approver):
    suspended = make_user(school, role="approver")
    accounts.suspend(db, suspended["id"], "Away", actor=approver)
    invitations.invite(db, app.config, organisation=school, email="new@fenland.example.sch.uk", name="New",
                       role="approver", actor=approver)
    with pytest.raises(accounts.LastApprover):
        accounts.change_role(db, approver["id"], "end_user", app.config, actor=approver)


def test_two_approvers_removing_each_other_at_once_leave_one(app, db, school, make_user, approver):
    other = make_user(school, role="approver", name="Other Approver")

    def remove(target, actor):
        def call(conn):
            accounts.remove(conn, target["id"], actor=actor)
            return "removed"
        return call

    outcomes = race(app.config["DATABASE"], [remove(other, approver), remove(approver, other)], accounts.LastApprover)
    assert sorted(outcomes) == ["refused", "removed"]
    assert len(accounts.active_approvers(db, school["id"])) == 1


def test_handing_over_keeps_exactly_one_approver(app, db, school, make_user, approver):
    deputy = make_user(school, name="Dee Deputy")
    accounts.hand_over(db, approver["id"], deputy["id"], actor=approver)
    assert [a["id"] for a in accounts.active_approvers(db, school["id"])] == [deputy["id"]]
    old = accounts.get_user(db, approver["id"])
    assert old["role"] == "end_user" and old["services"] == sorted(services.SERVICES)  # keeps every service
    assert audit_events(db, "approver_handed_over")[0]["detail"] == {"from": approver["email"], "to": deputy["email"]}
