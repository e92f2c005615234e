"""The organisation list in chromium: active search by htmx, accessible, CSP-clean, and without JavaScript."""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from domain.dates import academic_year_of, uk_today
from domain.gias.reader import open_extract
from models import deadline_instances, organisations, services
from tests.browser.sessions import carry_session, same_user_without_javascript

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo_gias_873.csv"


@pytest.fixture
def officer_page(page, live_server, client, sign_in, make_user, la, db):
    """The browser page with the session of LA staff using Deadlines and Returns, the demo schools imported and
    this year's deadlines made (so a school's page shows its deadlines and returns)."""
    data = DEMO.read_bytes()
    organisations.import_gias(
        db, open_extract(data).records(["873"]), la_codes=("873",), file_name=DEMO.name,
        file_sha256=hashlib.sha256(data).hexdigest(),
    )  # fmt: skip
    deadline_instances.generate(db, academic_year_of(uk_today()))
    officer = make_user(la, email="officer@la.example.gov.uk")
    services.set_services(db, officer["id"], ["deadlines", "returns"])
    sign_in(officer)
    assert client.get("/organisations").status_code == 200
    carry_session(client, page.context, live_server)
    return page


def test_organisation_pages_are_accessible_under_csp(officer_page, live_server, checked):
    officer_page.goto(live_server.url + "/organisations")
    assert officer_page.locator("h1").inner_text() == "Organisations"
    checked(officer_page)
    officer_page.goto(live_server.url + "/organisations?status=nonsense")
    assert officer_page.title().startswith("Error: ") or "There is a problem" in officer_page.content()
    checked(officer_page)
    officer_page.get_by_role("link", name="Clear search").click()
    officer_page.get_by_role("link", name="Ashbury Oakfield Primary").click()
    officer_page.wait_for_url("**/organisations/*")
    assert officer_page.locator("h1").inner_text() == "Ashbury Oakfield Primary"
    expect(officer_page.locator("h2#deadlines")).to_have_text("Deadlines")
    expect(officer_page.locator("h2#returns")).to_have_text("Files uploaded in Returns")
    checked(officer_page)


def test_typing_searches_without_reloading_the_page(officer_page, live_server, checked):
    officer_page.goto(live_server.url + "/organisations")
    officer_page.evaluate("window.__samePage = true")
    officer_page.locator("#q").press_sequentially("873/2001", delay=20)
    officer_page.wait_for_url("**/organisations?*q=873*")
    expect(officer_page.locator("#organisation-results tbody tr")).to_have_count(1)
    assert "Ashbury Oakfield Primary" in officer_page.locator("#organisation-results").inner_text()
    assert parse_qs(urlsplit(officer_page.url).query)["q"] == ["873/2001"]
    assert officer_page.evaluate("window.__samePage") is True, "the page reloaded instead of swapping"
    assert officer_page.locator("h1").count() == 1

    officer_page.select_option("#status", "closed")
    expect(officer_page.locator("#organisation-results")).to_contain_text("No organisations match your search.")
    assert officer_page.evaluate("window.__samePage") is True
    checked(officer_page)


def test_search_works_without_javascript(browser, live_server, officer_page):
    with same_user_without_javascript(browser, officer_page) as page:
        page.goto(live_server.url + "/organisations")
        page.fill("#q", "973001")
        page.get_by_role("button", name="Search").click()
        page.wait_for_url("**q=973001*")
        assert page.locator("#organisation-results tbody tr").count() == 1
        assert "Ashbury Oakfield Primary" in page.locator("#organisation-results").inner_text()
