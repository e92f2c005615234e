"""Claim letters for many schools at once (issue 14 item 9): the LA chooses among the schools with no approver
and no live code, each chosen one gets a code, and the letters are shown once, one to a printed page."""

from __future__ import annotations

import re

import pytest

from domain import access_rules
from models import claims, organisations
from models.db import rows
from tests.conftest import audit_events

LETTERS = "claims.letters"


@pytest.fixture
def admin(db, la, make_user):
    return make_user(la, email="it@la.example.gov.uk", name="Ian IT", is_site_admin=True)


@pytest.fixture
def schools(db, la, school, other_school, make_user, admin):
    """Four schools of LA 873: two need codes (Fenland, Ouse Valley), one has an approver, one a live code."""
    staffed = organisations.create_school(db, la_code="873", estab="2003", name="Abbey Staffed School", urn=110003)
    make_user(staffed, role="approver")
    coded = organisations.create_school(db, la_code="873", estab="2004", name="Coded Infants", urn=110004)
    claims.issue(db, coded["id"], 30, actor=admin)
    return {"needing": [school, other_school], "staffed": staffed, "coded": coded}


def _choices(page) -> dict[str, bool]:
    return {box.get("value"): box.get("checked") is not None
            for box in page.xpath("//input[@type='checkbox'][@name='schools']")}  # fmt: skip


def test_the_schools_needing_a_code_are_offered_all_chosen(client_request, sign_in, db, schools, admin):
    sign_in(admin)
    assert "Print claim letters for schools with no approver" in client_request.get("oversight.index").html
    page = client_request.get(LETTERS)
    assert _choices(page) == {str(s["id"]): True for s in schools["needing"]}
    assert page.texts("//label") == ["Fenland Primary School (873/2001)", "Ouse Valley Academy (873/2002)"]


def test_letters_are_issued_for_the_chosen_schools_and_shown_once(client_request, sign_in, db, schools, admin):
    sign_in(admin)
    [fenland, ouse] = schools["needing"]
    response = client_request.post_response(LETTERS, _data={"schools": [fenland["id"], ouse["id"]]},
                                            _expected_status=200)  # fmt: skip
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    codes = re.findall(r'id="claim-code-(\d+)">([^<]+)<', html)
    assert len(codes) == 2
    stored = {r["id"]: r for r in rows(db, "SELECT * FROM approver_claims WHERE organisation_id <> ?",
                                       (schools["coded"]["id"],))}  # fmt: skip
    for claim_id, code in codes:
        assert stored[int(claim_id)]["code_hash"] == access_rules.hash_code(code)
    assert html.count('class="gatehouse-letter"') == 2
    assert "To the headteacher, Fenland Primary School" in html and "To the headteacher, Ouse Valley Academy" in html
    assert {e["organisation_id"] for e in audit_events(db, "claim_code_issued")} == {
        fenland["id"], ouse["id"], schools["coded"]["id"]}
    # the codes are not kept: the form again has nobody left to offer, and sending it again issues nothing
    assert "Every open school has an active approver or a claim code" in client_request.get(LETTERS).html
    again = client_request.post(LETTERS, _data={"schools": [fenland["id"]]}, _expected_status=400)
    summary = again.texts("//div[contains(@class, 'govuk-error-summary')]")[0]
    assert "A school you chose has an approver or a claim code now" in summary
    assert len(rows(db, "SELECT * FROM approver_claims")) == 3  # Coded Infants' and the two new ones


def test_choosing_nobody_is_an_error(client_request, sign_in, schools, admin):
    sign_in(admin)
    page = client_request.post(LETTERS, _data={}, _expected_status=400)
    assert "Choose at least one school" in page.texts("//div[contains(@class, 'govuk-error-summary')]")[0]


def test_a_school_of_another_la_cannot_be_chosen(client_request, sign_in, db, schools, la, make_user):
    organisations.ensure_la(db, "874", "Peterborough")
    elsewhere = organisations.create_school(db, la_code="874", estab="2001", name="Nene School", urn=120001)
    la_approver = make_user(la, role="approver", email="lee@873.example.gov.uk")
    sign_in(la_approver)
    assert str(elsewhere["id"]) not in _choices(client_request.get(LETTERS))
    client_request.post(LETTERS, _data={"schools": [elsewhere["id"]]}, _expected_status=400)
    assert rows(db, "SELECT * FROM approver_claims WHERE organisation_id = ?", (elsewhere["id"],)) == []


def test_school_approvers_may_not(client_request, sign_in, school, make_user):
    sign_in(make_user(school, role="approver"))
    client_request.get(LETTERS, _expected_status=403)
