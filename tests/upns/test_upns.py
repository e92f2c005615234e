"""The UPN generator: new permanent and temporary UPNs for a school, each serial issued once, after any serial its
loaded census returns already hold; the page, the CSV and ``flask --app app upn generate``."""

from __future__ import annotations

import datetime as dt

import pytest

from domain import clock
from domain.validation.identifiers import generate_temporary_upn, generate_upn, upn_is_valid
from models import services, upns
from models.db import rows
from tests.conftest import audit_events, set_today
from tests.domain.validation.xml_files import pupil
from tests.returns.factories import make_version


@pytest.fixture(autouse=True)
def autumn_2026():
    set_today(dt.date(2026, 10, 5))
    yield
    clock.reset()


@pytest.fixture
def office(db, school, make_user):
    user = make_user(school, name="Sam Office", email="office@fenland.example.sch.uk")
    services.set_services(db, user["id"], ["returns"])
    return user


def _issue(db, school, count=1, kind="permanent", actor=None):
    return upns.issue(db, school, kind=kind, count=count, academic_year=2026, actor=actor)


def test_serials_follow_on_and_are_never_issued_twice(db, school, office):
    first = _issue(db, school, 3, actor=office)
    assert first == [generate_upn("873", "2001", 2026, n) for n in (1, 2, 3)]
    assert first[0] == "X873200126001"
    assert _issue(db, school, 2) == [generate_upn("873", "2001", 2026, n) for n in (4, 5)]
    # temporary UPNs have their own sequence; another school its own; another year its own
    assert _issue(db, school, 2, kind="temporary") == [generate_temporary_upn("873", "2001", 2026, n) for n in (0, 1)]
    assert upns.issue(db, school, kind="permanent", count=1, academic_year=2027, actor=None)[0][1:] == "873200127001"
    stored = [r["upn"] for r in rows(db, "SELECT upn FROM issued_upns ORDER BY rowid")]
    assert len(stored) == len(set(stored)) == 8 and all(upn_is_valid(u) for u in stored)
    [event, *_] = audit_events(db, "upns_issued")
    assert event["actor_id"] == office["id"] and event["detail"] == {
        "kind": "permanent", "count": 3, "first": first[0], "last": first[-1], "academic_year": 2026}


def test_serials_already_in_a_loaded_census_are_skipped(db, school, other_school, office):
    in_use = generate_upn("873", "2001", 2026, 40)
    temporary = generate_temporary_upn("873", "2001", 2026, 30)
    # a pupil now at another school carries a UPN this school issued, and a pupil here a former temporary UPN
    make_version(db, other_school, None, pupils=[pupil(1, UPN=in_use), pupil(2)])
    make_version(db, school, None, pupils=[pupil(1, FormerUPN=temporary), pupil(2)])
    assert _issue(db, school) == [generate_upn("873", "2001", 2026, 41)]
    assert _issue(db, school, kind="temporary") == [generate_temporary_upn("873", "2001", 2026, 31)]


def test_when_the_serials_run_out_nothing_is_issued(db, school):
    make_version(db, school, None, pupils=[pupil(1, UPN=generate_upn("873", "2001", 2026, 998)), pupil(2)])
    with pytest.raises(upns.NoSerialsLeft, match="Only 1 permanent UPN is left for Fenland Primary School"):
        _issue(db, school, 2)
    assert rows(db, "SELECT * FROM issued_upns") == []
    assert _issue(db, school, 1) == [generate_upn("873", "2001", 2026, 999)]


def test_the_page_issues_and_lists_them(client_request, sign_in, db, school, office):
    sign_in(office)
    page = client_request.get("upns.index")
    assert page.h1 == "New UPNs" and "None yet." in page.html
    assert page.xpath("//input[@name='kind'][@value='permanent']/@checked")
    done = client_request.post_response("upns.index", _data={"count": "2", "kind": "permanent"}, _expected_status=303)
    assert done.headers["Location"] == "/upns?batch=1"
    page = client_request.get("upns.index", batch=1)
    assert page.texts("//table[@id='new-upns']//td/strong") == ["X873200126001", generate_upn("873", "2001", 2026, 2)]
    banner = page.texts("//div[contains(@class, 'govuk-notification-banner--success')]")[0]
    assert "2 new permanent UPNs issued" in banner
    assert "2 in all. Download them all (CSV)" in page.texts("//p")
    csv = client_request.get_response("upns.export").get_data().decode("utf-8-sig").splitlines()
    assert csv[0] == "upn,kind,academic_year,issued_at,issued_by"
    assert [line.split(",")[0] for line in csv[1:]] == ["X873200126001", generate_upn("873", "2001", 2026, 2)]
    assert csv[1].endswith(",Sam Office")


@pytest.mark.parametrize(("data", "message"), [
    ({"count": "0", "kind": "permanent"}, "Enter a number from 1 to 100"),
    ({"count": "101", "kind": "permanent"}, "Enter a number from 1 to 100"),
    ({"count": "", "kind": "permanent"}, "Enter how many UPNs you need"),
    ({"count": "1", "kind": "other"}, "Not a valid choice"),
])
def test_bad_requests_are_explained_and_issue_nothing(client_request, sign_in, db, office, data, message):
    sign_in(office)
    page = client_request.post("upns.index", _data=data, _expected_status=400)
    assert message in page.texts("//div[contains(@class, 'govuk-error-summary')]")[0]
    assert rows(db, "SELECT * FROM issued_upns") == []


def test_only_school_returns_users_issue_upns(client_request, sign_in, db, la, school, make_user):
    la_user = make_user(la, email="data@873.example.gov.uk")
    services.set_services(db, la_user["id"], ["returns"])
    sign_in(la_user)
    client_request.get("upns.index", _expected_status=403)
    client_request.post_response("upns.index", _data={"count": "1", "kind": "permanent"}, _expected_status=403)


def test_the_command_issues_them_too(runner, db, school):
    result = runner.invoke(args=["upn", "generate", "--school", "873/2001", "--count", "2", "--year", "2026"])
    assert result.exit_code == 0, result.output
    assert result.output.split() == [generate_upn("873", "2001", 2026, n) for n in (1, 2)]
    temporary = runner.invoke(args=["upn", "generate", "--school", "8732001", "--temporary", "--year", "2026"])
    assert temporary.output.split() == [generate_temporary_upn("873", "2001", 2026, 0)]
    unknown = runner.invoke(args=["upn", "generate", "--school", "873/9999"])
    assert unknown.exit_code == 1 and "No school has DfE number 873/9999" in unknown.output
