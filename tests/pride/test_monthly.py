"""PRIDE returns by the month: a site admin makes the PRIDE-NIL entry of the return catalogue monthly, the
deadlines are generated, a school makes a NIL return for one month and confirms its incidents for another,
and the LA's tracker and follow-up show both, each month named as a month."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from models import deadline_catalogue, deadline_statuses, deadline_tracker, pride
from models.deadline_tracker import Filters
from tests.client_request import ClientRequest
from tests.conftest import set_today
from tests.deadlines.factories import instance_of
from tests.deadlines.test_admin_views import _entry_form
from tests.pride.factories import incident_data, reported_incident

MONTHLY = {"recurrence": "monthly", "due": {"kind": "month_end_offset", "offset": 10}}


@pytest.fixture
def monthly(app, db, la, make_user, sign_in):
    """PRIDE-NIL made monthly (due the 10th of the next month) and 2026/27 generated, through the admin pages."""
    set_today(dt.date(2026, 9, 1))
    admin = make_user(la, name="Site Admin", email="admin@la.example.gov.uk", is_site_admin=True)
    admin_client = app.test_client()  # the admin's own browser: the school and LA users sign in on ``client``
    sign_in(admin, client=admin_client)
    client_request = ClientRequest(app, admin_client)
    entry = deadline_catalogue.get_by_code(db, "PRIDE-NIL")
    client_request.post(
        "deadlines_admin.edit_entry", catalogue_id=entry["id"], _data=_entry_form(entry, MONTHLY), _expected_status=302
    )
    client_request.post("deadlines_admin.generate", _data={"academic_year": "2026"}, _expected_status=302)
    return {month: instance_of(db, "PRIDE-NIL", f"2026/27-2026-{month:02d}") for month in (9, 10)}


def test_a_monthly_nil_return_and_a_monthly_confirmation(
    monthly, db, la, school, other_school, school_user, la_user, sign_in, client_request
):
    instances = pride.year_instances(db, 2026)
    assert [i["period_label"] for i in instances][:3] == ["September 2026", "October 2026", "November 2026"]
    assert len(instances) == 11  # September to July: the termly instances were cancelled
    september, october = monthly[9], monthly[10]
    assert pride.instance_term(september) == (2026, "2026-09")
    assert (september["opens_on"], september["due_on"]) == (dt.date(2026, 9, 1), dt.date(2026, 10, 9))
    # An incident in October; none in September.
    set_today(dt.date(2026, 10, 20))
    incident = reported_incident(db, school, school_user, occurred_on=dt.date(2026, 10, 14))
    sign_in(school_user)
    index = client_request.get("pride.index")
    assert "September 2026" in index.texts("//th") and "Autumn term 2026/27" not in index.html
    page = client_request.get("pride.term_return", term_id=september["id"])
    assert page.h1 == "PRIDE return: September 2026"
    assert "You have reported no incidents in September 2026." in page.texts("//p")
    confirm = client_request.get("pride.nil_return", term_id=september["id"])
    assert confirm.h1 == "Make a NIL return for September 2026?"
    client_request.post("pride.nil_return", term_id=september["id"], _expected_status=302)
    assert deadline_statuses.status_for(db, school["id"], september["id"])["key"] == "nil"
    # October: its incident is listed on the month's page and confirmed after the month ends.
    set_today(dt.date(2026, 11, 2))
    sign_in(school_user)  # the clock jumped: a new session
    page = client_request.get("pride.term_return", term_id=october["id"])
    assert "You reported 1 incident in October 2026. Check the list, then confirm them as your return." in page.texts(
        "//p"
    )
    client_request.post("pride.confirm_incidents", term_id=october["id"], _data={}, _expected_status=302)
    assert deadline_statuses.status_for(db, school["id"], october["id"])["note"] == "1 incidents confirmed"
    assert pride.get_incident(db, incident["id"], school["id"])["editable"] is False
    with pytest.raises(pride.PrideError, match="The return for October 2026 has already been made"):
        pride.make_return(db, school=school, instance=october, kind="incidents", actor=school_user)
    # The LA's tracker and follow-up.
    set_today(dt.date(2026, 11, 12))
    data = deadline_tracker.matrix(
        db,
        la_code="873",
        filters=Filters(academic_year=2026, window="year", code="PRIDE-NIL"),
        on=dt.date(2026, 11, 12),
    )
    columns = [i["id"] for i in data["instances"]]
    cells = {row["school"]["name"]: row["cells"] for row in data["rows"]}
    assert cells["Fenland Primary School"][columns.index(september["id"])][0] == "nil"
    assert cells["Fenland Primary School"][columns.index(october["id"])][0] == "submitted"
    assert cells["Ouse Valley Academy"][columns.index(october["id"])][0] == "overdue"
    sign_in(la_user)
    follow_up = client_request.get("pride.follow_up", instance=october["id"])
    assert "Every school's PRIDE return for October 2026" in follow_up.texts("//caption")
    assert follow_up.texts("//tbody//th/span") == ["873/2001", "873/2002"]  # schools of the same name told apart
    assert "1 of 2 schools have neither confirmed incidents nor made a NIL return" in " ".join(follow_up.html.split())
    response = client_request.get_response("pride.follow_up_csv", instance=october["id"])
    assert response.headers["Content-Disposition"].endswith('pride-returns-2026-27-2026-10.csv"')
    found = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert ["Fenland Primary School", school["dfe_number"], "Submitted", "1", "2026-11-02"] in found
    assert found[2][:4] == ["Ouse Valley Academy", other_school["dfe_number"], "Overdue", "0"]


def test_a_late_incident_reopens_its_month_and_august_belongs_to_september(db, school, school_user, monthly):
    september = monthly[9]
    set_today(dt.date(2026, 10, 1))
    pride.make_return(db, school=school, instance=september, kind="nil", actor=school_user)
    data = incident_data(db, occurred_on=dt.date(2026, 9, 29))
    result = pride.save_incident(db, school=school, data=data, actor=school_user, report=True)
    assert result["reopened"]["id"] == september["id"]
    assert pride.return_made(db, school["id"], 2026, "2026-09") is None
    assert pride.month_of(dt.date(2027, 8, 10), 2027) == "2027-09"
    assert pride.month_of(dt.date(2026, 12, 24), 2026) == "2026-12"
    assert pride.term_name(2026, "2027-01") == "January 2027" and pride.period_phrase(2026, "autumn") == (
        "the autumn term 2026/27"
    )
