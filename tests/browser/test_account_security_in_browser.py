"""Account security as a person meets it in chromium: lockout after 3 failures, and a password
reset through the link in a real email (aiosmtpd on loopback). Every page is axe- and CSP-checked.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from models import users
from tests.conftest import TEST_PASSWORD

GENERIC = "Your email address or password is wrong"
NEW_PASSWORD = "tidy lantern meadow orbit"


@pytest.fixture
def mail_server(smtp_server, live_server):
    """The SMTP sink, with the live app sending to it and linking back to the live server."""
    live_server.app.config.update(
        SMTP_HOST=smtp_server.host, SMTP_PORT=smtp_server.port, SMTP_SECURITY="none", BASE_URL=live_server.url
    )
    return smtp_server


def _try_password(page, email: str, password: str) -> None:
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_three_failures_lock_the_account_and_the_right_password_is_told_so(
    page, live_server, mail_server, checked, school, make_user, db
):
    user = make_user(school, email="office@fenland.example.sch.uk")
    page.goto(live_server.url + "/sign-in")
    for attempt in range(3):
        _try_password(page, user["email"], f"wrong password number {attempt}")
        expect(page.locator(".govuk-error-summary")).to_contain_text(GENERIC)
    checked(page)
    assert users.get(db, user["id"])["locked_until"], "three failures lock the account"

    # A wrong password while locked meets the same message as any other failure.
    _try_password(page, user["email"], "yet another wrong password")
    expect(page.locator(".govuk-error-summary")).to_contain_text(GENERIC)
    # The right password is told the account is locked, until when, and how to unlock it sooner.
    _try_password(page, user["email"], TEST_PASSWORD)
    expect(page.locator(".govuk-error-summary")).to_contain_text("Your account is locked")
    expect(page.locator("#locked")).to_contain_text("unlocks by itself at")
    expect(page.get_by_role("link", name="reset your password")).to_be_visible()
    assert page.url.startswith(live_server.url + "/sign-in")
    checked(page)

    messages = mail_server.wait_for(1)
    assert messages[0]["To"] == user["email"]
    assert "locked" in messages[0].get_content()


def test_password_reset_through_the_emailed_link(page, live_server, mail_server, checked, school, make_user):
    user = make_user(school, email="data@fenland.example.sch.uk")
    page.goto(live_server.url + "/sign-in")
    page.get_by_role("link", name="I have forgotten my password").click()
    expect(page.locator("h1")).to_have_text("Reset your password")
    checked(page)
    page.get_by_label("Email address").fill(user["email"])
    page.get_by_role("button", name="Send me a link").click()
    page.wait_for_url("**/password-reset/sent")
    checked(page)

    body = mail_server.wait_for(1)[0].get_content()
    link = re.search(r"(http://127\.0\.0\.1:\d+/\S+)", body).group(1)
    page.goto(link)
    expect(page.locator("h1")).to_have_text("Choose a new password")
    checked(page)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save new password").click()

    page.goto(live_server.url + "/sign-in")
    _try_password(page, user["email"], TEST_PASSWORD)
    expect(page.locator(".govuk-error-summary")).to_contain_text(GENERIC)
    _try_password(page, user["email"], NEW_PASSWORD)
    page.wait_for_url(live_server.url + "/")
    expect(page.locator("h1")).to_have_text("Fenland Primary School")
    checked(page)

    page.goto(link)  # the link works once
    expect(page.locator("h1")).not_to_have_text("Choose a new password")
    checked(page)
