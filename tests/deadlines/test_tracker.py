"""The LA's returns tracker: the matrix and its filters, CSV, chasing by email, recording statuses."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

import lxml.html
import pytest

from models import deadline_statuses, deadline_tracker, organisations, services
from models.db import rows
from tests.conftest import set_today
from tests.deadlines.factories import instance_of

D = dt.date
TODAY = D(2026, 10, 23)


@pytest.fixture
def officer(make_user, la, db):
    user = make_user(la, name="Data Officer", email="officer@la.example.gov.uk")
    services.set_services(db, user["id"], {"deadlines"})
    return user


@pytest.fixture
def world(db, la, primary, secondary, academy, generated):
    """Three schools of LA 873, one of another LA; the clock on Friday 23 October 2026."""
    organisations.ensure_la(db, "874", "Peterborough")
    elsewhere = organisations.create_school(db, la_code="874", estab="2001", name="Far Away Primary", urn=130001)
    set_today(TODAY)
    census = instance_of(db, "SC-AUT")
    deadline_statuses.record_status(db, organisation_id=primary["id"], instance_id=census["id"], status="submitted",
                            at=dt.datetime(2026, 10, 20, 10, tzinfo=dt.UTC))  # fmt: skip
    return {"primary": primary, "secondary": secondary, "academy": academy, "elsewhere": elsewhere, "census": census}


def _filters(**kwargs) -> deadline_tracker.Filters:
    return deadline_tracker.Filters(academic_year=2026, **kwargs)


def _cell(data, school, code):
    column = next(n for n, i in enumerate(data["instances"]) if i["code"] == code)
    row = next(r for r in data["rows"] if r["school"]["id"] == school["id"])
    return row["cells"][column]


def test_matrix_statuses_and_counts(db, world):
    data = deadline_tracker.matrix(db, la_code="873", filters=_filters(code="SC-AUT"))
    assert [r["school"]["name"] for r in data["rows"]] == ["Ely Primary School", "March Secondary School",
                                                           "Wisbech Academy"]  # fmt: skip
    assert _cell(data, world["primary"], "SC-AUT") == ("submitted", None)
    assert _cell(data, world["secondary"], "SC-AUT") == ("overdue", None)
    assert _cell(data, world["academy"], "SC-AUT") is None  # academies submit to the DfE themselves
    counts = data["counts"][world["census"]["id"]]
    assert (
        counts["applicable"] == 2 and counts["done"] == 1 and counts["percent"] == 50 and counts["not_submitted"] == 1
    )


def test_current_window_and_whole_year(db, world):
    current = deadline_tracker.matrix(db, la_code="873", filters=_filters())
    codes = [i["code"] for i in current["instances"]]
    assert "SC-AUT" in codes and "Y11-ACTIVITY" in codes and "PRIVACY" in codes
    assert "SWC" not in codes and "PHONICS" not in codes  # due 2 December and in June
    in_window = [i["code"] for i in current["instances"] if i["in_window"]]
    assert in_window.count("MEALS") == 8  # four weeks back, this week, three ahead (half term has no return)
    assert codes.count("MEALS") == 11  # and the three September weeks before the window, still overdue
    year = deadline_tracker.matrix(db, la_code="873", filters=_filters(window="year"))
    assert len(year["instances"]) == 53  # every deadline but the information-only KS2 teacher assessment


def test_status_phase_type_and_name_filters(db, world):
    def names(**kwargs):
        data = deadline_tracker.matrix(db, la_code="873", filters=_filters(code="SC-AUT", **kwargs))
        return [r["school"]["name"] for r in data["rows"]]

    assert names(status="overdue") == ["March Secondary School"]
    assert names(status="submitted") == ["Ely Primary School"]
    assert names(status=deadline_tracker.NOT_SUBMITTED_FILTER) == ["March Secondary School"]
    assert names(phase="Secondary") == ["March Secondary School", "Wisbech Academy"]
    assert names(type_name="Community school") == ["Ely Primary School"]
    assert names(query="wisbech") == ["Wisbech Academy"]
    assert names(query="873/4101") == ["March Secondary School"]
    assert "Far Away Primary" not in names()


def test_sort_by_outstanding(db, world):
    data = deadline_tracker.matrix(db, la_code="873", filters=_filters(sort="outstanding"))
    outstanding = [r["outstanding"] for r in data["rows"]]
    assert outstanding == sorted(outstanding, reverse=True)


def test_tracker_page_and_htmx_partial(client, sign_in, officer, world):
    sign_in(officer)
    page = client.get("/deadline-tracker?code=SC-AUT")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and html.count("<h1") == 1 and "Returns tracker" in html
    assert "Showing 3 of 3 schools and 1 deadline." in html
    assert '<strong class="govuk-tag govuk-tag--red">Overdue</strong>' in html and "50% complete" in html
    assert 'name="schools"' in html and "Download this table as CSV" in html
    partial = client.get("/deadline-tracker?code=SC-AUT&status=overdue", headers={"HX-Request": "true"})
    body = partial.get_data(as_text=True)
    assert "<html" not in body and "Showing 1 of 3 schools" in body and "March Secondary School" in body
    assert "Ely Primary School" not in body
    assert "HX-Request" in partial.headers.get("Vary", "")
    # the same filters work as a plain GET form: a full page
    assert "<html" in client.get("/deadline-tracker?code=SC-AUT&status=overdue").get_data(as_text=True)


def test_bad_filters_are_explained(client, sign_in, officer, world):
    sign_in(officer)
    response = client.get("/deadline-tracker?status=everything&year=1999")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Choose a status from the list" in html and "Choose an academic year from the list" in html
    assert "Correct the filters to see schools." in html


def test_who_may_see_the_tracker(client, sign_in, make_user, la, primary, world, db):
    sign_in(make_user(la, email="no-service@la.example.gov.uk"))
    assert client.get("/deadline-tracker").status_code == 403
    client.post("/sign-out")
    sign_in(make_user(primary, role="approver", email="head@ely.example.sch.uk"))
    assert client.get("/deadline-tracker").status_code == 403
    assert client.get("/deadline-tracker/export.csv").status_code == 403


def test_la_staff_land_on_the_tracker(client, sign_in, officer, world):
    sign_in(officer)
    assert client.get("/deadlines/").headers["Location"] == "/deadline-tracker"
    assert "Returns tracker" in client.get("/").get_data(as_text=True)


def test_csv_export(client, sign_in, officer, world, db):
    sign_in(officer)
    response = client.get("/deadline-tracker/export.csv?code=SC-AUT")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="gatehouse-returns-tracker-')
    table = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert table[0] == ["DfE number", "URN", "School", "Phase", "Type", "Outstanding",
                        "School Census (autumn) (2026/27) due 2026-10-21"]  # fmt: skip
    assert table[1][:3] == ["873/2101", "120001", "Ely Primary School"] and table[1][-1] == "Submitted"
    assert table[2][-1] == "Overdue" and table[3][-1] == "Not required"
    logged = rows(db, "SELECT * FROM audit_log WHERE action = 'deadline_tracker_exported'")
    assert len(logged) == 1 and json.loads(logged[0]["detail"])["filters"] == {
        "code": "SC-AUT", "sort": "name", "window": "current", "year": "2026",
    }  # fmt: skip


def test_chase_selected_schools(client, sign_in, officer, world, db, make_user, smtp_server):
    primary, secondary = world["primary"], world["secondary"]
    head = make_user(secondary, role="approver", name="Head", email="head@march.example.sch.uk")
    clerk = make_user(secondary, name="Clerk", email="clerk@march.example.sch.uk")
    services.set_services(db, clerk["id"], {"deadlines"})
    make_user(secondary, name="Teacher", email="teacher@march.example.sch.uk")  # no Deadlines service
    make_user(primary, role="approver", email="head@ely.example.sch.uk")
    sign_in(officer)
    census = world["census"]
    response = client.post(
        "/deadline-tracker/chase",
        data={"chase_instance": census["id"], "schools": [primary["id"], secondary["id"]], "scope": "selected",
              "code": "SC-AUT"},
    )  # fmt: skip
    assert response.status_code == 302 and response.headers["Location"].startswith("/deadline-tracker?")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "sent to 1 school (2 emails)" in page  # Ely has submitted: not chased
    assert "last chased Fri 23 Oct" in page and "Chased 23 October 2026" in page
    messages = smtp_server.wait_for(2)
    assert sorted(m["To"] for m in messages) == [clerk["email"], head["email"]]
    body = messages[0].get_content()
    assert messages[0]["Subject"] == "Gatehouse: reminder - School Census (autumn) (2026/27)"
    assert "due on 21 October 2026 and is now overdue" in body and "Data Officer" in body
    assert f"http://127.0.0.1:5000/deadlines/{census['id']}" in body
    chases = rows(db, "SELECT * FROM deadline_chases")
    assert [(c["organisation_id"], c["recipients"], c["actor_id"]) for c in chases] == [
        (secondary["id"], 2, officer["id"])
    ]
    logged = rows(db, "SELECT * FROM audit_log WHERE action = 'deadline_chased'")
    assert logged[0]["organisation_id"] == secondary["id"]
    assert sorted(json.loads(logged[0]["detail"])["recipients"]) == [clerk["email"], head["email"]]


def test_chase_every_school_shown(client, sign_in, officer, world, db, make_user, smtp_server, primary):
    other = organisations.create_school(
        db, la_code="873", estab="2102", name="Soham Primary", urn=120004, phase="Primary", low_age=4, high_age=11
    )
    for school in (other, world["secondary"], primary):
        make_user(school, role="approver", email=f"head@{school['estab']}.example.sch.uk")
    sign_in(officer)
    form = {"chase_instance": world["census"]["id"], "scope": "all", "code": "SC-AUT", "status": "overdue",
            "phase": "Primary"}  # fmt: skip
    confirm = client.post("/deadline-tracker/chase", data=form)
    assert confirm.status_code == 200  # every school shown: asked first, nothing sent yet
    assert rows(db, "SELECT * FROM deadline_chases") == []
    fields = _hidden_fields(confirm.get_data(as_text=True))
    assert fields["confirmed"] == ["yes"] and fields["phase"] == ["Primary"] and fields["status"] == ["overdue"]
    response = client.post("/deadline-tracker/chase", data=fields)
    assert "phase=Primary" in response.headers["Location"] and "status=overdue" in response.headers["Location"]
    assert [m["To"] for m in smtp_server.wait_for(1)] == ["head@2102.example.sch.uk"]
    assert [c["organisation_id"] for c in rows(db, "SELECT * FROM deadline_chases")] == [other["id"]]


def _hidden_fields(html: str) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html):
        fields.setdefault(name, []).append(value)
    return fields


def test_chasing_tells_who_could_not_be_reached(client, sign_in, officer, world, db, make_user, smtp_server):
    """Seventeen overdue schools, one with a user who has Deadlines: one email, one school chased, and
    the other sixteen listed as having nobody to chase, never marked chased."""
    schools = [
        organisations.create_school(db, la_code="873", estab=f"{3100 + n}", name=f"Overdue School {n:02d}",
                                    urn=139000 + n, phase="Primary", low_age=4, high_age=11)
        for n in range(17)
    ]  # fmt: skip
    make_user(schools[0], role="approver", email="head@3100.example.sch.uk")
    sign_in(officer)
    form = {"chase_instance": world["census"]["id"], "scope": "selected", "schools": [s["id"] for s in schools],
            "code": "SC-AUT"}  # fmt: skip
    confirm = client.post("/deadline-tracker/chase", data=form)
    page = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "Send reminders to 1 school?" in page
    assert "Nobody to chase at 16 schools" in page and page.count("no user with Deadlines") == 16
    assert f'href="/deadline-tracker/schools/{schools[5]["id"]}"' in page  # where to go about it
    assert rows(db, "SELECT * FROM deadline_chases") == []
    response = client.post("/deadline-tracker/chase", data=_hidden_fields(page))
    tracker = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "sent to 1 school (1 email)" in tracker
    assert "Nobody to chase at 16 schools, no user with Deadlines: Overdue School 01;" in tracker
    assert [m["To"] for m in smtp_server.wait_for(1)] == ["head@3100.example.sch.uk"]
    assert [c["organisation_id"] for c in rows(db, "SELECT * FROM deadline_chases")] == [schools[0]["id"]]
    assert tracker.count("last chased") == 1


def test_chase_needs_a_choice(client, sign_in, officer, world, db):
    sign_in(officer)
    response = client.post("/deadline-tracker/chase", data={"chase_instance": world["census"]["id"]},
                           follow_redirects=True)  # fmt: skip
    assert "Select the schools to send a reminder to" in response.get_data(as_text=True)
    response = client.post(
        "/deadline-tracker/chase",
        data={"chase_instance": world["census"]["id"], "schools": [world["elsewhere"]["id"]]},
        follow_redirects=True,
    )
    assert "No reminders sent" in response.get_data(as_text=True)  # another LA's school is never chased
    assert rows(db, "SELECT * FROM deadline_chases") == []


def test_record_a_return_made_outside_gatehouse(client, sign_in, officer, world, db):
    secondary, census = world["secondary"], world["census"]
    sign_in(officer)
    url = f"/deadline-tracker/{census['id']}/{secondary['id']}"
    assert "Record a status" in client.get(url).get_data(as_text=True)
    refused = client.post(url, data={"status": "exempt"})
    assert refused.status_code == 400 and "Give the reason this school is exempt" in refused.get_data(as_text=True)
    response = client.post(
        url,
        data={"status": "submitted", "source": "DfE COLLECT", "note": "Seen in COLLECT",
              "made_on": ["20", "10", "2026"]},
        follow_redirects=True,
    )  # fmt: skip
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "status recorded" in html and "DfE COLLECT" in html
    status = deadline_statuses.status_for(db, secondary["id"], census["id"])
    assert status["key"] == "submitted" and status["submitted_at"] == "2026-10-20T11:00:00Z"  # midday BST
    overview = client.get(f"/deadline-tracker/schools/{secondary['id']}").get_data(as_text=True)
    assert "March Secondary School" in overview and "Record status" in overview
    deadline_statuses.record_status(db, organisation_id=secondary["id"], instance_id=census["id"], status="returned",
                                    note="Check it", source="returns")  # fmt: skip
    history = lxml.html.fromstring(client.get(url).get_data(as_text=True)).xpath("//tbody/tr/td[4]")
    assert [td.text_content() for td in history][:2] == ["Returns", "DfE COLLECT"]  # a part of Gatehouse by name


def test_other_las_schools_answer_404(client, sign_in, officer, world):
    sign_in(officer)
    elsewhere = world["elsewhere"]
    assert client.get(f"/deadline-tracker/schools/{elsewhere['id']}").status_code == 404
    assert client.get(f"/deadline-tracker/{world['census']['id']}/{elsewhere['id']}").status_code == 404
    academy_url = f"/deadline-tracker/{world['census']['id']}/{world['academy']['id']}"
    assert client.get(academy_url).status_code == 404  # the census does not apply to academies


def test_one_deadline_from_the_calendar_link(client, sign_in, officer, world):
    sign_in(officer)
    html = client.get(f"/deadline-tracker?instance={world['census']['id']}").get_data(as_text=True)
    assert "Showing 3 of 3 schools and 1 deadline." in html and 'name="instance"' in html


def test_default_view_shows_every_overdue_return_of_the_year(db, world, primary, secondary):
    """In December the autumn census (due 21 October) is long past the four-week window, but March
    Secondary has still not made it: the default view keeps it as a column; once every school has
    made it, it leaves the default view (it stays in the whole year)."""
    set_today(D(2026, 12, 10))
    codes = [i["code"] for i in deadline_tracker.matrix(db, la_code="873", filters=_filters())["instances"]]
    assert "SC-AUT" in codes and "SWC" in codes  # overdue from October; due 2 December, inside the window
    deadline_statuses.record_status(db, organisation_id=secondary["id"], instance_id=world["census"]["id"],
                                    status="submitted", at=dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC))  # fmt: skip
    codes = [i["code"] for i in deadline_tracker.matrix(db, la_code="873", filters=_filters())["instances"]]
    assert "SC-AUT" not in codes
    year = deadline_tracker.matrix(db, la_code="873", filters=_filters(window="year"))
    assert "SC-AUT" in [i["code"] for i in year["instances"]]
