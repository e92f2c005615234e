"""Account requests: asking (without revealing accounts), every approver told, first decision wins."""

from __future__ import annotations

import pytest

from models import account_requests, accounts, organisations, users
from models.db import rows
from tests.accounts.factories import open_request, race
from tests.conftest import audit_events, link_in, outbox, sign_in_through_forms
from web.filters import govuk_date

ASK = {"name": "Rita Requester", "email": "rita@fenland.example.sch.uk", "reason": "I am the new data manager",
       "services": ["returns", "deadlines"]}


@pytest.fixture
def second_approver(school, make_user):
    return make_user(school, role="approver", email="deputy@fenland.example.sch.uk", name="Dev Deputy")


def _ask(client, org, **fields):
    return client.post(f"/account-requests/new/{org['id']}", data={**ASK, **fields})


def test_find_an_organisation_by_name_dfe_number_or_urn(db, client, school, other_school):
    organisations.create_school(db, la_code="873", estab="2003", name="Fenland Closed School", urn=110003,
                                status="closed")
    for query in ("fenland", "873/2001", "8732001", "110001"):
        html = client.get("/account-requests/new", query_string={"q": query}).get_data(as_text=True)
        assert f"/account-requests/new/{school['id']}" in html, query
        assert "Fenland Closed School" not in html and "Ouse Valley" not in html
    assert client.get("/account-requests/new").status_code == 200


def test_every_approver_is_emailed_and_the_requester_told(db, client, school, approver, second_approver,
                                                          smtp_server):
    response = _ask(client, school)
    assert response.status_code == 302 and response.headers["Location"].endswith("/sent")
    mails = smtp_server.wait_for(3)
    to = sorted(m["To"] for m in mails)
    assert to == sorted([approver["email"], second_approver["email"], ASK["email"]])
    to_approver = next(m for m in mails if m["To"] == approver["email"])
    body = to_approver.get_content()
    assert "I am the new data manager" in body and "Returns (uploads and validation)" in body
    [request] = rows(db, "SELECT * FROM account_requests")
    assert link_in(body, "/account-requests/") == f"/account-requests/{request['id']}"
    assert f"(please decide by {govuk_date(request['due_on'])})" in body and request["due_on"] not in body
    assert request["status"] == "open" and not request["routed_to_la"]
    assert audit_events(db, "account_requested")[0]["target"] == ASK["email"]


def test_no_approver_sends_the_request_straight_to_the_la(db, client, school, la_approver, make_user, la):
    admin = make_user(la, email="it@la.example.gov.uk", is_site_admin=True)
    _ask(client, school)
    assert rows(db, "SELECT routed_to_la FROM account_requests")[0]["routed_to_la"] == 1
    assert {m["to_addr"] for m in outbox(db)} == {la_approver["email"], admin["email"], ASK["email"]}
    assert "local authority will decide" in outbox(db, ASK["email"])[0]["body"]


def test_an_existing_account_is_never_revealed(db, client, school, approver, make_user):
    existing = make_user(school, email="rita@fenland.example.sch.uk")
    fresh = _ask(client, school, email="someone.new@fenland.example.sch.uk")
    known = _ask(client, school)
    assert (fresh.status_code, fresh.headers["Location"]) == (known.status_code, known.headers["Location"])
    assert len(rows(db, "SELECT * FROM account_requests")) == 1
    [mail] = outbox(db, existing["email"])
    assert "already has an account" in mail["body"]
    assert len(outbox(db, approver["email"])) == 1  # only about the new person


def test_asking_twice_does_not_make_two_requests(db, client, school, approver):
    _ask(client, school)
    _ask(client, school)
    assert len(rows(db, "SELECT * FROM account_requests")) == 1
    # both answers are sent in the background (so their timing says nothing), so they may land in either order
    bodies = [m["body"] for m in outbox(db, ASK["email"])]
    assert len(bodies) == 2 and ["already asked" in body for body in bodies].count(True) == 1


def test_personal_addresses_are_refused(db, client, school, approver):
    page = _ask(client, school, email="rita@yahoo.co.uk")
    assert page.status_code == 200 and "personal email services" in page.get_data(as_text=True)


def test_requests_are_rate_limited_per_ip(app, db, client, school, approver):
    app.config["ACCESS_IP_LIMIT"] = 2
    statuses = [_ask(client, school, email=f"p{n}@fenland.example.sch.uk").status_code for n in range(3)]
    assert statuses == [302, 302, 429]
    assert len(rows(db, "SELECT * FROM account_requests")) == 2


