"""Deadlines in chromium: the LA filters the tracker to overdue schools and chases them; the
school's pages are accessible and CSP-clean; the tracker works without JavaScript."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from models import deadline_instances, deadline_statuses, organisations, outbox, services
from models.db import rows
from tests.browser.sessions import carry_session, same_user_without_javascript
from tests.conftest import set_today
from tests.deadlines.factories import instance_of

D = dt.date


@pytest.fixture
def schools(db, la):
    """Three maintained schools of LA 873 and 2026/27's deadlines; today is Friday 23 October 2026."""
    made = [
        organisations.create_school(
            db,
            la_code="873",
            estab=estab,
            name=name,
            urn=urn,
            phase="Primary",
            type_name="Community school",
            low_age=4,
            high_age=11,
        )  # fmt: skip
        for estab, name, urn in (
            ("2101", "Ely Primary", 120001),
            ("2102", "Soham Primary", 120002),
            ("2103", "Wicken Primary", 120003),
        )  # fmt: skip
    ]
    deadline_instances.generate(db, 2026)
    set_today(D(2026, 10, 23))
    census = instance_of(db, "SC-AUT")
    deadline_statuses.record_status(db, organisation_id=made[0]["id"], instance_id=census["id"], status="submitted",
                            at=dt.datetime(2026, 10, 20, 9, tzinfo=dt.UTC))  # fmt: skip
    deadline_statuses.record_status(db, organisation_id=made[1]["id"], instance_id=census["id"], status="exempt",
                            note="Closed for rebuilding")  # fmt: skip
    return made


def _browser_session(page, live_server, client, sign_in, user, check_path: str):
    sign_in(user)
    assert client.get(check_path).status_code == 200
    carry_session(client, page.context, live_server)
    return page


@pytest.fixture
def officer_page(page, live_server, client, sign_in, make_user, la, db, schools):
    officer = make_user(la, name="Data Officer", email="officer@la.example.gov.uk")
    services.set_services(db, officer["id"], {"deadlines"})
    return _browser_session(page, live_server, client, sign_in, officer, "/deadline-tracker")


def test_la_filters_to_overdue_schools_and_chases_them(officer_page, live_server, checked, db, schools, make_user):
    wicken = schools[2]
    make_user(wicken, role="approver", name="Head", email="head@wicken.example.sch.uk")
    page = officer_page
    page.goto(live_server.url + "/deadline-tracker")
    assert page.locator("h1").inner_text() == "Returns tracker"
    checked(page)

    page.evaluate("window.__samePage = true")
    page.select_option("#code", "SC-AUT")
    page.select_option("#status", "overdue")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**/deadline-tracker?*status=overdue*")
    expect(page.locator("#tracker-results [role=status]")).to_have_text("Showing 1 of 3 schools and 1 deadline.")
    assert page.evaluate("window.__samePage") is True, "the filters reloaded the page instead of swapping"
    rows_shown = page.locator("#tracker-results tbody tr")
    expect(rows_shown).to_have_count(1)
    assert "Wicken Primary" in rows_shown.inner_text() and "Overdue" in rows_shown.inner_text()
    checked(page)

    page.get_by_label("Wicken Primary").check()
    page.get_by_role("button", name="Send reminders to the schools ticked").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Reminders about School Census (autumn) (2026/27) sent to 1 school (1 email)."
    )
    assert "status=overdue" in page.url  # back to the same filtered view
    expect(page.locator("#tracker-results tbody tr")).to_contain_text("last chased Fri 23 Oct")
    checked(page)

    chased = rows(db, "SELECT organisation_id, recipients FROM deadline_chases")
    assert chased == [{"organisation_id": wicken["id"], "recipients": 1}]
    held = outbox.page(db)
    assert [m["to_addr"] for m in held] == ["head@wicken.example.sch.uk"]
    assert "School Census (autumn)" in held[0]["subject"]


