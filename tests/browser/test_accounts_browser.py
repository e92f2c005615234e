"""Secure access in chromium, with real email over SMTP on loopback.

1. Someone asks for an account; an approver approves it from the emailed link; the requester
   sets a password from their email and signs in.
2. A site admin issues a claim code; a new person redeems it, sets up two-step verification
   and invites an end user.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from background.mail import mailer
from domain import clock
from domain.security import two_factor
from models import organisations, users
from models.db import transaction
from tests.conftest import TEST_PASSWORD, SmtpSink

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NEW_PASSWORD = "a passphrase for the browser test"


@pytest.fixture
def mail(live_app):
    """A real SMTP server on loopback that the live server sends through."""
    from aiosmtpd.controller import Controller

    sink = SmtpSink()
    controller = Controller(sink, hostname=sink.host, port=sink.port)
    controller.start()
    live_app.config.update(SMTP_HOST=sink.host, SMTP_PORT=sink.port, SMTP_SECURITY="none")
    yield sink
    mailer.wait_for_background()
    controller.stop()


def _mail_to(sink: SmtpSink, address: str, count: int):
    messages = sink.wait_for(count)
    found = [m for m in messages if m["To"] == address]
    assert found, f"no email to {address}: {[m['To'] for m in messages]}"
    return found[-1]


def _link(message, path_start: str) -> str:
    match = re.search(r"https?://[^/\s]+(" + re.escape(path_start) + r"\S*)", message.get_content())
    assert match, message.get_content()
    return match.group(1)


def _enrolled(db, user: dict) -> dict:
    with transaction(db):
        users.enrol_totp(db, user["id"], SECRET, 1)
    return users.get(db, user["id"])


def _sign_in(page, user: dict, password: str = TEST_PASSWORD) -> None:
    page.get_by_label("Email address").fill(user["email"])
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/sign-in/code")
    page.get_by_label("Code from your authenticator app").fill(
        two_factor.code_at_step(SECRET, two_factor.current_step(clock.now())))
    page.get_by_role("button", name="Continue").click()


def test_request_approve_from_email_then_set_password_and_sign_in(page, open_page, live_server, checked, mail, db,
                                                                  school, make_user):
    approver = _enrolled(db, make_user(school, role="approver", email="head@fenland.example.sch.uk",
                                       name="Hana Head"))
    base = live_server.url

    page.goto(base + "/account-requests/new")
    checked(page)
    page.get_by_label("Your school or organisation").fill("873/2001")
    page.get_by_role("button", name="Find").click()
    page.get_by_role("link", name="Fenland Primary School").click()
    expect(page.locator("h1")).to_have_text("Ask for an account")
    page.get_by_label("Your full name").fill("Rita Requester")
    page.get_by_label("Your work email address").fill("rita@fenland.example.sch.uk")
    page.get_by_label("Why do you need an account?").fill("I am the new data manager")
    page.get_by_label("Returns (uploads and validation)").check()
    checked(page)
    page.get_by_role("button", name="Send request").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("Request sent")
    checked(page)

    to_approver = _mail_to(mail, approver["email"], 2)
    decide = open_page()
    decide.goto(base + _link(to_approver, "/account-requests/"))
    decide.wait_for_url(re.compile(r".*/sign-in\?next=/account-requests/\d+$"))
    _sign_in(decide, approver)
    decide.wait_for_url("**/account-requests/*")
    expect(decide.locator("h1")).to_have_text("Account request from Rita Requester")
    checked(decide)
    decide.get_by_label("Approve: send them an invitation").check()
    decide.get_by_role("button", name="Save decision").click()
    banner = decide.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text("Rita Requester has been sent an invitation")
    checked(decide)

    invitation = _mail_to(mail, "rita@fenland.example.sch.uk", 3)
    assert "has been approved" in invitation.get_content()
    page.goto(base + _link(invitation, "/invitations/"))
    expect(page.locator("h1")).to_have_text("Set up your account")
    checked(page)
    page.get_by_label("Choose a password").fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password and sign in").click()
    page.wait_for_url(base + "/")
    expect(page.locator("main")).to_contain_text("Signed in as Rita Requester")
    checked(page)

    page.get_by_role("button", name="Sign out").click()
    page.goto(base + "/sign-in")
    page.get_by_label("Email address").fill("rita@fenland.example.sch.uk")
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + "/")
    expect(page.locator("main")).to_contain_text("Fenland Primary School")


def test_claim_code_redeemed_by_a_new_person_who_sets_up_2fa_and_invites(page, open_page, live_server, checked, mail,
                                                                           db, la, school, make_user):
    admin = _enrolled(db, make_user(la, email="it@la.example.gov.uk", name="Ian IT", is_site_admin=True))
    for n in range(30):  # enough schools for a second page of oversight
        organisations.create_school(db, la_code="873", estab=f"{3000 + n}", name=f"Other School {n:02d}",
                                    urn=300000 + n)
    base = live_server.url

    page.goto(base + "/sign-in")
    _sign_in(page, admin)
    page.wait_for_url(base + "/")
    page.get_by_role("link", name="Account oversight").first.click()
    checked(page)
    page.get_by_role("link", name="Page 2").click()
    expect(page.locator("#oversight-count")).to_contain_text("page 2 of 2")
    checked(page)
    page.get_by_label("Show").select_option("no_approver")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Fenland Primary School").click()
    expect(page.locator(".govuk-warning-text")).to_contain_text("has no active approver")
    checked(page)
    page.get_by_role("button", name="Issue a claim code").click()
    code = page.locator(".gatehouse-claim-code").inner_text()
    expect(page.locator(".gatehouse-letter")).to_contain_text("To the headteacher, Fenland Primary School")
    checked(page)

    newcomer = open_page()
    newcomer.goto(base + "/claims/")
    checked(newcomer)
    newcomer.get_by_label("Claim code").fill(code.lower())
    newcomer.get_by_role("button", name="Continue").click()
    newcomer.wait_for_url("**/claims/new-account")
    newcomer.get_by_label("Your full name").fill("Pat Principal")
    newcomer.get_by_label("Your work email address").fill("pat@fenland.example.sch.uk")
    newcomer.get_by_label("Choose a password").fill(NEW_PASSWORD)
    newcomer.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    checked(newcomer)
    newcomer.get_by_role("button", name="Create account and become approver").click()

    newcomer.wait_for_url("**/account/two-step-verification")
    checked(newcomer)
    newcomer.get_by_text("I cannot scan the QR code").click()
    secret = newcomer.locator("#totp-secret").inner_text().replace(" ", "")
    newcomer.get_by_label("Code from your authenticator app").fill(
        two_factor.code_at_step(secret, two_factor.current_step(clock.now())))
    # the password was chosen a moment ago: it is not asked for again
    expect(newcomer.get_by_label("Current password")).to_have_count(0)
    newcomer.get_by_role("button", name="Turn on two-step verification").click()
    newcomer.wait_for_url("**/account/recovery-codes")
    newcomer.get_by_role("link", name="I have saved my codes, continue").click()

    newcomer.get_by_role("link", name="Users").first.click()
    expect(newcomer.locator("h1")).to_have_text("Users")
    checked(newcomer)
    newcomer.get_by_role("button", name="Invite a user").click()
    newcomer.get_by_label("Full name").fill("Eddie End-User")
    newcomer.get_by_label("Email address").fill("eddie@fenland.example.sch.uk")
    newcomer.get_by_label("End user").check()
    newcomer.get_by_label("Deadlines (view)").check()
    checked(newcomer)
    newcomer.get_by_role("button", name="Send invitation").click()
    expect(newcomer.locator(".govuk-notification-banner--success")).to_contain_text(
        "Invitation sent to eddie@fenland.example.sch.uk")
    expect(newcomer.locator("#users-table")).to_contain_text("Eddie End-User")
    checked(newcomer)

    invitation = _mail_to(mail, "eddie@fenland.example.sch.uk", 3)
    assert "/invitations/" in invitation.get_content()
    to_pat = [m["Subject"] for m in mail.messages if m["To"] == "pat@fenland.example.sch.uk"]
    assert "Gatehouse: you are now an approver of Fenland Primary School" in to_pat
    assert any(m["To"] == admin["email"] and "claim code used" in m["Subject"] for m in mail.messages)
    pat = users.get_by_email(db, "pat@fenland.example.sch.uk")
    assert pat["role"] == "approver" and pat["totp_enrolled_at"]


def test_every_access_page_passes_axe_and_csp(page, live_server, checked, db, school, make_user):
    approver = _enrolled(db, make_user(school, role="approver", email="head@fenland.example.sch.uk",
                                       name="Hana Head"))
    staff = make_user(school, name="Tom Teacher", email="tom@fenland.example.sch.uk")
    make_user(school, name="Ada Approver", role="approver")
    base = live_server.url
    page.goto(base + "/sign-in")
    _sign_in(page, approver)
    page.wait_for_url(base + "/")
    org = school["id"]
    for path in (
        f"/users/organisations/{org}", f"/users/{staff['id']}", f"/users/{staff['id']}/suspend",
        f"/users/{staff['id']}/services", f"/users/{staff['id']}/role", f"/users/{staff['id']}/remove",
        f"/users/organisations/{org}/invite", f"/users/organisations/{org}/hand-over",
        f"/users/organisations/{org}/review", f"/activity/organisations/{org}", "/activity/me",
        f"/activity/users/{staff['id']}",
    ):
        page.goto(base + path)
        expect(page.locator("h1")).to_have_count(1)
        checked(page)
    page.goto(base + f"/users/{staff['id']}/suspend")
    page.get_by_role("button", name="Suspend account").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the reason for suspending the account")
    checked(page)
    page.get_by_label("Why are you suspending this account?").fill("Left in July")
    page.get_by_role("button", name="Suspend account").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("is suspended")
    checked(page)
