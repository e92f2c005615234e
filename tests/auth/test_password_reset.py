"""Password reset by an emailed single-use link, through a real SMTP server on loopback."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest

from background.mail import mailer
from domain import clock
from models import users
from tests.conftest import NEW_TEST_PASSWORD, TEST_PASSWORD, audit_events, outbox

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def user(school, make_user):
    return make_user(school, name="Amelia Jones")


def _ask(client, email: str, **kwargs):
    return client.post("/password-reset", data={"email": email}, **kwargs)


def _link(message) -> str:
    body = message.get_content()
    match = re.search(r"https?://\S+/password-reset/\S+", body)
    assert match, body
    return match.group(0)


def _set(client, path: str, password: str = NEW_TEST_PASSWORD):
    return client.post(path, data={"password": password, "confirm": password})


def test_reset_through_the_emailed_link(app, client, db, smtp_server, user):
    other = app.test_client()
    other.post("/sign-in", data={"email": user["email"], "password": TEST_PASSWORD})
    assert other.get("/").status_code == 200
    response = _ask(client, user["email"].upper())
    assert response.headers["Location"] == "/password-reset/sent"
    assert "If there is an account for that email address" in client.get("/password-reset/sent").get_data(
        as_text=True)
    (message,) = smtp_server.wait_for(1)
    assert message["To"] == user["email"] and "reset your password" in message["Subject"]
    assert message["From"] == app.config["MAIL_FROM"]
    link = _link(message)
    assert link.startswith(app.config["BASE_URL"] + "/password-reset/")
    path = urlsplit(link).path
    token = path.rsplit("/", 1)[1]
    assert not db.conn.execute("SELECT 1 FROM auth_tokens WHERE token_hash = ?", (token,)).fetchone()
    page = client.get(path)
    assert page.status_code == 200 and "Choose a new password" in page.get_data(as_text=True)
    assert _set(client, path).headers["Location"] == "/sign-in"
    assert "Your password has been changed" in client.get("/sign-in").get_data(as_text=True)
    assert not other.get("/").status_code == 200  # every session ended
    assert client.post("/sign-in", data={"email": user["email"], "password": TEST_PASSWORD}).status_code == 200
    assert client.post("/sign-in", data={"email": user["email"], "password": NEW_TEST_PASSWORD}).status_code == 302
    assert audit_events(db, "password_reset_requested")[-1]["detail"] == {"link_sent": True, "within_limit": True}
    assert audit_events(db, "password_reset")[-1]["target"] == user["email"]
    messages = smtp_server.wait_for(2)
    assert "your password was changed" in messages[1]["Subject"]
    assert [m["status"] for m in outbox(db)] == ["sent", "sent"]


def test_a_used_link_does_not_work_again(client, smtp_server, user):
    _ask(client, user["email"])
    path = urlsplit(_link(smtp_server.wait_for(1)[0])).path
    assert _set(client, path).status_code == 302
    again = client.get(path)
    assert again.status_code == 410
    html = again.get_data(as_text=True)
    assert "This link no longer works" in html and 'href="/password-reset"' in html
    assert _set(client, path, "yet another long passphrase").status_code == 410


def test_a_link_runs_out_after_thirty_minutes(client, db, smtp_server, user):
    clock.set_now(START)
    _ask(client, user["email"])
    path = urlsplit(_link(smtp_server.wait_for(1)[0])).path
    clock.advance(timedelta(minutes=29))
    assert client.get(path).status_code == 200
    clock.advance(timedelta(minutes=1, seconds=1))
    assert client.get(path).status_code == 410
    assert _set(client, path).status_code == 410
    assert users.get(db, user["id"])["password_hash"] == user["password_hash"]


def test_a_newer_link_replaces_the_older(client, smtp_server, user):
    _ask(client, user["email"])
    smtp_server.wait_for(1)
    _ask(client, user["email"])
    first, second = smtp_server.wait_for(2)
    assert client.get(urlsplit(_link(first)).path).status_code == 410
    assert client.get(urlsplit(_link(second)).path).status_code == 200


def test_unknown_email_gets_the_same_answer_and_no_email(client, db, smtp_server, user):
    known = _ask(client, user["email"])
    unknown = _ask(client, "nobody@nowhere.example")
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    mailer.wait_for_background()
    assert [m["To"] for m in smtp_server.wait_for(1)] == [user["email"]]
    assert audit_events(db, "password_reset_requested")[-1]["detail"]["link_sent"] is False


def test_suspended_account_gets_no_link(client, smtp_server, school, make_user):
    suspended = make_user(school, status="suspended")
    assert _ask(client, suspended["email"]).headers["Location"] == "/password-reset/sent"
    mailer.wait_for_background()
    assert smtp_server.messages == []


def test_policy_applies_to_the_new_password(client, db, smtp_server, user):
    _ask(client, user["email"])
    path = urlsplit(_link(smtp_server.wait_for(1)[0])).path
    response = _set(client, path, "qwertyuiop123")
    assert response.status_code == 200 and "most commonly used" in response.get_data(as_text=True)
    response = _set(client, path, user["email"])
    assert "must not be your email address" in response.get_data(as_text=True)
    assert client.get(path).status_code == 200  # the link still works after a refused password


def test_reset_unlocks_a_locked_account(client, db, smtp_server, user):
    for _ in range(3):
        client.post("/sign-in", data={"email": user["email"], "password": "not my password at all"})
    assert users.is_locked(users.get(db, user["id"]))
    _ask(client, user["email"])
    messages = smtp_server.wait_for(2)  # the lock email, then the reset link
    reset = next(m for m in messages if "reset your password" in m["Subject"])
    _set(client, urlsplit(_link(reset)).path)
    assert not users.is_locked(users.get(db, user["id"]))
    assert audit_events(db, "account_unlocked")[-1]["detail"] == {"by": "password_reset"}
    assert client.post("/sign-in", data={"email": user["email"], "password": NEW_TEST_PASSWORD}).status_code == 302


def test_email_form_checks_the_address(client):
    response = client.post("/password-reset", data={"email": "not an email"})
    assert response.status_code == 200 and "in the correct format" in response.get_data(as_text=True)


class TestLimits:
    @pytest.fixture
    def app_config(self, app_config):
        app_config["PASSWORD_RESET_EMAIL_LIMIT"] = 2
        app_config["PASSWORD_RESET_IP_LIMIT"] = 4
        app_config["PASSWORD_RESET_WINDOW_MINUTES"] = 60
        return app_config

    def test_per_email_limit_sends_nothing_more_but_answers_the_same(self, client, db, smtp_server, user):
        for _ in range(3):
            assert _ask(client, user["email"]).headers["Location"] == "/password-reset/sent"
        mailer.wait_for_background()
        assert len(smtp_server.messages) == 2
        assert audit_events(db, "password_reset_requested")[-1]["detail"] == {
            "link_sent": False, "within_limit": False}

    def test_per_ip_limit(self, client, db, smtp_server, user):
        clock.set_now(START)
        for n in range(4):
            assert _ask(client, f"someone{n}@nowhere.example").status_code == 302
        response = _ask(client, user["email"])
        assert response.status_code == 429 and "Too many" in response.get_data(as_text=True)
        assert _ask(client, user["email"], environ_base={"REMOTE_ADDR": "10.9.8.7"}).status_code == 302
        assert len(audit_events(db, "password_reset_throttled")) == 1
        clock.advance(timedelta(minutes=61))
        assert _ask(client, user["email"]).status_code == 302
