"""Approver claim codes: issued once for an organisation with no approver, printable, revocable,
expiring, one use only; the redeemer becomes approver and must set up 2FA."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from domain import access_rules, clock
from models import accounts, claims, organisations, users
from models.db import rows
from tests.accounts.factories import other_schools_claim, race, site_admin
from tests.conftest import audit_events, outbox, sign_in_through_forms

PASSWORD = "claiming the approver role"


@pytest.fixture
def admin(db, la, make_user):
    return make_user(la, email="it@la.example.gov.uk", name="Ian IT", is_site_admin=True)


@pytest.fixture
def issued(db, school, admin):
    """(claim, code) for the school, which has no approver."""
    return claims.issue(db, school["id"], 30, actor=admin)


def _code_on(html: str) -> str:
    match = re.search(r'id="claim-code-\d+">([^<]+)<', html)
    assert match, "no code on the page"
    return match.group(1)


def test_a_site_admin_issues_a_code_shown_once_as_a_letter(db, client, sign_in, school, admin):
    sign_in(admin)
    users_page = client.get(f"/users/organisations/{school['id']}").get_data(as_text=True)
    assert "has no active approver" in users_page and "Issue a claim code" in users_page
    response = client.post(f"/claims/organisations/{school['id']}")
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    code = _code_on(html)
    assert access_rules.looks_like_code(code)
    assert "To the headteacher, Fenland Primary School" in html and "http://127.0.0.1:5000/claim" in html
    again = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="claim-code-' not in again and "shown once" in again
    [stored] = rows(db, "SELECT * FROM approver_claims")
    assert stored["code_hash"] == access_rules.hash_code(code) and code not in str(stored)
    [event] = audit_events(db, "claim_code_issued")
    assert event["actor_id"] == admin["id"] and code not in str(event)
    assert stored["expires_at"] == clock.iso(clock.parse(stored["created_at"]) + timedelta(days=30))


def test_no_code_for_an_organisation_with_an_approver(db, school, admin, make_user):
    make_user(school, role="approver")
    with pytest.raises(accounts.WrongState, match="has an active approver"):
        claims.issue(db, school["id"], 30, actor=admin)


def test_a_new_code_revokes_the_earlier_one(db, school, admin, issued):
    first, first_code = issued
    claims.issue(db, school["id"], 30, actor=admin)
    assert claims.get(db, first["id"])["state"] == "revoked"
    assert claims.find_live(db, first_code) is None


def test_only_oversight_may_issue(db, client, sign_in, school, other_school, make_user, la_approver):
    approver = make_user(other_school, role="approver")
    sign_in(approver)
    assert client.post(f"/claims/organisations/{school['id']}").status_code == 403
    client.post("/sign-out")
    sign_in(la_approver)  # the LA's approvers may
    response = client.post(f"/claims/organisations/{school['id']}")
    assert response.status_code == 302 and "/claims/" in response.headers["Location"]


def test_a_new_person_redeems_it_and_must_set_up_2fa(app, db, school, admin, issued, smtp_server):
    claim, code = issued
    visitor = app.test_client()
    step = visitor.post("/claims/", data={"code": code.lower().replace("-", " ")})
    assert step.status_code == 302 and step.headers["Location"] == "/claims/new-account"
    data = {"name": "Pat Principal", "email": "pat@fenland.example.sch.uk", "password": PASSWORD,
            "confirm": PASSWORD}
    done = visitor.post("/claims/new-account", data=data)
    assert done.status_code == 302
    gate = visitor.get("/users")
    assert gate.status_code == 302 and gate.headers["Location"] == "/account/two-step-verification"
    pat = users.get_by_email(db, "pat@fenland.example.sch.uk")
    assert (pat["role"], pat["status"], pat["organisation_id"]) == ("approver", "active", school["id"])
    redeemed = claims.get(db, claim["id"])
    assert redeemed["state"] == "redeemed" and redeemed["redeemed_by"] == pat["id"]
    assert audit_events(db, "approver_claimed")[0]["detail"] == {"claim": claim["id"], "new_account": True}
    mails = smtp_server.wait_for(2)
    assert {m["To"] for m in mails} == {"pat@fenland.example.sch.uk", admin["email"]}
    # one use only
    other = app.test_client()
    assert "That code is not right" in other.post("/claims/", data={"code": code}).get_data(as_text=True)


def test_a_signed_in_end_user_of_the_school_redeems_it(app, db, client, sign_in, school, make_user, issued):
    claim, code = issued
    teacher = make_user(school, name="Tia Teacher")
    sign_in(teacher)
    response = client.post("/claims/", data={"code": code})
    assert response.status_code == 302
    assert users.get(db, teacher["id"])["role"] == "approver"
    assert client.get("/users").headers["Location"] == "/account/two-step-verification"
    assert claims.get(db, claim["id"])["redeemed_by"] == teacher["id"]


def test_a_user_of_another_organisation_cannot_use_it(db, client, sign_in, other_school, make_user, issued):
    claim, code = issued
    outsider = make_user(other_school)
    sign_in(outsider)
    page = client.post("/claims/", data={"code": code})
    assert "your account belongs to another organisation" in page.get_data(as_text=True)
    assert users.get(db, outsider["id"])["role"] == "end_user"
    assert claims.get(db, claim["id"])["state"] == "live"


def test_revoked_and_expired_codes_do_not_work(app, db, school, admin, issued):
    claim, code = issued
    client = app.test_client()
    claims.revoke(db, claim["id"], actor=admin)
    assert "That code is not right" in client.post("/claims/", data={"code": code}).get_data(as_text=True)
    _, fresh = claims.issue(db, school["id"], 30, actor=admin)
    clock.set_now(clock.now() + timedelta(days=30, seconds=1))
    assert claims.find_live(db, fresh) is None


def test_two_people_racing_with_one_code_make_one_approver(app, db, school, issued):
    claim, _ = issued

    def redeem(n):
        def call(conn):
            claims.redeem_new_account(conn, claim["id"], app.config, name=f"P{n}", email=f"p{n}@fenland.example.sch.uk",
                                      password_hash="x")
            return "won"
        return call

    outcomes = race(app.config["DATABASE"], [redeem(n) for n in range(2)], accounts.WrongState, "lost")
    assert sorted(outcomes) == ["lost", "won"]
    assert len(accounts.active_approvers(db, school["id"])) == 1


def test_wrong_codes_are_throttled(app):
    app.config["ACCESS_IP_LIMIT"] = 2
    client = app.test_client()
    for _ in range(2):
        assert client.post("/claims/", data={"code": "AAAA-AAAA-AAAA-AAAA"}).status_code == 200
    assert client.post("/claims/", data={"code": "AAAA-AAAA-AAAA-AAAA"}).status_code == 429


def test_revoking_on_the_web(db, client, sign_in, admin, issued):
    claim, _ = issued
    sign_in(admin)
    client.post(f"/claims/{claim['id']}/revoke")
    assert claims.get(db, claim["id"])["state"] == "revoked"
    assert audit_events(db, "claim_code_revoked")[0]["actor_id"] == admin["id"]


def test_the_factory_makes_a_third_school(db, other_school):
    claim = claims.get(db, other_schools_claim(db, other_school))
    assert claim["organisation_id"] != other_school["id"]
    assert organisations.get(db, claim["organisation_id"])["name"] == "No Approver Infant School"
    assert site_admin(db)["is_site_admin"]


def test_sign_in_still_works_for_the_new_approver(app, db, school, issued):
    _, code = issued
    visitor = app.test_client()
    visitor.post("/claims/", data={"code": code})
    visitor.post("/claims/new-account", data={"name": "Pat", "email": "pat@fenland.example.sch.uk",
                                             "password": PASSWORD, "confirm": PASSWORD})
    pat = users.get_by_email(db, "pat@fenland.example.sch.uk")
    assert sign_in_through_forms(app.test_client(), db, pat, password=PASSWORD).status_code == 200
    assert outbox(db, pat["email"])
