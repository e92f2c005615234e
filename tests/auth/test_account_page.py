"""The account page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain import clock


def test_account_page_shows_who_you_are(client, sign_in, school, make_user):
    clock.set_now(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    user = make_user(school, role="approver", name="Amelia Jones")
    sign_in(user)
    client.post("/sign-out")
    clock.advance(timedelta(days=1))
    sign_in(user)
    html = client.get("/account").get_data(as_text=True)
    for text in ("Amelia Jones", user["email"], "Fenland Primary School", "Approver", "2 March 2026 at 9:00am"):
        assert text in html
    assert html.count("<h1") == 1
    assert 'href="/account/change-password"' in html
    assert 'href="/account/recovery-codes/new"' in html


def test_first_sign_in_shows_never(client, sign_in, school, make_user):
    sign_in(make_user(school))
    assert "Never" in client.get("/account").get_data(as_text=True)


def test_account_page_needs_sign_in(client):
    assert client.get("/account").headers["Location"].startswith("/sign-in")
