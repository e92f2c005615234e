"""The termly return: confirm the term's incidents, or a NIL return after a confirmation page; NIL, not
returned and not required are three statuses the tracker tells apart; a late incident reopens the term
and tells the LA."""

from __future__ import annotations

import datetime as dt

import pytest

from models import deadline_statuses, deadline_tracker, organisations, pride
from models.deadline_tracker import Filters
from tests.conftest import audit_events, outbox, set_today
from tests.pride.factories import incident_data, reported_incident

END_OF_TERM = dt.date(2026, 12, 18)


def _tracker_keys(db, instance) -> dict:
    data = deadline_tracker.matrix(
        db,
        la_code="873",
        filters=Filters(academic_year=2026, window="year", code="PRIDE-NIL"),
        on=END_OF_TERM + dt.timedelta(days=3),
    )
    index = [i["id"] for i in data["instances"]].index(instance["id"])
    return {row["school"]["name"]: row["cells"][index][0] for row in data["rows"]}, data["counts"][instance["id"]]


def test_nil_not_returned_and_not_required_are_told_apart(
    db, la, school, other_school, make_user, school_user, la_user, sign_in, client_request, autumn
):
    third = organisations.create_school(db, la_code="873", estab="4001", name="Wisbech Academy", urn=110004)
    pride.set_not_required(db, third, "Academy with no data-sharing agreement", actor=la_user)
    set_today(END_OF_TERM)
    sign_in(school_user)
    page = client_request.get("pride.term_return", term_id=autumn["id"])
    assert "You have reported no incidents in the autumn term 2026/27" in page.html
    confirm = client_request.get("pride.nil_return", term_id=autumn["id"])
    assert confirm.h1 == "Make a NIL return for the autumn term 2026/27?"
    client_request.post("pride.nil_return", term_id=autumn["id"], _expected_redirect=client_request.url("pride.index"))
    status = deadline_statuses.status_for(db, school["id"], autumn["id"])
    assert (status["key"], status["label"], status["explicit"]) == ("nil", "NIL return", "submitted")
    set_today(END_OF_TERM + dt.timedelta(days=3))
    keys, counts = _tracker_keys(db, autumn)
    assert keys == {
        "Fenland Primary School": "nil",
        "Ouse Valley Academy": "overdue",
        "Wisbech Academy": "not_required",
    }
    assert counts["done"] == 1 and counts["exempt"] == 1 and counts["percent"] == 50
    assert audit_events(db, "pride_return_made")[0]["detail"]["kind"] == "nil"


def test_confirming_incidents_and_the_refusals(db, school, school_user, autumn):
    set_today(END_OF_TERM)
    with pytest.raises(pride.PrideError, match="make a NIL return instead"):
        pride.make_return(db, school=school, instance=autumn, kind="incidents", actor=school_user)
    draft = pride.save_incident(db, school=school, data=incident_data(db), report=False, actor=school_user)
    with pytest.raises(pride.PrideError, match="draft"):
        pride.make_return(db, school=school, instance=autumn, kind="nil", actor=school_user)
    pride.save_incident(
        db, school=school, data=incident_data(db), report=True, actor=school_user, incident_id=draft["incident"]["id"]
    )
    with pytest.raises(pride.PrideError, match="confirm them instead"):
        pride.make_return(db, school=school, instance=autumn, kind="nil", actor=school_user)
    status = pride.make_return(db, school=school, instance=autumn, kind="incidents", actor=school_user)
    assert status["key"] == "submitted" and status["note"] == "1 incidents confirmed"
    with pytest.raises(pride.PrideError, match="already been made"):
        pride.make_return(db, school=school, instance=autumn, kind="incidents", actor=school_user)


def test_the_deadlines_page_nil_refuses_a_term_with_incidents(db, school, school_user, sign_in, client_request, autumn):
    reported_incident(db, school, school_user)
    set_today(END_OF_TERM)
    sign_in(school_user)
    page = client_request.get("deadlines.school_return", instance_id=autumn["id"])
    assert client_request.url("pride.term_return", term_id=autumn["id"]) in page.html
    client_request.post("deadlines.make_return", instance_id=autumn["id"], _data={"confirm": "y"}, _expected_status=302)
    assert deadline_statuses.status_for(db, school["id"], autumn["id"])["key"] == "open"


def test_a_late_incident_reopens_a_nil_return_and_tells_the_la(
    db, la, school, school_user, la_user, sign_in, client_request, autumn
):
    set_today(END_OF_TERM)
    pride.make_return(db, school=school, instance=autumn, kind="nil", actor=school_user)
    set_today(dt.date(2026, 12, 21))  # the Christmas holiday: an incident from the last week of term comes to light
    sign_in(school_user)
    form = {
        "occurred_on": ["16", "12", "2026"],
        "time_band": "break",
        "location": "online",
        "characteristics": [str(incident_data(db)["characteristics"][0])],
        "types": ["online"],
        "targeted_pupils_5": "1",
        "report": "Report incident",
    }
    page = client_request.post("pride.new_incident", _data=form, _follow_redirects=True)
    assert "return was reopened and the LA told" in page.html
    status = deadline_statuses.status_for(db, school["id"], autumn["id"])
    assert status["key"] == "overdue" and "Reopened" in status["note"]
    assert pride.return_made(db, school["id"], 2026, "autumn") is None
    [mail] = outbox(db, la_user["email"])
    assert "Fenland Primary School" in mail["subject"] and "NIL return" in mail["body"]
    assert audit_events(db, "pride_return_reopened")[0]["detail"]["was"] == "nil"
    # the school confirms the term again
    status = pride.make_return(db, school=school, instance=autumn, kind="incidents", actor=school_user)
    assert status["key"] == "late"


