"""Caps: seats per role, enforced atomically even when invitations race each other."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain import clock
from models import accounts, invitations, organisations
from models.db import connect, scalar
from tests.accounts.factories import race


def _invite(db, config, org, n, role="end_user", actor=None):
    return invitations.invite(db, config, organisation=org, email=f"person{n}@fenland.example.sch.uk",
                              name=f"Person {n}", role=role, actor=actor)


def test_school_defaults_and_no_cap_for_the_la(app, la, school):
    assert accounts.caps(school, app.config) == {"approver": 2, "end_user": 7}
    assert accounts.caps(la, app.config) == {"approver": None, "end_user": None}


def test_an_organisations_own_caps_win(app, db, school, approver):
    accounts.set_caps(db, school["id"], approver_cap=3, end_user_cap=20, actor=approver)
    assert accounts.caps(organisations.get(db, school["id"]), app.config) == {"approver": 3, "end_user": 20}
    accounts.set_caps(db, school["id"], approver_cap=None, end_user_cap=None, actor=approver)
    assert accounts.caps(organisations.get(db, school["id"]), app.config) == {"approver": 2, "end_user": 7}


def test_settings_change_the_default(app, school):
    app.config.update(APPROVER_CAP=1, END_USER_CAP=30)
    assert accounts.caps(school, app.config) == {"approver": 1, "end_user": 30}


def test_the_eighth_end_user_is_refused(app, db, school):
    for n in range(7):
        _invite(db, app.config, school, n)
    with pytest.raises(accounts.CapReached, match="already has 7 end users"):
        _invite(db, app.config, school, 8)
    assert scalar(db, "SELECT count(*) FROM users WHERE organisation_id = ?", (school["id"],)) == 7


def test_concurrent_invitations_never_pass_the_cap(app, school):
    """Ten approvers' invitations at once, each on its own connection, against a cap of 7."""

    def invite(n: int):
        def call(conn):
            _invite(conn, app.config, school, n)
            return "invited"
        return call

    outcomes = race(app.config["DATABASE"], [invite(n) for n in range(10)], accounts.CapReached)
    db = connect(app.config["DATABASE"])
    assert sorted(outcomes) == ["invited"] * 7 + ["refused"] * 3
    assert scalar(db, "SELECT count(*) FROM users WHERE organisation_id = ? AND status = 'invited'",
                  (school["id"],)) == 7
    db.conn.close()


def test_concurrent_promotions_never_pass_the_approver_cap(app, db, school, make_user, approver):
    people = [make_user(school) for _ in range(5)]

    def promote(user):
        return lambda conn: accounts.change_role(conn, user["id"], "approver", app.config, actor=approver)

    results = race(app.config["DATABASE"], [promote(u) for u in people], accounts.CapReached)
    assert results.count(True) == 1 and results.count("refused") == 4
    assert accounts.seats_taken(db, school["id"], "approver") == 2


def test_an_expired_invitation_frees_its_seat(app, db, school):
    for n in range(7):
        _invite(db, app.config, school, n)
    clock.set_now(clock.now() + timedelta(days=14, seconds=1))
    assert accounts.seats_taken(db, school["id"], "end_user") == 0
    _invite(db, app.config, school, 99)


def test_suspended_accounts_free_their_seat_and_need_one_back(app, db, school, make_user, approver):
    people = [make_user(school) for _ in range(7)]
    accounts.suspend(db, people[0]["id"], "On long leave", actor=approver)
    _invite(db, app.config, school, 1)
    with pytest.raises(accounts.CapReached):
        accounts.reactivate(db, people[0]["id"], app.config, actor=approver)
    assert accounts.get_user(db, people[0]["id"])["status"] == "suspended"


def test_lowering_a_cap_takes_nobody_away(app, db, school, make_user, approver):
    for _ in range(5):
        make_user(school)
    accounts.set_caps(db, school["id"], approver_cap=None, end_user_cap=3, actor=approver)
    assert len([u for u in accounts.list_users(db, school["id"]) if u["state"] == "active"]) == 6
    with pytest.raises(accounts.CapReached):
        _invite(db, app.config, organisations.get(db, school["id"]), 1)


def test_seat_summary(app, db, school, make_user, approver):
    make_user(school)
    _invite(db, app.config, school, 1)
    summary = accounts.seat_summary(db, school, app.config)
    assert summary == {"approver": {"taken": 1, "cap": 2, "free": 1}, "end_user": {"taken": 2, "cap": 7, "free": 5}}