def test_la_chases_many_sees_who_cannot_be_reached_and_confirms(officer_page, live_server, checked, db, schools,
                                                                make_user):
    """Overdue schools, only one with a user who has Deadlines: the LA is asked first, sees which school has
    nobody to chase and why, confirms, and only the school emailed is marked chased."""
    more = [organisations.create_school(db, la_code="873", estab=f"{2110 + n}", name=f"Fen School {n}",
                                        urn=120010 + n, phase="Primary", low_age=4, high_age=11)
            for n in range(2)]  # fmt: skip
    make_user(schools[2], role="approver", email="head@wicken.example.sch.uk")
    page = officer_page
    page.goto(live_server.url + "/deadline-tracker?code=SC-AUT&status=overdue")
    expect(page.locator("#tracker-results tbody tr")).to_have_count(3)
    page.get_by_role("button", name="Send reminders to every school shown").click()
    expect(page.locator("h1")).to_have_text("Send reminders to 1 school?")
    expect(page.locator("#nobody")).to_have_text("Nobody to chase at 2 schools")
    expect(page.locator("main")).to_contain_text("Fen School 0 (873/2110): no user with Deadlines.")
    checked(page)
    assert rows(db, "SELECT * FROM deadline_chases") == []
    page.get_by_role("button", name="Send 1 reminder").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("sent to 1 school (1 email)")
    expect(page.locator("main")).to_contain_text("Nobody to chase at 2 schools, no user with Deadlines")
    checked(page)
    chased = [r["organisation_id"] for r in rows(db, "SELECT organisation_id FROM deadline_chases")]
    assert chased == [schools[2]["id"]] and all(school["id"] not in chased for school in more)


def test_tracker_filters_and_chase_work_without_javascript(browser, live_server, officer_page, db, schools, make_user):
    make_user(schools[2], role="approver", email="head@wicken.example.sch.uk")
    with same_user_without_javascript(browser, officer_page) as page:
        page.goto(live_server.url + "/deadline-tracker")
        page.select_option("#code", "SC-AUT")
        page.select_option("#status", "overdue")
        page.get_by_role("button", name="Apply filters").click()
        page.wait_for_url("**status=overdue*")
        assert page.locator("#tracker-results tbody tr").count() == 1
        page.get_by_role("button", name="Send reminders to every school shown").click()
        # every school shown: the LA is asked first, with who will be emailed
        assert page.locator("h1").inner_text() == "Send reminders to 1 school?"
        assert rows(db, "SELECT * FROM deadline_chases") == []
        page.get_by_role("button", name="Send 1 reminder").click()
        assert "sent to 1 school" in page.locator(".govuk-notification-banner--success").inner_text()
    assert [r["organisation_id"] for r in rows(db, "SELECT organisation_id FROM deadline_chases")] == [schools[2]["id"]]


def test_school_pages_are_accessible_under_csp(page, live_server, client, sign_in, make_user, db, schools, checked):
    office = make_user(schools[2], name="Office", email="office@wicken.example.sch.uk")
    services.set_services(db, office["id"], {"deadlines"})
    _browser_session(page, live_server, client, sign_in, office, "/deadlines/")
    page.goto(live_server.url + "/deadlines/")
    assert page.locator("h1").inner_text() == "What's due"
    expect(page.locator("table").first).to_contain_text("School Census (autumn)")
    checked(page)
    page.get_by_role("button", name="Make a calendar link").click()
    assert page.locator("#feed-url").input_value().startswith("http://127.0.0.1:5000/deadline-calendar/feeds/")
    checked(page)
    page.get_by_role("link", name="See them on a month calendar").click()
    assert page.locator("h1").inner_text() == "Deadlines calendar"
    checked(page)
    page.goto(live_server.url + "/deadline-calendar?month=2026-12")
    expect(page.locator("#calendar-month")).to_contain_text("Christmas Day")
    page.goto(live_server.url + "/deadlines/")
    page.get_by_role("link", name=re.compile(r"Fill in the return\W+Weekly school meal numbers")).first.click()
    page.fill("#details", "Mon 120, Tue 118, Wed 121")
    page.get_by_role("button", name="Send return").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Weekly school meal numbers (Week commencing 31 Aug 2026): late. Thank you."
    )
    checked(page)
    page.goto(live_server.url + "/deadlines/reminders")
    checked(page)
    page.goto(live_server.url + "/")
    expect(page.locator("main h2").first).to_have_text("What's due")
    checked(page)


def test_la_school_pages_are_accessible(officer_page, live_server, checked, schools):
    page = officer_page
    page.goto(live_server.url + "/deadline-tracker?code=SC-AUT")
    page.get_by_role("link", name="Wicken Primary").click()
    assert page.locator("h1").inner_text() == "Wicken Primary"
    checked(page)
    page.get_by_role("link", name=re.compile(r"Record status\W+School Census \(autumn\)")).click()
    page.get_by_label("Submitted (for example to DfE COLLECT, or by email)").check()
    page.get_by_label("Where was it made?").fill("DfE COLLECT")
    page.get_by_role("button", name="Record status").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("status recorded")
    expect(page.locator("table")).to_contain_text("DfE COLLECT")
    checked(page)
    page.goto(live_server.url + "/deadline-calendar")
    checked(page)


