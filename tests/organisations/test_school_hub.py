"""A school's organisation page is the LA's hub for it (issue 14 item 9): its accounts and approver status with
the claim code action for those who manage accounts, its deadlines for LA Deadlines users, its returns for LA
Returns users, and nothing of a part the viewer may not see."""

from __future__ import annotations

import datetime as dt

import pytest

from domain import clock
from models import accounts, deadline_instances, deadline_statuses, services
from models.db import scalar
from tests.conftest import set_today
from tests.returns.factories import make_version


@pytest.fixture
def term(db):
    """Thursday 22 October 2026: the autumn census (due 21 October) is overdue."""
    set_today(dt.date(2026, 10, 22))
    deadline_instances.generate(db, 2026)
    yield
    clock.reset()


@pytest.fixture
def la_approver(db, la, make_user):
    user = make_user(la, role="approver", name="Lee Approver", email="lee@873.example.gov.uk")
    services.set_services(db, user["id"], ["deadlines", "returns"])
    return user


def _headings(page) -> list[str]:
    return page.texts("//main//h2[@id]")


def test_an_la_approver_sees_the_whole_hub_and_can_issue_a_claim_code(client_request, sign_in, db, school,
                                                                      la_approver, term):
    sign_in(la_approver)
    page = client_request.get("organisations.detail", org_id=school["id"])
    assert _headings(page) == ["Accounts", "Deadlines", "Files uploaded in Returns"]
    assert "Fenland Primary School has no active approver" in page.html
    assert "0 approvers of 2 allowed, 0 other users of 7 allowed." in page.texts("//p")
    assert page.xpath(f"//a[@href='/users/organisations/{school['id']}']")
    assert page.xpath(f"//form[@action='/claims/organisations/{school['id']}']")
    assert "has not uploaded a return yet" in page.html

    issued = client_request.post_response("claims.issue", org_id=school["id"], _expected_status=302)
    assert issued.headers["Location"].startswith("/claims/")
    page = client_request.get("organisations.detail", org_id=school["id"])
    assert "A claim code for its approver is waiting to be used" in page.html
    assert not page.xpath(f"//form[@action='/claims/organisations/{school['id']}']")  # one live code is enough


def test_a_school_with_an_approver_names_them(client_request, sign_in, db, school, make_user, la_approver, term):
    head = make_user(school, role="approver", name="Hana Head", email="head@fenland.example.sch.uk")
    make_user(school, name="Olive Office", email="office@fenland.example.sch.uk")
    sign_in(la_approver)
    page = client_request.get("organisations.detail", org_id=school["id"])
    assert "Approver: Hana Head (head@fenland.example.sch.uk)." in page.texts("//p")
    assert "1 approver of 2 allowed, 1 other user of 7 allowed." in page.texts("//p")
    assert not page.xpath("//form[contains(@action, '/claims/')]")
    assert accounts.active_approvers(db, school["id"])[0]["id"] == head["id"]


def test_overdue_and_soon_due_returns_are_listed(client_request, sign_in, db, school, la_approver, term):
    due = deadline_statuses.whats_due(db, school, weeks=4)
    sign_in(la_approver)
    page = client_request.get("organisations.detail", org_id=school["id"])
    overdue, soon = len(due["overdue"]), len(due["upcoming"])
    assert overdue >= 2 and soon >= 2  # the census and past weeks' meal numbers; the weeks to come
    assert f"{overdue} returns are overdue; {soon} are due by 19 November 2026." in page.texts("//main//p")
    table = "//table[caption[contains(., 'Overdue and due by 19 November 2026')]]"
    rows = page.texts(f"{table}//tbody/tr/th")
    assert len(rows) == overdue + soon
    assert "School Census (autumn) 2026/27" in rows[:overdue]
    assert page.texts(f"{table}//strong[contains(@class, 'govuk-tag')]")[:overdue] == ["Overdue"] * overdue
    assert page.xpath(f"//a[@href='/deadline-tracker/schools/{school['id']}']")


def test_uploaded_returns_link_to_their_reports(client_request, sign_in, db, school, la_approver, term):
    instance_id = scalar(db, "SELECT i.id FROM deadline_instances i JOIN return_catalogue c ON c.id = i.catalogue_id"
                             " WHERE c.code = 'SC-AUT' AND i.academic_year = 2026")  # fmt: skip
    version = make_version(db, school, None, instance_id=instance_id)
    sign_in(la_approver)
    page = client_request.get("organisations.detail", org_id=school["id"])
    [link] = page.xpath(f"//a[@href='/returns/versions/{version['id']}']")
    assert link.text_content().strip().startswith("Version 1")
    assert "Loaded and validated" in page.texts("//table//strong[contains(@class, 'govuk-tag')]")


@pytest.mark.parametrize(("granted", "parts"), [
    (["deadlines"], ["Deadlines"]),
    (["returns"], ["Files uploaded in Returns"]),
    ([], []),
])
def test_each_part_needs_its_own_right(client_request, sign_in, db, la, school, make_user, term, granted, parts):
    officer = make_user(la, name="Dee Officer", email="dee@873.example.gov.uk")
    services.set_services(db, officer["id"], granted)
    sign_in(officer)
    page = client_request.get("organisations.detail", org_id=school["id"])
    assert _headings(page) == parts
    assert not page.xpath("//form[contains(@action, '/claims/')]")  # an LA end user does not manage accounts
