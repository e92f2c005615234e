"""Approvers' users pages: the list, one user's page and every change, each emailed and audited."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import lxml.html
import pytest

from domain import clock
from models import accounts, invitations, users
from models.db import transaction
from tests.conftest import audit_events, outbox, sign_in_through_forms


@pytest.fixture
def staff(school, make_user):
    return make_user(school, email="teacher@fenland.example.sch.uk", name="Tom Teacher")


@pytest.fixture
def signed_in_approver(client, sign_in, approver):
    assert sign_in(approver).status_code == 200
    return approver


def test_the_users_list_shows_each_state_and_last_sign_in(app, db, client, school, make_user, signed_in_approver):
    active = make_user(school, name="Alice Active")
    users.record_sign_in(db, active["id"])
    locked = make_user(school, name="Larry Locked")
    for _ in range(3):
        users.record_failed_sign_in(db, locked["id"], threshold=3, minutes=30)
    suspended = make_user(school, name="Sue Suspended")
    accounts.suspend(db, suspended["id"], "On leave", actor=signed_in_approver)
    invitations.invite(db, app.config, organisation=school, email="ivy@fenland.example.sch.uk", name="Ivy Invited",
                       role="end_user", chosen_services=["pride"], actor=signed_in_approver)
    page = client.get("/users", follow_redirects=True)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.request.path == f"/users/organisations/{school['id']}"
    for name, state in [("Alice Active", "Active"), ("Larry Locked", "Locked"), ("Sue Suspended", "Suspended"),
                        ("Ivy Invited", "Invited"), ("Hana Head", "Active")]:
        row = html[html.index(name):]
        row = row[:row.index("</tr>")]
        assert f">{state}</strong>" in row, (name, state)
    assert "Never" in html  # Larry never signed in
    assert "1 of 2 approvers and 3 of 7 end users" in html  # suspended frees a seat


def test_with_no_limit_the_count_reads_as_english(db, client, sign_in, la, make_user):
    head = make_user(la, role="approver", email="head@873.example.gov.uk")
    make_user(la, email="one@873.example.gov.uk")
    make_user(la, email="two@873.example.gov.uk")
    sign_in(head)
    html = client.get(f"/users/organisations/{la['id']}").get_data(as_text=True)
    assert "1 approver (no limit) and 2 end users (no limit)." in " ".join(html.split())


def test_end_users_cannot_see_the_users_pages(client, sign_in, school, staff):
    sign_in(staff)
    assert client.get("/users").status_code == 403
    assert client.get(f"/users/organisations/{school['id']}").status_code == 403
    assert "Users" not in [i for i in client.get("/").get_data(as_text=True).split('"') if i == "Users"]


def test_another_schools_users_are_not_found(client, other_school, make_user, signed_in_approver):
    stranger = make_user(other_school, name="Stranger")
    assert client.get(f"/users/organisations/{other_school['id']}").status_code == 404
    assert client.get(f"/users/{stranger['id']}").status_code == 404
    assert client.post(f"/users/{stranger['id']}/suspend", data={"reason": "x"}).status_code == 404


def test_suspending_needs_a_reason(client, db, staff, signed_in_approver):
    page = client.post(f"/users/{staff['id']}/suspend", data={"reason": "  "})
    assert page.status_code == 200
    assert "Enter the reason for suspending the account" in page.get_data(as_text=True)
    assert users.get(db, staff["id"])["status"] == "active"


def test_suspending_ends_the_live_session_at_once_and_emails_them(app, db, client, staff, signed_in_approver):
    theirs = app.test_client()
    assert sign_in_through_forms(theirs, db, staff).status_code == 200
    assert theirs.get("/account").status_code == 200
    response = client.post(f"/users/{staff['id']}/suspend", data={"reason": "Left in July"})
    assert response.status_code == 302
    after = theirs.get("/account")
    assert after.status_code == 302 and after.headers["Location"].startswith("/sign-in")
    assert users.get(db, staff["id"])["status"] == "suspended"
    [event] = audit_events(db, "user_suspended")
    assert event["detail"] == {"reason": "Left in July"} and event["actor_id"] == signed_in_approver["id"]
    [mail] = outbox(db, staff["email"])
    assert "suspended" in mail["subject"] and "Left in July" in mail["body"]
    # and they cannot sign back in
    assert "is wrong" in sign_in_through_forms(theirs, db, staff).get_data(as_text=True)


def test_a_suspension_reason_over_several_lines_keeps_its_line_breaks(db, client, staff, signed_in_approver):
    accounts.suspend(db, staff["id"], "On leave until January.\nAsk the office.", actor=signed_in_approver)
    page = lxml.html.fromstring(client.get(f"/users/{staff['id']}").get_data(as_text=True))
    [reason] = page.xpath("//dd//*[contains(@class, 'gatehouse-lines')]")
    # (the summary list indents each line of what it shows; pre-line drops that and keeps the break)
    assert reason.text_content().split() == "On leave until January.\nAsk the office.".split()
    assert reason.text_content().count("\n") == 1


def test_reactivate(db, client, staff, signed_in_approver):
    accounts.suspend(db, staff["id"], "Away", actor=signed_in_approver)
    client.post(f"/users/{staff['id']}/reactivate")
    assert users.get(db, staff["id"])["status"] == "active"
    assert "active again" in outbox(db, staff["email"])[-1]["subject"]


def test_unlock(app, db, client, staff, signed_in_approver):
    for _ in range(3):
        users.record_failed_sign_in(db, staff["id"], threshold=3, minutes=30)
    assert ">Locked</strong>" in client.get(f"/users/{staff['id']}").get_data(as_text=True)
    client.post(f"/users/{staff['id']}/unlock")
    assert not users.is_locked(users.get(db, staff["id"]))
    assert audit_events(db, "account_unlocked")[0]["actor_id"] == signed_in_approver["id"]
    assert "unlocked" in outbox(db, staff["email"])[-1]["subject"]


def test_reset_two_step_verification(db, client, school, make_user, signed_in_approver):
    deputy = make_user(school, role="approver", email="deputy@fenland.example.sch.uk")
    with transaction(db):
        users.enrol_totp(db, deputy["id"], "JBSWY3DPEHPK3PXP", 1)
    client.post(f"/users/{deputy['id']}/reset-two-step-verification")
    assert users.get(db, deputy["id"])["totp_secret"] is None
    assert "two-step verification was reset" in outbox(db, deputy["email"])[-1]["subject"]


def test_change_services(db, client, staff, signed_in_approver):
    page = client.get(f"/users/{staff['id']}/services")
    assert page.status_code == 200
    client.post(f"/users/{staff['id']}/services", data={"services": ["returns", "pride"]})
    assert accounts.get_user(db, staff["id"])["services"] == ["pride", "returns"]
    [event] = audit_events(db, "services_changed")
    assert event["detail"] == {"added": ["pride", "returns"], "removed": []}
    mail = outbox(db, staff["email"])[-1]
    assert "PRIDE incident returns" in mail["body"] and "Returns (uploads and validation)" in mail["body"]
    client.post(f"/users/{staff['id']}/services", data={"services": ["returns", "pride"]})
    assert len(audit_events(db, "services_changed")) == 1  # nothing changed, nothing recorded or sent


def test_change_role_within_caps(db, client, school, make_user, staff, signed_in_approver):
    client.post(f"/users/{staff['id']}/role", data={"role": "approver"})
    assert users.get(db, staff["id"])["role"] == "approver"
    assert "approver" in outbox(db, staff["email"])[-1]["subject"]
    third = make_user(school)
    page = client.post(f"/users/{third['id']}/role", data={"role": "approver"})
    assert "already has 2 approvers" in page.get_data(as_text=True)
    assert users.get(db, third["id"])["role"] == "end_user"


def test_the_last_approver_guard_on_the_web(app, db, client, school, approver, la_approver):
    """An LA approver manages the school's accounts too, but cannot suspend its only approver."""
    client.post("/sign-out")
    sign_in_through_forms(client, db, la_approver)
    assert client.get(f"/users/organisations/{school['id']}").status_code == 200
    response = client.post(f"/users/{approver['id']}/suspend", data={"reason": "Testing"}, follow_redirects=True)
    assert "is the only active approver" in response.get_data(as_text=True)
    assert users.get(db, approver["id"])["status"] == "active"
    assert audit_events(db, "user_suspended") == []