def test_admin_pages_are_accessible(page, live_server, client, sign_in, make_user, la, db, schools, checked):
    admin = make_user(la, name="Site Admin", email="admin@la.example.gov.uk", is_site_admin=True)
    _browser_session(page, live_server, client, sign_in, admin, "/deadlines-admin")
    page.goto(live_server.url + "/deadlines-admin")
    assert page.locator("h1").inner_text() == "Return catalogue"
    checked(page)
    page.get_by_role("link", name="School Census (autumn)").click()
    checked(page)
    page.goto(live_server.url + "/deadlines-admin/returns/new")
    checked(page)
    # a termly return due two weeks before the end of each term, made with the form's parts (no JSON)
    page.get_by_label("Code").fill("ATTEND-AUDIT")
    page.get_by_label("Name").fill("Attendance audit")
    page.get_by_label("A form", exact=True).check()
    page.get_by_label("Once a term").check()
    page.locator("#due-kind").select_option(label="A date in the academic year (day and month)")
    page.get_by_role("button", name="Save return").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("A termly return counts from each term's census day")
    checked(page)
    page.locator("#due-kind").select_option(label="The last day of a term")
    page.locator("#due-term").select_option("")
    page.locator("#due-offset").fill("-14")
    page.locator("#opens-kind").select_option("")
    page.locator("#internal_due-kind").select_option("")
    page.get_by_role("button", name="Save return").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Attendance audit added")
    page.goto(live_server.url + "/deadlines-admin/term-dates/2026")
    checked(page)
    page.goto(live_server.url + "/deadlines-admin/instances?year=2026")
    checked(page)
    page.get_by_role("link", name="Privacy notice confirmation").click()
    page.get_by_label("Why the dates changed").fill("")
    page.get_by_role("button", name="Save dates").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say why the dates changed")
    checked(page)


def test_tracker_uses_the_width_and_keeps_the_school_column_in_view(officer_page, live_server, checked, schools):
    """At 1280 px the tracker is as wide as the window, shows at least six deadline columns at once inside
    its scrolling region, and the school column (and header row) stay put when the region scrolls."""
    page = officer_page
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(live_server.url + "/deadline-tracker")
    assert page.locator(".govuk-main-wrapper").bounding_box()["width"] > 1100  # not the 960 px GOV.UK container
    region = page.locator("#tracker-results [role=region]")
    assert region.get_attribute("aria-labelledby") == "matrix-caption" and region.get_attribute("tabindex") == "0"
    assert page.locator("#matrix-caption").inner_text() == "Schools and returns"
    headings = page.locator(".gatehouse-matrix thead th.gatehouse-matrix__deadline")
    assert headings.count() >= 10  # more than fit: the region has something to scroll

    def visible_box() -> tuple[float, float]:
        box = region.bounding_box()
        return box["x"], box["x"] + region.evaluate("el => el.clientWidth")

    def school_cell_box():
        return page.locator(".gatehouse-matrix tbody tr").first.locator("th.gatehouse-matrix__school").bounding_box()

    def columns_in_view() -> int:
        left, right = visible_box()
        school = school_cell_box()
        boxes = [headings.nth(n).bounding_box() for n in range(headings.count())]
        return sum(1 for b in boxes if b["x"] >= school["x"] + school["width"] - 1 and b["x"] + b["width"] <= right + 1)

    assert columns_in_view() >= 6
    # headings wrap at word boundaries in columns wide enough to read, never a word per line
    census = headings.filter(has_text="School Census (autumn)")
    assert census.bounding_box()["width"] >= 130
    assert census.evaluate("th => getComputedStyle(th).position") == "sticky"
    # keyboard scrolling: the region takes focus and the arrow keys move it sideways
    region.focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.querySelector('[role=region]').scrollLeft > 0")
    region.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
    page.wait_for_function(
        "() => { const el = document.querySelector('[role=region]');"
        " return el.scrollLeft + el.clientWidth >= el.scrollWidth - 1; }"
    )
    left, right = visible_box()
    school = school_cell_box()
    assert left - 1 <= school["x"] and school["x"] + school["width"] <= right + 1  # still in view
    first_heading = headings.first.bounding_box()
    assert first_heading["x"] + first_heading["width"] <= school["x"] + school["width"] + 1  # scrolled under it
    last_heading = headings.last.bounding_box()
    assert last_heading["x"] + last_heading["width"] <= right + 1
    expect(page.get_by_role("link", name="Ely Primary")).to_be_visible()
    caption = page.locator("#matrix-caption span").bounding_box()
    assert left - 1 <= caption["x"] <= right  # the region's name scrolls with it no further than its edge
    assert columns_in_view() >= 6
    checked(page)
