"""The shell every page shares: headers, error pages, permissions on every route, migrations."""

from __future__ import annotations

import re
import sqlite3

import pytest

from migrations import apply_all
from models.db import connect
from views.moved import MOVED, endpoint_name
from web.access import permission_of

PUBLIC_ENDPOINTS = {
    "static",
    "main.health",
    "auth.sign_in",
    "auth.sign_out",
    "auth.signed_out",
    "deadline_calendar.feed",
    "auth.sign_in_code",
    "auth.sign_in_recovery_code",
    "auth.set_up_two_factor",
    "auth.session_status",
    "auth.password_reset_request",
    "auth.password_reset_sent",
    "auth.password_reset",
    "invitations.accept",
    "account_requests.start",
    "account_requests.ask",
    "account_requests.sent",
    "claims.redeem",
    "claims.new_account",
} | {f"moved.{endpoint_name(old)}" for old, _new in MOVED}  # redirects only


def test_every_route_declares_a_permission(app):
    missing = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        permission = permission_of(view)
        if rule.endpoint == "static":
            continue
        if permission is None:
            missing.append(rule.endpoint)
        elif permission == "public":
            assert rule.endpoint in PUBLIC_ENDPOINTS, f"{rule.endpoint} is public but not on the public list"
    assert not missing, f"routes with no permission decorator: {missing}"


@pytest.mark.parametrize("path,status", [("/sign-in", 200), ("/no-such-page", 404), ("/", 302)])
def test_security_headers_on_every_response(client, path, status):
    response = client.get(path)
    assert response.status_code == status
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"


def test_scripts_carry_the_request_nonce(client):
    response = client.get("/sign-in")
    html = response.get_data(as_text=True)
    nonce = response.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert html.count("<script") == html.count(f'nonce="{nonce}"')
    assert " onclick=" not in html and " onload=" not in html


def test_styled_404_page(client):
    response = client.get("/no-such-page")
    html = response.get_data(as_text=True)
    assert "Page not found" in html
    assert "govuk-generic-header" in html


def test_unexpected_error_gives_styled_500(app, client):
    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    app.view_functions["boom"]._gatehouse_permission = "public"
    response = client.get("/boom")
    assert response.status_code == 500
    assert "problem with the service" in response.get_data(as_text=True)
    assert "Content-Security-Policy" in response.headers


def test_signed_out_visitor_is_sent_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


def test_htmx_request_without_session_gets_hx_redirect(client):
    response = client.get("/", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/sign-in")
    assert response.get_data() == b""


def test_migrations_apply_twice_with_the_same_schema(app):
    db = connect(app.config["DATABASE"])
    before = db.conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
    assert apply_all(db) == []
    after = db.conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
    assert [tuple(r) for r in before] == [tuple(r) for r in after]
    assert db.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.conn.close()


def test_foreign_keys_are_enforced(db):
    with pytest.raises(sqlite3.IntegrityError):
        db.conn.execute("INSERT INTO users (email, name, organisation_id) VALUES ('a@b.c', 'A', 999)")


def test_home_page_for_signed_in_user(client, sign_in, make_user, school):
    user = make_user(school)
    response = sign_in(user)
    assert response.status_code == 200
    assert "Fenland Primary School" in response.get_data(as_text=True)


def test_header_names_the_service_and_the_la_without_any_crown(client, la):
    html = client.get("/sign-in").get_data(as_text=True)
    assert '<span class="govuk-generic-header__logotype">Gatehouse</span>' in html
    assert '<span class="gatehouse-header__la">Cambridgeshire</span>' in html
    assert "&lt;span" not in html
    for gov_uk_only in ("Crown copyright", "Open Government Licence", "govuk-footer__crown", "govuk-logo"):
        assert gov_uk_only not in html
    assert "is run by Cambridgeshire for its schools" in html


def test_a_request_never_inherits_another_requests_open_transaction(app, client):
    """The connection a thread keeps is rolled back at teardown if a request left a transaction open."""
    from web.database import get_db

    @app.get("/leave-transaction-open")
    def leave_open():
        get_db().conn.execute("BEGIN IMMEDIATE")
        get_db().conn.execute(
            "INSERT INTO outbox (created_at, to_addr, subject, body, status)"
            " VALUES ('2026-01-01T00:00:00Z', 'a@b.c', 's', 'b', 'held')"
        )
        return "left open"

    @app.get("/count-outbox")
    def count_outbox():
        db = get_db()
        rows = db.conn.execute("SELECT count(*) FROM outbox").fetchone()[0]
        return {"in_transaction": db.conn.in_transaction, "rows": rows}

    for endpoint in ("leave_open", "count_outbox"):
        app.view_functions[endpoint]._gatehouse_permission = "public"
    assert client.get("/leave-transaction-open").status_code == 200
    assert client.get("/count-outbox").get_json() == {"in_transaction": False, "rows": 0}


def test_sign_in_page_leads_newcomers_to_an_account(client):
    html = client.get("/sign-in").get_data(as_text=True)
    for href in ("/password-reset", "/account-requests/new", "/claims/"):
        assert f'href="{href}"' in html
        assert client.get(href).status_code == 200


def test_several_messages_on_one_page_each_have_their_own_title_id(client):
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Saved."), ("message", "Something to know."), ("error", "And this.")]
    html = client.get("/sign-in").get_data(as_text=True)
    ids = re.findall(r'class="govuk-notification-banner__title" id="([^"]+)"', html)
    assert ids == ["govuk-notification-banner-title", "govuk-notification-banner-title-2",
                   "govuk-notification-banner-title-3"]
    for banner_id in ids:
        assert html.count(f'aria-labelledby="{banner_id}"') == 1