def test_you_cannot_suspend_remove_or_demote_yourself(db, client, signed_in_approver):
    me = signed_in_approver["id"]
    for path in (f"/users/{me}/suspend", f"/users/{me}/remove", f"/users/{me}/role"):
        response = client.post(path, data={"reason": "x", "role": "end_user"})
        assert response.status_code == 302 and response.headers["Location"] == f"/users/{me}"
    assert users.get(db, me)["status"] == "active" and users.get(db, me)["role"] == "approver"


def test_remove(app, db, client, staff, signed_in_approver):
    theirs = app.test_client()
    sign_in_through_forms(theirs, db, staff)
    assert client.get(f"/users/{staff['id']}/remove").status_code == 200
    client.post(f"/users/{staff['id']}/remove")
    removed = users.get(db, staff["id"])
    assert removed["status"] == "removed" and removed["password_hash"] is None
    assert theirs.get("/account").status_code == 302
    assert "removed" in outbox(db, staff["email"])[-1]["subject"]
    assert staff["email"] not in client.get("/users", follow_redirects=True).get_data(as_text=True)


def test_hand_over(db, client, school, staff, signed_in_approver):
    page = client.get(f"/users/organisations/{school['id']}/hand-over")
    assert "Tom Teacher" in page.get_data(as_text=True)
    client.post(f"/users/organisations/{school['id']}/hand-over", data={"to_user": staff["id"]})
    assert users.get(db, staff["id"])["role"] == "approver"
    assert users.get(db, signed_in_approver["id"])["role"] == "end_user"
    assert "you are now an approver" in outbox(db, staff["email"])[-1]["subject"]
    assert "no longer an approver" in outbox(db, signed_in_approver["email"])[-1]["subject"]
    assert client.get("/users").status_code == 403  # no longer a manager


def test_csv_export(db, client, school, make_user, signed_in_approver):
    make_user(school, name="=HYPERLINK(\"http://evil\")", email="formula@fenland.example.sch.uk")
    response = client.get(f"/users/organisations/{school['id']}.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    table = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r["name"] for r in table] == ["Hana Head", "'=HYPERLINK(\"http://evil\")"]
    assert table[0]["role"] == "Approver" and table[0]["status"] == "Active"
    assert table[0]["two_step_verification"] == "on"
    assert audit_events(db, "users_exported")[0]["detail"] == {"rows": 2}


def test_review_lists_accounts_unused_for_90_days(db, client, school, make_user, signed_in_approver):
    old = make_user(school, name="Olive Old")
    clock.set_now(clock.now() - timedelta(days=91))
    users.record_sign_in(db, old["id"])
    clock.reset()
    fresh = make_user(school, name="Fred Fresh")  # never signed in, but new
    html = client.get(f"/users/organisations/{school['id']}/review").get_data(as_text=True)
    assert old["name"] in html and fresh["name"] not in html
    listing = client.get(f"/users/organisations/{school['id']}").get_data(as_text=True)
    assert "1 account has not been used for 90 days" in listing
