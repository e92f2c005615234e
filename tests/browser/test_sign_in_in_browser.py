"""Sign-in in chromium: an admin's first sign-in with two-step set-up, and the idle-session warning."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from domain import clock
from domain.security import two_factor
from models import users
from tests.conftest import TEST_PASSWORD


def test_admin_first_sign_in_sets_up_two_step_verification(page, live_server, checked, la, make_user, db):
    admin = make_user(la, is_site_admin=True, email="admin@la.example.gov.uk")
    page.goto(live_server.url + "/sign-in")
    checked(page)
    page.get_by_label("Email address").fill(admin["email"])
    page.get_by_label("Password", exact=True).fill("not the password at all")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Your email address or password is wrong")
    checked(page)

    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/sign-in/set-up-two-step-verification")
    assert page.locator(".gatehouse-qr svg").is_visible()
    checked(page)
    page.get_by_text("I cannot scan the QR code").click()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    code = two_factor.code_at_step(secret, two_factor.current_step(clock.now()))
    page.get_by_label("Code from your authenticator app").fill(code)
    page.get_by_role("button", name="Continue").click()

    page.wait_for_url("**/account/recovery-codes")
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    checked(page)
    page.get_by_role("link", name="I have saved my codes, continue").click()
    page.wait_for_url(live_server.url + "/")
    assert users.get(db, admin["id"])["totp_enrolled_at"]
    page.get_by_role("link", name="Your account").first.click()
    expect(page.locator("h1")).to_have_text("Your account")
    checked(page)


class TestIdleWarning:
    @pytest.fixture
    def live_app_config(self, live_app_config):
        live_app_config["IDLE_TIMEOUT_MINUTES"] = 0.1  # six seconds, so the warning shows at once
        return live_app_config

    def test_warning_shows_then_the_page_signs_out(self, page, live_server, checked, school, make_user):
        user = make_user(school)
        page.goto(live_server.url + "/sign-in")
        page.get_by_label("Email address").fill(user["email"])
        page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(live_server.url + "/")
        warning = page.locator(".gatehouse-session-warning")
        expect(warning).to_be_visible()
        expect(warning).to_contain_text("Stay signed in")
        checked(page)
        page.wait_for_url("**/signed-out?reason=idle", timeout=15_000)
        expect(page.locator("h1")).to_have_text("You have been signed out")
        page.goto(live_server.url + "/account")
        page.wait_for_url("**/sign-in?next=/account")
