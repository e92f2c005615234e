"""Signing in with a password: generic failures, lockout, per-IP throttle, rehash, CSRF."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from domain import clock
from domain.security.passwords import hash_password, hasher
from models import users
from tests.conftest import TEST_PASSWORD, audit_events, csrf_token_from, outbox
from views.auth import GENERIC_FAILURE

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _failure_page(response) -> str:
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert GENERIC_FAILURE in html
    return html


def test_end_user_signs_in(client, db, school, make_user, post_sign_in):
    user = make_user(school)
    response = post_sign_in(user["email"])
    assert response.status_code == 302 and response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200 and user["email"] in home.get_data(as_text=True)
    event = audit_events(db, "sign_in")[-1]
    assert event["actor_id"] == user["id"] and event["detail"] == {"method": "password"}
    assert users.get(db, user["id"])["last_sign_in_at"] is not None


def test_email_is_case_insensitive(client, school, make_user, post_sign_in):
    user = make_user(school)
    assert post_sign_in("  " + user["email"].upper()).status_code == 302


@pytest.mark.parametrize("case", ["unknown email", "wrong password", "suspended", "locked"])
def test_one_generic_message_for_every_failure(client, db, school, make_user, post_sign_in, case):
    user = make_user(school, status="suspended" if case == "suspended" else "active")
    if case == "locked":
        for _ in range(3):
            post_sign_in(user["email"], "wrong password entirely")
    email = "nobody@nowhere.example" if case == "unknown email" else user["email"]
    # a locked account with a wrong password answers as an unknown email does (no enumeration)
    password = "wrong password entirely" if case in ("wrong password", "locked") else TEST_PASSWORD
    html = _failure_page(post_sign_in(email, password))
    assert "locked" not in html.lower() and "suspended" not in html.lower()
    assert client.get("/").status_code == 302  # not signed in
    assert audit_events(db, "sign_in_failed")[-1]["target"] == email


def test_three_failures_lock_the_account_and_email_the_user(client, db, school, make_user, post_sign_in):
    user = make_user(school)
    for _ in range(3):
        _failure_page(post_sign_in(user["email"], "not my password at all"))
    row = users.get(db, user["id"])
    assert row["failed_attempts"] == 3 and row["locked_until"]
    assert users.is_locked(row)
    _failure_page(post_sign_in(user["email"], "still not my password"))  # wrong password while locked: generic
    response = post_sign_in(user["email"])  # the right password meets the lock: it says so
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Your account is locked" in html and 'id="locked"' in html
    assert "unlocks by itself at" in html and "/password-reset" in html and "approver" in html
    assert client.get("/").status_code == 302  # still not signed in
    locked = audit_events(db, "account_locked")
    assert len(locked) == 1 and locked[0]["target"] == user["email"]
    mails = outbox(db)
    # one email, when it locked
    assert [m["to_addr"] for m in mails] == [user["email"]]
    assert all("locked" in m["subject"] and "/password-reset" in m["body"] for m in mails)
    assert {m["status"] for m in mails} == {"held"}


def test_success_resets_the_failure_count(client, db, school, make_user, post_sign_in):
    user = make_user(school)
    for _ in range(2):
        post_sign_in(user["email"], "not my password at all")
    assert post_sign_in(user["email"]).status_code == 302
    assert users.get(db, user["id"])["failed_attempts"] == 0
    client.post("/sign-out")
    for _ in range(2):
        post_sign_in(user["email"], "not my password at all")
    assert not users.is_locked(users.get(db, user["id"]))
    assert post_sign_in(user["email"]).status_code == 302


def test_lock_runs_out_after_thirty_minutes(client, db, school, make_user, post_sign_in):
    clock.set_now(START)
    user = make_user(school)
    for _ in range(3):
        post_sign_in(user["email"], "not my password at all")
    clock.advance(timedelta(minutes=29))
    still_locked = post_sign_in(user["email"])
    assert still_locked.status_code == 200 and "Your account is locked" in still_locked.get_data(as_text=True)
    clock.advance(timedelta(minutes=1, seconds=1))
    assert post_sign_in(user["email"]).status_code == 302


def test_unlock_user_command(client, db, runner, school, make_user, post_sign_in):
    user = make_user(school)
    for _ in range(3):
        post_sign_in(user["email"], "not my password at all")
    result = runner.invoke(args=["unlock-user", user["email"].upper()])
    assert result.exit_code == 0, result.output
    assert "Unlocked" in result.output
    assert audit_events(db, "account_unlocked")[-1]["detail"] == {"via": "unlock-user command"}
    assert post_sign_in(user["email"]).status_code == 302
    again = runner.invoke(args=["unlock-user", user["email"]])
    assert "was not locked" in again.output


def test_unlock_user_command_with_unknown_email(runner, app):
    result = runner.invoke(args=["unlock-user", "nobody@nowhere.example"])
    assert result.exit_code == 1 and "There is no account" in result.output


def test_models_unlock_for_approvers(db, school, make_user, post_sign_in):
    user = make_user(school)
    approver = make_user(school, role="approver")
    for _ in range(3):
        post_sign_in(user["email"], "not my password at all")
    assert users.unlock(db, user["id"], actor=approver)
    assert not users.is_locked(users.get(db, user["id"]))
    assert audit_events(db, "account_unlocked")[-1]["actor_id"] == approver["id"]


def test_rehash_on_sign_in_when_parameters_changed(app, db, school, make_user, post_sign_in):
    old_hash = hash_password(hasher(time_cost=2, memory_kib=2048, parallelism=1), TEST_PASSWORD)
    user = users.create(db, email="old@school.example", name="Old Hash", organisation_id=school["id"],
                        password_hash=old_hash)
    assert post_sign_in(user["email"]).status_code == 302
    new_hash = users.get(db, user["id"])["password_hash"]
    assert new_hash != old_hash and "m=1024,t=1,p=1" in new_hash


def test_next_page_is_kept_and_outside_addresses_refused(client, school, make_user, post_sign_in):
    user = make_user(school)
    response = client.get("/account")
    assert response.headers["Location"] == "/sign-in?next=/account"
    assert client.post("/sign-in?next=/account", data={"email": user["email"], "password": TEST_PASSWORD}
                       ).headers["Location"] == "/account"
    client.post("/sign-out")
    response = client.post("/sign-in?next=//evil.example/", data={"email": user["email"], "password": TEST_PASSWORD})
    assert response.headers["Location"] == "/"


def test_sign_in_starts_a_new_session(client, school, make_user, post_sign_in):
    user = make_user(school)
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker"
    post_sign_in(user["email"])
    with client.session_transaction() as sess:
        assert "planted" not in sess and sess["sv"] == user["session_version"]


def test_session_cookie_flags(client, school, make_user, post_sign_in):
    user = make_user(school)
    cookie = post_sign_in(user["email"]).headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_sign_in_page_links_to_password_reset(client):
    assert 'href="/password-reset"' in client.get("/sign-in").get_data(as_text=True)


class TestCsrf:
    @pytest.fixture
    def app_config(self, app_config):
        app_config["WTF_CSRF_ENABLED"] = True
        return app_config

    def test_post_without_token_is_refused(self, client, school, make_user):
        user = make_user(school)
        response = client.post("/sign-in", data={"email": user["email"], "password": TEST_PASSWORD})
        assert response.status_code == 400
        assert client.get("/").status_code == 302

    def test_post_with_token_signs_in(self, client, school, make_user):
        user = make_user(school)
        token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
        response = client.post("/sign-in", data={"email": user["email"], "password": TEST_PASSWORD,
                                                  "csrf_token": token})
        assert response.status_code == 302 and response.headers["Location"] == "/"


class TestIpThrottle:
    @pytest.fixture
    def app_config(self, app_config):
        app_config["SIGNIN_IP_LIMIT"] = 4
        app_config["SIGNIN_IP_WINDOW_MINUTES"] = 15
        return app_config

    def test_many_failures_from_one_address_are_throttled(self, client, db, school, make_user, post_sign_in):
        clock.set_now(START)
        people = [make_user(school) for _ in range(6)]
        for person in people[:4]:
            _failure_page(post_sign_in(person["email"], "guess number one"))
        response = post_sign_in(people[4]["email"], "guess number one")
        assert response.status_code == 429
        assert "Too many" in response.get_data(as_text=True)
        assert "govuk-generic-header" in response.get_data(as_text=True)  # the styled page
        # even the right password is not checked from a throttled address
        assert post_sign_in(people[5]["email"]).status_code == 429
        # the throttle did not touch anyone's account counters
        assert [users.get(db, p["id"])["failed_attempts"] for p in people] == [1, 1, 1, 1, 0, 0]
        assert len(audit_events(db, "signin_throttled")) == 1
        # another address is not affected
        other = post_sign_in(people[5]["email"], environ_base={"REMOTE_ADDR": "10.1.2.3"})
        assert other.status_code == 302
        # and the window passes
        client.post("/sign-out", environ_base={"REMOTE_ADDR": "10.1.2.3"})
        clock.advance(timedelta(minutes=16))
        assert post_sign_in(people[4]["email"]).status_code == 302

    def test_unknown_emails_count_towards_the_throttle(self, client, post_sign_in, app):
        for n in range(4):
            _failure_page(post_sign_in(f"nobody{n}@nowhere.example"))
        assert post_sign_in("nobody@nowhere.example").status_code == 429


@pytest.mark.parametrize(
    "query",
    ["/%5Cevil.example", "%5C/evil.example", "/%5C/evil.example", "/%09/evil.example", "/%0D%0A/evil.example",
     "%2F%2Fevil.example", "/%252F%252Fevil.example", "/%EF%BC%8Fevil.example", "https:evil.example",
     "/account%0D%0ASet-Cookie:%20x=1"],
)  # fmt: skip
def test_sign_in_never_sends_anyone_off_the_site(client, school, make_user, query):
    user = make_user(school)
    assert client.get(f"/sign-in?next={query}").status_code == 200
    response = client.post(f"/sign-in?next={query}", data={"email": user["email"], "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_a_locked_account_with_a_wrong_password_answers_as_an_unknown_email(client, school, make_user, post_sign_in):
    user = make_user(school)
    for _ in range(3):
        post_sign_in(user["email"], "wrong password entirely")
    locked = post_sign_in(user["email"], "wrong password entirely")
    unknown = post_sign_in("nobody@nowhere.example", "wrong password entirely")
    assert locked.status_code == unknown.status_code == 200

    def page(response, email):
        html = response.get_data(as_text=True).replace(email, "EMAIL")
        # per-response values: the CSP nonce and the CSRF token htmx sends (its signature carries the time)
        return re.sub(r'nonce="[^"]+"|X-CSRFToken&#34;: &#34;[^&]+&#34;', "", html)

    assert page(locked, user["email"]) == page(unknown, "nobody@nowhere.example")
