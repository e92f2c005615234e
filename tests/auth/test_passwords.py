"""Changing a password: the policy, forced changes (must_change_password, expiry), emails."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain import clock
from domain.security import password_policy
from models import users
from tests.conftest import NEW_TEST_PASSWORD, TEST_PASSWORD, audit_events, outbox

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _change(client, current=TEST_PASSWORD, new=NEW_TEST_PASSWORD, confirm=None):
    return client.post("/account/change-password", data={
        "current_password": current, "password": new, "confirm": new if confirm is None else confirm,
    })


@pytest.fixture
def user(school, make_user):
    return make_user(school)


@pytest.mark.parametrize("new,message", [
    ("short pw 11", password_policy.TOO_SHORT),
    ("x" * 129, password_policy.TOO_LONG),
    ("1q2w3e4r5t6y", password_policy.TOO_COMMON),
    ("PASSWORD1234", password_policy.TOO_COMMON),
])
def test_policy_applies(client, db, sign_in, user, new, message):
    sign_in(user)
    response = _change(client, new=new)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert message in html and "govuk-error-summary" in html
    assert users.get(db, user["id"])["password_hash"] == user["password_hash"]


def test_wrong_current_password(client, db, sign_in, user):
    sign_in(user)
    response = _change(client, current="not my password at all")
    assert "Your current password is not right" in response.get_data(as_text=True)
    assert users.get(db, user["id"])["password_hash"] == user["password_hash"]


def test_confirmation_must_match_and_new_must_differ(client, sign_in, user):
    sign_in(user)
    assert "The passwords do not match" in _change(client, confirm="something else entirely").get_data(as_text=True)
    same = _change(client, new=TEST_PASSWORD)
    assert "must be different from your current password" in same.get_data(as_text=True)


def test_change_password(client, db, sign_in, user, post_sign_in=None):
    sign_in(user)
    response = _change(client)
    assert response.headers["Location"] == "/account"
    assert "Your password has been changed" in client.get("/account").get_data(as_text=True)
    row = users.get(db, user["id"])
    assert row["session_version"] == user["session_version"] + 1
    assert audit_events(db, "password_changed")[-1]["actor_id"] == user["id"]
    client.post("/sign-out")
    refused = client.post("/sign-in", data={"email": user["email"], "password": TEST_PASSWORD})
    assert refused.status_code == 200
    assert client.post("/sign-in", data={"email": user["email"], "password": NEW_TEST_PASSWORD}).status_code == 302
    assert outbox(db)[-1]["subject"].endswith("your password was changed")


def test_must_change_password_comes_before_anything_else(client, db, school, make_user):
    user = make_user(school, must_change_password=True)
    response = client.post("/sign-in", data={"email": user["email"], "password": TEST_PASSWORD})
    assert response.headers["Location"] == "/"
    assert client.get("/").headers["Location"] == "/account/change-password"
    assert client.get("/account").headers["Location"] == "/account/change-password"
    page = client.get("/account/change-password").get_data(as_text=True)
    assert "choose your own password before you carry on" in page
    assert _change(client).headers["Location"] == "/"
    assert client.get("/").status_code == 200
    assert users.get(db, user["id"])["must_change_password"] == 0
    assert audit_events(db, "password_changed")[-1]["detail"] == {"forced": True}


def test_demo_admin_enrols_then_changes_password(client, db, la, make_user, sign_in):
    admin = make_user(la, is_site_admin=True, must_change_password=True)
    response = sign_in(admin)
    assert response.status_code == 200 and response.request.path == "/"
    row = users.get(db, admin["id"])
    assert row["totp_enrolled_at"] and not row["must_change_password"]
    actions = [e["action"] for e in audit_events(db)]
    assert actions.index("totp_enrolled") < actions.index("password_changed")


def test_sign_out_still_works_while_a_change_is_due(client, school, make_user):
    user = make_user(school, must_change_password=True)
    client.post("/sign-in", data={"email": user["email"], "password": TEST_PASSWORD})
    assert client.post("/sign-out").headers["Location"] == "/signed-out"


class TestExpiry:
    @pytest.fixture
    def app_config(self, app_config):
        app_config["PASSWORD_EXPIRY_DAYS"] = 90
        return app_config

    def test_old_password_must_be_changed(self, client, school, make_user):
        clock.set_now(START)
        user = make_user(school)
        clock.advance(timedelta(days=89))
        client.post("/sign-in", data={"email": user["email"], "password": TEST_PASSWORD})
        assert client.get("/").status_code == 200
        client.post("/sign-out")
        clock.advance(timedelta(days=1))
        client.post("/sign-in", data={"email": user["email"], "password": TEST_PASSWORD})
        assert client.get("/").headers["Location"] == "/account/change-password"
        assert "more than 90 days old" in client.get("/account/change-password").get_data(as_text=True)
        assert _change(client).headers["Location"] == "/"
        assert client.get("/").status_code == 200


def test_no_expiry_by_default(client, school, make_user):
    clock.set_now(START)
    user = make_user(school)
    clock.advance(timedelta(days=3650))
    client.post("/sign-in", data={"email": user["email"], "password": TEST_PASSWORD})
    assert client.get("/").status_code == 200