def test_not_required_can_be_cleared(db, school, la_user, autumn):
    assert pride.set_not_required(db, school, "No agreement", actor=la_user) == 3
    assert deadline_statuses.status_for(db, school["id"], autumn["id"])["key"] == "not_required"
    with pytest.raises(pride.PrideError, match="does not need"):
        pride.make_return(db, school=school, instance=autumn, kind="nil", actor=la_user)
    assert pride.set_not_required(db, school, None, actor=la_user) == 3
    assert deadline_statuses.status_for(db, school["id"], autumn["id"])["key"] == "open"
    assert [e["action"] for e in audit_events(db) if e["action"].startswith("pride_not")] == [
        "pride_not_required_set",
        "pride_not_required_cleared",
    ]


def test_nil_and_not_required_are_recorded_kinds_not_read_from_the_notes(db, school, other_school, la_user,
                                                                         school_user, autumn):  # fmt: skip
    set_today(END_OF_TERM)
    status = pride.make_return(db, school=school, instance=autumn, kind="nil", actor=school_user,
                               details="Checked with every class teacher")  # fmt: skip
    assert (status["key"], status["kind"], status["note"]) == (
        "nil", "nil", "NIL return: Checked with every class teacher")  # fmt: skip
    assert pride.set_not_required(db, other_school, "No agreement", actor=la_user) == 3
    marked = deadline_statuses.status_for(db, other_school["id"], autumn["id"])
    assert (marked["key"], marked["kind"], marked["note"]) == (
        "not_required", "not_required", "Return not required (PRIDE): No agreement")  # fmt: skip
    # an exemption the LA records by hand with a note that merely looks like PRIDE's is an exemption: clearing
    # "not required" leaves it alone
    spring = pride.year_instances(db, 2026)[1]
    assert pride.set_not_required(db, other_school, None, actor=la_user) == 3
    deadline_statuses.record_status(db, organisation_id=other_school["id"], instance_id=spring["id"], status="exempt",
                                    note="Return not required (PRIDE): closing at Easter", actor=la_user)  # fmt: skip
    assert deadline_statuses.status_for(db, other_school["id"], spring["id"])["key"] == "exempt"
    assert pride.set_not_required(db, other_school, None, actor=la_user) == 0
    assert deadline_statuses.status_for(db, other_school["id"], spring["id"])["key"] == "exempt"
    follow_up = {r["name"]: r["display"]["key"] for r in pride.term_returns(db, "873", autumn)}
    assert follow_up == {"Fenland Primary School": "nil", "Ouse Valley Academy": "open"}


def test_the_la_marks_a_school_not_required_from_its_page(db, school, la_user, sign_in, client_request, autumn):
    sign_in(la_user)
    client_request.post(
        "pride.not_required", org_id=school["id"], _data={"reason": "Academy, no agreement"}, _expected_status=302
    )
    assert pride.not_required(db, school["id"])["reason"] == "Academy, no agreement"
    assert "Academy, no agreement" in client_request.get("pride.settings").html


def test_a_yearly_pride_return_when_the_catalogue_makes_it_annual(db, school, school_user, sign_in, client_request):
    """The period follows the PRIDE-NIL entry of the return catalogue: termly by default, or one return for
    the academic year (due the last day of the summer term) when the LA makes it annual."""
    import dataclasses

    from domain.deadline_rules import DEFAULT_CATALOGUE
    from domain.deadline_rules.rules import DateRule, DueRule, Recurrence
    from models import deadline_catalogue, deadline_instances

    set_today(dt.date(2027, 3, 1))
    row = deadline_catalogue.get_by_code(db, "PRIDE-NIL")
    entry = next(e for e in DEFAULT_CATALOGUE if e.code == "PRIDE-NIL")
    annual = dataclasses.replace(entry, rule=DueRule(Recurrence.ANNUAL, due=DateRule.term_end_offset(0, "summer")))
    deadline_catalogue.save(db, annual, catalogue_id=row["id"])
    deadline_instances.generate(db, 2026)
    [year_return] = pride.year_instances(db, 2026)
    assert pride.instance_term(year_return) == (2026, None) and year_return["due_on"] == dt.date(2027, 7, 22)
    autumn = reported_incident(db, school, school_user, occurred_on=dt.date(2026, 11, 3))
    reported_incident(db, school, school_user, occurred_on=dt.date(2027, 2, 2))
    sign_in(school_user)
    page = client_request.get("pride.index")
    assert "Academic year 2026/27" in page.html and "Autumn term 2026/27" not in page.html
    set_today(dt.date(2027, 7, 22))
    status = pride.make_return(db, school=school, instance=year_return, kind="incidents", actor=school_user)
    assert status["note"] == "2 incidents confirmed"
    assert pride.get_incident(db, autumn["id"], school["id"])["editable"] is False
    reported_incident(db, school, school_user, occurred_on=dt.date(2027, 7, 20))  # late: reopens the year
    assert pride.return_made(db, school["id"], 2026, None) is None
