"""Two-step verification: enrolment at first sign-in, codes, reuse, recovery codes, reset."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from domain import clock
from domain.security import two_factor
from models import recovery_codes, users
from tests.conftest import TEST_PASSWORD, audit_events

START = datetime(2026, 3, 2, 9, 0, 5, tzinfo=UTC)


def _secret(html: str) -> str:
    return re.search(r'id="totp-secret">([^<]+)<', html).group(1).replace(" ", "")


def _code(secret: str, step_offset: int = 0) -> str:
    return two_factor.code_at_step(secret, two_factor.current_step(clock.now()) + step_offset)


def _enrol(client, user) -> list[str]:
    """Sign in as a user who must enrol, enrol, and return the recovery codes shown."""
    response = client.post("/sign-in", data={"email": user["email"], "password": TEST_PASSWORD})
    assert response.headers["Location"] == "/sign-in/set-up-two-step-verification"
    secret = _secret(client.get("/sign-in/set-up-two-step-verification").get_data(as_text=True))
    response = client.post("/sign-in/set-up-two-step-verification", data={"code": _code(secret)})
    assert response.headers["Location"] == "/account/recovery-codes"
    page = client.get("/account/recovery-codes").get_data(as_text=True)
    return re.findall(r"<code>([0-9a-z-]{19})</code>", page)


@pytest.fixture
def approver(school, make_user):
    return make_user(school, role="approver")


@pytest.fixture
def admin(la, make_user):
    return make_user(la, is_site_admin=True)


@pytest.fixture
def enrolled(client, approver):
    """An approver who has set up two-step verification (and is signed out again)."""
    clock.set_now(START)
    codes = _enrol(client, approver)
    client.post("/sign-out")
    clock.advance(timedelta(seconds=30))
    return {"user": approver, "codes": codes}


@pytest.mark.parametrize("who", ["approver", "admin"])
def test_must_enrol_at_first_sign_in_before_any_page(client, db, request, who):
    clock.set_now(START)
    user = request.getfixturevalue(who)
    response = client.post("/sign-in", data={"email": user["email"], "password": TEST_PASSWORD})
    assert response.headers["Location"] == "/sign-in/set-up-two-step-verification"
    # half signed in is not signed in
    assert client.get("/").status_code == 302
    assert client.get("/account").headers["Location"].startswith("/sign-in")
    page = client.get("/sign-in/set-up-two-step-verification")
    html = page.get_data(as_text=True)
    assert "<svg role=\"img\"" in html and "style=" not in html.split("<main")[1]
    secret = _secret(html)
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    wrong = client.post("/sign-in/set-up-two-step-verification", data={"code": _code(secret, -5)})
    assert wrong.status_code == 200 and "The code is not right" in wrong.get_data(as_text=True)
    assert users.get(db, user["id"])["totp_secret"] is None
    response = client.post("/sign-in/set-up-two-step-verification", data={"code": _code(secret)})
    assert response.headers["Location"] == "/account/recovery-codes"
    codes_page = client.get("/account/recovery-codes").get_data(as_text=True)
    codes = re.findall(r"<code>([0-9a-z-]{19})</code>", codes_page)
    assert len(set(codes)) == 10
    assert client.get("/account/recovery-codes").headers["Location"] == "/account"  # shown once only
    row = users.get(db, user["id"])
    assert row["totp_secret"] == secret and row["totp_enrolled_at"]
    assert recovery_codes.count_unused(db, user["id"]) == 10
    stored = [r[0] for r in db.conn.execute("SELECT code_hash FROM recovery_codes WHERE user_id = ?", (user["id"],))]
    assert not set(codes) & set(stored)  # stored hashed
    assert audit_events(db, "totp_enrolled")[-1]["actor_id"] == user["id"]
    assert client.get("/").status_code == 200


def test_enrolled_user_needs_a_code_after_the_password(client, db, enrolled):
    user = enrolled["user"]
    response = client.post("/sign-in", data={"email": user["email"], "password": TEST_PASSWORD})
    assert response.headers["Location"] == "/sign-in/code"
    assert client.get("/").status_code == 302  # not signed in yet
    secret = users.get(db, user["id"])["totp_secret"]
    response = client.post("/sign-in/code", data={"code": _code(secret)})
    assert response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    assert audit_events(db, "sign_in")[-1]["detail"] == {"method": "totp"}


def test_a_code_cannot_be_used_twice(client, db, enrolled):
    user = enrolled["user"]
    secret = users.get(db, user["id"])["totp_secret"]
    code = _code(secret)
    client.post("/sign-in", data={"email": user["email"], "password": TEST_PASSWORD})
    assert client.post("/sign-in/code", data={"code": code}).status_code == 302
    client.post("/sign-out")
    clock.advance(timedelta(seconds=10))  # same 30-second step
    client.post("/sign-in", data={"email": user["email"], "password": TEST_PASSWORD})
    response = client.post("/sign-in/code", data={"code": code})
    assert response.status_code == 200 and "has been used already" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302
    # the next code works
    assert client.post("/sign-in/code", data={"code": _code(secret, 1)}).headers["Location"] == "/"


def test_wrong_codes_count_towards_lockout(client, db, enrolled):
    user = enrolled["user"]
    client.post("/sign-in", data={"email": user["email"], "password": TEST_PASSWORD})
    for _ in range(2):
        response = client.post("/sign-in/code", data={"code": "000000"})
        assert response.status_code == 200 and "The code is not right" in response.get_data(as_text=True)
    response = client.post("/sign-in/code", data={"code": "000000"})
    assert response.headers["Location"] == "/sign-in"
    assert "too many wrong codes" in client.get("/sign-in").get_data(as_text=True)
    assert users.is_locked(users.get(db, user["id"]))
    assert audit_events(db, "account_locked")
    # the half-signed-in state is gone
    assert client.get("/sign-in/code").headers["Location"] == "/sign-in"


def test_code_form_checks_the_format(client, enrolled):
    user = enrolled["user"]
    client.post("/sign-in", data={"email": user["email"], "password": TEST_PASSWORD})
    response = client.post("/sign-in/code", data={"code": "12ab"})
    assert "The code must be 6 digits" in response.get_data(as_text=True)


def test_half_signed_in_state_lasts_five_minutes(client, db, enrolled):
    user = enrolled["user"]
    secret = users.get(db, user["id"])["totp_secret"]
    client.post("/sign-in", data={"email": user["email"], "password": TEST_PASSWORD})
    clock.advance(timedelta(minutes=5, seconds=1))
    response = client.post("/sign-in/code", data={"code": _code(secret)})
    assert response.headers["Location"] == "/sign-in"
    assert "more than 5 minutes" in client.get("/sign-in").get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_code_page_without_a_password_first(client):
    assert client.get("/sign-in/code").headers["Location"] == "/sign-in"
    assert client.get("/sign-in/recovery-code").headers["Location"] == "/sign-in"
    assert client.get("/sign-in/set-up-two-step-verification").headers["Location"] == "/sign-in"


def test_recovery_code_works_once(client, db, enrolled):
    user, codes = enrolled["user"], enrolled["codes"]
    client.post("/sign-in", data={"email": user["email"], "password": TEST_PASSWORD})
    response = client.post("/sign-in/recovery-code", data={"code": codes[0].upper().replace("-", " ")})
    assert response.headers["Location"] == "/"
    assert "You have 9 left" in client.get("/").get_data(as_text=True)
    event = audit_events(db, "recovery_code_used")[-1]
    assert event["detail"] == {"codes_left": 9} and event["actor_id"] == user["id"]
    client.post("/sign-out")
    client.post("/sign-in", data={"email": user["email"], "password": TEST_PASSWORD})
    again = client.post("/sign-in/recovery-code", data={"code": codes[0]})
    assert again.status_code == 200 and "That recovery code is not right" in again.get_data(as_text=True)
    assert users.get(db, user["id"])["failed_attempts"] == 1


def test_reset_2fa_command_makes_the_user_enrol_again(client, db, runner, enrolled):
    user = enrolled["user"]
    result = runner.invoke(args=["reset-2fa", user["email"]])
    assert result.exit_code == 0 and "reset" in result.output
    row = users.get(db, user["id"])
    assert row["totp_secret"] is None and recovery_codes.count_unused(db, user["id"]) == 0
    assert audit_events(db, "totp_reset")
    response = client.post("/sign-in", data={"email": user["email"], "password": TEST_PASSWORD})
    assert response.headers["Location"] == "/sign-in/set-up-two-step-verification"
    assert "had no two-step" in runner.invoke(args=["reset-2fa", user["email"]]).output


def test_reset_while_signed_in_sends_a_required_user_to_set_up(client, db, sign_in, approver):
    sign_in(approver)
    assert client.get("/").status_code == 200
    users.reset_totp(db, approver["id"])
    response = client.get("/")
    assert response.headers["Location"] == "/account/two-step-verification"
    htmx = client.get("/account", headers={"HX-Request": "true"})
    assert htmx.headers["HX-Redirect"] == "/account/two-step-verification"


def test_sign_in_fixture_handles_enrolment_and_codes(app, client, sign_in, admin):
    for c in (client, client, app.test_client()):  # enrol; then a code; then the next step's code
        response = sign_in(admin, client=c)
        assert response.status_code == 200 and response.request.path == "/"
        assert c.get("/outbox").status_code == 200


class TestEndUserChoice:
    @pytest.fixture
    def user(self, school, make_user):
        return make_user(school)

    def test_end_user_signs_in_without_a_code(self, client, user):
        response = client.post("/sign-in", data={"email": user["email"], "password": TEST_PASSWORD})
        assert response.headers["Location"] == "/"

    def test_end_user_sets_it_up_and_turns_it_off(self, client, db, sign_in, user):
        clock.set_now(START)
        sign_in(user)
        assert "Two-step verification is off" in client.get("/account").get_data(as_text=True)
        page = client.get("/account/two-step-verification").get_data(as_text=True)
        secret = _secret(page)
        wrong = client.post("/account/two-step-verification",
                            data={"code": _code(secret), "current_password": "not my password at all"})
        assert "Your current password is not right" in wrong.get_data(as_text=True)
        response = client.post("/account/two-step-verification",
                               data={"code": _code(secret), "current_password": TEST_PASSWORD})
        assert response.headers["Location"] == "/account/recovery-codes"
        assert len(re.findall(r"<code>", client.get("/account/recovery-codes").get_data(as_text=True))) == 10
        assert users.get(db, user["id"])["totp_secret"] == secret
        assert "On since" in client.get("/account").get_data(as_text=True)
        # next sign-in asks for a code
        client.post("/sign-out")
        assert client.post("/sign-in", data={"email": user["email"], "password": TEST_PASSWORD}
                           ).headers["Location"] == "/sign-in/code"
        clock.advance(timedelta(seconds=30))
        client.post("/sign-in/code", data={"code": _code(secret)})
        response = client.post("/account/two-step-verification/turn-off", data={"current_password": TEST_PASSWORD})
        assert response.headers["Location"] == "/account"
        assert users.get(db, user["id"])["totp_secret"] is None
        assert audit_events(db, "totp_reset")[-1]["actor_id"] == user["id"]

    def test_new_recovery_codes_replace_the_old(self, client, db, sign_in, user):
        clock.set_now(START)
        sign_in(user)
        secret = _secret(client.get("/account/two-step-verification").get_data(as_text=True))
        client.post("/account/two-step-verification", data={"code": _code(secret), "current_password": TEST_PASSWORD})
        old = re.findall(r"<code>([^<]+)</code>", client.get("/account/recovery-codes").get_data(as_text=True))
        response = client.post("/account/recovery-codes/new", data={"current_password": TEST_PASSWORD})
        assert response.headers["Location"] == "/account/recovery-codes"
        new = re.findall(r"<code>([^<]+)</code>", client.get("/account/recovery-codes").get_data(as_text=True))
        assert len(new) == 10 and not set(new) & set(old)
        assert not recovery_codes.use(db, user["id"], two_factor.hash_recovery_code(old[0]))
        assert recovery_codes.use(db, user["id"], two_factor.hash_recovery_code(new[0]))
        assert audit_events(db, "recovery_codes_regenerated")


def test_required_user_cannot_turn_it_off(client, db, sign_in, approver):
    sign_in(approver)
    assert "Turn off" not in client.get("/account").get_data(as_text=True)
    response = client.post("/account/two-step-verification/turn-off", data={"current_password": TEST_PASSWORD})
    assert response.headers["Location"] == "/account"
    assert users.get(db, approver["id"])["totp_secret"]


@pytest.mark.parametrize("query", ["/account", "/%5Cevil.example", "/%09/evil.example", "/%0D%0A/evil.example"])
def test_the_code_step_keeps_only_a_safe_next_page(client, db, enrolled, query):
    user = enrolled["user"]
    response = client.post(f"/sign-in?next={query}", data={"email": user["email"], "password": TEST_PASSWORD})
    assert response.headers["Location"] == "/sign-in/code"
    secret = users.get(db, user["id"])["totp_secret"]
    response = client.post("/sign-in/code", data={"code": _code(secret)})
    assert response.headers["Location"] == ("/account" if query == "/account" else "/")