def test_a_closed_school_takes_no_requests(db, client):
    closed = organisations.create_school(db, la_code="873", estab="2003", name="Closed", urn=1, status="closed")
    assert client.get(f"/account-requests/new/{closed['id']}").status_code == 404


def test_approve_from_the_emailed_link_and_others_see_the_outcome(app, db, client, school, approver,
                                                                  second_approver):
    _ask(client, school)
    link = link_in(outbox(db, approver["email"])[0]["body"], "/account-requests/")
    mine = app.test_client()
    sign_in_through_forms(mine, db, approver)
    assert "Rita Requester" in mine.get(link).get_data(as_text=True)
    done = mine.post(link, data={"decision": "approve", "role": "end_user", "services": ["returns"]})
    assert done.status_code == 302
    invited = users.get_by_email(db, ASK["email"])
    assert invited["status"] == "invited" and accounts.get_user(db, invited["id"])["services"] == ["returns"]
    invitation = outbox(db, ASK["email"])[-1]
    assert "has been approved" in invitation["body"] and "/invitations/" in invitation["body"]
    theirs = app.test_client()
    sign_in_through_forms(theirs, db, second_approver)
    html = theirs.get(link).get_data(as_text=True)
    assert "Approved by Hana Head" in html and 'name="decision"' not in html
    late = theirs.post(link, data={"decision": "reject", "reason": "Who is this?"}, follow_redirects=True)
    assert "Hana Head decided this request first" in late.get_data(as_text=True)
    assert account_requests.get(db, 1)["status"] == "approved"
    assert len(audit_events(db, "account_request_approved")) == 1


def test_racing_decisions_have_one_winner(app, db, school, approver, second_approver):
    request = open_request(db, school)

    def approve(conn):
        account_requests.approve(conn, request["id"], app.config, actor=approver)
        return "won"

    def reject(conn):
        account_requests.reject(conn, request["id"], "No", actor=second_approver)
        return "won"

    outcomes = race(app.config["DATABASE"], [approve, reject], account_requests.AlreadyDecided, "lost")
    assert sorted(outcomes) == ["lost", "won"]
    status = account_requests.get(db, request["id"])["status"]
    assert (users.get_by_email(db, request["email"]) is not None) == (status == "approved")


def test_rejecting_needs_a_reason_which_the_requester_is_emailed(db, client, sign_in, school, approver):
    request = open_request(db, school)
    sign_in(approver)
    page = client.post(f"/account-requests/{request['id']}", data={"decision": "reject", "reason": ""})
    assert "Enter the reason for rejecting the request" in page.get_data(as_text=True)
    client.post(f"/account-requests/{request['id']}", data={"decision": "reject", "reason": "You have left the school"})
    assert account_requests.get(db, request["id"])["status"] == "rejected"
    [mail] = outbox(db, request["email"])
    assert "was not approved" in mail["body"] and "You have left the school" in mail["body"]


def test_approving_respects_the_cap(db, client, sign_in, school, approver, make_user):
    for _ in range(7):
        make_user(school)
    request = open_request(db, school)
    sign_in(approver)
    page = client.post(f"/account-requests/{request['id']}", data={"decision": "approve", "role": "end_user"})
    assert "already has 7 end users" in page.get_data(as_text=True)
    assert account_requests.get(db, request["id"])["status"] == "open"


def test_who_may_see_and_decide(db, client, sign_in, school, other_school, approver, la_approver, make_user):
    request = open_request(db, school)
    stranger = make_user(other_school, role="approver")
    sign_in(stranger)
    assert client.get(f"/account-requests/{request['id']}").status_code == 404
    client.post("/sign-out")
    sign_in(la_approver)
    assert client.get(f"/account-requests/{request['id']}").status_code == 200  # the LA sees it
    refused = client.post(f"/account-requests/{request['id']}", data={"decision": "reject", "reason": "No"})
    assert refused.status_code == 403  # but decides only once it is the LA's
    account_requests.mark_escalated(db, request["id"])
    allowed = client.post(f"/account-requests/{request['id']}", data={"decision": "reject", "reason": "Not known"})
    assert allowed.status_code == 302 and account_requests.get(db, request["id"])["status"] == "rejected"
