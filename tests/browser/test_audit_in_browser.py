"""The audit log page in chromium: accessible, CSP-clean, filtered by htmx and without JavaScript."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from models import audit
from models.db import transaction
from tests.browser.sessions import carry_session, same_user_without_javascript


@pytest.fixture
def admin_page(page, live_server, client, sign_in, make_user, la, db):
    """The browser page, carrying the session of a site admin signed in through the real forms."""
    admin = make_user(la, role="approver", is_site_admin=True, email="admin@la.example.gov.uk")
    sign_in(admin)
    assert client.get("/audit").status_code == 200
    carry_session(client, page.context, live_server)
    with transaction(db):
        for n in range(60):
            audit.record(db, "file_uploaded", organisation_id=la["id"], target=f"census-{n:02d}.xml")
        audit.record(db, "user_created", organisation_id=la["id"], target="new.person@example.sch.uk")
    return page


def test_audit_page_is_accessible_under_csp(admin_page, live_server, checked):
    admin_page.goto(live_server.url + "/audit")
    assert admin_page.locator("h1").inner_text() == "Audit log"
    checked(admin_page)
    admin_page.goto(live_server.url + "/audit?date_from=31&date_from=2&date_from=2026")
    assert admin_page.title().startswith("Error: ")
    checked(admin_page)
    admin_page.goto(live_server.url + "/audit/1")
    checked(admin_page)


def test_filtering_and_paging_swap_only_the_results(admin_page, live_server, checked):
    admin_page.goto(live_server.url + "/audit")
    admin_page.evaluate("window.__samePage = true")
    admin_page.select_option("#action", "file_uploaded")
    admin_page.fill("#target", "census-0")
    admin_page.get_by_role("button", name="Apply filters").click()
    admin_page.wait_for_url("**/audit?*target=census-0*")
    rows = admin_page.locator("#audit-results tbody tr")
    rows.first.wait_for()
    assert rows.count() == 10
    assert parse_qs(urlsplit(admin_page.url).query)["action"] == ["file_uploaded"]
    assert admin_page.evaluate("window.__samePage") is True, "the page reloaded instead of swapping"
    checked(admin_page)

    admin_page.fill("#target", "")
    admin_page.get_by_role("button", name="Apply filters").click()
    admin_page.wait_for_function("() => document.querySelectorAll('#audit-results tbody tr').length === 50")
    admin_page.get_by_role("link", name="Older entries").click()
    admin_page.wait_for_url("**before=*")
    admin_page.wait_for_function("() => document.querySelectorAll('#audit-results tbody tr').length === 10")
    assert admin_page.evaluate("window.__samePage") is True
    assert admin_page.locator("h1").count() == 1


def test_filters_work_without_javascript(browser, live_server, admin_page):
    with same_user_without_javascript(browser, admin_page) as page:
        page.goto(live_server.url + "/audit")
        page.fill("#target", "new.person")
        page.get_by_role("button", name="Apply filters").click()
        page.wait_for_url("**target=new.person*")
        assert page.locator("#audit-results tbody tr").count() == 1
        assert "new.person@example.sch.uk" in page.locator("#audit-results").inner_text()
