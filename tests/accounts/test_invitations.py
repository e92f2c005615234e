"""Invitations: invite, the emailed single-use link, password and 2FA, resend, revoke, expiry, rules."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from domain import clock
from domain.security import two_factor
from models import accounts, invitations, users
from models.db import scalar
from tests.conftest import TEST_PASSWORD, audit_events, link_in, outbox, sign_in_through_forms

NEW_PASSWORD = "a long and private passphrase"


@pytest.fixture
def signed_in_approver(client, sign_in, approver):
    assert sign_in(approver).status_code == 200
    return approver


def _invite_on_the_web(client, school, **fields):
    data = {"name": "Nina New", "email": "nina@fenland.example.sch.uk", "role": "end_user", "services": ["returns"]}
    data.update(fields)
    return client.post(f"/users/organisations/{school['id']}/invite", data=data)


def test_invite_accept_and_sign_in_with_real_email(app, db, client, school, smtp_server, signed_in_approver):
    response = _invite_on_the_web(client, school)
    assert response.status_code == 302
    [mail] = smtp_server.wait_for(1)
    assert mail["To"] == "nina@fenland.example.sch.uk" and "your account at Fenland Primary School" in mail["Subject"]
    body = mail.get_content()
    assert "for 14 days" in body
    path = link_in(body, "/invitations/")
    invited = users.get_by_email(db, "nina@fenland.example.sch.uk")
    assert invited["status"] == "invited" and invited["password_hash"] is None
    assert accounts.get_user(db, invited["id"])["services"] == ["returns"]
    [event] = audit_events(db, "user_invited")
    assert event["actor_id"] == signed_in_approver["id"] and event["detail"]["via"] == "invitation"
    assert path.split("/")[-1] not in str(scalar(db, "SELECT group_concat(token_hash) FROM auth_tokens"))

    newcomer = app.test_client()
    page = newcomer.get(path)
    assert page.status_code == 200 and "nina@fenland.example.sch.uk" in page.get_data(as_text=True)
    weak = newcomer.post(path, data={"password": "short", "confirm": "short"})
    assert "at least 12 characters" in weak.get_data(as_text=True)
    done = newcomer.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"] == "/"
    assert newcomer.get("/").status_code == 200  # signed in, no 2FA needed for a school end user
    active = users.get(db, invited["id"])
    assert active["status"] == "active" and active["last_sign_in_at"]
    assert audit_events(db, "invitation_accepted")[0]["actor_id"] == invited["id"]
    assert newcomer.get(path).status_code == 410  # single use
    mails = smtp_server.wait_for(2)
    assert "your account is ready" in mails[1]["Subject"]
    other = app.test_client()
    assert sign_in_through_forms(other, db, active, password=NEW_PASSWORD).status_code == 200


def test_an_invited_approver_must_set_up_two_step_verification(app, db, client, school, signed_in_approver):
    _invite_on_the_web(client, school, role="approver", email="second@fenland.example.sch.uk")
    path = link_in(outbox(db, "second@fenland.example.sch.uk")[0]["body"], "/invitations/")
    newcomer = app.test_client()
    assert "two-step verification" in newcomer.get(path).get_data(as_text=True)
    newcomer.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    gate = newcomer.get("/")
    assert gate.status_code == 302 and gate.headers["Location"] == "/account/two-step-verification"


@pytest.mark.parametrize("setting,gated", [(True, True), (False, False)])
def test_la_staff_need_two_step_verification_by_setting(app, db, la, la_approver, setting, gated):
    app.config["REQUIRE_2FA_FOR_LA_STAFF"] = setting
    user, token = invitations.invite(db, app.config, organisation=la, email="analyst@la.example.gov.uk",
                                     name="Ann Analyst", role="end_user", actor=la_approver)
    newcomer = app.test_client()
    newcomer.post(f"/invitations/{token}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    response = newcomer.get("/")
    assert (response.status_code == 302 and "two-step" in response.headers["Location"]) == gated


@pytest.mark.parametrize(
    "email,message",
    [
        ("someone@gmail.com", "personal email services"),
        ("someone@hotmail.co.uk", "personal email services"),
        ("not an email", "correct format"),
        ("head@fenland.example.sch.uk", "already has an account at Fenland Primary School"),
    ],
)
def test_refused_addresses(db, client, school, signed_in_approver, email, message):
    page = _invite_on_the_web(client, school, email=email)
    assert page.status_code == 200 and message in page.get_data(as_text=True)
    assert audit_events(db, "user_invited") == []


def test_an_address_used_at_another_school_is_refused_without_details(db, client, school, other_school, make_user,
                                                                      signed_in_approver):
    make_user(other_school, email="busy@other.example.sch.uk")
    html = _invite_on_the_web(client, school, email="busy@other.example.sch.uk").get_data(as_text=True)
    assert "already used by a Gatehouse account" in html and "Ouse Valley" not in html


def test_allowed_domains(app, db, client, school, signed_in_approver):
    app.config["ALLOWED_EMAIL_DOMAINS"] = "sch.uk"
    assert "only addresses at sch.uk" in _invite_on_the_web(client, school, email="x@example.org").get_data(
        as_text=True)
    assert _invite_on_the_web(client, school).status_code == 302


def test_the_cap_is_shown_on_the_form(db, client, school, make_user, signed_in_approver):
    for _ in range(7):
        make_user(school)
    page = _invite_on_the_web(client, school)
    assert "already has 7 end users" in page.get_data(as_text=True)


def test_resend_makes_the_old_link_stop_working(app, db, client, school, signed_in_approver):
    _invite_on_the_web(client, school)
    first = link_in(outbox(db, "nina@fenland.example.sch.uk")[0]["body"], "/invitations/")
    invited = users.get_by_email(db, "nina@fenland.example.sch.uk")
    client.post(f"/users/{invited['id']}/resend-invitation")
    second = link_in(outbox(db, "nina@fenland.example.sch.uk")[1]["body"], "/invitations/")
    assert first != second
    newcomer = app.test_client()
    assert newcomer.get(first).status_code == 410 and newcomer.get(second).status_code == 200
    assert audit_events(db, "invitation_resent")


def test_revoke_deletes_the_invitation_and_tells_them(app, db, client, school, signed_in_approver):
    _invite_on_the_web(client, school)
    link = link_in(outbox(db, "nina@fenland.example.sch.uk")[0]["body"], "/invitations/")
    invited = users.get_by_email(db, "nina@fenland.example.sch.uk")
    client.post(f"/users/{invited['id']}/revoke-invitation")
    assert users.get(db, invited["id"]) is None
    assert app.test_client().get(link).status_code == 410
    assert "withdrawn" in outbox(db, "nina@fenland.example.sch.uk")[-1]["subject"]
    assert audit_events(db, "invitation_revoked")[0]["target"] == "nina@fenland.example.sch.uk"


def test_the_link_expires_after_14_days(app, db, school, approver):
    _, token = invitations.invite(db, app.config, organisation=school, email="late@fenland.example.sch.uk",
                                  name="Lou Late", role="end_user", actor=approver)
    clock.set_now(clock.now() + timedelta(days=14, minutes=1))
    assert app.test_client().get(f"/invitations/{token}").status_code == 410
    assert accounts.get_user(db, users.get_by_email(db, "late@fenland.example.sch.uk")["id"])["state"] == (
        "invitation_expired")


def test_a_removed_persons_address_can_be_invited_again(app, db, school, make_user, approver):
    leaver = make_user(school, email="back@fenland.example.sch.uk")
    accounts.remove(db, leaver["id"], actor=approver)
    again, token = invitations.invite(db, app.config, organisation=school, email="back@fenland.example.sch.uk",
                                      name="Bea Back", role="end_user", actor=approver)
    assert again["id"] == leaver["id"] and again["status"] == "invited" and again["name"] == "Bea Back"
    client = app.test_client()
    client.post(f"/invitations/{token}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    back = users.get(db, leaver["id"])
    assert back["status"] == "active"
    old_password = sign_in_through_forms(app.test_client(), db, back, password=TEST_PASSWORD)
    assert "is wrong" in old_password.get_data(as_text=True)
    assert sign_in_through_forms(app.test_client(), db, back, password=NEW_PASSWORD).status_code == 200


def test_wrong_links_are_throttled_per_ip(app, db):
    app.config["ACCESS_IP_LIMIT"] = 3
    client = app.test_client()
    assert [client.get(f"/invitations/guess{n}").status_code for n in range(4)] == [410, 410, 410, 429]


def test_setting_up_two_step_verification_does_not_ask_again_for_the_password_just_chosen(app, db, client, school,
                                                                                        signed_in_approver):
    _invite_on_the_web(client, school, role="approver", email="second@fenland.example.sch.uk")
    path = link_in(outbox(db, "second@fenland.example.sch.uk")[0]["body"], "/invitations/")
    newcomer = app.test_client()
    newcomer.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    page = newcomer.get("/account/two-step-verification").get_data(as_text=True)
    assert 'name="code"' in page and 'name="current_password"' not in page
    secret = re.search(r'id="totp-secret">([^<]+)<', page).group(1).replace(" ", "")
    code = two_factor.code_at_step(secret, two_factor.current_step(clock.now()))
    response = newcomer.post("/account/two-step-verification", data={"code": code})
    assert response.headers["Location"] == "/account/recovery-codes"
    assert users.get_by_email(db, "second@fenland.example.sch.uk")["totp_secret"] == secret


def test_the_password_is_asked_for_again_once_a_few_minutes_have_passed(app, db, client, school, signed_in_approver):
    _invite_on_the_web(client, school, role="approver", email="second@fenland.example.sch.uk")
    path = link_in(outbox(db, "second@fenland.example.sch.uk")[0]["body"], "/invitations/")
    newcomer = app.test_client()
    newcomer.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    clock.advance(timedelta(minutes=11))
    page = newcomer.get("/account/two-step-verification").get_data(as_text=True)
    assert 'name="current_password"' in page
    refused = newcomer.post("/account/two-step-verification", data={"code": "123456"})
    assert refused.status_code == 200 and users.get_by_email(db, "second@fenland.example.sch.uk")["totp_secret"] is None
