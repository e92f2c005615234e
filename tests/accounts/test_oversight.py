"""Account oversight for site admins and the LA's approvers."""

from __future__ import annotations

import datetime as dt

import pytest

from domain import clock
from domain.dates import uk_today
from models import account_requests, accounts, invitations, oversight, users
from models import organisations as orgs
from tests.accounts.factories import open_request

UTC = dt.UTC


@pytest.fixture
def landscape(db, la, school, other_school, make_user):
    """Fenland: 1 approver, 2 end users, an overdue request. Ouse Valley: no approver, a request sent to the LA.
    Another LA's school that LA 873's approvers must not see."""
    make_user(school, role="approver", name="Hana Head")
    make_user(school)
    make_user(school)
    clock.set_now(dt.datetime(2026, 3, 2, 9, tzinfo=UTC))
    open_request(db, school, email="late@fenland.example.sch.uk")
    clock.set_now(dt.datetime(2026, 3, 16, 9, tzinfo=UTC))
    open_request(db, other_school, email="new@ouse.example.sch.uk", name="Olly New", routed_to_la=True)
    orgs.ensure_la(db, "886", "Kent")
    kent = orgs.create_school(db, la_code="886", estab="2001", name="Kentish Primary", urn=220001)
    return {"kent": kent}


def test_totals_and_rows(db, la, school, other_school, landscape):
    today = dt.date(2026, 3, 16)
    seen = oversight.overview(db, "873", today)
    items = seen["items"]
    assert [r["name"] for r in seen["with_la"]] == ["Olly New"] and seen["with_la_total"] == 1
    assert seen["totals"] == {"organisations": 3, "no_approver": 2, "pending": 2, "overdue": 1,
                                       "active_users": 3, "invited": 0}
    page = oversight.page_of(items)
    by_name = {row["name"]: row for row in page["items"]}
    assert list(by_name) == ["Cambridgeshire", "Fenland Primary School", "Ouse Valley Academy"]
    fenland = by_name["Fenland Primary School"]
    assert (fenland["approvers"], fenland["end_users"], fenland["pending"], fenland["overdue"]) == (1, 2, 1, 1)

    def names(**filters):
        return [r["name"] for r in oversight.page_of(items, **filters)["items"]]

    assert names(show="no_approver") == ["Cambridgeshire", "Ouse Valley Academy"]
    assert names(show="overdue") == ["Fenland Primary School"]
    assert names(query="873/2002") == names(query="110002") == names(query="OUSE") == ["Ouse Valley Academy"]
    assert names(query="8730") == ["Cambridgeshire"]
    paged = oversight.page_of(items, per_page=2, page=9)
    assert (paged["page"], paged["pages"], [r["name"] for r in paged["items"]]) == (2, 2, ["Ouse Valley Academy"])
    assert len(oversight.overview(db, None, today)["items"]) == 5  # site admins: every LA


def test_the_cached_counts_follow_every_change(app, db, la, school, approver):
    today = uk_today()

    def fenland():
        return next(i for i in oversight.overview(db, "873", today)["items"] if i["id"] == school["id"])

    assert (fenland()["approvers"], fenland()["invited"], fenland()["pending"]) == (1, 0, 0)
    user, _ = invitations.invite(db, app.config, organisation=school, email="new@fenland.example.sch.uk",
                                 name="New", role="end_user", actor=approver)
    assert fenland()["invited"] == 1
    request = open_request(db, school)
    assert fenland()["pending"] == 1
    account_requests.reject(db, request["id"], "No", actor=approver)
    assert fenland()["pending"] == 0
    accounts.change_role(db, user["id"], "approver", app.config, actor=approver)
    invitations.revoke(db, user["id"], actor=approver)
    orgs.create_school(db, la_code="873", estab="2005", name="Brand New School", urn=110005)
    assert any(i["name"] == "Brand New School" for i in oversight.overview(db, "873", today)["items"])
    second = users.create(db, email="d@fenland.example.sch.uk", name="D", organisation_id=school["id"],
                          role="approver")
    accounts.suspend(db, second["id"], "Away", actor=approver)
    assert (fenland()["approvers"], fenland()["suspended"], fenland()["invited"]) == (1, 1, 0)


def test_la_approvers_and_site_admins_see_it(db, client, sign_in, la, la_approver, landscape):
    sign_in(la_approver)
    html = client.get("/oversight").get_data(as_text=True)
    assert "Account oversight" in html and "Kentish Primary" not in html
    assert "Requests for the LA to decide (1)" in html and "Olly New" in html
    partial = client.get("/oversight", query_string={"show": "no_approver"}, headers={"HX-Request": "true"})
    body = partial.get_data(as_text=True)
    assert "<html" not in body and "Ouse Valley Academy" in body and "Fenland Primary" not in body


def test_site_admins_see_every_la(db, client, sign_in, la, make_user, landscape):
    admin = make_user(la, email="it@la.example.gov.uk", is_site_admin=True)
    sign_in(admin)
    assert "Kentish Primary" in client.get("/oversight", query_string={"q": "kentish"}).get_data(as_text=True)


def test_others_are_refused(client, sign_in, school, la, make_user):
    for user in (make_user(school, role="approver"), make_user(la, email="analyst@la.example.gov.uk")):
        sign_in(user)
        assert client.get("/oversight").status_code == 403
        assert "Account oversight" not in client.get("/").get_data(as_text=True)
        client.post("/sign-out")


def test_an_la_approver_acts_on_a_request_sent_to_the_la(db, client, sign_in, other_school, la_approver,
                                                          landscape):
    sign_in(la_approver)
    [request] = account_requests.list_with_la(db, "873")
    response = client.post(f"/account-requests/{request['id']}", data={"decision": "approve", "role": "approver"})
    assert response.status_code == 302
    assert account_requests.get(db, request["id"])["status"] == "approved"
    html = client.get(f"/users/organisations/{other_school['id']}").get_data(as_text=True)
    assert "Olly New" in html and ">Invited</strong>" in html


def test_la_approvers_cannot_reach_another_las_schools(client, sign_in, la_approver, landscape):
    sign_in(la_approver)
    assert client.get(f"/users/organisations/{landscape['kent']['id']}").status_code == 404


def test_bad_filter(client, sign_in, la_approver):
    sign_in(la_approver)
    page = client.get("/oversight", query_string={"show": "everything"})
    assert page.status_code == 200 and "Choose what to show from the list" in page.get_data(as_text=True)


def test_pages_of_organisations(db, client, sign_in, la_approver):
    for n in range(60):
        orgs.create_school(db, la_code="873", estab=f"{3000 + n}", name=f"School {n:02d}", urn=300000 + n)
    sign_in(la_approver)
    first = client.get("/oversight").get_data(as_text=True)
    assert "61 organisations; page 1 of 3" in first and 'aria-current="page"' in first
    assert 'href="/oversight?page=2" rel="next"' in first and "School 23" in first and "School 24" not in first
    third = client.get("/oversight?page=3", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in third and "School 59" in third and 'rel="prev"' in third and 'rel="next"' not in third
