"""Site admins edit the return catalogue, term dates and each deadline; everything is audited."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from models import deadline_catalogue, deadline_instances, term_dates
from models.db import rows
from tests.conftest import set_today
from tests.deadlines.factories import instance_of

D = dt.date


@pytest.fixture
def admin(make_user, la):
    return make_user(la, name="Site Admin", email="admin@la.example.gov.uk", is_site_admin=True)


@pytest.fixture
def signed_in_admin(client, sign_in, admin):
    set_today(D(2026, 10, 5))
    sign_in(admin)
    return admin


def _rule_fields(rule: dict) -> dict:
    """The When part of the form for a stored due rule, as a browser sends it (every select and box filled)."""
    data = {"recurrence": rule["recurrence"]}
    for part in ("due", "opens", "internal_due"):
        given = rule.get(part) or {"kind": ""}
        for name in ("kind", "month", "day", "weekday", "nth", "census", "term"):
            data[f"{part}-{name}"] = "" if given.get(name) is None else str(given[name])
        data[f"{part}-offset"] = str(given.get("offset", 0))
        data[f"{part}-unit"] = given.get("unit", "days")
    return data


def _entry_form(entry: dict, rule: dict | None = None, **changes) -> dict:
    data = {
        "name": entry["name"], "description": entry["description"], "source": entry["source"],
        "return_type": entry["return_type"], "academies": "yes" if entry["audience"]["academies"] else "no",
        "chosen_only": "no", "active": "y", **_rule_fields(rule or entry["rule"]),
        "phases": entry["audience"]["phases"], "year_groups": [str(y) for y in entry["audience"]["year_groups"]],
    }  # fmt: skip
    data.update(changes)
    return data


def _parts(day: dt.date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def _actions(db, prefix: str) -> list[str]:
    return [
        r["action"] for r in rows(db, "SELECT action FROM audit_log WHERE action LIKE ? ORDER BY id", (prefix + "%",))
    ]


def test_only_site_admins(client, sign_in, make_user, la, db):
    officer = make_user(la, email="officer@la.example.gov.uk", role="approver")
    sign_in(officer)
    for path in ("/deadlines-admin", "/deadlines-admin/term-dates/2026", "/deadlines-admin/instances"):
        assert client.get(path).status_code == 403
    assert client.post("/deadlines-admin/instances/generate", data={"academic_year": "2026"}).status_code == 403


def test_catalogue_page_lists_the_defaults_in_plain_english(client, signed_in_admin):
    html = client.get("/deadlines-admin").get_data(as_text=True)
    assert html.count("<h1") == 1 and "Return catalogue" in html
    assert "School Census (autumn)" in html and "27 days after autumn census day" in html
    assert "7 days before the external deadline" in html and ">Maintained schools</td>" in html
    assert "; maintained schools only" not in html and "; academies too" not in html  # one plain phrase each
    assert "Return catalogue" in client.get("/").get_data(as_text=True)  # in the navigation


def test_edit_a_return(client, signed_in_admin, db, primary, secondary):
    entry = deadline_catalogue.get_by_code(db, "PRIVACY")
    url = f"/deadlines-admin/returns/{entry['id']}"
    page = client.get(url).get_data(as_text=True)
    assert "Privacy notice confirmation" in page and "How often is it due?" in page
    assert "Saved now: annual, due 31 October, opening on 1 September." in page
    response = client.post(url, data=_entry_form(entry, name="Privacy notice issued", chosen_only="yes",
                                                 chosen="873/2101\n873 4101"))  # fmt: skip
    assert response.status_code == 302
    saved = deadline_catalogue.get(db, entry["id"])
    assert saved["name"] == "Privacy notice issued" and saved["chosen"] == {primary["id"], secondary["id"]}
    assert _actions(db, "deadline_catalogue") == ["deadline_catalogue_changed"]
    assert "873/2101" in client.get(url).get_data(as_text=True)


def test_bad_return_edits_are_explained_and_change_nothing(client, signed_in_admin, db):
    entry = deadline_catalogue.get_by_code(db, "PRIVACY")
    url = f"/deadlines-admin/returns/{entry['id']}"
    weekly_fixed = {"recurrence": "weekly", "due": {"kind": "fixed", "month": 1, "day": 1}}
    bad_rule = client.post(url, data=_entry_form(entry, weekly_fixed))
    assert bad_rule.status_code == 400
    assert "A weekly return counts from a day of each school week" in bad_rule.get_data(as_text=True)
    unknown = client.post(url, data=_entry_form(entry, chosen_only="yes", chosen="999/9999"))
    assert "No school has DfE number 999/9999" in unknown.get_data(as_text=True)
    empty = client.post(url, data=_entry_form(entry, chosen_only="yes", chosen=""))
    assert "Choose at least one school" in empty.get_data(as_text=True)
    no_name = client.post(url, data=_entry_form(entry, name=" "))
    assert no_name.status_code == 400 and "Enter a name" in no_name.get_data(as_text=True)
    assert deadline_catalogue.get(db, entry["id"])["name"] == "Privacy notice confirmation"
    assert _actions(db, "deadline_catalogue") == []


def test_the_date_rule_is_a_form_of_its_parts(client_request, signed_in_admin, db):
    census = deadline_catalogue.get_by_code(db, "SC-AUT")
    page = client_request.get("deadlines_admin.edit_entry", catalogue_id=census["id"])
    assert not page.xpath("//textarea[@name='rule']")  # no JSON to type
    chosen = {name: page.xpath(f"//select[@name='{name}']/option[@selected]/@value")
              for name in ("due-kind", "due-census", "opens-kind", "internal_due-kind", "internal_due-unit")}
    assert chosen == {"due-kind": ["census_day_offset"], "due-census": ["autumn"], "opens-kind": ["census_day_offset"],
                      "internal_due-kind": ["due_offset"], "internal_due-unit": ["days"]}  # fmt: skip
    assert page.xpath("//input[@name='due-offset']/@value") == ["27"]
    assert page.xpath("//input[@name='internal_due-offset']/@value") == ["-7"]
    assert page.xpath("//input[@name='recurrence'][@checked]/@value") == ["annual"]
    for label in ("The deadline", "When it opens", "The LA's own earlier deadline (optional)"):
        assert label in page.texts("//legend")


def test_every_default_rule_survives_the_form_unchanged(client, signed_in_admin, db):
    for entry in deadline_catalogue.list_entries(db):
        response = client.post(f"/deadlines-admin/returns/{entry['id']}", data=_entry_form(entry))
        assert response.status_code == 302, entry["code"]
        assert deadline_catalogue.get(db, entry["id"])["rule"] == entry["rule"], entry["code"]


@pytest.mark.parametrize(("rule", "field", "message"), [
    ({"recurrence": "annual", "due": {"kind": "fixed", "day": 31}}, "due-month", "Choose the month"),
    ({"recurrence": "annual", "due": {"kind": "fixed", "month": 10}}, "due-day", "Enter the day of the month"),
    ({"recurrence": "annual", "due": {"kind": "fixed", "month": 4, "day": 31}}, "due-day",
     "That day does not exist in that month"),
    ({"recurrence": "annual", "due": {"kind": "fixed", "month": 2, "day": 29}}, "due-day",
     "29 February is not in every year: choose 28 February or 1 March"),
    ({"recurrence": "annual", "due": {"kind": "nth_weekday", "month": 6, "weekday": 4}}, "due-nth",
     "Choose which one in the month"),
    ({"recurrence": "annual", "due": {"kind": "census_day_offset", "offset": 5}}, "due-census", "Choose which census"),
    ({"recurrence": "termly", "due": {"kind": "term_end_offset", "term": "autumn"}}, "due-term",
     "Leave this as each term's own"),
    ({"recurrence": "termly", "due": {"kind": "fixed", "month": 10, "day": 1}}, "due-kind",
     "A termly return counts from each term's census day, first day or last day"),
    ({"recurrence": "annual", "due": {"kind": "weekly", "weekday": 4}}, "due-kind",
     "A yearly return cannot count from a day of each week"),
    ({"recurrence": "annual", "due": {"kind": "fixed", "month": 10, "day": 31, "offset": 400}}, "due-offset",
     "Enter a number of days from -366 to 366"),
    ({"recurrence": "monthly", "due": {"kind": "term_end_offset"}}, "due-kind",
     "A monthly return counts from the last day of each month"),
    ({"recurrence": "termly", "due": {"kind": "month_end_offset", "offset": 10}}, "due-kind",
     "A termly return counts from each term's census day"),
    ({"recurrence": "annual", "due": {"kind": "month_end_offset", "offset": 10}}, "due-kind",
     "A yearly return cannot count from a day of each week or the end of each month"),
])
def test_a_rule_that_does_not_fit_says_where_and_why(client_request, signed_in_admin, db, rule, field, message):
    entry = deadline_catalogue.get_by_code(db, "PRIVACY")
    page = client_request.post("deadlines_admin.edit_entry", catalogue_id=entry["id"],
                               _data=_entry_form(entry, rule), _expected_status=400)  # fmt: skip
    summary = page.xpath("//div[contains(@class, 'govuk-error-summary')]//a")
    assert any(link.get("href") == f"#{field}" and message in link.text_content() for link in summary), [
        (link.get("href"), link.text_content()) for link in summary]
    assert deadline_catalogue.get(db, entry["id"])["rule"] == entry["rule"]


def test_add_a_return_then_generate(client, signed_in_admin, db, primary):
    base = deadline_catalogue.get_by_code(db, "PRIVACY")
    data = _entry_form(base, code="attend-audit", name="Attendance audit", return_type="form")
    data.update(_rule_fields({"recurrence": "termly", "due": {"kind": "term_end_offset", "offset": -14}}))
    assert client.post("/deadlines-admin/returns/new", data=data).status_code == 302
    added = deadline_catalogue.get_by_code(db, "ATTEND-AUDIT")
    assert added["name"] == "Attendance audit" and added["recurrence"] == "termly"
    again = client.post("/deadlines-admin/returns/new", data=data)
    assert again.status_code == 400 and "already exists" in again.get_data(as_text=True)
    response = client.post("/deadlines-admin/instances/generate", data={"academic_year": "2026"}, follow_redirects=True)
    assert "2026/27: 57 created" in response.get_data(as_text=True)
    assert instance_of(db, "ATTEND-AUDIT", "2026/27-autumn")["due_on"] == D(2026, 12, 4)
    assert (
        json.loads(rows(db, "SELECT detail FROM audit_log WHERE action = 'deadlines_generated'")[0]["detail"])[
            "created"
        ]
        == 57
    )


def test_term_dates(client, signed_in_admin, db):
    page = client.get("/deadlines-admin/term-dates/2026").get_data(as_text=True)
    assert "Term dates 2026/27" in page and "These are computed dates" in page
    assert "Computed: 18 December 2026" in page
    defaults = term_dates.get(db, 2026)
    form = {name: _parts(getattr(defaults, name)) for name in term_dates.FIELDS}
    form["autumn_end"] = ["16", "12", "2026"]
    assert client.post("/deadlines-admin/term-dates/2026", data=form).status_code == 302
    assert term_dates.get(db, 2026).autumn_end == D(2026, 12, 16)
    assert "last changed" in client.get("/deadlines-admin/term-dates/2026").get_data(as_text=True)
    # out of order: a clear message, nothing saved
    form["spring_start"] = ["10", "12", "2026"]
    bad = client.post("/deadlines-admin/term-dates/2026", data=form)
    assert bad.status_code == 400 and "Spring term starts 2026-12-10 must be after autumn term ends" in bad.get_data(
        as_text=True
    )
    form["spring_start"] = ["", "", ""]
    blank = client.post("/deadlines-admin/term-dates/2026", data=form)
    assert "Enter the date the spring term starts" in blank.get_data(as_text=True)
    assert term_dates.get(db, 2026).spring_start == defaults.spring_start
    client.post("/deadlines-admin/term-dates/2026/reset")
    assert term_dates.stored(db, 2026) is None
    assert _actions(db, "term_dates") == ["term_dates_changed", "term_dates_reset"]
    assert client.get("/deadlines-admin/term-dates/1999").status_code == 404


def test_move_cancel_and_restore_a_deadline(client, signed_in_admin, db, generated):
    census = instance_of(db, "SC-AUT")
    url = f"/deadlines-admin/instances/{census['id']}"
    listing = client.get("/deadlines-admin/instances?year=2026").get_data(as_text=True)
    assert "54 deadlines" in listing and url in listing
    dates = {"opens_on": ["1", "10", "2026"], "due_on": ["23", "10", "2026"], "external_due_on": ["30", "10", "2026"]}
    moved = client.post(url, data={**dates, "reason": "DfE published 30 October"})
    assert moved.status_code == 302
    assert instance_of(db, "SC-AUT")["due_on"] == D(2026, 10, 23)
    assert "Moved" in client.get("/deadlines-admin/instances?year=2026").get_data(as_text=True)
    refused = client.post(url, data={"opens_on": ["1", "11", "2026"], "due_on": ["23", "10", "2026"], "reason": "x"})
    assert refused.status_code == 400 and "on or before the due date" in refused.get_data(as_text=True)
    no_reason = client.post(f"{url}/cancel", data={"cancel_reason": ""})
    assert no_reason.status_code == 400 and "Say why this deadline is cancelled" in no_reason.get_data(as_text=True)
    client.post(f"{url}/cancel", data={"cancel_reason": "Collected differently this year"})
    assert instance_of(db, "SC-AUT")["cancelled_reason"] == "Collected differently this year"
    assert "Restore this deadline" in client.get(url).get_data(as_text=True)
    client.post(f"{url}/restore")
    assert instance_of(db, "SC-AUT")["cancelled_at"] is None
    assert _actions(db, "deadline_instance") == [
        "deadline_instance_moved", "deadline_instance_cancelled", "deadline_instance_restored",
    ]  # fmt: skip


def test_add_a_deadline_by_hand(client, signed_in_admin, db, generated, primary):
    entry = deadline_catalogue.get_by_code(db, "SC-AUT")
    assert "Add a deadline" in client.get("/deadlines-admin/instances/new").get_data(as_text=True)
    response = client.post(
        "/deadlines-admin/instances/new",
        data={"catalogue_id": str(entry["id"]), "academic_year": "2026", "period_label": "Autumn re-run",
              "opens_on": ["2", "11", "2026"], "due_on": ["20", "11", "2026"]},
    )  # fmt: skip
    assert response.status_code == 302
    added = [
        i for i in deadline_instances.list_instances(db, academic_year=2026) if i["period_label"] == "Autumn re-run"
    ]
    assert len(added) == 1 and added[0]["origin"] == "manual" and added[0]["due_on"] == D(2026, 11, 20)
    bad = client.post("/deadlines-admin/instances/new", data={"catalogue_id": str(entry["id"]), "academic_year": "26"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "Enter an academic year from 2000 to 2097" in html and "Enter the period" in html


def test_a_return_can_be_made_monthly(client_request, signed_in_admin, db):
    entry = deadline_catalogue.get_by_code(db, "PRIDE-NIL")
    page = client_request.get("deadlines_admin.edit_entry", catalogue_id=entry["id"])
    assert "Every month (September to July)" in page.texts("//label")
    monthly = {"recurrence": "monthly", "due": {"kind": "month_end_offset", "offset": 5, "unit": "working_days"}}
    client_request.post("deadlines_admin.edit_entry", catalogue_id=entry["id"], _data=_entry_form(entry, monthly),
                        _expected_status=302)  # fmt: skip
    assert deadline_catalogue.get(db, entry["id"])["rule"] == monthly
    page = client_request.get("deadlines_admin.edit_entry", catalogue_id=entry["id"])
    assert page.xpath("//input[@name='recurrence'][@checked]/@value") == ["monthly"]
    assert (
        "Saved now: monthly, due 5 working days after the last day of each month, opening on the start of the "
        "period." in page.texts("//p")
    )
