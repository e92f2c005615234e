"""PRIDE in chromium: a school reports an incident with the keyboard only (the error summary first), sees it
listed; the term ends (the test's clock); it confirms its return. Another school makes a NIL return in one
click after the confirmation page. The LA sees both in the tracker and in the report, with the chart and its
table. Every page axe- and CSP-clean."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from models import deadline_instances, deadline_statuses, pride, services
from tests.conftest import set_today
from tests.deadlines.factories import instance_of

TERM_TIME = dt.date(2026, 10, 19)
END_OF_TERM = dt.date(2026, 12, 18)


def _context_signed_in(open_page, client, sign_in, user):
    """A new browser page signed in as ``user`` (through the test client's real sign-in, cookie copied)."""
    sign_in(user, client=client)
    return open_page(client)


def _tab_to(page, selector: str, limit: int = 250) -> None:
    """Press Tab until ``selector`` has the focus (the keyboard is the only way the form is filled)."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def _type_into(page, selector: str, text: str) -> None:
    _tab_to(page, selector)
    page.keyboard.type(text)


def _tick(page, selector: str) -> None:
    _tab_to(page, selector)
    page.keyboard.press("Space")


def _choose(page, group: str, position: int) -> None:
    """Choose the ``position``-th radio (1-based) of a group: Tab into it, Space, then the arrow keys."""
    _tab_to(page, f"#{group}")
    page.keyboard.press("Space")
    for _ in range(position - 1):
        page.keyboard.press("ArrowDown")


@pytest.fixture
def people(db, la, school, other_school, make_user):
    set_today(TERM_TIME)
    deadline_instances.generate(db, 2026)
    made = {
        "fenland": make_user(school, name="Sam Office", email="office@fenland.example.sch.uk"),
        "ouse": make_user(other_school, name="Olly Other", email="office@ouse.example.sch.uk"),
        "la": make_user(la, name="Ella Equality", email="ella.equality@873.example.gov.uk"),
    }
    for user in made.values():
        services.set_services(db, user["id"], ["pride", "deadlines"])
    return made


def test_report_confirm_nil_and_the_la_sees_both(open_page, live_server, app, db, school, other_school, people,
                                                  checked):
    fenland = _context_signed_in(open_page, app.test_client(), _sign_in(db), people["fenland"])
    fenland.goto(live_server.url + "/pride/")
    checked(fenland)
    fenland.get_by_role("link", name="Report an incident").click()
    expect(fenland.locator("h1")).to_have_text("Report a prejudice-related incident")
    checked(fenland)

    # Keyboard only from here: report with nothing filled in, follow the error summary, then fill the form.
    _tab_to(fenland, "button[name=report]")
    fenland.keyboard.press("Enter")
    summary = fenland.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    checked(fenland)
    fenland.keyboard.press("Tab")
    expect(fenland.locator(".govuk-error-summary__list a").first).to_be_focused()
    fenland.keyboard.press("Enter")
    expect(fenland.locator("#occurred_on-day")).to_be_focused()
    fenland.keyboard.type("14")
    _type_into(fenland, "#occurred_on-month", "10")
    _type_into(fenland, "#occurred_on-year", "2026")
    _choose(fenland, "time_band", 3)  # break or lunchtime
    _choose(fenland, "location", 3)  # playground
    _tick(fenland, "#characteristics-6")  # race
    _tick(fenland, "#types")  # verbal
    _type_into(fenland, "#description", "Racist name-calling at break")
    _type_into(fenland, "#targeted_pupils_7", "1")
    _type_into(fenland, "#responsible_pupils_7", "2")
    _tick(fenland, "#actions-3")  # parents informed
    _tab_to(fenland, "button[name=report]")
    fenland.keyboard.press("Enter")
    expect(fenland.locator(".govuk-notification-banner--success")).to_contain_text("Incident reported")
    expect(fenland.locator("main")).to_contain_text("14 October 2026")
    checked(fenland)
    [incident] = pride.list_incidents(db, school["id"])
    assert incident["state"] == "reported" and incident["location"] == "playground"

    # The term ends.
    set_today(END_OF_TERM)
    autumn = instance_of(db, "PRIDE-NIL", "2026/27-autumn")
    fenland = _context_signed_in(open_page, app.test_client(), _sign_in(db), people["fenland"])
    fenland.goto(live_server.url + f"/pride/returns/{autumn['id']}")
    checked(fenland)
    fenland.get_by_role("button", name="Confirm these incidents as our return").click()
    expect(fenland.locator(".govuk-notification-banner--success")).to_contain_text("Submitted")
    checked(fenland)

    ouse = _context_signed_in(open_page, app.test_client(), _sign_in(db), people["ouse"])
    ouse.goto(live_server.url + "/pride/")
    ouse.get_by_role("link", name="Make the return for the autumn term 2026/27").click()
    checked(ouse)
    ouse.get_by_role("link", name="Make a NIL return").click()
    expect(ouse.locator("h1")).to_have_text("Make a NIL return for the autumn term 2026/27?")
    checked(ouse)
    ouse.get_by_role("button", name="Yes, make a NIL return").click()
    expect(ouse.locator(".govuk-notification-banner--success")).to_contain_text("NIL return")
    checked(ouse)
    assert deadline_statuses.status_for(db, other_school["id"], autumn["id"])["key"] == "nil"

    la = _context_signed_in(open_page, app.test_client(), _sign_in(db), people["la"])
    la.goto(live_server.url + "/deadline-tracker?year=2026&window=year&code=PRIDE-NIL")
    table = la.locator("table").filter(has_text="Fenland Primary School")
    expect(table.locator("tr", has_text="Fenland Primary School")).to_contain_text("Submitted")
    expect(table.locator("tr", has_text="Ouse Valley Academy")).to_contain_text("NIL return")
    checked(la)
    la.goto(live_server.url + "/pride/la-report?year=2026")
    chart = la.locator("svg").first
    expect(chart.locator("title")).to_have_text("Incidents by characteristic, Academic year 2026/27")
    expect(la.locator("table", has=la.locator("caption", has_text="Incidents by characteristic"))).to_contain_text(
        "fewer than 5"
    )
    checked(la)
    la.goto(live_server.url + f"/pride/follow-up?instance={autumn['id']}")
    expect(la.locator("main")).to_contain_text("0 of 2 schools have neither confirmed incidents nor made a NIL return")
    checked(la)


def _sign_in(db):
    from tests.conftest import sign_in_through_forms

    return lambda user, client: sign_in_through_forms(client, db, user)
