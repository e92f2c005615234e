"""Sessions: idle and absolute timeouts, htmx redirects, ending every session on password change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app import create_app
from domain import clock
from tests.conftest import NEW_TEST_PASSWORD, TEST_PASSWORD

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def user(school, make_user):
    return make_user(school)


def _signed_in(c) -> bool:
    return c.get("/").status_code == 200


def test_idle_for_thirty_minutes_ends_the_session(client, sign_in, user):
    clock.set_now(START)
    sign_in(user)
    clock.advance(timedelta(minutes=30))
    assert _signed_in(client)  # exactly 30 minutes idle is still allowed
    clock.advance(timedelta(minutes=30, seconds=1))
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You were signed out because your session ended" in page
    assert not _signed_in(client)


def test_activity_keeps_the_session_alive(client, sign_in, user):
    clock.set_now(START)
    sign_in(user)
    for _ in range(5):
        clock.advance(timedelta(minutes=25))
        assert _signed_in(client)


def test_twelve_hours_ends_the_session_whatever_happens(client, sign_in, user):
    clock.set_now(START)
    sign_in(user)
    for _ in range(35):  # active every 20 minutes for 11 h 40 min
        clock.advance(timedelta(minutes=20))
        assert _signed_in(client)
    clock.advance(timedelta(minutes=20, seconds=1))
    assert not _signed_in(client)


def test_htmx_request_with_an_idle_session_gets_hx_redirect(client, sign_in, user):
    clock.set_now(START)
    sign_in(user)
    clock.advance(timedelta(minutes=31))
    response = client.get("/account", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/sign-in")
    assert response.get_data() == b""
    assert "your session ended" in client.get(response.headers["HX-Redirect"]).get_data(as_text=True)


def test_session_status_does_not_count_as_activity(client, sign_in, user):
    clock.set_now(START)
    sign_in(user)
    clock.advance(timedelta(minutes=10))
    assert client.get("/session/status").get_json() == {"signed_in": True, "seconds_left": 20 * 60}
    clock.advance(timedelta(minutes=10))
    assert client.get("/session/status").get_json()["seconds_left"] == 10 * 60
    clock.advance(timedelta(minutes=10, seconds=1))
    assert client.get("/session/status").get_json() == {"signed_in": False, "seconds_left": 0}


def test_session_status_counts_down_to_the_absolute_limit(client, sign_in, user):
    clock.set_now(START)
    sign_in(user)
    for _ in range(35):
        clock.advance(timedelta(minutes=20))
        client.get("/")
    # 11 h 40 min in: 20 minutes left before the absolute limit, less than the idle 30
    assert client.get("/session/status").get_json()["seconds_left"] == 20 * 60


def test_page_tells_the_warning_script_how_long_is_left(client, sign_in, user):
    clock.set_now(START)
    sign_in(user)
    html = client.get("/").get_data(as_text=True)
    assert 'data-session-expires-in="1800"' in html
    assert 'data-status-url="/session/status"' in html


def test_idle_sign_out_link_only_works_when_really_idle(client, sign_in, user):
    clock.set_now(START)
    sign_in(user)
    clock.advance(timedelta(minutes=5))
    response = client.get("/signed-out?reason=idle")
    assert response.status_code == 302 and _signed_in(client)  # a link from elsewhere cannot sign you out
    clock.advance(timedelta(minutes=29, seconds=30))
    page = client.get("/signed-out?reason=idle")
    assert page.status_code == 200 and "You have been signed out" in page.get_data(as_text=True)
    assert not _signed_in(client)


def test_sign_out_ends_the_session(client, sign_in, user):
    sign_in(user)
    response = client.post("/sign-out")
    assert response.headers["Location"] == "/signed-out"
    assert not _signed_in(client)


def test_password_change_ends_other_sessions_but_not_this_one(app, client, sign_in, user):
    other = app.test_client()
    sign_in(user)
    sign_in(user, client=other)
    assert _signed_in(client) and _signed_in(other)
    response = client.post("/account/change-password", data={
        "current_password": TEST_PASSWORD, "password": NEW_TEST_PASSWORD, "confirm": NEW_TEST_PASSWORD,
    })
    assert response.status_code == 302
    assert _signed_in(client)
    assert not _signed_in(other)
    # the old cookie of the other browser cannot come back
    assert other.get("/account").status_code == 302


def test_suspension_ends_the_session(client, db, sign_in, user):
    sign_in(user)
    db.conn.execute("UPDATE users SET status = 'suspended' WHERE id = ?", (user["id"],))
    assert not _signed_in(client)


def test_cookie_is_secure_in_production(tmp_path):
    production = create_app({
        "ENV": "production", "SECRET_KEY": "k" * 64, "INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE": str(tmp_path / "p.db"), "FILES_DIR": str(tmp_path / "files"),
    })
    assert production.config["SESSION_COOKIE_SECURE"] is True
    assert production.config["SESSION_COOKIE_HTTPONLY"] is True
    assert production.config["SESSION_COOKIE_SAMESITE"] == "Lax"
