"""Duplicates pages: the LA's list (filters, counts, CSV, home page count), a case and its actions, messaging both
schools by email, a school's own cases with only the minimal view of the other school, the closure countdown."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from models import duplicates, messages, organisations, services
from models.db import rows, scalar
from tests.conftest import audit_events, outbox, set_today
from tests.duplicates.factories import case_between, load, own, shared


def _act(client_request, endpoint: str, case_id: int, data: dict) -> None:
    """POST a form about the case; it answers by sending the browser back to the case."""
    client_request.post(
        endpoint,
        case_id=case_id,
        _data=data,
        _expected_status=303,
        _expected_redirect=client_request.url("duplicates.case", case_id=case_id),
    )


@pytest.fixture
def case_id(db, sc_aut, school, other_school) -> int:
    """Fenland (school) and Ouse Valley (other_school) both have pupil 1 as a single registration."""
    load(db, school, sc_aut, [shared(1, EntryDate="2024-09-03"), own(2)])
    load(db, other_school, sc_aut, [shared(1, EntryDate="2026-09-07", PostCode="PE1 9ZZ", EnrolStatus="C"), own(3)])
    return scalar(db, "SELECT max(id) FROM duplicate_cases")


def test_la_list_with_counts_filters_and_home_page(db, sign_in, client_request, la_user, case_id, third_school,
                                                   other_school, sc_aut):  # fmt: skip
    load(db, third_school, sc_aut, [shared(7, Surname="Person", Forename="Pat", DOB="2014-01-01")])
    load(db, other_school, sc_aut, [shared(1), own(3), shared(8, Surname="Person", Forename="Pat", DOB="2014-01-01")])
    sign_in(la_user)
    page = client_request.get("duplicates.index")
    assert page.h1 == "Duplicate pupils"
    assert (
        "In this census: 2 open, 0 schools contacted, 0 resolved, 0 not a duplicate."
        in page.texts("//*[@id='case-counts']")[0]
    )
    assert len(page.xpath("//tbody/tr")) == 2
    same_person = client_request.get("duplicates.index", kind="same-person")
    assert [" ".join(t.split()) for t in same_person.texts("//tbody/tr/td[1]")] == [
        "Same person, different UPNsame-name-dob-sex"
    ]
    by_school = client_request.get("duplicates.index", school=str(third_school["id"]))
    assert len(by_school.xpath("//tbody/tr")) == 1
    closed = client_request.get("duplicates.index", status="resolved")
    assert closed.xpath("//tbody/tr") == [] and "No cases match these filters." in closed.html
    phase = organisations.get(db, third_school["id"])["phase"]
    if phase:
        assert len(client_request.get("duplicates.index", phase=phase).xpath("//tbody/tr")) >= 1
    partial = client_request.get("duplicates.index", kind="same-upn", _headers={"HX-Request": "true"})
    assert not partial.whole_page and len(partial.xpath("//tbody/tr")) == 1
    home = client_request.get("main.home")
    assert "2 duplicate pupil cases open" in home.texts("//*[@id='waiting']")[0]


def test_case_page_shows_every_record_and_census_day_overlap(sign_in, client_request, la_user, case_id):
    sign_in(la_user)
    page = client_request.get("duplicates.case", case_id=case_id)
    assert page.h1.endswith(" Shared")
    assert "Two schools record the pupil as a single registration (C)" in page.html
    assert "Yes: on both rolls on census day" in page.html
    assert "Different (not a condition: children move)" in page.html
    schools = [" ".join(t.split()) for t in page.texts("//tbody/tr/th")]
    assert [s.replace("School873", "School 873").replace("Academy873", "Academy 873") for s in schools] == [
        "Fenland Primary School 873/2001, version 1",
        "Ouse Valley Academy 873/2002, version 1",
    ]
    assert "PE1 9ZZ" in page.html


def test_school_sees_its_own_cases_and_only_name_upn_and_dob_of_the_other(sign_in, client_request, school_user,
                                                                           case_id, db):  # fmt: skip
    sign_in(school_user)
    listing = client_request.get("duplicates.index")
    assert len(listing.xpath("//tbody/tr")) == 1
    page = client_request.get("duplicates.case", case_id=case_id)
    others = [" ".join(t.split()) for t in page.texts("//table//tbody//td | //table//tbody//th")]
    assert others[0] == "Ouse Valley Academy" and len(others) == 4
    assert "PE1 9ZZ" not in page.html  # the other school's postcode
    assert "7 September 2026" not in page.html  # its entry date
    assert "CB1 2AB" not in page.html and "Postcode" not in page.html  # postcode evidence is about both schools
    assert "3 September 2024" in page.html  # our own entry date
    home = client_request.get("main.home")
    assert "1 duplicate pupil to check with another school" in home.texts("//*[@id='waiting']")[0]


def test_school_notes_are_not_shown_to_the_other_school(db, sign_in, client_request, school_user, other_school_user,
                                                        case_id, client, app):  # fmt: skip
    sign_in(school_user)
    _act(client_request, "duplicates.add_note", case_id, {"note": "Left us on 2 Oct, moving to Ely."})
    other = app.test_client()
    sign_in(other_school_user, client=other)
    page = client_request.using(other).get("duplicates.case", case_id=case_id)
    assert "moving to Ely" not in page.html
    assert audit_events(db, "duplicate_case_note")


def test_school_users_cannot_act_for_the_la(sign_in, client_request, school_user, case_id):
    sign_in(school_user)
    client_request.post("duplicates.resolve", case_id=case_id, _data={"resolution": "x"}, _expected_status=403)
    client_request.get("duplicates.message", case_id=case_id, _expected_status=403)
    client_request.get("duplicates.cases_csv", _expected_status=403)


def test_message_both_schools_in_messages_marks_contacted(db, sign_in, client_request, la_user, school_user,
                                                          other_school_user, case_id, make_user, school):  # fmt: skip
    reader = make_user(school, name="Mo Messages", email="messages@fenland.example.sch.uk")
    services.set_services(db, reader["id"], ["returns", "transfers"])
    sign_in(la_user)
    form = client_request.get("duplicates.message", case_id=case_id)
    body = form.texts("//textarea[@name='body']")[0]
    assert "Fenland Primary School" in body and "Ouse Valley Academy" in body
    empty = client_request.post("duplicates.message", case_id=case_id, _data={"subject": "", "body": ""},
                                _expected_status=400)  # fmt: skip
    assert "Enter a subject" in empty.html and "Enter the message" in empty.html
    _act(client_request, "duplicates.message", case_id, {"subject": "Duplicate pupil", "body": "Please check pupil 1."})
    # a conversation with each school, each only between it and the LA, with a link to the case
    threads = rows(db, "SELECT * FROM message_threads ORDER BY id")
    assert [t["subject"] for t in threads] == ["Duplicate pupil", "Duplicate pupil"]
    assert sorted(t["recipient_org_id"] for t in threads) == sorted({school_user["organisation_id"],
                                                                     other_school_user["organisation_id"]})
    first = messages.posts(db, threads[0]["id"], threads[0]["recipient_org_id"])
    assert "Please check pupil 1." in first[0]["body"] and f"/duplicates/cases/{case_id}" in first[0]["body"]
    # Returns users who cannot use Messages are emailed a link to it (no pupil details by email); one who can
    # reads it in Messages; the message is on the case's page, which the email links to
    for person in (school_user, other_school_user):
        [mail] = outbox(db, person["email"])
        assert "Please check pupil 1." not in mail["body"] and f"/duplicates/cases/{case_id}" in mail["body"]
    sign_in(school_user)
    history = client_request.get("duplicates.case", case_id=case_id).texts("//ol[@id='case-history']")
    assert "Please check pupil 1." in " ".join(history)
    assert outbox(db, reader["email"]) == []
    assert duplicates.get_case(db, case_id)["status"] == "contacted"
    assert audit_events(db, "duplicate_case_contacted")


def test_resolve_and_not_duplicate_need_a_reason(db, sign_in, client_request, la_user, case_id):
    sign_in(la_user)
    page = client_request.post(
        "duplicates.not_duplicate", case_id=case_id, _data={"reason": "  "}, _expected_status=400
    )
    assert "Say why this is not a duplicate" in page.html and "govuk-error-summary" in page.html
    _act(client_request, "duplicates.not_duplicate", case_id, {"reason": "Two children, checked."})
    assert duplicates.get_case(db, case_id)["status"] == "not_duplicate"
    again = client_request.post(
        "duplicates.resolve", case_id=case_id, _data={"resolution": "Done"}, _expected_status=400
    )
    assert "This case is already closed." in again.html
    _act(client_request, "duplicates.reopen", case_id, {"reopen_reason": "Wrong call"})
    _act(client_request, "duplicates.resolve", case_id, {"resolution": "Ouse Valley removed them."})
    assert duplicates.get_case(db, case_id)["status"] == "resolved"


def test_a_decision_on_a_case_that_closed_meanwhile_changes_nothing(db, la_user, case_id):
    # Two LA users (or a double click) act on the same open case: the first closes it, the second's decision was
    # made on the open case it loaded and must not overwrite the first one's.
    stale = duplicates.get_case(db, case_id)
    duplicates.resolve(db, stale, la_user, "Ouse Valley removed them.")
    with pytest.raises(duplicates.CaseError):
        duplicates.mark_not_duplicate(db, stale, la_user, "Two children, checked.")
    with pytest.raises(duplicates.CaseError):
        duplicates.record_contacted(db, stale, la_user, "Please check.")
    case = duplicates.get_case(db, case_id)
    assert (case["status"], case["resolution"]) == ("resolved", "Ouse Valley removed them.")
    assert [e["action"] for e in case["events"]].count("resolved") == 1
    assert not audit_events(db, "duplicate_case_not_duplicate") and not audit_events(db, "duplicate_case_contacted")
    reopened = duplicates.get_case(db, case_id)
    duplicates.reopen(db, reopened, la_user, "Wrong call")
    with pytest.raises(duplicates.CaseError):  # a second click on Reopen
        duplicates.reopen(db, reopened, la_user, "Wrong call")
    assert len(audit_events(db, "duplicate_case_reopened")) == 1


def test_cases_csv_is_formula_safe(db, sign_in, client_request, la_user, case_id):
    sign_in(la_user)
    _act(client_request, "duplicates.resolve", case_id, {"resolution": '=HYPERLINK("http://x")'})
    response = client_request.get_response("duplicates.cases_csv", status="")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert table[0][:4] == ["Case", "Kind", "Rule", "Status"]
    assert table[1][12] == '\'=HYPERLINK("http://x")'
    assert table[1][5] == "Fenland Primary School; Ouse Valley Academy"
    assert audit_events(db, "duplicate_cases_downloaded")


def test_closure_countdown_with_the_funding_warning(db, sign_in, client_request, la_user, school_user, case_id,
                                                    sc_aut):  # fmt: skip
    sign_in(la_user)
    bad = client_request.post("duplicates.closure", instance_id=sc_aut["id"],
                              _data={"closes_on": ["31", "2", "2027"]}, _expected_status=400)  # fmt: skip
    assert "must be a real date" in bad.html
    client_request.post(
        "duplicates.closure",
        instance_id=sc_aut["id"],
        _data={"closes_on": ["15", "10", "2026"]},
        _expected_status=303,
        _expected_redirect=client_request.url("duplicates.index", instance=sc_aut["id"]),
    )
    warning = " ".join(client_request.get("duplicates.index").texts("//*[@id='closure-countdown']")[0].split())
    assert "Warning 10 days until the DfE closes the School Census (autumn) database (15 October 2026)." in warning
    assert "funding split 50/50" in warning
    set_today(dt.date(2026, 10, 14))
    sign_in(school_user)
    page = client_request.get("duplicates.case", case_id=case_id)
    assert "1 day until the DfE closes" in " ".join(page.texts("//*[@id='closure-countdown']")[0].split())
    assert audit_events(db, "census_database_closure_set")


def test_a_corrected_upload_through_the_form_closes_the_case(db, sign_in, client_request, la_user, school,
                                                             other_school, third_school, sc_aut):  # fmt: skip
    case = case_between(db, third_school, other_school, sc_aut)
    load(db, third_school, sc_aut, [own(2)])
    sign_in(la_user)
    page = client_request.get("duplicates.case", case_id=case)
    assert "Resolved by upload: Third Street School's version 2 no longer has this conflict." in page.texts("//dd")


def test_closure_today_and_past(db, sign_in, client_request, la_user, case_id, sc_aut):
    sign_in(la_user)
    duplicates.set_database_closure(db, sc_aut["id"], dt.date(2026, 10, 5), la_user)
    today = " ".join(client_request.get("duplicates.index").texts("//*[@id='closure-countdown']")[0].split())
    assert "Today the DfE closes the School Census (autumn) database (5 October 2026)." in today
    duplicates.set_database_closure(db, sc_aut["id"], dt.date(2026, 10, 2), la_user)
    past = " ".join(client_request.get("duplicates.index").texts("//*[@id='closure-countdown']")[0].split())
    assert "The DfE closed the School Census (autumn) database on 2 October 2026." in past
