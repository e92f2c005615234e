"""Reporting incidents: the long form (draft or report), anonymity refusals, editing until the return is
made, and only the school's own incidents."""

from __future__ import annotations

import datetime as dt

import pytest

from domain.validation.identifiers import generate_upn
from models import pride
from tests.conftest import audit_events, set_today
from tests.pride.factories import characteristic_id, incident_data, reported_incident


def _form(db, **overrides) -> dict:
    form = {
        "occurred_on": ["14", "10", "2026"],
        "time_band": "break",
        "location": "playground",
        "characteristics": [str(characteristic_id(db, "religion")), str(characteristic_id(db, "sen"))],
        "types": ["verbal", "exclusion"],
        "targeted_pupils_8": "1",
        "responsible_pupils_8": "3",
        "responsible_parent": "",
        "actions": ["restorative"],
        "description": "Name-calling about religion at break",
        "report": "Report incident",
    }
    form.update(overrides)
    return {k: v for k, v in form.items() if v is not None}


def test_a_school_reports_an_incident_from_the_long_form(db, school, school_user, sign_in, client_request, today):
    sign_in(school_user)
    page = client_request.get("pride.new_incident")
    assert page.h1 == "Report a prejudice-related incident"
    for name in ("Race", "Sexual orientation", "Appearance", "Online", "Journey to or from school"):
        assert name in page.html
    legends = {" ".join(legend.text_content().split()) for legend in page.doc.xpath("//legend")}
    assert {
        "When did it happen?",
        "Where did it happen?",
        "What was the incident perceived to relate to?",
        "Type of incident",
        "Actions taken",
        "Date of the incident",
    } <= legends
    client_request.post("pride.new_incident", _data=_form(db), _expected_redirect=client_request.url("pride.index"))
    [incident] = pride.list_incidents(db, school["id"])
    stored = pride.get_incident(db, incident["id"], school["id"])
    assert stored["state"] == "reported" and (stored["academic_year"], stored["term"]) == (2026, "autumn")
    assert stored["types"] == ["exclusion", "verbal"]
    assert {(p["side"], p["role"], p["year_group"], p["people"]) for p in stored["people"]} == {
        ("targeted", "pupil", 8, 1),
        ("responsible", "pupil", 8, 3),
    }
    assert audit_events(db, "pride_incident_reported")[0]["organisation_id"] == school["id"]
    listing = client_request.get("pride.index")
    assert "Religion or belief; Special educational needs" in listing.html


def test_a_draft_needs_nothing_and_a_report_names_what_is_missing(
    db, school, school_user, sign_in, client_request, today
):
    sign_in(school_user)
    draft = {"time_band": "morning", "save_draft": "Save as draft"}
    client_request.post("pride.new_incident", _data=draft, _expected_status=302)
    [saved] = pride.list_incidents(db, school["id"])
    assert saved["state"] == "draft"
    page = client_request.post(
        "pride.incident", incident_id=saved["id"], _data={"report": "Report incident"}, _expected_status=400
    )
    summary = page.doc.xpath("//div[contains(@class, 'govuk-error-summary')]//a")
    texts = [a.text_content() for a in summary]
    assert "Enter the date of the incident" in texts and "Select the type of incident" in texts
    assert "Enter how many people were targeted, by role" in texts
    assert all(a.get("href").startswith("#") for a in summary)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (f"pupil {generate_upn(873, 2001, 2020, 17)}", "UPN"),
        ("ULN 9276308686", "ULN"),
        ("mum is jo@example.com", "an email address"),
        ("ring 07700 900123", "a phone number"),
        ("lives at CB3 0AP", "a postcode"),
    ],
)
def test_free_text_that_identifies_someone_is_refused_with_the_reason(
    db, school, school_user, sign_in, client_request, today, text, words
):
    sign_in(school_user)
    page = client_request.post("pride.new_incident", _data=_form(db, description=text), _expected_status=400)
    error = page.doc.xpath("//div[contains(@class, 'govuk-error-summary')]//a")[0].text_content()
    assert words in error and "anonymous" in error
    assert pride.list_incidents(db, school["id"]) == []


def test_the_form_has_no_field_for_names_or_identifiers(db, school_user, sign_in, client_request, today):
    sign_in(school_user)
    page = client_request.get("pride.new_incident")
    names = {i.get("name") for i in page.doc.xpath("//input|//textarea|//select")}
    assert not any(word in (n or "") for n in names for word in ("name", "upn", "uln", "birth", "address", "postcode"))


def test_a_future_date_is_refused(db, school_user, sign_in, client_request, today):
    sign_in(school_user)
    page = client_request.post(
        "pride.new_incident", _data=_form(db, occurred_on=["1", "1", "2027"]), _expected_status=400
    )
    assert "today or in the past" in page.html


def test_a_school_edits_its_incident_until_the_return_is_made(db, school, school_user, sign_in, client_request, autumn):
    incident = reported_incident(db, school, school_user)
    sign_in(school_user)
    page = client_request.get("pride.incident", incident_id=incident["id"])
    assert page.doc.xpath("//input[@name='targeted_pupils_7']/@value") == ["1"]
    client_request.post(
        "pride.incident", incident_id=incident["id"], _data=_form(db, location="toilets"), _expected_status=302
    )
    assert pride.get_incident(db, incident["id"], school["id"])["location"] == "toilets"
    set_today(dt.date(2026, 12, 18))  # the last day of term: the return is open
    pride.make_return(db, school=school, instance=autumn, kind="incidents", actor=school_user)
    sign_in(school_user)  # two months on, the session has ended
    page = client_request.get("pride.incident", incident_id=incident["id"])
    assert "can no longer be changed" in page.html and not page.doc.xpath(
        "//form[@method='post' and contains(@action, 'incidents/')]"
    )
    client_request.post("pride.incident", incident_id=incident["id"], _data=_form(db), _expected_status=200)
    assert pride.get_incident(db, incident["id"], school["id"])["location"] == "toilets"


def test_another_schools_incident_is_not_found(
    db, school, other_school, other_school_user, school_user, sign_in, client_request, today
):
    theirs = reported_incident(db, other_school, other_school_user)
    sign_in(school_user)
    client_request.get("pride.incident", incident_id=theirs["id"], _expected_status=404)
    assert "14 October" not in client_request.get("pride.index").html


def test_a_draft_can_be_deleted(db, school, school_user, sign_in, client_request, today):
    saved = pride.save_incident(db, school=school, data=incident_data(db), report=False, actor=school_user)
    sign_in(school_user)
    client_request.post("pride.delete_draft", incident_id=saved["incident"]["id"], _expected_status=302)
    assert pride.list_incidents(db, school["id"]) == []
    assert audit_events(db, "pride_draft_deleted")
